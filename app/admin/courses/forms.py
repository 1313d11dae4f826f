"""The course form, labelled in plain words, with GOV.UK widgets."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import BooleanField, RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired

from app.admin.courses.service import (
    MOST_CHARGE_PENCE,
    SLUG_LENGTH,
    CourseDetails,
    cpd_hours_refusal,
)
from app.fields import (
    ChecklistField,
    HoursField,
    MoneyField,
    WholeNumberField,
    text_box,
    text_line,
)
from app.models import (
    DELIVERY_LABELS,
    LEVELS,
    OUTCOME_LENGTH,
    REFRESH_YEARS_LEAST,
    REFRESH_YEARS_MOST,
    SECTOR_LABELS,
    Course,
    Delivery,
    Prospectus,
    Sector,
)

NO_SPELLCHECK = {"spellcheck": "false", "autocomplete": "off"}


class CourseForm(FlaskForm):
    prospectus = SelectField(
        "Prospectus",
        validators=[InputRequired(message="Choose the prospectus the course is in")],
        invalid_choice_message="Choose a prospectus from the list",
        widget=GovSelect(),
    )
    title = text_line(
        "Title",
        200,
        required="Enter the course's title",
        description="For example, Understanding neglect.",
    )
    slug = text_line(
        "Web address (optional)",
        SLUG_LENGTH,
        description="The end of its address, as in /courses/understanding-neglect. Left "
        "blank, it is made from the title. Changing it breaks links people have saved.",
    )
    summary = text_box(
        "Summary",
        1000,
        required="Enter a summary of the course",
        description="One or two sentences, shown in the list of courses.",
    )
    description = text_box(
        "Description",
        20000,
        required="Enter a description of the course",
        description="What the course covers. You can use Markdown: a blank line between "
        "paragraphs, ## before a heading, * before each item of a list, and "
        "[words](https://example.org) for a link.",
    )
    audience = text_box(
        "Who it is for",
        2000,
        required="Enter who the course is for",
        description="For example, anyone who works with children, young people or families.",
    )
    sectors = ChecklistField(
        "Sectors it is for (optional)",
        what="sectors",
        coerce=Sector,
        choices={sector.value: label for sector, label in SECTOR_LABELS.items()},
        description="People can narrow the prospectus to courses for their sector.",
    )
    level = RadioField(
        "Level",
        choices={str(level): f"Level {level}" for level in LEVELS},
        invalid_choice_message="Choose the course's level",
        widget=GovRadioInput(),
    )
    duration = text_line(
        "Duration (optional)", 100, description="For example, Half day (9:30am to 12:30pm)."
    )
    cpd_hours = HoursField(
        "CPD hours",
        what="CPD hours",
        check=cpd_hours_refusal,
        description="What attending counts for in continuing professional development, in "
        "whole or half hours: for example, 3 for a half day or 6 for a full day. "
        "Certificates show it.",
    )
    refresh_years = WholeNumberField(
        "Refresh every N years (optional)",
        what="number of years between refreshers",
        minimum=REFRESH_YEARS_LEAST,
        maximum=REFRESH_YEARS_MOST,
        example=3,
        required=False,
        description="For training people must attend again, such as every 3 years. Their "
        "training record shows when the refresher is due, and they are emailed 8 weeks "
        "before. Leave it empty for a course attended once.",
    )
    non_attendance_charge = MoneyField(
        "Charge for not attending (optional)",
        what="charge for not attending",
        most=MOST_CHARGE_PENCE,
        required=False,
        description="What a chargeable agency pays when someone does not attend, in pounds. "
        "Leave it empty for the partnership's usual charge, or enter 0 to charge nothing.",
    )
    late_cancellation_charge = MoneyField(
        "Charge for a late cancellation (optional)",
        what="charge for a late cancellation",
        most=MOST_CHARGE_PENCE,
        required=False,
        description="What a chargeable agency pays when someone cancels after the cut-off, "
        "in pounds. Leave it empty for the partnership's usual charge, or enter 0 to charge "
        "nothing.",
    )
    delivery = RadioField(
        "How it is delivered",
        choices={delivery.value: label for delivery, label in DELIVERY_LABELS.items()},
        invalid_choice_message="Choose how the course is delivered",
        widget=GovRadioInput(),
    )
    external_url = text_line(
        "E-learning web address (only for e-learning hosted elsewhere)",
        500,
        description="Where people start the e-learning, beginning https://.",
        render_kw=NO_SPELLCHECK,
    )
    charges_policy = text_box(
        "Charges (optional)",
        2000,
        description="For example, free to partner agencies; a charge for not attending "
        "without telling us.",
    )
    what_to_bring = text_box(
        "What to bring (optional)",
        2000,
        description="Included in calendar invites.",
    )
    pre_course_reading = text_box(
        "Pre-course reading (optional)",
        5000,
        description="What to read before the session, sent with the reminder a few days "
        "before. You can use Markdown, as in the description.",
    )
    requires_approval = BooleanField(
        "Each place needs the approval of the person's line manager",
        description="Their manager is emailed a link to approve or decline, and the place is "
        "held until they answer.",
        widget=GovCheckboxInput(),
    )
    certificate_after_evaluation = BooleanField(
        "Certificates only once the evaluation is done",
        description="People who attended can download their certificate after they have "
        "sent their evaluation of the course.",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save course", widget=GovSubmitInput())

    def __init__(self, *args, prospectuses: list[Prospectus], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.prospectus.choices = {"": "Choose a prospectus"} | {
            str(prospectus.id): f"{prospectus.title} {prospectus.year}"
            for prospectus in prospectuses
        }

    @staticmethod
    def data_of(course: Course) -> dict:
        return {
            "prospectus": str(course.prospectus_id),
            "title": course.title,
            "slug": course.slug,
            "summary": course.summary,
            "description": course.description,
            "audience": course.audience,
            "sectors": course.sectors,
            "level": str(course.level),
            "duration": course.duration,
            "cpd_hours": course.cpd_hours,
            "refresh_years": course.refresh_years,
            "non_attendance_charge": course.non_attendance_charge_pence,
            "late_cancellation_charge": course.late_cancellation_charge_pence,
            "delivery": course.delivery.value,
            "external_url": course.external_url or "",
            "charges_policy": course.charges_policy,
            "what_to_bring": course.what_to_bring,
            "pre_course_reading": course.pre_course_reading,
            "requires_approval": course.requires_approval,
            "certificate_after_evaluation": course.certificate_after_evaluation,
        }

    def details(self) -> CourseDetails:
        return CourseDetails(
            prospectus_id=int(self.prospectus.data),
            title=self.title.data or "",
            slug=self.slug.data or "",
            summary=self.summary.data or "",
            description=self.description.data or "",
            audience=self.audience.data or "",
            sectors=tuple(self.sectors.data or ()),
            level=int(self.level.data),
            duration=self.duration.data or "",
            cpd_hours=self.cpd_hours.data,
            refresh_years=self.refresh_years.data,
            delivery=Delivery(self.delivery.data),
            charges_policy=self.charges_policy.data or "",
            what_to_bring=self.what_to_bring.data or "",
            external_url=self.external_url.data or "",
            pre_course_reading=self.pre_course_reading.data or "",
            requires_approval=bool(self.requires_approval.data),
            certificate_after_evaluation=bool(self.certificate_after_evaluation.data),
            non_attendance_charge_pence=self.non_attendance_charge.data,
            late_cancellation_charge_pence=self.late_cancellation_charge.data,
        )


class OutcomeForm(FlaskForm):
    text = text_line(
        "Learning outcome",
        OUTCOME_LENGTH,
        required="Enter the learning outcome",
        description="Finishing the sentence \u201cBy the end of the course you will be able "
        "to\u2026\u201d, for example: recognise the signs of neglect.",
    )
    submit = SubmitField("Save outcome", widget=GovSubmitInput())


class NewOutcomeForm(OutcomeForm):
    submit = SubmitField("Add outcome", widget=GovSubmitInput())
