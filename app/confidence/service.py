"""The rule of confidence answers: one a booking, outcome and stage, from 1 to 5, and only
against outcomes the booking's course teaches now.

People answer at booking (optional) and again in the evaluation after the course; the
difference is what the board's reports show the training changed.
"""

import re
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.models import CONFIDENCE_LABELS, Booking, LearningOutcome, OutcomeConfidence, Stage

INSERT_CONFIDENCE = insert(OutcomeConfidence.__table__)
FIELD_NAME = re.compile(r"confidence-([1-9][0-9]{0,9})")


def is_confidence(value: int | None) -> bool:
    return value in CONFIDENCE_LABELS


def field_name(outcome_id: int) -> str:
    """What a form calls its answer against an outcome, and a refusal names it by."""
    return f"confidence-{outcome_id}"


def outcome_id_of(name: str) -> int | None:
    """The outcome a form field answers, from its name; None for any other field."""
    found = FIELD_NAME.fullmatch(name)
    return int(found.group(1)) if found else None


def record_confidence(
    db_session: Session,
    booking: Booking,
    answers: Mapping[int, int],
    stage: Stage,
    now: datetime,
) -> int:
    """Keep the answers given against the booking's course's outcomes (by outcome id), at
    this stage; how many were kept.

    An answer against an outcome the course no longer teaches (removed since the form was
    shown) is left out rather than refused: the others still count. A value outside 1 to
    5 is the form's to refuse, and raises here.
    """
    if not answers:
        return 0
    if not all(is_confidence(value) for value in answers.values()):
        raise ValueError("Confidence is given from 1 to 5")
    taught = set(
        db_session.scalars(
            select(LearningOutcome.id).where(
                LearningOutcome.course_id == booking.session.course_id,
                LearningOutcome.removed_at.is_(None),
                LearningOutcome.id.in_(answers),
            )
        )
    )
    rows = [
        {
            "booking_id": booking.id,
            "outcome_id": outcome_id,
            "stage": stage,
            "confidence": value,
            "answered_at": now,
        }
        for outcome_id, value in answers.items()
        if outcome_id in taught
    ]
    if rows:
        db_session.execute(INSERT_CONFIDENCE, rows)
    return len(rows)
