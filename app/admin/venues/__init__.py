"""Venues: where sessions are held."""

from app.admin.venues import routes  # noqa: F401
