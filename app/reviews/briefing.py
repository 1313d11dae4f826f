"""A case review's 7-minute briefing: one A4 page for a team meeting, made from the live
review and catalogue, and kept until what it prints changes (app.pdf_cache)."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app, render_template

from app.catalogue.pdf import dates_to_print, printed_state
from app.extensions import db
from app.models import CaseReview, CourseSession, LessonLink
from app.pdf_cache import CachedDocument, cached_pdf
from app.reviews.queries import FindingTaught, findings_taught, links_to_courses

STYLESHEET = Path(__file__).resolve().parent.parent.parent / "static" / "pdf" / "briefing.css"

#: The dates printed for each course: the page has room for the next few, not a timetable.
NEXT_DATES = 2


@dataclass(frozen=True)
class BriefingCourse:
    """A published course drawing on the review, as the briefing lists it."""

    link: LessonLink
    #: The numbers (from 1, as the briefing lists them) of the findings it teaches.
    finding_numbers: list[int]
    next_sessions: list[CourseSession]


def cached_briefing_pdf(review: CaseReview, now: datetime) -> CachedDocument:
    """The briefing as today's review and catalogue make it, built only when no copy for
    them is on disk yet: the review's text, its findings and the courses' dates are all in
    the catalogue's fingerprint, and the day moves "next dates" on."""
    return cached_pdf(
        "briefings", review.slug, printed_state(now), lambda: render_briefing_pdf(review, now)
    )


def briefing_courses(
    findings: list[FindingTaught], links: list[LessonLink], now: datetime
) -> list[BriefingCourse]:
    numbers: dict[int, list[int]] = {link.id: [] for link in links}
    for number, taught in enumerate(findings, start=1):
        for link in taught.links:
            numbers[link.id].append(number)
    sessions = dates_to_print([link.course_id for link in links], now)
    return [
        BriefingCourse(link, numbers[link.id], sessions.get(link.course_id, [])[:NEXT_DATES])
        for link in links
    ]


def render_briefing_pdf(review: CaseReview, now: datetime) -> bytes:
    from weasyprint import CSS, HTML  # slow to import; only the PDF needs it

    links = links_to_courses(db.session, [review.id])[review.id]
    findings = findings_taught(db.session, review, links)
    html = render_template(
        "reviews/briefing_pdf.html",
        review=review,
        findings=findings,
        courses=briefing_courses(findings, links, now),
        printed_on=now,
    )
    document = HTML(string=html, base_url=current_app.config["BASE_URL"])
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
