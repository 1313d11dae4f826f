"""The statements that read the catalogue's version: what the public pages, the printed
prospectus and briefings and the prospectus's feed are kept by. Every change to the
catalogue gives it a new value (app.models.catalogue_version).

Places taken change with every booking; they are not part of the version, so that
bookings neither wait on one row nor throw away every kept page. A page showing places
is kept by the version and by its bookings' own count and latest change
(`places_of_sessions`), read in the same statement.
"""

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from app.models import (
    CATALOGUE_VERSION_ROW,
    DECISION_STATUSES,
    Booking,
    CatalogueVersion,
    Course,
    CourseSession,
    Prospectus,
    utcnow,
)


def version_column():
    """SQL: the catalogue's version, as a column of a larger statement."""
    return (
        select(CatalogueVersion.version)
        .where(CatalogueVersion.id == CATALOGUE_VERSION_ROW)
        .scalar_subquery()
    )


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
