"""Sessions: the dated deliveries of courses."""

from app.admin.sessions import choose_course_routes, routes, sector_routes  # noqa: F401
