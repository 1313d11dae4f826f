"""Prospectuses: the catalogues the partnership publishes."""

from flask import render_template

from app.admin import bp


@bp.get("/prospectuses")
def prospectuses():
    return render_template("admin/prospectuses/index.html")
