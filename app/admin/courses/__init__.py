"""Courses: what is taught, in which prospectus, for whom."""

from app.admin.courses import routes  # noqa: F401
