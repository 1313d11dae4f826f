"""People: accounts, their roles, bookings and attendance."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts import service as accounts
from app.admin import bp
from app.admin.slugs import slugify
from app.admin.users import service
from app.admin.users.forms import (
    BookForPersonForm,
    DeactivateForm,
    ReactivateForm,
    RoleForm,
    SearchForm,
)
from app.bookings import service as bookings
from app.bookings.sectors import why_waiting
from app.charges.queries import charges_of_person
from app.database import locks_for_itself
from app.display import long_date
from app.downloads import private_download
from app.errors import try_again_page
from app.extensions import db
from app.external_training.queries import records_of as external_training_of
from app.forms import form_page, page_status, show_refusal
from app.models import BookingStatus, Role, utcnow
from app.pagination import govuk_pagination, page_number
from app.records import document as record_document
from app.records import queries as records
from app.refusals import Refused, TryAgain
from app.transactions import saved


@bp.get("/users")
def users():
    """Everyone, or those the search finds; a search that cannot be read lists nobody."""
    form = SearchForm(request.args)
    if not form.validate():
        return render_template("admin/users/index.html", form=form, results=None), 400
    search = service.Search(text=form.q.data or "", role=form.chosen_role)
    page = request.args.get("page", 1, type=page_number)
    results = service.find_people(db.session, search, page)
    pagination = govuk_pagination(
        results,
        lambda number: url_for("admin.users", q=search.text, role=form.role.data, page=number),
        label="Pages of people",
    )
    return render_template(
        "admin/users/index.html", form=form, results=results, pagination=pagination
    )


def show_person(
    user_id: int,
    role_form: RoleForm | None = None,
    deactivate_form: DeactivateForm | None = None,
    status: int = 200,
):
    """The person's page; a form given with errors is shown with them, in the summary too."""
    person = service.get_person(db.session, user_id) or abort(404)
    role_form = role_form or RoleForm(role=person.role.value)
    deactivate_form = deactivate_form or DeactivateForm()
    return render_template(
        "admin/users/show.html",
        person=person,
        bookings=service.bookings_of(db.session, person),
        charges=charges_of_person(db.session, person.id),
        external_training=external_training_of(db.session, person.id),
        manager_alike=accounts.manager_alike(db.session, person),
        role_form=role_form,
        deactivate_form=deactivate_form,
        reactivate_form=ReactivateForm(),
        form=deactivate_form if deactivate_form.errors else role_form,
    ), status


@bp.get("/users/<id:user_id>")
def user(user_id: int):
    return show_person(user_id)


@bp.post("/users/<id:user_id>/role")
def change_role(user_id: int):
    person = service.get_person(db.session, user_id) or abort(404)
    form = RoleForm()
    if not form.validate_on_submit():
        return show_person(user_id, role_form=form, status=page_status(form))
    try:
        saved(service.change_role, db.session, person, Role(form.role.data), utcnow())
    except service.PeopleError as refusal:
        show_refusal(form, refusal, at="role")
        return show_person(user_id, role_form=form, status=400)
    flash(f"{person.name} is now a {person.role.value}.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<id:user_id>/deactivate")
def deactivate_user(user_id: int):
    person = service.get_person(db.session, user_id) or abort(404)
    form = DeactivateForm()
    if not form.validate_on_submit():
        return show_person(user_id, deactivate_form=form, status=page_status(form))
    try:
        cancelled = saved(
            service.deactivate,
            db.session,
            person,
            current_user,
            utcnow(),
            bookings.last_minute_from(current_app.config),
        )
    except service.PeopleError as refusal:
        show_refusal(form, refusal, at="deactivate")
        return show_person(user_id, deactivate_form=form, status=400)
    except TryAgain:
        return try_again_page()
    places = f" and {cancelled} upcoming bookings cancelled" if cancelled else ""
    flash(f"{person.name}'s account is deactivated{places}.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<id:user_id>/reactivate")
def reactivate_user(user_id: int):
    person = service.get_person(db.session, user_id) or abort(404)
    if not ReactivateForm().validate_on_submit():
        return show_person(user_id, status=400)
    saved(service.reactivate, person)
    flash(f"{person.name}'s account is active again.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<id:user_id>/book", methods=["GET", "POST"])
@locks_for_itself
def book_for_person(user_id: int):
    """A coordinator books the person onto a session, passing over its prerequisites (and,
    if they say so, any charge), with a reason."""
    person = service.get_person(db.session, user_id) or abort(404)
    form = BookForPersonForm(service.sessions_open_for_booking(db.session, utcnow()))

    def page() -> tuple[str, int]:
        return form_page("admin/users/book.html", form, person=person)

    if not form.validate_on_submit():
        return page()
    override = bookings.Override(current_user, form.reason.data, form.exempt_from_charges.data)
    try:
        booking = saved(
            bookings.book_for,
            db.session,
            int(form.session.data),
            person,
            override,
            utcnow(),
            bookings.limit_from(current_app.config),
            bookings.last_minute_from(current_app.config),
        )
    except TryAgain:
        return try_again_page()
    except bookings.AlreadyBooked:
        form.session.errors = [f"{person.name} already has a booking for this session"]
        return page()
    except bookings.NotOffered:
        form.session.errors = ["Choose a session from the list"]
        return page()
    except Refused as refusal:
        show_refusal(form, refusal, at="session")
        return page()
    why = why_waiting(db.session, booking, utcnow())
    flash(booked_message(person.name, booking, why), "success")
    return redirect(url_for("admin.user", user_id=user_id))


def booked_message(name: str, booking, why_waiting: str | None) -> str:
    where = f"{booking.session.course.title} on {long_date(booking.session.starts_at)}"
    if booking.status is BookingStatus.CONFIRMED:
        return f"{name} has a place on {where}. We have emailed them."
    if booking.status is BookingStatus.AWAITING_APPROVAL:
        return (
            f"{name}'s place on {where} waits for their line manager's approval. We have "
            "emailed them and their manager."
        )
    because = why_waiting or f"{where} is full"
    return f"{because}: {name} is on the waiting list. We have emailed them."


def record_of(user_id: int) -> records.TrainingRecord:
    """The person's training record as the coordinator sees it; 404 for nobody."""
    person = service.get_person(db.session, user_id) or abort(404)
    return records.training_record(db.session, person, current_user, utcnow())


@bp.get("/users/<id:user_id>/record")
def user_record(user_id: int):
    return render_template("admin/users/record.html", record=record_of(user_id))


def record_file_name(record: records.TrainingRecord, extension: str) -> str:
    """Named for the person, since a coordinator downloads many people's."""
    whose = slugify(record.person.name, 60) or str(record.person.id)
    return record_document.record_file_name(record, extension, whose)


@bp.get("/users/<id:user_id>/record.pdf")
def user_record_pdf(user_id: int):
    found = record_of(user_id)
    return private_download(
        record_document.record_pdf(found), "application/pdf", record_file_name(found, "pdf")
    )


@bp.get("/users/<id:user_id>/record.csv")
def user_record_csv(user_id: int):
    found = record_of(user_id)
    return private_download(
        record_document.record_csv(found), "text/csv", record_file_name(found, "csv")
    )
