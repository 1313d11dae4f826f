"""The rules of prerequisites: which courses must be attended before another, whether a
person has attended them recently enough, and what a coordinator may require.

A requirement is met by a session of the required course marked attended (the whole of
it), or by training done elsewhere that a coordinator accepted as that course, within the
requirement's years before the session being booked starts (at any time when it gives
none). The
booking rules (app/bookings/service.py) read a course's requirements once, under the
session's lock, and refuse a booking while any is missing; the pages read them the same
way to say what is missing before anyone tries.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import Session, joinedload

from app.catalogue.queries import bookable_session
from app.display import LONDON, long_date, short_date, years_text
from app.models import (
    WITHIN_YEARS_MOST,
    Booking,
    Course,
    CourseSession,
    ExternalTraining,
    Prerequisite,
    Prospectus,
    User,
    attended_the_whole_course,
)
from app.refusals import Refused


@dataclass(frozen=True)
class Requirement:
    """One course to attend first, and when the person last did."""

    course_id: int
    title: str
    level: int
    slug: str
    #: Its page is open to everyone, so it can be linked to.
    public: bool
    within_years: int | None
    #: The start of its next session open to the public, if it has one.
    next_starts_at: datetime | None
    #: When the person last attended it (the end of the session), and the day they last
    #: completed it elsewhere, accepted by a coordinator; None: never, or nobody is asking.
    last_attended: datetime | None = None
    last_completed: date | None = None

    @property
    def description(self) -> str:
        """The course, its level and its years: Recognising abuse (level 1) in the last 3 years."""
        when = f" in the last {years_text(self.within_years)}" if self.within_years else ""
        return f"{self.title} (level {self.level}){when}"

    @property
    def last_done(self) -> datetime | None:
        """The later of the last attendance and the last completion elsewhere (from the
        start of its day in London)."""
        completed = self.last_completed and datetime.combine(self.last_completed, time(), LONDON)
        return max(filter(None, (self.last_attended, completed)), default=None)

    def met_by(self, starts_at: datetime) -> bool:
        """Done, recently enough for a session starting then."""
        if self.last_done is None:
            return False
        if self.within_years is None:
            return True
        return self.last_done >= starts_at - relativedelta(years=self.within_years)

    @property
    def shortfall(self) -> str:
        """Why the requirement is not met, once it is known not to be."""
        if self.last_done is None:
            return "You have not attended it"
        return (
            f"You last did it on {short_date(self.last_done)}: it must be within "
            f"{years_text(self.within_years)} of the session you book"
        )

    @property
    def next_session_text(self) -> str:
        if not self.public:
            return "Not in the prospectuses at the moment"
        if self.next_starts_at is None:
            return "No dates yet"
        return f"Next session {long_date(self.next_starts_at)}"


class PrerequisitesMissing(Refused):
    """The person has not attended (recently enough) every course this one requires."""

    def __init__(self, missing: Sequence[Requirement]) -> None:
        courses = "; ".join(requirement.description for requirement in missing)
        super().__init__(f"Before booking this course you need to have attended {courses}")
        self.missing = tuple(missing)

    @property
    def rows(self) -> list[tuple[Requirement, str]]:
        """Each requirement missing, with why."""
        return [(requirement, requirement.shortfall) for requirement in self.missing]


def requirements_statement(course_id: int, person_id: int | None, now: datetime):
    """The course's requirements, each with its course's next public session and the
    person's last attendance of it: one statement, however many requirements there are."""
    required = Course.__table__.alias("required")
    next_session = (
        select(func.min(CourseSession.starts_at))
        .where(CourseSession.course_id == Prerequisite.required_course_id, *bookable_session(now))
        .scalar_subquery()
    )
    last_attended = (
        select(func.max(CourseSession.ends_at))
        .join(Booking, Booking.session_id == CourseSession.id)
        .where(
            CourseSession.course_id == Prerequisite.required_course_id,
            Booking.user_id == person_id,
            attended_the_whole_course(),
            CourseSession.ends_at <= now,
        )
        .scalar_subquery()
        if person_id is not None
        else text("NULL")
    )
    last_completed = (
        select(func.max(ExternalTraining.completed_on))
        .where(
            ExternalTraining.course_id == Prerequisite.required_course_id,
            ExternalTraining.user_id == person_id,
            ExternalTraining.accepted(),
        )
        .scalar_subquery()
        if person_id is not None
        else text("NULL")
    )
    return (
        select(
            required.c.id,
            required.c.title,
            required.c.level,
            required.c.slug,
            and_(required.c.published, Prospectus.published),
            Prerequisite.within_years,
            next_session,
            last_attended,
            last_completed,
        )
        .join(required, required.c.id == Prerequisite.required_course_id)
        .join(Prospectus, Prospectus.id == required.c.prospectus_id)
        .where(Prerequisite.course_id == course_id)
        .order_by(Prerequisite.id)
    )


def requirements_for(
    db_session: Session, course_id: int, person_id: int | None, now: datetime
) -> tuple[Requirement, ...]:
    """What the course requires, in the order the coordinator added it, with when the
    person (if any) last attended each required course."""
    rows = db_session.execute(requirements_statement(course_id, person_id, now))
    return tuple(Requirement(*row) for row in rows)


def missing(requirements: Sequence[Requirement], starts_at: datetime) -> tuple[Requirement, ...]:
    """The requirements not met for a session starting then."""
    return tuple(requirement for requirement in requirements if not requirement.met_by(starts_at))


def missing_for(
    db_session: Session, session: CourseSession, person: User, now: datetime
) -> tuple[Requirement, ...]:
    """What the person has not met to have a place on the session; nothing is read for a
    course without prerequisites."""
    if not session.course.prerequisites:
        return ()
    requirements = requirements_for(db_session, session.course_id, person.id, now)
    return missing(requirements, session.starts_at)


def prerequisites_of_courses(
    db_session: Session, course_ids: Sequence[int]
) -> dict[int, list[Prerequisite]]:
    """Each course's prerequisites with their courses, in one statement, for a list."""
    found: dict[int, list[Prerequisite]] = {}
    for prerequisite in db_session.scalars(
        select(Prerequisite)
        .where(Prerequisite.course_id.in_(course_ids))
        .options(joinedload(Prerequisite.required_course))
        .order_by(Prerequisite.id)
    ):
        found.setdefault(prerequisite.course_id, []).append(prerequisite)
    return found


# What coordinators may require


class PrerequisiteError(Refused):
    pass


def prerequisites_of(db_session: Session, course: Course) -> list[Prerequisite]:
    """The course's prerequisites, in the order they were added, with their courses."""
    return list(
        db_session.scalars(
            select(Prerequisite)
            .where(Prerequisite.course_id == course.id)
            .options(joinedload(Prerequisite.required_course).joinedload(Course.prospectus))
            .order_by(Prerequisite.id)
        )
    )


def courses_to_choose(db_session: Session, course: Course) -> list[Course]:
    """Every other course, drafts too, by prospectus and title."""
    return list(
        db_session.scalars(
            select(Course)
            .join(Course.prospectus)
            .where(Course.id != course.id)
            .options(joinedload(Course.prospectus))
            .order_by(Prospectus.position, Course.title, Course.id)
        )
    )


def chain_back_to(db_session: Session, start_id: int, target_id: int) -> list[int] | None:
    """The courses from `start_id` to `target_id` following what each requires (both ends
    included), or None when `start_id` does not come to require `target_id`."""
    requires: dict[int, list[int]] = {}
    for course_id, required_id in db_session.execute(
        select(Prerequisite.course_id, Prerequisite.required_course_id).order_by(Prerequisite.id)
    ):
        requires.setdefault(course_id, []).append(required_id)
    came_from: dict[int, int | None] = {start_id: None}
    queue = [start_id]
    while queue:
        current = queue.pop(0)
        if current == target_id:
            chain = [current]
            while (before := came_from[chain[-1]]) is not None:
                chain.append(before)
            return list(reversed(chain))
        for required_id in requires.get(current, []):
            if required_id not in came_from:
                came_from[required_id] = current
                queue.append(required_id)
    return None


def add_prerequisite(
    db_session: Session, course: Course, required_course_id: int, within_years: int | None
) -> Prerequisite:
    """`course` requires the other course first, within so many years (None: ever).

    Refused for the course itself, for one it already requires, and for one that itself
    requires `course`, directly or through others: nobody could ever book either.
    """
    if required_course_id == course.id:
        raise PrerequisiteError("A course cannot require itself", field="course")
    required = db_session.get(Course, required_course_id)
    if required is None:
        raise PrerequisiteError("Choose a course from the list", field="course")
    if within_years is not None and not 1 <= within_years <= WITHIN_YEARS_MOST:
        raise PrerequisiteError(
            f"The number of years must be between 1 and {WITHIN_YEARS_MOST}",
            field="within_years",
        )
    lock_prerequisites(db_session)
    if already_required(db_session, course, required):
        raise PrerequisiteError(f"{course.title} already requires {required.title}", field="course")
    if chain := chain_back_to(db_session, required.id, course.id):
        raise PrerequisiteError(circle_message(db_session, chain), field="course")
    prerequisite = Prerequisite(required_course=required, within_years=within_years)
    course.prerequisites.append(prerequisite)
    db_session.flush()
    return prerequisite


def already_required(db_session: Session, course: Course, required: Course) -> bool:
    """Read from the database once prerequisites are locked: another coordinator may just
    have added it."""
    return (
        db_session.scalar(
            select(Prerequisite.id).where(
                Prerequisite.course_id == course.id,
                Prerequisite.required_course_id == required.id,
            )
        )
        is not None
    )


def circle_message(db_session: Session, chain: list[int]) -> str:
    rows = db_session.execute(select(Course.id, Course.title).where(Course.id.in_(chain)))
    titles = {course_id: title for course_id, title in rows}
    required, course = titles[chain[0]], titles[chain[-1]]
    through = [titles[course_id] for course_id in chain[1:-1]]
    via = f" (through {', then '.join(through)})" if through else ""
    return (
        f"{required} already requires {course}{via}, so {course} cannot require "
        f"{required}: nobody could book either"
    )


def lock_prerequisites(db_session: Session) -> None:
    """Two coordinators adding a requirement each at once could close a circle that neither
    saw: on PostgreSQL they take turns (SQLite's writers always do)."""
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(text("SELECT pg_advisory_xact_lock(hashtext('prerequisite'))"))


def remove_prerequisite(db_session: Session, prerequisite: Prerequisite) -> None:
    db_session.delete(prerequisite)
    db_session.flush()


@dataclass(frozen=True)
class Standing:
    """A course's requirements, and for a person signed in, which they have not met for a
    session starting at a given time (for everyone else, `checked` is False)."""

    requirements: tuple[Requirement, ...]
    missing: tuple[Requirement, ...] = ()
    checked: bool = False

    @property
    def rows(self) -> list[tuple[Requirement, str | None]]:
        """Each requirement with why the person has not met it: "" when they have, None
        when nobody is signed in to ask."""
        return [
            (requirement, self.shortfall_of(requirement) if self.checked else None)
            for requirement in self.requirements
        ]

    def shortfall_of(self, requirement: Requirement) -> str:
        return requirement.shortfall if requirement in self.missing else ""


def standing(
    db_session: Session,
    course_id: int,
    person: User | None,
    starts_at: datetime,
    now: datetime,
) -> Standing:
    """Where the person (None: nobody signed in) stands against the course's requirements
    for a session starting then (the course page asks for now): one statement."""
    requirements = requirements_for(db_session, course_id, person and person.id, now)
    if person is None:
        return Standing(requirements)
    return Standing(requirements, missing(requirements, starts_at), checked=True)
