"""Forms of the account pages, labelled in plain words, with GOV.UK widgets."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from app.accounts.passwords import password_problem
from app.accounts.roles import PLAIN_EMAIL_MESSAGE
from app.accounts.service import Details, manager_address_problem
from app.fields import PlainText, strip

NOT_LISTED = "not-listed"


def plain_email(form, field) -> None:
    if field.data and not field.data.isascii():
        raise ValidationError(PLAIN_EMAIL_MESSAGE)


def email_field(label: str, required: bool = True, description: str = "") -> EmailField:
    presence = InputRequired(message=f"Enter {label.lower()}") if required else Optional()
    return EmailField(
        label,
        description=description,
        filters=[strip],
        validators=[
            PlainText(),
            presence,
            Length(max=254, message="Email address must be 254 characters or fewer"),
            plain_email,
            Email(
                message="Enter an email address in the correct format, like name@example.org",
                check_deliverability=False,
            ),
        ],
        widget=GovTextInput(),
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


class NewPassword:
    """Checks a new password against the rules, so its error shows at the field."""

    def __call__(self, form, field) -> None:
        email = form.email.data if hasattr(form, "email") else ""
        if field.data and (problem := password_problem(field.data, email or "")):
            raise ValidationError(problem)


def new_password_field() -> PasswordField:
    return PasswordField(
        "Create a password",
        description="At least 10 characters. A few unrelated words make a strong password.",
        validators=[InputRequired(message="Enter a password"), NewPassword()],
        widget=GovPasswordInput(),
        render_kw={"autocomplete": "new-password"},
    )


class DetailsForm(FlaskForm):
    name = StringField(
        "Full name",
        validators=[
            PlainText(),
            InputRequired(message="Enter your full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
        render_kw={"autocomplete": "name", "spellcheck": "false"},
    )
    email = email_field(
        "Work email address", description="We send your booking confirmations here."
    )
    agency = SelectField(
        "Agency",
        description="The organisation you work for.",
        validators=[InputRequired(message="Choose your agency")],
        widget=GovSelect(),
    )
    # No Optional(): it would stop the check that a name is given when one is needed.
    new_agency_name = StringField(
        "If your agency is not listed, its name",
        validators=[
            PlainText("Agency name"),
            Length(max=200, message="Agency name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
        render_kw={"autocomplete": "organization"},
    )
    job_title = StringField(
        "Job title",
        validators=[
            PlainText(),
            InputRequired(message="Enter your job title"),
            Length(max=200, message="Job title must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
        render_kw={"autocomplete": "organization-title"},
    )
    line_manager_name = StringField(
        "Line manager's name (optional)",
        validators=[
            PlainText(),
            Optional(),
            Length(max=200, message="Line manager's name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    line_manager_email = email_field(
        "Line manager's email address (optional)",
        required=False,
        description="Some courses ask your line manager to approve your place.",
    )

    def __init__(self, agencies, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.agency.choices = (
            {"": "Choose your agency"}
            | {str(agency.id): agency.name for agency in agencies}
            | {NOT_LISTED: "My agency is not listed"}
        )

    def validate_agency(self, field) -> None:
        if field.data not in self.agency.choices or not field.data:
            raise ValidationError("Choose your agency")

    def validate_line_manager_email(self, field) -> None:
        if problem := manager_address_problem(field.data, self.email.data or ""):
            raise ValidationError(problem)

    def validate_new_agency_name(self, field) -> None:
        if self.agency.data == NOT_LISTED and not (field.data or "").strip():
            raise ValidationError("Enter the name of your agency")

    def details(self) -> Details:
        return Details(
            name=self.name.data,
            email=self.email.data,
            job_title=self.job_title.data,
            agency_id=None if self.agency.data == NOT_LISTED else int(self.agency.data),
            new_agency_name=self.new_agency_name.data or "",
            line_manager_name=self.line_manager_name.data or "",
            line_manager_email=self.line_manager_email.data or "",
        )


class RegisterForm(DetailsForm):
    password = new_password_field()
    submit = SubmitField("Create account", widget=GovSubmitInput())


class ProfileForm(DetailsForm):
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class SignInForm(FlaskForm):
    email = email_field("Email address")
    password = PasswordField(
        "Password",
        validators=[InputRequired(message="Enter your password")],
        widget=GovPasswordInput(),
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ResetRequestForm(FlaskForm):
    email = email_field("Email address")
    submit = SubmitField("Send a reset link", widget=GovSubmitInput())


class ChoosePasswordForm(FlaskForm):
    password = new_password_field()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button and its CSRF token, for actions with nothing to fill in."""

    submit = SubmitField("Continue", widget=GovSubmitInput())
