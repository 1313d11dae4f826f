"""Dates and times are shown as people in England read them: London time, GOV.UK style.

British Summer Time in 2027 starts at 01:00 UTC on 28 March and ends at 01:00 UTC on
31 October.
"""

from datetime import UTC, date, datetime

from app.display import clock_time, long_date, render_markdown, short_date, time_range
from tests.factories import make_course, make_prospectus, make_session


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


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


def test_time_range():
    assert time_range(utc(2027, 1, 14, 9, 30), utc(2027, 1, 14, 12, 30)) == "9:30am to 12:30pm"


def test_time_range_across_the_spring_clock_change():
    assert time_range(utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 2, 30)) == "12:30am to 3:30am"


def test_time_range_across_the_autumn_clock_change():
    assert time_range(utc(2027, 10, 31, 0, 30), utc(2027, 10, 31, 2, 30)) == "1:30am to 2:30am"


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
    pages = course_and_session_pages(client, *course_with_session(utc(2027, 1, 14, 9, 30)))
    for page in pages:
        assert "Thursday 14 January 2027" in page
        assert "9:30am to 12:30pm" in page


def test_a_summer_session_shows_british_summer_time(client):
    pages = course_and_session_pages(client, *course_with_session(utc(2027, 6, 10, 8, 30)))
    for page in pages:
        assert "Thursday 10 June 2027" in page
        assert "9:30am to 12:30pm" in page


def test_the_session_page_says_times_are_uk_time(client):
    _, session_page = course_and_session_pages(
        client, *course_with_session(utc(2027, 6, 10, 8, 30))
    )
    assert "9:30am to 12:30pm (UK time)" in session_page


def test_a_session_across_the_spring_clock_change_ends_an_hour_later_by_the_clock(client):
    starts = utc(2027, 3, 28, 0, 30)
    pages = course_and_session_pages(client, *course_with_session(starts, hours=2))
    for page in pages:
        assert "Sunday 28 March 2027" in page
        assert "12:30am to 3:30am" in page


def test_a_session_across_the_autumn_clock_change_ends_at_the_same_hour_by_the_clock(client):
    starts = utc(2027, 10, 31, 0, 30)
    pages = course_and_session_pages(client, *course_with_session(starts, hours=1))
    for page in pages:
        assert "Sunday 31 October 2027" in page
        assert "1:30am to 1:30am" in page


def test_a_session_just_after_midnight_in_london_shows_the_london_date(client):
    pages = course_and_session_pages(client, *course_with_session(utc(2027, 6, 30, 23, 30)))
    for page in pages:
        assert "Thursday 1 July 2027" in page
        assert "30 June" not in page
        assert "12:30am to 3:30am" in page


def test_a_past_summer_session_still_shows_london_time(client):
    _, session = course_with_session(utc(2026, 7, 2, 8, 30))
    page = client.get(f"/sessions/{session.id}").text
    assert "Thursday 2 July 2026" in page
    assert "9:30am to 12:30pm" in page
    assert "This session has already taken place" in page


def test_the_prospectus_shows_the_next_date_in_london(client):
    course, _ = course_with_session(utc(2027, 6, 30, 23, 30))
    page = client.get(f"/prospectuses/{course.prospectus.slug}").text
    assert "Thursday 1 July 2027" in page
    assert "30 June" not in page


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


def test_a_session_late_on_30_june_utc_is_in_july_in_london(client):
    prospectus = make_prospectus()
    course = make_course(prospectus, slug="late-night")
    make_session(course, utc(2027, 6, 30, 23, 30))
    july = courses_in_month(client, prospectus, "2027-07")
    june = courses_in_month(client, prospectus, "2027-06")
    assert f'href="/courses/{course.slug}"' in july
    assert f'href="/courses/{course.slug}"' not in june
    assert "0 courses match your filters" in june


def test_a_session_at_a_minute_to_midnight_in_london_is_in_june(client):
    prospectus = make_prospectus()
    course = make_course(prospectus, slug="last-minute")
    make_session(course, utc(2027, 6, 30, 22, 59))
    assert f'href="/courses/{course.slug}"' in courses_in_month(client, prospectus, "2027-06")
    assert f'href="/courses/{course.slug}"' not in courses_in_month(client, prospectus, "2027-07")


def test_a_session_at_midnight_on_1_june_in_london_is_in_june(client):
    prospectus = make_prospectus()
    course = make_course(prospectus, slug="first-minute")
    make_session(course, utc(2027, 5, 31, 23, 0))
    june = courses_in_month(client, prospectus, "2027-06")
    assert f'href="/courses/{course.slug}"' in june
    assert "1 course matches your filters" in june
    assert f'href="/courses/{course.slug}"' not in courses_in_month(client, prospectus, "2027-05")


def test_a_session_late_on_31_january_utc_stays_in_january(client):
    prospectus = make_prospectus()
    course = make_course(prospectus, slug="winter-evening")
    make_session(course, utc(2027, 1, 31, 23, 30))
    assert f'href="/courses/{course.slug}"' in courses_in_month(client, prospectus, "2027-01")
    assert f'href="/courses/{course.slug}"' not in courses_in_month(client, prospectus, "2027-02")
