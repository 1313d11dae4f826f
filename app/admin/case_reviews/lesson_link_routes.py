"""The links between courses and case reviews, each with its note, from either side.

From a course: /admin/courses/<id>/case-reviews; from a review: /admin/case-reviews/<id>/courses.
Both sides call the same service, and each link's pages live under the side it was opened from.
"""

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue

from app.accounts.forms import ConfirmForm
from app.admin import bp
from app.admin.case_reviews import lesson_links
from app.admin.case_reviews.forms import (
    AddCourseToReviewForm,
    AddReviewToCourseForm,
    LessonLinkForm,
)
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import CaseReview, Course, LessonLink, utcnow
from app.transactions import saved


def link_or_404(link_id: int, **side: int) -> LessonLink:
    """The link, if it belongs to the course (`course_id=`) or review (`case_review_id=`)
    whose address it was opened under."""
    link = lesson_links.find_link(db.session, link_id)
    if link is None or any(getattr(link, key) != value for key, value in side.items()):
        abort(404)
    return link


# From the course's side -------------------------------------------------------------------


@bp.route("/courses/<id:course_id>/case-reviews", methods=["GET", "POST"])
def course_reviews(course_id: int):
    """The reviews a course draws on, with their notes; POST adds one."""
    course = db.get_or_404(Course, course_id)
    form = AddReviewToCourseForm(lesson_links.all_case_reviews(db.session))

    def page() -> tuple[str, int]:
        links = lesson_links.links_of_course(db.session, course)
        return form_page("admin/case_reviews/course_reviews.html", form, course=course, links=links)

    if not form.validate_on_submit():
        return page()
    review_id = int(form.case_review.data)
    try:
        link = saved(lesson_links.add_link, db.session, course.id, review_id, form.note.data)
    except lesson_links.LessonLinkError as refusal:
        show_refusal(form, refusal, at="case_review")
        return page()
    flash(f"{course.title} now draws on {link.case_review.title}.", "success")
    return redirect(url_for("admin.course_reviews", course_id=course.id))


@bp.route("/courses/<id:course_id>/case-reviews/<id:link_id>/edit", methods=["GET", "POST"])
def edit_course_review(course_id: int, link_id: int):
    link = link_or_404(link_id, course_id=course_id)
    back = url_for("admin.course_reviews", course_id=course_id)
    remove = url_for("admin.remove_course_review", course_id=course_id, link_id=link_id)
    return edit_link(link, back, remove)


@bp.post("/courses/<id:course_id>/case-reviews/<id:link_id>/remove")
def remove_course_review(course_id: int, link_id: int):
    link = link_or_404(link_id, course_id=course_id)
    return remove(link, url_for("admin.course_reviews", course_id=course_id))


# From the review's side -------------------------------------------------------------------


@bp.route("/case-reviews/<id:review_id>/courses", methods=["GET", "POST"])
def review_courses(review_id: int):
    """The courses drawing on a review, with their notes; POST adds one."""
    review = db.get_or_404(CaseReview, review_id)
    form = AddCourseToReviewForm(lesson_links.all_courses(db.session))

    def page() -> tuple[str, int]:
        links = lesson_links.links_of_review(db.session, review)
        return form_page("admin/case_reviews/review_courses.html", form, review=review, links=links)

    if not form.validate_on_submit():
        return page()
    course_id = int(form.course.data)
    try:
        link = saved(lesson_links.add_link, db.session, course_id, review.id, form.note.data)
    except lesson_links.LessonLinkError as refusal:
        show_refusal(form, refusal, at="course")
        return page()
    flash(f"{link.course.title} now draws on {review.title}.", "success")
    return redirect(url_for("admin.review_courses", review_id=review.id))


@bp.route("/case-reviews/<id:review_id>/courses/<id:link_id>/edit", methods=["GET", "POST"])
def edit_review_course(review_id: int, link_id: int):
    link = link_or_404(link_id, case_review_id=review_id)
    back = url_for("admin.review_courses", review_id=review_id)
    remove = url_for("admin.remove_review_course", review_id=review_id, link_id=link_id)
    return edit_link(link, back, remove)


@bp.post("/case-reviews/<id:review_id>/courses/<id:link_id>/remove")
def remove_review_course(review_id: int, link_id: int):
    link = link_or_404(link_id, case_review_id=review_id)
    return remove(link, url_for("admin.review_courses", review_id=review_id))


# The same from either side ----------------------------------------------------------------


def edit_link(link: LessonLink, back_url: str, remove_url: str) -> ResponseReturnValue:
    """The link's note and the findings of the review its course teaches, saved together."""
    form = LessonLinkForm(link)

    def page() -> tuple[str, int]:
        return form_page(
            "admin/case_reviews/lesson_link.html",
            form,
            link=link,
            remove_form=ConfirmForm(),
            back_url=back_url,
            remove_url=remove_url,
        )

    if not form.validate_on_submit():
        return page()
    course, review = link.course.title, link.case_review.title
    try:
        saved(
            lesson_links.change_link,
            db.session,
            link,
            form.note.data,
            form.key_findings.data,
            utcnow(),
        )
    except lesson_links.LessonLinkError as refusal:
        show_refusal(form, refusal)
        return page()
    flash(f"How {course} uses {review} is saved.", "success")
    return redirect(back_url)


def remove(link: LessonLink, back_url: str) -> ResponseReturnValue:
    course, review = link.course.title, link.case_review.title
    saved(lesson_links.remove_link, db.session, link)
    flash(f"{course} no longer draws on {review}.", "success")
    return redirect(back_url)
