"""Agencies: the employers of professionals, by sector."""

from flask import render_template

from app.admin import bp


@bp.get("/agencies")
def agencies():
    return render_template("admin/agencies/index.html")
