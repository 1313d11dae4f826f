"""Agencies: the employers of professionals, by sector."""

from app.admin.agencies import routes  # noqa: F401
