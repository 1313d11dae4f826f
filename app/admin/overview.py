"""What the coordinator's start page counts: the catalogue, and what is waiting on them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.service import managed_by_someone_alike
from app.external_training.queries import count_waiting
from app.models import (
    Agency,
    Booking,
    BookingStatus,
    Course,
    CourseSession,
    SessionStatus,
    User,
)

SOON = timedelta(days=14)


@dataclass(frozen=True)
class Summary:
    draft_courses: int
    sessions_soon: int
    people_waiting: int
    agencies_to_check: int
    external_training_waiting: int
    # Whose line manager's address is an account in their own name and agency.
    managers_to_check: list[User]


def summary(db_session: Session, now: datetime) -> Summary:
    """Five counts and a list, one query each, whatever the size of the catalogue."""
    upcoming = (
        CourseSession.status == SessionStatus.SCHEDULED,
        CourseSession.starts_at > now,
    )
    return Summary(
        draft_courses=db_session.scalar(
            select(func.count(Course.id)).where(Course.published.is_(False))
        ),
        sessions_soon=db_session.scalar(
            select(func.count(CourseSession.id)).where(
                *upcoming, CourseSession.starts_at <= now + SOON
            )
        ),
        people_waiting=db_session.scalar(
            select(func.count(Booking.id))
            .join(CourseSession, Booking.session_id == CourseSession.id)
            .where(Booking.status == BookingStatus.WAITING, *upcoming)
        ),
        agencies_to_check=db_session.scalar(
            select(func.count(Agency.id)).where(Agency.listed.is_(False))
        ),
        external_training_waiting=count_waiting(db_session),
        managers_to_check=managed_by_someone_alike(db_session),
    )
