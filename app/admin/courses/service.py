"""The rules of courses: what a course must say, a unique web address, e-learning with its
address and without sessions, drafts kept from the public, and no deleting what was booked."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from app.admin.slugs import slugify
from app.interest import service as interest
from app.models import (
    CPD_HOURS_LEAST,
    CPD_HOURS_MOST,
    LEVELS,
    REFRESH_YEARS_LEAST,
    REFRESH_YEARS_MOST,
    Booking,
    Course,
    CourseAudience,
    CourseSession,
    Delivery,
    ExternalTraining,
    Prerequisite,
    Prospectus,
    Sector,
    SessionStatus,
)
from app.notices import Done
from app.refusals import Refused

SLUG_LENGTH = 120
#: A course's own charge is at most £1,000: more is surely a slip of the keyboard.
MOST_CHARGE_PENCE = 100_000


class CourseError(Refused):
    pass


@dataclass(frozen=True)
class CourseDetails:
    prospectus_id: int
    title: str
    #: Blank: made from the title.
    slug: str
    summary: str
    #: Markdown, shown through app.display.render_markdown's sanitiser.
    description: str
    audience: str
    sectors: tuple[Sector, ...]
    level: int
    duration: str
    #: What attending counts for in CPD: from half an hour to 40, in half hours.
    cpd_hours: Decimal | None
    delivery: Delivery
    charges_policy: str
    what_to_bring: str
    #: Markdown, sent with the reminder.
    pre_course_reading: str
    #: Where e-learning hosted elsewhere is started; blank for any other delivery.
    external_url: str
    requires_approval: bool
    certificate_after_evaluation: bool
    #: Attended again every so many years (1 to 10); None for a course attended once.
    refresh_years: int | None
    #: The course's own charges, in pence (0: none); None for the partnership's usual ones.
    non_attendance_charge_pence: int | None = None
    late_cancellation_charge_pence: int | None = None


@dataclass(frozen=True)
class CourseRow:
    course: Course
    upcoming_sessions: int


def course_rows(
    db_session: Session, now: datetime, prospectus_id: int | None = None
) -> list[CourseRow]:
    """Every course, drafts too, by prospectus then title, with its sessions to come: one query."""
    upcoming = (
        select(func.count(CourseSession.id))
        .where(
            CourseSession.course_id == Course.id,
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.starts_at > now,
        )
        .scalar_subquery()
    )
    query = (
        select(Course, upcoming)
        .join(Course.prospectus)
        .options(contains_eager(Course.prospectus))
        .order_by(Prospectus.position, Prospectus.title, Course.title, Course.id)
    )
    if prospectus_id is not None:
        query = query.where(Course.prospectus_id == prospectus_id)
    return [CourseRow(*row) for row in db_session.execute(query)]


def get_course(db_session: Session, course_id: int) -> Course | None:
    return db_session.scalar(
        select(Course)
        .where(Course.id == course_id)
        .options(joinedload(Course.prospectus), selectinload(Course.audience_sectors))
    )


def courses_taking_sessions(db_session: Session) -> list[Course]:
    """Every course that can have sessions, drafts too (not e-learning hosted elsewhere),
    by prospectus and then by title."""
    return list(
        db_session.scalars(
            select(Course)
            .join(Course.prospectus)
            .where(Course.delivery != Delivery.E_LEARNING)
            .options(contains_eager(Course.prospectus))
            .order_by(Prospectus.position, Prospectus.title, Course.title, Course.id)
        )
    )


def create_course(db_session: Session, details: CourseDetails, now: datetime) -> Course:
    """A new course starts as a draft: nobody outside the team sees it until published."""
    course = Course(published=False)
    apply_details(db_session, course, details, now)
    db_session.add(course)
    db_session.flush()
    return course


def update_course(
    db_session: Session, course: Course, details: CourseDetails, now: datetime
) -> Done[int]:
    """Moved into a published prospectus, its sessions may become dates to book: the
    people on its interest list are told of them. How many were told."""
    apply_details(db_session, course, details, now)
    db_session.flush()
    return interest.told(interest.tell_of_course_dates(db_session, course, now))


def apply_details(
    db_session: Session, course: Course, details: CourseDetails, now: datetime
) -> None:
    """Every rule is checked before anything changes, so a refusal leaves the course as it was."""
    title = " ".join(details.title.split())
    prospectus = check_details(db_session, course, details, title, now)
    slug = checked_slug(db_session, course, details.slug, title)
    course.prospectus = prospectus
    course.title = title
    course.slug = slug
    course.summary = details.summary.strip()
    course.description = details.description.strip()
    course.audience = details.audience.strip()
    course.level = details.level
    course.duration = details.duration.strip()
    course.cpd_hours = details.cpd_hours
    course.refresh_years = details.refresh_years
    course.non_attendance_charge_pence = details.non_attendance_charge_pence
    course.late_cancellation_charge_pence = details.late_cancellation_charge_pence
    course.delivery = details.delivery
    course.charges_policy = details.charges_policy.strip()
    course.what_to_bring = details.what_to_bring.strip()
    course.pre_course_reading = details.pre_course_reading.strip()
    course.external_url = details.external_url.strip() or None
    course.requires_approval = details.requires_approval
    course.certificate_after_evaluation = details.certificate_after_evaluation
    set_sectors(course, details.sectors)


def check_details(
    db_session: Session, course: Course, details: CourseDetails, title: str, now: datetime
) -> Prospectus:
    """The course's prospectus, once every rule of what it says is met."""
    prospectus = db_session.get(Prospectus, details.prospectus_id)
    if prospectus is None:
        raise CourseError("Choose a prospectus from the list", field="prospectus")
    if not title:
        raise CourseError("Enter the course's title", field="title")
    for field, text, what in (
        ("summary", details.summary, "a summary of the course"),
        ("description", details.description, "a description of the course"),
        ("audience", details.audience, "who the course is for"),
    ):
        if not text.strip():
            raise CourseError(f"Enter {what}", field=field)
    if details.level not in LEVELS:
        raise CourseError("Choose the course's level", field="level")
    if refusal := cpd_hours_refusal(details.cpd_hours):
        raise CourseError(refusal, field="cpd_hours")
    if refusal := refresh_years_refusal(details.refresh_years):
        raise CourseError(refusal, field="refresh_years")
    for field, pence in (
        ("non_attendance_charge", details.non_attendance_charge_pence),
        ("late_cancellation_charge", details.late_cancellation_charge_pence),
    ):
        if pence is not None and not 0 <= pence <= MOST_CHARGE_PENCE:
            raise CourseError(
                f"A charge must be between £0 and £{MOST_CHARGE_PENCE // 100:,}", field=field
            )
    check_external_url(details.delivery, details.external_url.strip())
    if details.delivery is Delivery.E_LEARNING and has_sessions_to_come(db_session, course, now):
        raise CourseError(
            "This course has sessions still to come, and e-learning hosted elsewhere has none: "
            "cancel them first, or choose another way of delivering it",
            field="delivery",
        )
    return prospectus


def cpd_hours_refusal(hours: Decimal | None) -> str | None:
    """Why a course cannot carry these CPD hours; None when it can."""
    if hours is None:
        return "Enter the CPD hours"
    if not CPD_HOURS_LEAST <= hours <= CPD_HOURS_MOST:
        return f"The CPD hours must be between {CPD_HOURS_LEAST} and {CPD_HOURS_MOST}"
    if (hours * 2) % 1:
        return "Enter the CPD hours in whole or half hours, like 3 or 6.5"
    return None


def refresh_years_refusal(years: int | None) -> str | None:
    """Why a course cannot be refreshed this often; None when it can, or has no refresher."""
    if years is not None and not REFRESH_YEARS_LEAST <= years <= REFRESH_YEARS_MOST:
        return (
            f"The number of years between refreshers must be between {REFRESH_YEARS_LEAST} "
            f"and {REFRESH_YEARS_MOST}"
        )
    return None


def check_external_url(delivery: Delivery, url: str) -> None:
    if delivery is not Delivery.E_LEARNING:
        if url:
            raise CourseError(
                "Leave the e-learning address empty: only e-learning hosted elsewhere has one",
                field="external_url",
            )
        return
    if not url:
        raise CourseError(
            "Enter the web address where people start the e-learning", field="external_url"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CourseError(
            "Enter the e-learning address in full, starting with https://", field="external_url"
        )


def has_sessions_to_come(db_session: Session, course: Course, now: datetime) -> bool:
    if course.id is None:
        return False
    return (
        db_session.scalar(
            select(CourseSession.id).where(
                CourseSession.course_id == course.id,
                CourseSession.status == SessionStatus.SCHEDULED,
                CourseSession.starts_at > now,
            )
        )
        is not None
    )


def checked_slug(db_session: Session, course: Course, typed: str, title: str) -> str:
    """The slug typed, tidied, or one made from the title; refused if another course has it."""
    field = "slug" if typed.strip() else "title"
    slug = slugify(typed or title, SLUG_LENGTH)
    if not slug:
        raise CourseError(
            "Enter a web address with letters or numbers in it, like understanding-neglect",
            field=field,
        )
    taken = db_session.scalar(
        select(Course.title).where(Course.slug == slug, Course.id != course.id)
    )
    if taken is not None:
        remedy = "type another" if field == "slug" else "change the title, or type a web address"
        raise CourseError(
            f"The web address /courses/{slug} is already used by {taken}: {remedy}", field=field
        )
    return slug


def set_sectors(course: Course, sectors: tuple[Sector, ...]) -> None:
    """Only the sectors added or removed change, so the audit log shows just those."""
    wanted = set(sectors)
    for row in list(course.audience_sectors):
        if row.sector not in wanted:
            course.audience_sectors.remove(row)
    have = {row.sector for row in course.audience_sectors}
    for sector in Sector:
        if sector in wanted and sector not in have:
            course.audience_sectors.append(CourseAudience(sector=sector))


def publish(db_session: Session, course: Course, now: datetime) -> Done[int]:
    """Public once its prospectus is published too; its published sessions show with it,
    and the people on its interest list are told of them. How many were told."""
    course.published = True
    db_session.flush()
    return interest.told(interest.tell_of_course_dates(db_session, course, now))


def unpublish(db_session: Session, course: Course) -> None:
    """It leaves the prospectus, its PDF and its feed; bookings already made stand."""
    course.published = False
    db_session.flush()


def bookings_made(db_session: Session, course: Course) -> int:
    """Bookings of any status on any of its sessions, cancelled ones too: each is a record."""
    return db_session.scalar(
        select(func.count(Booking.id))
        .join(Booking.session)
        .where(CourseSession.course_id == course.id)
    )


def recorded_elsewhere(db_session: Session, course: Course) -> int:
    """Records of training done elsewhere as this course, of any status."""
    return db_session.scalar(
        select(func.count(ExternalTraining.id)).where(ExternalTraining.course_id == course.id)
    )


def delete_course(db_session: Session, course: Course) -> None:
    """Only a draft that nobody has booked, nor recorded as done elsewhere, with its
    sessions, sectors and lesson links."""
    if course.published:
        raise CourseError(f"{course.title} is published. Unpublish it first, then delete it")
    booked = bookings_made(db_session, course)
    if booked:
        bookings = "1 booking" if booked == 1 else f"{booked} bookings"
        raise CourseError(
            f"{course.title} cannot be deleted: its sessions have {bookings}. "
            "Leave it unpublished, or cancel its sessions, instead"
        )
    if requiring := courses_requiring(db_session, course):
        raise CourseError(
            f"{course.title} cannot be deleted: {' and '.join(requiring)} "
            f"{'requires' if len(requiring) == 1 else 'require'} it. Remove it from their "
            "prerequisites first"
        )
    if recorded := recorded_elsewhere(db_session, course):
        records = "1 record" if recorded == 1 else f"{recorded} records"
        raise CourseError(
            f"{course.title} cannot be deleted: {records} of training done elsewhere "
            "stand for it. Leave it unpublished instead"
        )
    interest.forget_course(db_session, course.id)
    for session in course.sessions:
        db_session.delete(session)
    db_session.delete(course)
    db_session.flush()


def courses_requiring(db_session: Session, course: Course) -> list[str]:
    """The titles of the courses that require this one first."""
    return list(
        db_session.scalars(
            select(Course.title)
            .join(Prerequisite, Prerequisite.course_id == Course.id)
            .where(Prerequisite.required_course_id == course.id)
            .order_by(Course.title)
        )
    )
