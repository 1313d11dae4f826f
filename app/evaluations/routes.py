"""The pages of the links mailed after a session: the evaluation, the follow-up and the
line manager's view. None needs signing in, as people answer on their phones from the
mail: the signed link (app/evaluations/tokens.py) is what says who is answering."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.evaluations import service, tokens
from app.evaluations.forms import FollowUpForm, ManagerViewForm, evaluation_form
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import CONFIDENCE_LABELS, RATING_LABELS, utcnow
from app.transactions import saved

bp = Blueprint("evaluations", __name__)


def link_not_valid():
    return render_template("evaluations/invalid.html"), 404


def not_asked(booking, reason: str, status: int = 200):
    return render_template("evaluations/not_asked.html", booking=booking, reason=reason), status


@bp.route("/evaluations/<token>", methods=["GET", "POST"])
def evaluate(token: str):
    """The evaluation of one booking: the form, or what was sent, read-only."""
    booking_id = tokens.booking_id_from(tokens.EVALUATE, token)
    page = service.evaluation_page(db.session, booking_id, utcnow()) if booking_id else None
    if page is None:
        return link_not_valid()
    if page.evaluation is not None:
        return sent_evaluation(page)
    if page.refusal:
        return not_asked(page.booking, page.refusal, 400 if request.method == "POST" else 200)
    form = evaluation_form(page.outcomes)
    if not form.validate_on_submit():
        return evaluation_form_page(form, page)
    try:
        saved(service.evaluate, db.session, booking_id, form.answers(page.outcomes), utcnow())
    except service.AlreadySent:
        # Sent a moment ago, in another tab or by a second press: it is shown as sent.
        return sent_evaluation(service.evaluation_page(db.session, booking_id, utcnow()))
    except service.NotAsked as refusal:
        return not_asked(page.booking, str(refusal), 400)
    except service.Refused as refusal:
        show_refusal(form, refusal)
        return evaluation_form_page(form, page)
    flash("Thank you: your evaluation has been sent.", "success")
    return redirect(url_for("evaluations.evaluate", token=token))


def evaluation_form_page(form, page: service.EvaluationPage):
    return form_page(
        "evaluations/evaluate.html",
        form,
        booking=page.booking,
        session=page.booking.session,
        confidence_fields=form.confidence_fields(page.outcomes),
    )


def sent_evaluation(page: service.EvaluationPage):
    return render_template(
        "evaluations/sent.html",
        booking=page.booking,
        session=page.booking.session,
        evaluation=page.evaluation,
        confidence=page.confidence,
        confidence_labels=CONFIDENCE_LABELS,
        rating_labels=RATING_LABELS,
    )


@bp.route("/evaluations/<token>/follow-up", methods=["GET", "POST"])
def follow_up(token: str):
    """The follow-up weeks after the session, for a booking that was evaluated."""
    booking_id = tokens.booking_id_from(tokens.FOLLOW_UP, token)
    page = service.follow_up_page(db.session, booking_id) if booking_id else None
    if page is None:
        return link_not_valid()
    if page.follow_up is not None:
        return sent_follow_up(page)
    if page.refusal:
        return not_asked(page.booking, page.refusal, 400 if request.method == "POST" else 200)
    form = FollowUpForm(data={"manager_email": page.manager_email})
    if not form.validate_on_submit():
        return follow_up_form_page(form, page)
    try:
        saved(service.follow_up, db.session, booking_id, form.answers(), utcnow())
    except service.AlreadySent:
        return sent_follow_up(service.follow_up_page(db.session, booking_id))
    except service.NotAsked as refusal:
        return not_asked(page.booking, str(refusal), 400)
    except service.Refused as refusal:
        show_refusal(form, refusal)
        return follow_up_form_page(form, page)
    flash("Thank you: your answer has been sent.", "success")
    return redirect(url_for("evaluations.follow_up", token=token))


def follow_up_form_page(form, page: service.FollowUpPage):
    return form_page(
        "evaluations/follow_up.html", form, booking=page.booking, session=page.booking.session
    )


def sent_follow_up(page: service.FollowUpPage):
    return render_template(
        "evaluations/follow_up_sent.html",
        booking=page.booking,
        session=page.booking.session,
        follow_up=page.follow_up,
    )


@bp.route("/evaluations/<token>/manager", methods=["GET", "POST"])
def manager_view(token: str):
    """For the line manager, who has no account: their view, once, from the mailed link."""
    booking_id = tokens.booking_id_from(tokens.MANAGER_VIEW, token)
    page = service.manager_page(db.session, booking_id) if booking_id else None
    if page is None:
        return link_not_valid()
    if page.follow_up.manager_has_answered:
        return sent_manager_view(page)
    form = ManagerViewForm()
    if not form.validate_on_submit():
        return manager_form_page(form, page)
    try:
        saved(service.give_manager_view, db.session, booking_id, form.view.data or "", utcnow())
    except service.AlreadySent:
        return sent_manager_view(service.manager_page(db.session, booking_id))
    except service.Refused as refusal:
        show_refusal(form, refusal)
        return manager_form_page(form, page)
    flash("Thank you: your view has been sent.", "success")
    return redirect(url_for("evaluations.manager_view", token=token))


def manager_form_page(form, page: service.ManagerPage):
    return form_page(
        "evaluations/manager.html", form, booking=page.booking, session=page.booking.session
    )


def sent_manager_view(page: service.ManagerPage):
    return render_template(
        "evaluations/manager_sent.html",
        booking=page.booking,
        session=page.booking.session,
        follow_up=page.follow_up,
    )
