"""A course's prerequisites: the courses to attend before booking it, each added or
removed from the course's page."""

from flask import abort, flash, redirect, url_for

from app.admin import bp
from app.admin.courses.prerequisite_forms import PrerequisiteForm
from app.admin.courses.routes import course_or_404
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import Prerequisite
from app.prerequisites import service
from app.transactions import saved


@bp.route("/courses/<id:course_id>/prerequisites", methods=["GET", "POST"])
def course_prerequisites(course_id: int):
    """The course's prerequisites; POST adds one."""
    course = course_or_404(course_id)
    form = PrerequisiteForm(service.courses_to_choose(db.session, course))

    def page() -> tuple[str, int]:
        return form_page(
            "admin/courses/prerequisites.html",
            form,
            course=course,
            prerequisites=service.prerequisites_of(db.session, course),
        )

    if not form.validate_on_submit():
        return page()
    try:
        added = saved(
            service.add_prerequisite,
            db.session,
            course,
            int(form.course.data),
            form.within_years.data,
        )
    except service.PrerequisiteError as refusal:
        show_refusal(form, refusal)
        return page()
    flash(f"{course.title} now requires {added.required_course.title} first.", "success")
    return redirect(url_for("admin.course_prerequisites", course_id=course.id))


@bp.post("/courses/<id:course_id>/prerequisites/<id:prerequisite_id>/remove")
def remove_course_prerequisite(course_id: int, prerequisite_id: int):
    course = course_or_404(course_id)
    prerequisite = db.session.get(Prerequisite, prerequisite_id)
    if prerequisite is None or prerequisite.course_id != course.id:
        abort(404)
    required = prerequisite.required_course.title
    saved(service.remove_prerequisite, db.session, prerequisite)
    flash(f"{course.title} no longer requires {required}.", "success")
    return redirect(url_for("admin.course_prerequisites", course_id=course.id))
