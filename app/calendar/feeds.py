"""What each calendar feed holds, read in a fixed number of queries whatever its size."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.calendar import ics
from app.calendar.events import (
    booking_event,
    person_changes,
    place_event,
    prodid,
    public_event,
)
from app.catalogue.queries import catalogue_fingerprint
from app.display import in_london
from app.extensions import cache
from app.models import (
    Booking,
    BookingStatus,
    Course,
    CourseSession,
    Prospectus,
    SessionStatus,
    User,
    session_trainer,
)
from app.models.people import new_calendar_token

#: Cancelled sessions stay in feeds this long, marked cancelled, so calendars drop them.
KEEP_CANCELLED = timedelta(days=30)
#: How far back a person's feed reaches, so their calendar keeps their recent training.
KEEP_PAST = timedelta(days=90)


@dataclass(frozen=True)
class Feed:
    body: bytes
    last_modified: datetime | None
    #: A digest of everything the feed shows: its ETag, and its key in the cache.
    digest: str


def built_feed(
    kind: str,
    sessions: list[CourseSession],
    make_events,
    name: str,
    extra: tuple = (),
) -> tuple[bytes, str]:
    """The feed's file, from the cache when nothing it shows has changed since it was built.

    Building 500 events takes icalendar a good part of a second; finding out whether
    anything changed takes the queries the feed needs anyway.
    """
    shown = [
        (
            session.id,
            session.sequence,
            session.status,
            session.online_join_url,
            details_changed(session),
        )
        for session in sessions
    ]
    state = repr((kind, name, current_app.config["BASE_URL"], extra, shown))
    digest = hashlib.sha256(state.encode()).hexdigest()[:32]
    body = cache.get(f"feed:{digest}")
    if body is None:
        body = ics.feed(make_events(), name, prodid())
        cache.set(f"feed:{digest}", body)
    return body, digest


def replace_token(db_session: Session, person: User) -> str:
    """A new feed address; the old one stops answering at once."""
    person.calendar_token = new_calendar_token()
    db_session.flush()
    return person.calendar_token


def person_by_token(db_session: Session, token: str) -> User | None:
    return db_session.scalar(select(User).where(User.calendar_token == token, User.active))


def in_feed(now: datetime):
    """Sessions a feed shows: scheduled and not long past, or cancelled in the last 30 days."""
    return or_(
        (CourseSession.status == SessionStatus.SCHEDULED)
        & (CourseSession.ends_at > now - KEEP_PAST),
        (CourseSession.status == SessionStatus.CANCELLED)
        & (CourseSession.cancelled_at > now - KEEP_CANCELLED),
    )


def session_details():
    return (
        joinedload(CourseSession.course),
        joinedload(CourseSession.venue),
    )


def person_feed(db_session: Session, person: User, now: datetime) -> Feed:
    """Every session the person holds a confirmed place on, and every one they deliver."""
    places = db_session.scalars(
        select(CourseSession)
        .join(Booking, Booking.session_id == CourseSession.id)
        .where(
            Booking.user_id == person.id,
            Booking.status == BookingStatus.CONFIRMED,
            in_feed(now),
        )
        .options(*session_details())
    ).all()
    delivering = db_session.scalars(
        select(CourseSession)
        .join(session_trainer, session_trainer.c.session_id == CourseSession.id)
        .where(session_trainer.c.user_id == person.id, in_feed(now))
        .options(*session_details())
    ).all()
    sessions = {session.id: session for session in [*places, *delivering]}
    changes = person_changes(db_session, person.id, list(sessions))
    ordered = sorted(sessions.values(), key=lambda session: (session.starts_at, session.id))
    body, digest = built_feed(
        "person",
        ordered,
        lambda: [
            place_event(session, person, changes.get(session.id, 0), stamp=session.updated_at)
            for session in ordered
        ],
        f"Safeguarding training: {person.name}",
        extra=(person.id, person.email, tuple(sorted(changes.items()))),
    )
    # A booking cancelled takes its event out, so the person's bookings count too.
    bookings_changed = db_session.scalar(
        select(func.max(Booking.updated_at)).where(Booking.user_id == person.id)
    )
    moments = [bookings_changed, *map(details_changed, ordered)]
    return Feed(body=body, last_modified=latest(moments), digest=digest)


def prospectus_feed(db_session: Session, prospectus: Prospectus, now: datetime) -> Feed:
    """The prospectus's published sessions to come, with no personal data; kept, as the
    printed prospectus and the public pages are, by the catalogue's version
    (app.catalogue.version) and the day, so asking costs one statement until the
    catalogue changes, a session starts or the day turns."""
    state = repr(
        (
            prospectus.id,
            current_app.config["BASE_URL"],
            in_london(now).date(),
            catalogue_fingerprint(db_session, now),
        )
    )
    digest = hashlib.sha256(state.encode()).hexdigest()[:32]
    kept = cache.get(f"prospectus-feed:{digest}")
    if kept is None:
        kept = build_prospectus_feed(db_session, prospectus, now)
        cache.set(f"prospectus-feed:{digest}", kept)
    return Feed(body=kept.body, last_modified=kept.last_modified, digest=digest)


def build_prospectus_feed(db_session: Session, prospectus: Prospectus, now: datetime) -> Feed:
    sessions = db_session.scalars(
        select(CourseSession)
        .join(CourseSession.course)
        .where(
            Course.prospectus_id == prospectus.id,
            Course.published.is_(True),
            CourseSession.published.is_(True),
            CourseSession.starts_at > now,
            in_feed(now),
        )
        .options(*session_details())
        .order_by(CourseSession.starts_at, CourseSession.id)
    ).all()
    body = ics.feed([public_event(session) for session in sessions], prospectus.title, prodid())
    # Unpublished or withdrawn sessions and courses leave the feed: their changes count too.
    changed = db_session.execute(
        select(func.max(CourseSession.updated_at), func.max(Course.updated_at))
        .select_from(CourseSession)
        .join(CourseSession.course)
        .where(Course.prospectus_id == prospectus.id)
    ).one()
    moments = [*changed, prospectus.updated_at, *map(details_changed, sessions)]
    return Feed(body=body, last_modified=latest(moments), digest="")


def details_changed(session: CourseSession) -> datetime:
    """When anything an event shows last changed: the session, its course or its venue."""
    venue = session.venue.updated_at if session.venue else session.updated_at
    return max(session.updated_at, session.course.updated_at, venue)


def latest(moments) -> datetime | None:
    return max((moment for moment in moments if moment is not None), default=None)


def booking_download(db_session: Session, booking: Booking) -> bytes:
    """One person's session as a file to open: the same event as the invite and the feed."""
    cancelled = booking.status is not BookingStatus.CONFIRMED
    event = booking_event(db_session, booking, booking.updated_at, cancelled=cancelled)
    return ics.feed([event], booking.session.course.title, prodid())
