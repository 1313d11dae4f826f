"""A person's training record, read in a fixed number of queries however much they attended.

Everything the person attended (a confirmed place marked attended: what earns a
certificate), newest first, with the CPD hours of each course; their hours this year and
in all; the certificates they may download (the certificates service's rule); the
training they did elsewhere that a coordinator accepted, which counts no CPD hours here
(its length is the other provider's, not the course's); and, for each course that is
refreshed every so many years, when the refresher falls due, from the last time it was
attended or done elsewhere.

"This year" is the calendar year in Europe/London: a session counts in the year its day
in London falls in, so one at 11pm on 31 December in winter is in the old year.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload

from app.certificates.service import may_download
from app.display import in_london
from app.evaluations.queries import evaluated
from app.models import (
    ACTIVE_STATUSES,
    Booking,
    Course,
    CourseSession,
    ExternalTraining,
    SessionStatus,
    User,
    attended_the_whole_course,
)

#: A refresher's reminder is mailed this long before it falls due.
REMINDER_BEFORE = timedelta(weeks=8)


def is_due_soon(due: date, today: date) -> bool:
    """Within the weeks before a refresher falls due, when its reminder is mailed, up to
    and including the day itself."""
    return due - REMINDER_BEFORE <= today <= due


def years_after(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February falls on the 28th in a year
    without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def london_day(moment: datetime) -> date:
    return in_london(moment).date()


def refresher_due_on(booking: Booking) -> date | None:
    """When the refresher of the course this booking attended falls due: the day of its
    session, in London, so many years on; None for a course with no refresher."""
    years = booking.session.course.refresh_years
    if years is None:
        return None
    return years_after(london_day(booking.session.starts_at), years)


@dataclass(frozen=True)
class Attended:
    """One session the person attended, as their record lists it."""

    booking: Booking
    #: The day of the session, in London.
    day: date
    #: Whether whoever is looking may download its certificate.
    has_certificate: bool

    @property
    def session(self) -> CourseSession:
        return self.booking.session

    @property
    def course(self) -> Course:
        return self.booking.session.course


@dataclass(frozen=True)
class Refresher:
    """A course the person attended that is refreshed every so many years."""

    course: Course
    last_attended: date
    #: Whether the last time was training done elsewhere, accepted as the course.
    elsewhere: bool
    due: date
    overdue: bool
    #: Due within the weeks before it, when the reminder is mailed.
    due_soon: bool
    #: The person's next place (or turn in a waiting list) on the course, if they have one.
    booked: Booking | None
    #: The course's page, with its next sessions, is open to the public.
    offered: bool


@dataclass
class TrainingRecord:
    person: User
    #: Today, in London: what "this year", "overdue" and "due soon" are measured from.
    today: date
    attended: list[Attended] = field(default_factory=list)
    #: Training done elsewhere and accepted, the latest completion first.
    elsewhere: list[ExternalTraining] = field(default_factory=list)
    refreshers: list[Refresher] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.today.year

    @property
    def hours_this_year(self) -> Decimal:
        return sum(
            (entry.course.cpd_hours for entry in self.attended if entry.day.year == self.year),
            Decimal(0),
        )

    @property
    def hours_all_time(self) -> Decimal:
        return sum((entry.course.cpd_hours for entry in self.attended), Decimal(0))


def training_record(
    db_session: Session, person: User, viewer: User, now: datetime
) -> TrainingRecord:
    """The person's record as `viewer` (the person, or a coordinator) may see it: three
    queries, or two for a person who did no course with a refresher."""
    record = TrainingRecord(person=person, today=london_day(now))
    rows = db_session.execute(
        select(Booking, evaluated())
        .join(Booking.session)
        .where(Booking.user_id == person.id, attended_the_whole_course())
        .options(
            contains_eager(Booking.session)
            .joinedload(CourseSession.course)
            .joinedload(Course.prospectus),
            joinedload(Booking.certificate),
        )
        .order_by(CourseSession.starts_at.desc(), Booking.id.desc())
    ).unique()
    for booking, was_evaluated in rows:
        record.attended.append(
            Attended(
                booking=booking,
                day=london_day(booking.session.starts_at),
                has_certificate=may_download(
                    booking.certificate, viewer, partial(bool, was_evaluated)
                ),
            )
        )
    record.elsewhere = accepted_elsewhere(db_session, person)
    latest = last_done(record)
    if latest:
        booked = next_places(db_session, person, list(latest), now)
        record.refreshers = sorted(
            (
                refresher(course, day, elsewhere, record.today, booked.get(course.id))
                for course, day, elsewhere in latest.values()
            ),
            key=lambda found: (found.due, found.course.title),
        )
    return record


def accepted_elsewhere(db_session: Session, person: User) -> list[ExternalTraining]:
    return list(
        db_session.scalars(
            select(ExternalTraining)
            .where(ExternalTraining.user_id == person.id, ExternalTraining.accepted())
            .options(joinedload(ExternalTraining.course).joinedload(Course.prospectus))
            .order_by(ExternalTraining.completed_on.desc(), ExternalTraining.id.desc())
        )
    )


def last_done(record: TrainingRecord) -> dict[int, tuple[Course, date, bool]]:
    """For each course with a refresher: the course, the last day it was attended or done
    elsewhere, and whether that was elsewhere; by course id. A session and training
    elsewhere on the same day count as the session."""
    latest: dict[int, tuple[Course, date, bool]] = {}
    for entry in record.attended:  # newest first
        if entry.course.refresh_years is not None:
            latest.setdefault(entry.course.id, (entry.course, entry.day, False))
    for training in record.elsewhere:
        course = training.course
        if course.refresh_years is None:
            continue
        found = latest.get(course.id)
        if found is None or training.completed_on > found[1]:
            latest[course.id] = (course, training.completed_on, True)
    return latest


def refresher(
    course: Course, last_day: date, elsewhere: bool, today: date, booked: Booking | None
) -> Refresher:
    due = years_after(last_day, course.refresh_years)
    return Refresher(
        course=course,
        last_attended=last_day,
        elsewhere=elsewhere,
        due=due,
        overdue=due < today,
        due_soon=is_due_soon(due, today),
        booked=booked,
        offered=course.is_public,
    )


def next_places(
    db_session: Session, person: User, course_ids: list[int], now: datetime
) -> dict[int, Booking]:
    """The person's next active booking on each of these courses, by course id."""
    found: dict[int, Booking] = {}
    upcoming = db_session.scalars(
        select(Booking)
        .join(Booking.session)
        .where(
            Booking.user_id == person.id,
            Booking.status.in_(ACTIVE_STATUSES),
            CourseSession.course_id.in_(course_ids),
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.starts_at > now,
        )
        .options(contains_eager(Booking.session))
        .order_by(CourseSession.starts_at.desc(), Booking.id.desc())
    )
    for booking in upcoming:
        # Latest first, so the soonest is the one kept.
        found[booking.session.course_id] = booking
    return found
