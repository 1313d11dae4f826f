"""The report's filters, read from the address so a report can be bookmarked and shared."""

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from app.admin.charges.forms import PeriodForm
from app.forms import ListChoiceField
from app.models import SECTOR_LABELS, Agency, Course, Prospectus, Sector
from app.reports.queries import ReportFilters

EVERY = ""


class ReportForm(PeriodForm):
    opens_on_quarter = False

    prospectus = ListChoiceField(
        "Prospectus", choices={}, default=EVERY, invalid_message="Choose a prospectus from the list"
    )
    course = ListChoiceField(
        "Course", choices={}, default=EVERY, invalid_message="Choose a course from the list"
    )
    sector = ListChoiceField(
        "Sector of the people counted",
        choices={EVERY: "Every sector"}
        | {sector.value: label for sector, label in SECTOR_LABELS.items()},
        default=EVERY,
        invalid_message="Choose a sector from the list",
    )
    agency = ListChoiceField(
        "Agency of the people counted",
        choices={},
        default=EVERY,
        invalid_message="Choose an agency from the list",
    )
    apply = SubmitField("Show the report", widget=GovSubmitInput())

    def __init__(
        self,
        formdata,
        today: date,
        prospectuses: list[Prospectus],
        courses: list[Course],
        agencies: list[Agency],
    ) -> None:
        super().__init__(formdata, today)
        self.prospectus.choices = {EVERY: "Every prospectus"} | {
            str(prospectus.id): prospectus.title for prospectus in prospectuses
        }
        self.course.choices = {EVERY: "Every course"} | {
            str(course.id): course.title for course in courses
        }
        self.agency.choices = {EVERY: "Every agency"} | {
            str(agency.id): agency.name for agency in agencies
        }

    def valid(self, field) -> str:
        """The field's value, or nothing (every one) when it is not one of its choices."""
        return EVERY if field.errors else (field.data or EVERY)

    def filters(self) -> ReportFilters:
        """The filters as chosen, leaving out any that failed validation."""
        prospectus, course = self.valid(self.prospectus), self.valid(self.course)
        sector, agency = self.valid(self.sector), self.valid(self.agency)
        return ReportFilters(
            period=self.period(),
            prospectus_id=int(prospectus) if prospectus else None,
            course_id=int(course) if course else None,
            sector=Sector(sector) if sector else None,
            agency_id=int(agency) if agency else None,
        )

    def query_args(self) -> dict[str, str]:
        """The valid filters that are set, for the downloads' addresses."""
        filters = self.filters()
        period = filters.period
        args = {}
        if (self.first_day.data or "").strip() and not (
            self.first_day.errors or self.last_day.errors
        ):
            args["first_day"] = period.first_day.isoformat()
            args["last_day"] = period.last_day.isoformat()
        else:
            args["year"] = self.year.data if not self.year.errors else str(self.this_year)
            if self.quarter.data and not self.quarter.errors:
                args["quarter"] = self.quarter.data
        for name in ("prospectus", "course", "sector", "agency"):
            if value := self.valid(self[name]):
                args[name] = value
        return args

    def described(self) -> list[tuple[str, str]]:
        """What the report counts, in words: the period, then each filter as applied."""
        described = [("Period", self.filters().period.label)]
        for name in ("prospectus", "course", "sector", "agency"):
            field = self[name]
            described.append((str(field.label.text), field.choices[self.valid(field)]))
        return described
