"""What a coordinator changes in /admin reaches the public: the prospectus page, the course
page, the PDF prospectus (whose cached copy is rebuilt) and the prospectus's sessions feed
(whose ETag changes); and what is unpublished leaves them all.
"""

import io
import re
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from pypdf import PdfReader

from tests.conftest import press, submit
from tests.factories import (
    make_course,
    make_prospectus,
    make_session,
    make_venue,
)

PROSPECTUS = "/prospectuses/multi-agency"
PDF = "/prospectuses/multi-agency.pdf"
FEED = "/prospectuses/multi-agency/sessions.ics"
#: 9:30am in London, in summer time and in winter.
SUMMER_MORNING = datetime(2037, 6, 11, 8, 30, tzinfo=UTC)
WINTER_MORNING = datetime(2037, 1, 15, 9, 30, tzinfo=UTC)


@pytest.fixture
def public(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def course(app):
    """A published prospectus with a draft course, whose published session is to come."""
    course = make_course(
        make_prospectus("multi-agency"), title="Understanding neglect", published=False
    )
    make_session(
        course,
        starts_at=WINTER_MORNING,
        venue=make_venue(name="Riverside House"),
        online_join_url="https://meet.example.org/j/1",
    )
    return course


def pressed(browser: FlaskClient, page_url: str, action_url: str) -> None:
    """Press a button on the page and see it done (a redirect to the page again)."""
    assert press(browser, page_url, action_url).status_code == 302


def pdf_text(public: FlaskClient) -> tuple[str, str]:
    """The PDF's words, whitespace collapsed, and its ETag."""
    response = public.get(PDF)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    words = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return words, response.headers["ETag"]


def feed(public: FlaskClient) -> tuple[list, str]:
    """The feed's events and its ETag."""
    response = public.get(FEED)
    assert response.status_code == 200
    return Calendar.from_ical(response.data).walk("VEVENT"), response.headers["ETag"]


def summaries(events) -> list[str]:
    return [str(event["SUMMARY"]) for event in events]


def test_publishing_a_course_shows_it_everywhere_and_unpublishing_takes_it_away(
    as_coordinator, public, course
):
    url = f"/admin/courses/{course.id}"
    assert "Understanding neglect" not in public.get(PROSPECTUS).text
    assert "Understanding neglect" not in pdf_text(public)[0]
    assert summaries(feed(public)[0]) == []

    pressed(as_coordinator, url, f"{url}/publish")

    assert "Understanding neglect" in public.get(PROSPECTUS).text
    assert public.get(f"/courses/{course.slug}").status_code == 200
    assert "Understanding neglect" in pdf_text(public)[0]
    assert "Thursday 15 January 2037, 9:30am to 12:30pm, Riverside House" in pdf_text(public)[0]
    assert summaries(feed(public)[0]) == ["Understanding neglect"]

    pressed(as_coordinator, url, f"{url}/unpublish")

    assert "Understanding neglect" not in public.get(PROSPECTUS).text
    assert public.get(f"/courses/{course.slug}").status_code == 404
    assert "Understanding neglect" not in pdf_text(public)[0]
    assert summaries(feed(public)[0]) == []


def test_an_edit_replaces_the_cached_pdf_and_feed(app, as_coordinator, public, course):
    url = f"/admin/courses/{course.id}"
    pressed(as_coordinator, url, f"{url}/publish")
    old_pdf, old_pdf_etag = pdf_text(public)
    old_events, old_feed_etag = feed(public)
    assert pdf_text(public)[1] == old_pdf_etag, "the PDF is served from its cache"

    edited = submit(
        as_coordinator,
        f"{url}/edit",
        {
            "prospectus": str(course.prospectus_id),
            "title": "Recognising and responding to neglect",
            "slug": course.slug,
            "summary": "Neglect: the signs, and what to do.",
            "description": "The **signs** of neglect.",
            "audience": "Anyone who works with families.",
            "level": "2",
            "cpd_hours": "3",
            "delivery": "in-person",
        },
    )

    assert edited.status_code == 302
    new_pdf, new_pdf_etag = pdf_text(public)
    new_events, new_feed_etag = feed(public)
    assert "Understanding neglect" in old_pdf
    assert "Recognising and responding to neglect" in new_pdf
    assert "Understanding neglect" not in new_pdf
    assert new_pdf_etag != old_pdf_etag
    assert summaries(old_events) == ["Understanding neglect"]
    assert summaries(new_events) == ["Recognising and responding to neglect"]
    assert new_feed_etag != old_feed_etag
    page = public.get(PROSPECTUS).text
    assert "Recognising and responding to neglect" in page
    assert "Understanding neglect" not in page


def test_a_session_scheduled_and_published_in_admin_is_offered_in_london_time(
    as_coordinator, public, course
):
    url = f"/admin/courses/{course.id}"
    pressed(as_coordinator, url, f"{url}/publish")
    created = submit(
        as_coordinator,
        f"{url}/sessions/new",
        {
            "date": ["11", "6", "2037"],
            "start_time": "9:30am",
            "end_time": "4pm",
            "venue": "online",
            "capacity": "30",
            "cutoff_hours": "72",
        },
    )
    session_url = created.location
    draft_events = summaries(feed(public)[0])

    pressed(as_coordinator, session_url, f"{session_url}/publish")

    assert draft_events == ["Understanding neglect"]
    events, _ = feed(public)
    starts = sorted(event.decoded("DTSTART").astimezone(UTC) for event in events)
    assert starts == [WINTER_MORNING, SUMMER_MORNING]
    assert "Thursday 11 June 2037, 9:30am to 4pm, online" in pdf_text(public)[0]
    course_page = " ".join(
        re.sub(r"<[^>]+>", " ", public.get(f"/courses/{course.slug}").text).split()
    )
    assert "Thursday 11 June 2037 9:30am to 4pm" in course_page


def test_unpublishing_a_session_takes_it_out_of_the_feed_and_pdf(as_coordinator, public, course):
    url = f"/admin/courses/{course.id}"
    pressed(as_coordinator, url, f"{url}/publish")
    session = course.sessions[0]
    session_url = f"/admin/sessions/{session.id}"

    pressed(as_coordinator, session_url, f"{session_url}/unpublish")

    assert summaries(feed(public)[0]) == []
    assert "15 January 2037" not in pdf_text(public)[0]
    assert public.get(f"/sessions/{session.id}").status_code == 404


def test_moving_a_session_moves_it_in_the_feed_and_pdf(as_coordinator, public, course):
    url = f"/admin/courses/{course.id}"
    pressed(as_coordinator, url, f"{url}/publish")
    session = course.sessions[0]
    before, _ = feed(public)

    moved = submit(
        as_coordinator,
        f"/admin/sessions/{session.id}/reschedule",
        {"date": ["11", "6", "2037"], "start_time": "9:30am", "end_time": "12:30pm",
         "venue": "online"},
    )  # fmt: skip

    assert moved.status_code == 302
    after, _ = feed(public)
    assert before[0].decoded("DTSTART").astimezone(UTC) == WINTER_MORNING
    assert after[0].decoded("DTSTART").astimezone(UTC) == SUMMER_MORNING
    assert int(after[0]["SEQUENCE"]) == int(before[0]["SEQUENCE"]) + 1
    assert "Thursday 11 June 2037, 9:30am to 12:30pm, online" in pdf_text(public)[0]


def test_unpublishing_a_prospectus_takes_down_its_page_pdf_and_feed(as_coordinator, public, course):
    url = f"/admin/prospectuses/{course.prospectus_id}"

    pressed(as_coordinator, url, f"{url}/unpublish")

    for address in (PROSPECTUS, PDF, FEED):
        assert public.get(address).status_code == 404, address
    pressed(as_coordinator, url, f"{url}/publish")
    assert public.get(PROSPECTUS).status_code == 200


def test_a_course_description_reaches_the_public_through_the_sanitiser(
    as_coordinator, public, course
):
    url = f"/admin/courses/{course.id}"
    submit(
        as_coordinator,
        f"{url}/edit",
        {
            "prospectus": str(course.prospectus_id),
            "title": course.title,
            "slug": course.slug,
            "summary": "Neglect.",
            "description": "## Signs\n\nThe **signs**.<script>alert(1)</script> "
            "[Bad](javascript:alert(2))",
            "audience": "Anyone.",
            "level": "1",
            "cpd_hours": "3",
            "delivery": "in-person",
        },
    )
    pressed(as_coordinator, url, f"{url}/publish")

    page = public.get(f"/courses/{course.slug}").text

    assert "<h2>Signs</h2>" in page and "<strong>signs</strong>" in page
    assert "<script>alert(1)" not in page
    assert "javascript:" not in page
