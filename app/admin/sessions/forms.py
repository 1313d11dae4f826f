"""Session forms, labelled in plain words, with GOV.UK widgets.

Dates and times are typed as London's clocks show them; a session starts and ends on
the day it is held.
"""

from datetime import datetime

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.validators import InputRequired

from app.admin.case_reviews.forms import course_label
from app.admin.sessions.service import DEFAULT_CUTOFF_HOURS, MAX_CUTOFF_HOURS, SessionDetails
from app.display import in_london
from app.fields import (
    ChecklistField,
    ClockTimeField,
    DateInputField,
    WholeNumberField,
    join_moment,
    text_box,
    text_line,
)
from app.forms import ListChoiceField
from app.models import (
    HELD_UNTIL_DAYS_MOST,
    MAX_CAPACITY,
    Course,
    CourseSession,
    Sector,
    User,
    Venue,
)
from app.sessions.service import SessionTimes, Share

ONLINE = "online"


def capacity_field() -> WholeNumberField:
    return WholeNumberField(
        "Number of places",
        what="number of places",
        minimum=1,
        maximum=MAX_CAPACITY,
        example=20,
        description="When they are all taken, people can join the waiting list.",
    )


class TimesFields(FlaskForm):
    """When and where: the date, start and end times, and the venue or online."""

    date = DateInputField("Date", what="date of the session", description="For example, 27 3 2026")
    start_time = ClockTimeField("Start time", what="start time")
    end_time = ClockTimeField(
        "End time", what="end time", description="On the same day. For example, 12:30pm or 16:00"
    )
    venue = SelectField(
        "Where it is held",
        validators=[InputRequired(message="Choose where the session is held")],
        invalid_choice_message="Choose a venue from the list, or online",
        widget=GovSelect(),
    )

    def __init__(self, *args, venues: list[Venue], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.venue.choices = {"": "Choose where it is held", ONLINE: "Online"} | {
            str(venue.id): venue.name for venue in venues
        }

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.starts_at = join_moment(self.date, self.start_time)
        self.ends_at = join_moment(self.date, self.end_time)
        return valid and self.starts_at is not None and self.ends_at is not None

    def times(self) -> SessionTimes:
        venue = self.venue.data
        return SessionTimes(
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            venue_id=None if venue == ONLINE else int(venue),
        )

    @staticmethod
    def data_of(session: CourseSession) -> dict:
        starts, ends = in_london(session.starts_at), in_london(session.ends_at)
        return {
            "date": starts.date(),
            "start_time": starts.time(),
            "end_time": ends.time(),
            "venue": ONLINE if session.venue_id is None else str(session.venue_id),
        }


class PlacesFields(FlaskForm):
    capacity = capacity_field()


class DetailsFields(FlaskForm):
    """What can change without anyone booked being told: trainers, link, window, cut-off."""

    trainers = ChecklistField(
        "Trainers (optional)",
        what="trainers",
        coerce=int,
        description="People with the trainer or coordinator role. They see the session, "
        "its register and its bookings.",
    )
    online_join_url = text_line(
        "Online joining link (optional)",
        500,
        called="Joining link",
        description="For sessions held online. Only people with a confirmed place see it.",
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    opens_date = DateInputField(
        "Date booking opens (optional)",
        what="date booking opens",
        required=False,
        description="Leave the date and time blank to take bookings as soon as it is published.",
    )
    opens_time = ClockTimeField(
        "Time booking opens (optional)", what="time booking opens", required=False
    )
    closes_date = DateInputField(
        "Date booking closes (optional)",
        what="date booking closes",
        required=False,
        description="Leave the date and time blank to take bookings until the session starts.",
    )
    closes_time = ClockTimeField(
        "Time booking closes (optional)", what="time booking closes", required=False
    )
    cutoff_hours = WholeNumberField(
        "Cancellation cut-off, in hours",
        what="cancellation cut-off",
        minimum=0,
        maximum=MAX_CUTOFF_HOURS,
        example=DEFAULT_CUTOFF_HOURS,
        default=DEFAULT_CUTOFF_HOURS,
        description="Cancelling a place later than this many hours before the start is "
        f"recorded as a late cancellation. Usually {DEFAULT_CUTOFF_HOURS}.",
    )

    def __init__(self, *args, trainers: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.trainers.choices = {
            person.id: f"{person.name} ({person.email})" for person in trainers
        }

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.opens_at = join_moment(self.opens_date, self.opens_time)
        self.closes_at = join_moment(self.closes_date, self.closes_time)
        window_errors = [
            field.errors
            for field in (self.opens_date, self.opens_time, self.closes_date, self.closes_time)
        ]
        return valid and not any(window_errors)

    def details(self) -> SessionDetails:
        return SessionDetails(
            trainer_ids=tuple(self.trainers.data or ()),
            online_join_url=self.online_join_url.data or "",
            booking_opens_at=self.opens_at,
            booking_closes_at=self.closes_at,
            cancellation_cutoff_hours=self.cutoff_hours.data,
        )

    @staticmethod
    def data_of(session: CourseSession) -> dict:
        return {
            "trainers": [person.id for person in session.trainers],
            "online_join_url": session.online_join_url or "",
            **moment_data("opens", session.booking_opens_at),
            **moment_data("closes", session.booking_closes_at),
            "cutoff_hours": session.cancellation_cutoff_hours,
        }


def moment_data(prefix: str, moment: datetime | None) -> dict:
    local = in_london(moment) if moment is not None else None
    return {
        f"{prefix}_date": local.date() if local else None,
        f"{prefix}_time": local.time() if local else None,
    }


class NewSessionForm(TimesFields, PlacesFields, DetailsFields):
    """Everything at once: a new session has nobody booked to tell of it."""

    submit = SubmitField("Save session", widget=GovSubmitInput())


class RescheduleForm(TimesFields):
    submit = SubmitField("Move the session", widget=GovSubmitInput())


class SessionDetailsForm(DetailsFields):
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class CapacityForm(PlacesFields):
    submit = SubmitField("Change the number of places", widget=GovSubmitInput())


class ChooseCourseForm(FlaskForm):
    """The course a session is of, asked first when one is added from the list of sessions.
    Sent in the address: choosing changes nothing, so it needs no token."""

    class Meta:
        csrf = False

    course = ListChoiceField(
        "Course",
        choices={},
        validators=[InputRequired(message="Choose the course the session is of")],
        invalid_message="Choose a course from the list",
        description="E-learning hosted elsewhere has no sessions, so it is not listed.",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def __init__(self, *args, courses: list[Course], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.course.choices = {"": "Choose a course"} | {
            str(course.id): course_label(course) for course in courses
        }

    @property
    def chosen_course_id(self) -> int:
        return int(self.course.data)


class CancelSessionForm(FlaskForm):
    reason = text_box(
        "Why the session is cancelled",
        2000,
        required="Enter why the session is cancelled",
        called="The reason",
        description="Sent to everyone booked, with the cancellation for their calendar.",
    )
    submit = SubmitField("Cancel the session", widget=GovSubmitInput())


class SectorPlacesForm(FlaskForm):
    """One sector's share of a session's places."""

    sector = ListChoiceField(
        "Sector",
        choices={"": "Choose a sector"} | {sector.value: sector.label for sector in Sector},
        invalid_message="Choose a sector from the list",
        validators=[InputRequired(message="Choose a sector")],
    )
    most = WholeNumberField(
        "The most places the sector may have (optional)",
        what="most places",
        minimum=0,
        maximum=MAX_CAPACITY,
        example=4,
        required=False,
        description="For example, 4 for at most 4 police places. Others can have the rest.",
    )
    held = WholeNumberField(
        "Places held for the sector (optional)",
        what="number of places held",
        minimum=1,
        maximum=MAX_CAPACITY,
        example=6,
        required=False,
        description="For example, 6 to keep 6 places for health. Nobody else can have them "
        "until the day below.",
    )
    held_until_days = WholeNumberField(
        "Held until how many days before the session (with places held)",
        what="number of days",
        minimum=0,
        maximum=HELD_UNTIL_DAYS_MOST,
        example=14,
        required=False,
        description="For example, 14. Then any places still held are open to everyone. "
        "Enter 0 to hold them until the session starts.",
    )
    submit = SubmitField("Save the sector's places", widget=GovSubmitInput())

    def share(self) -> Share:
        return Share(
            Sector(self.sector.data), self.most.data, self.held.data, self.held_until_days.data
        )
