"""A coordinator's decision on a booking, with the reason the person is told."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from app.bookings.service import DECISION_REASON_LENGTH
from app.fields import text_box

APPROVE, DECLINE = "approve", "decline"


class CoordinatorDecisionForm(FlaskForm):
    decision = RadioField(
        "Your decision",
        choices={
            APPROVE: "Approve: the place is theirs",
            DECLINE: "Decline: the place goes to the next person waiting",
        },
        validators=[InputRequired(message="Choose whether to approve or decline the booking")],
        invalid_choice_message="Choose whether to approve or decline the booking",
        widget=GovRadioInput(),
    )
    reason = text_box(
        "Reason",
        DECISION_REASON_LENGTH,
        required="Enter the reason for your decision",
        description="The person is emailed this with your decision. It is kept with the booking.",
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    @property
    def approves(self) -> bool:
        return self.decision.data == APPROVE
