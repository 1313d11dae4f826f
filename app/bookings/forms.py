"""Forms for booking a place, for a line manager's decision, and for answering a place
offered at the last minute."""

from collections.abc import Iterable, Mapping

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from app.confidence.service import field_name, outcome_id_of
from app.fields import PlainText, confidence_question
from app.models import MOST_OUTCOMES


class BookingForm(FlaskForm):
    access_needs = TextAreaField(
        "Access needs or reasonable adjustments (optional)",
        description="For example a hearing loop, step-free access, dietary needs or a "
        "copy of the slides in advance. Only the trainers and the training team see this.",
        validators=[
            PlainText("Access needs", paragraphs=True),
            Length(max=2000, message="Access needs must be 2,000 characters or fewer"),
        ],
        widget=GovTextArea(),
    )
    submit = SubmitField("Confirm booking", widget=GovSubmitInput())

    def confidence_fields(self) -> list:
        return [field for field in self if outcome_id_of(field.name)]

    def confidence(self) -> dict[int, int]:
        """The confidence given, by outcome id; outcomes left unanswered are left out."""
        return {
            outcome_id_of(field.name): int(field.data)
            for field in self.confidence_fields()
            if field.data
        }


def booking_form(outcomes: Mapping[int, str]) -> BookingForm:
    """The booking form asking the person's confidence against each outcome (by id)."""
    fields = {
        field_name(outcome_id): confidence_question(
            text, "Choose how confident you are from the list", required=False
        )
        for outcome_id, text in outcomes.items()
    }
    return type("BookingFormWithConfidence", (BookingForm,), fields)()


def outcome_ids_sent(names: Iterable[str]) -> dict[int, str]:
    """The outcomes a sent booking form answered, by id, from its fields' names: enough to
    check the answers before the session (and its course's outcomes) is read."""
    found = [outcome_id for outcome_id in map(outcome_id_of, names) if outcome_id]
    return dict.fromkeys(found[:MOST_OUTCOMES], "")


class CancelForm(FlaskForm):
    submit = SubmitField("Cancel this booking", widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    comment = TextAreaField(
        "Comment (optional)",
        description="Sent to the person with your decision.",
        validators=[
            PlainText(paragraphs=True),
            Length(max=2000, message="Comment must be 2,000 characters or fewer"),
        ],
        widget=GovTextArea(),
    )
    approve = SubmitField("Approve", widget=GovSubmitInput())
    decline = SubmitField("Decline", widget=GovSubmitInput())


class AcceptOfferForm(FlaskForm):
    submit = SubmitField("Accept the place", widget=GovSubmitInput())


class DeclineOfferForm(FlaskForm):
    submit = SubmitField("Decline", widget=GovSubmitInput())
