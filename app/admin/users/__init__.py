"""People: accounts, their roles, bookings and attendance."""

from app.admin.users import routes  # noqa: F401
