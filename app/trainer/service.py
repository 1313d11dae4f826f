"""The rules of running a session: attendance, people who walk in, messages to everyone
booked, and changes of time, place, capacity or status.

Changes to bookings take the session's lock first, through app/bookings/service.py,
whose rules (capacity, the waiting list, the mail each change sends) these reuse rather
than repeat. Functions take plain values and the acting person, flush, and leave the
commit to their caller.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.roles import checked_email
from app.accounts.service import AccountError, Details, choose_agency, find_by_email
from app.bookings import service as bookings
from app.bookings.service import BookingError
from app.display import clock_time, long_date, short_date
from app.mail import queue_mail
from app.models import (
    ACTIVE_STATUSES,
    Attendance,
    Booking,
    BookingStatus,
    CourseSession,
    User,
    Venue,
)

#: After this long from a session's end its attendance marks are kept as they are, so
#: reports to the partnership board stay put; coordinators can still correct them.
MARKS_LOCK_AFTER = timedelta(days=30)

WALKED_IN_FROM = {
    BookingStatus.WAITING: "walked in from the waiting list",
    BookingStatus.AWAITING_APPROVAL: "walked in while waiting for approval",
}


class TrainerError(BookingError):
    """A rule of running a session was broken; the message says why, in words for the person.

    `field` names the form field the message belongs beside, when there is one;
    `problems` has every field's message when more than one thing was wrong.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.problems = {field: message}

    @classmethod
    def at_fields(cls, problems: dict[str, str]) -> "TrainerError":
        field, message = next(iter(problems.items()))
        error = cls(message, field)
        error.problems = dict(problems)
        return error


@dataclass(frozen=True)
class WalkIn:
    """Someone who turned up without a place: an email address is enough when they have an
    account; otherwise their name and agency make one."""

    email: str
    name: str = ""
    job_title: str = ""
    agency_id: int | None = None
    new_agency_name: str = ""


def existing_session(db_session: Session, session_id: int) -> CourseSession:
    session = db_session.get(CourseSession, session_id)
    if session is None:
        raise TrainerError("There is no such session")
    return session


# Attendance


def marks_lock_at(session: CourseSession) -> datetime:
    return session.ends_at + MARKS_LOCK_AFTER


def attendance_refusal(session: CourseSession, actor: User, now: datetime) -> str | None:
    """Why this person cannot mark attendance (or add a walk-in) now; None when they can."""
    if session.is_cancelled:
        return "This session was cancelled, so there is no attendance to mark"
    if not session.has_started(now):
        return (
            "You can mark attendance from the start of the session, at "
            f"{clock_time(session.starts_at)} on {long_date(session.starts_at)}"
        )
    if now >= marks_lock_at(session) and not actor.is_coordinator:
        return (
            f"Attendance was locked on {short_date(marks_lock_at(session))}, 30 days after "
            "the session. Ask a coordinator if a mark needs to change"
        )
    return None


def check_attendance_open(session: CourseSession, actor: User, now: datetime) -> None:
    if refusal := attendance_refusal(session, actor, now):
        raise TrainerError(refusal)


def give_mark(booking: Booking, attendance: Attendance, actor: User, now: datetime) -> None:
    # Pressing the mark a person already has changes nothing, so who gave it stays recorded.
    if booking.attendance is attendance:
        return
    booking.attendance = attendance
    booking.attendance_marked_at = now
    booking.attendance_marked_by = actor


def mark_attendance(
    db_session: Session,
    session_id: int,
    booking_id: int,
    attendance: Attendance,
    actor: User,
    now: datetime,
) -> Booking:
    """Mark, or change the mark of, one person with a confirmed place (walk-ins included)."""
    session = bookings.lock_session(db_session, session_id)
    check_attendance_open(session, actor, now)
    booking = db_session.get(Booking, booking_id, populate_existing=True)
    if booking is None or booking.session_id != session.id:
        raise TrainerError("That person is not on this session's register")
    if booking.status is not BookingStatus.CONFIRMED:
        raise TrainerError(
            f"Only people with a confirmed place can be marked, and {booking.user.name} "
            "does not have one"
        )
    give_mark(booking, attendance, actor, now)
    db_session.flush()
    return booking


def mark_everyone_attended(
    db_session: Session, session_id: int, actor: User, now: datetime
) -> list[Booking]:
    """Mark attended everyone with a confirmed place who has no mark yet.

    Marks already given are kept: a trainer who marked someone "did not attend" and then
    presses the button for the rest must not lose that mark. Returns those marked.
    """
    session = bookings.lock_session(db_session, session_id)
    check_attendance_open(session, actor, now)
    unmarked = db_session.scalars(
        select(Booking).where(
            Booking.session_id == session.id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.attendance.is_(None),
        )
    ).all()
    for booking in unmarked:
        give_mark(booking, Attendance.ATTENDED, actor, now)
    db_session.flush()
    return list(unmarked)


# People who turn up without a place


def add_walk_in(
    db_session: Session, session_id: int, walk_in: WalkIn, actor: User, now: datetime
) -> Booking:
    """Put someone who turned up on the register, marked attended; they take no place.

    Someone waiting, or waiting for their manager's approval, has that booking changed
    (a person has one active booking per session); someone with a place is refused.
    """
    session = bookings.lock_session(db_session, session_id)
    check_attendance_open(session, actor, now)
    try:
        email = checked_email(walk_in.email)
    except AccountError as error:
        raise TrainerError(str(error), field="email") from None
    person = find_by_email(db_session, email) or new_account(db_session, walk_in, email)
    booking = bookings.active_booking(db_session, session.id, person) if person.id else None
    if booking is not None and booking.status is BookingStatus.CONFIRMED:
        raise TrainerError(
            f"{person.name} already has a place on this session: mark their attendance "
            "on the register instead",
            field="email",
        )
    if booking is None:
        booking = Booking(session=session, user=person)
        reason = "walked in"
    else:
        reason = WALKED_IN_FROM[booking.status]
    bookings.record(db_session, booking, BookingStatus.CONFIRMED, now, reason, actor=actor)
    booking.walk_in = True
    give_mark(booking, Attendance.ATTENDED, actor, now)
    db_session.flush()
    return booking


def new_account(db_session: Session, walk_in: WalkIn, email: str) -> User:
    """An account with no password: its owner can set one with "Forgotten your password?"
    on the sign-in page, whose mailed link also confirms the address."""
    name = " ".join(walk_in.name.split())
    problems = {}
    if not name:
        problems["name"] = "No account uses that email address: enter the person's full name"
    if walk_in.agency_id is None and not walk_in.new_agency_name.strip():
        problems["agency"] = (
            "Choose their agency, or choose \u201cTheir agency is not listed\u201d and enter "
            "its name"
        )
    if problems:
        raise TrainerError.at_fields(problems)
    details = Details(
        name=name,
        email=email,
        job_title=walk_in.job_title,
        agency_id=walk_in.agency_id,
        new_agency_name=walk_in.new_agency_name,
        line_manager_name="",
        line_manager_email="",
    )
    try:
        agency = choose_agency(db_session, details)
    except AccountError:
        raise TrainerError("Choose their agency from the list", field="agency") from None
    person = User(email=email, name=name, job_title=walk_in.job_title.strip(), agency=agency)
    db_session.add(person)
    return person


# Telling everyone booked


def email_everyone_booked(
    db_session: Session, session_id: int, subject: str, message: str, sender: User
) -> list[User]:
    """Mail each person with a confirmed place, one message each, through the outbox.

    Returns the people written to.
    """
    subject = " ".join(subject.split())
    message = message.strip()
    if not subject:
        raise TrainerError("Enter a subject", field="subject")
    if not message:
        raise TrainerError("Enter a message", field="message")
    session = existing_session(db_session, session_id)
    confirmed = bookings.confirmed_bookings(db_session, session_id)
    if not confirmed:
        raise TrainerError(
            "Nobody has a confirmed place on this session yet, so there is nobody to email"
        )
    for booking in confirmed:
        queue_mail(
            db_session,
            booking.user.email,
            subject,
            "trainer/message",
            person=booking.user,
            session=session,
            message=message,
            sender=sender,
        )
    return [booking.user for booking in confirmed]


# Changing or cancelling the session


def change_refusal(session: CourseSession, now: datetime) -> str | None:
    """Why the session's time, place, capacity or status can no longer change; None if it can."""
    if session.is_cancelled:
        return "This session has been cancelled, so it can no longer be changed"
    if session.has_started(now):
        return "This session has started, so it can no longer be changed"
    return None


def check_changeable(session: CourseSession, now: datetime) -> None:
    if refusal := change_refusal(session, now):
        raise TrainerError(refusal)


def move_session(
    db_session: Session,
    session_id: int,
    starts_at: datetime,
    ends_at: datetime,
    venue_id: int | None,
    now: datetime,
) -> bool:
    """Change the time or venue; everyone booked or waiting is told, and those with a place
    are sent the updated calendar invite.

    `venue_id` None moves the session online, which needs its joining link. Returns
    whether anything changed.
    """
    session = existing_session(db_session, session_id)
    check_changeable(session, now)
    if starts_at <= now:
        raise TrainerError("The new start must be in the future", field="day")
    if ends_at <= starts_at:
        raise TrainerError("The end time must be after the start time", field="ends")
    if venue_id is None and not session.online_join_url:
        raise TrainerError(
            "This session has no joining link, so it cannot be moved online here. "
            "Ask a coordinator to add one",
            field="venue",
        )
    if venue_id is not None and db_session.get(Venue, venue_id) is None:
        raise TrainerError("Choose a venue from the list", field="venue")
    sequence = session.sequence
    moved = bookings.reschedule_session(db_session, session_id, starts_at, ends_at, venue_id, now)
    return moved.sequence != sequence


def change_capacity(
    db_session: Session, session_id: int, capacity: int, actor: User, now: datetime
) -> int:
    """Change the number of places; returns how many people waiting were offered one.

    Raising it offers places to the people waiting, in turn (bookings.change_capacity);
    lowering it below the places taken is refused there.
    """
    session = existing_session(db_session, session_id)
    check_changeable(session, now)
    if capacity < 0:
        raise TrainerError("The number of places must be 0 or more", field="capacity")
    try:
        return len(bookings.change_capacity(db_session, session_id, capacity, actor, now))
    except bookings.TryAgain:
        raise
    except BookingError as error:
        raise TrainerError(str(error), field="capacity") from None


def cancel_session(db_session: Session, session_id: int, reason: str, now: datetime) -> int:
    """Cancel the session; returns how many people booked or waiting were told.

    bookings.cancel_session mails each of them, with a calendar cancellation for a place.
    """
    reason = reason.strip()
    if not reason:
        raise TrainerError("Enter the reason for cancelling", field="reason")
    session = existing_session(db_session, session_id)
    check_changeable(session, now)
    bookings.cancel_session(db_session, session_id, reason, now)
    return db_session.scalar(
        select(func.count(Booking.id)).where(
            Booking.session_id == session_id, Booking.status.in_(ACTIVE_STATUSES)
        )
    )
