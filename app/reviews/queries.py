"""Read-only queries of the published case reviews and their links to courses."""

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from app.catalogue.queries import visible_course
from app.models import CaseReview, Course, KeyFinding, LessonLink, Prospectus, lesson_link_finding


@dataclass(frozen=True)
class FindingTaught:
    """A key finding, and the links of the published courses that teach it (maybe none)."""

    finding: KeyFinding
    links: list[LessonLink]


def published_case_reviews(db_session: Session) -> list[CaseReview]:
    """Every published review, newest first (those with no year given last)."""
    return list(
        db_session.scalars(
            select(CaseReview)
            .where(CaseReview.published.is_(True))
            .order_by(CaseReview.year.desc().nulls_last(), CaseReview.title)
        )
    )


def published_review(slug: str) -> Select:
    return select(CaseReview).where(CaseReview.slug == slug, CaseReview.published.is_(True))


def get_published_case_review(db_session: Session, slug: str) -> CaseReview | None:
    """The review with its reports and findings, for a page that shows them all."""
    return db_session.scalar(
        published_review(slug).options(
            selectinload(CaseReview.reports), selectinload(CaseReview.key_findings)
        )
    )


def find_published_case_review(db_session: Session, slug: str) -> CaseReview | None:
    """The review alone: enough to know whether a copy of its briefing is still current."""
    return db_session.scalar(published_review(slug))


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


def findings_taught(
    db_session: Session, review: CaseReview, links: list[LessonLink]
) -> list[FindingTaught]:
    """Each of the review's findings, in order, with those of `links` (the published
    courses drawing on it, from links_to_courses) whose course teaches it, in their order."""
    ties = db_session.execute(
        select(lesson_link_finding.c.key_finding_id, lesson_link_finding.c.lesson_link_id).where(
            lesson_link_finding.c.lesson_link_id.in_([link.id for link in links])
        )
    )
    taught_by: dict[int, set[int]] = {finding.id: set() for finding in review.key_findings}
    for finding_id, link_id in ties:
        taught_by[finding_id].add(link_id)
    return [
        FindingTaught(finding, [link for link in links if link.id in taught_by[finding.id]])
        for finding in review.key_findings
    ]
