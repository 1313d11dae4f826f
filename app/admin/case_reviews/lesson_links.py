"""The rules of lesson links: a course draws on a case review, and a note says how.

Coordinators edit links from the course's side and from the review's side; both sides
use these functions, so a rule holds whichever side a link is made or changed from.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.models import CaseReview, Course, LessonLink, Prospectus
from app.refusals import Refused


class LessonLinkError(Refused):
    pass


def links_of_course(db_session: Session, course: Course) -> list[LessonLink]:
    """The reviews a course draws on, by title, each with its note."""
    return list(
        db_session.scalars(
            select(LessonLink)
            .join(LessonLink.case_review)
            .where(LessonLink.course_id == course.id)
            .options(joinedload(LessonLink.case_review))
            .order_by(CaseReview.title, CaseReview.id)
        )
    )


def links_of_review(db_session: Session, review: CaseReview) -> list[LessonLink]:
    """The courses drawing on a review, by prospectus and title, each with its note."""
    return list(
        db_session.scalars(
            select(LessonLink)
            .join(LessonLink.course)
            .join(Course.prospectus)
            .where(LessonLink.case_review_id == review.id)
            .options(joinedload(LessonLink.course).joinedload(Course.prospectus))
            .order_by(Prospectus.position, Course.title, Course.id)
        )
    )


def find_link(db_session: Session, link_id: int) -> LessonLink | None:
    """A link with its course and review, for a page that names both."""
    return db_session.scalar(
        select(LessonLink)
        .where(LessonLink.id == link_id)
        .options(
            joinedload(LessonLink.course).joinedload(Course.prospectus),
            joinedload(LessonLink.case_review),
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


def change_note(link: LessonLink, note: str) -> None:
    link.note = checked_note(note)


def remove_link(db_session: Session, link: LessonLink) -> None:
    db_session.delete(link)
