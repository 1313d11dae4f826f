"""Working days in England, and when a session's reminder is due, on London's clocks."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.display import LONDON
from app.reminders.service import horizon
from app.working_days import is_working_day, reminder_moment, working_days_before


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_weekends_and_english_bank_holidays_are_not_working_days():
    assert is_working_day(date(2026, 12, 24))
    assert not is_working_day(date(2026, 12, 25))  # Christmas Day, a Friday
    assert not is_working_day(date(2026, 12, 26))  # Boxing Day, a Saturday
    assert not is_working_day(date(2026, 12, 28))  # its substitute, the Monday
    assert not is_working_day(date(2027, 3, 26))  # Good Friday
    assert not is_working_day(date(2027, 3, 29))  # Easter Monday


def test_counting_back_skips_the_weekend():
    monday = date(2026, 12, 14)
    assert working_days_before(monday, 1) == date(2026, 12, 11)
    assert working_days_before(monday, 2) == date(2026, 12, 10)
    assert working_days_before(monday, 0) == monday


def test_a_monday_session_is_reminded_from_the_thursday_before():
    assert reminder_moment(london(2026, 12, 14, 9, 30), 2) == london(2026, 12, 10, 0, 0)


def test_over_christmas_the_reminder_comes_before_the_holidays():
    # Christmas Day is a Friday, Boxing Day a Saturday and its substitute Monday the 28th.
    tuesday = london(2026, 12, 29, 9, 30)
    assert reminder_moment(tuesday, 1) == london(2026, 12, 24, 0, 0)
    assert reminder_moment(tuesday, 2) == london(2026, 12, 23, 0, 0)


def test_over_easter_the_reminder_comes_before_good_friday():
    # Good Friday 26 March 2027 and Easter Monday the 29th, the clocks going forward
    # between them: the reminder is at midnight GMT, the session in BST.
    tuesday = london(2027, 3, 30, 9, 30)
    assert reminder_moment(tuesday, 2) == datetime(2027, 3, 24, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("session", "reminder_in_utc"),
    [
        # The clocks go back on Sunday 25 October 2026: the reminder is at midnight BST.
        (london(2026, 10, 26, 9, 30), datetime(2026, 10, 21, 23, 0, tzinfo=UTC)),
        # They go forward on Sunday 28 March 2027 (Easter Day).
        (london(2027, 3, 31, 9, 30), datetime(2027, 3, 25, 0, 0, tzinfo=UTC)),
    ],
)
def test_around_a_change_of_the_clocks_the_reminder_is_at_midnight_in_london(
    session, reminder_in_utc
):
    assert reminder_moment(session, 2) == reminder_in_utc


def test_a_session_early_in_the_morning_is_placed_by_its_day_in_london():
    # 00:30 BST on Monday 5 October 2026 is 23:30 UTC on the Sunday.
    session = datetime(2026, 10, 4, 23, 30, tzinfo=UTC)
    assert reminder_moment(session, 2) == london(2026, 10, 1, 0, 0)


@pytest.mark.parametrize("working_days", [1, 2, 3, 5, 10])
def test_the_sessions_looked_at_reach_as_far_as_any_reminder_due(working_days):
    day = date(2026, 1, 1)
    while day < date(2028, 1, 1):
        starts_at = datetime(day.year, day.month, day.day, 9, 30, tzinfo=LONDON)
        assert starts_at - reminder_moment(starts_at, working_days) < horizon(working_days)
        day += timedelta(days=1)
