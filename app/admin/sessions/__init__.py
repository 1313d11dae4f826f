"""Sessions: the dated deliveries of courses."""

from app.admin.sessions import routes  # noqa: F401
