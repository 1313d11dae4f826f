"""Forms for finding people and changing what they may do."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.forms import ListChoiceField
from app.models import Role

ANY_ROLE = ""


class SearchForm(FlaskForm):
    """Read from the address, so a search can be bookmarked: no CSRF token needed."""

    class Meta:
        csrf = False

    q = StringField(
        "Name or email address",
        validators=[Length(max=200, message="Search must be 200 characters or fewer")],
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
