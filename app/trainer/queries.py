"""What the trainer's screens read: each function issues a fixed number of SQL statements."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload, undefer

from app.bookings.queries import waiting_counts
from app.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    CourseSession,
    User,
    Venue,
    session_trainer,
)
from app.pagination import Pagination, page_of


@dataclass
class SessionList:
    """The sessions someone manages: all those to come, and one page of those gone by."""

    upcoming: list[CourseSession]
    past: Pagination
    #: How many people wait for a place, by session id; sessions nobody waits for are left out.
    waiting: dict[int, int]


@dataclass
class Register:
    """Who is coming to a session: people with places by name, then the waiting list in
    turn, after the people offered a place from it at the last minute."""

    places: list[Booking] = field(default_factory=list)
    #: Offered a place, held for them until they answer: not coming until they accept.
    offered: list[Booking] = field(default_factory=list)
    waiting: list[Booking] = field(default_factory=list)

    @property
    def confirmed(self) -> list[Booking]:
        return [booking for booking in self.places if booking.status is BookingStatus.CONFIRMED]


def managed_sessions_query(user: User) -> Select:
    """Coordinators manage every session; a trainer only the ones they are assigned to."""
    query = select(CourseSession).options(
        joinedload(CourseSession.course),
        joinedload(CourseSession.venue),
        selectinload(CourseSession.trainers),
        undefer(CourseSession.places_taken),
    )
    if not user.is_coordinator:
        query = query.join(session_trainer, session_trainer.c.session_id == CourseSession.id).where(
            session_trainer.c.user_id == user.id
        )
    return query


def sessions_managed_by(
    db_session: Session, user: User, now: datetime, page: int, per_page: int
) -> SessionList:
    """Sessions still to come (or under way), soonest first; then past ones, latest first."""
    query = managed_sessions_query(user)
    upcoming = list(
        db_session.scalars(
            query.where(CourseSession.ends_at > now).order_by(
                CourseSession.starts_at, CourseSession.id
            )
        )
    )
    past_sessions = query.where(CourseSession.ends_at <= now).order_by(
        CourseSession.starts_at.desc(), CourseSession.id.desc()
    )
    past = page_of(db_session, past_sessions, page, per_page)
    shown = [session.id for session in [*upcoming, *past.items]]
    return SessionList(upcoming=upcoming, past=past, waiting=waiting_counts(db_session, shown))


def get_session(db_session: Session, session_id: int) -> CourseSession | None:
    """A session with all its register page shows of it, published or not."""
    return db_session.scalar(
        select(CourseSession)
        .where(CourseSession.id == session_id)
        .options(
            joinedload(CourseSession.course),
            joinedload(CourseSession.venue),
            selectinload(CourseSession.trainers),
            undefer(CourseSession.places_taken),
        )
    )


def register_of(db_session: Session, session_id: int) -> Register:
    """Everyone with an active booking: the people and agencies, who marked them, and any
    charges raised against their booking."""
    bookings = db_session.scalars(
        select(Booking)
        .where(Booking.session_id == session_id, Booking.status.in_(ACTIVE_STATUSES))
        .options(
            joinedload(Booking.user).joinedload(User.agency),
            joinedload(Booking.attendance_marked_by),
            selectinload(Booking.charges),
        )
        # The waiting list's order is the one promote_from_waiting_list() gives places in.
        .order_by(Booking.created_at, Booking.id)
    ).all()
    register = Register()
    for booking in bookings:
        if booking.status is BookingStatus.WAITING:
            register.waiting.append(booking)
        elif booking.status is BookingStatus.OFFERED:
            register.offered.append(booking)
        else:
            register.places.append(booking)
    register.places.sort(key=lambda booking: (booking.user.name.casefold(), booking.id))
    return register


def venues(db_session: Session) -> list[Venue]:
    return list(db_session.scalars(select(Venue).order_by(Venue.name)))
