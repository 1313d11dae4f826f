"""Calendar files: invites mailed with bookings, downloads and feeds."""

from flask import Blueprint

bp = Blueprint("calendar", __name__)

from app.calendar import routes  # noqa: E402, F401
