"""Approvals and last-minute offers left too long release their places whenever their
session is looked at, as well as by the cron command, so that pages show the places as
they are.

This is the one write a page that only shows things makes: the booking rules ask for it
(app/bookings/service.py), and it goes through the one function here.
"""

from contextlib import suppress

from flask import current_app

from app.bookings import service
from app.extensions import db
from app.models import utcnow
from app.refusals import TryAgain
from app.transactions import saved


def release_overdue_approvals(session_id: int) -> int:
    """Release a session's overdue approvals and offers, if it has any, under its lock,
    with their mail, and commit; how many were released (what was loaded before is then
    out of date). The places they free go to people waiting, as the settings say.

    Should the lock be busy, nothing is released: the next look at the session, or the
    cron command, releases them.
    """
    now = utcnow()
    if not service.sessions_with_overdue_approvals(db.session, now, session_id):
        return 0
    with suppress(TryAgain):
        return saved(
            service.release_session_approvals,
            db.session,
            session_id,
            now,
            service.last_minute_from(current_app.config),
        )
    return 0


def release_every_overdue_approval() -> int:
    """Release the overdue approvals and offers of every session holding any: what cron
    runs."""
    released = 0
    for session_id in service.sessions_with_overdue_approvals(db.session, utcnow()):
        released += release_overdue_approvals(session_id)
    return released
