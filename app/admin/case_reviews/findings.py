"""The rules of a case review's key findings: each a row, kept in order, reworded in place,
and removed together with its ties to the lesson links whose courses taught it."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import FINDING_LENGTH, MOST_FINDINGS, CaseReview, KeyFinding, LessonLink
from app.refusals import Refused


class FindingError(Refused):
    pass


def find_review_with_findings(db_session: Session, review_id: int) -> CaseReview | None:
    """The review, its findings in order and the courses (drafts too) that teach each."""
    return db_session.scalar(
        select(CaseReview)
        .where(CaseReview.id == review_id)
        .options(
            selectinload(CaseReview.key_findings)
            .selectinload(KeyFinding.lesson_links)
            .joinedload(LessonLink.course)
        )
    )


def get_finding(db_session: Session, review: CaseReview, finding_id: int) -> KeyFinding | None:
    """One of the review's findings; None for any other id."""
    return db_session.scalar(
        select(KeyFinding).where(
            KeyFinding.id == finding_id, KeyFinding.case_review_id == review.id
        )
    )


def checked_text(review: CaseReview, text: str, changing: KeyFinding | None = None) -> str:
    """The finding's words, tidied, once they are neither empty, too long nor a repeat."""
    words = " ".join(text.split())
    if not words:
        raise FindingError("Enter the key finding", field="text")
    if len(words) > FINDING_LENGTH:
        raise FindingError(
            f"The key finding must be {FINDING_LENGTH} characters or fewer", field="text"
        )
    if any(
        finding.text.casefold() == words.casefold() and finding is not changing
        for finding in review.key_findings
    ):
        raise FindingError("The review already has this key finding", field="text")
    return words


def add_finding(db_session: Session, review: CaseReview, text: str, now: datetime) -> KeyFinding:
    """A new finding, last in the review's list, taught by no course yet."""
    if len(review.key_findings) >= MOST_FINDINGS:
        raise FindingError(
            f"A review can have at most {MOST_FINDINGS} key findings: "
            "remove one before adding another",
            field="text",
        )
    finding = KeyFinding(
        text=checked_text(review, text),
        position=max((row.position for row in review.key_findings), default=0) + 1,
    )
    review.key_findings.append(finding)
    review.updated_at = now
    db_session.flush()
    return finding


def change_finding(
    db_session: Session, review: CaseReview, finding: KeyFinding, text: str, now: datetime
) -> bool:
    """New words for the same finding, still taught by the same courses; whether anything
    changed."""
    words = checked_text(review, text, changing=finding)
    if words == finding.text:
        return False
    finding.text = words
    review.updated_at = now
    db_session.flush()
    return True


def move_finding(
    db_session: Session, review: CaseReview, finding: KeyFinding, places: int, now: datetime
) -> bool:
    """Swap the finding with the one before (-1) or after (+1); whether it moved."""
    findings = list(review.key_findings)
    index = findings.index(finding)
    other = index + places
    if places not in (-1, 1) or not 0 <= other < len(findings):
        return False
    neighbour = findings[other]
    finding.position, neighbour.position = neighbour.position, finding.position
    review.updated_at = now
    db_session.flush()
    db_session.expire(review, ["key_findings"])
    return True


def remove_finding(
    db_session: Session, review: CaseReview, finding: KeyFinding, now: datetime
) -> list[str]:
    """Delete the finding, untying it from every lesson link that taught it (each link's
    change is in the audit log); the titles of those links' courses."""
    untied = []
    for link in list(finding.lesson_links):
        link.key_findings.remove(finding)
        link.updated_at = now
        untied.append(link.course.title)
    review.key_findings.remove(finding)
    # Deleted by name, not only as an orphan, so the audit log sees it go.
    db_session.delete(finding)
    review.updated_at = now
    db_session.flush()
    return sorted(untied)
