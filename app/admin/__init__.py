"""The coordinator's area: the catalogue, venues, agencies, charges, approvals, external
training, case reviews, people, reports to the board, audit log.

Every view here is for coordinators only; the check is made once for the whole blueprint,
before any view runs, so no view can forget it.
"""

from flask import Blueprint, abort
from flask_login import current_user

from app.audit import record_changes_by
from app.extensions import db, login_manager

bp = Blueprint("admin", __name__)


def name_the_actor() -> None:
    """Whatever a trainer or coordinator changes in this request goes in the audit log."""
    if current_user.is_authenticated:
        record_changes_by(db.session, current_user.id)


@bp.before_request
def coordinators_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_coordinator:
        abort(403)
    name_the_actor()


from app.admin import (  # noqa: E402, F401
    agencies,
    approvals,
    audit_log,
    case_reviews,
    charges,
    courses,
    external_training,
    home,
    menu,
    prospectuses,
    reports,
    sessions,
    site_pages,
    users,
    venues,
)
