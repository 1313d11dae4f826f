"""The links between courses and case reviews, each with its note, from either side.

From a course: /admin/courses/<id>/case-reviews; from a review: /admin/case-reviews/<id>/courses.
Both sides call the same service, and each link's pages live under the side it was opened from.
"""

from flask import abort, flash, redirect, render_template, url_for

from app.accounts.forms import ConfirmForm
from app.admin import bp
from app.admin.case_reviews import lesson_links
from app.admin.case_reviews.forms import (
    AddCourseToReviewForm,
    AddReviewToCourseForm,
    LinkNoteForm,
)
from app.extensions import db
from app.forms import page_status, show_refusal
from app.models import CaseReview, Course, LessonLink


def link_of_course_or_404(course_id: int, link_id: int) -> LessonLink:
    link = lesson_links.find_link(db.session, link_id)
    if link is None or link.course_id != course_id:
        abort(404)
    return link


def link_of_review_or_404(review_id: int, link_id: int) -> LessonLink:
    link = lesson_links.find_link(db.session, link_id)
    if link is None or link.case_review_id != review_id:
        abort(404)
    return link


# From the course's side -------------------------------------------------------------------


@bp.route("/courses/<int:course_id>/case-reviews", methods=["GET", "POST"])
def course_reviews(course_id: int):
    """The reviews a course draws on, with their notes; POST adds one."""
    course = db.get_or_404(Course, course_id)
    form = AddReviewToCourseForm(lesson_links.all_case_reviews(db.session))

    def show_page(status: int):
        page = render_template(
            "admin/case_reviews/course_reviews.html",
            course=course,
            links=lesson_links.links_of_course(db.session, course),
            form=form,
        )
        return page, status

    if not form.validate_on_submit():
        return show_page(page_status(form))
    try:
        link = lesson_links.add_link(
            db.session, course.id, int(form.case_review.data), form.note.data
        )
    except lesson_links.LessonLinkError as refusal:
        show_refusal(form, refusal, at="case_review")
        return show_page(400)
    db.session.commit()
    flash(f"{course.title} now draws on {link.case_review.title}.", "success")
    return redirect(url_for("admin.course_reviews", course_id=course.id))


@bp.route("/courses/<int:course_id>/case-reviews/<int:link_id>/edit", methods=["GET", "POST"])
def edit_course_review(course_id: int, link_id: int):
    link = link_of_course_or_404(course_id, link_id)
    back = url_for("admin.course_reviews", course_id=course_id)
    remove = url_for("admin.remove_course_review", course_id=course_id, link_id=link_id)
    return edit_note(link, back, remove)


@bp.post("/courses/<int:course_id>/case-reviews/<int:link_id>/remove")
def remove_course_review(course_id: int, link_id: int):
    link = link_of_course_or_404(course_id, link_id)
    return remove(link, url_for("admin.course_reviews", course_id=course_id))


# From the review's side -------------------------------------------------------------------


@bp.route("/case-reviews/<int:review_id>/courses", methods=["GET", "POST"])
def review_courses(review_id: int):
    """The courses drawing on a review, with their notes; POST adds one."""
    review = db.get_or_404(CaseReview, review_id)
    form = AddCourseToReviewForm(lesson_links.all_courses(db.session))

    def show_page(status: int):
        page = render_template(
            "admin/case_reviews/review_courses.html",
            review=review,
            links=lesson_links.links_of_review(db.session, review),
            form=form,
        )
        return page, status

    if not form.validate_on_submit():
        return show_page(page_status(form))
    try:
        link = lesson_links.add_link(db.session, int(form.course.data), review.id, form.note.data)
    except lesson_links.LessonLinkError as refusal:
        show_refusal(form, refusal, at="course")
        return show_page(400)
    db.session.commit()
    flash(f"{link.course.title} now draws on {review.title}.", "success")
    return redirect(url_for("admin.review_courses", review_id=review.id))


@bp.route("/case-reviews/<int:review_id>/courses/<int:link_id>/edit", methods=["GET", "POST"])
def edit_review_course(review_id: int, link_id: int):
    link = link_of_review_or_404(review_id, link_id)
    back = url_for("admin.review_courses", review_id=review_id)
    remove = url_for("admin.remove_review_course", review_id=review_id, link_id=link_id)
    return edit_note(link, back, remove)


@bp.post("/case-reviews/<int:review_id>/courses/<int:link_id>/remove")
def remove_review_course(review_id: int, link_id: int):
    link = link_of_review_or_404(review_id, link_id)
    return remove(link, url_for("admin.review_courses", review_id=review_id))


# The same from either side ----------------------------------------------------------------


def edit_note(link: LessonLink, back_url: str, remove_url: str):
    form = LinkNoteForm(obj=link)

    def show_page(status: int):
        page = render_template(
            "admin/case_reviews/link_note.html",
            link=link,
            form=form,
            remove_form=ConfirmForm(),
            back_url=back_url,
            remove_url=remove_url,
        )
        return page, status

    if not form.validate_on_submit():
        return show_page(page_status(form))
    try:
        lesson_links.change_note(link, form.note.data)
    except lesson_links.LessonLinkError as refusal:
        show_refusal(form, refusal)
        return show_page(400)
    db.session.commit()
    flash(f"The note on how {link.course.title} uses {link.case_review.title} is saved.", "success")
    return redirect(back_url)


def remove(link: LessonLink, back_url: str):
    course, review = link.course.title, link.case_review.title
    lesson_links.remove_link(db.session, link)
    db.session.commit()
    flash(f"{course} no longer draws on {review}.", "success")
    return redirect(back_url)
