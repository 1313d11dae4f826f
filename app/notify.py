"""The mail layer: turns the notices a change returns into messages in the outbox.

Links in the mail (confirmations, resets, approvals) are signed and made here, so the
rules that asked for them need neither the app's secret nor its address.

It runs after the rules, in the change's transaction (app/transactions.py), so the
messages are committed with the change or not at all. Each kind of notice names its
subject, its templates (`mail/bookings/<template>.txt` and `.html`) and whether a
calendar invite or cancellation goes with it.
"""

from collections.abc import Iterable
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import tokens
from app.bookings.tokens import approval_token, offer_token
from app.calendar import ics
from app.calendar.events import booking_event, prodid
from app.charges.service import manager_told
from app.evaluations.tokens import evaluation_token, follow_up_token, manager_view_token
from app.links import absolute_url
from app.mail import queue_mail
from app.models import Booking, BookingStatus, FollowUp, utcnow
from app.notices import Notice, NoticeKind
from app.records.queries import refresher_due_on
from app.transfers.tokens import transfer_token


def send(db_session: Session, notices: Iterable[Notice]) -> None:
    """Queue a message for each notice, in the order they were given."""
    for notice in notices:
        WRITERS[notice.kind](db_session, notice)


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
    **context,
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
        **context,
    )


def with_invite(subject: str, template: str):
    def write(db_session: Session, notice: Notice) -> None:
        booking = notice.booking
        to_person(db_session, booking, subject, template, invite(db_session, booking))

    return write


def plain(subject: str, template: str):
    def write(db_session: Session, notice: Notice) -> None:
        to_person(db_session, notice.booking, subject, template)

    return write


def copied_to_manager(write, subject: str):
    """A writer that also sends the person's line manager a copy, when the partnership asks
    for copies (COPY_LINE_MANAGER): without the invite or the joining link, which are for
    the person who holds the place."""

    def write_and_copy(db_session: Session, notice: Notice) -> None:
        write(db_session, notice)
        if not current_app.config["COPY_LINE_MANAGER"]:
            return
        booking = notice.booking
        manager = booking.manager_email or booking.user.line_manager_email
        if manager:
            queue_mail(
                db_session,
                manager,
                f"Copy: {subject} for {booking.user.name}: {booking.session.course.title}",
                "bookings/manager_copy",
                booking=booking,
                session=booking.session,
                what=subject,
            )

    return write_and_copy


def waiting(db_session: Session, notice: Notice) -> None:
    """On the waiting list; why, where the session's places are shared between sectors."""
    to_person(db_session, notice.booking, "On the waiting list", "waiting", why=notice.message)


def approval_requested(db_session: Session, notice: Notice) -> None:
    booking = notice.booking
    to_person(db_session, booking, "Waiting for your manager's approval", "awaiting_approval")
    ask_the_manager(db_session, booking)


def ask_the_manager(db_session: Session, booking: Booking) -> None:
    queue_mail(
        db_session,
        booking.manager_email,
        f"Please approve training for {booking.user.name}",
        "bookings/approval_request",
        booking=booking,
        session=booking.session,
        decision_url=absolute_url("bookings.approval", token=approval_token(booking)),
    )


confirmed_by_a_coordinator = copied_to_manager(
    with_invite("Approved: place confirmed", "coordinator_approved"), "Place confirmed"
)


def coordinator_approved(db_session: Session, notice: Notice) -> None:
    """The place is confirmed, or now waits for the line manager, who is asked."""
    booking = notice.booking
    if booking.status is BookingStatus.CONFIRMED:
        confirmed_by_a_coordinator(db_session, notice)
        return
    to_person(db_session, booking, "Approved by a coordinator", "coordinator_approved")
    ask_the_manager(db_session, booking)


def last_minute_offer(db_session: Session, notice: Notice) -> None:
    """The place is theirs to accept until its deadline: a link for each answer, which
    works without signing in."""
    booking = notice.booking
    token = offer_token(booking)
    queue_mail(
        db_session,
        booking.user.email,
        f"A place is offered to you: {booking.session.course.title}",
        "bookings/last_minute_offer",
        booking=booking,
        session=booking.session,
        accept_url=absolute_url("bookings.accept_offer_link", token=token),
        decline_url=absolute_url("bookings.decline_offer_link", token=token),
        booking_url=absolute_url("bookings.show", booking_id=booking.id),
    )


def cancelled(db_session: Session, notice: Notice) -> None:
    booking = notice.booking
    calendar = cancellation(db_session, booking) if notice.held_a_place else None
    to_person(db_session, booking, "Booking cancelled", "cancelled", calendar)


def session_cancelled(db_session: Session, notice: Notice) -> None:
    booking = notice.booking
    held_a_place = booking.status is BookingStatus.CONFIRMED
    calendar = cancellation(db_session, booking) if held_a_place else None
    to_person(db_session, booking, "Session cancelled", "session_cancelled", calendar)


def to_account_owner(
    db_session: Session, notice: Notice, subject: str, template: str, **links: str
) -> None:
    queue_mail(db_session, notice.person.email, subject, template, user=notice.person, **links)


def already_registered(db_session: Session, notice: Notice) -> None:
    to_account_owner(
        db_session,
        notice,
        "You already have an account",
        "already_registered",
        sign_in_url=absolute_url("accounts.sign_in"),
        reset_url=absolute_url("accounts.reset_password"),
    )


def confirm_email(db_session: Session, notice: Notice) -> None:
    token = tokens.verify_email_token(notice.person)
    verify_url = absolute_url("accounts.verify", token=token)
    to_account_owner(
        db_session, notice, "Confirm your email address", "verify_email", verify_url=verify_url
    )


def reset_password(db_session: Session, notice: Notice) -> None:
    token = tokens.reset_password_token(notice.person)
    reset_url = absolute_url("accounts.choose_password", token=token)
    to_account_owner(
        db_session, notice, "Reset your password", "reset_password", reset_url=reset_url
    )


def confirm_new_email(db_session: Session, notice: Notice) -> None:
    """To the address the account asked to change to: opening the link makes the change."""
    token = tokens.change_email_token(notice.person, notice.address)
    queue_mail(
        db_session,
        notice.address,
        "Confirm your new email address",
        "confirm_new_email",
        user=notice.person,
        new_email=notice.address,
        verify_url=absolute_url("accounts.verify", token=token),
    )


def address_in_use(db_session: Session, notice: Notice) -> None:
    """To the owner of an address another account asked to change to, which it cannot."""
    to_account_owner(
        db_session,
        notice,
        "Someone asked to use your email address",
        "address_in_use",
        sign_in_url=absolute_url("accounts.sign_in"),
        reset_url=absolute_url("accounts.reset_password"),
    )


def no_account_to_reset(db_session: Session, notice: Notice) -> None:
    """To an address a reset was asked for that no account can sign in with."""
    queue_mail(
        db_session,
        notice.address,
        "Reset your password",
        "no_account_to_reset",
        address=notice.address,
        register_url=absolute_url("accounts.register"),
        reset_url=absolute_url("accounts.reset_password"),
    )


def email_changed(db_session: Session, notice: Notice) -> None:
    """To the address it replaced, so its owner hears of a change they did not make."""
    queue_mail(
        db_session,
        notice.old_email,
        "Your email address was changed",
        "email_changed",
        user=notice.person,
        old_email=notice.old_email,
    )


def message_from_trainer(db_session: Session, notice: Notice) -> None:
    queue_mail(
        db_session,
        notice.booking.user.email,
        notice.subject,
        "trainer/message",
        person=notice.booking.user,
        session=notice.booking.session,
        message=notice.message,
        sender=notice.sender,
    )


def evaluation_request(db_session: Session, notice: Notice) -> None:
    booking = notice.booking
    queue_mail(
        db_session,
        booking.user.email,
        f"Tell us what you thought: {booking.session.course.title}",
        "evaluations/request",
        booking=booking,
        session=booking.session,
        evaluation_url=absolute_url("evaluations.evaluate", token=evaluation_token(booking)),
    )


def follow_up(db_session: Session, notice: Notice) -> None:
    booking = notice.booking
    queue_mail(
        db_session,
        booking.user.email,
        f"Has the training changed your practice? {booking.session.course.title}",
        "evaluations/follow_up",
        booking=booking,
        session=booking.session,
        follow_up_url=absolute_url("evaluations.follow_up", token=follow_up_token(booking)),
    )


def manager_view_requested(db_session: Session, notice: Notice) -> None:
    """To the address the person gave in their follow-up, which may not be their account's."""
    booking = notice.booking
    follow_up = db_session.scalar(select(FollowUp).where(FollowUp.booking_id == booking.id))
    queue_mail(
        db_session,
        follow_up.manager_email,
        f"Your view of {booking.user.name}'s training: {booking.session.course.title}",
        "evaluations/manager_view",
        booking=booking,
        session=booking.session,
        manager_view_url=absolute_url(
            "evaluations.manager_view", token=manager_view_token(booking)
        ),
    )


def refresher_due(db_session: Session, notice: Notice) -> None:
    """About the last session of a course the person attended: its refresher is due soon."""
    booking = notice.booking
    course = booking.session.course
    queue_mail(
        db_session,
        booking.user.email,
        f"Refresher due: {course.title}",
        "records/refresher_due",
        person=booking.user,
        course=course,
        session=booking.session,
        due=refresher_due_on(booking),
        course_url=absolute_url("catalogue.course", slug=course.slug),
        record_url=absolute_url("records.record"),
    )


def place_given(db_session: Session, notice: Notice) -> None:
    """To the person who gave their place, with the calendar cancellation of their event."""
    booking = notice.booking
    queue_mail(
        db_session,
        booking.user.email,
        f"Place given to {notice.person.name}: {booking.session.course.title}",
        "transfers/given",
        calendar=cancellation(db_session, booking),
        booking=booking,
        session=booking.session,
        colleague=notice.person,
        booking_url=absolute_url("bookings.show", booking_id=booking.id),
    )


def place_received(db_session: Session, notice: Notice) -> None:
    booking = notice.booking
    queue_mail(
        db_session,
        booking.user.email,
        f"A place given to you: {booking.session.course.title}",
        "transfers/received",
        calendar=invite(db_session, booking),
        booking=booking,
        session=booking.session,
        giver=notice.transfer.from_user,
        booking_url=absolute_url("bookings.show", booking_id=booking.id),
    )


def place_offered(db_session: Session, notice: Notice) -> None:
    """To the colleague's address, which may have no account yet: the link to claim it."""
    transfer = notice.transfer
    session = notice.booking.session
    queue_mail(
        db_session,
        transfer.to_email,
        f"{transfer.from_user.name} offers you their place: {session.course.title}",
        "transfers/offered",
        transfer=transfer,
        giver=transfer.from_user,
        session=session,
        claim_url=absolute_url("transfers.claim", token=transfer_token(transfer)),
        register_url=absolute_url("accounts.register"),
    )


def offer_returned(db_session: Session, notice: Notice) -> None:
    """The offer ran out: the place stays with the person who offered it."""
    booking = notice.booking
    queue_mail(
        db_session,
        booking.user.email,
        f"Your place is still yours: {booking.session.course.title}",
        "transfers/returned",
        booking=booking,
        session=booking.session,
        transfer=notice.transfer,
        booking_url=absolute_url("bookings.show", booking_id=booking.id),
    )


def date_published(db_session: Session, notice: Notice) -> None:
    """To a person on a course's interest list: a date to book, and how to leave the list."""
    session, person = notice.session, notice.person
    course = session.course
    queue_mail(
        db_session,
        person.email,
        f"A new date for {course.title}",
        "interest/date_published",
        person=person,
        session=session,
        booking_opens=None if session.booking_is_open(utcnow()) else session.booking_opens_at,
        book_url=absolute_url("bookings.book", session_id=session.id),
        course_url=absolute_url("catalogue.course", slug=course.slug),
    )


def about_a_charge(subject: str, template: str):
    """A writer of mail about a booking's latest charge, to the person and, in words for
    them, to their line manager, saying where to write to dispute it."""

    def write(db_session: Session, notice: Notice) -> None:
        booking = notice.booking
        person = booking.user
        context = {
            "booking": booking,
            "session": booking.session,
            "person": person,
            "charge": booking.charges[-1],
            "dispute_address": parseaddr(current_app.config["MAIL_FROM"])[1],
            "bookings_url": absolute_url("accounts.bookings"),
        }
        course = booking.session.course.title
        queue_mail(
            db_session,
            person.email,
            f"{subject}: {course}",
            f"charges/{template}",
            for_manager=False,
            **context,
        )
        if manager := manager_told(booking):
            queue_mail(
                db_session,
                manager,
                f"{subject} for {person.name}: {course}",
                f"charges/{template}",
                for_manager=True,
                **context,
            )

    return write


def about_external_training(subject: str, template: str):
    """A writer of the coordinator's decision on training the person did elsewhere."""

    def write(db_session: Session, notice: Notice) -> None:
        training = notice.external_training
        queue_mail(
            db_session,
            training.user.email,
            f"{subject}: {training.course.title}",
            f"external_training/{template}",
            person=training.user,
            training=training,
            external_training_url=absolute_url("external_training.index"),
            record_url=absolute_url("records.record"),
        )

    return write


WRITERS = {
    NoticeKind.CONFIRMED: copied_to_manager(
        with_invite("Place confirmed", "confirmed"), "Place confirmed"
    ),
    NoticeKind.WAITING: waiting,
    NoticeKind.PROMOTED: copied_to_manager(
        with_invite("A place is yours", "promoted"), "Place confirmed"
    ),
    NoticeKind.APPROVAL_REQUESTED: approval_requested,
    NoticeKind.APPROVED: copied_to_manager(
        with_invite("Approved: place confirmed", "approved"), "Place confirmed"
    ),
    NoticeKind.DECLINED: plain("Not approved", "declined"),
    NoticeKind.APPROVAL_EXPIRED: plain("Approval not given in time", "approval_expired"),
    NoticeKind.COORDINATOR_ASKED: plain(
        "Waiting for a coordinator's decision", "awaiting_coordinator"
    ),
    NoticeKind.COORDINATOR_APPROVED: coordinator_approved,
    NoticeKind.COORDINATOR_DECLINED: plain("Not approved", "coordinator_declined"),
    NoticeKind.COORDINATOR_EXPIRED: plain("Decision not made in time", "coordinator_expired"),
    NoticeKind.LAST_MINUTE_OFFER: last_minute_offer,
    NoticeKind.LAST_MINUTE_OFFER_DECLINED: plain("Place declined", "offer_declined"),
    NoticeKind.LAST_MINUTE_OFFER_LAPSED: plain("Offer not answered in time", "offer_lapsed"),
    NoticeKind.CANCELLED: cancelled,
    NoticeKind.SESSION_CHANGED: with_invite("Session changed", "session_changed"),
    # No invite to update, but they must hear of the move while they can still cancel.
    NoticeKind.SESSION_CHANGED_WHILE_WAITING: plain(
        "Session changed", "session_changed_while_waiting"
    ),
    NoticeKind.SESSION_CANCELLED: session_cancelled,
    # The invite again, as it was last sent (its UID and SEQUENCE), so no calendar adds it twice.
    NoticeKind.REMINDER: copied_to_manager(
        with_invite("Reminder", "reminder"), "Reminder of the session"
    ),
    NoticeKind.EVALUATION_REQUEST: evaluation_request,
    NoticeKind.FOLLOW_UP: follow_up,
    NoticeKind.MANAGER_VIEW_REQUESTED: manager_view_requested,
    NoticeKind.REFRESHER_DUE: refresher_due,
    NoticeKind.MESSAGE_FROM_TRAINER: message_from_trainer,
    NoticeKind.ALREADY_REGISTERED: already_registered,
    NoticeKind.CONFIRM_EMAIL: confirm_email,
    NoticeKind.EMAIL_CHANGED: email_changed,
    NoticeKind.CONFIRM_NEW_EMAIL: confirm_new_email,
    NoticeKind.ADDRESS_IN_USE: address_in_use,
    NoticeKind.RESET_PASSWORD: reset_password,
    NoticeKind.NO_ACCOUNT_TO_RESET: no_account_to_reset,
    NoticeKind.PLACE_GIVEN: place_given,
    NoticeKind.PLACE_RECEIVED: copied_to_manager(place_received, "Place confirmed"),
    NoticeKind.PLACE_OFFERED: place_offered,
    NoticeKind.OFFER_RETURNED: offer_returned,
    NoticeKind.CHARGE_RAISED: about_a_charge("Charge for a wasted place", "raised"),
    NoticeKind.CHARGE_CANCELLED: about_a_charge("Charge cancelled", "cancelled"),
    NoticeKind.CHARGE_WAIVED: about_a_charge("Charge waived", "waived"),
    NoticeKind.INTEREST_DATE_PUBLISHED: date_published,
    NoticeKind.EXTERNAL_TRAINING_ACCEPTED: about_external_training("Training accepted", "accepted"),
    NoticeKind.EXTERNAL_TRAINING_REJECTED: about_external_training(
        "Training not accepted", "rejected"
    ),
}
