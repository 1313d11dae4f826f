"""A case review's key findings: added, reworded, put in order and removed one at a time,
so that each keeps the lesson links tied to it."""

from flask import abort, flash, redirect, url_for

from app.admin import bp
from app.admin.case_reviews import findings
from app.admin.case_reviews.forms import FindingForm, NewFindingForm
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import MOST_FINDINGS, CaseReview, KeyFinding, utcnow
from app.transactions import saved


def review_or_404(review_id: int) -> CaseReview:
    return findings.find_review_with_findings(db.session, review_id) or abort(404)


def finding_or_404(review: CaseReview, finding_id: int) -> KeyFinding:
    return findings.get_finding(db.session, review, finding_id) or abort(404)


def back_to_findings(review: CaseReview):
    return redirect(url_for("admin.review_findings", review_id=review.id))


@bp.route("/case-reviews/<id:review_id>/findings", methods=["GET", "POST"])
def review_findings(review_id: int):
    """The review's findings in order, with the courses teaching each; POST adds one."""
    review = review_or_404(review_id)
    form = NewFindingForm()
    page = "admin/case_reviews/findings.html"
    if not form.validate_on_submit():
        return form_page(page, form, review=review, most=MOST_FINDINGS)
    try:
        saved(findings.add_finding, db.session, review, form.text.data, utcnow())
    except findings.FindingError as refusal:
        show_refusal(form, refusal)
        return form_page(page, form, review=review, most=MOST_FINDINGS)
    flash("The key finding has been added.", "success")
    return back_to_findings(review)


@bp.route("/case-reviews/<id:review_id>/findings/<id:finding_id>/edit", methods=["GET", "POST"])
def edit_review_finding(review_id: int, finding_id: int):
    review = review_or_404(review_id)
    finding = finding_or_404(review, finding_id)
    form = FindingForm(data={"text": finding.text})
    page = "admin/case_reviews/finding_form.html"
    if not form.validate_on_submit():
        return form_page(page, form, review=review, finding=finding)
    try:
        changed = saved(
            findings.change_finding, db.session, review, finding, form.text.data, utcnow()
        )
    except findings.FindingError as refusal:
        show_refusal(form, refusal)
        return form_page(page, form, review=review, finding=finding)
    flash("The key finding has been changed." if changed else "Nothing was changed.", "success")
    return back_to_findings(review)


# Buttons without fields: CSRFProtect checks their token, as it does every POST.
@bp.post("/case-reviews/<id:review_id>/findings/<id:finding_id>/up")
def move_review_finding_up(review_id: int, finding_id: int):
    return moved(review_id, finding_id, -1)


@bp.post("/case-reviews/<id:review_id>/findings/<id:finding_id>/down")
def move_review_finding_down(review_id: int, finding_id: int):
    return moved(review_id, finding_id, 1)


def moved(review_id: int, finding_id: int, places: int):
    review = review_or_404(review_id)
    finding = finding_or_404(review, finding_id)
    saved(findings.move_finding, db.session, review, finding, places, utcnow())
    return back_to_findings(review)


@bp.post("/case-reviews/<id:review_id>/findings/<id:finding_id>/remove")
def remove_review_finding(review_id: int, finding_id: int):
    review = review_or_404(review_id)
    finding = finding_or_404(review, finding_id)
    text = finding.text
    untied = saved(findings.remove_finding, db.session, review, finding, utcnow())
    message = f"\u201c{text}\u201d is no longer one of the review's key findings."
    if untied:
        message += f" The courses that taught it no longer do: {', '.join(untied)}."
    flash(message, "success")
    return back_to_findings(review)
