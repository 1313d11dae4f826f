"""Models as the JSON documents the OpenAPI description promises."""

from collections.abc import Sequence
from datetime import datetime

from app.display import in_london
from app.links import absolute_url
from app.models import CaseReview, Course, CourseSession, LessonLink, Prospectus, Venue
from app.prerequisites.service import Requirement
from app.reviews.queries import FindingTaught


def timestamp(moment: datetime | None) -> str | None:
    """ISO 8601 in London time with its offset: unambiguous, and what people read."""
    return None if moment is None else in_london(moment).isoformat()


def prospectus_summary(prospectus: Prospectus, course_count: int) -> dict:
    return {
        "slug": prospectus.slug,
        "title": prospectus.title,
        "year": prospectus.year,
        "introduction": prospectus.introduction,
        "course_count": course_count,
        "url": absolute_url("catalogue.prospectus", slug=prospectus.slug),
        "pdf_url": absolute_url("catalogue.prospectus_pdf", slug=prospectus.slug),
        "api_url": absolute_url("api.prospectus", slug=prospectus.slug),
    }


def course_summary(course: Course, next_start: datetime | None) -> dict:
    return {
        "slug": course.slug,
        "title": course.title,
        "summary": course.summary,
        "level": course.level,
        "delivery": course.delivery.value,
        "duration": course.duration,
        "audience_sectors": [sector.value for sector in course.sectors],
        "external_url": course.external_url,
        "next_session_starts_at": timestamp(next_start),
        "url": absolute_url("catalogue.course", slug=course.slug),
        "api_url": absolute_url("api.course", slug=course.slug),
    }


def course_detail(
    course: Course,
    sessions: list[CourseSession],
    links: list[LessonLink],
    requirements: Sequence[Requirement],
) -> dict:
    return {
        **course_summary(course, next((s.starts_at for s in sessions if not s.is_cancelled), None)),
        "prospectus": course.prospectus.slug,
        "description": course.description,
        "learning_outcomes": [outcome.text for outcome in course.outcomes],
        "audience": course.audience,
        "charges_policy": course.charges_policy,
        # A number, not text: 2.5 hours is 2.5.
        "cpd_hours": float(course.cpd_hours),
        "sessions": [session_document(session) for session in sessions],
        "case_reviews": [
            {
                "slug": link.case_review.slug,
                "title": link.case_review.title,
                "note": link.note,
                "api_url": absolute_url("api.case_review", slug=link.case_review.slug),
            }
            for link in links
        ],
        "prerequisites": [
            {
                "title": requirement.title,
                "level": requirement.level,
                "within_years": requirement.within_years,
                "api_url": absolute_url("api.course", slug=requirement.slug)
                if requirement.public
                else None,
            }
            for requirement in requirements
        ],
    }


def session_document(session: CourseSession) -> dict:
    return {
        "id": session.id,
        "starts_at": timestamp(session.starts_at),
        "ends_at": timestamp(session.ends_at),
        "timezone": "Europe/London",
        "status": session.status.value,
        "online": session.is_online,
        "venue": venue_document(session.venue),
        "capacity": session.capacity,
        "places_left": session.places_left,
        "url": absolute_url("catalogue.session", session_id=session.id),
    }


def venue_document(venue: Venue | None) -> dict | None:
    if venue is None:
        return None
    return {
        "name": venue.name,
        "address": venue.address_lines,
        "postcode": venue.postcode,
        "access_information": venue.access_information,
    }


def case_review_summary(review: CaseReview) -> dict:
    return {
        "slug": review.slug,
        "title": review.title,
        "year": review.year,
        "summary": review.summary,
        "url": absolute_url("reviews.show", slug=review.slug),
        "api_url": absolute_url("api.case_review", slug=review.slug),
    }


def case_review_detail(
    review: CaseReview,
    links: list[LessonLink],
    findings: list[FindingTaught],
    next_starts: dict[int, datetime],
) -> dict:
    taught: dict[int, list[str]] = {link.id: [] for link in links}
    for finding in findings:
        for link in finding.links:
            taught[link.id].append(finding.finding.text)
    return {
        **case_review_summary(review),
        "key_findings": review.findings,
        "reports": [{"title": report.title, "url": report.url} for report in review.reports],
        "courses": [
            {
                "slug": link.course.slug,
                "title": link.course.title,
                "note": link.note,
                "key_findings": taught[link.id],
                "next_session_starts_at": timestamp(next_starts.get(link.course_id)),
                "api_url": absolute_url("api.course", slug=link.course.slug),
            }
            for link in links
        ],
    }
