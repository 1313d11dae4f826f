"""Charges: by period and agency, exported for invoicing, and waived with a reason."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.charges.forms import FilterForm, WaiveForm
from app.charges import exports, queries, service
from app.display import in_london, pounds
from app.downloads import private_download
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import utcnow
from app.refusals import Refused
from app.transactions import saved

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filters() -> tuple[FilterForm, bool]:
    form = FilterForm(request.args, queries.all_agencies(db.session), in_london(utcnow()).date())
    return form, form.validate()


@bp.get("/charges")
def charges():
    form, valid = filters()
    found = queries.charges_in(db.session, form.period(), form.agency_id) if valid else None
    arguments = {key: value for key, value in request.args.items() if key != "apply"}
    return render_template(
        "admin/charges/index.html", form=form, charges=found, arguments=arguments
    ), (200 if valid else 400)


@bp.get("/charges/export.<any(csv, xlsx):kind>")
def export_charges(kind: str):
    """The charges the list shows, as a file for invoicing; 400 for filters it would refuse."""
    form, valid = filters()
    if not valid:
        abort(400, "Correct the filters on the charges page, then export again.")
    found = queries.charges_in(db.session, form.period(), form.agency_id)
    period = found.period
    name = f"charges-{period.first_day:%Y-%m-%d}-to-{period.last_day:%Y-%m-%d}.{kind}"
    if kind == "csv":
        return private_download(exports.charges_csv(found), "text/csv", name)
    return private_download(exports.charges_xlsx(found), XLSX, name)


@bp.route("/charges/<id:charge_id>/waive", methods=["GET", "POST"])
def waive_charge(charge_id: int):
    charge = queries.charge_to_waive(db.session, charge_id) or abort(404)
    form = WaiveForm()
    if not form.validate_on_submit():
        return form_page("admin/charges/waive.html", form, charge=charge)
    try:
        saved(service.waive, db.session, charge_id, form.reason.data, current_user, utcnow())
    except Refused as refusal:
        show_refusal(form, refusal)
        return form_page("admin/charges/waive.html", form, charge=charge)
    told = (
        "they and their line manager have" if service.manager_told(charge.booking) else "they have"
    )
    flash(
        f"The charge of {pounds(charge.amount_pence)} to {charge.agency.name} for "
        f"{charge.user.name} is waived; {told} been emailed.",
        "success",
    )
    return redirect(url_for("admin.charges"))
