"""The rules of case reviews: a title, an address made from it, findings, reports on the web.

A review's address (its slug) follows its title until it is published; from then on it
is kept, so links to the published page go on working whatever the title becomes.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.admin.slugs import slugify
from app.models import CaseReview, CaseReviewReport, LessonLink, split_lines
from app.refusals import Refused

# Short of the column's 120 characters, to leave room for the number free_slug may add.
SLUG_LENGTH = 100


class CaseReviewError(Refused):
    pass


@dataclass(frozen=True)
class ReportDetails:
    title: str
    url: str


@dataclass(frozen=True)
class CaseReviewDetails:
    title: str
    year: int | None
    summary: str
    practice_points: str
    reflection_questions: str
    # In the order they are shown.
    reports: tuple[ReportDetails, ...]


@dataclass(frozen=True)
class CaseReviewRow:
    review: CaseReview
    courses: int


def is_web_address(url: str) -> bool:
    """http or https, with a host: a `javascript:` address must never reach a page."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", url)


def case_reviews_with_course_counts(db_session: Session) -> list[CaseReviewRow]:
    """Every review, newest first, with how many courses draw on it."""
    courses = (
        select(func.count(LessonLink.id))
        .where(LessonLink.case_review_id == CaseReview.id)
        .scalar_subquery()
    )
    query = select(CaseReview, courses).order_by(
        CaseReview.year.desc().nulls_last(), CaseReview.title
    )
    return [CaseReviewRow(review, count) for review, count in db_session.execute(query)]


def find_case_review(db_session: Session, review_id: int) -> CaseReview | None:
    return db_session.scalar(
        select(CaseReview)
        .where(CaseReview.id == review_id)
        .options(selectinload(CaseReview.reports))
    )


def create_case_review(db_session: Session, details: CaseReviewDetails) -> CaseReview:
    """A draft: the public sees it once it is published."""
    review = CaseReview(published=False)
    apply_details(db_session, review, details)
    db_session.add(review)
    db_session.flush()
    return review


def update_case_review(db_session: Session, review: CaseReview, details: CaseReviewDetails) -> None:
    apply_details(db_session, review, details)


def apply_details(db_session: Session, review: CaseReview, details: CaseReviewDetails) -> None:
    """Every rule is checked before anything changes, so a refusal leaves the review as it was."""
    title = " ".join(details.title.split())
    if not title:
        raise CaseReviewError("Enter the review's title", field="title")
    reports = [checked_report(number, report) for number, report in enumerate(details.reports, 1)]
    if not review.published and title != review.title:
        slug = slugify(title, SLUG_LENGTH) or "case-review"
        review.slug = free_slug(db_session, slug, review.id)
    review.title = title
    review.year = details.year
    review.summary = details.summary.strip()
    review.practice_points = "\n".join(split_lines(details.practice_points))
    review.reflection_questions = "\n".join(split_lines(details.reflection_questions))
    replace_reports(review, reports)


def checked_report(number: int, report: ReportDetails) -> ReportDetails:
    title, url = " ".join(report.title.split()), report.url.strip()
    if not title:
        raise CaseReviewError(f"Enter the title of report {number}")
    if not is_web_address(url):
        raise CaseReviewError(
            f"Enter the web address of report {number}, starting with http:// or https://"
        )
    return ReportDetails(title=title, url=url)


def replace_reports(review: CaseReview, reports: list[ReportDetails]) -> None:
    """Rows are reused in order, so the audit log shows what changed rather than a new list."""
    existing = list(review.reports)
    for position, details in enumerate(reports):
        if position < len(existing):
            report = existing[position]
        else:
            report = CaseReviewReport()
            review.reports.append(report)
        report.title, report.url, report.position = details.title, details.url, position
    for removed in existing[len(reports) :]:
        review.reports.remove(removed)


def free_slug(db_session: Session, slug: str, review_id: int | None) -> str:
    """The slug, or the slug numbered -2, -3, ... when another review has it."""
    query = select(CaseReview.slug).where(CaseReview.slug.startswith(slug, autoescape=True))
    if review_id is not None:
        query = query.where(CaseReview.id != review_id)
    taken = set(db_session.scalars(query))
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        candidate = f"{slug}-{number}"
    return candidate


def publish(review: CaseReview) -> None:
    review.published = True


def unpublish(review: CaseReview) -> None:
    """The review leaves the public pages, and the courses' pages and PDF stop citing it."""
    review.published = False


def delete_case_review(db_session: Session, review: CaseReview) -> None:
    """Refused while courses draw on it, so no course loses a lesson without a decision."""
    courses = db_session.scalar(
        select(func.count(LessonLink.id)).where(LessonLink.case_review_id == review.id)
    )
    if courses:
        draw = "1 course draws" if courses == 1 else f"{courses} courses draw"
        raise CaseReviewError(
            f"{review.title} cannot be deleted: {draw} on it. Remove those links first, "
            "or unpublish the review instead."
        )
    db_session.delete(review)
