"""Case reviews, their published reports and the courses that draw on them."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Timestamped, split_lines
from app.models.catalogue import Course

#: The longest a key finding may be: a sentence or two, as a review's summary states it.
FINDING_LENGTH = 500

#: More than this is the review itself, not its key findings (and no longer fits a briefing).
MOST_FINDINGS = 10

#: Which findings of its review a lesson link's course teaches; a row goes with either side.
lesson_link_finding = Table(
    "lesson_link_finding",
    db.metadata,
    Column(
        "lesson_link_id",
        ForeignKey("lesson_link.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "key_finding_id",
        ForeignKey("key_finding.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


OLD_TERM = "serious case review"
CURRENT_TERM = "child safeguarding practice review"


class CaseReview(Timestamped, db.Model):
    """A published serious case review (child safeguarding practice review)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    #: What its findings mean for everyday practice, one point a line (for its briefing).
    practice_points: Mapped[str] = mapped_column(Text, default="")
    #: Questions for a team to discuss after reading it, one a line (for its briefing).
    reflection_questions: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(default=False)

    reports: Mapped[list[CaseReviewReport]] = relationship(
        back_populates="case_review",
        cascade="all, delete-orphan",
        order_by="CaseReviewReport.position",
    )
    lesson_links: Mapped[list[LessonLink]] = relationship(
        back_populates="case_review", cascade="all, delete-orphan"
    )
    key_findings: Mapped[list[KeyFinding]] = relationship(
        back_populates="case_review",
        cascade="all, delete-orphan",
        order_by="KeyFinding.position",
    )

    @property
    def uses_the_old_term(self) -> bool:
        """Titled a serious case review alone: they have been child safeguarding practice
        reviews since 2018, the term readers now know."""
        title = self.title.lower()
        return OLD_TERM in title and CURRENT_TERM not in title

    @property
    def public_title(self) -> str:
        """The title, with the current term beside the old one where it uses that."""
        if self.uses_the_old_term:
            return f"{self.title} (now called a {CURRENT_TERM})"
        return self.title

    @property
    def findings(self) -> list[str]:
        """The findings' words, in order."""
        return [finding.text for finding in self.key_findings]

    @property
    def for_practice(self) -> list[str]:
        return split_lines(self.practice_points)

    @property
    def questions(self) -> list[str]:
        return split_lines(self.reflection_questions)


class KeyFinding(Timestamped, db.Model):
    """One finding of a case review; lesson links say which courses teach it."""

    __tablename__ = "key_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_review_id: Mapped[int] = mapped_column(ForeignKey("case_review.id"), index=True)
    #: Where it comes in the review's list, from 1.
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    case_review: Mapped[CaseReview] = relationship(back_populates="key_findings")
    lesson_links: Mapped[list[LessonLink]] = relationship(
        secondary=lesson_link_finding, back_populates="key_findings"
    )


class CaseReviewReport(Timestamped, db.Model):
    """A published document of a case review: an overview report or a summary."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_review_id: Mapped[int] = mapped_column(ForeignKey("case_review.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)

    case_review: Mapped[CaseReview] = relationship(back_populates="reports")


class LessonLink(Timestamped, db.Model):
    """A course draws on a case review; the note says how the course uses it."""

    __table_args__ = (UniqueConstraint("course_id", "case_review_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    case_review_id: Mapped[int] = mapped_column(ForeignKey("case_review.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Course] = relationship(back_populates="lesson_links")
    case_review: Mapped[CaseReview] = relationship(back_populates="lesson_links")
    #: The findings of its review that this link's course teaches.
    key_findings: Mapped[list[KeyFinding]] = relationship(
        secondary=lesson_link_finding,
        back_populates="lesson_links",
        order_by="KeyFinding.position",
    )
