"""The report's figures as plain data: counts added up exactly, and the rates and means
made from them, rounded once, at the end, to one decimal place."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

ONE_PLACE = Decimal("0.1")


def to_one_place(number: Decimal) -> Decimal:
    """Rounded half up, as people round: 2.25 is 2.3."""
    return number.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rate:
    """A part of a whole, as a percentage; none when the whole is nothing."""

    part: int
    whole: int

    @property
    def percent(self) -> Decimal | None:
        if not self.whole:
            return None
        return to_one_place(Decimal(100 * self.part) / Decimal(self.whole))

    @property
    def text(self) -> str:
        return "" if self.percent is None else f"{self.percent}%"


@dataclass(frozen=True)
class Mean:
    """The mean of some answers (confidence from 1 to 5, a rating), and how many there were."""

    total: int = 0
    count: int = 0

    def __add__(self, other: Mean) -> Mean:
        return Mean(self.total + other.total, self.count + other.count)

    @property
    def value(self) -> Decimal | None:
        if not self.count:
            return None
        return to_one_place(Decimal(self.total) / Decimal(self.count))

    @property
    def text(self) -> str:
        return "" if self.value is None else str(self.value)


@dataclass
class Activity:
    """What happened on the sessions run, for one row of a table (a course, an agency...).

    Sessions and places belong to sessions, so a row of people (an agency, a sector) has
    none; the rest count bookings.
    """

    sessions: int = 0
    places: int = 0
    #: Confirmed places at the session (walk-ins took none).
    booked: int = 0
    #: Marked attended, the whole session: places booked and walk-ins alike.
    attended: int = 0
    #: Of those attended, people who walked in without a place.
    walked_in: int = 0
    left_early: int = 0
    did_not_attend: int = 0
    #: Places booked that the register has no mark for.
    not_marked: int = 0
    #: Places cancelled after the session's cut-off (a place handed on is not).
    cancelled_late: int = 0

    def add(self, other: Activity) -> None:
        for name in (item.name for item in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def fill_rate(self) -> Rate:
        return Rate(self.booked, self.places)

    @property
    def attendance_rate(self) -> Rate:
        """Of the places booked, those marked attended (walk-ins booked none)."""
        return Rate(self.attended - self.walked_in, self.booked)


@dataclass
class Confidence:
    """Confidence against learning outcomes: before (at booking) and after (evaluation)."""

    before: Mean = field(default_factory=Mean)
    after: Mean = field(default_factory=Mean)

    def add(self, other: Confidence) -> None:
        self.before += other.before
        self.after += other.after

    @property
    def change(self) -> Decimal | None:
        """After less before, from the rounded means people read."""
        if self.before.value is None or self.after.value is None:
            return None
        return self.after.value - self.before.value

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return ""
        return f"+{change}" if change > 0 else str(change)
