"""Forms for case reviews, their reports, and the notes linking them to courses."""

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import FieldList, Form, FormField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, ValidationError

from app.admin.case_reviews.service import CaseReviewDetails, ReportDetails, is_web_address
from app.fields import ChecklistField, record_from_list, text_box, text_line
from app.models import FINDING_LENGTH, CaseReview, Course, LessonLink

#: Empty rows offered beneath a review's reports, to add new ones.
BLANK_REPORTS = 2


class ReportForm(Form):
    """One report's row; its labels are numbered by the template, so each is unique."""

    title = text_line("Title", 200, called="A report's title")
    url = text_line(
        "Web address",
        500,
        called="A web address",
        render_kw={"spellcheck": "false", "inputmode": "url"},
    )


class CaseReviewForm(FlaskForm):
    title = text_line(
        "Title",
        200,
        required="Enter the review's title",
        description="For example, Child R - Serious Case Review.",
    )
    year = StringField(
        "Year published (optional)",
        # The saved year is a number; a form sent without the field would keep it so.
        filters=[lambda year: "" if year is None else str(year)],
        validators=[Length(max=4, message="Enter the year as 4 digits, like 2012")],
        widget=GovTextInput(),
        render_kw={"inputmode": "numeric"},
    )
    summary = text_box(
        "Summary",
        10000,
        required="Enter a summary of the review",
        description="What happened and why the review was held. Leave a blank line "
        "between paragraphs.",
    )
    practice_points = text_box(
        "What it means for practice (optional)",
        4000,
        called="What it means for practice",
        description="What practitioners should do differently because of the review's "
        "findings, printed on its 7-minute briefing. One point on each line.",
    )
    reflection_questions = text_box(
        "Reflection questions (optional)",
        2000,
        description="Questions for a team to discuss, printed on the review's 7-minute "
        "briefing. One question on each line.",
    )
    reports = FieldList(FormField(ReportForm), max_entries=20)
    submit = SubmitField("Save case review", widget=GovSubmitInput())

    def offer_blank_reports(self) -> None:
        for _ in range(BLANK_REPORTS):
            self.reports.append_entry()

    def validate_year(self, field) -> None:
        if field.data and not re.fullmatch(r"(19|20)\d\d", field.data.strip()):
            raise ValidationError("Enter the year as 4 digits, like 2012")

    def validate(self, extra_validators=None) -> bool:
        """Also check each report's row, numbering it in its messages."""
        valid = super().validate(extra_validators)
        for number, entry in enumerate(self.reports.entries, 1):
            row = entry.form
            title, url = (row.title.data or "").strip(), (row.url.data or "").strip()
            if url and not title:
                row.title.errors.append(f"Enter the title of report {number}")
            if title and not url:
                row.url.errors.append(f"Enter the web address of report {number}")
            elif url and not is_web_address(url):
                row.url.errors.append(
                    f"Enter the web address of report {number}, starting with http:// or https://"
                )
        # The list keeps its own copy of its rows' errors, made before the checks above.
        self.reports.errors = [entry.errors for entry in self.reports.entries]
        if not any(self.reports.errors):
            self.reports.errors = []
        return valid and not self.reports.errors

    def details(self) -> CaseReviewDetails:
        year = (self.year.data or "").strip()
        return CaseReviewDetails(
            title=self.title.data or "",
            year=int(year) if year else None,
            summary=self.summary.data or "",
            practice_points=self.practice_points.data or "",
            reflection_questions=self.reflection_questions.data or "",
            reports=tuple(
                ReportDetails(title=row["title"] or "", url=row["url"] or "")
                for row in self.reports.data
                if (row["title"] or "").strip() or (row["url"] or "").strip()
            ),
        )


def note_field() -> TextAreaField:
    return text_box(
        "How the course uses this review",
        2000,
        required="Say how the course uses this review",
        called="The note",
        description="Shown with the link on the course's page, on the review's page and in "
        "the PDF prospectus.",
    )


class AddReviewToCourseForm(FlaskForm):
    case_review = record_from_list("Case review", "a case review")
    note = note_field()
    submit = SubmitField("Add case review", widget=GovSubmitInput())

    def __init__(self, reviews: list[CaseReview], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case_review.choices = {"": "Choose a case review"} | {
            str(review.id): review.title if review.published else f"{review.title} (draft)"
            for review in reviews
        }


class AddCourseToReviewForm(FlaskForm):
    course = record_from_list("Course", "a course")
    note = note_field()
    submit = SubmitField("Add course", widget=GovSubmitInput())

    def __init__(self, courses: list[Course], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.course.choices = {"": "Choose a course"} | {
            str(course.id): course_label(course) for course in courses
        }


def course_label(course: Course) -> str:
    """Titles can repeat between prospectuses, so the prospectus is named too."""
    label = f"{course.title} ({course.prospectus.title}"
    return label + (")" if course.published else ", draft)")


class LessonLinkForm(FlaskForm):
    note = note_field()
    key_findings = ChecklistField(
        "Key findings the course teaches (optional)",
        what="key findings",
        coerce=int,
        description="Shown with each finding on the review's page and in its 7-minute "
        "briefing. A finding no course teaches is marked on the review's findings page.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def __init__(self, link: LessonLink) -> None:
        taught = [finding.id for finding in link.key_findings]
        super().__init__(data={"note": link.note, "key_findings": taught})
        self.key_findings.choices = {
            finding.id: finding.text for finding in link.case_review.key_findings
        }


class FindingForm(FlaskForm):
    text = text_box(
        "Key finding",
        FINDING_LENGTH,
        required="Enter the key finding",
        description="One finding, as the review states it.",
    )
    submit = SubmitField("Save finding", widget=GovSubmitInput())


class NewFindingForm(FindingForm):
    submit = SubmitField("Add finding", widget=GovSubmitInput())
