"""A coordinator's decision on training done elsewhere, with the reason the person is told."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from app.external_training.service import REASON_LENGTH
from app.fields import text_box

ACCEPT, REJECT = "accept", "reject"
CHOOSE = "Choose whether to accept the training"


class ExternalTrainingDecisionForm(FlaskForm):
    decision = RadioField(
        "Your decision",
        choices={
            ACCEPT: "Accept: it counts on their training record",
            REJECT: "Do not accept it",
        },
        validators=[InputRequired(message=CHOOSE)],
        invalid_choice_message=CHOOSE,
        widget=GovRadioInput(),
    )
    reason = text_box(
        "Reason",
        REASON_LENGTH,
        description="Needed if you do not accept it; optional if you do. The person is "
        "emailed it with your decision.",
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    @property
    def accepts(self) -> bool:
        return self.decision.data == ACCEPT
