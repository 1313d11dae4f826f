"""The audit log of changes made by trainers and coordinators."""

from flask import render_template, request, url_for

from app.admin import bp
from app.admin.audit_log import service
from app.admin.audit_log.forms import FilterForm
from app.extensions import db
from app.pagination import govuk_pagination, page_number


@bp.get("/audit")
def audit_log():
    form = FilterForm(request.args)
    form.offer_people(service.people_with_entries(db.session))
    filters = service.Filters()
    valid = form.validate()
    if valid:
        filters = service.Filters(
            actor_id=int(form.actor.data) if form.actor.data else None,
            record_type=form.record_type.data or None,
            record_id=form.chosen_record_id,
        )
    page = request.args.get("page", 1, type=page_number)
    entries = service.find_entries(db.session, filters, page)
    arguments = {key: value for key, value in request.args.items() if key != "page"}
    pagination = govuk_pagination(
        entries,
        lambda number: url_for("admin.audit_log", **arguments, page=number),
        label="Pages of the audit log",
    )
    return render_template(
        "admin/audit_log/index.html", form=form, entries=entries, pagination=pagination
    ), (200 if valid else 400)
