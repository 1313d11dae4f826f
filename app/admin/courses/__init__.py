"""Courses: what is taught, in which prospectus, for whom."""

from app.admin.courses import outcome_routes, routes  # noqa: F401
