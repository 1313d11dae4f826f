"""The bookings waiting for a coordinator's decision, and each person's record of
attending and missing places, counted in SQL for everyone listed at once."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, joinedload

from app.bookings.service import RepeatLimit
from app.charges.service import charge_waived, wasted_a_place
from app.models import Attendance, Booking, BookingStatus, CourseSession, User


@dataclass(frozen=True)
class History:
    """What a person's bookings came to, over all time, and the places they missed within
    the repeat limit's months, as the booking rule counts them."""

    attended: int = 0
    left_early: int = 0
    did_not_attend: int = 0
    cancelled_late: int = 0
    #: No-shows and late cancellations whose charge a coordinator waived.
    waived: int = 0
    missed_lately: int = 0


@dataclass(frozen=True)
class Waiting:
    booking: Booking
    history: History


def waiting_for_coordinator(
    db_session: Session, now: datetime, limit: RepeatLimit
) -> list[Waiting]:
    """Bookings holding a place until a coordinator decides, the soonest deadline first;
    those past their deadline are left for expire-approvals to release."""
    bookings = db_session.scalars(
        select(Booking)
        .where(
            Booking.status == BookingStatus.AWAITING_COORDINATOR,
            Booking.approval_expires_at > now,
        )
        .options(
            joinedload(Booking.user).joinedload(User.agency),
            joinedload(Booking.session).joinedload(CourseSession.course),
            joinedload(Booking.session).joinedload(CourseSession.venue),
        )
        .order_by(Booking.approval_expires_at, Booking.id)
    ).all()
    histories = histories_of(db_session, {booking.user_id for booking in bookings}, now, limit)
    return [Waiting(booking, histories[booking.user_id]) for booking in bookings]


def booking_for_decision(db_session: Session, booking_id: int) -> Booking | None:
    """A booking a coordinator decides on, or decided on; None for any other."""
    return db_session.scalar(
        select(Booking)
        .where(Booking.id == booking_id, Booking.needs_coordinator.is_(True))
        .options(
            joinedload(Booking.user).joinedload(User.agency),
            joinedload(Booking.session).joinedload(CourseSession.course),
            joinedload(Booking.session).joinedload(CourseSession.venue),
        )
    )


def histories_of(
    db_session: Session, user_ids: set[int], now: datetime, limit: RepeatLimit
) -> dict[int, History]:
    """Each person's History, in one statement; an empty one for a person with none."""
    histories = dict.fromkeys(user_ids, History())
    if not user_ids:
        return histories
    marked = Booking.status == BookingStatus.CONFIRMED
    did_not_attend = and_(marked, Booking.attendance == Attendance.DID_NOT_ATTEND)
    missed = did_not_attend | Booking.late_cancellation.is_(True)
    rows = db_session.execute(
        select(
            Booking.user_id,
            func.count(Booking.id).filter(marked, Booking.attendance == Attendance.ATTENDED),
            func.count(Booking.id).filter(marked, Booking.attendance == Attendance.LEFT_EARLY),
            func.count(Booking.id).filter(did_not_attend),
            func.count(Booking.id).filter(Booking.late_cancellation.is_(True)),
            func.count(Booking.id).filter(missed, charge_waived().exists()),
            func.count(Booking.id).filter(wasted_a_place(limit.since(now))),
        )
        .join(Booking.session)
        .where(Booking.user_id.in_(user_ids))
        .group_by(Booking.user_id)
    )
    for user_id, *counts in rows:
        histories[user_id] = History(*counts)
    return histories
