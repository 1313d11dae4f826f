"""The prospectus form, labelled in plain words, with GOV.UK widgets."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.admin.prospectuses.service import (
    FIRST_YEAR,
    LAST_POSITION,
    LAST_YEAR,
    SLUG_LENGTH,
    ProspectusDetails,
)
from app.fields import WholeNumberField, strip


class ProspectusForm(FlaskForm):
    title = StringField(
        "Title",
        description="For example, Early Help learning and development prospectus.",
        filters=[strip],
        validators=[
            InputRequired(message="Enter the prospectus's title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    slug = StringField(
        "Web address (optional)",
        description="The end of its address, as in /prospectuses/early-help. Left blank, it "
        "is made from the title. Changing it breaks links people have saved.",
        filters=[strip],
        validators=[
            Length(
                max=SLUG_LENGTH, message=f"Web address must be {SLUG_LENGTH} characters or fewer"
            )
        ],
        widget=GovTextInput(),
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    year = WholeNumberField(
        "Year",
        what="year",
        minimum=FIRST_YEAR,
        maximum=LAST_YEAR,
        example=2026,
        description="For example, 2026.",
    )
    introduction = TextAreaField(
        "Introduction (optional)",
        description="Shown above its courses and on the cover of the PDF. Leave a blank line "
        "between paragraphs.",
        validators=[Length(max=5000, message="Introduction must be 5,000 characters or fewer")],
        widget=GovTextArea(),
    )
    position = WholeNumberField(
        "Position in the list of prospectuses",
        what="position",
        minimum=0,
        maximum=LAST_POSITION,
        example=1,
        description="Lower numbers come first.",
        default=0,
    )
    submit = SubmitField("Save prospectus", widget=GovSubmitInput())

    def details(self) -> ProspectusDetails:
        return ProspectusDetails(
            title=self.title.data or "",
            slug=self.slug.data or "",
            year=self.year.data,
            introduction=self.introduction.data or "",
            position=self.position.data,
        )
