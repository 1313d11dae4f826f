"""The report's charts, measured here and drawn as SVG by templates/admin/reports/_chart.html.

Each is a horizontal bar chart: every bar is named in words beside it with its series and
value ("After: 4.2"), the second series is hatched rather than told apart by colour, and
its description says every value, so it reads without colour, without sight, and as the
table beside it says.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.models import SECTOR_LABELS
from app.reports.figures import Confidence, Rate
from app.reports.queries import Report, ReviewReach
from app.reports.tables import agencies_counted

WIDTH = 600
#: Room at the end of the longest bar for its words.
WORDS_ROOM = 150
LABEL_HEIGHT = 24
BAR_HEIGHT = 22
BAR_GAP = 6
GROUP_GAP = 18
LEGEND_HEIGHT = 36


@dataclass(frozen=True)
class Bar:
    y: int
    length: int
    words: str
    hatched: bool

    @property
    def words_x(self) -> int:
        return self.length + 8

    @property
    def words_y(self) -> int:
        return self.y + BAR_HEIGHT - 6


@dataclass(frozen=True)
class Group:
    label: str
    label_y: int
    bars: list[Bar]


@dataclass(frozen=True)
class LegendEntry:
    words: str
    hatched: bool
    x: int


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    #: The text alternative: every value the bars show, in words.
    description: str
    groups: list[Group]
    legend: list[LegendEntry]
    width: int
    height: int


@dataclass(frozen=True)
class Item:
    """One label and its values: (series name, value or None, how the value is written)."""

    label: str
    values: list[tuple[str, Decimal | int | None, str]]


def bar_chart(
    chart_id: str, title: str, items: list[Item], maximum: Decimal | int, series: list[str]
) -> BarChart | None:
    """The chart of these items, bars scaled to `maximum`; None with nothing to draw."""
    if not items:
        return None
    longest = WIDTH - WORDS_ROOM
    y = LEGEND_HEIGHT if len(series) > 1 else 0
    groups = []
    for item in items:
        label_y = y + LABEL_HEIGHT - 6
        y += LABEL_HEIGHT
        bars = []
        for name, value, words in item.values:
            length = round(longest * Decimal(value) / Decimal(maximum)) if value and maximum else 0
            hatched = series.index(name) == 1
            bars.append(Bar(y, min(length, longest), f"{name}: {words}", hatched))
            y += BAR_HEIGHT + BAR_GAP
        groups.append(Group(item.label, label_y, bars))
        y += GROUP_GAP
    legend = [
        LegendEntry(f"{name} ({'hatched' if index else 'solid'})", index == 1, index * 220)
        for index, name in enumerate(series)
    ]
    description = "; ".join(
        f"{item.label}: " + ", ".join(f"{name} {words}" for name, _, words in item.values)
        for item in items
    )
    return BarChart(
        chart_id,
        title,
        description + ".",
        groups,
        legend if len(series) > 1 else [],
        WIDTH,
        y - GROUP_GAP,
    )


def none_or(value) -> str:
    return "none" if value is None else str(value)


def attended_by_sector(report: Report) -> BarChart | None:
    rows = report.activity.by_sector
    items = [
        Item(SECTOR_LABELS[sector], [("Attended", figures.attended, str(figures.attended))])
        for sector, figures in rows.items()
    ]
    most = max((figures.attended for figures in rows.values()), default=0)
    return bar_chart(
        "chart-attended-by-sector", "People who attended, by sector", items, most, ["Attended"]
    )


def coverage_by_agency(report: Report) -> BarChart | None:
    """The agencies with a headcount: the share of it trained."""
    items = []
    for agency in agencies_counted(report):
        if agency.headcount is None:
            continue
        people = report.reach.by_agency.get(agency.id, 0)
        coverage = Rate(people, agency.headcount)
        words = f"{coverage.text} ({people} of {agency.headcount:,})"
        items.append(Item(agency.name, [("Trained", coverage.percent, words)]))
    most = max([Decimal(100), *(item.values[0][1] for item in items)])
    return bar_chart(
        "chart-coverage-by-agency",
        "Share of each agency's headcount trained",
        items,
        most,
        ["Trained"],
    )


BEFORE_AND_AFTER = ["Before", "After"]


def confidence_item(label: str, figures: Confidence) -> Item:
    return Item(
        label,
        [
            ("Before", figures.before.value, none_or(figures.before.value)),
            ("After", figures.after.value, none_or(figures.after.value)),
        ],
    )


def confidence_by_course(report: Report) -> BarChart | None:
    by_course = report.evaluations.confidence_by_course
    items = [
        confidence_item(report.courses[course_id].title, figures)
        for course_id in report.activity.by_course
        if (figures := by_course.get(course_id)) and (figures.before.count or figures.after.count)
    ]
    return bar_chart(
        "chart-confidence-by-course",
        "Mean confidence before and after, by course (1 to 5)",
        items,
        5,
        BEFORE_AND_AFTER,
    )


def review_confidence_by_sector(review: ReviewReach) -> BarChart | None:
    items = [
        confidence_item(SECTOR_LABELS[sector], figures)
        for sector, figures in review.confidence_by_sector.items()
    ]
    return bar_chart(
        f"chart-review-{review.id}",
        f"{review.title}: mean confidence before and after, by sector (1 to 5)",
        items,
        5,
        BEFORE_AND_AFTER,
    )
