"""The person's forms: recording training done elsewhere, and withdrawing a record."""

from functools import cached_property

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField
from wtforms.validators import ValidationError

from app.external_training import files
from app.external_training.service import Completion, Upload
from app.fields import DateInputField, record_from_list, text_line
from app.models import PROVIDER_LENGTH, Course
from app.refusals import Refused


class ExternalTrainingForm(FlaskForm):
    course = record_from_list("Course", "the course")
    provider = text_line(
        "Where you did it",
        PROVIDER_LENGTH,
        required="Enter where you did the training",
        called="Where you did it",
        description="The organisation that ran the training, for example Virtual College",
    )
    completed_on = DateInputField(
        "Date you completed it", what="date you completed it", description="For example, 27 3 2026"
    )
    certificate = FileField(
        "Certificate",
        validators=[FileRequired(message="Choose the file of your certificate")],
        description=f"A PDF file, or a scan or photo as a PNG or JPEG file, up to "
        f"{files.MOST_SIZE_WORDS}",
        widget=GovFileInput(),
    )
    submit = SubmitField("Send for checking", widget=GovSubmitInput())

    def __init__(self, courses: list[Course]) -> None:
        super().__init__()
        self.course.choices = [("", "Choose a course")] + [
            (str(course.id), course.title) for course in courses
        ]

    @cached_property
    def certificate_content(self) -> bytes:
        """The file chosen, read once."""
        return self.certificate.data.read()

    def validate_certificate(self, field: FileField) -> None:
        try:
            files.certificate_type(self.certificate_content)
        except Refused as refusal:
            raise ValidationError(str(refusal)) from None

    def completion(self) -> Completion:
        return Completion(
            course_id=int(self.course.data),
            provider=self.provider.data,
            completed_on=self.completed_on.data,
        )

    def upload(self) -> Upload:
        return Upload(self.certificate_content, self.certificate.data.filename or "")


class WithdrawForm(FlaskForm):
    submit = SubmitField("Withdraw it", widget=GovSubmitInput())
