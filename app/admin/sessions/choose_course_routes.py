"""Adding a session from the list of sessions: the course first, then the course's form.

A coordinator planning a term starts from the sessions; the form for a session itself
stays at /admin/courses/<id>/sessions/new, where the course's page leads too.
"""

from flask import redirect, render_template, request, url_for

from app.admin import bp
from app.admin.courses.service import courses_taking_sessions
from app.admin.sessions.forms import ChooseCourseForm
from app.extensions import db


@bp.get("/sessions/new")
def choose_course_for_session():
    """Asks for the course; `?course=<id>` goes on to its new-session form, or is asked
    again with what is wrong (400)."""
    form = ChooseCourseForm(request.args, courses=courses_taking_sessions(db.session))
    if "course" not in request.args:
        return render_template("admin/sessions/choose_course.html", form=form)
    if not form.validate():
        return render_template("admin/sessions/choose_course.html", form=form), 400
    return redirect(url_for("admin.new_session", course_id=form.chosen_course_id))
