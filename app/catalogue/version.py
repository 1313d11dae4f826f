"""The catalogue's version: what the public pages, the printed prospectus and briefings and
the prospectus's feed are kept by.

Every flush that adds, changes or removes anything of the catalogue (prospectuses,
courses, their audiences, outcomes and prerequisites, sessions and their places shared
between sectors, venues, case reviews, their findings and reports, the links between
courses and reviews) gives the version a new value in the same transaction, so whoever
reads the new version reads the new catalogue too, in every worker process. A random
value rather than a count: a database emptied and filled again never repeats one.

Places taken change with every booking; they are not part of the version, so that
bookings neither wait on one row nor throw away every kept page. A page showing places
is kept by the version and by its bookings' own count and latest change
(`places_of_sessions`), read in the same statement.
"""

import secrets

from sqlalchemy import Select, bindparam, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction

from app.models import (
    DECISION_STATUSES,
    Booking,
    CaseReview,
    CaseReviewReport,
    CatalogueVersion,
    Course,
    CourseAudience,
    CourseSession,
    KeyFinding,
    LearningOutcome,
    LessonLink,
    Prerequisite,
    Prospectus,
    SectorPlaces,
    Venue,
    utcnow,
)

CATALOGUE_MODELS = (
    Prospectus,
    Course,
    CourseAudience,
    LearningOutcome,
    Prerequisite,
    CourseSession,
    SectorPlaces,
    Venue,
    CaseReview,
    KeyFinding,
    CaseReviewReport,
    LessonLink,
)
ROW = 1


def init_app() -> None:
    """Listen to every database session (once, however many apps are made)."""
    for name, listener in LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def version_column():
    """SQL: the catalogue's version, as a column of a larger statement."""
    return select(CatalogueVersion.version).where(CatalogueVersion.id == ROW).scalar_subquery()


def places_of_sessions(*conditions) -> list:
    """SQL: columns that change whenever a place on the sessions matching `conditions` is
    taken or given back: their bookings' count and latest change (every booking, walk-in
    or cancellation records its change on its row)."""
    sessions = Booking.session_id.in_(select(CourseSession.id).where(*conditions))
    return [
        select(func.count(Booking.id)).where(sessions).scalar_subquery(),
        select(func.max(Booking.updated_at)).where(sessions).scalar_subquery(),
    ]


def course_named():
    return CourseSession.course_id.in_(select(Course.id).where(Course.slug == bindparam("slug")))


def in_prospectus_named():
    courses = select(Course.id).join(Course.prospectus).where(Prospectus.slug == bindparam("slug"))
    return CourseSession.course_id.in_(courses)


TO_COME = CourseSession.starts_at > bindparam("now")

# Built once: each public page asks one of these, and building costs more than running.
VERSION_ONLY = select(version_column())
SESSION = select(
    version_column(),
    *places_of_sessions(CourseSession.id == bindparam("session_id")),
    # When the session's first approval or offer left unanswered falls due.
    select(func.min(Booking.approval_expires_at))
    .where(Booking.session_id == bindparam("session_id"), Booking.status.in_(DECISION_STATUSES))
    .scalar_subquery(),
)
COURSE = select(version_column(), *places_of_sessions(course_named(), TO_COME))
PROSPECTUS_PLACES = select(version_column(), *places_of_sessions(in_prospectus_named(), TO_COME))
ALL_PLACES = select(version_column(), *places_of_sessions(TO_COME))


def current(db_session: Session) -> str | None:
    return db_session.scalar(VERSION_ONLY)


def catalogue_only(**view_args) -> tuple[Select, dict]:
    """The catalogue alone, whatever the page's address names."""
    return VERSION_ONLY, {}


def places_on_session(session_id: int) -> tuple[Select, dict]:
    """The catalogue, the session's places, and when an approval it holds falls due."""
    return SESSION, {"session_id": session_id}


def places_on_course(slug: str) -> tuple[Select, dict]:
    """The catalogue and the places on the course's sessions to come."""
    return COURSE, {"slug": slug, "now": utcnow()}


def places_in_prospectus(slug: str | None = None) -> tuple[Select, dict]:
    """The catalogue and the places on the sessions to come of a prospectus's courses, or
    of every course."""
    if slug is None:
        return ALL_PLACES, {"now": utcnow()}
    return PROSPECTUS_PLACES, {"slug": slug, "now": utcnow()}


def move_on(db_session: Session) -> None:
    """Give the catalogue a new version, in the transaction under way."""
    value = secrets.token_hex(16)
    connection = db_session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(CatalogueVersion).values(id=ROW, version=value)
    connection.execute(
        statement.on_conflict_do_update(index_elements=["id"], set_={"version": value})
    )


def move_on_after_catalogue_changes(db_session: Session, context: UOWTransaction) -> None:
    changed = [*db_session.new, *db_session.deleted] + [
        thing for thing in db_session.dirty if db_session.is_modified(thing)
    ]
    if any(isinstance(thing, CATALOGUE_MODELS) for thing in changed):
        move_on(db_session)


def move_on_after_catalogue_statements(state):
    """`INSERT`s, `UPDATE`s and `DELETE`s of the catalogue sent as statements, outside the
    unit of work."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return None
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, CATALOGUE_MODELS):
        return None
    result = state.invoke_statement()
    move_on(state.session)
    return result


LISTENERS = (
    ("after_flush", move_on_after_catalogue_changes),
    ("do_orm_execute", move_on_after_catalogue_statements),
)
