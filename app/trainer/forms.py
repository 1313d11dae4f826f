"""Forms of the trainer's screens, labelled in plain words, with GOV.UK widgets.

Dates and times are typed as London's clocks show them and become UTC moments here.
"""

from datetime import date, datetime, time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from app.accounts.forms import NOT_LISTED, email_field, strip
from app.display import clock_time, in_london, london_moment, read_clock_time
from app.models import Agency, Attendance, CourseSession, Venue
from app.trainer.service import WalkIn

ONLINE = "online"


def show_refusal(form: FlaskForm, error: Exception) -> None:
    """Show a service's refusal at the fields it concerns, as validators would."""
    for field, message in getattr(error, "problems", {None: str(error)}).items():
        target = form[field] if field and field in form else form.submit
        target.errors = [*target.errors, message]


class AttendanceForm(FlaskForm):
    """One person's mark: the register shows a button for each choice."""

    attendance = RadioField(
        "Attendance",
        choices={attendance.value: attendance.label for attendance in Attendance},
        validators=[InputRequired(message="Choose attended, did not attend or left early")],
    )

    def chosen(self) -> Attendance:
        return Attendance(self.attendance.data)


class MarkEveryoneForm(FlaskForm):
    submit = SubmitField("Mark everyone not yet marked as attended", widget=GovSubmitInput())


class WalkInForm(FlaskForm):
    email = email_field(
        "Their email address",
        description="If they already have an account, this is all we need.",
    )
    name = StringField(
        "Full name",
        filters=[strip],
        validators=[Length(max=200, message="Full name must be 200 characters or fewer")],
        widget=GovTextInput(),
        render_kw={"spellcheck": "false"},
    )
    agency = SelectField(
        "Agency",
        description="Needed only for someone without an account.",
        invalid_choice_message="Choose their agency from the list",
        widget=GovSelect(),
    )
    new_agency_name = StringField(
        "If their agency is not listed, its name",
        filters=[strip],
        validators=[Length(max=200, message="Agency name must be 200 characters or fewer")],
        widget=GovTextInput(),
    )
    job_title = StringField(
        "Job title (optional)",
        filters=[strip],
        validators=[Length(max=200, message="Job title must be 200 characters or fewer")],
        widget=GovTextInput(),
    )
    submit = SubmitField("Add to the register", widget=GovSubmitInput())

    def __init__(self, agencies: list[Agency], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.agency.choices = (
            {"": "Choose their agency"}
            | {str(agency.id): agency.name for agency in agencies}
            | {NOT_LISTED: "Their agency is not listed"}
        )

    def walk_in(self) -> WalkIn:
        agency = self.agency.data or ""
        return WalkIn(
            email=self.email.data,
            name=self.name.data or "",
            job_title=self.job_title.data or "",
            agency_id=int(agency) if agency.isdigit() else None,
            new_agency_name=(self.new_agency_name.data or "") if agency == NOT_LISTED else "",
        )


class EmailForm(FlaskForm):
    subject = StringField(
        "Subject",
        filters=[strip],
        validators=[
            InputRequired(message="Enter a subject"),
            Length(max=150, message="Subject must be 150 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    message = TextAreaField(
        "Message",
        filters=[strip],
        validators=[
            InputRequired(message="Enter a message"),
            Length(max=5000, message="Message must be 5,000 characters or fewer"),
        ],
        widget=GovTextArea(),
    )
    submit = SubmitField("Send the email", widget=GovSubmitInput())


class LondonDateField(DateField):
    """A date typed as day, month and year in three boxes (the GOV.UK date input)."""

    def __init__(self, label: str, **kwargs) -> None:
        super().__init__(
            label,
            format="%d %m %Y",
            invalid_value_message="Enter a real date, for example 27 3 2027",
            widget=GovDateInput(),
            **kwargs,
        )

    def process_formdata(self, valuelist: list[str]) -> None:
        # The widget shows back what was typed in exactly three boxes, whatever was sent.
        self.raw_data = [*(value.strip() for value in valuelist[:3]), "", "", ""][:3]
        if not any(self.raw_data):
            self.data = None
            raise ValueError(f"Enter the {self.label.text.lower()}")
        super().process_formdata(self.raw_data)


class ClockTimeField(StringField):
    """A time of day as people type it (9:30am, 2pm, 14:00); its data is a `time`."""

    def __init__(self, label: str, **kwargs) -> None:
        super().__init__(
            label,
            description="For example, 9:30am or 2pm",
            widget=GovTextInput(),
            render_kw={"spellcheck": "false"},
            **kwargs,
        )

    def process_formdata(self, valuelist: list[str]) -> None:
        typed = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not typed:
            raise ValueError(f"Enter the {self.label.text.lower()}")
        try:
            self.data = read_clock_time(typed)
        except ValueError:
            raise ValueError(
                f"Enter the {self.label.text.lower()} as a time of day, like 9:30am or 14:00"
            ) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return clock_time(self.data) if isinstance(self.data, time) else ""


def check_clocks_show(day: date, clock: time) -> None:
    """Refuse a time London skips when the clocks go forward, at the field it was typed in."""
    try:
        london_moment(day, clock)
    except ValueError:
        raise ValidationError(
            f"There is no {clock_time(clock)} on {day.day} {day:%B}: the clocks go forward "
            "an hour that night"
        ) from None


class ChangeSessionForm(FlaskForm):
    day = LondonDateField("Date of the session", description="For example, 27 3 2027")
    starts = ClockTimeField("Start time")
    ends = ClockTimeField("End time")
    venue = SelectField(
        "Where",
        invalid_choice_message="Choose where the session is from the list",
        widget=GovSelect(),
    )
    submit = SubmitField("Save and tell everyone booked", widget=GovSubmitInput())

    def __init__(self, venues: list[Venue], session: CourseSession, *args, **kwargs) -> None:
        starts, ends = in_london(session.starts_at), in_london(session.ends_at)
        super().__init__(
            *args,
            day=starts.date(),
            starts=starts.time(),
            ends=ends.time(),
            venue=str(session.venue_id) if session.venue_id else ONLINE,
            **kwargs,
        )
        choices = {str(venue.id): venue.name for venue in venues}
        # Online is offered only where it can work: the session needs its joining link.
        if session.is_online or session.online_join_url:
            choices[ONLINE] = "Online"
        self.venue.choices = choices

    def validate_starts(self, field) -> None:
        if self.day.data and field.data:
            check_clocks_show(self.day.data, field.data)

    def validate_ends(self, field) -> None:
        if not (self.day.data and field.data and self.starts.data):
            return
        check_clocks_show(self.day.data, field.data)
        if field.data <= self.starts.data:
            raise ValidationError("The end time must be after the start time")

    def starts_at(self) -> datetime:
        return london_moment(self.day.data, self.starts.data)

    def ends_at(self) -> datetime:
        return london_moment(self.day.data, self.ends.data)

    def venue_id(self) -> int | None:
        return None if self.venue.data == ONLINE else int(self.venue.data)


class WholeNumberField(IntegerField):
    """A number typed in a text box; left empty, it is for InputRequired to say so."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class CapacityForm(FlaskForm):
    capacity = WholeNumberField(
        "Number of places",
        description="Raising it offers the new places to the people waiting, in turn.",
        validators=[
            InputRequired(message="Enter the number of places"),
            NumberRange(min=0, max=10000, message="Enter a number of places from 0 to 10,000"),
        ],
        invalid_value_message="Enter the number of places as a whole number, like 20",
        widget=GovTextInput(),
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    submit = SubmitField("Save the number of places", widget=GovSubmitInput())


class CancelSessionForm(FlaskForm):
    reason = TextAreaField(
        "Why is the session cancelled?",
        description="Everyone booked or waiting is emailed this reason.",
        filters=[strip],
        validators=[
            InputRequired(message="Enter the reason for cancelling"),
            Length(max=1000, message="The reason must be 1,000 characters or fewer"),
        ],
        widget=GovTextArea(),
    )
    submit = SubmitField("Cancel the session", widget=GovSubmitInput())
