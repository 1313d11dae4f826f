"""Forms for finding people and changing what they may do."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextInput
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.bookings.service import OVERRIDE_REASON_LENGTH
from app.display import clock_time, long_date
from app.fields import PlainText, record_from_list, text_box
from app.forms import ListChoiceField
from app.models import CourseSession, Role

ANY_ROLE = ""


class SearchForm(FlaskForm):
    """Read from the address, so a search can be bookmarked: no CSRF token needed."""

    class Meta:
        csrf = False

    q = StringField(
        "Name or email address",
        validators=[
            PlainText("Search"),
            Length(max=200, message="Search must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
        render_kw={"spellcheck": "false"},
    )
    role = ListChoiceField(
        "Role",
        choices={ANY_ROLE: "Any role"} | {role.value: role.label for role in Role},
        default=ANY_ROLE,
        invalid_message="Choose a role from the list",
    )
    search = SubmitField("Search", widget=GovSubmitInput())

    @property
    def chosen_role(self) -> Role | None:
        return Role(self.role.data) if self.role.data else None


class RoleForm(FlaskForm):
    role = ListChoiceField(
        "Role",
        description="Trainers see the registers of the sessions they deliver; "
        "coordinators run the whole catalogue and manage people.",
        choices={role.value: role.label for role in Role},
        validators=[InputRequired(message="Choose a role")],
        invalid_message="Choose a role from the list",
    )
    save = SubmitField("Change role", widget=GovSubmitInput())


class DeactivateForm(FlaskForm):
    deactivate = SubmitField("Deactivate account", widget=GovSubmitInput())


class ReactivateForm(FlaskForm):
    reactivate = SubmitField("Reactivate account", widget=GovSubmitInput())


class BookForPersonForm(FlaskForm):
    """A coordinator books the person onto a session, passing over its prerequisites."""

    session = record_from_list("Session", "a session")
    reason = text_box(
        "Why you are booking them",
        OVERRIDE_REASON_LENGTH,
        required="Enter why you are booking this person",
        called="The reason",
        description="For example, the training they have done elsewhere. It is kept in the "
        "booking's history and the audit log.",
    )
    exempt_from_charges = BooleanField(
        "Never charge for this place",
        description="Their agency is not charged if they do not attend or cancel late, "
        "whatever its charging band.",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Book the place", widget=GovSubmitInput())

    def __init__(self, sessions: list[CourseSession], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session.choices = {"": "Choose a session"} | {
            str(session.id): f"{session.course.title}, {long_date(session.starts_at)}, "
            f"{clock_time(session.starts_at)}"
            for session in sessions
        }
