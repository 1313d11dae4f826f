"""The person's own training done elsewhere, under /account/external-training: the list,
recording one with its certificate, downloading the certificate, withdrawing one that
waits. Anyone else's record answers 404."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.database import locks_for_itself
from app.errors import try_again_page
from app.extensions import db
from app.external_training import bp, queries, service
from app.external_training.forms import ExternalTrainingForm, WithdrawForm
from app.external_training.pages import certificate_download, upload_folder
from app.forms import form_page, show_refusal
from app.models import utcnow
from app.refusals import Refused, TryAgain
from app.transactions import saved


@bp.get("/account/external-training")
@login_required
def index():
    return render_template(
        "external_training/index.html", records=queries.records_of(db.session, current_user.id)
    )


def form_again(form: ExternalTrainingForm):
    """The form, or the form with its errors; a file input cannot be filled in again, so
    it says so when a file was chosen."""
    chosen = form.is_submitted() and bool(form.certificate.data)
    return form_page("external_training/new.html", form, choose_again=chosen)


@bp.route("/account/external-training/new", methods=["GET", "POST"])
@login_required
@locks_for_itself
def new():
    """The form (its course chosen by `?course=<id>`); sent, it records the training and
    its certificate. The file arrives and is checked before the service takes the write
    lock, so a slow upload holds no lock."""
    form = ExternalTrainingForm(queries.recordable_courses(db.session))
    if not form.is_submitted():
        # From an e-learning course's page, which names itself.
        form.course.data = request.args.get("course", "")
    if not form.validate_on_submit():
        return form_again(form)
    try:
        training = saved(
            service.record,
            db.session,
            upload_folder(),
            current_user,
            form.completion(),
            form.upload(),
            utcnow(),
        )
    except TryAgain:
        return try_again_page()
    except Refused as refusal:
        show_refusal(form, refusal)
        return form_again(form)
    flash(
        f"Your {training.course.title} is recorded. A coordinator will check your certificate; "
        "we will email you when they have.",
        "success",
    )
    return redirect(url_for("external_training.index"))


@bp.get("/account/external-training/<id:training_id>/certificate")
@login_required
def certificate(training_id: int):
    training = queries.own_record(db.session, current_user, training_id) or abort(404)
    return certificate_download(training)


@bp.route("/account/external-training/<id:training_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(training_id: int):
    """Asks first; sent, deletes a record still waiting for a coordinator, with its file."""
    training = queries.own_record(db.session, current_user, training_id) or abort(404)
    form = WithdrawForm()
    if form.validate_on_submit():
        title = training.course.title
        try:
            saved(service.withdraw, db.session, upload_folder(), current_user, training_id)
        except service.NoSuchRecord:
            abort(404)
        except Refused as refusal:
            show_refusal(form, refusal)
            training = queries.own_record(db.session, current_user, training_id)
        else:
            flash(f"Your record of {title} is withdrawn, with its certificate.", "success")
            return redirect(url_for("external_training.index"))
    return form_page("external_training/withdraw.html", form, training=training)
