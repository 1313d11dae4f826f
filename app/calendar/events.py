"""Sessions and bookings as calendar events: the one place their UIDs and texts are made."""

from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.calendar.ics import CalendarEvent
from app.links import absolute_url
from app.models import Booking, BookingEvent, CourseSession, User


def prodid() -> str:
    return f"-//{current_app.config['PARTNERSHIP_NAME']}//{current_app.config['SERVICE_NAME']}//EN"


def host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname


def place_uid(session: CourseSession, person_id: int) -> str:
    """One UID for one person's place on one session: mailed invites, downloads and feeds
    all carry it, so a calendar updates the event instead of adding another."""
    return f"session-{session.id}-person-{person_id}@{host()}"


def person_changes(db_session: Session, person_id: int, session_ids: list[int]) -> dict[int, int]:
    """How many times each of these sessions' bookings by this person changed state."""
    if not session_ids:
        return {}
    rows = db_session.execute(
        select(Booking.session_id, func.count(BookingEvent.id))
        .join(BookingEvent.booking)
        .where(Booking.user_id == person_id, Booking.session_id.in_(session_ids))
        .group_by(Booking.session_id)
    )
    return dict(rows.tuples().all())


def location(session: CourseSession) -> str:
    if session.is_online:
        return "Online"
    venue = session.venue
    return ", ".join([venue.name, *venue.address_lines, venue.postcode])


def description(session: CourseSession, with_joining_link: bool) -> str:
    """The summary, what to bring, the session page and, for a place-holder, the joining link."""
    course = session.course
    parts = [course.summary]
    if course.what_to_bring:
        parts.append(f"What to bring: {course.what_to_bring}")
    if with_joining_link and session.is_online and session.online_join_url:
        parts.append(f"Join online: {session.online_join_url}")
    parts.append(f"Details: {absolute_url('catalogue.session', session_id=session.id)}")
    return "\n\n".join(parts)


def organizer() -> tuple[str, str]:
    name, email = parseaddr(current_app.config["MAIL_FROM"])
    return name or current_app.config["PARTNERSHIP_NAME"], email


def session_event(
    session: CourseSession,
    uid: str,
    sequence: int,
    stamp: datetime,
    cancelled: bool,
    attendee: User | None = None,
) -> CalendarEvent:
    organizer_name, organizer_email = organizer()
    return CalendarEvent(
        uid=uid,
        sequence=sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=session.course.title,
        location=location(session),
        description=description(session, with_joining_link=attendee is not None),
        url=absolute_url("catalogue.session", session_id=session.id),
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        status="CANCELLED" if cancelled or session.is_cancelled else "CONFIRMED",
        attendee_email=attendee.email if attendee else None,
        attendee_name=attendee.name if attendee else "",
        stamp=stamp,
    )


def place_event(
    session: CourseSession, person: User, changes: int, stamp: datetime, cancelled: bool = False
) -> CalendarEvent:
    """A person's place (or a trainer's session) as it appears in their own calendar."""
    return session_event(
        session,
        uid=place_uid(session, person.id),
        sequence=session.sequence + changes,
        stamp=stamp,
        cancelled=cancelled,
        attendee=person,
    )


#: person_changes() for one session; built once, as every booking's invite needs it.
PLACE_CHANGES = (
    select(func.count(BookingEvent.id))
    .join(BookingEvent.booking)
    .where(Booking.user_id == bindparam("person_id"), Booking.session_id == bindparam("session_id"))
)


def booking_event(
    db_session: Session, booking: Booking, stamp: datetime, cancelled: bool = False
) -> CalendarEvent:
    changes = db_session.scalar(
        PLACE_CHANGES, {"person_id": booking.user_id, "session_id": booking.session_id}
    )
    return place_event(booking.session, booking.user, changes, stamp, cancelled)


def public_event(session: CourseSession) -> CalendarEvent:
    """A session in the prospectus's public feed: no attendee, no joining link."""
    return session_event(
        session,
        uid=f"session-{session.id}@{host()}",
        sequence=session.sequence,
        stamp=session.updated_at,
        cancelled=False,
    )
