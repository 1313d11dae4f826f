"""Public pages of the case reviews."""

import io

from flask import abort, send_file

from app.catalogue.queries import next_session_starts
from app.extensions import db
from app.models import utcnow
from app.page_cache import kept_page, render_page
from app.reviews import bp, briefing
from app.reviews.queries import (
    find_published_case_review,
    findings_taught,
    get_published_case_review,
    links_to_courses,
    published_case_reviews,
)


@bp.get("/case-reviews")
@kept_page()
def index():
    reviews = published_case_reviews(db.session)
    return render_page(
        "reviews/index.html",
        case_reviews=reviews,
        links=links_to_courses(db.session, [review.id for review in reviews]),
    )


@bp.get("/case-reviews/<slug>")
@kept_page()
def show(slug: str):
    """A review, its findings with the courses teaching each, its reports, and the courses
    drawing on it; 404 if unpublished."""
    review = get_published_case_review(db.session, slug) or abort(404)
    links = links_to_courses(db.session, [review.id])[review.id]
    return render_page(
        "reviews/show.html",
        review=review,
        findings=findings_taught(db.session, review, links),
        links=links,
        next_starts=next_session_starts(db.session, [link.course_id for link in links], utcnow()),
    )


@bp.get("/case-reviews/<slug>/briefing.pdf")
def briefing_pdf(slug: str):
    """The review's 7-minute briefing, one A4 page; 404 when the review is not published."""
    review = find_published_case_review(db.session, slug) or abort(404)
    document = briefing.cached_briefing_pdf(review, utcnow())
    return send_file(
        io.BytesIO(document.content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{review.slug}-7-minute-briefing.pdf",
        etag=document.etag,
        conditional=True,
        max_age=0,
    )
