"""What all the app's forms share."""

from flask import render_template
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField
from wtforms.validators import ValidationError


def show_refusal(form: FlaskForm, refusal: Exception, at: str = "submit") -> None:
    """Show a service's refusal as if a validator had found it, so the GOV.UK error summary
    lists it too: beside each field it names (its `problems`, or its `field`), and beside
    the field `at` (by default, the button) when it names none of the form's.

    A form whose fields are named otherwise than the service's words says which is which
    in its `refusal_fields`."""
    problems = getattr(refusal, "problems", None) or {getattr(refusal, "field", None): str(refusal)}
    renamed = getattr(form, "refusal_fields", {})
    for field, message in problems.items():
        field = renamed.get(field, field)
        name = field if field and field in form else at
        form[name].errors = [*form[name].errors, message]


def page_status(form: FlaskForm) -> int:
    """A form page answers 200 when first shown, 400 when shown again with its errors."""
    return 400 if form.is_submitted() else 200


def form_page(template: str, form: FlaskForm, **context) -> tuple[str, int]:
    """The page of a form, first shown or shown again with its errors (see page_status)."""
    return render_template(template, form=form, **context), page_status(form)


class ListChoiceField(SelectField):
    """A select whose wrong values (say, from an edited URL) get a message a person understands."""

    def __init__(self, *args, invalid_message: str, **kwargs) -> None:
        super().__init__(*args, widget=GovSelect(), **kwargs)
        self.invalid_message = invalid_message

    def pre_validate(self, form) -> None:
        if self.data not in self.choices:
            raise ValidationError(self.invalid_message)
