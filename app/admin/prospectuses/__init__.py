"""Prospectuses: the catalogues the partnership publishes."""

from app.admin.prospectuses import routes  # noqa: F401
