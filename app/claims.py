"""Messages sent once of a booking when their time comes (reminders, evaluation requests,
follow-ups, refreshers' reminders), each claimed by its row in booking_notice_sent,
unique for the booking and the kind of message; and, through `claim_rows`, any other
message sent once, claimed by a row of its own table (interest_notice_sent).

The claim is written in the same transaction as the message, so a second run of the
scheduled work, or two at once, finds it taken and writes nothing twice.
"""

from datetime import datetime

from sqlalchemy import Column, ColumnElement, Insert, Row, Select, Table, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload

from app.database import is_lock_failure
from app.models import Booking, BookingNoticeSent, Course, CourseSession
from app.notices import Done, Notice, NoticeKind
from app.refusals import TryAgain


def claim(db_session: Session, due: Select) -> list[int]:
    """Claim, in one statement, the rows `due` selects (booking id, kind, moment); the ids
    of the bookings claimed. Raises TryAgain when another run's claims held the rows past
    the lock timeout (PostgreSQL)."""
    table = BookingNoticeSent.__table__
    claimed = claim_rows(
        db_session, table, ["booking_id", "kind", "sent_at"], due, table.c.booking_id
    )
    return [booking_id for (booking_id,) in claimed]


def claim_rows(
    db_session: Session, table: Table, columns: list[str], due: Select, *returning: Column
) -> list[Row]:
    """Insert, in one statement, the rows `due` selects into `table`'s `columns`, leaving
    out those already there; the `returning` columns of the rows inserted. Raises TryAgain
    when another run's claims held the rows past the lock timeout (PostgreSQL)."""
    # Another run may claim the same rows between this one's look and its write (on
    # PostgreSQL, whose writers do not queue as SQLite's do): those rows are left to it.
    statement = insert_new(db_session, table).from_select(columns, due).returning(*returning)
    try:
        return list(db_session.execute(statement))
    except OperationalError as error:
        # PostgreSQL: the other run held its claims past the lock timeout.
        if not is_lock_failure(error):
            raise
        raise TryAgain from None


def insert_new(db_session: Session, table: Table) -> Insert:
    """An INSERT into `table` that leaves out, without an error, rows whose key is taken."""
    dialect = postgresql if db_session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def claim_bookings(
    db_session: Session, booking_ids: list[int], kind: str, now: datetime
) -> list[int]:
    """Claim the message `kind` of each of these bookings not yet sent it; those claimed."""
    if not booking_ids:
        return []
    return claim(
        db_session,
        select(Booking.id, literal(kind), literal(now, BookingNoticeSent.sent_at.type))
        .where(Booking.id.in_(booking_ids))
        .order_by(Booking.id),
    )


def already_sent(kind: str):
    """SQL: the booking was sent the message `kind` already."""
    return (
        select(BookingNoticeSent.booking_id)
        .where(BookingNoticeSent.booking_id == Booking.id, BookingNoticeSent.kind == kind)
        .exists()
    )


def claim_once(
    db_session: Session, kind: str, now: datetime, limit: int, *where: ColumnElement[bool]
) -> list[int]:
    """Claim the message `kind` for up to `limit` bookings that match `where` and have not
    had it; the ids of the bookings claimed, by session."""
    return claim(
        db_session,
        select(Booking.id, literal(kind), literal(now, BookingNoticeSent.sent_at.type))
        .where(*where, ~already_sent(kind))
        .order_by(Booking.session_id, Booking.id)
        .limit(limit),
    )


def notices_of_claimed(db_session: Session, claimed: list[int], kind: NoticeKind) -> Done[int]:
    """A notice of `kind` for each booking claimed, loaded with what its message shows (the
    person, the session, its course and venue), by session; how many."""
    if not claimed:
        return Done(0)
    bookings = db_session.scalars(
        select(Booking)
        .where(Booking.id.in_(claimed))
        .options(
            joinedload(Booking.user),
            joinedload(Booking.session)
            .joinedload(CourseSession.course)
            .joinedload(Course.prospectus),
            joinedload(Booking.session).joinedload(CourseSession.venue),
        )
        .order_by(Booking.session_id, Booking.id)
    ).all()
    return Done(len(bookings), [Notice(kind, booking) for booking in bookings])
