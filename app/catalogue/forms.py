"""The prospectus filter form: read from the query string, so a filtered list has a URL."""

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovTextInput
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional, Regexp

from app.catalogue.queries import CourseFilters
from app.fields import PlainText
from app.forms import ListChoiceField
from app.models import DELIVERY_LABELS, LEVELS, SECTOR_LABELS, Delivery, Sector

MONTHS_AHEAD = 12


def month_choices(today: date, months: int = MONTHS_AHEAD) -> dict[str, str]:
    choices = {"": "Any month"}
    year, month = today.year, today.month
    for _ in range(months):
        first = date(year, month, 1)
        choices[first.strftime("%Y-%m")] = first.strftime("%B %Y")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return choices


class CourseFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a search: it changes nothing, and its URL must be shareable

    q = StringField(
        "Search courses",
        validators=[
            PlainText("Search"),
            Optional(),
            Length(max=100, message="Search for 100 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    level = ListChoiceField(
        "Level",
        choices={"": "Any level"} | {str(level): f"Level {level}" for level in LEVELS},
        invalid_message="Choose a level from the list",
        default="",
    )
    sector = ListChoiceField(
        "Audience",
        choices={"": "Anyone"} | {sector.value: label for sector, label in SECTOR_LABELS.items()},
        invalid_message="Choose an audience from the list",
        default="",
    )
    delivery = ListChoiceField(
        "How it is delivered",
        choices={"": "Any way"}
        | {delivery.value: label for delivery, label in DELIVERY_LABELS.items()},
        invalid_message="Choose a way of delivery from the list",
        default="",
    )
    month = ListChoiceField(
        "Month", choices={}, invalid_message="Choose a month from the list", default=""
    )
    places = BooleanField("Only courses with places left", widget=GovCheckboxInput())
    page = StringField(
        "Page",
        validators=[
            PlainText(),
            Optional(),
            Regexp(r"^[1-9][0-9]{0,5}$", message="Choose a page from the list"),
        ],
    )

    def __init__(self, formdata, today: date) -> None:
        super().__init__(formdata)
        self.month.choices = month_choices(today)

    def valid_filters(self) -> CourseFilters:
        """The filters as typed, leaving out any that failed validation."""
        return CourseFilters(
            text=self.value_of(self.q) or "",
            level=int(value) if (value := self.value_of(self.level)) else None,
            sector=Sector(value) if (value := self.value_of(self.sector)) else None,
            delivery=Delivery(value) if (value := self.value_of(self.delivery)) else None,
            month=date.fromisoformat(f"{value}-01")
            if (value := self.value_of(self.month))
            else None,
            places_left=bool(self.places.data),
        )

    def page_number(self) -> int:
        return int(self.value_of(self.page) or 1)

    @staticmethod
    def value_of(field):
        return None if field.errors else field.data

    def query_args(self) -> dict[str, str]:
        """The filters that are set, as query-string arguments for links to other pages."""
        args = {
            name: self[name].data
            for name in ("q", "level", "sector", "delivery", "month")
            if self[name].data and not self[name].errors
        }
        if self.places.data:
            args["places"] = "y"
        return args


class InterestForm(FlaskForm):
    """The button that joins or leaves a course's interest list: its CSRF token alone."""
