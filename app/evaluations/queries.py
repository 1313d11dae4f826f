"""Read-only queries of evaluations and follow-ups, and of the bookings they are about."""

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from app.models import (
    Booking,
    Course,
    CourseSession,
    Evaluation,
    FollowUp,
    LearningOutcome,
    OutcomeConfidence,
    Stage,
)


def booking_to_evaluate(db_session: Session, booking_id: int) -> Booking | None:
    """The booking with its person, its session and course, and the course's outcomes."""
    course = joinedload(Booking.session).joinedload(CourseSession.course)
    return db_session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .options(
            joinedload(Booking.user),
            course.selectinload(Course.outcomes),
            joinedload(Booking.session).joinedload(CourseSession.venue),
        )
    )


def evaluation_of(db_session: Session, booking_id: int) -> Evaluation | None:
    return db_session.scalar(select(Evaluation).where(Evaluation.booking_id == booking_id))


def confidence_after(db_session: Session, booking_id: int) -> list[OutcomeConfidence]:
    """The confidence given against each outcome in the evaluation, in the outcomes' order
    (outcomes removed since included: the answers were given against them)."""
    return list(
        db_session.scalars(
            select(OutcomeConfidence)
            .join(OutcomeConfidence.outcome)
            .where(
                OutcomeConfidence.booking_id == booking_id,
                OutcomeConfidence.stage == Stage.AFTER,
            )
            .options(contains_eager(OutcomeConfidence.outcome))
            .order_by(LearningOutcome.position, LearningOutcome.id)
        )
    )


def evaluated() -> ColumnElement[bool]:
    """SQL: the booking's evaluation has been sent."""
    return exists().where(Evaluation.booking_id == Booking.id)


def is_evaluated(db_session: Session, booking_id: int) -> bool:
    return bool(db_session.scalar(select(exists().where(Evaluation.booking_id == booking_id))))


def follow_up_of(db_session: Session, booking_id: int) -> FollowUp | None:
    return db_session.scalar(select(FollowUp).where(FollowUp.booking_id == booking_id))
