"""The rules of sessions as the coordinator plans them: times, place, places, trainers,
booking window and cut-off; drafts kept from the public; no deleting what was booked.

Moving a session, changing its places and cancelling it, which people booked are told
of, are the session service's (app/sessions/service.py), shared with the trainer's
screens; so are the limits that planning and changing have in common.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload, undefer

from app.interest import service as interest
from app.models import (
    Booking,
    Course,
    CourseSession,
    Role,
    User,
    Venue,
)
from app.notices import Done
from app.pagination import Pagination, page_of
from app.refusals import Refused
from app.sessions.service import (
    SessionTimes,
    check_booking_window,
    check_capacity,
    check_times,
)

#: Thirty days: a cut-off longer than that would make nearly every cancellation late.
MAX_CUTOFF_HOURS = 720
DEFAULT_CUTOFF_HOURS = 72


@dataclass(frozen=True)
class SessionDetails:
    """What can change without anyone booked being told."""

    trainer_ids: tuple[int, ...]
    online_join_url: str
    booking_opens_at: datetime | None
    booking_closes_at: datetime | None
    cancellation_cutoff_hours: int


# Reading


def listed(query: Select) -> Select:
    """Everything a list of sessions shows, loaded with it rather than row by row."""
    return query.join(CourseSession.course).options(
        contains_eager(CourseSession.course),
        joinedload(CourseSession.venue),
        selectinload(CourseSession.trainers),
        undefer(CourseSession.places_taken),
    )


def session_page(
    db_session: Session, now: datetime, past: bool, page: int, per_page: int
) -> Pagination:
    """Sessions still to run (soonest first), or those that have ended (latest first)."""
    query = listed(select(CourseSession))
    if past:
        query = query.where(CourseSession.ends_at <= now).order_by(
            CourseSession.starts_at.desc(), CourseSession.id.desc()
        )
    else:
        query = query.where(CourseSession.ends_at > now).order_by(
            CourseSession.starts_at, CourseSession.id
        )
    return page_of(db_session, query, page, per_page)


def sessions_of(db_session: Session, course: Course) -> list[CourseSession]:
    query = listed(select(CourseSession)).where(CourseSession.course_id == course.id)
    return list(db_session.scalars(query.order_by(CourseSession.starts_at, CourseSession.id)))


def booking_counts(db_session: Session, session: CourseSession) -> Counter:
    """The session's bookings by status, people who walked in counted apart."""
    rows = db_session.execute(
        select(Booking.status, Booking.walk_in, func.count(Booking.id))
        .where(Booking.session_id == session.id)
        .group_by(Booking.status, Booking.walk_in)
    )
    counts: Counter = Counter()
    for status, walk_in, count in rows:
        counts["walk-in" if walk_in else status] += count
    return counts


def get_session(db_session: Session, session_id: int) -> CourseSession | None:
    return db_session.scalar(
        select(CourseSession)
        .where(CourseSession.id == session_id)
        .options(
            joinedload(CourseSession.course).joinedload(Course.prospectus),
            joinedload(CourseSession.venue),
            selectinload(CourseSession.trainers),
            undefer(CourseSession.places_taken),
        )
    )


def venue_choices(db_session: Session) -> list[Venue]:
    return list(db_session.scalars(select(Venue).order_by(Venue.name)))


def trainer_choices(db_session: Session, session: CourseSession | None = None) -> list[User]:
    """Active trainers and coordinators, and whoever already delivers the session."""
    people = db_session.scalars(
        select(User)
        .where(User.role.in_((Role.TRAINER, Role.COORDINATOR)), User.active.is_(True))
        .order_by(User.name, User.id)
    ).all()
    current = list(session.trainers) if session is not None else []
    return sorted({*people, *current}, key=lambda person: (person.name, person.id))


# Planning


def create_session(
    db_session: Session,
    course: Course,
    times: SessionTimes,
    capacity: int,
    details: SessionDetails,
    now: datetime,
) -> CourseSession:
    """A new session starts as a draft; every rule is checked before anything is added."""
    if course.is_elsewhere:
        raise Refused(
            f"{course.title} is e-learning hosted elsewhere, so it has no sessions. "
            "Change how it is delivered first"
        )
    check_times(db_session, times)
    if times.starts_at <= now:
        raise Refused("The session must start in the future", field="date")
    check_capacity(capacity)
    trainers = checked_trainers(db_session, None, times.starts_at, details)
    session = CourseSession(
        course=course,
        starts_at=times.starts_at,
        ends_at=times.ends_at,
        venue_id=times.venue_id,
        capacity=capacity,
        published=False,
    )
    db_session.add(session)
    assign_details(session, trainers, details)
    db_session.flush()
    return session


def update_details(db_session: Session, session: CourseSession, details: SessionDetails) -> None:
    trainers = checked_trainers(db_session, session, session.starts_at, details)
    assign_details(session, trainers, details)
    db_session.flush()


def checked_trainers(
    db_session: Session,
    session: CourseSession | None,
    starts_at: datetime,
    details: SessionDetails,
) -> list[User]:
    """The trainers chosen, once every rule of the details is met."""
    trainers = chosen_trainers(db_session, session, details.trainer_ids)
    link = details.online_join_url.strip()
    if link:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Refused(
                "Enter the joining link in full, starting with https://", field="online_join_url"
            )
    check_booking_window(details.booking_opens_at, details.booking_closes_at, starts_at)
    if not 0 <= details.cancellation_cutoff_hours <= MAX_CUTOFF_HOURS:
        raise Refused(
            f"The cancellation cut-off must be between 0 and {MAX_CUTOFF_HOURS} hours",
            field="cutoff_hours",
        )
    return trainers


def assign_details(session: CourseSession, trainers: list[User], details: SessionDetails) -> None:
    session.trainers = trainers
    session.online_join_url = details.online_join_url.strip() or None
    session.booking_opens_at = details.booking_opens_at
    session.booking_closes_at = details.booking_closes_at
    session.cancellation_cutoff_hours = details.cancellation_cutoff_hours


def chosen_trainers(
    db_session: Session, session: CourseSession | None, trainer_ids: tuple[int, ...]
) -> list[User]:
    """Trainers and coordinators, or people already delivering it who no longer are."""
    allowed = {person.id: person for person in trainer_choices(db_session, session)}
    if any(trainer_id not in allowed for trainer_id in trainer_ids):
        raise Refused(
            "Choose trainers from the list: only trainers and coordinators deliver sessions",
            field="trainers",
        )
    return [allowed[trainer_id] for trainer_id in dict.fromkeys(trainer_ids)]


# Publishing and deleting


def publish(db_session: Session, session: CourseSession, now: datetime) -> Done[int]:
    """Public once its course and prospectus are published too; once it is, the people on
    the course's interest list are told of it. How many were told."""
    session.published = True
    db_session.flush()
    return interest.told(interest.tell_the_interested(db_session, session, now))


def unpublish(db_session: Session, session: CourseSession) -> None:
    """It leaves the catalogue, its PDF and its feed; bookings already made stand."""
    session.published = False
    db_session.flush()


def delete_session(db_session: Session, session: CourseSession) -> None:
    """Only a draft nobody has booked, cancelled bookings included: each is a record."""
    if session.published:
        raise Refused("This session is published. Unpublish it first, then delete it")
    booked = db_session.scalar(
        select(func.count(Booking.id)).where(Booking.session_id == session.id)
    )
    if booked:
        bookings_made = "1 booking" if booked == 1 else f"{booked} bookings"
        raise Refused(
            f"This session cannot be deleted: it has {bookings_made}. "
            "Cancel it instead, so that everyone booked is told"
        )
    interest.forget_session(db_session, session.id)
    db_session.delete(session)
    db_session.flush()
