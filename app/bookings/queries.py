"""Read-only queries of bookings."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from app.certificates import service as certificates
from app.models import Booking, BookingStatus, Course, CourseSession, Evaluation, User


@dataclass
class PersonsBookings:
    """A person's bookings as their training record page shows them."""

    upcoming: list[Booking] = field(default_factory=list)
    past: list[Booking] = field(default_factory=list)
    cancelled: list[Booking] = field(default_factory=list)
    #: Place in the waiting list, by booking id, for the upcoming bookings that wait.
    queue_positions: dict[int, int] = field(default_factory=dict)
    #: Bookings whose certificate waits for the evaluation their course asks for first.
    certificates_waiting: set[int] = field(default_factory=set)


def queue_position():
    """Where a waiting booking stands in its session's queue: first come, first served."""
    ahead = aliased(Booking)
    return (
        select(func.count(ahead.id) + 1)
        .where(
            ahead.session_id == Booking.session_id,
            ahead.status == BookingStatus.WAITING,
            or_(
                ahead.created_at < Booking.created_at,
                and_(ahead.created_at == Booking.created_at, ahead.id < Booking.id),
            ),
        )
        .correlate(Booking)
        .scalar_subquery()
    )


def bookings_of(db_session: Session, user: User, now: datetime) -> PersonsBookings:
    """Every booking of one person, upcoming (with queue places), past and cancelled."""
    query = (
        select(Booking, queue_position())
        .join(Booking.session)
        .where(Booking.user_id == user.id)
        .options(
            joinedload(Booking.session)
            .joinedload(CourseSession.course)
            .load_only(Course.slug, Course.title, Course.certificate_after_evaluation),
            joinedload(Booking.session).joinedload(CourseSession.venue),
        )
        .order_by(CourseSession.starts_at, Booking.id)
    )
    found = PersonsBookings()
    for booking, position in db_session.execute(query):
        if not booking.is_active:
            found.cancelled.append(booking)
        elif booking.session.starts_at <= now:
            found.past.append(booking)
        else:
            found.upcoming.append(booking)
            if booking.status is BookingStatus.WAITING:
                found.queue_positions[booking.id] = position
    found.past.reverse()
    found.certificates_waiting = certificates_waiting(db_session, found.past)
    return found


def certificates_waiting(db_session: Session, bookings: list[Booking]) -> set[int]:
    """Of these bookings, those whose certificate waits for their evaluation: asked only
    when some course asks for the evaluation first."""
    asking = [
        booking.id
        for booking in bookings
        if booking.earns_certificate and certificates.asks_for_evaluation(booking)
    ]
    if not asking:
        return set()
    evaluated = db_session.scalars(
        select(Evaluation.booking_id).where(Evaluation.booking_id.in_(asking))
    )
    return set(asking) - set(evaluated)


def get_own_booking(db_session: Session, booking_id: int, user: User) -> Booking | None:
    """A booking, only if it is this person's own."""
    return db_session.scalar(
        select(Booking)
        .where(Booking.id == booking_id, Booking.user_id == user.id)
        .options(
            joinedload(Booking.session).joinedload(CourseSession.course),
            joinedload(Booking.session).joinedload(CourseSession.venue),
        )
    )


def get_booking_for_decision(db_session: Session, booking_id: int) -> Booking | None:
    return db_session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .options(
            joinedload(Booking.user),
            joinedload(Booking.session).joinedload(CourseSession.course),
            joinedload(Booking.session).joinedload(CourseSession.venue),
        )
    )


def queue_position_of(db_session: Session, booking: Booking) -> int | None:
    if booking.status is not BookingStatus.WAITING:
        return None
    return db_session.scalar(
        select(queue_position()).select_from(Booking).where(Booking.id == booking.id)
    )


def waiting_counts(db_session: Session, session_ids: list[int]) -> dict[int, int]:
    """How many people wait for a place on each session, in one query."""
    if not session_ids:
        return {}
    rows = db_session.execute(
        select(Booking.session_id, func.count(Booking.id))
        .where(Booking.session_id.in_(session_ids), Booking.status == BookingStatus.WAITING)
        .group_by(Booking.session_id)
    )
    return dict(rows.tuples().all())
