"""Approvals: the bookings of people who missed too many places, each approved or
declined by a coordinator with a reason."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.approvals import queries
from app.admin.approvals.forms import CoordinatorDecisionForm
from app.admin.users.service import bookings_of
from app.bookings import service
from app.bookings.overdue import release_overdue_approvals
from app.database import locks_for_itself
from app.errors import try_again_page
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import BookingStatus, utcnow
from app.refusals import Refused, TryAgain
from app.transactions import saved


@bp.get("/approvals")
def approvals():
    limit = service.limit_from(current_app.config)
    waiting = queries.waiting_for_coordinator(db.session, utcnow(), limit)
    return render_template("admin/approvals/index.html", waiting=waiting, limit=limit)


def decision_page(form: CoordinatorDecisionForm, booking_id: int):
    booking = queries.booking_for_decision(db.session, booking_id) or abort(404)
    if release_overdue_approvals(booking.session_id):
        booking = queries.booking_for_decision(db.session, booking_id)
    limit = service.limit_from(current_app.config)
    histories = queries.histories_of(db.session, {booking.user_id}, utcnow(), limit)
    return form_page(
        "admin/approvals/decide.html",
        form,
        booking=booking,
        session=booking.session,
        person=booking.user,
        history=histories[booking.user_id],
        bookings=bookings_of(db.session, booking.user),
        limit=limit,
        open=booking.status is BookingStatus.AWAITING_COORDINATOR,
    )


@bp.route("/approvals/<id:booking_id>", methods=["GET", "POST"])
@locks_for_itself
def approval(booking_id: int):
    """The booking, the person's record of attending, and the decision; 404 for a booking
    no coordinator was asked about."""
    form = CoordinatorDecisionForm()
    if not form.validate_on_submit():
        return decision_page(form, booking_id)
    try:
        booking = saved(
            service.coordinator_decides,
            db.session,
            booking_id,
            form.approves,
            form.reason.data,
            current_user,
            utcnow(),
            service.last_minute_from(current_app.config),
        )
    except service.NotOffered:
        abort(404)
    except TryAgain:
        return try_again_page()
    except Refused as refusal:
        show_refusal(form, refusal)
        return decision_page(form, booking_id)
    flash(decided_message(booking), "success")
    return redirect(url_for("admin.approvals"))


def decided_message(booking) -> str:
    person = booking.user.name
    if booking.status is BookingStatus.CONFIRMED:
        return f"Approved: {person}'s place is confirmed. We have emailed them."
    if booking.status is BookingStatus.AWAITING_APPROVAL:
        return (
            f"Approved: {person}'s place now waits for their line manager's approval. We "
            "have emailed them and their manager."
        )
    return f"Declined: {person}'s place goes to the next person waiting. We have emailed them."
