"""Forms for case reviews, their reports, and the notes linking them to courses."""

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import FieldList, Form, FormField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.admin.case_reviews.service import CaseReviewDetails, ReportDetails, is_web_address
from app.models import CaseReview, Course

#: Empty rows offered beneath a review's reports, to add new ones.
BLANK_REPORTS = 2


class ReportForm(Form):
    """One report's row; its labels are numbered by the template, so each is unique."""

    title = StringField(
        "Title",
        validators=[Length(max=200, message="A report's title must be 200 characters or fewer")],
        widget=GovTextInput(),
    )
    url = StringField(
        "Web address",
        validators=[Length(max=500, message="A web address must be 500 characters or fewer")],
        widget=GovTextInput(),
        render_kw={"spellcheck": "false", "inputmode": "url"},
    )


class CaseReviewForm(FlaskForm):
    title = StringField(
        "Title",
        description="For example, Child R - Serious Case Review.",
        validators=[
            InputRequired(message="Enter the review's title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    year = StringField(
        "Year published (optional)",
        # The saved year is a number; a form sent without the field would keep it so.
        filters=[lambda year: "" if year is None else str(year)],
        validators=[Length(max=4, message="Enter the year as 4 digits, like 2012")],
        widget=GovTextInput(),
        render_kw={"inputmode": "numeric"},
    )
    summary = TextAreaField(
        "Summary",
        description="What happened and why the review was held. Leave a blank line "
        "between paragraphs.",
        validators=[
            InputRequired(message="Enter a summary of the review"),
            Length(max=10000, message="Summary must be 10,000 characters or fewer"),
        ],
        widget=GovTextArea(),
    )
    key_findings = TextAreaField(
        "Key findings",
        description="One finding on each line.",
        validators=[Length(max=10000, message="Key findings must be 10,000 characters or fewer")],
        widget=GovTextArea(),
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
            key_findings=self.key_findings.data or "",
            reports=tuple(
                ReportDetails(title=row["title"] or "", url=row["url"] or "")
                for row in self.reports.data
                if (row["title"] or "").strip() or (row["url"] or "").strip()
            ),
        )


class FromTheList:
    """A choice the service looks up itself: here, only that it is an id, as the list gives."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: SelectField) -> None:
        if not (field.data or "").isdigit():
            raise ValidationError(self.message)


def note_field() -> TextAreaField:
    return TextAreaField(
        "How the course uses this review",
        description="Shown with the link on the course's page, on the review's page and in "
        "the PDF prospectus.",
        validators=[
            InputRequired(message="Say how the course uses this review"),
            Length(max=2000, message="The note must be 2,000 characters or fewer"),
        ],
        widget=GovTextArea(),
    )


class AddReviewToCourseForm(FlaskForm):
    # Which reviews may be linked is the service's rule (one link a pair), so it decides.
    case_review = SelectField(
        "Case review",
        validators=[
            InputRequired(message="Choose a case review"),
            FromTheList("Choose a case review from the list"),
        ],
        validate_choice=False,
        widget=GovSelect(),
    )
    note = note_field()
    submit = SubmitField("Add case review", widget=GovSubmitInput())

    def __init__(self, reviews: list[CaseReview], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case_review.choices = {"": "Choose a case review"} | {
            str(review.id): review.title if review.published else f"{review.title} (draft)"
            for review in reviews
        }


class AddCourseToReviewForm(FlaskForm):
    course = SelectField(
        "Course",
        validators=[
            InputRequired(message="Choose a course"),
            FromTheList("Choose a course from the list"),
        ],
        validate_choice=False,
        widget=GovSelect(),
    )
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


class LinkNoteForm(FlaskForm):
    note = note_field()
    submit = SubmitField("Save note", widget=GovSubmitInput())
