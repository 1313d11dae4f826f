"""Public pages are kept rendered until what they show changes: asked again, a page costs
one statement (the catalogue's version), and a booking or an edit shows at the next
request."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import update

from app.catalogue import version as catalogue_version
from app.extensions import db
from app.models import (
    Booking,
    BookingStatus,
    ChargingBand,
    Course,
    CourseSession,
    Prerequisite,
    Role,
    utcnow,
)
from tests.conftest import press, signed_in_as, words
from tests.factories import (
    PASSWORD,
    fill,
    link,
    make_agency,
    make_booking,
    make_case_review,
    make_course,
    make_prospectus,
    make_session,
    make_user,
)
from tests.test_prerequisites_web import attend


@pytest.fixture
def catalogue(app):
    prospectus = make_prospectus()
    make_prospectus(slug="early-help", title="Early Help prospectus")
    course = make_course(prospectus, slug="neglect", title="Neglect: seeing it early")
    session = make_session(course, capacity=10)
    fill(session, 3)
    review = make_case_review(slug="child-r")
    link(course, review)
    db.session.commit()
    return course, session


def public_pages(session: CourseSession) -> list[str]:
    month = (utcnow() + timedelta(days=14)).strftime("%Y-%m")
    return [
        "/",
        "/prospectuses",
        "/prospectuses/multi-agency",
        "/prospectuses/early-help",
        f"/prospectuses/multi-agency?q=neglect&level=1&month={month}&places=y",
        "/prospectuses/multi-agency?level=9",
        "/search?q=neglect",
        "/search?q=neglect&places=y",
        "/courses/neglect",
        f"/sessions/{session.id}",
        "/case-reviews",
        "/case-reviews/child-r",
    ]


def test_a_public_page_asked_again_costs_only_the_version_check(client, catalogue, count_queries):
    _, session = catalogue
    for url in public_pages(session):
        first = client.get(url)
        with count_queries() as counted:
            again = client.get(url)

        assert len(counted) == 1, (url, counted.statements)
        assert "catalogue_version" in counted.statements[0], url
        assert (again.status_code, again.text) == (first.status_code, first.text), url


def test_a_kept_page_carries_an_etag_and_answers_304_to_it(client, catalogue, count_queries):
    page = client.get("/courses/neglect")
    assert page.headers["Cache-Control"] == "no-cache"
    assert page.headers["ETag"]

    with count_queries() as counted:
        unchanged = client.get("/courses/neglect", headers={"If-None-Match": page.headers["ETag"]})

    assert unchanged.status_code == 304
    assert unchanged.data == b""
    assert len(counted) == 1


def test_a_booking_shows_at_once_on_the_session_and_the_course(app, client, catalogue):
    _, session = catalogue
    session_url = f"/sessions/{session.id}"
    for url in (session_url, "/courses/neglect"):
        assert "7 places left" in words(client.get(url).text)
        etag = client.get(url).headers["ETag"]
    person = make_user(password=PASSWORD)
    browser = signed_in_as(app, person)

    booked = press(browser, f"{session_url}/book", f"{session_url}/book", {"access_needs": ""})

    assert booked.status_code == 302
    for url in (session_url, "/courses/neglect"):
        assert "6 places left" in words(client.get(url).text), url
    assert client.get("/courses/neglect", headers={"If-None-Match": etag}).status_code == 200


def test_a_cancellation_gives_the_place_back_on_the_pages_at_once(client, catalogue):
    _, session = catalogue
    booking = make_booking(session)
    db.session.commit()
    assert "6 places left" in words(client.get(f"/sessions/{session.id}").text)

    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = utcnow()
    db.session.commit()

    assert "7 places left" in words(client.get(f"/sessions/{session.id}").text)
    assert "7 places left" in words(client.get("/courses/neglect").text)


def test_a_list_of_courses_with_places_left_follows_the_places(client, catalogue):
    _, session = catalogue
    url = "/prospectuses/multi-agency?places=y"
    assert "Neglect: seeing it early" in client.get(url).text

    fill(session, 7)
    db.session.commit()

    assert "Neglect: seeing it early" not in client.get(url).text
    assert "Neglect: seeing it early" not in client.get("/search?q=neglect&places=y").text


def test_an_edit_of_the_catalogue_shows_on_every_page_at_once(client, catalogue):
    course, session = catalogue
    for url in public_pages(session):
        client.get(url)
    before = catalogue_version.current(db.session)

    course.title = "Neglect: acting early"
    db.session.commit()

    assert catalogue_version.current(db.session) != before
    for url in ("/", "/prospectuses/multi-agency", "/courses/neglect", "/case-reviews/child-r"):
        page = client.get(url).text
        if url != "/":
            assert "Neglect: acting early" in page, url
    assert "Neglect: acting early" in client.get(f"/sessions/{session.id}").text


def test_a_change_made_by_a_statement_moves_the_version_on_too(client, catalogue):
    course, _ = catalogue
    client.get("/courses/neglect")

    db.session.execute(update(Course).where(Course.id == course.id).values(summary="Rewritten"))
    db.session.commit()

    assert "Rewritten" in client.get("/courses/neglect").text


def test_reading_the_catalogue_leaves_the_version_alone(client, catalogue):
    before = catalogue_version.current(db.session)
    client.get("/courses/neglect")
    db.session.commit()

    assert catalogue_version.current(db.session) == before


def test_a_session_that_has_started_leaves_the_kept_course_page(client, catalogue):
    course, _ = catalogue
    soon = make_session(course, starts_at=utcnow() + timedelta(hours=1), capacity=5)
    db.session.commit()
    assert f"/sessions/{soon.id}" in client.get("/courses/neglect").text
    assert f"/sessions/{soon.id}" in client.get("/courses/neglect").text

    with time_machine.travel(soon.starts_at + timedelta(seconds=1)):
        page = client.get("/courses/neglect").text

    assert f"/sessions/{soon.id}" not in page


def test_someone_signed_in_gets_the_kept_body_under_their_own_header(
    app, client, catalogue, count_queries
):
    coordinator = make_user(password=PASSWORD, name="Priya Shah", role=Role.COORDINATOR)
    visitor_page = client.get("/prospectuses/multi-agency").text
    browser = signed_in_as(app, coordinator)

    page = browser.get("/prospectuses/multi-agency")

    assert page.status_code == 200
    assert "Priya Shah" in page.text
    assert "Administration" in page.text
    assert "no-store" in page.headers["Cache-Control"]
    assert "ETag" not in page.headers
    assert 'name="csrf_token"' in page.text  # the sign-out button, in their own header
    body = visitor_page.split('id="main-content"')[1].split("</main>")[0]
    assert body in page.text
    assert "Priya Shah" not in client.get("/prospectuses/multi-agency").text


def test_a_body_first_rendered_for_someone_signed_in_holds_nothing_of_theirs(app, catalogue):
    person = make_user(password=PASSWORD, name="Sam Okafor")
    browser = signed_in_as(app, person)
    assert "Sam Okafor" in browser.get("/case-reviews").text

    visitor = app.test_client().get("/case-reviews")

    assert "Sam Okafor" not in visitor.text
    assert 'name="csrf_token"' not in visitor.text
    assert "Sign in" in visitor.text


def main_content(page: str) -> str:
    return page.split('id="main-content"')[1].split("</main>")[0]


def test_a_signed_in_course_page_takes_its_body_from_the_cache(
    app, client, catalogue, count_queries
):
    course, session = catalogue
    first_course = make_course(course.prospectus, slug="first-steps", title="First steps")
    db.session.add(Prerequisite(course=course, required_course=first_course, within_years=3))
    attended_it, has_not = make_user(password=PASSWORD), make_user(password=PASSWORD)
    attend(attended_it, first_course)
    visitor_page = client.get("/courses/neglect").text
    met, not_met = signed_in_as(app, attended_it), signed_in_as(app, has_not)

    with count_queries() as counted:
        page = met.get("/courses/neglect").text
    other = not_met.get("/courses/neglect").text

    assert not any("lesson_link" in statement for statement in counted.statements)
    assert not any("FROM venue" in statement for statement in counted.statements)
    assert "You cannot book this course yet" not in words(page)
    assert "Met" in words(page)
    assert "You cannot book this course yet" in words(other)
    assert "Sign in to see whether you have" in words(visitor_page)
    assert "Sign in to see whether you have" not in words(page + other)
    assert "Lessons from case reviews" in page
    assert "<!--part" not in page + other + visitor_page
    assert (
        main_content(page).split("Before you book")[0]
        == main_content(visitor_page).split("Before you book")[0]
    )
    for browser in (met, not_met):  # the first renders and keeps the session's page
        browser.get(f"/sessions/{session.id}")
    assert "You cannot book this course yet" in words(not_met.get(f"/sessions/{session.id}").text)
    assert "Book a place" in words(met.get(f"/sessions/{session.id}").text)


def test_a_signed_in_session_page_has_their_booking_their_charge_and_the_kept_body(
    app, client, catalogue
):
    _, session = catalogue
    school = make_agency(name="Oakwood School", charging_band=ChargingBand.CHARGEABLE)
    booked, not_booked = make_user(password=PASSWORD), make_user(password=PASSWORD, agency=school)
    db.session.add(Booking(session=session, user=booked, status=BookingStatus.CONFIRMED))
    db.session.commit()
    url = f"/sessions/{session.id}"
    first = signed_in_as(app, booked).get(url).text
    browser = signed_in_as(app, not_booked)

    page = browser.get(url).text
    visitor_page = client.get(url).text

    assert "You have a booking for this session" in first
    assert "You have a booking for this session" not in page + visitor_page
    assert "Book a place" in words(page)
    assert "Oakwood School is charged" in words(page)
    assert "Oakwood School" not in first + visitor_page
    assert "Agencies in the chargeable band are charged" in words(visitor_page)
    assert "6 places left" in words(page)
    assert main_content(page).split("Charges")[0] == main_content(visitor_page).split("Charges")[0]


def test_a_kept_body_with_own_parts_costs_a_fixed_number_of_statements(
    app, catalogue, count_queries
):
    _, session = catalogue
    person = make_user(password=PASSWORD)
    browser = signed_in_as(app, person)
    for url in ("/courses/neglect", f"/sessions/{session.id}"):
        browser.get(url)
        with count_queries() as few:
            browser.get(url)
        for _ in range(5):
            make_session(session.course, capacity=4)
        link(session.course, make_case_review())
        db.session.commit()
        with count_queries() as rendered:
            browser.get(url)
        with count_queries() as more:
            browser.get(url)

        assert len(more) == len(few), (url, more.statements)
        assert len(few) < len(rendered), url


def test_a_session_page_kept_before_the_cancellation_cut_off_says_so_once_it_passes(app, client):
    with time_machine.travel(datetime(2027, 1, 12, 10, tzinfo=UTC), tick=False) as clock:
        course = make_course(make_prospectus(), slug="neglect")
        session = make_session(course, starts_at=datetime(2027, 1, 15, 12, tzinfo=UTC))
        db.session.commit()
        url = f"/sessions/{session.id}"
        assert "Cancel by midday on Tuesday 12 January 2027" in words(client.get(url).text)
        assert "Cancel by" in words(client.get(url).text)

        clock.move_to(datetime(2027, 1, 12, 12, 0, 1, tzinfo=UTC))
        page = words(client.get(url).text)

    assert "Cancel by" not in page
    assert "The cancellation cut-off, 72 hours before the start, has passed" in page


def test_messages_shown_once_are_never_kept(app, client, catalogue):
    client.get("/")
    person = make_user(password=PASSWORD)
    browser = signed_in_as(app, person)
    browser.get("/")
    signed_out = press(browser, "/", "/account/sign-out")

    after = browser.get(signed_out.headers["Location"])

    assert "signed out" in words(after.text).lower()
    assert "signed out" not in words(browser.get("/").text).lower()
    assert "signed out" not in words(client.get("/").text).lower()


def test_the_prospectus_feed_is_kept_by_the_same_version(client, catalogue, count_queries):
    course, _ = catalogue
    client.get("/prospectuses/multi-agency/sessions.ics")
    with count_queries() as counted:
        again = client.get("/prospectuses/multi-agency/sessions.ics")
    assert len(counted) == 2  # the prospectus, and the catalogue's version
    assert any("catalogue_version" in statement for statement in counted.statements)

    course.title = "Neglect: acting early"
    db.session.commit()

    changed = client.get("/prospectuses/multi-agency/sessions.ics")
    assert changed.headers["ETag"] != again.headers["ETag"]
    assert "Neglect: acting early" in changed.text
