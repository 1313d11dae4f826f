"""Forms of the trainer's screens, labelled in plain words, with GOV.UK widgets.

Dates and times are typed as London's clocks show them and become UTC moments here.
"""

from typing import ClassVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired

from app.accounts.forms import NOT_LISTED, email_field
from app.display import in_london
from app.fields import (
    ClockTimeField,
    DateInputField,
    WholeNumberField,
    join_moment,
    text_box,
    text_line,
)
from app.models import MAX_CAPACITY, Agency, Attendance, CourseSession, Venue
from app.sessions.service import SessionTimes, WalkIn

ONLINE = "online"
TIME_EXAMPLE = "For example, 9:30am or 2pm"


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
    name = text_line("Full name", 200, render_kw={"spellcheck": "false"})
    agency = SelectField(
        "Agency",
        description="Needed only for someone without an account.",
        invalid_choice_message="Choose their agency from the list",
        widget=GovSelect(),
    )
    new_agency_name = text_line(
        "If their agency is not listed, its name", 200, called="Agency name"
    )
    job_title = text_line("Job title (optional)", 200)
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
    subject = text_line("Subject", 150, required="Enter a subject")
    message = text_box("Message", 5000, required="Enter a message")
    submit = SubmitField("Send the email", widget=GovSubmitInput())


class ChangeSessionForm(FlaskForm):
    day = DateInputField(
        "Date of the session", what="date of the session", description="For example, 27 3 2027"
    )
    starts = ClockTimeField("Start time", what="start time", description=TIME_EXAMPLE)
    ends = ClockTimeField("End time", what="end time", description=TIME_EXAMPLE)
    venue = SelectField(
        "Where",
        invalid_choice_message="Choose where the session is from the list",
        widget=GovSelect(),
    )
    submit = SubmitField("Save and tell everyone booked", widget=GovSubmitInput())
    #: The session service's names for these fields.
    refusal_fields: ClassVar = {"date": "day", "start_time": "starts", "end_time": "ends"}

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

    def validate(self, extra_validators=None) -> bool:
        """Also the moments, in UTC, that the date and times name, the end after the start."""
        valid = super().validate(extra_validators)
        self.starts_at = join_moment(self.day, self.starts)
        self.ends_at = join_moment(self.day, self.ends)
        if self.starts_at is None or self.ends_at is None:
            return False
        if self.ends_at <= self.starts_at:
            self.ends.errors.append("The end time must be after the start time")
            return False
        return valid

    def times(self) -> SessionTimes:
        venue_id = None if self.venue.data == ONLINE else int(self.venue.data)
        return SessionTimes(starts_at=self.starts_at, ends_at=self.ends_at, venue_id=venue_id)


class CapacityForm(FlaskForm):
    capacity = WholeNumberField(
        "Number of places",
        what="number of places",
        minimum=1,
        maximum=MAX_CAPACITY,
        example=20,
        description="Raising it offers the new places to the people waiting, in turn.",
    )
    submit = SubmitField("Save the number of places", widget=GovSubmitInput())


class CancelSessionForm(FlaskForm):
    reason = text_box(
        "Why is the session cancelled?",
        1000,
        required="Enter the reason for cancelling",
        called="The reason",
        description="Everyone booked or waiting is emailed this reason.",
    )
    submit = SubmitField("Cancel the session", widget=GovSubmitInput())
