"""The partnership board's report, read from the database in a fixed number of aggregate
statements (GROUP BY), whatever the period or the amount of data.

Everything counts sessions run in the period: sessions that were not cancelled and that
started, on London's calendar, between its first and last day, by the time the report is
made (a session still to come has run nothing). People are counted in the agency they
were in when they booked (Booking.agency_id), and in that agency's sector, "other" for
none. Charges are those raised in the period, as the Charges page lists them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from app.bookings.sectors import person_sector
from app.charges.queries import AgencyCharges, Period, charges_by_agency
from app.evaluations.service import were_there
from app.models import (
    Agency,
    Attendance,
    Booking,
    BookingStatus,
    CaseReview,
    Course,
    CourseSession,
    Evaluation,
    KeyFinding,
    LearningOutcome,
    LessonLink,
    OutcomeConfidence,
    Prospectus,
    Sector,
    SessionStatus,
    Stage,
    attended_the_whole_course,
)
from app.models.reviews import lesson_link_finding
from app.reports.figures import Activity, Confidence, Mean

#: The free-text answers the page shows of each course, newest first; the download has all.
ANSWERS_SHOWN = 10


@dataclass(frozen=True)
class ReportFilters:
    """What the report counts: a period, and optionally a prospectus, a course, and the
    people of a sector or an agency."""

    period: Period
    prospectus_id: int | None = None
    course_id: int | None = None
    sector: Sector | None = None
    agency_id: int | None = None

    @property
    def counts_some_people(self) -> bool:
        return self.sector is not None or self.agency_id is not None


# What the report reads ---------------------------------------------------------------------


@dataclass(frozen=True)
class CourseName:
    id: int
    title: str
    prospectus_id: int
    prospectus_title: str


@dataclass(frozen=True)
class AgencyName:
    id: int
    name: str
    sector: Sector
    headcount: int | None


@dataclass
class ActivityTables:
    by_course: dict[int, Activity]
    by_prospectus: dict[int, Activity]
    by_agency: dict[int | None, Activity]
    by_sector: dict[Sector, Activity]
    total: Activity
    #: Sessions of the period not cancelled that had not started when the report was made.
    sessions_to_come: int


@dataclass(frozen=True)
class Reach:
    """Different people trained (marked attended, the whole session)."""

    by_agency: dict[int | None, int]
    by_sector: dict[Sector, int]
    #: Of each sector's people trained, those from agencies with a headcount.
    by_sector_counted: dict[Sector, int]
    total: int
    total_counted: int


@dataclass(frozen=True)
class OutcomeFigures:
    outcome_id: int
    course_id: int
    position: int
    text: str
    removed: bool
    confidence: Confidence


@dataclass(frozen=True)
class Answer:
    """One evaluation's words, with nothing that names the person."""

    course_id: int
    session_starts_at: datetime
    rating: int
    do_differently: str
    anything_else: str


@dataclass
class Evaluations:
    outcomes: list[OutcomeFigures]
    confidence_by_course: dict[int, Confidence]
    ratings: dict[int, Mean]
    #: Each course's newest answers (ANSWERS_SHOWN at most) on the page.
    answers: dict[int, list[Answer]]


@dataclass(frozen=True)
class Finding:
    id: int
    position: int
    text: str
    #: The courses that address it (within the prospectus or course chosen), by title.
    courses: list[str]


@dataclass
class ReviewReach:
    id: int
    title: str
    people_by_sector: dict[Sector, int]
    people: int
    confidence_by_sector: dict[Sector, Confidence]
    findings: list[Finding]

    @property
    def confidence(self) -> Confidence:
        total = Confidence()
        for figures in self.confidence_by_sector.values():
            total.add(figures)
        return total

    @property
    def unaddressed(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.courses]


@dataclass
class Report:
    filters: ReportFilters
    made_at: datetime
    courses: dict[int, CourseName]
    prospectuses: dict[int, str]
    agencies: dict[int, AgencyName]
    activity: ActivityTables
    reach: Reach
    evaluations: Evaluations
    reviews: list[ReviewReach]
    charges: list[AgencyCharges] = field(default_factory=list)


# The conditions every statement shares ------------------------------------------------------


def course_conditions(filters: ReportFilters) -> list[ColumnElement[bool]]:
    """Of a statement joined to Course: the prospectus and course chosen."""
    conditions = []
    if filters.prospectus_id is not None:
        conditions.append(Course.prospectus_id == filters.prospectus_id)
    if filters.course_id is not None:
        conditions.append(Course.id == filters.course_id)
    return conditions


def people_conditions(filters: ReportFilters) -> list[ColumnElement[bool]]:
    """Of a statement outer-joined to the Agency of the time: the sector and agency chosen."""
    conditions = []
    if filters.sector is not None:
        conditions.append(person_sector() == filters.sector.value)
    if filters.agency_id is not None:
        conditions.append(Agency.id == filters.agency_id)
    return conditions


def in_period(filters: ReportFilters) -> list[ColumnElement[bool]]:
    period = filters.period
    return [
        CourseSession.starts_at >= period.starts_at,
        CourseSession.starts_at < period.ends_before,
        CourseSession.status == SessionStatus.SCHEDULED,
    ]


def run_by(filters: ReportFilters, now: datetime) -> list[ColumnElement[bool]]:
    """Of a statement joined to CourseSession and Course: sessions run in the period."""
    return [*in_period(filters), CourseSession.starts_at <= now, *course_conditions(filters)]


def bookings_on_sessions_run(columns: Iterable, filters: ReportFilters, now: datetime):
    """SELECT columns FROM booking with its session, course and agency of the time, of
    sessions run, for the people chosen."""
    return (
        select(*columns)
        .select_from(Booking)
        .join(CourseSession, Booking.session_id == CourseSession.id)
        .join(Course, CourseSession.course_id == Course.id)
        .outerjoin(Agency, Booking.agency_id == Agency.id)
        .where(*run_by(filters, now), *people_conditions(filters))
    )


def count_where(*conditions: ColumnElement[bool]):
    return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)


# The report ---------------------------------------------------------------------------------


def report(db_session: Session, filters: ReportFilters, now: datetime) -> Report:
    """The whole report for these filters, as it stands at `now`."""
    courses, prospectuses = course_names(db_session, filters)
    agencies = agency_names(db_session)
    answers = confidence_answers(db_session, filters, now)
    found = evaluations(db_session, filters, now, answers)
    return Report(
        filters=filters,
        made_at=now,
        courses=courses,
        prospectuses=prospectuses,
        agencies=agencies,
        activity=activity(db_session, filters, now, courses, agencies),
        reach=reach(db_session, filters, now),
        evaluations=found,
        reviews=review_reach(db_session, filters, now, answers, found.outcomes),
        charges=charges_by_agency(
            db_session,
            filters.period,
            [*course_conditions(filters), *people_conditions(filters)],
        ),
    )


def course_names(
    db_session: Session, filters: ReportFilters
) -> tuple[dict[int, CourseName], dict[int, str]]:
    """The courses chosen, in the prospectuses' order then by title, and their
    prospectuses."""
    rows = db_session.execute(
        select(Course.id, Course.title, Prospectus.id, Prospectus.title)
        .join(Course.prospectus)
        .where(*course_conditions(filters))
        .order_by(Prospectus.position, Prospectus.title, Course.title, Course.id)
    )
    courses = {row[0]: CourseName(*row) for row in rows}
    prospectuses = {course.prospectus_id: course.prospectus_title for course in courses.values()}
    return courses, prospectuses


def agency_names(db_session: Session) -> dict[int, AgencyName]:
    rows = db_session.execute(
        select(Agency.id, Agency.name, Agency.sector, Agency.headcount).order_by(
            Agency.name, Agency.id
        )
    )
    return {row[0]: AgencyName(*row) for row in rows}


def activity(
    db_session: Session,
    filters: ReportFilters,
    now: datetime,
    courses: dict[int, CourseName],
    agencies: dict[int, AgencyName],
) -> ActivityTables:
    """Two statements: the sessions of each course, and its bookings by agency of the time;
    the tables by prospectus, agency and sector add those up."""
    started = CourseSession.starts_at <= now
    sessions = db_session.execute(
        select(
            CourseSession.course_id,
            count_where(started),
            func.coalesce(func.sum(case((started, CourseSession.capacity), else_=0)), 0),
            count_where(~started),
        )
        .join(Course, CourseSession.course_id == Course.id)
        .where(*in_period(filters), *course_conditions(filters))
        .group_by(CourseSession.course_id)
    ).all()
    confirmed = Booking.status == BookingStatus.CONFIRMED
    with_a_place = and_(confirmed, Booking.walk_in.is_(False))
    bookings = db_session.execute(
        bookings_on_sessions_run(
            [
                CourseSession.course_id,
                Booking.agency_id,
                count_where(with_a_place),
                count_where(confirmed, Booking.attendance == Attendance.ATTENDED),
                count_where(confirmed, Booking.walk_in, Booking.attendance == Attendance.ATTENDED),
                count_where(confirmed, Booking.attendance == Attendance.LEFT_EARLY),
                count_where(confirmed, Booking.attendance == Attendance.DID_NOT_ATTEND),
                count_where(with_a_place, Booking.attendance.is_(None)),
                count_where(Booking.status == BookingStatus.CANCELLED, Booking.late_cancellation),
            ],
            filters,
            now,
        )
        .where(Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.CANCELLED)))
        .group_by(CourseSession.course_id, Booking.agency_id)
    ).all()

    tables = ActivityTables({}, {}, {}, {}, Activity(), sessions_to_come=0)
    for course_id, run, places, to_come in sessions:
        tables.sessions_to_come += to_come
        if run:
            figures = Activity(sessions=run, places=places)
            tables.by_course[course_id] = figures
    for course_id, agency_id, *counts in bookings:
        figures = Activity(0, 0, *counts)
        tables.by_course.setdefault(course_id, Activity()).add(figures)
        tables.by_agency.setdefault(agency_id, Activity()).add(figures)
        sector = agencies[agency_id].sector if agency_id in agencies else Sector.OTHER
        tables.by_sector.setdefault(sector, Activity()).add(figures)
    tables.by_course = {key: tables.by_course[key] for key in courses if key in tables.by_course}
    for course_id, figures in tables.by_course.items():
        prospectus_id = courses[course_id].prospectus_id
        tables.by_prospectus.setdefault(prospectus_id, Activity()).add(figures)
        tables.total.add(figures)
    tables.by_agency = ordered_by_agency(tables.by_agency, agencies)
    tables.by_sector = in_sector_order(tables.by_sector)
    return tables


def ordered_by_agency(rows: dict, agencies: dict[int, AgencyName]) -> dict:
    """Agencies by name, then people with no agency."""
    ordered = {agency_id: rows[agency_id] for agency_id in agencies if agency_id in rows}
    if None in rows:
        ordered[None] = rows[None]
    return ordered


def reach(db_session: Session, filters: ReportFilters, now: datetime) -> Reach:
    """Three statements counting different people trained: by agency, by sector (with
    those from agencies that gave a headcount apart), and in all."""
    trained = attended_the_whole_course()
    person = Booking.user_id
    by_agency = db_session.execute(
        bookings_on_sessions_run([Booking.agency_id, func.count(distinct(person))], filters, now)
        .where(trained)
        .group_by(Booking.agency_id)
    ).all()
    sector = person_sector()
    counted = case((Agency.headcount.is_not(None), person))
    by_sector = db_session.execute(
        bookings_on_sessions_run(
            [sector, func.count(distinct(person)), func.count(distinct(counted))], filters, now
        )
        .where(trained)
        .group_by(sector)
    ).all()
    total, total_counted = db_session.execute(
        bookings_on_sessions_run(
            [func.count(distinct(person)), func.count(distinct(counted))], filters, now
        ).where(trained)
    ).one()
    sectors = {Sector(row[0]): row for row in by_sector}
    return Reach(
        by_agency=dict(by_agency),
        by_sector={sector: sectors[sector][1] for sector in Sector if sector in sectors},
        by_sector_counted={sector: sectors[sector][2] for sector in Sector if sector in sectors},
        total=total,
        total_counted=total_counted,
    )


@dataclass(frozen=True)
class ConfidenceAnswers:
    """What the answers against one outcome, at one stage, from one sector's people who
    were there, add up to; `whole` for those who attended the whole session."""

    outcome_id: int
    sector: Sector
    stage: Stage
    whole: bool
    mean: Mean


def confidence_answers(
    db_session: Session, filters: ReportFilters, now: datetime
) -> list[ConfidenceAnswers]:
    """Every confidence answer of people who were there (attended or left early, as
    everyone asked for an evaluation is), added up by outcome, sector, stage and whether
    they stayed to the end: one statement, which the evaluation and the case-review reach
    both read."""
    sector = person_sector()
    whole = case((Booking.attendance == Attendance.ATTENDED, 1), else_=0)
    rows = db_session.execute(
        bookings_on_sessions_run(
            [
                OutcomeConfidence.outcome_id,
                sector,
                OutcomeConfidence.stage,
                whole,
                func.sum(OutcomeConfidence.confidence),
                func.count(OutcomeConfidence.id),
            ],
            filters,
            now,
        )
        .join(OutcomeConfidence, OutcomeConfidence.booking_id == Booking.id)
        .where(*were_there())
        .group_by(OutcomeConfidence.outcome_id, sector, OutcomeConfidence.stage, whole)
    )
    return [
        ConfidenceAnswers(outcome_id, Sector(value), Stage(stage), bool(stayed), Mean(total, count))
        for outcome_id, value, stage, stayed, total, count in rows
    ]


def add_answers(figures: Confidence, answers: ConfidenceAnswers) -> None:
    if answers.stage is Stage.BEFORE:
        figures.before += answers.mean
    else:
        figures.after += answers.mean


def evaluations(
    db_session: Session,
    filters: ReportFilters,
    now: datetime,
    confidence: list[ConfidenceAnswers],
) -> Evaluations:
    """Three statements: the outcomes answered, the ratings by course, and each course's
    newest answers in words; with the confidence answers by outcome, all sectors."""
    there = were_there()
    answered: dict[int, Confidence] = defaultdict(Confidence)
    for answers in confidence:
        add_answers(answered[answers.outcome_id], answers)
    # Every outcome the courses with sessions run teach, and those no longer taught that
    # were answered.
    courses_run = (
        select(CourseSession.course_id)
        .join(Course, CourseSession.course_id == Course.id)
        .where(*run_by(filters, now))
    )
    outcome_rows = db_session.execute(
        select(
            LearningOutcome.id,
            LearningOutcome.course_id,
            LearningOutcome.position,
            LearningOutcome.text,
            LearningOutcome.removed_at,
        )
        .where(LearningOutcome.course_id.in_(courses_run))
        .order_by(LearningOutcome.course_id, LearningOutcome.position, LearningOutcome.id)
    ).all()
    outcomes = [
        OutcomeFigures(
            outcome_id,
            course_id,
            position,
            text,
            removed_at is not None,
            answered.get(outcome_id, Confidence()),
        )
        for outcome_id, course_id, position, text, removed_at in outcome_rows
        if removed_at is None or outcome_id in answered
    ]
    by_course: dict[int, Confidence] = defaultdict(Confidence)
    for outcome in outcomes:
        by_course[outcome.course_id].add(outcome.confidence)
    ratings = db_session.execute(
        bookings_on_sessions_run(
            [
                CourseSession.course_id,
                func.sum(Evaluation.overall_rating),
                func.count(Evaluation.id),
            ],
            filters,
            now,
        )
        .join(Evaluation, Evaluation.booking_id == Booking.id)
        .where(*there)
        .group_by(CourseSession.course_id)
    ).all()
    return Evaluations(
        outcomes=outcomes,
        confidence_by_course=dict(by_course),
        ratings={course_id: Mean(total, count) for course_id, total, count in ratings},
        answers=answers_in_words(db_session, filters, now, ANSWERS_SHOWN),
    )


def answers_in_words(
    db_session: Session, filters: ReportFilters, now: datetime, most: int | None = None
) -> dict[int, list[Answer]]:
    """The evaluations' answers in words, by course, newest first: `most` of each course,
    or all of them. One statement."""
    newest = (
        func.row_number()
        .over(
            partition_by=CourseSession.course_id,
            order_by=(Evaluation.submitted_at.desc(), Evaluation.id.desc()),
        )
        .label("newest")
    )
    answers = (
        bookings_on_sessions_run(
            [
                CourseSession.course_id,
                CourseSession.starts_at,
                Evaluation.overall_rating,
                Evaluation.do_differently,
                Evaluation.anything_else,
                newest,
            ],
            filters,
            now,
        )
        .join(Evaluation, Evaluation.booking_id == Booking.id)
        .where(*were_there())
        .subquery()
    )
    query = select(*list(answers.c)[:5]).order_by(answers.c.course_id, answers.c.newest)
    if most is not None:
        query = query.where(answers.c.newest <= most)
    found: dict[int, list[Answer]] = defaultdict(list)
    for row in db_session.execute(query):
        found[row[0]].append(Answer(*row))
    return dict(found)


def review_reach(
    db_session: Session,
    filters: ReportFilters,
    now: datetime,
    confidence: list[ConfidenceAnswers],
    outcomes: list[OutcomeFigures],
) -> list[ReviewReach]:
    """Every case review, by title: different people trained on the courses drawing on
    it, by sector and in all; their confidence on those courses' outcomes, before and
    after (from the answers of those who stayed to the end); and its findings with the
    courses that address them. Five statements."""
    trained = attended_the_whole_course()
    review = LessonLink.case_review_id
    sector = person_sector()

    def on_courses_drawing_on_reviews(columns):
        return bookings_on_sessions_run(columns, filters, now).join(
            LessonLink, LessonLink.course_id == Course.id
        )

    people = db_session.execute(
        on_courses_drawing_on_reviews([review, sector, func.count(distinct(Booking.user_id))])
        .where(trained)
        .group_by(review, sector)
    ).all()
    people_in_all = dict(
        db_session.execute(
            on_courses_drawing_on_reviews([review, func.count(distinct(Booking.user_id))])
            .where(trained)
            .group_by(review)
        ).all()
    )
    reviews = {
        review_id: ReviewReach(review_id, title, {}, people_in_all.get(review_id, 0), {}, [])
        for review_id, title in db_session.execute(
            select(CaseReview.id, CaseReview.title).order_by(CaseReview.title, CaseReview.id)
        )
    }
    for review_id, sector_value, count in people:
        reviews[review_id].people_by_sector[Sector(sector_value)] = count
    # Each answer is of one booking on one course, so a review's confidence adds up its
    # courses' answers.
    drawing_on: dict[int, list[int]] = defaultdict(list)
    for review_id, course_id in db_session.execute(
        select(LessonLink.case_review_id, LessonLink.course_id)
    ):
        drawing_on[course_id].append(review_id)
    course_of = {outcome.outcome_id: outcome.course_id for outcome in outcomes}
    for answers in confidence:
        if not answers.whole:
            continue
        for review_id in drawing_on.get(course_of.get(answers.outcome_id), []):
            add_answers(
                reviews[review_id].confidence_by_sector.setdefault(answers.sector, Confidence()),
                answers,
            )
    for found in reviews.values():
        found.people_by_sector = in_sector_order(found.people_by_sector)
        found.confidence_by_sector = in_sector_order(found.confidence_by_sector)
    add_findings(db_session, filters, reviews)
    return list(reviews.values())


def in_sector_order(rows: dict[Sector, object]) -> dict:
    return {sector: rows[sector] for sector in Sector if sector in rows}


def add_findings(
    db_session: Session, filters: ReportFilters, reviews: dict[int, ReviewReach]
) -> None:
    """Each review's findings in order, with the courses (of those chosen) that address
    them, by title: one statement."""
    rows = db_session.execute(
        select(
            KeyFinding.case_review_id,
            KeyFinding.id,
            KeyFinding.position,
            KeyFinding.text,
            Course.title,
        )
        .outerjoin(lesson_link_finding, lesson_link_finding.c.key_finding_id == KeyFinding.id)
        .outerjoin(LessonLink, LessonLink.id == lesson_link_finding.c.lesson_link_id)
        .outerjoin(Course, and_(Course.id == LessonLink.course_id, *course_conditions(filters)))
        .order_by(KeyFinding.case_review_id, KeyFinding.position, KeyFinding.id, Course.title)
    )
    findings: dict[int, Finding] = {}
    for review_id, finding_id, position, text, course_title in rows:
        if finding_id not in findings:
            findings[finding_id] = Finding(finding_id, position, text, [])
            reviews[review_id].findings.append(findings[finding_id])
        if course_title is not None:
            findings[finding_id].courses.append(course_title)
