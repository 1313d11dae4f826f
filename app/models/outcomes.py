"""Learning outcomes, each a row of its own, and how confident people say they are in them.

Outcomes are rows rather than lines of a text field so that every answer keeps pointing
at the outcome it was given against, whatever the coordinator edits later. An outcome
taken off a course is marked removed rather than deleted, so the answers given against
it still count in the reports.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Timestamped, UTCDateTime, enum_column

if TYPE_CHECKING:
    from app.models.bookings import Booking
    from app.models.catalogue import Course

#: The longest an outcome may be: one sentence, as a prospectus prints it.
OUTCOME_LENGTH = 300

#: More than this is a syllabus, not outcomes a person can rate their confidence in.
MOST_OUTCOMES = 12

#: How confident a person is against an outcome, as the forms ask it.
CONFIDENCE_LABELS = {
    1: "Not at all confident",
    2: "Slightly confident",
    3: "Fairly confident",
    4: "Confident",
    5: "Very confident",
}


class LearningOutcome(Timestamped, db.Model):
    __tablename__ = "learning_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    #: Where it comes in the course's list, from 1.
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(OUTCOME_LENGTH))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship(back_populates="all_outcomes")


class Stage(enum.StrEnum):
    """When a person rated their confidence: at booking, or in the evaluation afterwards."""

    BEFORE = "before"
    AFTER = "after"


class OutcomeConfidence(db.Model):
    """One person's confidence against one outcome of the course they booked, at one stage."""

    __tablename__ = "outcome_confidence"
    __table_args__ = (
        UniqueConstraint("booking_id", "outcome_id", "stage"),
        CheckConstraint("confidence BETWEEN 1 AND 5", name="confidence_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("learning_outcome.id"), index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, length=10))
    confidence: Mapped[int]
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship()
    outcome: Mapped[LearningOutcome] = relationship()
