"""The form that gives a place to a colleague, and the buttons that claim or withdraw it."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from app.accounts.forms import email_field


class GiveForm(FlaskForm):
    email = email_field(
        "Your colleague's work email address",
        description="They must work for the same agency as you. If they have an account, "
        "the place is theirs at once; if not, we email them a link to register and claim "
        "it within 48 hours.",
    )
    submit = SubmitField("Give the place", widget=GovSubmitInput())


class ClaimForm(FlaskForm):
    submit = SubmitField("Take this place", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    submit = SubmitField("Withdraw the offer", widget=GovSubmitInput())
