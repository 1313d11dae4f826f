"""The rules of a trainer's message to everyone booked on a session.

Changes to the session itself (moving it, its places, cancelling it) and its register
are the session service's (app/sessions/service.py), shared with the coordinator's area.
"""

from sqlalchemy.orm import Session

from app.bookings import service as bookings
from app.models import User
from app.notices import Done, Notice, NoticeKind
from app.refusals import Refused


def email_everyone_booked(
    db_session: Session, session_id: int, subject: str, message: str, sender: User
) -> Done[list[User]]:
    """A message to each person with a confirmed place, one each; the people written to."""
    subject = " ".join(subject.split())
    message = message.strip()
    if not subject:
        raise Refused("Enter a subject", field="subject")
    if not message:
        raise Refused("Enter a message", field="message")
    confirmed = bookings.confirmed_bookings(db_session, session_id)
    if not confirmed:
        raise Refused(
            "Nobody has a confirmed place on this session yet, so there is nobody to email"
        )
    notices = [
        Notice(
            NoticeKind.MESSAGE_FROM_TRAINER,
            booking,
            subject=subject,
            message=message,
            sender=sender,
        )
        for booking in confirmed
    ]
    return Done([booking.user for booking in confirmed], notices)
