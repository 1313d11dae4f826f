"""The venue form, labelled in plain words, with GOV.UK widgets."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.admin.venues.service import VenueDetails, normal_postcode


class VenueForm(FlaskForm):
    name = StringField(
        "Name",
        description="As people will see it, for example Riverside House Training Suite.",
        validators=[
            InputRequired(message="Enter the venue's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    address = TextAreaField(
        "Address",
        description="Each part of the address on a line of its own, without the postcode.",
        validators=[
            InputRequired(message="Enter the venue's address"),
            Length(max=1000, message="Address must be 1,000 characters or fewer"),
        ],
        widget=GovTextArea(),
    )
    postcode = StringField(
        "Postcode",
        validators=[InputRequired(message="Enter the venue's postcode")],
        widget=GovTextInput(),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    access_information = TextAreaField(
        "Access information (optional)",
        description="Step-free access, parking, hearing loops, toilets: whatever helps "
        "someone decide whether they can get there and take part.",
        validators=[
            Length(max=4000, message="Access information must be 4,000 characters or fewer")
        ],
        widget=GovTextArea(),
    )
    submit = SubmitField("Save venue", widget=GovSubmitInput())

    def validate_postcode(self, field) -> None:
        if field.data and normal_postcode(field.data) is None:
            raise ValidationError("Enter a real postcode, like S60 1AE")

    def details(self) -> VenueDetails:
        return VenueDetails(
            name=self.name.data or "",
            address=self.address.data or "",
            postcode=self.postcode.data or "",
            access_information=self.access_information.data or "",
        )
