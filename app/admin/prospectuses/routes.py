"""Prospectuses: the catalogues the partnership publishes."""

from flask import flash, redirect, render_template, url_for

from app.accounts.forms import ConfirmForm
from app.admin import bp
from app.admin.prospectuses import service
from app.admin.prospectuses.forms import ProspectusForm
from app.extensions import db
from app.forms import page_status, show_refusal
from app.models import Prospectus


@bp.get("/prospectuses")
def prospectuses():
    return render_template(
        "admin/prospectuses/index.html", rows=service.prospectus_rows(db.session)
    )


@bp.route("/prospectuses/new", methods=["GET", "POST"])
def new_prospectus():
    form = ProspectusForm()
    if not form.validate_on_submit():
        return render_template("admin/prospectuses/form.html", form=form, prospectus=None), (
            page_status(form)
        )
    try:
        prospectus = service.create_prospectus(db.session, form.details())
    except service.ProspectusError as refusal:
        show_refusal(form, refusal)
        return render_template("admin/prospectuses/form.html", form=form, prospectus=None), 400
    db.session.commit()
    flash(f"{prospectus.title} has been added as a draft.", "success")
    return redirect(url_for("admin.prospectus", prospectus_id=prospectus.id))


@bp.get("/prospectuses/<int:prospectus_id>")
def prospectus(prospectus_id: int):
    found = db.get_or_404(Prospectus, prospectus_id)
    return render_template(
        "admin/prospectuses/show.html",
        prospectus=found,
        courses=service.courses_in(db.session, found),
    )


@bp.route("/prospectuses/<int:prospectus_id>/edit", methods=["GET", "POST"])
def edit_prospectus(prospectus_id: int):
    found = db.get_or_404(Prospectus, prospectus_id)
    form = ProspectusForm(obj=found)
    if not form.validate_on_submit():
        return render_template("admin/prospectuses/form.html", form=form, prospectus=found), (
            page_status(form)
        )
    try:
        service.update_prospectus(db.session, found, form.details())
    except service.ProspectusError as refusal:
        show_refusal(form, refusal)
        return render_template("admin/prospectuses/form.html", form=form, prospectus=found), 400
    db.session.commit()
    flash(f"{found.title} has been saved.", "success")
    return redirect(url_for("admin.prospectus", prospectus_id=found.id))


# Buttons without fields: CSRFProtect checks their token, as it does every POST.
@bp.post("/prospectuses/<int:prospectus_id>/publish")
def publish_prospectus(prospectus_id: int):
    found = db.get_or_404(Prospectus, prospectus_id)
    service.publish(db.session, found)
    db.session.commit()
    flash(f"{found.title} is published.", "success")
    return redirect(url_for("admin.prospectus", prospectus_id=found.id))


@bp.post("/prospectuses/<int:prospectus_id>/unpublish")
def unpublish_prospectus(prospectus_id: int):
    found = db.get_or_404(Prospectus, prospectus_id)
    service.unpublish(db.session, found)
    db.session.commit()
    flash(f"{found.title} is no longer published: it is a draft again.", "success")
    return redirect(url_for("admin.prospectus", prospectus_id=found.id))


@bp.route("/prospectuses/<int:prospectus_id>/delete", methods=["GET", "POST"])
def delete_prospectus(prospectus_id: int):
    """GET asks to confirm; POST deletes, or says why not (published, or holds courses)."""
    found = db.get_or_404(Prospectus, prospectus_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("admin/prospectuses/delete.html", form=form, prospectus=found), (
            page_status(form)
        )
    title = found.title
    try:
        service.delete_prospectus(db.session, found)
    except service.ProspectusError as refusal:
        show_refusal(form, refusal)
        return render_template("admin/prospectuses/delete.html", form=form, prospectus=found), 400
    db.session.commit()
    flash(f"{title} has been deleted.", "success")
    return redirect(url_for("admin.prospectuses"))
