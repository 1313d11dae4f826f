"""Agency forms: details, and the agency a duplicate is merged into."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from app.admin.agencies.service import AgencyDetails
from app.models import SECTOR_LABELS, Agency, Sector


class AgencyForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[
            InputRequired(message="Enter the agency's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    sector = RadioField(
        "Sector",
        description="Reports to the partnership board group agencies by sector.",
        choices={sector.value: label for sector, label in SECTOR_LABELS.items()},
        validators=[InputRequired(message="Choose the agency's sector")],
        widget=GovRadioInput(),
    )
    listed = BooleanField(
        "Professionals can choose it from the list when they register",
        default=True,
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save agency", widget=GovSubmitInput())

    def details(self) -> AgencyDetails:
        return AgencyDetails(
            name=self.name.data or "", sector=Sector(self.sector.data), listed=self.listed.data
        )


class MergeForm(FlaskForm):
    # Which agencies may be merged into is the service's rule, so it is not checked here.
    into = SelectField(
        "Agency to merge into",
        validators=[InputRequired(message="Choose the agency to merge into")],
        validate_choice=False,
        widget=GovSelect(),
    )
    submit = SubmitField("Merge agencies", widget=GovSubmitInput())

    def __init__(self, others: list[Agency], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.into.choices = {"": "Choose an agency"} | {
            str(other.id): other.name if other.listed else f"{other.name} (typed in)"
            for other in others
        }

    def validate_into(self, field) -> None:
        if not field.data.isdigit():
            raise ValidationError("Choose the agency to merge into from the list")

    @property
    def into_id(self) -> int:
        return int(self.into.data)
