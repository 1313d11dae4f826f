"""Dates and times are shown as people in England read them: London time, GOV.UK style.

British Summer Time starts at 01:00 UTC on the last Sunday in March and ends at 01:00 UTC
on the last Sunday in October: in 2027, on 28 March and 31 October.

The tests of pages use dates found from today, since pages list only sessions still to
come and the month filter offers only the next 12 months.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.catalogue.forms import month_choices
from app.display import (
    booking_status,
    breakable_email,
    breakable_url,
    clock_time,
    duration_text,
    in_london,
    london_moment,
    long_date,
    read_clock_time,
    register_status,
    render_markdown,
    short_date,
    time_range,
)
from app.models import Booking, BookingStatus, OfferAnswer, utcnow
from tests.factories import make_course, make_prospectus, make_session

WINTER_MONTHS = {1, 2}
SUMMER_MONTHS = {6, 7}
A_WEEK = timedelta(days=7)
ONE_HOUR = timedelta(hours=1)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """`day` at hour:minute UTC."""
    return datetime.combine(day, time(hour, minute), UTC)


def london_today() -> date:
    return in_london(utcnow()).date()


def summer_time_at(day: date, hour: int, minute: int = 0) -> bool:
    return in_london(at(day, hour, minute)).utcoffset() == ONE_HOUR


def next_day_in(months: set[int], today: date | None = None) -> date:
    """The first day in one of `months` at least a week after today."""
    day = (today or london_today()) + A_WEEK
    while day.month not in months:
        day += timedelta(days=1)
    return day


def next_winter_day(today: date | None = None) -> date:
    return next_day_in(WINTER_MONTHS, today)


def next_summer_day(today: date | None = None) -> date:
    return next_day_in(SUMMER_MONTHS, today)


def last_summer_day(today: date | None = None) -> date:
    """The last day in June or July at least a week before today."""
    day = (today or london_today()) - A_WEEK
    while day.month not in SUMMER_MONTHS:
        day -= timedelta(days=1)
    return day


def next_clock_change(spring: bool, today: date | None = None) -> date:
    """The first day at least a week ahead on which the clocks go forward (or back) at 01:00 UTC.

    Found from the time zone database, not worked out from the rule.
    """
    day = (today or london_today()) + A_WEEK
    while not (summer_time_at(day, 0, 59) != spring and summer_time_at(day, 1) == spring):
        day += timedelta(days=1)
    return day


def next_month_end(summer: bool, today: date | None = None) -> date:
    """The last day of a month the month filter offers, late on which (from 22:00 UTC)
    London is on British Summer Time, or on Greenwich Mean Time, as asked.

    The month is not this one, and the month after it is offered but is not the last
    offered, so both stay offered should a new month begin while the test runs.
    """
    offered = [
        date.fromisoformat(f"{month}-01")
        for month in month_choices(today or london_today())
        if month
    ]
    for first_of_next in offered[2:-1]:
        last = first_of_next - timedelta(days=1)
        if summer_time_at(last, 22) == summer_time_at(last, 23, 59) == summer:
            return last
    raise AssertionError(f"No month offered ends in {'summer' if summer else 'winter'} time")


def spoken(day: date) -> str:
    """Thursday 14 January 2027."""
    return f"{day:%A} {day.day} {day:%B} {day.year}"


def day_and_month(day: date) -> str:
    """14 January."""
    return f"{day.day} {day:%B}"


def month_of(day: date) -> str:
    """2027-01, as in the month filter's query string."""
    return f"{day:%Y-%m}"


# Dates


def test_long_date_names_the_day():
    assert long_date(utc(2027, 1, 14, 9, 30)) == "Thursday 14 January 2027"


def test_long_date_has_no_leading_zero():
    assert long_date(date(2026, 12, 3)) == "Thursday 3 December 2026"


def test_long_date_is_the_london_date_late_on_a_summer_evening():
    assert long_date(utc(2027, 6, 30, 23, 30)) == "Thursday 1 July 2027"


def test_long_date_is_the_utc_date_late_on_a_winter_evening():
    assert long_date(utc(2027, 1, 14, 23, 30)) == "Thursday 14 January 2027"


def test_short_date_is_the_london_date():
    assert short_date(utc(2027, 6, 30, 23, 30)) == "1 July 2027"


def test_short_date_of_a_date():
    assert short_date(date(2027, 3, 8)) == "8 March 2027"


# Times


def test_clock_time_with_minutes():
    assert clock_time(utc(2027, 1, 14, 9, 30)) == "9:30am"


def test_clock_time_on_the_hour_has_no_minutes():
    assert clock_time(utc(2027, 1, 14, 13, 0)) == "1pm"


def test_clock_time_at_noon_is_midday():
    assert clock_time(utc(2027, 1, 14, 12, 0)) == "midday"


def test_clock_time_at_noon_in_summer_is_midday():
    assert clock_time(utc(2027, 6, 10, 11, 0)) == "midday"


def test_clock_time_at_london_midnight_is_midnight():
    assert clock_time(datetime(2027, 1, 14, 0, 0, tzinfo=UTC)) == "midnight"
    assert clock_time(datetime(2027, 6, 9, 23, 0, tzinfo=UTC)) == "midnight"


def test_an_hour_in_the_repeated_autumn_hour_names_both_zones():
    starts_at = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)

    assert time_range(starts_at, starts_at + timedelta(hours=1)) == "1:30am BST to 1:30am GMT"


def test_clock_time_just_after_noon_is_pm():
    assert clock_time(utc(2027, 1, 14, 12, 30)) == "12:30pm"


def test_clock_time_in_summer_is_an_hour_ahead_of_utc():
    assert clock_time(utc(2027, 6, 10, 8, 30)) == "9:30am"


def test_clock_time_just_before_the_spring_clock_change():
    assert clock_time(utc(2027, 3, 28, 0, 30)) == "12:30am"


def test_clock_time_just_after_the_spring_clock_change():
    assert clock_time(utc(2027, 3, 28, 1, 30)) == "2:30am"


def test_clock_time_repeats_an_hour_at_the_autumn_clock_change():
    before = utc(2027, 10, 31, 0, 30)
    after = utc(2027, 10, 31, 1, 30)
    assert clock_time(before) == clock_time(after) == "1:30am"


def test_clock_time_of_a_time_of_day():
    assert [clock_time(time(9, 30)), clock_time(time(12)), clock_time(time(0))] == [
        "9:30am",
        "midday",
        "midnight",
    ]


def test_time_range_joins_start_and_end_with_to():
    assert time_range(utc(2027, 1, 14, 9, 30), utc(2027, 1, 14, 12, 30)) == "9:30am to 12:30pm"


def test_time_range_across_the_spring_clock_change():
    assert (
        time_range(utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 2, 30)) == "12:30am GMT to 3:30am BST"
    )


def test_time_range_across_the_autumn_clock_change():
    assert (
        time_range(utc(2027, 10, 31, 0, 30), utc(2027, 10, 31, 2, 30)) == "1:30am BST to 2:30am GMT"
    )


# Times as people type them


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("9:30am", time(9, 30)),
        ("9.30 am", time(9, 30)),
        ("9:30 A.M.", time(9, 30)),
        ("2pm", time(14)),
        ("12pm", time(12)),
        ("12:15am", time(0, 15)),
        ("14:00", time(14)),
        ("0930", time(9, 30)),
        ("9", time(9)),
        (" midday ", time(12)),
        ("noon", time(12)),
        ("midnight", time(0)),
    ],
)
def test_a_time_is_read_as_people_type_it(typed, meant):
    assert read_clock_time(typed) == meant


@pytest.mark.parametrize("typed", ["", "13pm", "0am", "9:75", "25:00", "9:3", "9a", "half nine"])
def test_what_is_not_a_time_of_day_is_refused(typed):
    with pytest.raises(ValueError):
        read_clock_time(typed)


def test_a_london_time_in_winter_is_the_same_in_utc():
    assert london_moment(date(2027, 1, 14), time(9, 30)) == utc(2027, 1, 14, 9, 30)


def test_a_london_time_in_summer_is_an_hour_ahead_of_utc():
    assert london_moment(date(2027, 6, 10), time(9, 30)) == utc(2027, 6, 10, 8, 30)


def test_the_hour_skipped_when_the_clocks_go_forward_is_refused():
    with pytest.raises(ValueError, match="the clocks go forward"):
        london_moment(date(2027, 3, 28), time(1, 30))


def test_the_hour_repeated_when_the_clocks_go_back_is_read_as_its_first_pass():
    assert london_moment(date(2027, 10, 31), time(1, 30)) == utc(2027, 10, 31, 0, 30)


# Markdown typed by coordinators


def test_markdown_drops_scripts_and_their_content():
    html = render_markdown("Hello <script>alert('stolen')</script> world")
    assert "<script" not in html
    assert "stolen" not in html
    assert "Hello" in html


def test_markdown_drops_event_handler_attributes():
    html = render_markdown(
        '<p onmouseover="steal()">Hover</p>\n\n'
        '<a href="https://example.org" onclick="steal()">x</a>'
    )
    assert "steal" not in html
    assert "onmouseover" not in html
    assert "onclick" not in html
    assert "Hover" in html


def test_markdown_drops_javascript_links():
    html = render_markdown("[Click me](javascript:alert(1))")
    assert "javascript" not in html
    assert "Click me" in html


def test_markdown_keeps_lists_and_emphasis():
    html = render_markdown("Bring:\n\n- *your* notes\n- **ID**\n\nThen:\n\n1. First\n2. Second")
    assert "<ul>\n<li><em>your</em> notes</li>\n<li><strong>ID</strong></li>\n</ul>" in html
    assert "<ol>\n<li>First</li>\n<li>Second</li>\n</ol>" in html


def test_markdown_keeps_https_links_and_keeps_them_from_the_opener():
    html = render_markdown("See [the guidance](https://www.gov.uk/guidance).")
    assert (
        '<a href="https://www.gov.uk/guidance" rel="noopener noreferrer">the guidance</a>' in html
    )


def test_markdown_of_nothing_is_empty():
    assert render_markdown("") == ""


# Pages


def course_with_session(starts_at, hours=3, **fields):
    course = make_course(make_prospectus(), title="Neglect", **fields)
    return course, make_session(course, starts_at, hours=hours)


def course_and_session_pages(client, course, session):
    course_page = client.get(f"/courses/{course.slug}")
    session_page = client.get(f"/sessions/{session.id}")
    assert course_page.status_code == session_page.status_code == 200
    return course_page.text, session_page.text


def test_a_winter_session_shows_greenwich_time(client):
    day = next_winter_day()
    pages = course_and_session_pages(client, *course_with_session(at(day, 9, 30)))
    for page in pages:
        assert spoken(day) in page
        assert "9:30am to 12:30pm" in page


def test_a_summer_session_shows_british_summer_time(client):
    day = next_summer_day()
    pages = course_and_session_pages(client, *course_with_session(at(day, 8, 30)))
    for page in pages:
        assert spoken(day) in page
        assert "9:30am to 12:30pm" in page


def test_the_session_page_says_times_are_uk_time(client):
    _, session_page = course_and_session_pages(
        client, *course_with_session(at(next_summer_day(), 8, 30))
    )
    assert "9:30am to 12:30pm (UK time)" in session_page


def test_a_session_across_the_spring_clock_change_ends_an_hour_later_by_the_clock(client):
    day = next_clock_change(spring=True)
    pages = course_and_session_pages(client, *course_with_session(at(day, 0, 30), hours=2))
    for page in pages:
        assert f"Sunday {day.day} March {day.year}" in page
        assert "12:30am GMT to 3:30am BST" in page


def test_a_session_across_the_autumn_clock_change_ends_an_hour_earlier_by_the_clock(client):
    day = next_clock_change(spring=False)
    pages = course_and_session_pages(client, *course_with_session(at(day, 0, 30), hours=2))
    for page in pages:
        assert f"Sunday {day.day} October {day.year}" in page
        assert "1:30am BST to 2:30am GMT" in page


def test_a_session_just_after_midnight_in_london_shows_the_london_date(client):
    utc_day = next_summer_day()
    pages = course_and_session_pages(client, *course_with_session(at(utc_day, 23, 30)))
    for page in pages:
        assert spoken(utc_day + timedelta(days=1)) in page
        assert day_and_month(utc_day) not in page
        assert "12:30am to 3:30am" in page


def test_a_past_summer_session_still_shows_london_time(client):
    day = last_summer_day()
    _, session = course_with_session(at(day, 8, 30))
    page = client.get(f"/sessions/{session.id}").text
    assert spoken(day) in page
    assert "9:30am to 12:30pm" in page
    assert "This session has already taken place" in page


def test_the_prospectus_shows_the_next_date_in_london(client):
    utc_day = next_summer_day()
    course, _ = course_with_session(at(utc_day, 23, 30))
    page = client.get(f"/prospectuses/{course.prospectus.slug}").text
    assert spoken(utc_day + timedelta(days=1)) in page
    assert day_and_month(utc_day) not in page


def test_a_course_description_cannot_run_script_on_the_course_page(client):
    course = make_course(
        make_prospectus(),
        description="**Bring** a notebook.<script>alert('stolen')</script>",
    )
    page = client.get(f"/courses/{course.slug}").text
    assert "<strong>Bring</strong> a notebook." in page
    assert "stolen" not in page


# The prospectus's month filter


def courses_in_month(client, prospectus, month):
    response = client.get(f"/prospectuses/{prospectus.slug}", query_string={"month": month})
    assert response.status_code == 200
    return response.text


def test_a_session_late_on_the_last_utc_day_of_a_summer_month_is_in_the_next_month(client):
    last = next_month_end(summer=True)
    prospectus = make_prospectus()
    course = make_course(prospectus, slug="late-night")
    make_session(course, at(last, 23, 30))
    next_month = courses_in_month(client, prospectus, month_of(last + timedelta(days=1)))
    this_month = courses_in_month(client, prospectus, month_of(last))
    assert f'href="/courses/{course.slug}"' in next_month
    assert f'href="/courses/{course.slug}"' not in this_month
    assert "0 courses match your filters" in this_month


def test_a_session_at_a_minute_to_midnight_in_london_is_in_that_month(client):
    last = next_month_end(summer=True)
    prospectus = make_prospectus()
    course = make_course(prospectus, slug="last-minute")
    make_session(course, at(last, 22, 59))
    this_month, next_month = month_of(last), month_of(last + timedelta(days=1))
    assert f'href="/courses/{course.slug}"' in courses_in_month(client, prospectus, this_month)
    assert f'href="/courses/{course.slug}"' not in courses_in_month(client, prospectus, next_month)


def test_a_session_at_midnight_on_the_first_in_london_is_in_the_new_month(client):
    last = next_month_end(summer=True)
    prospectus = make_prospectus()
    course = make_course(prospectus, slug="first-minute")
    make_session(course, at(last, 23, 0))
    new_month = courses_in_month(client, prospectus, month_of(last + timedelta(days=1)))
    assert f'href="/courses/{course.slug}"' in new_month
    assert "1 course matches your filters" in new_month
    old_month = courses_in_month(client, prospectus, month_of(last))
    assert f'href="/courses/{course.slug}"' not in old_month


def test_a_session_late_on_the_last_day_of_a_winter_month_stays_in_that_month(client):
    last = next_month_end(summer=False)
    prospectus = make_prospectus()
    course = make_course(prospectus, slug="winter-evening")
    make_session(course, at(last, 23, 30))
    this_month, next_month = month_of(last), month_of(last + timedelta(days=1))
    assert f'href="/courses/{course.slug}"' in courses_in_month(client, prospectus, this_month)
    assert f'href="/courses/{course.slug}"' not in courses_in_month(client, prospectus, next_month)


@pytest.mark.parametrize(
    ("length", "shown"),
    [
        (timedelta(hours=48), "48 hours"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(minutes=90), "90 minutes"),
        (timedelta(minutes=6), "6 minutes"),
        (timedelta(minutes=1), "1 minute"),
    ],
)
def test_a_length_of_time_is_in_whole_hours_where_it_is_some(length, shown):
    assert duration_text(length) == shown


def test_a_place_offered_reads_as_an_offer_to_its_owner_and_with_its_deadline_to_a_trainer():
    # 2:30pm in London on a winter's day.
    offered = Booking(
        status=BookingStatus.OFFERED, approval_expires_at=datetime(2027, 1, 14, 14, 30, tzinfo=UTC)
    )
    lapsed = Booking(
        status=BookingStatus.DECLINED, offer_answer=OfferAnswer.LAPSED, approval_expired=True
    )
    declined = Booking(status=BookingStatus.DECLINED, offer_answer=OfferAnswer.DECLINED)

    assert booking_status(offered) == "A place is offered to you"
    assert register_status(offered) == "Offered a place until 2:30pm on Thursday 14 January 2027"
    assert booking_status(lapsed) == "Offer not answered in time"
    assert booking_status(declined) == "Offer declined"


def test_an_email_address_may_wrap_only_after_its_at_sign_or_a_dot():
    shown = str(breakable_email("jo.<b>@example.org"))

    assert shown.split("<wbr>") == [
        '<span class="app-unbroken">jo.</span>',
        '<span class="app-unbroken">&lt;b&gt;@</span>',
        '<span class="app-unbroken">example.</span>',
        '<span class="app-unbroken">org</span>',
    ]


def test_a_web_address_may_wrap_only_after_a_slash_of_its_path():
    shown = str(breakable_url("https://example.org/prospectuses/multi-agency"))

    assert shown.split("<wbr>") == [
        '<span class="app-unbroken">https://example.org/</span>',
        '<span class="app-unbroken">prospectuses/</span>',
        '<span class="app-unbroken">multi-agency</span>',
    ]
