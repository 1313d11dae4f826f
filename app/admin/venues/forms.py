"""The venue form, labelled in plain words, with GOV.UK widgets."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from app.admin.venues.service import VenueDetails, normal_postcode
from app.fields import PlainText, text_box, text_line


class VenueForm(FlaskForm):
    name = text_line(
        "Name",
        200,
        required="Enter the venue's name",
        description="As people will see it, for example Riverside House Training Suite.",
    )
    address = text_box(
        "Address",
        1000,
        required="Enter the venue's address",
        description="Each part of the address on a line of its own, without the postcode.",
    )
    postcode = StringField(
        "Postcode",
        validators=[PlainText(), InputRequired(message="Enter the venue's postcode")],
        widget=GovTextInput(),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    access_information = text_box(
        "Access information (optional)",
        4000,
        description="Step-free access, parking, hearing loops, toilets: whatever helps "
        "someone decide whether they can get there and take part.",
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
