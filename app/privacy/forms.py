"""Forms for erasing an account and editing the site's pages."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput
from wtforms import PasswordField, SubmitField
from wtforms.validators import InputRequired

from app.fields import text_box
from app.privacy.pages import PAGE_LENGTH


class EraseAccountForm(FlaskForm):
    password = PasswordField(
        "Your password",
        description="To be sure it is you, enter the password you sign in with.",
        validators=[InputRequired(message="Enter your password")],
        widget=GovPasswordInput(),
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Erase my account", widget=GovSubmitInput())


class SitePageForm(FlaskForm):
    body = text_box(
        "Text of the page",
        PAGE_LENGTH,
        required="Enter the text of the page",
        description="In Markdown: ## for a heading, - for a list item, [words](address) "
        "for a link.",
    )
    submit = SubmitField("Save page", widget=GovSubmitInput())
