"""Forms for booking a place and for a line manager's decision."""

import re
from collections.abc import Iterable, Mapping

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from app.models import CONFIDENCE_LABELS

CONFIDENCE_FIELD = "confidence-{}"
CONFIDENCE_FIELD_NAME = re.compile(r"confidence-([1-9][0-9]{0,9})")


class BookingForm(FlaskForm):
    access_needs = TextAreaField(
        "Access needs or reasonable adjustments (optional)",
        description="For example a hearing loop, step-free access, dietary needs or a "
        "copy of the slides in advance. Only the trainers and the training team see this.",
        validators=[Length(max=2000, message="Access needs must be 2,000 characters or fewer")],
        widget=GovTextArea(),
    )
    submit = SubmitField("Confirm booking", widget=GovSubmitInput())

    def confidence_fields(self) -> list:
        return [field for field in self if CONFIDENCE_FIELD_NAME.fullmatch(field.name)]

    def confidence(self) -> dict[int, int]:
        """The confidence given, by outcome id; outcomes left unanswered are left out."""
        return {
            int(CONFIDENCE_FIELD_NAME.fullmatch(field.name).group(1)): int(field.data)
            for field in self.confidence_fields()
            if field.data
        }


def confidence_field(outcome: str) -> RadioField:
    return RadioField(
        outcome,
        choices={str(value): label for value, label in CONFIDENCE_LABELS.items()},
        validators=[Optional()],
        invalid_choice_message="Choose how confident you are from the list",
        widget=GovRadioInput(),
    )


def booking_form(outcomes: Mapping[int, str]) -> BookingForm:
    """The booking form asking the person's confidence against each outcome (by id)."""
    fields = {
        CONFIDENCE_FIELD.format(outcome_id): confidence_field(text)
        for outcome_id, text in outcomes.items()
    }
    return type("BookingFormWithConfidence", (BookingForm,), fields)()


def outcome_ids_sent(names: Iterable[str]) -> dict[int, str]:
    """The outcomes a sent booking form answered, by id, from its fields' names: enough to
    check the answers before the session (and its course's outcomes) is read."""
    found = (CONFIDENCE_FIELD_NAME.fullmatch(name) for name in names)
    return {int(match.group(1)): "" for match in found if match}


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
