"""The rules of lesson links: a course draws on a case review, and a note says how.

Coordinators edit links from the course's side and from the review's side; both sides
use these functions, so a rule holds whichever side a link is made or changed from.
"""

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models import CaseReview, Course, LessonLink, Prospectus
from app.refusals import Refused


class LessonLinkError(Refused):
    pass


def links_of_course(db_session: Session, course: Course) -> list[LessonLink]:
    """The reviews a course draws on, by title, each with its note and the findings taught."""
    return list(
        db_session.scalars(
            select(LessonLink)
            .join(LessonLink.case_review)
            .where(LessonLink.course_id == course.id)
            .options(joinedload(LessonLink.case_review), selectinload(LessonLink.key_findings))
            .order_by(CaseReview.title, CaseReview.id)
        )
    )


def links_of_review(db_session: Session, review: CaseReview) -> list[LessonLink]:
    """The courses drawing on a review, by prospectus and title, each with its note and the
    findings it teaches."""
    return list(
        db_session.scalars(
            select(LessonLink)
            .join(LessonLink.course)
            .join(Course.prospectus)
            .where(LessonLink.case_review_id == review.id)
            .options(
                joinedload(LessonLink.course).joinedload(Course.prospectus),
                selectinload(LessonLink.key_findings),
            )
            .order_by(Prospectus.position, Course.title, Course.id)
        )
    )


def find_link(db_session: Session, link_id: int) -> LessonLink | None:
    """A link with its course and review, the review's findings and those the link's
    course teaches, for a page that names them all."""
    return db_session.scalar(
        select(LessonLink)
        .where(LessonLink.id == link_id)
        .options(
            joinedload(LessonLink.course).joinedload(Course.prospectus),
            joinedload(LessonLink.case_review).selectinload(CaseReview.key_findings),
            selectinload(LessonLink.key_findings),
        )
    )


def all_case_reviews(db_session: Session) -> list[CaseReview]:
    """Drafts too: a course can be linked to a review before the review is published."""
    return list(db_session.scalars(select(CaseReview).order_by(CaseReview.title, CaseReview.id)))


def all_courses(db_session: Session) -> list[Course]:
    return list(
        db_session.scalars(
            select(Course)
            .join(Course.prospectus)
            .options(joinedload(Course.prospectus))
            .order_by(Prospectus.position, Course.title, Course.id)
        )
    )


def checked_note(note: str) -> str:
    note = note.strip()
    if not note:
        raise LessonLinkError("Say how the course uses this review", field="note")
    return note


def add_link(db_session: Session, course_id: int, case_review_id: int, note: str) -> LessonLink:
    """Link a course to a review; refused when they are linked already (one note a pair).

    A refusal about the pair names no field: each side shows it at its own choice.
    """
    note = checked_note(note)
    course = db_session.get(Course, course_id)
    if course is None:
        raise LessonLinkError("Choose a course from the list", field="course")
    review = db_session.get(CaseReview, case_review_id)
    if review is None:
        raise LessonLinkError("Choose a case review from the list", field="case_review")
    already = db_session.scalar(
        select(LessonLink.id).where(
            LessonLink.course_id == course.id, LessonLink.case_review_id == review.id
        )
    )
    if already is not None:
        raise LessonLinkError(
            f"{course.title} already draws on {review.title}: change the note of that link instead"
        )
    link = LessonLink(course_id=course.id, case_review_id=review.id, note=note)
    db_session.add(link)
    db_session.flush()
    return link


def change_link(
    db_session: Session, link: LessonLink, note: str, finding_ids: Collection[int], now: datetime
) -> None:
    """A new note, and the findings of the link's review that its course teaches (only
    the review's own findings may be chosen)."""
    note = checked_note(note)
    findings = {finding.id: finding for finding in link.case_review.key_findings}
    if any(finding_id not in findings for finding_id in finding_ids):
        raise LessonLinkError(
            "Choose the key findings from this review's list", field="key_findings"
        )
    chosen = [finding for finding_id, finding in findings.items() if finding_id in finding_ids]
    link.note = note
    if set(chosen) != set(link.key_findings):
        link.key_findings = chosen
        # A change of ties alone writes no column of the link: its time says it changed.
        link.updated_at = now
    db_session.flush()


def remove_link(db_session: Session, link: LessonLink) -> None:
    db_session.delete(link)
