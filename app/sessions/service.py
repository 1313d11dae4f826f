"""The rules of changing a session once it is planned: moving it, its places, cancelling
it, and its register (attendance and people who walk in), with one set of limits for
trainers and coordinators alike.

Each change takes the session's lock first (app/bookings/service.py), whose rules of
places and the waiting list it reuses, flushes, leaves the commit to its caller and
returns what it did with the notices to send. Refusals name the fields of the
coordinator's session forms (`date`, `start_time`, `end_time`, `venue`, `capacity`,
`reason`); other forms map them to their own (app.forms.show_refusal).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.accounts.roles import checked_email
from app.accounts.service import Details, choose_agency, find_by_email
from app.bookings import service as bookings
from app.bookings.sectors import allocation_of, held_until, sector_words
from app.certificates import service as certificates
from app.charges import service as charges
from app.charges.service import USUAL_RATES, ChargeRates
from app.display import clock_time, long_date, short_date
from app.models import (
    MAX_CAPACITY,
    Attendance,
    Booking,
    BookingStatus,
    CourseSession,
    Sector,
    SectorPlaces,
    SessionStatus,
    User,
    Venue,
    holds_a_place,
)
from app.notices import Done, Notice, NoticeKind
from app.refusals import Refused

#: After this long from a session's end its attendance marks are kept as they are, so
#: reports to the partnership board stay put; coordinators can still correct them.
MARKS_LOCK_AFTER = timedelta(days=30)

WALKED_IN_FROM = {
    BookingStatus.WAITING: "walked in from the waiting list",
    BookingStatus.AWAITING_APPROVAL: "walked in while waiting for approval",
    BookingStatus.AWAITING_COORDINATOR: "walked in while waiting for a coordinator",
    BookingStatus.OFFERED: "walked in while offered a place",
}


@dataclass(frozen=True)
class SessionTimes:
    starts_at: datetime
    ends_at: datetime
    #: None: online.
    venue_id: int | None


# Limits shared by planning a session and changing it


def check_times(db_session: Session, times: SessionTimes) -> None:
    if times.ends_at <= times.starts_at:
        raise Refused("The session must end after it starts", field="end_time")
    if times.venue_id is not None and db_session.get(Venue, times.venue_id) is None:
        raise Refused("Choose a venue from the list, or online", field="venue")


def check_capacity(capacity: int) -> None:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise Refused(
            f"The number of places must be between 1 and {MAX_CAPACITY}", field="capacity"
        )


def check_booking_window(
    opens_at: datetime | None, closes_at: datetime | None, starts_at: datetime
) -> None:
    """Booking opens before it closes, and closes by the start at the latest."""
    if closes_at is not None and closes_at > starts_at:
        raise Refused(
            "Booking must close by the time the session starts, "
            f"{clock_time(starts_at)} on {long_date(starts_at)}",
            field="closes_date",
        )
    if opens_at is not None and opens_at >= (closes_at or starts_at):
        before = "it closes" if closes_at is not None else "the session starts"
        raise Refused(f"Booking must open before {before}", field="opens_date")


# Whether it can change


def change_refusal(session: CourseSession, now: datetime) -> str | None:
    """Why the session's time, place, places or status can no longer change; None if it can."""
    if session.is_cancelled:
        return "This session has been cancelled, so it can no longer be changed"
    if session.has_started(now):
        return "This session has started, so it can no longer be changed"
    return None


def changeable_session(db_session: Session, session_id: int, now: datetime) -> CourseSession:
    """The session, under its lock, once it is known that it can still change."""
    session = locked_session(db_session, session_id)
    if refusal := change_refusal(session, now):
        raise Refused(refusal)
    return session


def locked_session(db_session: Session, session_id: int) -> CourseSession:
    try:
        return bookings.lock_session(db_session, session_id)
    except bookings.NotOffered:
        raise Refused("There is no such session") from None


# Moving, places, cancelling


def move(db_session: Session, session_id: int, times: SessionTimes, now: datetime) -> Done[bool]:
    """Change the time or venue; everyone with a place is sent the updated calendar invite,
    and everyone still waiting is told too. Whether anything changed.

    Online needs the session's joining link; booking must still close by the new start.
    """
    check_times(db_session, times)
    session = changeable_session(db_session, session_id, now)
    if times.starts_at <= now:
        raise Refused("The new start must be in the future", field="date")
    check_booking_window(session.booking_opens_at, session.booking_closes_at, times.starts_at)
    if times.venue_id is None and not session.online_join_url:
        raise Refused(
            "This session has no joining link, so it cannot be moved online until a "
            "coordinator adds one to its details",
            field="venue",
        )
    if (session.starts_at, session.ends_at, session.venue_id) == (
        times.starts_at,
        times.ends_at,
        times.venue_id,
    ):
        return Done(False)
    session.starts_at, session.ends_at, session.venue_id = (
        times.starts_at,
        times.ends_at,
        times.venue_id,
    )
    session.sequence += 1
    db_session.flush()
    bookings.keep_offers_before_the_start(db_session, session)
    db_session.refresh(session)
    notices = [
        Notice(NoticeKind.SESSION_CHANGED, booking)
        for booking in bookings.confirmed_bookings(db_session, session_id)
    ] + [
        Notice(NoticeKind.SESSION_CHANGED_WHILE_WAITING, booking)
        for booking in bookings.still_waiting(db_session, session_id)
    ]
    return Done(True, notices)


def change_capacity(
    db_session: Session,
    session_id: int,
    capacity: int,
    now: datetime,
    last_minute: bookings.LastMinute = bookings.USUAL_LAST_MINUTE,
) -> Done[list[Booking]]:
    """Raising the number of places gives them to people waiting, in turn (or offers them,
    at the last minute), and returns their bookings; lowering it below the places held is
    refused."""
    check_capacity(capacity)
    session = changeable_session(db_session, session_id, now)
    held = bookings.places_held(db_session, session_id)
    if capacity < held:
        raise Refused(
            f"{held} places are taken, so the capacity cannot be less than {held}",
            field="capacity",
        )
    if capacity < (kept := places_kept_for_sectors(session)):
        raise Refused(
            f"{kept} places are held for sectors, so the capacity cannot be less than {kept}",
            field="capacity",
        )
    session.capacity = capacity
    db_session.flush()
    notices: list[Notice] = []
    offered = bookings.promote_from_waiting_list(db_session, session, now, notices, last_minute)
    return Done(offered, notices)


def cancel(db_session: Session, session_id: int, reason: str, now: datetime) -> Done[int]:
    """Cancel the session; everyone booked or waiting is told why, those with a place with
    a calendar cancellation. How many were told.

    Bookings keep their status, so the record shows who had a place on it.
    """
    reason = reason.strip()
    if not reason:
        raise Refused("Enter why the session is cancelled", field="reason")
    session = changeable_session(db_session, session_id, now)
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.cancellation_reason = reason
    session.sequence += 1
    db_session.flush()
    told = bookings.active_bookings(db_session, session_id)
    return Done(len(told), [Notice(NoticeKind.SESSION_CANCELLED, booking) for booking in told])


# Sharing places between sectors


@dataclass(frozen=True)
class Share:
    """What a coordinator says of one sector's places on a session (see SectorPlaces)."""

    sector: Sector
    most: int | None = None
    held: int | None = None
    held_until_days: int | None = None


def places_kept_for_sectors(session: CourseSession) -> int:
    return sum(row.held or 0 for row in session.sector_places)


def check_share(share: Share, capacity: int) -> None:
    """What one sector's share must be, whatever the others'."""
    if share.most is None and share.held is None:
        raise Refused(
            "Enter the most places the sector may have, or the places held for it, or both",
            field="most",
        )
    if share.held is None and share.held_until_days is not None:
        raise Refused("Enter how many places are held, or leave the days empty", field="held")
    if share.held is not None and share.held_until_days is None:
        raise Refused(
            "Enter until how many days before the session the places are held",
            field="held_until_days",
        )
    if share.most is not None and share.most > capacity:
        raise Refused(f"The most places cannot be more than the session's {capacity}", field="most")
    if share.held is not None and share.most is not None and share.held > share.most:
        raise Refused(
            "The places held cannot be more than the most places the sector may have",
            field="held",
        )


def share_places(
    db_session: Session,
    session_id: int,
    share: Share,
    now: datetime,
    last_minute: bookings.LastMinute = bookings.USUAL_LAST_MINUTE,
) -> Done[list[Booking]]:
    """Set one sector's share of the session's places, replacing any it had; people
    waiting whom the new share lets in are given places (their bookings are returned).

    Refused when the places held for all sectors would be more than the session has, or
    when the sector already holds more places than it may have.
    """
    session = changeable_session(db_session, session_id, now)
    check_share(share, session.capacity)
    row = next((row for row in session.sector_places if row.sector == share.sector), None)
    if row is None:
        row = SectorPlaces(sector=share.sector)
        session.sector_places.append(row)
    row.most, row.held, row.held_until_days = share.most, share.held, share.held_until_days
    if (kept := places_kept_for_sectors(session)) > session.capacity:
        raise Refused(
            f"That would hold {kept} places for sectors, more than the session's "
            f"{session.capacity}",
            field="held",
        )
    db_session.flush()
    taken = allocation_of(db_session, session, now).share_of(share.sector).taken
    if share.most is not None and taken > share.most:
        raise Refused(
            f"{taken} places are taken by {sector_words(share.sector)} already, so the most "
            f"cannot be less than {taken}",
            field="most",
        )
    return let_in_those_waiting(db_session, session, now, last_minute)


def stop_sharing(
    db_session: Session,
    session_id: int,
    sector: Sector,
    now: datetime,
    last_minute: bookings.LastMinute = bookings.USUAL_LAST_MINUTE,
) -> Done[list[Booking]]:
    """The sector no longer has a share of its own; people waiting it kept out may now
    have places."""
    session = changeable_session(db_session, session_id, now)
    for row in list(session.sector_places):
        if row.sector == sector:
            session.sector_places.remove(row)
    db_session.flush()
    return let_in_those_waiting(db_session, session, now, last_minute)


def let_in_those_waiting(
    db_session: Session, session: CourseSession, now: datetime, last_minute: bookings.LastMinute
) -> Done[list[Booking]]:
    notices: list[Notice] = []
    offered = bookings.promote_from_waiting_list(db_session, session, now, notices, last_minute)
    return Done(offered, notices)


def sessions_with_held_places_let_go(db_session: Session, now: datetime) -> list[int]:
    """Sessions still to come whose places held for a sector are now open to everyone,
    with places free and people waiting who may now have them."""
    held = (
        select(func.count(Booking.id))
        .where(Booking.session_id == CourseSession.id, holds_a_place())
        .scalar_subquery()
    )
    waiting = select(Booking.id).where(
        Booking.session_id == CourseSession.id, Booking.status == BookingStatus.WAITING
    )
    rows = db_session.execute(
        select(CourseSession.id, CourseSession.starts_at, SectorPlaces.held_until_days)
        .join(SectorPlaces, SectorPlaces.session_id == CourseSession.id)
        .where(
            SectorPlaces.held.is_not(None),
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.starts_at > now,
            held < CourseSession.capacity,
            waiting.exists(),
        )
    )
    let_go = {sid for sid, starts_at, days in rows if held_until(starts_at, days) <= now}
    # Only those where someone waiting could have a free place: the others (an officer kept
    # out by the police's most, say) would be locked on every run for nothing.
    return sorted(
        session_id
        for session_id in let_go
        if allocation_of(
            db_session, db_session.get(CourseSession, session_id), now
        ).someone_waiting_could_take_a_place
    )


def let_in_after_held_places(
    db_session: Session,
    session_id: int,
    now: datetime,
    last_minute: bookings.LastMinute = bookings.USUAL_LAST_MINUTE,
) -> Done[int]:
    """Offer a session's free places to the people waiting whom the places held for a
    sector kept out, under its lock; how many were offered one."""
    session = locked_session(db_session, session_id)
    done = let_in_those_waiting(db_session, session, now, last_minute)
    return Done(len(done.value), done.notices)


# The register


def marks_lock_at(session: CourseSession) -> datetime:
    return session.ends_at + MARKS_LOCK_AFTER


def marks_note(session: CourseSession, actor: User) -> str:
    """Until when this person can change the register's marks."""
    if actor.is_coordinator:
        return "As a coordinator you can change marks at any time."
    return (
        f"Marks can be changed until {long_date(marks_lock_at(session))}, "
        f"{MARKS_LOCK_AFTER.days} days after the session."
    )


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
            f"Attendance was locked on {short_date(marks_lock_at(session))}, "
            f"{MARKS_LOCK_AFTER.days} days after the session. Ask a coordinator if a mark "
            "needs to change"
        )
    return None


def register_open(
    db_session: Session, session_id: int, actor: User, now: datetime
) -> CourseSession:
    """The session, under its lock, once it is known that this person can mark it."""
    session = locked_session(db_session, session_id)
    if refusal := attendance_refusal(session, actor, now):
        raise Refused(refusal)
    return session


def give_mark(
    booking: Booking,
    attendance: Attendance,
    actor: User,
    now: datetime,
    rates: ChargeRates | None = None,
) -> list[Notice]:
    """The mark, with the certificate it earns issued, or revoked when it earns none, and
    its charge raised or cancelled (app/charges/service.py; with `rates` None, a mark
    raises none). What the person is to be told of their charge."""
    # Pressing the mark a person already has changes nothing, so who gave it stays recorded.
    if booking.attendance is attendance:
        return []
    booking.attendance = attendance
    booking.attendance_marked_at = now
    booking.attendance_marked_by = actor
    certificates.follow_mark(booking, now)
    return charges.follow_mark(booking, actor, rates, now)


def mark_attendance(
    db_session: Session,
    session_id: int,
    booking_id: int,
    attendance: Attendance,
    actor: User,
    now: datetime,
    rates: ChargeRates = USUAL_RATES,
) -> Done[Booking]:
    """Mark, or change the mark of, one person with a confirmed place (walk-ins included),
    charging a no-show at these rates once the session has ended."""
    session = register_open(db_session, session_id, actor, now)
    booking = db_session.get(Booking, booking_id, populate_existing=True)
    if booking is None or booking.session_id != session.id:
        raise Refused("That person is not on this session's register")
    if booking.status is not BookingStatus.CONFIRMED:
        raise Refused(
            f"Only people with a confirmed place can be marked, and {booking.user.name} "
            "does not have one"
        )
    notices = give_mark(booking, attendance, actor, now, rates)
    db_session.flush()
    return Done(booking, notices)


def mark_everyone_attended(
    db_session: Session, session_id: int, actor: User, now: datetime
) -> Done[list[Booking]]:
    """Mark attended everyone with a confirmed place who has no mark yet.

    Marks already given are kept: a trainer who marked someone "did not attend" and then
    presses the button for the rest must not lose that mark. Returns those marked.
    """
    session = register_open(db_session, session_id, actor, now)
    unmarked = db_session.scalars(
        select(Booking)
        .where(
            Booking.session_id == session.id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.attendance.is_(None),
        )
        # Each mark issues a certificate: read them all at once, not one a booking.
        .options(selectinload(Booking.certificate), selectinload(Booking.charges))
    ).all()
    notices: list[Notice] = []
    for booking in unmarked:
        notices += give_mark(booking, Attendance.ATTENDED, actor, now)
    db_session.flush()
    return Done(list(unmarked), notices)


@dataclass(frozen=True)
class WalkIn:
    """Someone who turned up without a place: an email address is enough when they have an
    account; otherwise their name and agency make one."""

    email: str
    name: str = ""
    job_title: str = ""
    agency_id: int | None = None
    new_agency_name: str = ""


def add_walk_in(
    db_session: Session, session_id: int, walk_in: WalkIn, actor: User, now: datetime
) -> Done[Booking]:
    """Put someone who turned up on the register, marked attended; they take no place.

    Someone waiting, or waiting for their manager's approval, has that booking changed
    (a person has one active booking per session); someone with a place is refused.
    """
    session = register_open(db_session, session_id, actor, now)
    try:
        email = checked_email(walk_in.email)
    except Refused as error:
        raise Refused(str(error), field="email") from None
    person = find_by_email(db_session, email) or new_account(db_session, walk_in, email)
    booking = bookings.active_booking(db_session, session.id, person) if person.id else None
    if booking is not None and booking.status is BookingStatus.CONFIRMED:
        raise Refused(
            f"{person.name} already has a place on this session: mark their attendance "
            "on the register instead",
            field="email",
        )
    if booking is None:
        booking = Booking(session=session, user=person, agency=person.agency)
        reason = "walked in"
    else:
        reason = WALKED_IN_FROM[booking.status]
    bookings.record(db_session, booking, BookingStatus.CONFIRMED, now, reason, actor=actor)
    booking.walk_in = True
    notices = give_mark(booking, Attendance.ATTENDED, actor, now)
    db_session.flush()
    return Done(booking, notices)


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
        raise Refused.at_fields(problems)
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
    except Refused:
        raise Refused("Choose their agency from the list", field="agency") from None
    person = User(email=email, name=name, job_title=walk_in.job_title.strip(), agency=agency)
    db_session.add(person)
    return person
