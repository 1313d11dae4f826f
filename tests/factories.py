"""Factories for tests: each makes a valid object with sensible defaults, adds and flushes it."""

import io
import secrets
from datetime import date, datetime, timedelta
from itertools import count
from pathlib import Path

from flask import current_app
from PIL import Image
from pypdf import PdfWriter

from app.accounts.passwords import hash_password
from app.extensions import db
from app.models import (
    Agency,
    Booking,
    BookingStatus,
    CaseReview,
    CaseReviewReport,
    Charge,
    ChargeReason,
    ChargingBand,
    Course,
    CourseAudience,
    CourseInterest,
    CourseSession,
    Delivery,
    ExternalTraining,
    ExternalTrainingStatus,
    KeyFinding,
    LearningOutcome,
    LessonLink,
    Prospectus,
    Sector,
    User,
    Venue,
    split_lines,
    utcnow,
)

_numbers = count(1)


def _add(thing):
    db.session.add(thing)
    db.session.flush()
    return thing


def make_prospectus(slug: str = "multi-agency", **fields) -> Prospectus:
    defaults = dict(
        title="Multi-agency learning and development prospectus",
        introduction="Free multi-agency training for the children's workforce.",
        year=2026,
        published=True,
    )
    return _add(Prospectus(slug=slug, **(defaults | fields)))


def make_course(
    prospectus: Prospectus,
    sectors: tuple[Sector, ...] = (),
    learning_outcomes: str = "Recognise the signs of abuse\nKnow how to make a referral",
    **fields,
) -> Course:
    number = next(_numbers)
    defaults = dict(
        slug=f"course-{number}",
        title=f"Course {number}",
        summary="A course about safeguarding.",
        description="What the course covers.",
        audience="Anyone who works with children.",
        level=1,
        duration="Half day",
        delivery=Delivery.IN_PERSON,
        published=True,
    )
    course = Course(prospectus=prospectus, **(defaults | fields))
    course.audience_sectors = [CourseAudience(sector=sector) for sector in sectors]
    course.all_outcomes = [
        LearningOutcome(position=position, text=text)
        for position, text in enumerate(learning_outcomes.splitlines(), start=1)
    ]
    return _add(course)


def make_venue(**fields) -> Venue:
    number = next(_numbers)
    defaults = dict(
        name=f"Venue {number}",
        address="Riverside House\nMain Street\nRotherham",
        postcode="S60 1AE",
        access_information="Step-free access and a hearing loop.",
    )
    return _add(Venue(**(defaults | fields)))


def make_session(
    course: Course,
    starts_at: datetime | None = None,
    hours: float = 3,
    venue: Venue | None = None,
    **fields,
) -> CourseSession:
    starts_at = starts_at or utcnow().replace(microsecond=0) + timedelta(days=14)
    defaults = dict(capacity=20, published=True)
    session = CourseSession(
        course=course,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        venue=venue,
        **(defaults | fields),
    )
    return _add(session)


PASSWORD = "correct horse battery staple"


def make_user(password: str | None = None, verified: bool = True, **fields) -> User:
    """A professional; with `password`, one who can sign in."""
    number = next(_numbers)
    defaults = dict(
        email=f"person{number}@example.org",
        name=f"Person {number}",
        job_title="Health visitor",
        email_verified_at=utcnow() if verified else None,
        password_hash=hash_password(password) if password else None,
    )
    return _add(User(**(defaults | fields)))


def make_agency(**fields) -> Agency:
    number = next(_numbers)
    return _add(Agency(**(dict(name=f"Agency {number}", sector=Sector.HEALTH) | fields)))


def make_booking(
    session: CourseSession,
    status: BookingStatus = BookingStatus.CONFIRMED,
    access_needs: str = "",
    **person,
) -> Booking:
    """A booking of the session by a new person; `person` sets fields of their account."""
    user = make_user(**person)
    return _add(
        Booking(
            session=session,
            user=user,
            agency=user.agency,
            status=status,
            access_needs=access_needs,
        )
    )


def fill(session: CourseSession, places: int, status=BookingStatus.CONFIRMED) -> None:
    """Take `places` of the session's places with bookings by new people."""
    for _ in range(places):
        make_booking(session, status)


def make_case_review(
    slug: str | None = None,
    key_findings: str = "Enquiries were not started in time\nRoles were unclear",
    **fields,
) -> CaseReview:
    """A published review; its key findings are given as lines, one finding each."""
    number = next(_numbers)
    defaults = dict(
        title=f"Child {number} - Serious Case Review",
        year=2012,
        summary="What the review found.",
        published=True,
    )
    review = CaseReview(slug=slug or f"child-{number}", **(defaults | fields))
    review.key_findings = [
        KeyFinding(position=position, text=text)
        for position, text in enumerate(split_lines(key_findings), start=1)
    ]
    review.reports = [
        CaseReviewReport(title="Overview report", url="https://example.org/overview.pdf")
    ]
    return _add(review)


def link(
    course: Course,
    review: CaseReview,
    note: str = "Uses the review's findings.",
    teaches: tuple[KeyFinding, ...] = (),
) -> LessonLink:
    """The course draws on the review, teaching the findings given."""
    return _add(
        LessonLink(course=course, case_review=review, note=note, key_findings=list(teaches))
    )


def charge_on(booking: Booking, amount_pence: int = 5000, **fields) -> Charge:
    """A no-show charge against the booking, its person and an agency of theirs."""
    agency = booking.user.agency or make_agency(charging_band=ChargingBand.CHARGEABLE)
    booking.user.agency = agency
    defaults = dict(reason=ChargeReason.DID_NOT_ATTEND, raised_at=utcnow())
    return _add(
        Charge(
            booking=booking,
            user=booking.user,
            agency=agency,
            amount_pence=amount_pence,
            **(defaults | fields),
        )
    )


def put_on_list(course: Course, *people: User) -> None:
    """People on the course's interest list, as if each had asked to be told of a date."""
    for person in people:
        _add(CourseInterest(course=course, user=person))


# Certificates of training done elsewhere --------------------------------------------------


def pdf_bytes(pages: int = 1) -> bytes:
    """A small, whole PDF with blank A4 pages."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def picture_bytes(kind: str = "PNG", size: tuple[int, int] = (400, 300)) -> bytes:
    """A whole PNG or JPEG picture."""
    out = io.BytesIO()
    Image.new("RGB", size, (75, 42, 123)).save(out, kind)
    return out.getvalue()


def make_external_training(
    person: User,
    course: Course,
    status: ExternalTrainingStatus = ExternalTrainingStatus.SUBMITTED,
    content: bytes | None = None,
    **fields,
) -> ExternalTraining:
    """A record of training done elsewhere, its certificate (a PDF) in the upload folder."""
    content = pdf_bytes() if content is None else content
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + ".pdf"
    (folder / name).write_bytes(content)
    defaults = dict(
        provider="Virtual College",
        completed_on=date.today() - timedelta(days=30),
        certificate_path=name,
        certificate_name="My certificate.pdf",
        certificate_type="application/pdf",
        status=status,
    )
    return _add(ExternalTraining(user=person, course=course, **(defaults | fields)))
