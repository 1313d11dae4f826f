"""Agencies: the employers of professionals, by sector."""

from flask import flash, redirect, render_template, url_for

from app.admin import bp
from app.admin.agencies import service
from app.admin.agencies.forms import AgencyForm, MergeForm
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import Agency
from app.transactions import saved


@bp.get("/agencies")
def agencies():
    rows = service.agencies_with_people(db.session)
    return render_template(
        "admin/agencies/index.html",
        typed_in=[row for row in rows if not row.agency.listed],
        listed=[row for row in rows if row.agency.listed],
    )


@bp.route("/agencies/new", methods=["GET", "POST"])
def new_agency():
    form = AgencyForm()
    if not form.validate_on_submit():
        return form_page("admin/agencies/form.html", form, agency=None)
    try:
        agency = saved(service.create_agency, db.session, form.details())
    except service.AgencyError as refusal:
        show_refusal(form, refusal)
        return form_page("admin/agencies/form.html", form, agency=None)
    flash(f"{agency.name} has been added.", "success")
    return redirect(url_for("admin.agencies"))


@bp.route("/agencies/<id:agency_id>/edit", methods=["GET", "POST"])
def edit_agency(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    form = AgencyForm(obj=agency)
    if not form.validate_on_submit():
        return form_page("admin/agencies/form.html", form, agency=agency)
    try:
        saved(service.update_agency, db.session, agency, form.details())
    except service.AgencyError as refusal:
        show_refusal(form, refusal)
        return form_page("admin/agencies/form.html", form, agency=agency)
    flash(f"{agency.name} has been saved.", "success")
    return redirect(url_for("admin.agencies"))


@bp.route("/agencies/<id:agency_id>/merge", methods=["GET", "POST"])
def merge_agency(agency_id: int):
    """Move an agency's people to another agency and remove it, in one transaction."""
    agency = db.get_or_404(Agency, agency_id)
    form = MergeForm(service.other_agencies(db.session, agency))

    def page() -> tuple[str, int]:
        people = service.people_in(db.session, agency)
        return form_page("admin/agencies/merge.html", form, agency=agency, people=people)

    if not form.validate_on_submit():
        return page()
    name = agency.name
    try:
        into, moved = saved(service.merge_agency, db.session, agency, form.into_id)
    except service.AgencyError as refusal:
        show_refusal(form, refusal)
        return page()
    who = "1 person" if moved == 1 else f"{moved} people"
    flash(f"{name} has been merged into {into.name}: {who} moved.", "success")
    return redirect(url_for("admin.agencies"))
