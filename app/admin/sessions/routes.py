"""Sessions: the dated deliveries of courses."""

from flask import render_template

from app.admin import bp


@bp.get("/sessions")
def sessions():
    return render_template("admin/sessions/index.html")
