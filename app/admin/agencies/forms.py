"""Agency forms: details, and the agency a duplicate is merged into."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSubmitInput
from wtforms import BooleanField, RadioField, SubmitField
from wtforms.validators import InputRequired

from app.admin.agencies.service import AgencyDetails
from app.fields import WholeNumberField, record_from_list, text_line
from app.models import (
    CHARGING_BAND_LABELS,
    HEADCOUNT_MOST,
    SECTOR_LABELS,
    Agency,
    ChargingBand,
    Sector,
)


class AgencyForm(FlaskForm):
    name = text_line("Name", 200, required="Enter the agency's name")
    sector = RadioField(
        "Sector",
        description="Reports to the partnership board group agencies by sector.",
        choices={sector.value: label for sector, label in SECTOR_LABELS.items()},
        validators=[InputRequired(message="Choose the agency's sector")],
        widget=GovRadioInput(),
    )
    charging_band = RadioField(
        "Charging band",
        description="Whether the agency is charged when its people do not attend or cancel "
        "after the cut-off.",
        choices={band.value: label for band, label in CHARGING_BAND_LABELS.items()},
        default=ChargingBand.CHARGEABLE.value,
        validators=[InputRequired(message="Choose the agency's charging band")],
        widget=GovRadioInput(),
    )
    headcount = WholeNumberField(
        "Headcount (optional)",
        "headcount",
        minimum=1,
        maximum=HEADCOUNT_MOST,
        example=350,
        required=False,
        description="How many of the agency's people work with children and families, as "
        "the agency told you. Reports show how many of them have been trained against it. "
        "Leave it empty if you do not know.",
    )
    listed = BooleanField(
        "Professionals can choose it from the list when they register",
        default=True,
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save agency", widget=GovSubmitInput())

    def details(self) -> AgencyDetails:
        return AgencyDetails(
            name=self.name.data or "",
            sector=Sector(self.sector.data),
            listed=self.listed.data,
            charging_band=ChargingBand(self.charging_band.data),
            headcount=self.headcount.data,
        )


class MergeForm(FlaskForm):
    into = record_from_list("Agency to merge into", "the agency to merge into")
    submit = SubmitField("Merge agencies", widget=GovSubmitInput())

    def __init__(self, others: list[Agency], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.into.choices = {"": "Choose an agency"} | {
            str(other.id): other.name if other.listed else f"{other.name} (typed in)"
            for other in others
        }

    @property
    def into_id(self) -> int:
        return int(self.into.data)
