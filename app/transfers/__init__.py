"""Handing a confirmed place to a colleague from the same agency."""

from flask import Blueprint
from flask_login import current_user

from app.audit import record_changes_by
from app.extensions import db

bp = Blueprint("transfers", __name__)


@bp.before_request
def name_the_actor() -> None:
    """A place handed on is a change of two people's bookings: whoever makes it, giver or
    colleague, it goes in the audit log with their name, as a trainer's changes do."""
    if current_user.is_authenticated:
        record_changes_by(db.session, current_user.id)


from app.transfers import routes  # noqa: E402, F401
