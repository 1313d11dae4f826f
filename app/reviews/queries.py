"""Read-only queries of the published case reviews and their links to courses."""

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from app.catalogue.queries import visible_course
from app.models import CaseReview, Course, LessonLink, Prospectus


def published_case_reviews(db_session: Session) -> list[CaseReview]:
    """Every published review, newest first (those with no year given last)."""
    return list(
        db_session.scalars(
            select(CaseReview)
            .where(CaseReview.published.is_(True))
            .order_by(CaseReview.year.desc().nulls_last(), CaseReview.title)
        )
    )


def get_published_case_review(db_session: Session, slug: str) -> CaseReview | None:
    return db_session.scalar(
        select(CaseReview)
        .where(CaseReview.slug == slug, CaseReview.published.is_(True))
        .options(selectinload(CaseReview.reports))
    )


def links_to_courses(
    db_session: Session, case_review_ids: list[int]
) -> dict[int, list[LessonLink]]:
    """The published courses drawing on each review, with the notes, by review."""
    query = (
        select(LessonLink)
        .join(LessonLink.course)
        .join(Course.prospectus)
        .where(LessonLink.case_review_id.in_(case_review_ids), *visible_course())
        .options(contains_eager(LessonLink.course).contains_eager(Course.prospectus))
        .order_by(Prospectus.position, Course.title)
    )
    grouped: dict[int, list[LessonLink]] = {review_id: [] for review_id in case_review_ids}
    for link in db_session.scalars(query):
        grouped[link.case_review_id].append(link)
    return grouped
