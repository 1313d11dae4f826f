"""Courses: what is taught, in which prospectus, for whom, and what must come first."""

from app.admin.courses import outcome_routes, prerequisite_routes, routes  # noqa: F401
