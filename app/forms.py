"""What all the app's forms share."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField
from wtforms.validators import ValidationError


def page_status(form: FlaskForm) -> int:
    """A form page answers 200 when first shown, 400 when shown again with its errors."""
    return 400 if form.is_submitted() else 200


class ListChoiceField(SelectField):
    """A select whose wrong values (say, from an edited URL) get a message a person understands."""

    def __init__(self, *args, invalid_message: str, **kwargs) -> None:
        super().__init__(*args, widget=GovSelect(), **kwargs)
        self.invalid_message = invalid_message

    def pre_validate(self, form) -> None:
        if self.data not in self.choices:
            raise ValidationError(self.invalid_message)
