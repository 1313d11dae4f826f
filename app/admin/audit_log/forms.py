"""The audit log's filters, read from the address so a filtered log can be bookmarked."""

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import Optional, ValidationError

from app.audit import RECORD_TYPES
from app.fields import PlainText
from app.forms import ListChoiceField
from app.ids import read_id
from app.models import User

ANYONE = ""


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = ListChoiceField(
        "Changed by",
        choices={ANYONE: "Anyone"},
        default=ANYONE,
        invalid_message="Choose a person from the list",
    )
    record_type = ListChoiceField(
        "Kind of record",
        choices={"": "Any kind"} | {name: name.capitalize() for name in RECORD_TYPES},
        default="",
        invalid_message="Choose a kind of record from the list",
    )
    record_id = StringField(
        "Record number",
        filters=[lambda value: value.strip() if value else value],
        validators=[PlainText(), Optional()],
        widget=GovTextInput(),
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    apply = SubmitField("Filter", widget=GovSubmitInput())

    def validate_record_id(self, field: StringField) -> None:
        if read_id(field.data) is None:
            if not re.fullmatch(r"[0-9]+", field.data):
                raise ValidationError("Record number must be a whole number, like 12")
            raise ValidationError("No record has that number")

    @property
    def chosen_record_id(self) -> int | None:
        return read_id(self.record_id.data)

    def offer_people(self, people: list[User]) -> None:
        self.actor.choices = {ANYONE: "Anyone"} | {
            str(person.id): f"{person.name} ({person.email})" for person in people
        }
