"""The prospectus form, labelled in plain words, with GOV.UK widgets."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from app.admin.prospectuses.service import (
    FIRST_YEAR,
    LAST_POSITION,
    LAST_YEAR,
    SLUG_LENGTH,
    ProspectusDetails,
)
from app.fields import WholeNumberField, text_box, text_line


class ProspectusForm(FlaskForm):
    title = text_line(
        "Title",
        200,
        required="Enter the prospectus's title",
        description="For example, Early Help learning and development prospectus.",
    )
    slug = text_line(
        "Web address (optional)",
        SLUG_LENGTH,
        description="The end of its address, as in /prospectuses/early-help. Left blank, it "
        "is made from the title. Changing it breaks links people have saved.",
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
    introduction = text_box(
        "Introduction (optional)",
        5000,
        description="Shown above its courses and on the cover of the PDF. Leave a blank line "
        "between paragraphs.",
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
