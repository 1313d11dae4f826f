"""The rules of managing people: finding them, their roles, and closing their accounts."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.bookings import service as bookings
from app.catalogue.queries import bookable_session, visible_course
from app.models import (
    Booking,
    Course,
    CourseSession,
    Role,
    SessionStatus,
    User,
    session_trainer,
)
from app.notices import Done
from app.pagination import Pagination, page_of
from app.refusals import Refused

PER_PAGE = 50


class PeopleError(Refused):
    """A rule was broken; the message says why, in words for the coordinator."""


@dataclass(frozen=True)
class Search:
    text: str = ""
    role: Role | None = None


def find_people(db_session: Session, search: Search, page: int) -> Pagination:
    """People whose name or email contains the text, by name, a page at a time."""
    query = select(User).options(joinedload(User.agency)).order_by(User.name, User.id)
    if words := search.text.strip().lower():
        pattern = f"%{words}%"
        query = query.where(or_(func.lower(User.name).like(pattern), User.email.like(pattern)))
    if search.role is not None:
        query = query.where(User.role == search.role)
    return page_of(db_session, query, page, PER_PAGE)


def get_person(db_session: Session, user_id: int) -> User | None:
    return db_session.scalar(
        select(User).options(joinedload(User.agency)).where(User.id == user_id)
    )


def bookings_of(db_session: Session, user: User) -> list[Booking]:
    """Everything the person booked, newest session first, with what the register says."""
    return list(
        db_session.scalars(
            select(Booking)
            .join(Booking.session)
            .options(
                joinedload(Booking.session).joinedload(CourseSession.course),
                joinedload(Booking.session).joinedload(CourseSession.venue),
            )
            .where(Booking.user_id == user.id)
            .order_by(CourseSession.starts_at.desc(), Booking.id.desc())
        )
    )


def coordinators_left_without(db_session: Session, user: User) -> int:
    return db_session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.COORDINATOR, User.active.is_(True), User.id != user.id
        )
    )


def sessions_still_to_deliver(db_session: Session, user: User, now: datetime) -> int:
    return db_session.scalar(
        select(func.count(CourseSession.id))
        .join(session_trainer, session_trainer.c.session_id == CourseSession.id)
        .where(
            session_trainer.c.user_id == user.id,
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.starts_at > now,
        )
    )


def check_not_last_coordinator(db_session: Session, user: User) -> None:
    """The partnership always keeps an active coordinator, so nobody is locked out."""
    if user.is_coordinator and not coordinators_left_without(db_session, user):
        raise PeopleError(f"{user.name} is the only coordinator: make someone else one first")


def check_delivers_nothing_to_come(db_session: Session, user: User, now: datetime) -> None:
    """No session still to come is left with a trainer who cannot see its register."""
    if delivering := sessions_still_to_deliver(db_session, user, now):
        sessions = "session" if delivering == 1 else "sessions"
        raise PeopleError(
            f"{user.name} is a trainer of {delivering} {sessions} still to come: "
            "give them other trainers first"
        )


def change_role(db_session: Session, user: User, role: Role, now: datetime) -> None:
    if user.role is role:
        return
    check_not_last_coordinator(db_session, user)
    if role is Role.PROFESSIONAL:
        check_delivers_nothing_to_come(db_session, user, now)
    user.role = role


def deactivate(
    db_session: Session,
    user: User,
    actor: User,
    now: datetime,
    last_minute: bookings.LastMinute = bookings.USUAL_LAST_MINUTE,
) -> Done[int]:
    """Close the account: it is signed out everywhere and can no longer sign in.

    Its places on sessions still to come are cancelled first, in the same transaction,
    so they go to people waiting (offered to them at the last minute): each session is
    locked in turn, in the order of their ids. Returns how many bookings were cancelled.
    """
    if user.id == actor.id:
        raise PeopleError("You cannot deactivate your own account")
    if not user.active:
        return Done(0)
    check_not_last_coordinator(db_session, user)
    check_delivers_nothing_to_come(db_session, user, now)
    cancelled = bookings.cancel_places_to_come(
        db_session, user, actor, now, "account deactivated", last_minute
    )
    user.active = False
    user.session_version += 1
    return cancelled


def reactivate(user: User) -> None:
    user.active = True


def sessions_open_for_booking(db_session: Session, now: datetime) -> list[CourseSession]:
    """The public sessions booking is open for now, by course and date, for a coordinator
    to book someone onto."""
    return list(
        db_session.scalars(
            select(CourseSession)
            .join(CourseSession.course)
            .join(Course.prospectus)
            .where(
                *bookable_session(now),
                *visible_course(),
                or_(
                    CourseSession.booking_opens_at.is_(None), CourseSession.booking_opens_at <= now
                ),
                or_(
                    CourseSession.booking_closes_at.is_(None),
                    CourseSession.booking_closes_at > now,
                ),
            )
            .options(joinedload(CourseSession.course))
            .order_by(Course.title, CourseSession.starts_at, CourseSession.id)
        )
    )
