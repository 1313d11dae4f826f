"""The prospectus as a PDF, made from the live catalogue and kept until the catalogue changes."""

from datetime import datetime
from pathlib import Path

from flask import current_app, render_template

from app.catalogue import queries
from app.charges.service import ChargesOfCourse, charges_of_course, rates_from
from app.display import in_london
from app.extensions import db
from app.models import CourseSession, Prospectus
from app.pdf_cache import CachedDocument, cached_pdf
from app.prerequisites.service import prerequisites_of_courses

STYLESHEET = Path(__file__).resolve().parent.parent.parent / "static" / "pdf" / "prospectus.css"


def cached_prospectus_pdf(prospectus: Prospectus, now: datetime) -> CachedDocument:
    """The PDF for today's catalogue, built only when no copy for it is on disk yet.

    The copy is keyed by everything it shows: the catalogue's state and the day,
    since "upcoming" moves on by itself.
    """
    return cached_pdf(
        "prospectuses",
        prospectus.slug,
        printed_state(now),
        lambda: render_prospectus_pdf(prospectus, now),
    )


def printed_state(now: datetime) -> str:
    """What a document printed from the catalogue today shows: the day and the catalogue."""
    return f"{in_london(now).date()}|{queries.catalogue_fingerprint(db.session, now)}"


def dates_to_print(course_ids: list[int], now: datetime) -> dict[int, list[CourseSession]]:
    """The published sessions to come of each course, but those cancelled: a printed list
    has no room to say so."""
    sessions = queries.upcoming_sessions(db.session, course_ids, now)
    return {
        course_id: [session for session in found if not session.is_cancelled]
        for course_id, found in sessions.items()
    }


def render_prospectus_pdf(prospectus: Prospectus, now: datetime) -> bytes:
    from weasyprint import CSS, HTML  # slow to import; only the PDF needs it

    courses = queries.published_courses(db.session, prospectus)
    rates = rates_from(current_app.config)
    course_ids = [course.id for course in courses]
    html = render_template(
        "catalogue/prospectus_pdf.html",
        prospectus=prospectus,
        courses=courses,
        sessions=dates_to_print(course_ids, now),
        lesson_links=queries.lesson_links_for_courses(db.session, course_ids),
        prerequisites=prerequisites_of_courses(db.session, course_ids),
        charges={course.id: charges_of_course(course, None, rates) for course in courses},
        usual_charges=ChargesOfCourse(rates.non_attendance_pence, rates.late_cancellation_pence),
        printed_on=now,
    )
    document = HTML(string=html, base_url=current_app.config["BASE_URL"])
    # Tagged as PDF/UA, so screen readers follow its headings, lists and tables.
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))], pdf_variant="pdf/ua-1")
