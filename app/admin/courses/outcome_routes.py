"""A course's learning outcomes: added, reworded, put in order and removed one at a time,
so that each keeps its identity (and the confidence people gave against it)."""

from flask import abort, flash, redirect, url_for

from app.admin import bp
from app.admin.courses import outcomes
from app.admin.courses.forms import NewOutcomeForm, OutcomeForm
from app.admin.courses.routes import course_or_404
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import MOST_OUTCOMES, Course, LearningOutcome, utcnow
from app.transactions import saved


def outcome_or_404(course: Course, outcome_id: int) -> LearningOutcome:
    return outcomes.get_outcome(db.session, course, outcome_id) or abort(404)


def back_to_outcomes(course: Course):
    return redirect(url_for("admin.course_outcomes", course_id=course.id))


@bp.route("/courses/<id:course_id>/outcomes", methods=["GET", "POST"])
def course_outcomes(course_id: int):
    """The course's outcomes in order; POST adds one at the end."""
    found = course_or_404(course_id)
    form = NewOutcomeForm()
    page = "admin/courses/outcomes.html"
    if not form.validate_on_submit():
        return form_page(page, form, course=found, most=MOST_OUTCOMES)
    try:
        saved(outcomes.add_outcome, db.session, found, form.text.data, utcnow())
    except outcomes.OutcomeError as refusal:
        show_refusal(form, refusal)
        return form_page(page, form, course=found, most=MOST_OUTCOMES)
    flash("The learning outcome has been added.", "success")
    return back_to_outcomes(found)


@bp.route("/courses/<id:course_id>/outcomes/<id:outcome_id>/edit", methods=["GET", "POST"])
def edit_course_outcome(course_id: int, outcome_id: int):
    found = course_or_404(course_id)
    outcome = outcome_or_404(found, outcome_id)
    form = OutcomeForm(data={"text": outcome.text})
    page = "admin/courses/outcome_form.html"
    if not form.validate_on_submit():
        return form_page(page, form, course=found, outcome=outcome)
    try:
        changed = saved(
            outcomes.change_outcome, db.session, found, outcome, form.text.data, utcnow()
        )
    except outcomes.OutcomeError as refusal:
        show_refusal(form, refusal)
        return form_page(page, form, course=found, outcome=outcome)
    message = "The learning outcome has been changed." if changed else "Nothing was changed."
    flash(message, "success")
    return back_to_outcomes(found)


# Buttons without fields: CSRFProtect checks their token, as it does every POST.
@bp.post("/courses/<id:course_id>/outcomes/<id:outcome_id>/up")
def move_course_outcome_up(course_id: int, outcome_id: int):
    return moved(course_id, outcome_id, -1)


@bp.post("/courses/<id:course_id>/outcomes/<id:outcome_id>/down")
def move_course_outcome_down(course_id: int, outcome_id: int):
    return moved(course_id, outcome_id, 1)


def moved(course_id: int, outcome_id: int, places: int):
    found = course_or_404(course_id)
    outcome = outcome_or_404(found, outcome_id)
    saved(outcomes.move_outcome, db.session, found, outcome, places, utcnow())
    return back_to_outcomes(found)


@bp.post("/courses/<id:course_id>/outcomes/<id:outcome_id>/remove")
def remove_course_outcome(course_id: int, outcome_id: int):
    found = course_or_404(course_id)
    outcome = outcome_or_404(found, outcome_id)
    saved(outcomes.remove_outcome, db.session, found, outcome, utcnow())
    flash(f"\u201c{outcome.text}\u201d is no longer one of the course's outcomes.", "success")
    return back_to_outcomes(found)
