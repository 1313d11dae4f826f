"""Giving one's place to a colleague, withdrawing the offer, and claiming a place offered."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.bookings.queries import get_own_booking
from app.bookings.service import limit_from
from app.database import locks_for_itself
from app.errors import try_again_page
from app.extensions import db
from app.forms import page_status, show_refusal
from app.models import utcnow
from app.refusals import Refused, TryAgain
from app.transactions import id_of, saved
from app.transfers import bp, service
from app.transfers.forms import ClaimForm, GiveForm, WithdrawForm
from app.transfers.tokens import transfer_id_from


@bp.route("/bookings/<id:booking_id>/transfer", methods=["GET", "POST"])
@login_required
@locks_for_itself
def give(booking_id: int):
    """Ask for the colleague's email, and give them the place; 404 to all but its owner."""
    booking = get_own_booking(db.session, booking_id, current_user) or abort(404)
    offer = service.open_offer(db.session, booking.id)
    reason = service.why_not_given(booking, utcnow(), offer)
    form = GiveForm()
    if reason is None and form.validate_on_submit():
        try:
            transfer = saved(
                service.give,
                db.session,
                booking_id,
                current_user,
                form.email.data,
                utcnow(),
                limit_from(current_app.config),
            )
        except TryAgain:
            return try_again_page()
        except Refused as refusal:
            show_refusal(form, refusal, at="email")
        else:
            if transfer.claimed_at is not None:
                flash(
                    f"Your place is now {transfer.to_user.name}'s. We have emailed you both.",
                    "success",
                )
            else:
                flash(
                    f"We have emailed {transfer.to_email} a link to claim your place. It stays "
                    "yours until they do.",
                    "success",
                )
            return redirect(url_for("bookings.show", booking_id=booking_id))
        booking = get_own_booking(db.session, booking_id, current_user)
    return render_template(
        "transfers/give.html",
        booking=booking,
        session=booking.session,
        form=form,
        reason=reason,
    ), page_status(form)


@bp.post("/bookings/<id:booking_id>/transfer/withdraw")
@login_required
@locks_for_itself
def withdraw(booking_id: int):
    """Take back the offer of one's place; anyone else's booking answers 404."""
    get_own_booking(db.session, booking_id, current_user) or abort(404)
    if not WithdrawForm().validate_on_submit():
        abort(400, "The form had expired: go back, reload the page and try again.")
    try:
        saved(service.withdraw, db.session, booking_id, current_user, utcnow())
    except TryAgain:
        return try_again_page()
    except Refused as refusal:
        flash(str(refusal), "info")
    else:
        flash("The offer is withdrawn: the place is still yours.", "success")
    return redirect(url_for("bookings.show", booking_id=booking_id))


@bp.route("/transfers/<token>", methods=["GET", "POST"])
@locks_for_itself
def claim(token: str):
    """For the colleague, from the mailed link: what is offered, and the button to take it
    once they are signed in with the address it was offered to."""
    transfer_id = transfer_id_from(token)
    transfer = service.get_transfer(db.session, transfer_id) if transfer_id else None
    if transfer is None:
        return render_template("transfers/invalid.html"), 404
    now = utcnow()
    form = ClaimForm()
    closed = service.why_not_claimed(transfer, now)
    signed_in = current_user.is_authenticated
    not_yours = service.why_not_yours(transfer, current_user) if signed_in else None
    if not closed and not not_yours and signed_in and form.validate_on_submit():
        try:
            booking = saved(
                service.claim,
                db.session,
                transfer_id,
                current_user,
                now,
                limit_from(current_app.config),
            )
        except TryAgain:
            return try_again_page()
        except Refused as refusal:
            transfer = service.get_transfer(db.session, transfer_id)
            closed = str(refusal)
        else:
            flash("The place is yours. We have emailed you the calendar invite.", "success")
            return redirect(url_for("bookings.show", booking_id=id_of(booking)))
    return render_template(
        "transfers/claim.html",
        transfer=transfer,
        session=transfer.booking.session,
        form=form,
        closed=closed,
        not_yours=not_yours,
        signed_in=signed_in,
        token=token,
    ), page_status(form)
