"""Case reviews and the courses that draw on them."""

from app.admin.case_reviews import finding_routes, lesson_link_routes, routes  # noqa: F401
