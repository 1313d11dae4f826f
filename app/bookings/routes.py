"""Booking a place, seeing and cancelling it, a line manager's approval, and answering a
place offered at the last minute."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.bookings import bp, service
from app.bookings.forms import (
    AcceptOfferForm,
    BookingForm,
    CancelForm,
    DecisionForm,
    DeclineOfferForm,
    booking_form,
    outcome_ids_sent,
)
from app.bookings.overdue import release_overdue_approvals
from app.bookings.queries import get_booking_for_decision, get_own_booking, queue_position_of
from app.bookings.sectors import why_waiting
from app.bookings.tokens import booking_id_from, offered_booking_id_from
from app.calendar import ics
from app.calendar.events import booking_event
from app.catalogue.queries import get_session_to_book
from app.charges.service import charge_if_cancelled_late, rates_from
from app.database import locks_for_itself
from app.display import pounds
from app.errors import try_again_page
from app.evaluations import service as evaluations
from app.evaluations.tokens import evaluation_token
from app.extensions import db
from app.forms import page_status
from app.models import BookingStatus, utcnow
from app.prerequisites.service import PrerequisitesMissing
from app.refusals import Refused, TryAgain
from app.transactions import id_of, saved
from app.transfers import service as transfers
from app.transfers.forms import WithdrawForm


@bp.route("/sessions/<id:session_id>/book", methods=["GET", "POST"])
@login_required
@locks_for_itself
def book(session_id: int):
    """Confirm, then book a place or join the waiting list; 404 for an unpublished session."""
    if request.method == "POST":
        form = booking_form(outcome_ids_sent(request.form))
        if form.validate_on_submit():
            # The service checks everything under the lock: checking first would only cost
            # time.
            return place_booking(session_id, form)
    session = get_session_to_book(db.session, session_id) or abort(404)
    form = booking_form({outcome.id: outcome.text for outcome in session.course.outcomes})
    # Again against the course's own outcomes: to show each error beside its outcome, or
    # to book when the only errors were in answers to outcomes the course does not have.
    if request.method == "POST" and form.validate():
        return place_booking(session_id, form)
    try:
        limit = service.limit_from(current_app.config)
        last_minute = service.last_minute_from(current_app.config)
        offer = service.offer(db.session, session, current_user, utcnow(), limit, last_minute)
        if offer.approvals_overdue and release_overdue_approvals(session_id):
            session = get_session_to_book(db.session, session_id)
            offer = service.offer(db.session, session, current_user, utcnow(), limit, last_minute)
    except service.AlreadyBooked as refusal:
        return show_existing_booking(refusal.booking_id)
    except Refused as refusal:
        return cannot_book_page(session, refusal, page_status(form))
    return render_template(
        "bookings/confirm.html", session=session, offer=offer, form=form
    ), page_status(form)


def place_booking(session_id: int, form: BookingForm):
    access_needs = form.access_needs.data or ""
    try:
        booking = saved(
            service.book,
            db.session,
            session_id,
            current_user,
            access_needs,
            utcnow(),
            form.confidence(),
            service.limit_from(current_app.config),
            service.last_minute_from(current_app.config),
        )
    except service.AlreadyBooked as refusal:
        return show_existing_booking(refusal.booking_id)
    except TryAgain:
        return try_again_page()
    except service.NotOffered:
        abort(404)
    except Refused as refusal:
        return cannot_book_page(
            get_session_to_book(db.session, session_id) or abort(404), refusal, 400
        )
    return redirect(url_for("bookings.show", booking_id=id_of(booking)))


def cannot_book_page(session, refusal: Refused, status: int):
    return render_template(
        "bookings/cannot_book.html",
        session=session,
        reason=str(refusal),
        missing=refusal.rows if isinstance(refusal, PrerequisitesMissing) else [],
        mend_details=refusal.field == service.DETAILS,
    ), status


def show_existing_booking(booking_id: int):
    flash("You already have a booking for this session.", "info")
    return redirect(url_for("bookings.show", booking_id=booking_id))


@bp.get("/bookings/<id:booking_id>")
@login_required
def show(booking_id: int):
    """The booking, to its owner only: anyone else gets 404."""
    booking = get_own_booking(db.session, booking_id, current_user) or abort(404)
    if release_overdue_approvals(booking.session_id):
        booking = get_own_booking(db.session, booking_id, current_user)
    after = evaluations.after_the_session(db.session, booking, utcnow())
    return render_template(
        "bookings/show.html",
        booking=booking,
        session=booking.session,
        queue_position=queue_position_of(db.session, booking),
        waiting_because=why_waiting(db.session, booking, utcnow()),
        calendar_links=add_to_calendar_links(booking),
        after=after,
        evaluation_url=url_for("evaluations.evaluate", token=evaluation_token(booking)),
        form=CancelForm(),
        offer_closed=offer_closed(booking),
        accept_form=AcceptOfferForm(),
        decline_form=DeclineOfferForm(),
        now=utcnow(),
        giving=transfers.giving(db.session, booking, utcnow()),
        withdraw_form=WithdrawForm(),
        late_charge=charge_if_cancelled_late(booking, rates_from(current_app.config)),
    )


def offer_closed(booking) -> str | None:
    """Why a place offered to this booking can no longer be answered; None while it can,
    or when none is offered."""
    if booking.status is not BookingStatus.OFFERED:
        return None
    return service.why_offer_closed(booking, utcnow())


def add_to_calendar_links(booking) -> dict[str, str] | None:
    """ "Add to Google Calendar" and "Add to Outlook.com", for a confirmed place."""
    if booking.status is not BookingStatus.CONFIRMED or booking.session.is_cancelled:
        return None
    event = booking_event(db.session, booking, utcnow())
    return {"google": ics.google_calendar_link(event), "outlook": ics.outlook_calendar_link(event)}


@bp.post("/bookings/<id:booking_id>/cancel")
@login_required
@locks_for_itself
def cancel(booking_id: int):
    """Cancel one's own booking; anyone else's answers 404."""
    get_own_booking(db.session, booking_id, current_user) or abort(404)
    if not CancelForm().validate_on_submit():
        abort(400, "The form had expired: go back, reload the page and try again.")
    try:
        booking = saved(
            service.cancel,
            db.session,
            booking_id,
            current_user,
            utcnow(),
            rates=rates_from(current_app.config),
            last_minute=service.last_minute_from(current_app.config),
        )
    except TryAgain:
        return try_again_page()
    except Refused as refusal:
        flash(str(refusal), "info")
        return redirect(url_for("bookings.show", booking_id=booking_id))
    if booking.declined_the_offer:
        flash(DECLINED, "success")
    elif booking.late_cancellation:
        charge = booking.standing_charge
        charged = (
            f" {charge.agency.name} will be charged {pounds(charge.amount_pence)}: we have "
            "emailed you how to dispute it."
            if charge
            else ""
        )
        flash(
            "Your booking is cancelled. As that was after the cut-off, "
            f"it is recorded as a late cancellation.{charged}",
            "success",
        )
    else:
        flash("Your booking is cancelled.", "success")
    return redirect(url_for("bookings.show", booking_id=booking_id))


@bp.route("/approvals/<token>", methods=["GET", "POST"])
@locks_for_itself
def approval(token: str):
    """For the line manager, who has no account: approve or decline, from the mailed link."""
    booking_id = booking_id_from(token)
    booking = get_booking_for_decision(db.session, booking_id) if booking_id else None
    if booking is None:
        return render_template("bookings/approval_invalid.html"), 404
    if release_overdue_approvals(booking.session_id):
        booking = get_booking_for_decision(db.session, booking_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        status = page_status(form)
        return render_template(
            "bookings/approval.html", booking=booking, form=form, now=utcnow()
        ), status
    try:
        decided = saved(
            service.decide,
            db.session,
            booking_id,
            bool(form.approve.data),
            form.comment.data or "",
            utcnow(),
            service.last_minute_from(current_app.config),
        )
    except TryAgain:
        return try_again_page()
    except Refused as refusal:
        booking = get_booking_for_decision(db.session, booking_id)
        return render_template(
            "bookings/approval.html", booking=booking, form=form, now=utcnow(), refusal=str(refusal)
        ), 400
    return render_template("bookings/approval_done.html", booking=decided)


# A place offered at the last minute: answered on the booking's page by its owner, or from
# the mailed links by whoever holds them, signed in or not.

DECLINED = "You declined the place: it goes to the next person waiting."


def accepted(booking) -> str:
    if booking.status is BookingStatus.AWAITING_APPROVAL:
        return (
            "You accepted the place. We have asked your line manager to approve it, and "
            "emailed you."
        )
    return "The place is yours. We have emailed you the calendar invite."


def accept_now(booking_id: int):
    return saved(service.accept_offer, db.session, booking_id, utcnow())


def decline_now(booking_id: int):
    return saved(
        service.decline_offer,
        db.session,
        booking_id,
        utcnow(),
        service.last_minute_from(current_app.config),
    )


@bp.post("/bookings/<id:booking_id>/accept")
@login_required
@locks_for_itself
def accept(booking_id: int):
    """Accept the place offered to one's own booking; anyone else's answers 404."""
    get_own_booking(db.session, booking_id, current_user) or abort(404)
    return answer_on_the_booking(booking_id, AcceptOfferForm(), accept_now, accepted)


@bp.post("/bookings/<id:booking_id>/decline")
@login_required
@locks_for_itself
def decline(booking_id: int):
    """Decline the place offered to one's own booking; anyone else's answers 404."""
    get_own_booking(db.session, booking_id, current_user) or abort(404)
    return answer_on_the_booking(booking_id, DeclineOfferForm(), decline_now, lambda _: DECLINED)


def answer_on_the_booking(booking_id: int, form, answer, said):
    if not form.validate_on_submit():
        abort(400, "The form had expired: go back, reload the page and try again.")
    try:
        booking = answer(booking_id)
    except TryAgain:
        return try_again_page()
    except Refused as refusal:
        flash(str(refusal), "info")
    else:
        flash(said(booking), "success")
    return redirect(url_for("bookings.show", booking_id=booking_id))


@bp.route("/offers/<token>/accept", methods=["GET", "POST"])
@locks_for_itself
def accept_offer_link(token: str):
    """The offer and a button to accept it; nothing changes until it is pressed (mail
    systems open links to check them)."""
    return answer_from_the_link(token, AcceptOfferForm(), accept_now, accepting=True)


@bp.route("/offers/<token>/decline", methods=["GET", "POST"])
@locks_for_itself
def decline_offer_link(token: str):
    """The offer and a button to decline it; nothing changes until it is pressed."""
    return answer_from_the_link(token, DeclineOfferForm(), decline_now, accepting=False)


def answer_from_the_link(token: str, form, answer, accepting: bool):
    """404 for a link that is not valid; once answered, the page says what became of the
    offer (a POST to an offer no longer open answers 400 and changes nothing)."""
    booking_id = offered_booking_id_from(token)
    booking = get_booking_for_decision(db.session, booking_id) if booking_id else None
    if booking is None:
        return render_template("bookings/offer_invalid.html"), 404
    if release_overdue_approvals(booking.session_id):
        booking = get_booking_for_decision(db.session, booking_id)
    closed = service.why_offer_closed(booking, utcnow())
    status = 200
    if request.method == "POST":
        if closed is None and form.validate_on_submit():
            try:
                answer(booking_id)
            except TryAgain:
                return try_again_page()
            except Refused as refusal:
                booking = get_booking_for_decision(db.session, booking_id)
                closed = str(refusal)
            else:
                return redirect(request.path)
        status = 400
    return render_template(
        "bookings/offer.html",
        booking=booking,
        session=booking.session,
        form=form,
        accepting=accepting,
        closed=closed,
        # Why a button pressed changed nothing, shown as an error.
        problem=closed if request.method == "POST" else None,
        asks_manager=service.needs_a_manager(booking.session, booking),
        token=token,
    ), status
