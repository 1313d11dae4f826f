"""What people say of a course after it: their evaluation, and weeks later whether it
changed their practice, with their line manager's view if they asked for it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, enum_column
from app.models.bookings import Booking

#: The overall rating of a course, as the evaluation asks it.
RATING_LABELS = {
    1: "Very poor",
    2: "Poor",
    3: "Fair",
    4: "Good",
    5: "Excellent",
}

#: The longest answer in words a person may give to any one question.
ANSWER_LENGTH = 5000


class Evaluation(db.Model):
    """One person's evaluation of the session they attended: one a booking. Their
    confidence against each outcome afterwards is kept beside it, in OutcomeConfidence."""

    __table_args__ = (
        CheckConstraint("overall_rating BETWEEN 1 AND 5", name="overall_rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), unique=True)
    overall_rating: Mapped[int]
    do_differently: Mapped[str] = mapped_column(Text)
    anything_else: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship()


class ChangedPractice(enum.StrEnum):
    """Whether the training has changed a person's practice, weeks later."""

    YES = "yes"
    NOT_YET = "not-yet"
    NO = "no"

    @property
    def label(self) -> str:
        return CHANGED_PRACTICE_LABELS[self]


CHANGED_PRACTICE_LABELS = {
    ChangedPractice.YES: "Yes",
    ChangedPractice.NOT_YET: "Not yet",
    ChangedPractice.NO: "No",
}


class FollowUp(db.Model):
    """The answer to the follow-up some weeks after the session: one a booking, and only
    for those who sent their evaluation. The line manager's view, when the person asked
    for it, is kept here too: one answer, from the address the person gave."""

    __tablename__ = "follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), unique=True)
    changed_practice: Mapped[ChangedPractice] = mapped_column(enum_column(ChangedPractice))
    how: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Where the request for the manager's view went; None when the person did not ask.
    manager_email: Mapped[str | None] = mapped_column(String(254))
    manager_view: Mapped[str | None] = mapped_column(Text)
    manager_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship()

    @property
    def asks_manager(self) -> bool:
        return self.manager_email is not None

    @property
    def manager_has_answered(self) -> bool:
        return self.manager_answered_at is not None
