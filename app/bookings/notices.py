"""The mail each change of a booking sends, with the calendar invite where a place is held."""

from sqlalchemy.orm import Session

from app.bookings.tokens import approval_token
from app.calendar import ics
from app.calendar.events import booking_event, prodid
from app.links import absolute_url
from app.mail import queue_mail
from app.models import Booking, BookingStatus, utcnow


def invite(db_session: Session, booking: Booking) -> tuple[str, bytes]:
    event = booking_event(db_session, booking, utcnow())
    return "REQUEST", ics.invite(event, "REQUEST", prodid())


def cancellation(db_session: Session, booking: Booking) -> tuple[str, bytes]:
    event = booking_event(db_session, booking, utcnow(), cancelled=True)
    return "CANCEL", ics.invite(event, "CANCEL", prodid())


def to_person(
    db_session: Session,
    booking: Booking,
    subject: str,
    template: str,
    calendar: tuple[str, bytes] | None = None,
) -> None:
    queue_mail(
        db_session,
        booking.user.email,
        f"{subject}: {booking.session.course.title}",
        f"bookings/{template}",
        calendar=calendar,
        booking=booking,
        session=booking.session,
        booking_url=absolute_url("bookings.show", booking_id=booking.id),
    )


def confirmed(db_session: Session, booking: Booking) -> None:
    to_person(db_session, booking, "Place confirmed", "confirmed", invite(db_session, booking))


def waiting(db_session: Session, booking: Booking) -> None:
    to_person(db_session, booking, "On the waiting list", "waiting")


def promoted(db_session: Session, booking: Booking) -> None:
    to_person(db_session, booking, "A place is yours", "promoted", invite(db_session, booking))


def approval_requested(db_session: Session, booking: Booking) -> None:
    to_person(db_session, booking, "Waiting for your manager's approval", "awaiting_approval")
    token = approval_token(booking)
    queue_mail(
        db_session,
        booking.manager_email,
        f"Please approve training for {booking.user.name}",
        "bookings/approval_request",
        booking=booking,
        session=booking.session,
        decision_url=absolute_url("bookings.approval", token=token),
    )


def approved(db_session: Session, booking: Booking) -> None:
    to_person(
        db_session, booking, "Approved: place confirmed", "approved", invite(db_session, booking)
    )


def declined(db_session: Session, booking: Booking) -> None:
    to_person(db_session, booking, "Not approved", "declined")


def approval_expired(db_session: Session, booking: Booking) -> None:
    to_person(db_session, booking, "Approval not given in time", "approval_expired")


def cancelled(db_session: Session, booking: Booking, held_a_place: bool) -> None:
    calendar = cancellation(db_session, booking) if held_a_place else None
    to_person(db_session, booking, "Booking cancelled", "cancelled", calendar)


def session_changed(db_session: Session, booking: Booking) -> None:
    to_person(
        db_session, booking, "Session changed", "session_changed", invite(db_session, booking)
    )


def session_changed_while_waiting(db_session: Session, booking: Booking) -> None:
    """No invite to update, but they must hear of the move while they can still cancel."""
    to_person(db_session, booking, "Session changed", "session_changed_while_waiting")


def session_cancelled(db_session: Session, booking: Booking) -> None:
    held_a_place = booking.status is BookingStatus.CONFIRMED
    calendar = cancellation(db_session, booking) if held_a_place else None
    to_person(db_session, booking, "Session cancelled", "session_cancelled", calendar)
