"""GET-only JSON endpoints of the public catalogue, under /api/v1."""

from flask import abort, jsonify

from app.api import bp, serialise
from app.api.openapi import openapi_document
from app.catalogue import queries
from app.extensions import db
from app.models import utcnow
from app.prerequisites.service import requirements_for
from app.reviews.queries import (
    findings_taught,
    get_published_case_review,
    links_to_courses,
    published_case_reviews,
)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/prospectuses")
def prospectuses():
    return jsonify(
        prospectuses=[
            serialise.prospectus_summary(prospectus, count)
            for prospectus, count in queries.published_prospectuses(db.session)
        ]
    )


@bp.get("/prospectuses/<slug>")
def prospectus(slug: str):
    found = queries.get_published_prospectus(db.session, slug) or abort(404)
    courses = queries.published_courses(db.session, found)
    return jsonify(
        **serialise.prospectus_summary(found, len(courses)),
        courses=course_summaries(courses),
    )


@bp.get("/courses")
def courses():
    return jsonify(courses=course_summaries(queries.published_courses(db.session)))


def course_summaries(courses: list) -> list[dict]:
    next_starts = queries.next_session_starts(
        db.session, [course.id for course in courses], utcnow()
    )
    return [serialise.course_summary(course, next_starts.get(course.id)) for course in courses]


@bp.get("/courses/<slug>")
def course(slug: str):
    found = queries.get_published_course(db.session, slug) or abort(404)
    now = utcnow()
    return jsonify(
        serialise.course_detail(
            found,
            queries.upcoming_sessions(db.session, [found.id], now).get(found.id, []),
            queries.lesson_links_for_courses(db.session, [found.id]).get(found.id, []),
            requirements_for(db.session, found.id, None, now),
        )
    )


@bp.get("/case-reviews")
def case_reviews():
    return jsonify(
        case_reviews=[
            serialise.case_review_summary(review) for review in published_case_reviews(db.session)
        ]
    )


@bp.get("/case-reviews/<slug>")
def case_review(slug: str):
    review = get_published_case_review(db.session, slug) or abort(404)
    links = links_to_courses(db.session, [review.id])[review.id]
    next_starts = queries.next_session_starts(
        db.session, [link.course_id for link in links], utcnow()
    )
    findings = findings_taught(db.session, review, links)
    return jsonify(serialise.case_review_detail(review, links, findings, next_starts))
