"""Loads the demonstration catalogue from app/data/demo.yaml, idempotently.

Everything is matched by its natural key (slug, name or email) and updated in
place; a course's sessions and their bookings are made only when the course has
none yet, so loading twice leaves exactly what loading once did.

Sessions are dated in days from today, moved on to the next working day where that falls
on a weekend or an English bank holiday (unless planned for `any_day`), at the times
planned on London's clocks. The registers of past sessions are marked by their trainers
through the register's own rule (`give_mark`), so certificates and charges follow.

Training done elsewhere is made once for each person and course it names, with a small
PDF certificate written to the upload folder.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import yaml
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.passwords import hash_password
from app.admin.courses.outcomes import replace_outcomes
from app.charges.service import USUAL_RATES, ChargeRates
from app.display import LONDON, long_date
from app.evaluations.service import REQUEST_WINDOW, WERE_THERE
from app.external_training import files
from app.models import (
    DEFAULT_CPD_HOURS,
    Agency,
    Attendance,
    Booking,
    BookingEvent,
    BookingStatus,
    CaseReview,
    CaseReviewReport,
    ChargingBand,
    Course,
    CourseAudience,
    CourseInterest,
    CourseSession,
    Delivery,
    Evaluation,
    ExternalTraining,
    ExternalTrainingStatus,
    KeyFinding,
    LearningOutcome,
    LessonLink,
    OutcomeConfidence,
    Prerequisite,
    Prospectus,
    Role,
    Sector,
    SectorPlaces,
    SessionStatus,
    Stage,
    User,
    Venue,
    utcnow,
)
from app.sessions.service import give_mark
from app.working_days import next_working_day, previous_working_day

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo.yaml"


@dataclass
class DemoSummary:
    prospectuses: int = 0
    courses: int = 0
    sessions_created: int = 0
    case_reviews: int = 0


def read_demo_file(path: Path = DEMO_FILE) -> dict:
    with path.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def load_demo_data(
    db_session: Session,
    data: dict,
    today: date,
    upload_folder: Path,
    rates: ChargeRates = USUAL_RATES,
) -> DemoSummary:
    """Make the catalogue in `data` exist, with sessions dated relative to `today`, and
    the certificates of training done elsewhere in `upload_folder`; the past sessions'
    no-shows are charged at `rates`, as the register charges them."""
    summary = DemoSummary()
    prospectuses = {
        entry["slug"]: upsert_prospectus(db_session, entry, today.year)
        for entry in data["prospectuses"]
    }
    venues = {entry["name"]: upsert_venue(db_session, entry) for entry in data["venues"]}
    agencies = {entry["name"]: upsert_agency(db_session, entry) for entry in data["agencies"]}
    password_hash = hash_password(data["demo_password"])
    people = [
        upsert_person(db_session, entry, agencies, password_hash, today) for entry in data["people"]
    ]
    by_email = {person.email: person for person in people}
    staff = {
        entry["email"]: upsert_person(db_session, entry, agencies, password_hash, today)
        for entry in data.get("staff", [])
    }
    reviews = {
        entry["slug"]: upsert_case_review(db_session, entry) for entry in data["case_reviews"]
    }
    db_session.flush()
    words = data.get("evaluation_words", {})
    coordinator = next(person for person in staff.values() if person.is_coordinator)
    courses = {}
    for entry in data["courses"]:
        course = upsert_course(db_session, entry, prospectuses[entry["prospectus"]])
        replace_outcomes(db_session, course, entry.get("learning_outcomes", []), utcnow())
        link_case_reviews(course, entry.get("case_reviews", []), reviews)
        trainers = [staff[email] for email in entry.get("trainers", [])]
        if not has_sessions(db_session, course):
            for planned in entry.get("sessions", []):
                session = add_session(db_session, course, planned, venues, people, today, words)
                session.trainers = list(trainers)
                summary.sessions_created += 1
                if is_past(session, today):
                    # Its trainer marks the register, or a coordinator where it has none.
                    marker = trainers[0] if trainers else coordinator
                    mark_register(session, marker, rates)
                    add_feedback(db_session, session, words, today)
        give_trainers(course, trainers)
        put_on_interest_list(db_session, course, [by_email[e] for e in entry.get("interested", [])])
        courses[entry["slug"]] = course
    for entry in data["courses"]:
        require_courses(courses[entry["slug"]], entry.get("prerequisites", []), courses)
    db_session.flush()
    everyone = {person.email: person for person in [*people, *staff.values()]}
    for entry in data.get("external_training", []):
        add_external_training(db_session, entry, everyone, upload_folder, today)
    db_session.flush()
    summary.prospectuses = len(prospectuses)
    summary.courses = len(data["courses"])
    summary.case_reviews = len(reviews)
    return summary


def find_or_new(db_session: Session, model: type, **key):
    found = db_session.scalar(select(model).filter_by(**key))
    if found is None:
        found = model(**key)
        db_session.add(found)
    return found


def upsert_prospectus(db_session: Session, entry: dict, year: int) -> Prospectus:
    prospectus = find_or_new(db_session, Prospectus, slug=entry["slug"])
    prospectus.title = entry["title"]
    prospectus.introduction = entry["introduction"].strip()
    prospectus.position = entry.get("position", 0)
    prospectus.year = year
    prospectus.published = True
    return prospectus


def upsert_venue(db_session: Session, entry: dict) -> Venue:
    venue = find_or_new(db_session, Venue, name=entry["name"])
    venue.address = entry["address"].strip()
    venue.postcode = entry["postcode"]
    venue.access_information = entry.get("access_information", "")
    return venue


def upsert_agency(db_session: Session, entry: dict) -> Agency:
    agency = find_or_new(db_session, Agency, name=entry["name"])
    agency.sector = Sector(entry["sector"])
    agency.charging_band = ChargingBand(entry.get("charging_band", ChargingBand.PARTNER))
    return agency


def upsert_person(
    db_session: Session,
    entry: dict,
    agencies: dict[str, Agency],
    password_hash: str,
    today: date,
) -> User:
    person = find_or_new(db_session, User, email=entry["email"].lower())
    person.name = entry["name"]
    person.job_title = entry.get("job_title", "")
    person.agency = agencies[entry["agency"]]
    person.line_manager_name = entry.get("line_manager_name", "")
    person.line_manager_email = entry.get("line_manager_email")
    if "role" in entry:
        person.role = Role(entry["role"])
    if person.password_hash is None:
        person.password_hash = password_hash
        person.email_verified_at = datetime.combine(today, time(), LONDON)
    return person


def upsert_case_review(db_session: Session, entry: dict) -> CaseReview:
    review = find_or_new(db_session, CaseReview, slug=entry["slug"])
    review.title = entry["title"]
    review.year = entry.get("year")
    review.summary = entry["summary"].strip()
    review.practice_points = "\n".join(entry.get("practice_points", []))
    review.reflection_questions = "\n".join(entry.get("reflection_questions", []))
    review.published = True
    findings = entry.get("key_findings", [])
    for position, text in enumerate(findings, start=1):
        if position > len(review.key_findings):
            review.key_findings.append(KeyFinding(position=position))
        review.key_findings[position - 1].text = text
    del review.key_findings[len(findings) :]
    reports = entry.get("reports", [])
    for position, report in enumerate(reports):
        if position == len(review.reports):
            review.reports.append(CaseReviewReport())
        row = review.reports[position]
        row.title, row.url, row.position = report["title"], report["url"], position
    del review.reports[len(reports) :]
    return review


def upsert_course(db_session: Session, entry: dict, prospectus: Prospectus) -> Course:
    course = find_or_new(db_session, Course, slug=entry["slug"])
    course.prospectus = prospectus
    course.title = entry["title"]
    course.summary = entry["summary"].strip()
    course.description = entry.get("description", "").strip()
    course.audience = entry.get("audience", "")
    course.level = entry["level"]
    course.duration = entry.get("duration", "")
    course.cpd_hours = Decimal(str(entry.get("cpd_hours", DEFAULT_CPD_HOURS)))
    course.refresh_years = entry.get("refresh_years")
    course.delivery = Delivery(entry["delivery"])
    course.charges_policy = entry.get("charges_policy", "")
    course.external_url = entry.get("external_url")
    course.requires_approval = entry.get("requires_approval", False)
    course.certificate_after_evaluation = entry.get("certificate_after_evaluation", False)
    course.what_to_bring = entry.get("what_to_bring", "")
    course.pre_course_reading = entry.get("pre_course_reading", "")
    course.published = True
    wanted = {Sector(value) for value in entry.get("sectors", [])}
    course.audience_sectors = [row for row in course.audience_sectors if row.sector in wanted] + [
        CourseAudience(sector=sector)
        for sector in sorted(wanted - {row.sector for row in course.audience_sectors})
    ]
    return course


def link_case_reviews(course: Course, entries: list[dict], reviews: dict[str, CaseReview]) -> None:
    """Each link's note, and the findings its course teaches, by their number in the review."""
    existing = {link.case_review_id: link for link in course.lesson_links}
    for entry in entries:
        review = reviews[entry["review"]]
        link = existing.get(review.id)
        if link is None:
            link = LessonLink(case_review=review)
            course.lesson_links.append(link)
        link.note = entry["note"].strip()
        taught = [review.key_findings[number - 1] for number in entry.get("findings", [])]
        if set(taught) != set(link.key_findings):
            link.key_findings = taught
            link.updated_at = utcnow()


def require_courses(course: Course, entries: list[dict], courses: dict[str, Course]) -> None:
    """The course requires exactly these, each within its years (or ever)."""
    wanted = {courses[entry["course"]]: entry.get("within_years") for entry in entries}
    course.prerequisites = [row for row in course.prerequisites if row.required_course in wanted]
    for row in course.prerequisites:
        row.within_years = wanted.pop(row.required_course)
    for required, years in wanted.items():
        course.prerequisites.append(Prerequisite(required_course=required, within_years=years))


def has_sessions(db_session: Session, course: Course) -> bool:
    if course.id is None:
        return False
    return (
        db_session.scalar(select(CourseSession.id).filter_by(course_id=course.id).limit(1))
        is not None
    )


def add_session(
    db_session: Session,
    course: Course,
    planned: dict,
    venues: dict[str, Venue],
    people: list[User],
    today: date,
    words: dict[str, list[str]],
) -> CourseSession:
    starts_at, ends_at = planned_moments(planned, today)
    session = CourseSession(
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venues[planned["venue"]] if planned.get("venue") else None,
        capacity=planned["capacity"],
        status=SessionStatus(planned.get("status", "scheduled")),
        cancellation_reason=planned.get("cancellation_reason", ""),
        published=True,
        sector_places=[
            SectorPlaces(
                sector=Sector(share["sector"]),
                most=share.get("most"),
                held=share.get("held"),
                held_until_days=share.get("held_until_days"),
            )
            for share in planned.get("sector_places", [])
        ],
    )
    db_session.add(session)
    booked_at = min(starts_at, london_moment(today, "09:00")) - BOOKED_BEFORE
    if session.is_cancelled:
        # A week before the demo was loaded, after its places were booked.
        session.cancelled_at = london_moment(today - timedelta(days=7), "09:00")
    booked = planned.get("booked", 0)
    for person in people[:booked]:
        add_booking(db_session, session, person, booked_at, BookingStatus.CONFIRMED)
    # The people waiting joined the list in turn, once the places had gone.
    for turn, person in enumerate(people[booked : booked + planned.get("waiting", 0)], start=1):
        add_booking(
            db_session, session, person, booked_at + turn * JOINED_APART, BookingStatus.WAITING
        )
    return session


def is_past(session: CourseSession, today: date) -> bool:
    """Held, and over before the day the demo is loaded."""
    return session.status is SessionStatus.SCHEDULED and session.ends_at <= london_moment(
        today, "00:00"
    )


def confirmed(session: CourseSession) -> list[Booking]:
    """The places of a demo session, in the order they were booked."""
    return [booking for booking in session.bookings if booking.status is BookingStatus.CONFIRMED]


def add_feedback(
    db_session: Session, session: CourseSession, words: dict[str, list[str]], today: date
) -> None:
    """Confidence given at booking and, once no longer asked for, evaluations."""
    bookings = confirmed(session)
    if not bookings:
        return
    outcomes = [outcome for outcome in session.course.all_outcomes if outcome.removed_at is None]
    answer_confidence_before(db_session, bookings, outcomes, bookings[0].created_at)
    # Sessions whose evaluations would still be asked for are left to `flask tick`.
    if session.ends_at <= london_moment(today, "00:00") - REQUEST_WINDOW:
        add_evaluations(db_session, bookings, outcomes, words, session.ends_at)


#: How long before its session (or before the demo is loaded) each demo place was booked:
#: well before the reminders, so `flask tick` sends those of the sessions soon to come.
BOOKED_BEFORE = timedelta(days=14)
#: How long after the places were booked, one after another, people joined the waiting list.
JOINED_APART = timedelta(hours=1)

#: The first entry of a demo booking's history, as booking through the site writes it.
FIRST_REASONS = {
    BookingStatus.CONFIRMED: "booked",
    BookingStatus.WAITING: "joined the waiting list",
}


def add_booking(
    db_session: Session,
    session: CourseSession,
    person: User,
    booked_at: datetime,
    status: BookingStatus,
) -> Booking:
    """A place booked, or a turn in the waiting list, with the first entry of its history,
    as booking through the site leaves it."""
    booking = Booking(
        session=session,
        user=person,
        agency=person.agency,
        status=status,
        created_at=booked_at,
        updated_at=booked_at,
    )
    db_session.add(booking)
    db_session.add(
        BookingEvent(
            booking=booking,
            at=booked_at,
            actor=person,
            from_status=None,
            to_status=status,
            reason=FIRST_REASONS[status],
        )
    )
    return booking


def mark_register(session: CourseSession, marker: User, rates: ChargeRates) -> None:
    """A past session's register as its trainer leaves it at the end, marked as the
    register marks it (certificates issued, a no-show of a chargeable agency charged):
    most attended; the last person booked did not come, and in a full room one more left
    early. What the register would email about charges is left unsent: it is a demo."""
    bookings = confirmed(session)
    marks = [Attendance.ATTENDED] * len(bookings)
    if len(bookings) >= 4:
        marks[-1] = Attendance.DID_NOT_ATTEND
    if len(bookings) >= 8:
        marks[-2] = Attendance.LEFT_EARLY
    for booking, mark in zip(bookings, marks, strict=True):
        give_mark(booking, mark, marker, session.ends_at, rates)


def answer_confidence_before(
    db_session: Session,
    bookings: list[Booking],
    outcomes: list[LearningOutcome],
    answered_at: datetime,
) -> None:
    """Most people rate their confidence when booking (it is optional): 1 to 3, as people
    coming to a course mostly do."""
    for turn, booking in enumerate(bookings):
        if not gave_confidence_before(turn):
            continue
        for number, outcome in enumerate(outcomes):
            db_session.add(
                OutcomeConfidence(
                    booking=booking,
                    outcome=outcome,
                    stage=Stage.BEFORE,
                    confidence=confidence_before(turn, number),
                    answered_at=answered_at,
                )
            )


def gave_confidence_before(turn: int) -> bool:
    return turn % 5 != 4


def confidence_before(turn: int, number: int) -> int:
    return 1 + (turn + number) % 3


def confidence_after(turn: int, number: int) -> int:
    """One or two more than before, or 3 to 5 for someone who gave none."""
    if not gave_confidence_before(turn):
        return 3 + (turn + number) % 3
    return min(5, confidence_before(turn, number) + 1 + (turn * number) % 2)


#: The overall ratings demo evaluations give, in turn.
RATINGS = (5, 4, 4, 5, 3, 4)


def add_evaluations(
    db_session: Session,
    bookings: list[Booking],
    outcomes: list[LearningOutcome],
    words: dict[str, list[str]],
    ended_at: datetime,
) -> None:
    """Three in four of the people who were there sent their evaluation the day after,
    more confident than before against every outcome, in words of their own."""
    submitted_at = ended_at + timedelta(days=1)
    for turn, booking in enumerate(bookings):
        if booking.attendance not in WERE_THERE or turn % 4 == 3:
            continue
        do_differently, anything_else = words["do_differently"], words["anything_else"]
        db_session.add(
            Evaluation(
                booking=booking,
                overall_rating=RATINGS[turn % len(RATINGS)],
                do_differently=do_differently[turn % len(do_differently)],
                anything_else=anything_else[turn % len(anything_else)] if turn % 3 == 0 else "",
                submitted_at=submitted_at,
            )
        )
        for number, outcome in enumerate(outcomes):
            db_session.add(
                OutcomeConfidence(
                    booking=booking,
                    outcome=outcome,
                    stage=Stage.AFTER,
                    confidence=confidence_after(turn, number),
                    answered_at=submitted_at,
                )
            )


def give_trainers(course: Course, trainers: list[User]) -> None:
    """Sessions without trainers get the course's; ones a coordinator has set are kept."""
    for session in course.sessions:
        if trainers and not session.trainers:
            session.trainers = list(trainers)


def put_on_interest_list(db_session: Session, course: Course, people: list[User]) -> None:
    """People who asked to be told when the course has a date, and are not on its list."""
    listed = (
        set()
        if course.id is None
        else set(db_session.scalars(select(CourseInterest.user_id).filter_by(course_id=course.id)))
    )
    for person in people:
        if person.id not in listed:
            db_session.add(CourseInterest(course=course, user=person))


def planned_moments(planned: dict, today: date) -> tuple[datetime, datetime]:
    """When a planned session starts and ends: `in_days` after `today` (before it when
    negative), or the nearest working day further from today unless it is planned for
    `any_day`, at the times planned on London's clocks that day."""
    day = today + timedelta(days=planned["in_days"])
    if not planned.get("any_day"):
        day = next_working_day(day) if planned["in_days"] >= 0 else previous_working_day(day)
    return london_moment(day, planned["start"]), london_moment(day, planned["end"])


def london_moment(day: date, clock: str) -> datetime:
    """A wall-clock time on a day in London, whichever side of a clock change it falls."""
    return datetime.combine(day, time.fromisoformat(clock), LONDON)


def add_external_training(
    db_session: Session, entry: dict, people: dict[str, User], folder: Path, today: date
) -> None:
    """The person's record of the course done elsewhere, with its certificate, unless
    they have one of that course already."""
    person = people[entry["person"]]
    course = db_session.scalar(select(Course).filter_by(slug=entry["course"]))
    if db_session.scalar(
        select(ExternalTraining.id).filter_by(user_id=person.id, course_id=course.id)
    ):
        return
    completed_on = today - timedelta(days=entry["completed_days_ago"])
    recorded_at = london_moment(completed_on + timedelta(days=1), "10:00")
    training = ExternalTraining(
        user=person,
        course=course,
        provider=entry["provider"],
        completed_on=completed_on,
        certificate_path=files.keep(
            db_session,
            folder,
            demo_certificate(person, course, entry["provider"], completed_on),
            "application/pdf",
        ),
        certificate_name=f"{entry['provider']} certificate.pdf",
        certificate_type="application/pdf",
        status=ExternalTrainingStatus(entry["status"]),
        created_at=recorded_at,
        updated_at=recorded_at,
    )
    if "decided_by" in entry:
        training.decided_by = people[entry["decided_by"]]
        training.decided_at = recorded_at + timedelta(days=2)
        training.decision_reason = entry.get("reason", "")
    db_session.add(training)


def demo_certificate(person: User, course: Course, provider: str, day: date) -> bytes:
    """A one-page PDF, as a provider's certificate of completion might look."""
    from weasyprint import HTML  # slow to import; only this needs it

    html = (
        "<html><body style='font-family: sans-serif; text-align: center; padding-top: 40mm'>"
        f"<p>{escape(provider)}</p><h1>Certificate of completion</h1>"
        f"<p>This is to certify that</p><h2>{escape(person.name)}</h2>"
        f"<p>completed</p><h2>{escape(course.title)}</h2><p>on {long_date(day)}</p>"
        "<p style='color: #505a5f'>A demonstration certificate</p></body></html>"
    )
    return HTML(string=html).write_pdf()
