"""Venues: where sessions are held."""

from flask import render_template

from app.admin import bp


@bp.get("/venues")
def venues():
    return render_template("admin/venues/index.html")
