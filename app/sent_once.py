"""Messages sent once of a booking when their time comes (reminders, evaluation requests,
follow-ups), each claimed by a row in booking_notice_sent.

The claim is written in the transaction that writes the message, and the row's key (the
booking and the kind of message) stops a second run of the scheduled work, or two at
once, from writing it again. Knows nothing of Flask: the services that claim call it.
"""

from datetime import datetime

from sqlalchemy import ColumnElement, exists, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.database import is_lock_failure
from app.models import Booking, BookingNoticeSent
from app.refusals import TryAgain


def claim_once(
    db_session: Session,
    kind: str,
    now: datetime,
    limit: int,
    *where: ColumnElement[bool],
) -> list[int]:
    """Claim, in one statement, the message `kind` for up to `limit` bookings that match
    `where` and have not had it; the ids of the bookings claimed, by session.

    Raises TryAgain when (on PostgreSQL) another run held its claims past the lock timeout.
    """
    already_sent = exists().where(
        BookingNoticeSent.booking_id == Booking.id, BookingNoticeSent.kind == kind
    )
    due = (
        select(Booking.id, literal(kind), literal(now, BookingNoticeSent.sent_at.type))
        .where(*where, ~already_sent)
        .order_by(Booking.session_id, Booking.id)
        .limit(limit)
    )
    table = BookingNoticeSent.__table__
    dialect = postgresql if db_session.get_bind().dialect.name == "postgresql" else sqlite
    # Another run may claim the same rows between this one's look and its write (on
    # PostgreSQL, whose writers do not queue as SQLite's do): those rows are left to it.
    statement = (
        dialect.insert(table)
        .from_select(["booking_id", "kind", "sent_at"], due)
        .on_conflict_do_nothing()
        .returning(table.c.booking_id)
    )
    try:
        return list(db_session.scalars(statement))
    except OperationalError as error:
        # PostgreSQL: the other run held its claims past the lock timeout.
        if not is_lock_failure(error):
            raise
        raise TryAgain from None
