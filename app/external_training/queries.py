"""Reading training done elsewhere: the courses it may stand for, a person's own records,
and those waiting for a coordinator; each list in one statement."""

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from app.models import (
    Course,
    Delivery,
    ExternalTraining,
    ExternalTrainingStatus,
    Prospectus,
    User,
)


def is_recordable(course: Course) -> bool:
    """Training elsewhere may stand for any course the catalogue shows the public."""
    return course.is_public


def recordable_courses(db_session: Session) -> list[Course]:
    """The public courses, e-learning hosted elsewhere first, then by title."""
    return list(
        db_session.scalars(
            select(Course)
            .join(Course.prospectus)
            .where(Course.published.is_(True), Prospectus.published.is_(True))
            .order_by(case((Course.delivery == Delivery.E_LEARNING, 0), else_=1), Course.title)
        )
    )


def records_of(db_session: Session, user_id: int) -> list[ExternalTraining]:
    """Everything the person recorded, the latest completion first."""
    return list(
        db_session.scalars(
            select(ExternalTraining)
            .where(ExternalTraining.user_id == user_id)
            .options(joinedload(ExternalTraining.course), joinedload(ExternalTraining.decided_by))
            .order_by(ExternalTraining.completed_on.desc(), ExternalTraining.id.desc())
        )
    )


def own_record(db_session: Session, person: User, training_id: int) -> ExternalTraining | None:
    """The person's own record; None for anyone else's."""
    return db_session.scalar(
        select(ExternalTraining)
        .where(ExternalTraining.id == training_id, ExternalTraining.user_id == person.id)
        .options(joinedload(ExternalTraining.course))
    )


def waiting_for_a_coordinator(db_session: Session) -> list[ExternalTraining]:
    """Records not decided yet, the longest waiting first."""
    return list(
        db_session.scalars(
            select(ExternalTraining)
            .where(ExternalTraining.status == ExternalTrainingStatus.SUBMITTED)
            .options(
                joinedload(ExternalTraining.user).joinedload(User.agency),
                joinedload(ExternalTraining.course),
            )
            .order_by(ExternalTraining.created_at, ExternalTraining.id)
        )
    )


def count_waiting(db_session: Session) -> int:
    return db_session.scalar(
        select(func.count(ExternalTraining.id)).where(
            ExternalTraining.status == ExternalTrainingStatus.SUBMITTED
        )
    )


def record_for_coordinator(db_session: Session, training_id: int) -> ExternalTraining | None:
    return db_session.scalar(
        select(ExternalTraining)
        .where(ExternalTraining.id == training_id)
        .options(
            joinedload(ExternalTraining.user).joinedload(User.agency),
            joinedload(ExternalTraining.course),
            joinedload(ExternalTraining.decided_by),
        )
    )
