"""The report's tables: one definition of each, which the page shows, the CSV files hold
and the workbook's sheets hold, so the three always say the same."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from app.display import pounds, short_date
from app.models import SECTOR_LABELS, Sector
from app.reports.figures import Activity, Confidence, Mean, Rate
from app.reports.queries import AgencyName, Report, ReviewReach, answers_in_words

NO_AGENCY = "No agency recorded"
#: Shown in a finding's row when no course (of those chosen) addresses it.
NOT_ADDRESSED = "No course addresses it"


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    PERCENT = "percent"
    MEAN = "mean"
    CHANGE = "change"
    MONEY = "money"


#: What a file's heading adds to say the unit of a column of numbers.
UNITS = {Kind.PERCENT: " (%)", Kind.MONEY: " (£)"}


@dataclass(frozen=True)
class Column:
    heading: str
    kind: Kind = Kind.COUNT

    @property
    def numeric(self) -> bool:
        return self.kind is not Kind.TEXT

    @property
    def file_heading(self) -> str:
        return self.heading + UNITS.get(self.kind, "")


#: A cell: text, a count, a percentage or mean to one place (None: nothing to count), or
#: an amount in pence.
Cell = str | int | Decimal | None


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    #: Says why the row stands out (a finding no course addresses), for people and files.
    stands_out: str = ""


@dataclass(frozen=True)
class Table:
    #: The file's name, without .csv: activity-by-course.
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[Row]
    total: Row | None = None

    @property
    def every_row(self) -> list[Row]:
        return [*self.rows, *([self.total] if self.total else [])]


def page_text(column: Column, cell: Cell) -> str:
    """A cell as the page shows it (nothing to count is the template's to show)."""
    if column.kind is Kind.COUNT and isinstance(cell, int):
        return f"{cell:,}"
    if column.kind is Kind.PERCENT:
        return f"{cell}%"
    if column.kind is Kind.MONEY:
        return pounds(cell)
    if column.kind is Kind.CHANGE and cell > 0:
        return f"+{cell}"
    return str(cell)


def text(heading: str) -> Column:
    return Column(heading, Kind.TEXT)


# Activity -----------------------------------------------------------------------------------

SESSION_COLUMNS = (
    Column("Sessions run"),
    Column("Places offered"),
    Column("Places booked"),
    Column("Fill rate", Kind.PERCENT),
)
PEOPLE_COLUMNS = (
    Column("Attended"),
    Column("Walked in"),
    Column("Left early"),
    Column("Did not attend"),
    Column("Not marked"),
    Column("Cancelled late"),
    Column("Attendance rate", Kind.PERCENT),
)


def session_cells(figures: Activity) -> tuple[Cell, ...]:
    return (figures.sessions, figures.places, figures.booked, figures.fill_rate.percent)


def people_cells(figures: Activity) -> tuple[Cell, ...]:
    return (
        figures.attended,
        figures.walked_in,
        figures.left_early,
        figures.did_not_attend,
        figures.not_marked,
        figures.cancelled_late,
        figures.attendance_rate.percent,
    )


def activity_by_course(report: Report) -> Table:
    activity = report.activity
    return Table(
        "activity-by-course",
        "Activity by course",
        (text("Course"), text("Prospectus"), *SESSION_COLUMNS, *PEOPLE_COLUMNS),
        [
            Row(
                (
                    report.courses[course_id].title,
                    report.courses[course_id].prospectus_title,
                    *session_cells(figures),
                    *people_cells(figures),
                )
            )
            for course_id, figures in activity.by_course.items()
        ],
        Row(("All courses", "", *session_cells(activity.total), *people_cells(activity.total))),
    )


def activity_by_prospectus(report: Report) -> Table:
    activity = report.activity
    return Table(
        "activity-by-prospectus",
        "Activity by prospectus",
        (text("Prospectus"), *SESSION_COLUMNS, *PEOPLE_COLUMNS),
        [
            Row((report.prospectuses[key], *session_cells(figures), *people_cells(figures)))
            for key, figures in activity.by_prospectus.items()
        ],
        Row(("All prospectuses", *session_cells(activity.total), *people_cells(activity.total))),
    )


def booked_cells(figures: Activity) -> tuple[Cell, ...]:
    return (figures.booked, *people_cells(figures))


def agency_of(report: Report, agency_id: int | None) -> AgencyName | None:
    return report.agencies.get(agency_id) if agency_id is not None else None


def agency_cells(report: Report, agency_id: int | None) -> tuple[str, str]:
    agency = agency_of(report, agency_id)
    if agency is None:
        return NO_AGENCY, Sector.OTHER.label
    return agency.name, agency.sector.label


def activity_by_agency(report: Report) -> Table:
    activity = report.activity
    return Table(
        "activity-by-agency",
        "Activity by agency",
        (text("Agency"), text("Sector"), Column("Places booked"), *PEOPLE_COLUMNS),
        [
            Row((*agency_cells(report, agency_id), *booked_cells(figures)))
            for agency_id, figures in activity.by_agency.items()
        ],
        Row(("All agencies", "", *booked_cells(activity.total))),
    )


def activity_by_sector(report: Report) -> Table:
    activity = report.activity
    return Table(
        "activity-by-sector",
        "Activity by sector",
        (text("Sector"), Column("Places booked"), *PEOPLE_COLUMNS),
        [
            Row((SECTOR_LABELS[sector], *booked_cells(figures)))
            for sector, figures in activity.by_sector.items()
        ],
        Row(("All sectors", *booked_cells(activity.total))),
    )


# Reach --------------------------------------------------------------------------------------


def agencies_counted(report: Report) -> list[AgencyName]:
    """The agencies the filters choose, by name."""
    filters = report.filters
    return [
        agency
        for agency in report.agencies.values()
        if (filters.sector is None or agency.sector is filters.sector)
        and (filters.agency_id is None or agency.id == filters.agency_id)
    ]


def reach_by_agency(report: Report) -> Table:
    """Agencies whose people were trained, and those with a headcount though none were."""
    trained = report.reach.by_agency
    rows = []
    headcount = 0
    for agency in agencies_counted(report):
        people = trained.get(agency.id, 0)
        if not people and agency.headcount is None:
            continue
        headcount += agency.headcount or 0
        coverage = Rate(people, agency.headcount or 0).percent
        rows.append(Row((agency.name, agency.sector.label, people, agency.headcount, coverage)))
    if None in trained:
        rows.append(Row((NO_AGENCY, Sector.OTHER.label, trained[None], None, None)))
    return Table(
        "reach-by-agency",
        "Professionals trained by agency",
        (
            text("Agency"),
            text("Sector"),
            Column("Professionals trained"),
            Column("Headcount"),
            Column("Coverage", Kind.PERCENT),
        ),
        rows,
        Row(
            (
                "All agencies",
                "",
                report.reach.total,
                headcount or None,
                Rate(report.reach.total_counted, headcount).percent,
            )
        ),
    )


def reach_by_sector(report: Report) -> Table:
    reach = report.reach
    headcounts: dict[Sector, int] = {}
    for agency in agencies_counted(report):
        if agency.headcount is not None:
            headcounts[agency.sector] = headcounts.get(agency.sector, 0) + agency.headcount
    total_headcount = sum(headcounts.values())
    rows = []
    for sector in Sector:
        people, headcount = reach.by_sector.get(sector, 0), headcounts.get(sector)
        if not people and headcount is None:
            continue
        counted = reach.by_sector_counted.get(sector, 0)
        rows.append(
            Row(
                (
                    sector.label,
                    people,
                    headcount,
                    counted if headcount else None,
                    Rate(counted, headcount or 0).percent,
                )
            )
        )
    return Table(
        "reach-by-sector",
        "Professionals trained by sector",
        (
            text("Sector"),
            Column("Professionals trained"),
            Column("Headcount of agencies that gave one"),
            Column("Trained from those agencies"),
            Column("Coverage", Kind.PERCENT),
        ),
        rows,
        Row(
            (
                "All sectors",
                reach.total,
                total_headcount or None,
                reach.total_counted if total_headcount else None,
                Rate(reach.total_counted, total_headcount).percent,
            )
        ),
    )


# Evaluation ---------------------------------------------------------------------------------


def confidence_cells(figures: Confidence) -> tuple[Cell, ...]:
    return (
        figures.before.value,
        figures.before.count,
        figures.after.value,
        figures.after.count,
        figures.change,
    )


CONFIDENCE_COLUMNS = (
    Column("Confidence before", Kind.MEAN),
    Column("Answers before"),
    Column("Confidence after", Kind.MEAN),
    Column("Answers after"),
    Column("Change", Kind.CHANGE),
)


OUTCOME_COLUMNS = (text("Learning outcome"), *CONFIDENCE_COLUMNS)


def confidence_by_outcome(report: Report) -> Table:
    return Table(
        "confidence-by-outcome",
        "Confidence by learning outcome",
        (text("Course"), *OUTCOME_COLUMNS),
        [
            Row((report.courses[course_id].title, *row.cells))
            for course_id, table in outcome_tables(report).items()
            for row in table.rows
        ],
    )


def outcome_tables(report: Report) -> dict[int, Table]:
    """Confidence by learning outcome, a table for each course run, as the page shows it."""
    rows: dict[int, list[Row]] = {course_id: [] for course_id in report.activity.by_course}
    for outcome in report.evaluations.outcomes:
        if outcome.course_id in rows:
            rows[outcome.course_id].append(
                Row(
                    (
                        outcome.text + (" (no longer taught)" if outcome.removed else ""),
                        *confidence_cells(outcome.confidence),
                    )
                )
            )
    return {
        course_id: Table(
            "confidence-by-outcome",
            f"Confidence by learning outcome: {report.courses[course_id].title}",
            OUTCOME_COLUMNS,
            course_rows,
        )
        for course_id, course_rows in rows.items()
    }


def ratings_by_course(report: Report) -> Table:
    evaluations = report.evaluations
    rows = []
    for course_id in report.activity.by_course:
        rating = evaluations.ratings.get(course_id, Mean())
        confidence = evaluations.confidence_by_course.get(course_id, Confidence())
        rows.append(
            Row(
                (
                    report.courses[course_id].title,
                    rating.count,
                    rating.value,
                    *confidence_cells(confidence),
                )
            )
        )
    return Table(
        "evaluation-by-course",
        "Evaluation by course",
        (
            text("Course"),
            Column("Evaluations"),
            Column("Overall rating (out of 5)", Kind.MEAN),
            *CONFIDENCE_COLUMNS,
        ),
        rows,
    )


ANSWER_COLUMNS = (
    text("Course"),
    text("Session"),
    Column("Overall rating (out of 5)"),
    text("What they will do differently"),
    text("Anything else"),
)


def answer_rows(report: Report, answers: dict) -> list[Row]:
    return [
        Row(
            (
                report.courses[course_id].title,
                short_date(answer.session_starts_at),
                answer.rating,
                answer.do_differently,
                answer.anything_else,
            )
        )
        for course_id in report.activity.by_course
        for answer in answers.get(course_id, [])
    ]


def evaluation_answers(report: Report, answers: dict | None = None) -> Table:
    """What people wrote, by course, newest first: the page's share, or `answers` (all of
    them, for the files)."""
    return Table(
        "evaluation-answers",
        "Evaluation answers in words",
        ANSWER_COLUMNS,
        answer_rows(report, report.evaluations.answers if answers is None else answers),
    )


# Case-review reach --------------------------------------------------------------------------


def review_rows(review: ReviewReach) -> list[Row]:
    """A row a sector, then all sectors, without the review's title."""
    rows = [
        Row(
            (
                sector.label,
                people,
                *confidence_cells(review.confidence_by_sector.get(sector, Confidence())),
            )
        )
        for sector, people in review.people_by_sector.items()
    ]
    rows.append(Row(("All sectors", review.people, *confidence_cells(review.confidence))))
    return rows


REVIEW_REACH_COLUMNS = (text("Sector"), Column("Professionals trained"), *CONFIDENCE_COLUMNS)


def case_review_reach(report: Report) -> Table:
    return Table(
        "case-review-reach",
        "Case-review reach",
        (text("Case review"), *REVIEW_REACH_COLUMNS),
        [
            Row((review.title, *row.cells))
            for review in report.reviews
            for row in review_rows(review)
        ],
    )


def review_tables(report: Report) -> dict[int, Table]:
    """Case-review reach, a table for each review, as the page shows it."""
    return {
        review.id: Table(
            "case-review-reach",
            f"Professionals trained on courses drawing on {review.title}, by sector",
            REVIEW_REACH_COLUMNS,
            review_rows(review),
        )
        for review in report.reviews
    }


def finding_rows(review: ReviewReach) -> list[Row]:
    return [
        Row(
            (review.title, finding.position, finding.text, "; ".join(finding.courses)),
            stands_out="" if finding.courses else NOT_ADDRESSED,
        )
        for finding in review.findings
    ]


def case_review_findings(report: Report) -> Table:
    return Table(
        "case-review-findings",
        "Key findings and their courses",
        (
            text("Case review"),
            Column("Finding"),
            text("Key finding"),
            text("Courses that address it"),
            text("Not addressed"),
        ),
        [
            Row((*row.cells, row.stands_out), row.stands_out)
            for review in report.reviews
            for row in finding_rows(review)
        ],
    )


# Charges ------------------------------------------------------------------------------------


def charges_by_agency(report: Report) -> Table:
    charges = report.charges
    return Table(
        "charges-by-agency",
        "Charges by agency",
        (
            text("Agency"),
            Column("Charges"),
            Column("Raised", Kind.MONEY),
            Column("Waived", Kind.MONEY),
            Column("Outstanding", Kind.MONEY),
        ),
        [
            Row(
                (
                    report.agencies[row.agency_id].name,
                    row.charges,
                    row.raised_pence,
                    row.waived_pence,
                    row.outstanding_pence,
                )
            )
            for row in charges
        ],
        Row(
            (
                "All agencies",
                sum(row.charges for row in charges),
                sum(row.raised_pence for row in charges),
                sum(row.waived_pence for row in charges),
                sum(row.outstanding_pence for row in charges),
            )
        ),
    )


#: Every table, in the report's order, by the name of its file.
TABLES = {
    "activity-by-course": activity_by_course,
    "activity-by-prospectus": activity_by_prospectus,
    "activity-by-agency": activity_by_agency,
    "activity-by-sector": activity_by_sector,
    "reach-by-sector": reach_by_sector,
    "reach-by-agency": reach_by_agency,
    "evaluation-by-course": ratings_by_course,
    "confidence-by-outcome": confidence_by_outcome,
    "evaluation-answers": evaluation_answers,
    "case-review-reach": case_review_reach,
    "case-review-findings": case_review_findings,
    "charges-by-agency": charges_by_agency,
}


def table_for_file(db_session, report: Report, name: str) -> Table:
    """A table as its file holds it: the answers in words all of them, not the page's
    share (one more statement)."""
    if name == "evaluation-answers":
        return evaluation_answers(
            report, answers_in_words(db_session, report.filters, report.made_at)
        )
    return TABLES[name](report)


def every_table_for_file(db_session, report: Report) -> list[Table]:
    return [table_for_file(db_session, report, name) for name in TABLES]
