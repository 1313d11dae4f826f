"""The rules of a course's learning outcomes: each a row, kept in order, never deleted
once given, so that the confidence people gave against one keeps pointing at it."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import MOST_OUTCOMES, OUTCOME_LENGTH, Course, LearningOutcome
from app.refusals import Refused


class OutcomeError(Refused):
    pass


def get_outcome(db_session: Session, course: Course, outcome_id: int) -> LearningOutcome | None:
    """One of the course's outcomes still taught; None for any other id."""
    return db_session.scalar(
        select(LearningOutcome).where(
            LearningOutcome.id == outcome_id,
            LearningOutcome.course_id == course.id,
            LearningOutcome.removed_at.is_(None),
        )
    )


def checked_text(course: Course, text: str, changing: LearningOutcome | None = None) -> str:
    """The outcome's words, tidied, once they are neither empty, too long nor a repeat."""
    words = " ".join(text.split())
    if not words:
        raise OutcomeError("Enter the learning outcome", field="text")
    if len(words) > OUTCOME_LENGTH:
        raise OutcomeError(
            f"The learning outcome must be {OUTCOME_LENGTH} characters or fewer", field="text"
        )
    if any(
        outcome.text.casefold() == words.casefold() and outcome is not changing
        for outcome in course.outcomes
    ):
        raise OutcomeError("The course already has this learning outcome", field="text")
    return words


def add_outcome(db_session: Session, course: Course, text: str, now: datetime) -> LearningOutcome:
    """A new outcome, last in the course's list."""
    if len(course.outcomes) >= MOST_OUTCOMES:
        raise OutcomeError(
            f"A course can have at most {MOST_OUTCOMES} learning outcomes: "
            "remove one before adding another",
            field="text",
        )
    outcome = LearningOutcome(
        text=checked_text(course, text),
        position=max((row.position for row in course.all_outcomes), default=0) + 1,
    )
    course.all_outcomes.append(outcome)
    course.updated_at = now
    db_session.flush()
    db_session.expire(course, ["outcomes"])
    return outcome


def change_outcome(
    db_session: Session, course: Course, outcome: LearningOutcome, text: str, now: datetime
) -> bool:
    """New words for the same outcome; whether anything changed."""
    words = checked_text(course, text, changing=outcome)
    if words == outcome.text:
        return False
    outcome.text = words
    course.updated_at = now
    db_session.flush()
    return True


def move_outcome(
    db_session: Session, course: Course, outcome: LearningOutcome, places: int, now: datetime
) -> bool:
    """Swap the outcome with the one before (-1) or after (+1); whether it moved."""
    taught = list(course.outcomes)
    index = taught.index(outcome)
    other = index + places
    if places not in (-1, 1) or not 0 <= other < len(taught):
        return False
    neighbour = taught[other]
    outcome.position, neighbour.position = neighbour.position, outcome.position
    course.updated_at = now
    db_session.flush()
    db_session.expire(course, ["outcomes", "all_outcomes"])
    return True


def remove_outcome(
    db_session: Session, course: Course, outcome: LearningOutcome, now: datetime
) -> None:
    """Off the course from now on; the answers already given against it are kept."""
    outcome.removed_at = now
    course.updated_at = now
    db_session.flush()
    db_session.expire(course, ["outcomes"])


def replace_outcomes(
    db_session: Session, course: Course, texts: Sequence[str], now: datetime
) -> None:
    """Make the course teach these outcomes in this order, keeping the rows of those it
    already teaches (matched by their words) and removing the rest."""
    wanted = [" ".join(text.split()) for text in texts if text.strip()]
    if [outcome.text for outcome in course.outcomes] == wanted:
        return
    kept = {outcome.text: outcome for outcome in course.outcomes}
    for outcome in course.outcomes:
        if outcome.text not in wanted:
            outcome.removed_at = now
    last = max((row.position for row in course.all_outcomes), default=0)
    for position, text in enumerate(wanted, start=last + 1):
        outcome = kept.get(text) or LearningOutcome(text=text)
        outcome.position = position
        if outcome not in course.all_outcomes:
            course.all_outcomes.append(outcome)
    db_session.flush()
    db_session.expire(course, ["outcomes"])
