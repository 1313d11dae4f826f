"""What all the app's forms share."""

from flask_wtf import FlaskForm


def page_status(form: FlaskForm) -> int:
    """A form page answers 200 when first shown, 400 when shown again with its errors."""
    return 400 if form.is_submitted() else 200
