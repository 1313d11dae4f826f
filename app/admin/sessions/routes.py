"""Sessions: the dated deliveries of courses.

Moving a session, changing its places and cancelling it each have a page of their own:
each is one change of the session service (app/sessions/service.py, shared with the
trainer's screens) under the session's lock, told to the people booked, and saved whole
or not at all.
"""

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for

from app.admin import bp
from app.admin.courses.service import get_course
from app.admin.pages import confirm_and_delete
from app.admin.sessions import service
from app.admin.sessions.forms import (
    CancelSessionForm,
    CapacityForm,
    NewSessionForm,
    RescheduleForm,
    SessionDetailsForm,
)
from app.bookings.overdue import release_overdue_approvals
from app.bookings.queries import waiting_counts
from app.bookings.service import last_minute_from
from app.database import locks_for_itself
from app.display import capacity_changed, interest_told, long_date, session_moved
from app.errors import try_again_page
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import CourseSession, utcnow
from app.pagination import govuk_pagination, page_number
from app.refusals import Refused, TryAgain
from app.sessions import service as changes
from app.transactions import saved

SESSIONS_PER_PAGE = 50


def session_or_404(session_id: int) -> CourseSession:
    return service.get_session(db.session, session_id) or abort(404)


def back_to_session(session_id: int, done: str) -> Response:
    flash(done, "success")
    return redirect(url_for("admin.session", session_id=session_id))


@bp.get("/sessions")
def sessions():
    """Sessions to come, or `?show=past`, a page (`?page=`) at a time."""
    past = request.args.get("show") == "past"
    page = service.session_page(
        db.session, utcnow(), past, request.args.get("page", 1, type=page_number), SESSIONS_PER_PAGE
    )
    return render_template(
        "admin/sessions/index.html",
        sessions=page,
        past=past,
        waiting=waiting_counts(db.session, [session.id for session in page.items]),
        pagination=govuk_pagination(
            page,
            lambda number: url_for(
                "admin.sessions", page=number, **({"show": "past"} if past else {})
            ),
            label="Pages of sessions",
        ),
    )


@bp.route("/courses/<id:course_id>/sessions/new", methods=["GET", "POST"])
def new_session(course_id: int):
    course = get_course(db.session, course_id) or abort(404)
    form = NewSessionForm(
        venues=service.venue_choices(db.session),
        trainers=service.trainer_choices(db.session),
    )
    if not form.validate_on_submit():
        return form_page("admin/sessions/new.html", form, course=course)
    try:
        session = saved(
            service.create_session,
            db.session,
            course,
            form.times(),
            form.capacity.data,
            form.details(),
            utcnow(),
        )
    except Refused as refusal:
        show_refusal(form, refusal)
        return form_page("admin/sessions/new.html", form, course=course)
    added = f"The session on {long_date(session.starts_at)} has been added as a draft."
    return back_to_session(session.id, added)


@bp.get("/sessions/<id:session_id>")
def session(session_id: int):
    found = session_or_404(session_id)
    if release_overdue_approvals(session_id):
        found = session_or_404(session_id)
    return render_template(
        "admin/sessions/show.html",
        session=found,
        counts=service.booking_counts(db.session, found),
        now=utcnow(),
    )


@bp.route("/sessions/<id:session_id>/edit", methods=["GET", "POST"])
def edit_session(session_id: int):
    """Trainers, joining link, booking window and cut-off: nobody booked is told of these."""
    found = session_or_404(session_id)
    form = SessionDetailsForm(
        trainers=service.trainer_choices(db.session, found),
        data=SessionDetailsForm.data_of(found),
    )
    if not form.validate_on_submit():
        return form_page("admin/sessions/edit.html", form, session=found)
    try:
        saved(service.update_details, db.session, found, form.details())
    except Refused as refusal:
        show_refusal(form, refusal)
        return form_page("admin/sessions/edit.html", form, session=found)
    return back_to_session(session_id, "The session has been saved.")


@bp.route("/sessions/<id:session_id>/reschedule", methods=["GET", "POST"])
@locks_for_itself
def reschedule_session(session_id: int):
    """A new date, time or place; everyone with a place is sent the updated invite."""
    found = session_or_404(session_id)
    form = RescheduleForm(
        venues=service.venue_choices(db.session), data=RescheduleForm.data_of(found)
    )
    if not form.validate_on_submit():
        return form_page("admin/sessions/reschedule.html", form, session=found)
    try:
        moved = saved(changes.move, db.session, session_id, form.times(), utcnow())
    except TryAgain:
        return try_again_page()
    except Refused as refusal:
        show_refusal(form, refusal)
        return form_page("admin/sessions/reschedule.html", form, session=found)
    return back_to_session(session_id, session_moved(moved))


@bp.route("/sessions/<id:session_id>/capacity", methods=["GET", "POST"])
@locks_for_itself
def session_capacity(session_id: int):
    """Raising the places confirms people waiting; below the places taken it is refused."""
    found = session_or_404(session_id)
    form = CapacityForm(data={"capacity": found.capacity})
    if not form.validate_on_submit():
        return form_page("admin/sessions/capacity.html", form, session=found)
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
    except Refused as refusal:
        show_refusal(form, refusal)
        # Read again: the rollback forgot the places taken, which never load lazily.
        return form_page("admin/sessions/capacity.html", form, session=session_or_404(session_id))
    return back_to_session(session_id, capacity_changed(capacity, len(offered)))


@bp.route("/sessions/<id:session_id>/cancel", methods=["GET", "POST"])
@locks_for_itself
def cancel_session(session_id: int):
    """Everyone booked is told why, and their calendars drop the session."""
    found = session_or_404(session_id)
    form = CancelSessionForm()
    if not form.validate_on_submit():
        return form_page("admin/sessions/cancel.html", form, session=found)
    try:
        saved(changes.cancel, db.session, session_id, form.reason.data, utcnow())
    except TryAgain:
        return try_again_page()
    except Refused as refusal:
        show_refusal(form, refusal)
        return form_page("admin/sessions/cancel.html", form, session=found)
    return back_to_session(session_id, "The session is cancelled. Everyone booked has been told.")


# Buttons without fields: CSRFProtect checks their token, as it does every POST.
@bp.post("/sessions/<id:session_id>/publish")
def publish_session(session_id: int):
    told = saved(service.publish, db.session, session_or_404(session_id), utcnow())
    return back_to_session(session_id, "The session is published." + interest_told(told))


@bp.post("/sessions/<id:session_id>/unpublish")
def unpublish_session(session_id: int):
    saved(service.unpublish, db.session, session_or_404(session_id))
    return back_to_session(session_id, "The session is no longer published: it is a draft again.")


@bp.route("/sessions/<id:session_id>/delete", methods=["GET", "POST"])
def delete_session(session_id: int):
    """GET asks to confirm; POST deletes, or says why not (published, or booked)."""
    found = session_or_404(session_id)
    return confirm_and_delete(
        "admin/sessions/delete.html",
        lambda: service.delete_session(db.session, found),
        deleted="The session has been deleted.",
        back=url_for("admin.course", course_id=found.course_id),
        session=found,
    )
