"""The coordinator's start page: what needs attention, and the way to each part."""

from flask import render_template

from app.admin import bp, overview
from app.extensions import db
from app.models import utcnow


@bp.get("")
def index():
    return render_template("admin/index.html", summary=overview.summary(db.session, utcnow()))
