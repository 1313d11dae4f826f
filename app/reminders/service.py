"""Which confirmed places are due a reminder of their session, each claimed once.

A place is reminded from its session's reminder moment (app/working_days.py) until the
session starts, once: the claim, a row in booking_notice_sent (app/claims.py), is
written in the same transaction as the mail, and its key stops a second run (or two at
once) from writing it again. A place confirmed after the moment was told all it needs
in its confirmation.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from app.claims import claim_once, notices_of_claimed
from app.database import write_transaction
from app.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    CourseSession,
    SessionStatus,
)
from app.notices import Done, NoticeKind
from app.working_days import reminder_moment

#: The kind of message a reminder's claim names.
REMINDER = "reminder"
#: The most reminders one run writes: the rest wait minutes, for the next, rather than
#: keep others waiting for SQLite's write lock while their mail is written.
BATCH = 200


def horizon(working_days: int) -> timedelta:
    """Further ahead than any session due a reminder now: any seven days in England hold at
    least three working days (Christmas and Easter leave no fewer)."""
    return timedelta(days=7 * (working_days // 3 + 1) + 1)


def send_reminders(
    db_session: Session, now: datetime, working_days: int, limit: int = BATCH
) -> Done[int]:
    """Claim the reminders due (up to `limit`) and return one notice each; how many were
    claimed.

    Takes the write lock (SQLite) first, so the claims are decided one run at a time;
    raises TryAgain when another run holds it, or (PostgreSQL) the claims, too long.
    """
    write_transaction(db_session)
    moments = due_sessions(db_session, now, working_days)
    if not moments:
        return Done(0)
    claimed = claim_reminders(db_session, moments, now, limit)
    return notices_of_claimed(db_session, claimed, NoticeKind.REMINDER)


def due_sessions(
    db_session: Session, now: datetime, working_days: int
) -> dict[datetime, list[int]]:
    """The sessions whose reminders are due, by their reminder moment."""
    upcoming = db_session.execute(
        select(CourseSession.id, CourseSession.starts_at).where(
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.published.is_(True),
            CourseSession.starts_at > now,
            CourseSession.starts_at <= now + horizon(working_days),
        )
    )
    moments: dict[datetime, list[int]] = defaultdict(list)
    for session_id, starts_at in upcoming:
        moment = reminder_moment(starts_at, working_days)
        if moment <= now:
            moments[moment].append(session_id)
    return dict(moments)


def confirmed_at():
    """SQL: when the booking last became a confirmed place (its history says)."""
    last_confirmed = (
        select(func.max(BookingEvent.at))
        .where(
            BookingEvent.booking_id == Booking.id, BookingEvent.to_status == BookingStatus.CONFIRMED
        )
        .scalar_subquery()
    )
    return func.coalesce(last_confirmed, Booking.promoted_at, Booking.created_at)


def claim_reminders(
    db_session: Session, moments: dict[datetime, list[int]], now: datetime, limit: int
) -> list[int]:
    """Claim, in one statement, the reminders of confirmed places on these sessions that
    were confirmed before their session's moment; the ids of the bookings claimed."""
    in_time = or_(
        false(),
        *(
            and_(Booking.session_id.in_(session_ids), confirmed_at() < moment)
            for moment, session_ids in moments.items()
        ),
    )
    return claim_once(
        db_session,
        REMINDER,
        now,
        limit,
        Booking.status == BookingStatus.CONFIRMED,
        Booking.walk_in.is_(False),
        in_time,
    )
