"""Charges by period and agency, for the coordinator's list and the invoicing exports.

Periods are London's calendar days, and the partnership's financial year runs from April
to March: the first quarter is April to June, the fourth January to March.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session, joinedload

from app.display import LONDON, short_date
from app.models import Agency, Booking, Charge, CourseSession

QUARTER_MONTHS = {
    1: "April to June",
    2: "July to September",
    3: "October to December",
    4: "January to March",
}


@dataclass(frozen=True)
class Period:
    """From the first day to the last, both included, in London."""

    first_day: date
    last_day: date
    label: str

    @property
    def starts_at(self) -> datetime:
        return london_midnight(self.first_day)

    @property
    def ends_before(self) -> datetime:
        return london_midnight(self.last_day + timedelta(days=1))


def london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def financial_year_of(day: date) -> int:
    """The year the financial year holding this day starts in: April 2026 to March 2027
    is 2026."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    return f"April {year} to March {year + 1}"


def financial_year(year: int) -> Period:
    return Period(date(year, 4, 1), date(year + 1, 3, 31), financial_year_label(year))


def financial_quarter(year: int, quarter: int) -> Period:
    """Quarter 1 (April to June) to 4 (January to March) of the year starting in `year`."""
    month = 4 + 3 * (quarter - 1)
    first = date(year + 1, month - 12, 1) if month > 12 else date(year, month, 1)
    # 92 days on is always in the month after the quarter's last.
    after = (first + timedelta(days=92)).replace(day=1)
    return Period(
        first,
        after - timedelta(days=1),
        f"Quarter {quarter} of {year} to {year + 1} ({QUARTER_MONTHS[quarter]} {first.year})",
    )


def quarter_of(day: date) -> int:
    return (day.month - 4) % 12 // 3 + 1


def date_range(first_day: date, last_day: date) -> Period:
    return Period(first_day, last_day, f"{short_date(first_day)} to {short_date(last_day)}")


@dataclass(frozen=True)
class ChargeList:
    """The charges of a period (cancelled ones left out), with what they come to."""

    period: Period
    charges: list[Charge]

    @property
    def raised_pence(self) -> int:
        return sum(charge.amount_pence for charge in self.charges)

    @property
    def waived_pence(self) -> int:
        return sum(charge.amount_pence for charge in self.charges if charge.is_waived)

    @property
    def total_pence(self) -> int:
        """What is owed: raised less waived."""
        return self.raised_pence - self.waived_pence


def standing_and_raised_in(period: Period) -> list[ColumnElement[bool]]:
    """SQL: the charge was raised in the period and stands (its mark was not changed back)."""
    return [
        Charge.cancelled_at.is_(None),
        Charge.raised_at >= period.starts_at,
        Charge.raised_at < period.ends_before,
    ]


def charges_in(db_session: Session, period: Period, agency_id: int | None = None) -> ChargeList:
    """Every standing charge raised in the period, by agency, then as raised; in one
    statement, with the booking, session, course, person and who waived it."""
    session = joinedload(Charge.booking).joinedload(Booking.session)
    query = (
        select(Charge)
        .join(Charge.agency)
        .where(*standing_and_raised_in(period))
        .options(
            session.joinedload(CourseSession.course),
            joinedload(Charge.user),
            joinedload(Charge.agency),
            joinedload(Charge.waived_by),
        )
        .order_by(Agency.name, Charge.raised_at, Charge.id)
    )
    if agency_id is not None:
        query = query.where(Charge.agency_id == agency_id)
    return ChargeList(period, list(db_session.scalars(query).unique()))


@dataclass(frozen=True)
class AgencyCharges:
    """What the standing charges an agency was raised in a period come to, as ChargeList
    adds them up: raised (waived ones too), waived, and outstanding (raised less waived)."""

    agency_id: int
    charges: int
    raised_pence: int
    waived: int
    waived_pence: int

    @property
    def outstanding_pence(self) -> int:
        return self.raised_pence - self.waived_pence


def charges_by_agency(
    db_session: Session, period: Period, conditions: Sequence[ColumnElement[bool]] = ()
) -> list[AgencyCharges]:
    """The standing charges raised in the period, added up by agency (the agency charged,
    its person's at the time), by the agency's name; in one statement. `conditions` may
    narrow them, of the charge's Agency and its booking's CourseSession and Course."""
    waived = Charge.waived_at.is_not(None)
    rows = db_session.execute(
        select(
            Charge.agency_id,
            func.count(Charge.id),
            func.sum(Charge.amount_pence),
            func.sum(case((waived, 1), else_=0)),
            func.sum(case((waived, Charge.amount_pence), else_=0)),
        )
        .join(Charge.agency)
        .join(Charge.booking)
        .join(Booking.session)
        .join(CourseSession.course)
        .where(*standing_and_raised_in(period), *conditions)
        .group_by(Charge.agency_id, Agency.name)
        .order_by(Agency.name, Charge.agency_id)
    )
    return [AgencyCharges(*row) for row in rows]


def all_agencies(db_session: Session) -> list[Agency]:
    """The agencies to filter by, by name."""
    return list(db_session.scalars(select(Agency).order_by(Agency.name)))


def charge_to_waive(db_session: Session, charge_id: int) -> Charge | None:
    return db_session.scalar(
        select(Charge)
        .where(Charge.id == charge_id)
        .options(
            joinedload(Charge.booking).joinedload(Booking.session).joinedload(CourseSession.course),
            joinedload(Charge.user),
            joinedload(Charge.agency),
            joinedload(Charge.waived_by),
        )
    )


def charges_of_person(db_session: Session, user_id: int) -> list[Charge]:
    """A person's own charges, cancelled ones too (they were told of them), newest first."""
    return list(
        db_session.scalars(
            select(Charge)
            .where(Charge.user_id == user_id)
            .options(
                joinedload(Charge.booking)
                .joinedload(Booking.session)
                .joinedload(CourseSession.course),
                joinedload(Charge.agency),
                joinedload(Charge.waived_by),
            )
            .order_by(Charge.raised_at.desc(), Charge.id.desc())
        )
    )
