"""Forms for booking a place and for a line manager's decision."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length


class BookingForm(FlaskForm):
    access_needs = TextAreaField(
        "Access needs or reasonable adjustments (optional)",
        description="For example a hearing loop, step-free access, dietary needs or a "
        "copy of the slides in advance. Only the trainers and the training team see this.",
        validators=[Length(max=2000, message="Access needs must be 2,000 characters or fewer")],
        widget=GovTextArea(),
    )
    submit = SubmitField("Confirm booking", widget=GovSubmitInput())


class CancelForm(FlaskForm):
    submit = SubmitField("Cancel this booking", widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    comment = TextAreaField(
        "Comment (optional)",
        description="Sent to the person with your decision.",
        validators=[Length(max=2000, message="Comment must be 2,000 characters or fewer")],
        widget=GovTextArea(),
    )
    approve = SubmitField("Approve", widget=GovSubmitInput())
    decline = SubmitField("Decline", widget=GovSubmitInput())
