"""The trainer's screens: their sessions, each session's register, attendance, walk-ins,
the register's downloads, a message to everyone booked, and changes to the session.

Each view loads the session, checks the person manages it, then acts; the rules of
changing the session and its register are the session service's (app/sessions/service.py,
shared with the coordinator's area), the message to everyone booked is
app/trainer/service.py's. Views whose service takes the session's lock say so with
@locks_for_itself.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.service import listed_agencies
from app.bookings.overdue import release_overdue_approvals
from app.bookings.service import confirmed_bookings, last_minute_from
from app.charges.service import rates_from
from app.database import locks_for_itself
from app.display import capacity_changed, count_of_people, pounds, session_moved
from app.downloads import private_download
from app.errors import try_again_page
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import Attendance, CourseSession, utcnow
from app.pagination import govuk_pagination, page_number
from app.permissions import manages_session, trainer_required
from app.refusals import Refused, TryAgain
from app.sessions import service as changes
from app.trainer import bp, queries, register_export, service
from app.trainer.forms import (
    AttendanceForm,
    CancelSessionForm,
    CapacityForm,
    ChangeSessionForm,
    EmailForm,
    MarkEveryoneForm,
    WalkInForm,
)
from app.transactions import saved

PAST_SESSIONS_PER_PAGE = 20
EXPIRED_FORM = "The form had expired: go back, reload the page and try again."


def managed_session_or_abort(session_id: int) -> CourseSession:
    """The session: 404 when there is none, 403 when this person does not manage it."""
    session = queries.get_session(db.session, session_id) or abort(404)
    if not manages_session(current_user, session):
        abort(403)
    return session


def managed_session_as_it_stands(session_id: int) -> CourseSession:
    """The session, as managed_session_or_abort(), once any approvals left too long have
    released their places: the register never lists a place that is no longer held."""
    session = managed_session_or_abort(session_id)
    if release_overdue_approvals(session_id):
        session = queries.get_session(db.session, session_id)
    return session


def back_to_register(session_id: int, anchor: str | None = None):
    return redirect(url_for("trainer.register", session_id=session_id, _anchor=anchor))


@bp.get("")
@trainer_required
def index():
    """The sessions this person delivers (every session, for a coordinator)."""
    now = utcnow()
    page = request.args.get("page", 1, type=page_number)
    sessions = queries.sessions_managed_by(
        db.session, current_user, now, page, PAST_SESSIONS_PER_PAGE
    )
    return render_template(
        "trainer/index.html",
        sessions=sessions,
        now=now,
        pagination=govuk_pagination(
            sessions.past,
            lambda number: url_for("trainer.index", page=number, _anchor="past"),
            label="Pages of past sessions",
        ),
    )


@bp.get("/sessions/<id:session_id>")
@trainer_required
def register(session_id: int):
    """Who is coming, their attendance, and the waiting list in turn."""
    session = managed_session_as_it_stands(session_id)
    now = utcnow()
    return render_template(
        "trainer/register.html",
        session=session,
        register=queries.register_of(db.session, session_id),
        now=now,
        attendance_refusal=changes.attendance_refusal(session, current_user, now),
        change_refusal=changes.change_refusal(session, now),
        marks_note=changes.marks_note(session, current_user),
        attendance_choices=list(Attendance),
        everyone_form=MarkEveryoneForm(),
    )


# Attendance


@bp.post("/sessions/<id:session_id>/bookings/<id:booking_id>/attendance")
@trainer_required
@locks_for_itself
def mark_attendance(session_id: int, booking_id: int):
    managed_session_or_abort(session_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        abort(400, form.attendance.errors[0] if form.attendance.errors else EXPIRED_FORM)
    try:
        booking = saved(
            changes.mark_attendance,
            db.session,
            session_id,
            booking_id,
            form.chosen(),
            current_user,
            utcnow(),
            rates_from(current_app.config),
        )
    except TryAgain:
        return try_again_page()
    except Refused as error:
        flash(str(error), "error")
        return back_to_register(session_id)
    flash(f"{booking.user.name}: {booking.attendance.label.lower()}.{charged(booking)}", "success")
    return back_to_register(session_id, anchor=f"booking-{booking_id}")


def charged(booking) -> str:
    """What the register says of the charge a mark raised, if it did."""
    charge = booking.standing_charge
    if charge is None or charge.raised_at != booking.attendance_marked_at:
        return ""
    return (
        f" {charge.agency.name} is charged {pounds(charge.amount_pence)}, and "
        f"{booking.user.name} has been emailed how to dispute it."
    )


@bp.post("/sessions/<id:session_id>/attendance")
@trainer_required
@locks_for_itself
def mark_everyone_attended(session_id: int):
    """Everyone with a confirmed place and no mark yet; marks already given are kept."""
    managed_session_or_abort(session_id)
    if not MarkEveryoneForm().validate_on_submit():
        abort(400, EXPIRED_FORM)
    try:
        marked = saved(
            changes.mark_everyone_attended, db.session, session_id, current_user, utcnow()
        )
    except TryAgain:
        return try_again_page()
    except Refused as error:
        flash(str(error), "error")
        return back_to_register(session_id)
    if marked:
        flash(f"{count_of_people(len(marked))} marked as attended.", "success")
    else:
        flash("Everyone with a place already has a mark.", "info")
    return back_to_register(session_id, anchor="register")


@bp.route("/sessions/<id:session_id>/walk-in", methods=["GET", "POST"])
@trainer_required
@locks_for_itself
def add_walk_in(session_id: int):
    """Someone who turned up without a place: by their account's email, or a new account."""
    session = managed_session_or_abort(session_id)
    if refusal := changes.attendance_refusal(session, current_user, utcnow()):
        flash(refusal, "error")
        return back_to_register(session_id)
    form = WalkInForm(listed_agencies(db.session))
    if not form.validate_on_submit():
        return form_page("trainer/walk_in.html", form, session=session)
    try:
        booking = saved(
            changes.add_walk_in, db.session, session_id, form.walk_in(), current_user, utcnow()
        )
    except TryAgain:
        return try_again_page()
    except Refused as error:
        show_refusal(form, error)
        return form_page("trainer/walk_in.html", form, session=session)
    flash(f"{booking.user.name} is on the register, marked as attended.", "success")
    return back_to_register(session_id, anchor=f"booking-{booking.id}")


# Downloads


@bp.get("/sessions/<id:session_id>/register.csv")
@trainer_required
def register_csv(session_id: int):
    """The register as a spreadsheet: no cell of it can run as a formula."""
    session = managed_session_as_it_stands(session_id)
    content = register_export.register_csv(queries.register_of(db.session, session_id))
    return private_download(
        content, "text/csv", register_export.register_file_name(session, "register", "csv")
    )


@bp.get("/sessions/<id:session_id>/sign-in-sheet.pdf")
@trainer_required
def sign_in_sheet(session_id: int):
    """An A4 sheet with the names and agencies of those with places, and a column to sign."""
    session = managed_session_as_it_stands(session_id)
    content = register_export.sign_in_sheet_pdf(
        session, queries.register_of(db.session, session_id)
    )
    return private_download(
        content,
        "application/pdf",
        register_export.register_file_name(session, "sign-in-sheet", "pdf"),
    )


# Telling everyone booked


@bp.route("/sessions/<id:session_id>/email", methods=["GET", "POST"])
@trainer_required
def email_everyone(session_id: int):
    """A message to each person with a confirmed place, through the outbox."""
    session = managed_session_or_abort(session_id)
    recipients = [booking.user for booking in confirmed_bookings(db.session, session_id)]
    form = EmailForm()
    if not form.validate_on_submit():
        return form_page("trainer/email.html", form, session=session, recipients=recipients)
    try:
        sent_to = saved(
            service.email_everyone_booked,
            db.session,
            session_id,
            form.subject.data,
            form.message.data,
            current_user,
        )
    except Refused as error:
        show_refusal(form, error)
        return form_page("trainer/email.html", form, session=session, recipients=recipients)
    flash(f"Your message is on its way to {count_of_people(len(sent_to))}.", "success")
    return back_to_register(session_id)


# Changing or cancelling the session


def refuse_changes(session: CourseSession):
    """Back to the register, saying why, when the session can no longer change."""
    if refusal := changes.change_refusal(session, utcnow()):
        flash(refusal, "error")
        return back_to_register(session.id)
    return None


@bp.route("/sessions/<id:session_id>/change", methods=["GET", "POST"])
@trainer_required
@locks_for_itself
def change_session(session_id: int):
    """A new date, time or venue; everyone with a place gets the updated calendar invite."""
    session = managed_session_or_abort(session_id)
    if refused := refuse_changes(session):
        return refused
    form = ChangeSessionForm(queries.venues(db.session), session)
    if not form.validate_on_submit():
        return form_page("trainer/change_session.html", form, session=session)
    try:
        moved = saved(changes.move, db.session, session_id, form.times(), utcnow())
    except TryAgain:
        return try_again_page()
    except Refused as error:
        show_refusal(form, error)
        return form_page("trainer/change_session.html", form, session=session)
    flash(session_moved(moved), "success" if moved else "info")
    return back_to_register(session_id)


@bp.route("/sessions/<id:session_id>/capacity", methods=["GET", "POST"])
@trainer_required
@locks_for_itself
def change_capacity(session_id: int):
    """Raising the number of places offers them to people waiting; lowering it below the
    places taken is refused."""
    session = managed_session_or_abort(session_id)
    if refused := refuse_changes(session):
        return refused
    form = CapacityForm(capacity=session.capacity)
    taken = session.places_taken
    if not form.validate_on_submit():
        return form_page("trainer/capacity.html", form, session=session, taken=taken)
    capacity = form.capacity.data
    try:
        offered = saved(
            changes.change_capacity,
            db.session,
            session_id,
            capacity,
            utcnow(),
            last_minute_from(current_app.config),
        )
    except TryAgain:
        return try_again_page()
    except Refused as error:
        show_refusal(form, error)
        return form_page("trainer/capacity.html", form, session=session, taken=taken)
    flash(capacity_changed(capacity, len(offered)), "success")
    return back_to_register(session_id)


@bp.route("/sessions/<id:session_id>/cancel", methods=["GET", "POST"])
@trainer_required
@locks_for_itself
def cancel_session(session_id: int):
    """Cancel with a reason: everyone booked or waiting is told, with a calendar cancellation."""
    session = managed_session_or_abort(session_id)
    if refused := refuse_changes(session):
        return refused
    form = CancelSessionForm()
    if not form.validate_on_submit():
        return form_page("trainer/cancel.html", form, session=session)
    try:
        told = saved(changes.cancel, db.session, session_id, form.reason.data, utcnow())
    except TryAgain:
        return try_again_page()
    except Refused as error:
        show_refusal(form, error)
        return form_page("trainer/cancel.html", form, session=session)
    if told:
        flash(
            f"The session is cancelled. We have emailed the {count_of_people(told)}"
            " booked or waiting.",
            "success",
        )
    else:
        flash("The session is cancelled. Nobody was booked, so nobody needed telling.", "success")
    return back_to_register(session_id)
