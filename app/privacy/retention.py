"""Retention: accounts with no activity for years are erased, as the privacy notice says.

A person's activity is the latest of: making the account, signing in, any change to one
of their bookings (booking, cancelling, attendance marked, an evaluation's history), the
end of a session they booked, and a record of training done elsewhere. Trainers' and
coordinators' accounts are never erased by retention: they are named on the sessions
they ran, and a coordinator makes them professionals' accounts first (see erasure.py).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import Booking, CourseSession, ExternalTraining, Role, User

DEFAULT_YEARS = 6


def years_before(moment: datetime, years: int) -> datetime:
    """The same day and time `years` earlier; 29 February becomes the 28th."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


@dataclass(frozen=True)
class Inactive:
    user_id: int
    email: str
    last_activity: datetime


def activity_columns():
    """SQL, for each account: the latest moment of each kind of activity (None: never)."""
    booking_changed = (
        select(func.max(Booking.updated_at)).where(Booking.user_id == User.id).scalar_subquery()
    )
    session_ended = (
        select(func.max(CourseSession.ends_at))
        .join(Booking, Booking.session_id == CourseSession.id)
        .where(Booking.user_id == User.id)
        .scalar_subquery()
    )
    training_recorded = (
        select(func.max(ExternalTraining.updated_at))
        .where(ExternalTraining.user_id == User.id)
        .scalar_subquery()
    )
    return [
        User.created_at,
        User.last_signed_in_at,
        booking_changed,
        session_ended,
        training_recorded,
    ]


def inactive_accounts(db_session: Session, now: datetime, years: int) -> list[Inactive]:
    """Professionals' accounts, not yet erased, with no activity since `years` ago."""
    cutoff = years_before(now, years)
    activity = activity_columns()
    found = db_session.execute(
        select(User.id, User.email, *activity)
        .where(
            User.erased_at.is_(None),
            User.role == Role.PROFESSIONAL,
            *(or_(moment.is_(None), moment < cutoff) for moment in activity),
        )
        .order_by(User.id)
    )
    return [
        Inactive(user_id, email, max(moment for moment in moments if moment is not None))
        for user_id, email, *moments in found
    ]
