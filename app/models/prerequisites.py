"""Courses that must have been attended before another is booked."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Timestamped
from app.models.catalogue import Course

#: The most years a coordinator may ask for a prerequisite to have been attended within.
WITHIN_YEARS_MOST = 10


class Prerequisite(Timestamped, db.Model):
    """`course` can be booked only by someone who attended `required_course`, within
    `within_years` years when it is given (safeguarding training goes out of date)."""

    __table_args__ = (
        UniqueConstraint("course_id", "required_course_id"),
        CheckConstraint("course_id <> required_course_id", name="not_itself"),
        CheckConstraint(
            f"within_years BETWEEN 1 AND {WITHIN_YEARS_MOST}", name="within_years_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique constraint, led by course_id, is the index for reading a course's.
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    required_course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    within_years: Mapped[int | None]

    course: Mapped[Course] = relationship(back_populates="prerequisites", foreign_keys=[course_id])
    required_course: Mapped[Course] = relationship(foreign_keys=[required_course_id])
