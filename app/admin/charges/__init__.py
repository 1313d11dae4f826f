"""Charges: by period and agency, exported for invoicing, and waived with a reason."""

from app.admin.charges import routes  # noqa: F401
