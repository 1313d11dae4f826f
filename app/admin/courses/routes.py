"""Courses: what is taught, in which prospectus, for whom."""

from flask import abort, flash, redirect, render_template, request, url_for

from app.admin import bp
from app.admin.courses import service
from app.admin.courses.forms import CourseForm
from app.admin.pages import confirm_and_delete
from app.admin.prospectuses.service import all_prospectuses
from app.admin.sessions.service import sessions_of
from app.bookings.queries import waiting_counts
from app.display import interest_told
from app.extensions import db
from app.forms import form_page, show_refusal
from app.ids import id_from
from app.interest import service as interest
from app.models import Course, Prospectus, utcnow
from app.transactions import saved


def course_or_404(course_id: int) -> Course:
    return service.get_course(db.session, course_id) or abort(404)


@bp.get("/courses")
def courses():
    """Every course, or one prospectus's (`?prospectus=<id>`)."""
    prospectus_id = request.args.get("prospectus", type=id_from)
    prospectus = db.session.get(Prospectus, prospectus_id) if prospectus_id else None
    rows = service.course_rows(db.session, utcnow(), prospectus.id if prospectus else None)
    return render_template(
        "admin/courses/index.html",
        rows=rows,
        prospectus=prospectus,
        interested=interest.interest_counts(db.session, [row.course.id for row in rows]),
    )


@bp.route("/courses/new", methods=["GET", "POST"])
def new_course():
    """`?prospectus=<id>` chooses the prospectus to begin with."""
    form = CourseForm(
        prospectuses=all_prospectuses(db.session),
        data={"prospectus": request.args.get("prospectus", "")},
    )
    if not form.validate_on_submit():
        return form_page("admin/courses/form.html", form, course=None)
    try:
        course = saved(service.create_course, db.session, form.details(), utcnow())
    except service.CourseError as refusal:
        show_refusal(form, refusal)
        return form_page("admin/courses/form.html", form, course=None)
    flash(f"{course.title} has been added as a draft.", "success")
    return redirect(url_for("admin.course", course_id=course.id))


@bp.get("/courses/<id:course_id>")
def course(course_id: int):
    found = course_or_404(course_id)
    sessions = sessions_of(db.session, found)
    return render_template(
        "admin/courses/show.html",
        course=found,
        interested=interest.interest_counts(db.session, [found.id]).get(found.id, 0),
        sessions=sessions,
        waiting=waiting_counts(db.session, [session.id for session in sessions]),
        now=utcnow(),
    )


@bp.route("/courses/<id:course_id>/edit", methods=["GET", "POST"])
def edit_course(course_id: int):
    found = course_or_404(course_id)
    form = CourseForm(prospectuses=all_prospectuses(db.session), data=CourseForm.data_of(found))
    if not form.validate_on_submit():
        return form_page("admin/courses/form.html", form, course=found)
    try:
        told = saved(service.update_course, db.session, found, form.details(), utcnow())
    except service.CourseError as refusal:
        show_refusal(form, refusal)
        return form_page("admin/courses/form.html", form, course=found)
    flash(f"{found.title} has been saved." + interest_told(told), "success")
    return redirect(url_for("admin.course", course_id=found.id))


# Buttons without fields: CSRFProtect checks their token, as it does every POST.
@bp.post("/courses/<id:course_id>/publish")
def publish_course(course_id: int):
    found = course_or_404(course_id)
    told = saved(service.publish, db.session, found, utcnow())
    if found.prospectus.published:
        flash(f"{found.title} is published." + interest_told(told), "success")
    else:
        flash(
            f"{found.title} is published. It will be public once {found.prospectus.title} "
            "is published too.",
            "success",
        )
    return redirect(url_for("admin.course", course_id=found.id))


@bp.post("/courses/<id:course_id>/unpublish")
def unpublish_course(course_id: int):
    found = course_or_404(course_id)
    saved(service.unpublish, db.session, found)
    flash(f"{found.title} is no longer published: it is a draft again.", "success")
    return redirect(url_for("admin.course", course_id=found.id))


@bp.route("/courses/<id:course_id>/delete", methods=["GET", "POST"])
def delete_course(course_id: int):
    """GET asks to confirm; POST deletes, or says why not (published, or booked)."""
    found = course_or_404(course_id)
    return confirm_and_delete(
        "admin/courses/delete.html",
        lambda: service.delete_course(db.session, found),
        deleted=f"{found.title} has been deleted.",
        back=url_for("admin.courses"),
        course=found,
    )
