"""Why the coordinator's area refused a change, in words for the person, and where to show it.

Services raise a `Refusal` (knowing nothing of forms or HTTP); routes show it beside the
field it concerns, as if a validator had found it, so the GOV.UK error summary lists it too.
"""

from flask_wtf import FlaskForm


class Refusal(Exception):
    """A rule was broken and nothing was changed; `field` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def show_refusal(form: FlaskForm, refusal: Refusal, at: str = "submit") -> None:
    """Beside the field it names, or else beside the field `at` (by default, the button)."""
    name = refusal.field if refusal.field and refusal.field in form else at
    form[name].errors = [*form[name].errors, str(refusal)]
