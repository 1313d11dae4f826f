"""Handing a confirmed place to a colleague from the same agency, before the cut-off.

A colleague with an account in that agency gets the place at once; a colleague without
one is offered it by mail, to claim within 48 hours (never past the cut-off), while the
place stays held by the person who offered it; unclaimed, the offer runs out and the
place stays theirs.

The place given ends as a booking of the person who gave it (cancelled, never late,
since it is before the cut-off, and so never charged) and begins as a new confirmed
booking of the colleague: each person's calendar event is their own (its UID is made
from the session and the person, its SEQUENCE from their own booking's history), so the
giver's calendar takes the METHOD:CANCEL and the colleague's the REQUEST, and neither
ever shows the session twice. The booking_transfer row ties the two together; the
history of both bookings says from whom, to whom and by whom.

Every change happens under the session's lock, as every change of places does.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.bookings.service import USUAL_LIMIT, RepeatLimit, lock_session, needs_coordinator, record
from app.interest import service as interest
from app.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingEvent,
    BookingStatus,
    BookingTransfer,
    CourseSession,
    SessionStatus,
    User,
    open_transfer,
)
from app.notices import Done, Notice, NoticeKind
from app.prerequisites.service import PrerequisitesMissing, missing_for
from app.refusals import Refused

#: How long a colleague without an account has to register and claim the place.
OFFER_TIME = timedelta(hours=48)

#: The field of the transfer form a refusal about the colleague is shown beside.
EMAIL = "email"


# Whether a place can be given


def why_not_given(booking: Booking, now: datetime, offered: BookingTransfer | None) -> str | None:
    """Why this booking's place cannot be given to anyone now; None when it can.

    `offered`: the booking's open offer, if any.
    """
    session = booking.session
    if booking.status is not BookingStatus.CONFIRMED or booking.walk_in:
        return "Only a confirmed place can be given to a colleague"
    if session.status is SessionStatus.CANCELLED:
        return "This session has been cancelled"
    if now >= session.cancellation_cutoff:
        return (
            "The cancellation cut-off has passed, so this place can no longer be given to "
            "a colleague"
        )
    if session.course.requires_approval:
        return (
            "A colleague would need a manager's or coordinator's approval for this course, "
            "so the place cannot be given to them: they can book a place themselves"
        )
    if offered is not None:
        return (
            f"This place is already offered to {offered.to_email}: it can be given again "
            "once that offer is withdrawn or runs out"
        )
    return None


def open_offer(db_session: Session, booking_id: int) -> BookingTransfer | None:
    return db_session.scalar(
        select(BookingTransfer).where(BookingTransfer.booking_id == booking_id, open_transfer())
    )


@dataclass(frozen=True)
class Giving:
    """What the booking page says of handing the place on."""

    #: The place can be given now.
    can_give: bool
    #: The open offer of the place to a colleague, if any.
    offer: BookingTransfer | None
    #: The transfer that ended this booking, or began it.
    given: BookingTransfer | None
    received: BookingTransfer | None


def giving(db_session: Session, booking: Booking, now: datetime) -> Giving:
    offer = open_offer(db_session, booking.id)
    if booking.status is not BookingStatus.CONFIRMED:
        # Cancelled while offered: nobody can claim it, and there is nothing to withdraw.
        offer = None
    given = received = None
    if booking.status is BookingStatus.CANCELLED:
        given = db_session.scalar(
            select(BookingTransfer)
            .where(
                BookingTransfer.booking_id == booking.id, BookingTransfer.claimed_at.is_not(None)
            )
            .options(joinedload(BookingTransfer.to_user))
        )
    received = db_session.scalar(
        select(BookingTransfer)
        .where(BookingTransfer.to_booking_id == booking.id)
        .options(joinedload(BookingTransfer.from_user))
    )
    return Giving(
        can_give=why_not_given(booking, now, offer) is None,
        offer=offer,
        given=given,
        received=received,
    )


# Giving


def locked_booking(db_session: Session, booking_id: int) -> tuple[CourseSession, Booking]:
    session_id = db_session.scalar(select(Booking.session_id).where(Booking.id == booking_id))
    if session_id is None:
        raise Refused("There is no such booking")
    session = lock_session(db_session, session_id)
    booking = db_session.get(Booking, booking_id, populate_existing=True)
    return session, booking


def give(
    db_session: Session,
    booking_id: int,
    giver: User,
    colleague_email: str,
    now: datetime,
    limit: RepeatLimit = USUAL_LIMIT,
) -> Done[BookingTransfer]:
    """Give the giver's confirmed place to a colleague from their agency: at once when the
    colleague has a confirmed account there, else as an offer mailed to their address.

    Raises Refused (nothing changed) when the place cannot be given, or not to them.
    """
    session, booking = locked_booking(db_session, booking_id)
    if booking.user_id != giver.id:
        raise Refused("There is no such booking")
    if reason := why_not_given(booking, now, open_offer(db_session, booking.id)):
        raise Refused(reason)
    email = colleague_email.strip().lower()
    if email == giver.email:
        raise Refused("That is your own email address: enter your colleague's", field=EMAIL)
    if giver.agency_id is None:
        raise Refused(
            "Add your agency to your details first: a place can only be given to a colleague "
            "from the same agency",
            field=EMAIL,
        )
    colleague = db_session.scalar(select(User).where(User.email == email))
    if colleague is not None and (
        reason := why_colleague_cannot_take(db_session, session, booking, colleague, now, limit)
    ):
        raise Refused(reason, field=EMAIL)
    transfer = BookingTransfer(
        booking=booking,
        from_user=giver,
        to_email=email,
        by=giver,
        created_at=now,
        expires_at=min(now + OFFER_TIME, session.cancellation_cutoff),
    )
    db_session.add(transfer)
    notices: list[Notice] = []
    if colleague is not None and colleague.is_verified:
        move_place(db_session, session, transfer, colleague, now, notices)
    else:
        db_session.flush()
        notices.append(Notice(NoticeKind.PLACE_OFFERED, booking, transfer=transfer))
    return Done(transfer, notices)


def why_colleague_cannot_take(
    db_session: Session,
    session: CourseSession,
    booking: Booking,
    colleague: User,
    now: datetime,
    limit: RepeatLimit,
) -> str | None:
    """Why this account cannot take the place, as the giver is told; None when it can.
    Whether a coordinator must decide on the colleague's bookings, or which courses they
    have attended, is theirs to know, not the giver's."""
    if reason := why_not_a_colleague_free_for_it(db_session, session, booking, colleague):
        return reason
    if needs_coordinator(db_session, colleague, now, limit) or missing_for(
        db_session, session, colleague, now
    ):
        return (
            f"This place cannot be given to {colleague.email}: they can book a place "
            "themselves on the session's page"
        )
    return None


def why_not_a_colleague_free_for_it(
    db_session: Session, session: CourseSession, booking: Booking, colleague: User
) -> str | None:
    """Why the account is not a colleague of the giver's free to take the place: their
    own, closed, of another agency, or already booked on the session."""
    giver = booking.user
    if colleague.id == giver.id:
        return "That is your own email address: enter your colleague's"
    if not colleague.is_active:
        return f"The account of {colleague.email} is closed, so it cannot take a place"
    if colleague.agency_id is None or colleague.agency_id != giver.agency_id:
        agency = giver.agency.name if giver.agency else "your agency"
        return (
            f"{colleague.email} is not registered with {agency}: a place can only be given "
            "to a colleague from the same agency"
        )
    has_booking = db_session.scalar(
        select(Booking.id).where(
            Booking.session_id == session.id,
            Booking.user_id == colleague.id,
            Booking.status.in_(ACTIVE_STATUSES),
        )
    )
    if has_booking is not None:
        return f"{colleague.email} already has a booking for this session"
    return None


def move_place(
    db_session: Session,
    session: CourseSession,
    transfer: BookingTransfer,
    colleague: User,
    now: datetime,
    notices: list[Notice],
) -> Booking:
    """End the giver's booking and begin the colleague's, in one change under the lock: the
    place is never free between them, so nobody waiting is offered it."""
    booking = transfer.booking
    giver = transfer.from_user
    record(
        db_session,
        booking,
        BookingStatus.CANCELLED,
        now,
        f"transferred to {colleague.name} ({colleague.email})"[:200],
        actor=transfer.by,
    )
    booking.cancelled_at = now
    booking.late_cancellation = False
    # Having a place on the course, the colleague need not be told of its dates.
    interest.leave(db_session, session.course_id, colleague.id)
    # The access needs were the giver's; the manager told is the colleague's own.
    received = Booking(
        session=session,
        user=colleague,
        agency=colleague.agency,
        status=BookingStatus.CONFIRMED,
        access_needs="",
        manager_email=colleague.line_manager_email,
    )
    db_session.add(received)
    db_session.add(
        BookingEvent(
            booking=received,
            at=now,
            actor=transfer.by,
            from_status=None,
            to_status=BookingStatus.CONFIRMED,
            reason=f"transferred from {giver.name} ({giver.email})"[:200],
        )
    )
    transfer.claimed_at = now
    transfer.to_user = colleague
    transfer.to_booking = received
    db_session.flush()
    notices.append(Notice(NoticeKind.PLACE_GIVEN, booking, person=colleague, transfer=transfer))
    notices.append(Notice(NoticeKind.PLACE_RECEIVED, received, transfer=transfer))
    return received


# Claiming an offer


def get_transfer(db_session: Session, transfer_id: int) -> BookingTransfer | None:
    """A transfer with what its page shows: the booking, its session, course and venue."""
    return db_session.scalar(
        select(BookingTransfer)
        .where(BookingTransfer.id == transfer_id)
        .options(
            joinedload(BookingTransfer.from_user).joinedload(User.agency),
            joinedload(BookingTransfer.booking)
            .joinedload(Booking.session)
            .joinedload(CourseSession.course),
            joinedload(BookingTransfer.booking)
            .joinedload(Booking.session)
            .joinedload(CourseSession.venue),
        )
    )


def why_not_claimed(transfer: BookingTransfer, now: datetime) -> str | None:
    """Why nobody can claim this offer any more; None while it is open."""
    giver = transfer.from_user.name
    booking = transfer.booking
    if transfer.claimed_at is not None:
        return "This place has already been claimed"
    # Before the withdrawal: cancelling a place withdraws its offer too.
    if booking.status is not BookingStatus.CONFIRMED:
        return f"{giver} no longer has this place to give"
    if transfer.withdrawn_at is not None:
        return f"{giver} withdrew this offer, so the place stays theirs"
    # The cut-off too: the session may have moved since the offer was made.
    if (
        transfer.returned_at is not None
        or now >= transfer.expires_at
        or now >= booking.session.cancellation_cutoff
    ):
        return f"This offer ran out, so the place stayed with {giver}"
    if booking.session.status is SessionStatus.CANCELLED:
        return "This session has been cancelled"
    return None


def why_not_yours(transfer: BookingTransfer, person: User) -> str | None:
    """Why this person cannot claim the open offer; None when they can."""
    if person.email != transfer.to_email:
        return (
            f"This place was offered to {transfer.to_email}, and you are signed in as "
            f"{person.email}: sign in with the address it was offered to"
        )
    if not person.is_verified:
        return "Confirm your email address first, from the message we sent you, then come back"
    giver = transfer.from_user
    if person.agency_id is None or person.agency_id != giver.agency_id:
        agency = giver.agency.name if giver.agency else "the agency of the person who offered it"
        return (
            f"This place can only go to a colleague from {agency}: choose that agency in "
            "your details first"
        )
    return None


def claim(
    db_session: Session,
    transfer_id: int,
    person: User,
    now: datetime,
    limit: RepeatLimit = USUAL_LIMIT,
) -> Done[Booking]:
    """The colleague takes the place offered to their address; their new booking.

    Raises Refused (nothing changed) when the offer is no longer open or not theirs.
    """
    booking_id = db_session.scalar(
        select(BookingTransfer.booking_id).where(BookingTransfer.id == transfer_id)
    )
    if booking_id is None:
        raise Refused("This link is not valid")
    session, booking = locked_booking(db_session, booking_id)
    transfer = db_session.get(BookingTransfer, transfer_id, populate_existing=True)
    if reason := why_not_claimed(transfer, now) or why_not_yours(transfer, person):
        raise Refused(reason)
    if needs_coordinator(db_session, person, now, limit):
        raise Refused(
            "You have not attended, or cancelled after the cut-off, more than once in recent "
            "months, so a coordinator decides on your bookings and this place cannot be "
            "given to you: you can book a place yourself"
        )
    if lacking := missing_for(db_session, session, person, now):
        raise PrerequisitesMissing(lacking)
    if reason := why_not_a_colleague_free_for_it(db_session, session, booking, person):
        raise Refused(reason)
    if session.course.requires_approval:
        raise Refused(
            "You would need a manager's or coordinator's approval for this course, so the "
            "place cannot be given to you: you can book a place yourself"
        )
    notices: list[Notice] = []
    received = move_place(db_session, session, transfer, person, now, notices)
    return Done(received, notices)


# Withdrawing an offer, and offers that run out


def withdraw(db_session: Session, booking_id: int, person: User, now: datetime) -> Done[None]:
    """The person who offered their place takes the offer back; the place stays theirs."""
    _, booking = locked_booking(db_session, booking_id)
    if booking.user_id != person.id:
        raise Refused("There is no such booking")
    offer = open_offer(db_session, booking.id)
    if offer is None:
        raise Refused("This place is not offered to anyone")
    offer.withdrawn_at = now
    db_session.flush()
    return Done(None)


def sessions_with_offers_run_out(db_session: Session, now: datetime) -> list[int]:
    return list(
        db_session.scalars(
            select(Booking.session_id)
            .join(BookingTransfer, BookingTransfer.booking_id == Booking.id)
            .where(open_transfer(), BookingTransfer.expires_at <= now)
            .distinct()
            .order_by(Booking.session_id)
        )
    )


def return_offers_run_out(db_session: Session, session_id: int, now: datetime) -> Done[int]:
    """Close the session's offers left unclaimed past their time, telling each person who
    still holds the place that it stays theirs; how many.

    Under the session's lock, and only offers still open: a second run, or two at once,
    finds them closed and tells nobody twice.
    """
    lock_session(db_session, session_id)
    run_out = db_session.scalars(
        select(BookingTransfer)
        .join(BookingTransfer.booking)
        .where(Booking.session_id == session_id, open_transfer(), BookingTransfer.expires_at <= now)
        .options(joinedload(BookingTransfer.booking).joinedload(Booking.user))
        .order_by(BookingTransfer.id)
        .execution_options(populate_existing=True)
    ).all()
    notices = []
    for transfer in run_out:
        transfer.returned_at = now
        if transfer.booking.status is BookingStatus.CONFIRMED:
            notices.append(Notice(NoticeKind.OFFER_RETURNED, transfer.booking, transfer=transfer))
    db_session.flush()
    return Done(len(run_out), notices)
