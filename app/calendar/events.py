"""Sessions and bookings as calendar events: the one place their UIDs and texts are made."""

from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.calendar.ics import CalendarEvent
from app.links import absolute_url
from app.models import Booking, BookingEvent, CourseSession, utcnow


def prodid() -> str:
    return f"-//{current_app.config['PARTNERSHIP_NAME']}//{current_app.config['SERVICE_NAME']}//EN"


def place_uid(session: CourseSession, person_id: int) -> str:
    """One UID for one person's place on one session: mailed invites, downloads and feeds
    all carry it, so a calendar updates the event instead of adding another."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname
    return f"session-{session.id}-person-{person_id}@{host}"


def place_sequence(db_session: Session, booking: Booking) -> int:
    """Rises with every change to the session and to this person's bookings of it."""
    changes = db_session.scalar(
        select(func.count(BookingEvent.id))
        .join(BookingEvent.booking)
        .where(Booking.session_id == booking.session_id, Booking.user_id == booking.user_id)
    )
    return booking.session.sequence + changes


def location(session: CourseSession) -> str:
    if session.is_online:
        return "Online"
    venue = session.venue
    return ", ".join([venue.name, *venue.address_lines, venue.postcode])


def description(session: CourseSession) -> str:
    url = absolute_url("catalogue.session", session_id=session.id)
    return f"{session.course.summary}\n\nDetails: {url}"


def place_event(db_session: Session, booking: Booking, cancelled: bool = False) -> CalendarEvent:
    session = booking.session
    organizer_name, organizer_email = parseaddr(current_app.config["MAIL_FROM"])
    return CalendarEvent(
        uid=place_uid(session, booking.user_id),
        sequence=place_sequence(db_session, booking),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=session.course.title,
        location=location(session),
        description=description(session),
        url=absolute_url("catalogue.session", session_id=session.id),
        organizer_email=organizer_email,
        organizer_name=organizer_name or current_app.config["PARTNERSHIP_NAME"],
        status="CANCELLED" if cancelled else "CONFIRMED",
        attendee_email=booking.user.email,
        attendee_name=booking.user.name,
        stamp=utcnow(),
    )
