"""Prospectuses: the catalogues the partnership publishes."""

from flask import flash, redirect, render_template, url_for

from app.admin import bp
from app.admin.pages import confirm_and_delete
from app.admin.prospectuses import service
from app.admin.prospectuses.forms import ProspectusForm
from app.display import interest_told
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import Prospectus, utcnow
from app.transactions import saved


@bp.get("/prospectuses")
def prospectuses():
    return render_template(
        "admin/prospectuses/index.html", rows=service.prospectus_rows(db.session)
    )


@bp.route("/prospectuses/new", methods=["GET", "POST"])
def new_prospectus():
    form = ProspectusForm()
    if not form.validate_on_submit():
        return form_page("admin/prospectuses/form.html", form, prospectus=None)
    try:
        prospectus = saved(service.create_prospectus, db.session, form.details())
    except service.ProspectusError as refusal:
        show_refusal(form, refusal)
        return form_page("admin/prospectuses/form.html", form, prospectus=None)
    flash(f"{prospectus.title} has been added as a draft.", "success")
    return redirect(url_for("admin.prospectus", prospectus_id=prospectus.id))


@bp.get("/prospectuses/<id:prospectus_id>")
def prospectus(prospectus_id: int):
    found = db.get_or_404(Prospectus, prospectus_id)
    return render_template(
        "admin/prospectuses/show.html",
        prospectus=found,
        courses=service.courses_in(db.session, found),
    )


@bp.route("/prospectuses/<id:prospectus_id>/edit", methods=["GET", "POST"])
def edit_prospectus(prospectus_id: int):
    found = db.get_or_404(Prospectus, prospectus_id)
    form = ProspectusForm(obj=found)
    if not form.validate_on_submit():
        return form_page("admin/prospectuses/form.html", form, prospectus=found)
    try:
        saved(service.update_prospectus, db.session, found, form.details())
    except service.ProspectusError as refusal:
        show_refusal(form, refusal)
        return form_page("admin/prospectuses/form.html", form, prospectus=found)
    flash(f"{found.title} has been saved.", "success")
    return redirect(url_for("admin.prospectus", prospectus_id=found.id))


# Buttons without fields: CSRFProtect checks their token, as it does every POST.
@bp.post("/prospectuses/<id:prospectus_id>/publish")
def publish_prospectus(prospectus_id: int):
    found = db.get_or_404(Prospectus, prospectus_id)
    told = saved(service.publish, db.session, found, utcnow())
    flash(f"{found.title} is published." + interest_told(told), "success")
    return redirect(url_for("admin.prospectus", prospectus_id=found.id))


@bp.post("/prospectuses/<id:prospectus_id>/unpublish")
def unpublish_prospectus(prospectus_id: int):
    found = db.get_or_404(Prospectus, prospectus_id)
    saved(service.unpublish, db.session, found)
    flash(f"{found.title} is no longer published: it is a draft again.", "success")
    return redirect(url_for("admin.prospectus", prospectus_id=found.id))


@bp.route("/prospectuses/<id:prospectus_id>/delete", methods=["GET", "POST"])
def delete_prospectus(prospectus_id: int):
    """GET asks to confirm; POST deletes, or says why not (published, or holds courses)."""
    found = db.get_or_404(Prospectus, prospectus_id)
    return confirm_and_delete(
        "admin/prospectuses/delete.html",
        lambda: service.delete_prospectus(db.session, found),
        deleted=f"{found.title} has been deleted.",
        back=url_for("admin.prospectuses"),
        prospectus=found,
    )
