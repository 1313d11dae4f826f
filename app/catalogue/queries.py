"""Read-only queries of the public catalogue: each issues a fixed number of SQL statements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload, undefer

from app.catalogue.version import version_column
from app.display import LONDON
from app.models import (
    CaseReview,
    Course,
    CourseAudience,
    CourseSession,
    Delivery,
    LearningOutcome,
    LessonLink,
    Prospectus,
    Sector,
    SessionStatus,
)
from app.pagination import Pagination, page_of


@dataclass(frozen=True)
class CourseFilters:
    """What a visitor narrows a prospectus by; None means "any"."""

    text: str = ""
    level: int | None = None
    sector: Sector | None = None
    delivery: Delivery | None = None
    month: date | None = None
    places_left: bool = False


def visible_course() -> list:
    return [Course.published.is_(True), Prospectus.published.is_(True)]


def bookable_session(now: datetime) -> list:
    """Published, scheduled and still to come: the sessions the public is offered."""
    return [
        CourseSession.published.is_(True),
        CourseSession.status == SessionStatus.SCHEDULED,
        CourseSession.starts_at > now,
    ]


def published_prospectuses(db_session: Session) -> list[tuple[Prospectus, int]]:
    """Each published prospectus with how many published courses it holds."""
    course_count = (
        select(func.count(Course.id))
        .where(Course.prospectus_id == Prospectus.id, Course.published.is_(True))
        .scalar_subquery()
    )
    query = (
        select(Prospectus, course_count)
        .where(Prospectus.published.is_(True))
        .order_by(Prospectus.position, Prospectus.title)
    )
    return [(prospectus, count) for prospectus, count in db_session.execute(query)]


def get_published_prospectus(db_session: Session, slug: str) -> Prospectus | None:
    return db_session.scalar(
        select(Prospectus).where(Prospectus.slug == slug, Prospectus.published.is_(True))
    )


def find_courses(
    db_session: Session,
    prospectus: Prospectus,
    filters: CourseFilters,
    now: datetime,
    page: int,
    per_page: int,
) -> Pagination:
    """A page of the prospectus's published courses that match every filter given."""
    query = (
        select(Course)
        .where(Course.prospectus_id == prospectus.id, Course.published.is_(True))
        .options(selectinload(Course.audience_sectors))
        .order_by(Course.title, Course.id)
    )
    query = apply_filters(query, filters, now)
    return page_of(db_session, query, page, per_page)


def apply_filters(query: Select, filters: CourseFilters, now: datetime) -> Select:
    for word in filters.text.split():
        query = query.where(
            or_(
                Course.title.icontains(word, autoescape=True),
                Course.summary.icontains(word, autoescape=True),
                Course.description.icontains(word, autoescape=True),
                Course.outcomes.any(LearningOutcome.text.icontains(word, autoescape=True)),
                Course.audience.icontains(word, autoescape=True),
            )
        )
    if filters.level is not None:
        query = query.where(Course.level == filters.level)
    if filters.delivery is not None:
        query = query.where(Course.delivery == filters.delivery)
    if filters.sector is not None:
        query = query.where(Course.audience_sectors.any(CourseAudience.sector == filters.sector))
    session_conditions = session_filter_conditions(filters, now)
    if session_conditions:
        has_matching_session = Course.sessions.any(
            and_(*bookable_session(now), *session_conditions)
        )
        if filters.month is None:
            # E-learning has no sessions and never runs out of places.
            has_matching_session = or_(has_matching_session, Course.delivery == Delivery.E_LEARNING)
        query = query.where(has_matching_session)
    return query


def session_filter_conditions(filters: CourseFilters, now: datetime) -> list:
    conditions = []
    if filters.month is not None:
        start, end = month_bounds(filters.month)
        conditions += [CourseSession.starts_at >= start, CourseSession.starts_at < end]
    if filters.places_left:
        conditions.append(CourseSession.places_taken < CourseSession.capacity)
    return conditions


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in London, as aware datetimes."""
    first = datetime.combine(month.replace(day=1), time(), LONDON)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return first, datetime.combine(following, time(), LONDON)


def next_session_starts(
    db_session: Session, course_ids: list[int], now: datetime
) -> dict[int, datetime]:
    """When each course next runs, for those with a session still to come."""
    if not course_ids:
        return {}
    query = (
        select(CourseSession.course_id, func.min(CourseSession.starts_at))
        .where(CourseSession.course_id.in_(course_ids), *bookable_session(now))
        .group_by(CourseSession.course_id)
    )
    return {course_id: first for course_id, first in db_session.execute(query)}


def get_published_course(db_session: Session, slug: str) -> Course | None:
    return db_session.scalar(
        select(Course)
        .join(Course.prospectus)
        .where(Course.slug == slug, *visible_course())
        .options(
            selectinload(Course.audience_sectors),
            selectinload(Course.outcomes),
            joinedload(Course.prospectus),
        )
    )


def upcoming_sessions(
    db_session: Session, course_ids: list[int], now: datetime
) -> dict[int, list[CourseSession]]:
    """Published sessions still to come, cancelled ones included, grouped by course."""
    query = (
        select(CourseSession)
        .where(
            CourseSession.course_id.in_(course_ids),
            CourseSession.published.is_(True),
            CourseSession.starts_at > now,
        )
        .options(joinedload(CourseSession.venue), undefer(CourseSession.places_taken))
        .order_by(CourseSession.starts_at, CourseSession.id)
    )
    grouped: dict[int, list[CourseSession]] = defaultdict(list)
    for session in db_session.scalars(query):
        grouped[session.course_id].append(session)
    return grouped


def lesson_links_for_courses(
    db_session: Session, course_ids: list[int]
) -> dict[int, list[LessonLink]]:
    """The published case reviews each course draws on, with the notes, by course."""
    query = (
        select(LessonLink)
        .join(LessonLink.case_review)
        .where(LessonLink.course_id.in_(course_ids), CaseReview.published.is_(True))
        .options(joinedload(LessonLink.case_review))
        .order_by(CaseReview.title)
    )
    grouped: dict[int, list[LessonLink]] = defaultdict(list)
    for link in db_session.scalars(query):
        grouped[link.course_id].append(link)
    return grouped


# Built once: each booking reads one, and building it costs more than running it.
SESSION_TO_BOOK = (
    select(CourseSession)
    .join(CourseSession.course)
    .join(Course.prospectus)
    .where(
        CourseSession.id == bindparam("session_id"),
        CourseSession.published.is_(True),
        *visible_course(),
    )
    .options(
        joinedload(CourseSession.course).joinedload(Course.prospectus),
        joinedload(CourseSession.venue),
    )
)
PUBLIC_SESSION = SESSION_TO_BOOK.options(
    undefer(CourseSession.places_taken), selectinload(CourseSession.trainers)
)


def get_public_session(db_session: Session, session_id: int) -> CourseSession | None:
    """A published session with the places taken on it."""
    return db_session.scalar(PUBLIC_SESSION, {"session_id": session_id})


# The booking page asks the person's confidence against each of the course's outcomes;
# the booking rules look whether the course has prerequisites and the session's places are
# shared between sectors, and read them only if so.
SESSION_WITH_OUTCOMES = SESSION_TO_BOOK.options(
    joinedload(CourseSession.course).joinedload(Course.outcomes),
    joinedload(CourseSession.course).joinedload(Course.prerequisites),
    joinedload(CourseSession.sector_places),
)


def get_session_to_book(db_session: Session, session_id: int) -> CourseSession | None:
    """A published session with its course's outcomes, its places not counted: booking
    counts them itself, with the person's own booking and the approvals overdue, in one
    statement."""
    found = db_session.scalars(SESSION_WITH_OUTCOMES, {"session_id": session_id})
    return found.unique().one_or_none()


def elsewhere_courses(db_session: Session) -> list[Course]:
    """E-learning hosted elsewhere, such as the free course on child sexual exploitation."""
    return list(
        db_session.scalars(
            select(Course)
            .join(Course.prospectus)
            .where(Course.delivery == Delivery.E_LEARNING, *visible_course())
            .order_by(Course.title)
        )
    )


def published_courses(db_session: Session, prospectus: Prospectus | None = None) -> list[Course]:
    """Every published course, or a prospectus's, with audience sectors and outcomes, by
    title."""
    query = (
        select(Course)
        .join(Course.prospectus)
        .where(*visible_course())
        .options(
            selectinload(Course.audience_sectors),
            selectinload(Course.outcomes),
            contains_eager(Course.prospectus),
        )
        .order_by(Prospectus.position, Course.title, Course.id)
    )
    if prospectus is not None:
        query = query.where(Course.prospectus_id == prospectus.id)
    return list(db_session.scalars(query))


def catalogue_fingerprint(db_session: Session, now: datetime) -> str:
    """Changes whenever anything printed in a prospectus or a review's briefing is added,
    changed or removed (the catalogue's version), and when the next session starts, so a
    printed list of upcoming dates moves on."""
    next_start = select(func.min(CourseSession.starts_at)).where(*bookable_session(now))
    row = db_session.execute(select(version_column(), next_start.scalar_subquery())).one()
    return "|".join(str(value) for value in row)
