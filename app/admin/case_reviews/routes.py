"""Case reviews: their details and reports, publishing them, and deleting unused ones."""

from flask import abort, flash, redirect, render_template, url_for

from app.accounts.forms import ConfirmForm
from app.admin import bp
from app.admin.case_reviews import service
from app.admin.case_reviews.forms import CaseReviewForm
from app.admin.pages import confirm_and_delete
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import CaseReview
from app.transactions import saved


def case_review_or_404(review_id: int) -> CaseReview:
    return service.find_case_review(db.session, review_id) or abort(404)


@bp.get("/case-reviews")
def case_reviews():
    return render_template(
        "admin/case_reviews/index.html",
        rows=service.case_reviews_with_course_counts(db.session),
    )


@bp.route("/case-reviews/new", methods=["GET", "POST"])
def new_case_review():
    form = CaseReviewForm()
    if not form.validate_on_submit():
        return review_form_page(form, None)
    try:
        review = saved(service.create_case_review, db.session, form.details())
    except service.CaseReviewError as refusal:
        show_refusal(form, refusal)
        return review_form_page(form, None)
    flash(f"{review.title} has been saved as a draft: publish it when it is ready.", "success")
    return redirect(url_for("admin.edit_case_review", review_id=review.id))


@bp.route("/case-reviews/<id:review_id>/edit", methods=["GET", "POST"])
def edit_case_review(review_id: int):
    review = case_review_or_404(review_id)
    form = CaseReviewForm(obj=review)
    if not form.validate_on_submit():
        return review_form_page(form, review)
    try:
        saved(service.update_case_review, db.session, review, form.details())
    except service.CaseReviewError as refusal:
        show_refusal(form, refusal)
        return review_form_page(form, review)
    flash(f"{review.title} has been saved.", "success")
    return redirect(url_for("admin.edit_case_review", review_id=review.id))


def review_form_page(form: CaseReviewForm, review: CaseReview | None) -> tuple[str, int]:
    """First shown with empty rows to add reports in; shown again, with the rows as sent."""
    if not form.is_submitted():
        form.offer_blank_reports()
    return form_page("admin/case_reviews/form.html", form, review=review, status_form=ConfirmForm())


@bp.post("/case-reviews/<id:review_id>/publish")
def publish_case_review(review_id: int):
    review = db.get_or_404(CaseReview, review_id)
    saved(service.publish, review)
    flash(f"{review.title} is published.", "success")
    return redirect(url_for("admin.edit_case_review", review_id=review.id))


@bp.post("/case-reviews/<id:review_id>/unpublish")
def unpublish_case_review(review_id: int):
    review = db.get_or_404(CaseReview, review_id)
    saved(service.unpublish, review)
    flash(
        f"{review.title} is no longer published: the public pages and the prospectus "
        "no longer show it.",
        "success",
    )
    return redirect(url_for("admin.edit_case_review", review_id=review.id))


@bp.route("/case-reviews/<id:review_id>/delete", methods=["GET", "POST"])
def delete_case_review(review_id: int):
    """GET asks to confirm; POST deletes, or says why not (courses draw on it)."""
    review = db.get_or_404(CaseReview, review_id)
    return confirm_and_delete(
        "admin/case_reviews/delete.html",
        lambda: service.delete_case_review(db.session, review),
        deleted=f"{review.title} has been deleted.",
        back=url_for("admin.case_reviews"),
        review=review,
    )
