"""Public pages of the case reviews."""

from flask import abort, render_template

from app.catalogue.queries import next_session_starts
from app.extensions import db
from app.models import utcnow
from app.reviews import bp
from app.reviews.queries import (
    get_published_case_review,
    links_to_courses,
    published_case_reviews,
)


@bp.get("/case-reviews")
def index():
    reviews = published_case_reviews(db.session)
    return render_template(
        "reviews/index.html",
        case_reviews=reviews,
        links=links_to_courses(db.session, [review.id for review in reviews]),
    )


@bp.get("/case-reviews/<slug>")
def show(slug: str):
    """A review, its findings and reports, and the courses drawing on it; 404 if unpublished."""
    review = get_published_case_review(db.session, slug) or abort(404)
    links = links_to_courses(db.session, [review.id])[review.id]
    return render_template(
        "reviews/show.html",
        review=review,
        links=links,
        next_starts=next_session_starts(db.session, [link.course_id for link in links], utcnow()),
    )
