"""The rules of booking a place: capacity, waiting lists, manager approval, cancellation.

Every function that changes bookings first takes the session's lock (see
app/database.py), then reads availability inside it, never from a cache; so places
are never given twice, whatever the load. Functions flush and leave the commit to
their caller; the mail they queue goes out only if that commit happens.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload, make_transient_to_detached

from app.bookings import notices
from app.database import LockUnavailable, is_lock_failure, write_transaction
from app.models import (
    ACTIVE_STATUSES,
    PLACE_HOLDING_STATUSES,
    Booking,
    BookingEvent,
    BookingStatus,
    Course,
    CourseSession,
    SessionStatus,
    User,
    holds_a_place,
)

APPROVAL_TIME = timedelta(days=7)


class BookingError(Exception):
    """A booking rule was broken; the message says why, in words for the person."""


class NotOffered(BookingError):
    """There is no such session, or it is not published: to the public it does not exist."""

    def __init__(self) -> None:
        super().__init__("This session is not open for booking")


class AlreadyBooked(BookingError):
    def __init__(self, booking: Booking) -> None:
        super().__init__("You already have a booking for this session")
        self.booking = booking


class TryAgain(BookingError):
    """The session's lock could not be had in time; nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            "Lots of people are booking this session right now. Nothing has been saved: "
            "wait a moment, then try again."
        )


class Outcome(StrEnum):
    """What booking now would do, shown to the person before they confirm."""

    CONFIRM = "confirm"
    APPROVAL = "approval"
    WAIT = "wait"


@dataclass(frozen=True)
class Places:
    """A session's places held, people waiting and approvals overdue, and one person's
    active booking on it."""

    held: int
    waiting: int
    approvals_overdue: int
    own_booking_id: int | None


@dataclass(frozen=True)
class Offer:
    outcome: Outcome
    places_left: int
    waiting: int
    #: Approvals found overdue and released, under the lock: the caller commits them.
    approvals_released: int = 0


# Reading


def places_held(db_session: Session, session_id: int) -> int:
    return db_session.scalar(
        select(func.count(Booking.id)).where(Booking.session_id == session_id, holds_a_place())
    )


# Built once: on the booking path, building a statement costs several times more than
# running it.
PLACES_FOR = select(
    func.count(Booking.id).filter(holds_a_place()),
    func.count(Booking.id).filter(Booking.status == BookingStatus.WAITING),
    func.count(Booking.id).filter(
        Booking.status == BookingStatus.AWAITING_APPROVAL,
        Booking.approval_expires_at <= bindparam("now"),
    ),
    func.max(Booking.id).filter(
        Booking.user_id == bindparam("user_id"), Booking.status.in_(ACTIVE_STATUSES)
    ),
).where(Booking.session_id == bindparam("session_id"))


def places_for(db_session: Session, session_id: int, user: User, now: datetime) -> Places:
    """Places held, people waiting, approvals overdue and the person's own active booking,
    in one statement."""
    held, waiting, overdue, own_booking_id = db_session.execute(
        PLACES_FOR, {"session_id": session_id, "user_id": user.id, "now": now}
    ).one()
    return Places(held, waiting, overdue, own_booking_id)


def refuse_a_second_booking(db_session: Session, places: Places) -> None:
    if places.own_booking_id is not None:
        raise AlreadyBooked(db_session.get(Booking, places.own_booking_id))


def active_booking(db_session: Session, session_id: int, user: User) -> Booking | None:
    return db_session.scalar(
        select(Booking).where(
            Booking.session_id == session_id,
            Booking.user_id == user.id,
            Booking.status.in_(ACTIVE_STATUSES),
        )
    )


def check_bookable(session: CourseSession, user: User, now: datetime) -> None:
    """Raise BookingError unless this person may book this session now."""
    if not user.is_verified:
        raise BookingError("Confirm your email address before you book a place")
    course = session.course
    if not (session.published and course.published and course.prospectus.published):
        raise NotOffered
    if session.status is SessionStatus.CANCELLED:
        raise BookingError("This session has been cancelled")
    if session.has_started(now):
        raise BookingError("This session has already started")
    if session.booking_opens_at is not None and now < session.booking_opens_at:
        raise BookingError("Booking for this session has not opened yet")
    if now >= session.booking_closes:
        raise BookingError("Booking for this session has closed")
    if course.requires_approval and not user.line_manager_email:
        raise BookingError(
            "This course needs your line manager's approval: add their email address "
            "to your details first"
        )


def offer(db_session: Session, session: CourseSession, user: User, now: datetime) -> Offer:
    """What booking would do now; the answer under lock, in book(), is the one that counts.

    Approvals left too long are released first, under the lock, for the caller to commit.
    Raises AlreadyBooked (with the existing booking), TryAgain or BookingError.
    """
    places = places_for(db_session, session.id, user, now)
    released = 0
    if places.approvals_overdue:
        released = expire_session_approvals(db_session, session.id, now)
        places = places_for(db_session, session.id, user, now)
    refuse_a_second_booking(db_session, places)
    check_bookable(session, user, now)
    left, waiting = session.capacity - places.held, places.waiting
    if left <= 0 or waiting:
        outcome = Outcome.WAIT
    elif session.course.requires_approval:
        outcome = Outcome.APPROVAL
    else:
        outcome = Outcome.CONFIRM
    return Offer(outcome, max(left, 0), waiting, approvals_released=released)


# Locking


LOCKED_SESSION = (
    select(CourseSession)
    .where(CourseSession.id == bindparam("session_id"))
    .options(
        joinedload(CourseSession.course).joinedload(Course.prospectus),
        # Mail about a booking says where the session is held.
        joinedload(CourseSession.venue),
    )
    .with_for_update(of=CourseSession)
    .execution_options(populate_existing=True)
)


def lock_session(db_session: Session, session_id: int, keep: User | None = None) -> CourseSession:
    """Begin a write transaction holding the session's lock, and load the session in it.

    `keep`: a person whose details, as read before the lock, are good enough.
    """
    try:
        write_transaction(db_session, keep)
        session = db_session.scalar(LOCKED_SESSION, {"session_id": session_id})
    except LockUnavailable:
        raise TryAgain from None
    except OperationalError as error:
        if not is_lock_failure(error):
            raise
        db_session.rollback()
        raise TryAgain from None
    if session is None:
        raise NotOffered
    return session


# Changing


def record(
    db_session: Session,
    booking: Booking,
    to_status: BookingStatus,
    now: datetime,
    reason: str,
    actor: User | None = None,
) -> None:
    """Move a booking to a new status and keep the change in its history."""
    db_session.add(
        BookingEvent(
            booking=booking,
            at=now,
            actor=actor,
            from_status=booking.status,
            to_status=to_status,
            reason=reason,
        )
    )
    booking.status = to_status


# Written with plain INSERTs: the unit of work's flush cost more than anything else a
# booking does under the lock.
INSERT_BOOKING = insert(Booking.__table__).returning(*Booking.__table__.columns)
INSERT_HISTORY = insert(BookingEvent.__table__)


def add_booking(
    db_session: Session,
    session: CourseSession,
    user: User,
    access_needs: str,
    status: BookingStatus,
    now: datetime,
    reason: str,
) -> Booking:
    """Write a new booking and the first entry of its history."""
    approval_expires_at = None
    if status is BookingStatus.AWAITING_APPROVAL:
        approval_expires_at = approval_deadline(session, now)
    connection = db_session.connection()
    row = connection.execute(
        INSERT_BOOKING,
        {
            "session_id": session.id,
            "user_id": user.id,
            "status": status,
            "access_needs": access_needs.strip(),
            "manager_email": user.line_manager_email,
            "approval_expires_at": approval_expires_at,
            # created_at is left to its default, the moment of writing: the waiting list's
            # order is the order in which bookings took the lock.
        },
    ).one()
    connection.execute(
        INSERT_HISTORY,
        {
            "booking_id": row.id,
            "at": now,
            "actor_id": user.id,
            "from_status": None,
            "to_status": status,
            "reason": reason,
        },
    )
    # The row as written, in the session as if it had been read: no query needed.
    booking = Booking(**row._mapping)
    make_transient_to_detached(booking)
    db_session.add(booking)
    return booking


def book(
    db_session: Session, session_id: int, user: User, access_needs: str, now: datetime
) -> Booking:
    """Book a place, or a turn in the waiting list when the session is full.

    Raises AlreadyBooked (with the existing booking), NotOffered, BookingError or TryAgain.
    """
    # The person's details are not what the lock protects: they are checked as read.
    session = lock_session(db_session, session_id, keep=user)
    check_bookable(session, user, now)
    places = places_for(db_session, session_id, user, now)
    if places.approvals_overdue:
        expire_approvals(db_session, session, now)
        places = places_for(db_session, session_id, user, now)
    refuse_a_second_booking(db_session, places)
    # Someone already waiting keeps their turn, even if a place has just freed.
    if places.held >= session.capacity or places.waiting:
        status, reason = BookingStatus.WAITING, "joined the waiting list"
    elif session.course.requires_approval:
        status, reason = BookingStatus.AWAITING_APPROVAL, "asked for approval"
    else:
        status, reason = BookingStatus.CONFIRMED, "booked"
    booking = add_booking(db_session, session, user, access_needs, status, now, reason)
    NOTICE_OF_NEW_BOOKING[status](db_session, booking)
    return booking


NOTICE_OF_NEW_BOOKING = {
    BookingStatus.WAITING: notices.waiting,
    BookingStatus.AWAITING_APPROVAL: notices.approval_requested,
    BookingStatus.CONFIRMED: notices.confirmed,
}


def approval_deadline(session: CourseSession, now: datetime) -> datetime:
    """Seven days, until booking closes; a place offered from the waiting list after that
    still gives the manager until the session starts."""
    deadline = session.booking_closes if now < session.booking_closes else session.starts_at
    return min(now + APPROVAL_TIME, deadline)


def ask_for_approval(
    db_session: Session, booking: Booking, session: CourseSession, now: datetime, actor: User
) -> None:
    record(db_session, booking, BookingStatus.AWAITING_APPROVAL, now, "asked for approval", actor)
    booking.approval_expires_at = approval_deadline(session, now)
    db_session.flush()
    notices.approval_requested(db_session, booking)


def cancel(
    db_session: Session, booking_id: int, actor: User, now: datetime, reason: str = "cancelled"
) -> Booking:
    """Cancel a booking; its place goes to the first person waiting.

    After the session's cut-off the cancellation is recorded as late.
    """
    session_id = db_session.scalar(select(Booking.session_id).where(Booking.id == booking_id))
    session = lock_session(db_session, session_id)
    booking = db_session.get(Booking, booking_id, populate_existing=True)
    if not booking.is_active:
        raise BookingError("This booking is already cancelled")
    if session.has_started(now):
        raise BookingError("This session has started, so the booking can no longer be cancelled")
    held_a_place = booking.status in PLACE_HOLDING_STATUSES and not booking.walk_in
    record(db_session, booking, BookingStatus.CANCELLED, now, reason, actor=actor)
    booking.cancelled_at = now
    booking.late_cancellation = held_a_place and now >= session.cancellation_cutoff
    db_session.flush()
    notices.cancelled(db_session, booking, held_a_place)
    promote_from_waiting_list(db_session, session, now)
    return booking


def promote_from_waiting_list(
    db_session: Session, session: CourseSession, now: datetime
) -> list[Booking]:
    """Give free places to the people waiting, first come first served. Call under lock."""
    promoted = []
    if session.status is SessionStatus.CANCELLED or session.has_started(now):
        return promoted
    free = session.capacity - places_held(db_session, session.id)
    if free <= 0:
        return promoted
    first_waiting = db_session.scalars(
        select(Booking)
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.WAITING)
        .order_by(Booking.created_at, Booking.id)
        .limit(free)
    ).all()
    for booking in first_waiting:
        if session.course.requires_approval and booking.manager_email:
            ask_for_approval(db_session, booking, session, now, actor=None)
        else:
            record(db_session, booking, BookingStatus.CONFIRMED, now, "promoted from waiting list")
            booking.promoted_at = now
            db_session.flush()
            notices.promoted(db_session, booking)
        promoted.append(booking)
    return promoted


def decide(
    db_session: Session, booking_id: int, approve: bool, comment: str, now: datetime
) -> Booking:
    """The line manager's answer; a decline, like an expiry, frees the place."""
    session_id = db_session.scalar(select(Booking.session_id).where(Booking.id == booking_id))
    if session_id is None:
        raise BookingError("This approval link is not valid")
    session = lock_session(db_session, session_id)
    booking = db_session.get(Booking, booking_id, populate_existing=True)
    expire_approvals(db_session, session, now)
    if booking.status is not BookingStatus.AWAITING_APPROVAL:
        raise BookingError(
            "This booking has already been decided, or has expired or been cancelled"
        )
    booking.manager_comment = comment.strip()
    if approve:
        record(db_session, booking, BookingStatus.CONFIRMED, now, "approved by line manager")
        db_session.flush()
        notices.approved(db_session, booking)
    else:
        record(db_session, booking, BookingStatus.DECLINED, now, "declined by line manager")
        db_session.flush()
        notices.declined(db_session, booking)
        promote_from_waiting_list(db_session, session, now)
    return booking


def expire_approvals(db_session: Session, session: CourseSession, now: datetime) -> int:
    """Release the places of approvals left unanswered too long. Call under lock."""
    expired = db_session.scalars(
        select(Booking).where(
            Booking.session_id == session.id,
            Booking.status == BookingStatus.AWAITING_APPROVAL,
            Booking.approval_expires_at <= now,
        )
    ).all()
    for booking in expired:
        record(db_session, booking, BookingStatus.DECLINED, now, "approval expired")
        booking.approval_expired = True
        db_session.flush()
        notices.approval_expired(db_session, booking)
    if expired:
        promote_from_waiting_list(db_session, session, now)
    return len(expired)


def sessions_with_expired_approvals(
    db_session: Session, now: datetime, session_id: int | None = None
) -> list[int]:
    query = select(Booking.session_id).where(
        Booking.status == BookingStatus.AWAITING_APPROVAL, Booking.approval_expires_at <= now
    )
    if session_id is not None:
        query = query.where(Booking.session_id == session_id)
    return list(db_session.scalars(query.distinct()))


def expire_session_approvals(db_session: Session, session_id: int, now: datetime) -> int:
    """Expire one session's overdue approvals in a write transaction of its own."""
    session = lock_session(db_session, session_id)
    return expire_approvals(db_session, session, now)


def expire_overdue_approvals(db_session: Session, session_id: int, now: datetime) -> bool:
    """Release a session's overdue approvals, if it has any: done whenever it is read.

    Returns whether anything changed, for the caller to commit.
    """
    if not sessions_with_expired_approvals(db_session, now, session_id):
        return False
    return expire_session_approvals(db_session, session_id, now) > 0


def change_capacity(
    db_session: Session, session_id: int, capacity: int, actor: User, now: datetime
) -> list[Booking]:
    """Raising capacity offers places to people waiting, in turn, and returns their
    bookings; lowering it below the places held is refused."""
    session = lock_session(db_session, session_id)
    held = places_held(db_session, session_id)
    if capacity < held:
        raise BookingError(f"{held} places are taken, so the capacity cannot be less than {held}")
    session.capacity = capacity
    db_session.flush()
    return promote_from_waiting_list(db_session, session, now)


def confirmed_bookings(db_session: Session, session_id: int) -> list[Booking]:
    return list(
        db_session.scalars(
            select(Booking)
            .where(Booking.session_id == session_id, Booking.status == BookingStatus.CONFIRMED)
            .options(joinedload(Booking.user))
            .order_by(Booking.id)
        )
    )


def still_waiting(db_session: Session, session_id: int) -> list[Booking]:
    """Bookings waiting for a place, or for a manager's approval, in the order they came."""
    return list(
        db_session.scalars(
            select(Booking)
            .where(
                Booking.session_id == session_id,
                Booking.status.in_((BookingStatus.WAITING, BookingStatus.AWAITING_APPROVAL)),
            )
            .options(joinedload(Booking.user))
            .order_by(Booking.id)
        )
    )


def reschedule_session(
    db_session: Session,
    session_id: int,
    starts_at: datetime,
    ends_at: datetime,
    venue_id: int | None,
    now: datetime,
) -> CourseSession:
    """Move a session in time or place; everyone with a place is mailed the updated invite,
    and everyone still waiting is told too."""
    if ends_at <= starts_at:
        raise BookingError("The session must end after it starts")
    session = lock_session(db_session, session_id)
    if session.is_cancelled:
        raise BookingError("A cancelled session cannot be moved")
    if (session.starts_at, session.ends_at, session.venue_id) == (starts_at, ends_at, venue_id):
        return session
    session.starts_at, session.ends_at, session.venue_id = starts_at, ends_at, venue_id
    session.sequence += 1
    db_session.flush()
    db_session.refresh(session)
    for booking in confirmed_bookings(db_session, session_id):
        notices.session_changed(db_session, booking)
    for booking in still_waiting(db_session, session_id):
        notices.session_changed_while_waiting(db_session, booking)
    return session


def cancel_session(
    db_session: Session, session_id: int, reason: str, now: datetime
) -> CourseSession:
    """Cancel a session: everyone booked is told; those with a place get METHOD:CANCEL.

    Bookings keep their status, so the record shows who had a place on it.
    """
    session = lock_session(db_session, session_id)
    if session.is_cancelled:
        raise BookingError("This session is already cancelled")
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.cancellation_reason = reason.strip()
    session.sequence += 1
    db_session.flush()
    active = db_session.scalars(
        select(Booking)
        .where(Booking.session_id == session_id, Booking.status.in_(ACTIVE_STATUSES))
        .options(joinedload(Booking.user))
        .order_by(Booking.id)
    ).all()
    for booking in active:
        notices.session_cancelled(db_session, booking)
    return session
