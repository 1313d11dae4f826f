"""The charges list's filters, read from the address so a period can be bookmarked, and
the waiving of a charge."""

import re
from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import ValidationError

from app.charges.queries import (
    QUARTER_MONTHS,
    Period,
    date_range,
    financial_quarter,
    financial_year,
    financial_year_label,
    financial_year_of,
    quarter_of,
)
from app.charges.service import WAIVE_REASON_LENGTH
from app.fields import PlainText, text_box
from app.forms import ListChoiceField
from app.models import Agency

WHOLE_YEAR = ""
EVERY_AGENCY = ""
#: How many financial years back the list offers.
YEARS_BACK = 5


def read_day(typed: str) -> date | None:
    """A day as a date input sends it (2026-04-01), or as people type it (1/4/2026)."""
    typed = typed.strip()
    if found := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", typed):
        year, month, day = found.groups()
    elif found := re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", typed):
        day, month, year = found.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def day_field(label: str) -> StringField:
    return StringField(
        label,
        validators=[PlainText()],
        description="For example, 1/4/2026",
        widget=GovTextInput(),
        render_kw={"type": "date"},
    )


class PeriodForm(FlaskForm):
    """A financial year, one of its quarters, or any dates instead, read from the address.
    Shown first, it is this financial year, or its quarter where `opens_on_quarter`."""

    class Meta:
        csrf = False

    opens_on_quarter = True

    year = ListChoiceField(
        "Financial year", choices={}, invalid_message="Choose a financial year from the list"
    )
    quarter = ListChoiceField(
        "Quarter",
        choices={WHOLE_YEAR: "The whole year"}
        | {str(number): f"Quarter {number}: {months}" for number, months in QUARTER_MONTHS.items()},
        invalid_message="Choose a quarter from the list",
    )
    first_day = day_field("From (optional)")
    last_day = day_field("To (optional)")

    def __init__(self, formdata, today: date) -> None:
        super().__init__(formdata)
        self.this_year = financial_year_of(today)
        self.year.choices = {
            str(year): financial_year_label(year)
            for year in range(self.this_year, self.this_year - YEARS_BACK, -1)
        }
        if not self.year.raw_data:
            self.year.data = str(self.this_year)
        if not self.quarter.raw_data:
            first_look = not formdata and self.opens_on_quarter
            self.quarter.data = str(quarter_of(today)) if first_look else WHOLE_YEAR

    def validate_first_day(self, field: StringField) -> None:
        if field.data and field.data.strip() and read_day(field.data) is None:
            raise ValidationError("Enter the first day as a date, like 1/4/2026")

    def validate_last_day(self, field: StringField) -> None:
        if not field.data or not field.data.strip():
            if self.first_day.data and self.first_day.data.strip():
                raise ValidationError("Enter the last day too, or leave both days empty")
            return
        last = read_day(field.data)
        if last is None:
            raise ValidationError("Enter the last day as a date, like 31/3/2027")
        if not (self.first_day.data or "").strip():
            raise ValidationError("Enter the first day too, or leave both days empty")
        first = read_day(self.first_day.data)
        if first is not None and last < first:
            raise ValidationError("The last day must be the same as or after the first")

    def period(self) -> Period:
        """The dates typed, when there are; else the financial year or its quarter. Of a
        form that did not validate, what was valid: dates with an error are left out, a
        wrong year is this one and a wrong quarter the whole year."""
        dates_typed = (self.first_day.data or "").strip()
        if dates_typed and not self.first_day.errors and not self.last_day.errors:
            return date_range(read_day(self.first_day.data), read_day(self.last_day.data))
        year = self.this_year if self.year.errors else int(self.year.data)
        if self.quarter.data and not self.quarter.errors:
            return financial_quarter(year, int(self.quarter.data))
        return financial_year(year)


class FilterForm(PeriodForm):
    agency = ListChoiceField(
        "Agency", choices={}, default=EVERY_AGENCY, invalid_message="Choose an agency from the list"
    )
    apply = SubmitField("Show charges", widget=GovSubmitInput())

    def __init__(self, formdata, agencies: list[Agency], today: date) -> None:
        super().__init__(formdata, today)
        self.agency.choices = {EVERY_AGENCY: "Every agency"} | {
            str(agency.id): agency.name for agency in agencies
        }

    @property
    def agency_id(self) -> int | None:
        return int(self.agency.data) if self.agency.data else None


class WaiveForm(FlaskForm):
    reason = text_box(
        "Why is the charge waived?",
        WAIVE_REASON_LENGTH,
        required="Enter why the charge is waived",
        description="The person and their line manager are emailed this. It is kept with "
        "the charge.",
    )
    submit = SubmitField("Waive the charge", widget=GovSubmitInput())
