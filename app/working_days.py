"""Working days in England: partnerships train, and write to people, on them."""

from datetime import date, datetime, time, timedelta

import holidays

from app.display import LONDON

#: Filled in for each year as it is asked about (the library's own expansion).
ENGLAND_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG")


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in ENGLAND_BANK_HOLIDAYS


def next_working_day(day: date) -> date:
    """The day itself, or the first after it that is neither a weekend nor a bank holiday."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """The day itself, or the last before it that is neither a weekend nor a bank holiday."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_days_before(day: date, count: int) -> date:
    """The working day `count` working days before `day` (which need not be one itself)."""
    while count > 0:
        day -= timedelta(days=1)
        count -= is_working_day(day)
    return day


def reminder_moment(starts_at: datetime, working_days: int) -> datetime:
    """When a reminder of a session is due: the start, on London's clocks, of the working
    day `working_days` working days before the session's day (in London)."""
    session_day = starts_at.astimezone(LONDON).date()
    return datetime.combine(working_days_before(session_day, working_days), time(), LONDON)
