"""The audit log of changes made by trainers and coordinators."""

from app.admin.audit_log import routes  # noqa: F401
