"""Training done elsewhere: the records waiting for a decision, each with its certificate,
accepted or rejected with a reason the person is mailed."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.external_training.forms import ExternalTrainingDecisionForm
from app.extensions import db
from app.external_training import queries, service
from app.external_training.pages import certificate_download
from app.forms import form_page, show_refusal
from app.models import utcnow
from app.refusals import Refused
from app.transactions import saved


@bp.get("/external-training")
def external_training():
    return render_template(
        "admin/external_training/index.html",
        waiting=queries.waiting_for_a_coordinator(db.session),
    )


def decision_page(form: ExternalTrainingDecisionForm, training_id: int):
    training = queries.record_for_coordinator(db.session, training_id) or abort(404)
    return form_page(
        "admin/external_training/show.html",
        form,
        training=training,
        person=training.user,
        why_not=service.why_not_decided(training, current_user),
    )


@bp.route("/external-training/<id:training_id>", methods=["GET", "POST"])
def external_training_record(training_id: int):
    """The record and the decision on it; 404 for no record."""
    form = ExternalTrainingDecisionForm()
    if not form.validate_on_submit():
        return decision_page(form, training_id)
    try:
        training = saved(
            service.decide,
            db.session,
            training_id,
            form.accepts,
            form.reason.data or "",
            current_user,
            utcnow(),
        )
    except service.NoSuchRecord:
        abort(404)
    except Refused as refusal:
        show_refusal(form, refusal)
        return decision_page(form, training_id)
    decided = "accepted" if training.is_accepted else "not accepted"
    flash(
        f"{training.user.name}'s {training.course.title} is {decided}. We have emailed them.",
        "success",
    )
    return redirect(url_for("admin.external_training"))


@bp.get("/external-training/<id:training_id>/certificate")
def external_training_certificate(training_id: int):
    training = queries.record_for_coordinator(db.session, training_id) or abort(404)
    return certificate_download(training)
