"""Approvals left too long release their places whenever their session is looked at, as
well as by the cron command, so that pages show the places as they are."""

from contextlib import suppress

from app.bookings import service
from app.extensions import db
from app.models import utcnow


def release_overdue_approvals(session_id: int) -> bool:
    """Release them, under the session's lock, and commit; whether any were released (what
    was loaded before is then out of date). Raises TryAgain when the lock is busy."""
    released = service.expire_overdue_approvals(db.session, session_id, utcnow())
    if released:
        db.session.commit()
    return released


def release_overdue_approvals_unless_busy(session_id: int) -> bool:
    """The same, for a page that can show the places a moment late: should the lock be
    busy, the next look at the session, or the cron command, releases them."""
    with suppress(service.TryAgain):
        return release_overdue_approvals(session_id)
    return False
