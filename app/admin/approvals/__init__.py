"""Approvals: the bookings of people who missed too many places, waiting for a
coordinator's decision."""

from app.admin.approvals import routes  # noqa: F401
