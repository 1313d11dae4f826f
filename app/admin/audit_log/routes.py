"""The audit log of changes made by trainers and coordinators."""

from flask import render_template

from app.admin import bp


@bp.get("/audit")
def audit_log():
    return render_template("admin/audit_log/index.html")
