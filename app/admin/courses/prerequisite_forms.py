"""The form adding a prerequisite to a course."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from app.admin.case_reviews.forms import course_label
from app.fields import WholeNumberField, record_from_list
from app.models import WITHIN_YEARS_MOST, Course


class PrerequisiteForm(FlaskForm):
    course = record_from_list("Course to attend first", "a course")
    within_years = WholeNumberField(
        "Attended within the last N years (optional)",
        what="number of years",
        minimum=1,
        maximum=WITHIN_YEARS_MOST,
        example=3,
        required=False,
        description="For training that goes out of date, such as 3. Leave it empty if "
        "having attended it at any time will do.",
    )
    submit = SubmitField("Add prerequisite", widget=GovSubmitInput())

    def __init__(self, courses: list[Course], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.course.choices = {"": "Choose a course"} | {
            str(course.id): course_label(course) for course in courses
        }
