"""The trainer's pages under /trainer, as trainers and coordinators use them: who may see
each, the register, attendance, walk-ins, the email to everyone booked, changes to the
session with the mail they send, the audit log they write, and their query counts.

The rules themselves are tested without HTTP in test_trainer_rules.py.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.display import LONDON, in_london
from app.extensions import db
from app.models import (
    Attendance,
    AuditEntry,
    Booking,
    BookingStatus,
    CourseSession,
    Role,
    SessionStatus,
    User,
    utcnow,
)
from tests.conftest import csrf_token, signed_in_as, submit, words
from tests.factories import (
    PASSWORD,
    make_agency,
    make_booking,
    make_course,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
)

TITLE = "Working together to safeguard children"


# Sessions ---------------------------------------------------------------------------------


@pytest.fixture
def course(app):
    return make_course(make_prospectus(), title=TITLE, slug="working-together")


@pytest.fixture
def to_come(course, trainer) -> CourseSession:
    return make_session(
        course, capacity=2, venue=make_venue(name="Riverside House"), trainers=[trainer]
    )


@pytest.fixture
def under_way(course, trainer) -> CourseSession:
    return make_session(
        course, starts_at=utcnow().replace(microsecond=0) - timedelta(hours=1), trainers=[trainer]
    )


def register_url(session) -> str:
    return f"/trainer/sessions/{session.id}"


def page_token(browser, session) -> str:
    """The CSRF token of the register page's forms (each written without an id)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(register_url(session)).text)
    assert found, "the register has no form"
    return found.group(1)


def value_of(page, input_id: str) -> str:
    """What a text box on the page holds."""
    found = re.search(rf'id="{input_id}"[^>]*?value="([^"]*)"', page.text)
    assert found, f"no #{input_id} with a value"
    return unescape(found.group(1))


def reloaded(model, id_: int):
    db.session.expire_all()
    return db.session.get(model, id_)


def audit_entries(record_type: str, record_id: int) -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.record_type == record_type, AuditEntry.record_id == record_id)
            .order_by(AuditEntry.id)
        )
    )


# Who may see what -------------------------------------------------------------------------

#: Every trainer page; those marked started are for a session under way, the rest for one to
#: come (changes are offered only before the start, walk-ins only after it).
GET_PAGES = [
    ("/trainer/sessions/{id}", False),
    ("/trainer/sessions/{id}/register.csv", False),
    ("/trainer/sessions/{id}/sign-in-sheet.pdf", False),
    ("/trainer/sessions/{id}/email", False),
    ("/trainer/sessions/{id}/change", False),
    ("/trainer/sessions/{id}/capacity", False),
    ("/trainer/sessions/{id}/cancel", False),
    ("/trainer/sessions/{id}/walk-in", True),
]
POSTS = [
    "/trainer/sessions/{id}/bookings/{booking}/attendance",
    "/trainer/sessions/{id}/attendance",
    "/trainer/sessions/{id}/walk-in",
    "/trainer/sessions/{id}/email",
    "/trainer/sessions/{id}/change",
    "/trainer/sessions/{id}/capacity",
    "/trainer/sessions/{id}/cancel",
]


@pytest.fixture
def sessions(to_come, under_way) -> dict[bool, CourseSession]:
    return {False: to_come, True: under_way}


def expect_sign_in(response, path: str) -> None:
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/account/sign-in"
    assert path in unescape(location.query).replace("%2F", "/")


@pytest.mark.parametrize(("url", "started"), GET_PAGES)
def test_each_page_asks_a_visitor_to_sign_in(client, sessions, url, started):
    path = url.format(id=sessions[started].id)

    expect_sign_in(client.get(path), path)


def test_the_session_list_asks_a_visitor_to_sign_in(client):
    expect_sign_in(client.get("/trainer"), "/trainer")


@pytest.mark.parametrize(("url", "started"), [*GET_PAGES, ("/trainer", False)])
def test_a_professional_is_refused_every_page(app, sessions, url, started):
    browser = signed_in_as(app, make_user(password=PASSWORD))

    assert browser.get(url.format(id=sessions[started].id)).status_code == 403


@pytest.mark.parametrize(("url", "started"), GET_PAGES)
def test_a_trainer_not_assigned_is_refused_the_session(app, sessions, url, started):
    other = signed_in_as(app, make_user(password=PASSWORD, role=Role.TRAINER))

    assert other.get(url.format(id=sessions[started].id)).status_code == 403


@pytest.mark.parametrize(("url", "started"), [*GET_PAGES, ("/trainer", False)])
def test_the_assigned_trainer_sees_every_page(as_trainer, sessions, url, started):
    assert as_trainer.get(url.format(id=sessions[started].id)).status_code == 200


@pytest.mark.parametrize(("url", "started"), [*GET_PAGES, ("/trainer", False)])
def test_a_coordinator_sees_every_page_without_being_assigned(
    as_coordinator, sessions, url, started
):
    assert as_coordinator.get(url.format(id=sessions[started].id)).status_code == 200


@pytest.mark.parametrize(("url", "started"), GET_PAGES)
def test_a_missing_session_is_not_found(as_coordinator, url, started):
    assert as_coordinator.get(url.format(id=999999)).status_code == 404


@pytest.mark.parametrize("url", POSTS)
def test_no_change_can_be_posted_by_anyone_who_does_not_manage_the_session(app, under_way, url):
    booking = make_booking(under_way)
    path = url.format(id=under_way.id, booking=booking.id)
    visitor = app.test_client()
    professional = signed_in_as(app, make_user(password=PASSWORD))
    other_trainer = signed_in_as(app, make_user(password=PASSWORD, role=Role.TRAINER))

    anonymous_token = csrf_token(visitor.get("/account/sign-in").text)
    anonymous = visitor.post(path, data={"csrf_token": anonymous_token, "attendance": "attended"})
    refused = [
        browser.post(
            path,
            data={"csrf_token": page_token_of(browser), "attendance": "attended", "capacity": 50},
        ).status_code
        for browser in (professional, other_trainer)
    ]

    expect_sign_in(anonymous, path)
    assert refused == [403, 403]
    assert reloaded(Booking, booking.id).attendance is None
    assert reloaded(CourseSession, under_way.id).capacity == 20


def page_token_of(browser) -> str:
    """A valid CSRF token for a signed-in browser: its sign-out form carries one."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/").text)
    assert found
    return found.group(1)


# Your sessions ----------------------------------------------------------------------------


def test_a_trainer_sees_their_sessions_with_places_waiting_and_capacity(
    as_trainer, course, to_come, under_way
):
    make_booking(to_come)
    make_booking(to_come, BookingStatus.AWAITING_APPROVAL)
    make_booking(to_come, BookingStatus.WAITING)
    make_booking(to_come, BookingStatus.CANCELLED)
    make_session(course, starts_at=utcnow() + timedelta(days=3))
    past = make_session(
        course, starts_at=utcnow() - timedelta(days=40), trainers=[to_come.trainers[0]]
    )

    page = as_trainer.get("/trainer")

    text = words(page.text)
    assert page.status_code == 200
    assert text.count(TITLE) == 3
    upcoming, _, past_part = text.partition("Past")
    assert "2 of 2" in upcoming
    assert "Under way" in upcoming
    assert in_london(past.starts_at).strftime("%B") in past_part
    assert f'href="/trainer/sessions/{to_come.id}"' in page.text


def test_a_coordinator_is_told_they_see_every_session(as_coordinator, course):
    make_session(course)

    text = words(as_coordinator.get("/trainer").text)

    assert "As a coordinator you see every session" in text
    assert TITLE in text


def test_a_trainer_with_no_sessions_is_told_so(app):
    browser = signed_in_as(app, make_user(password=PASSWORD, role=Role.TRAINER))

    assert "You are not assigned to any sessions still to come." in words(
        browser.get("/trainer").text
    )


def test_past_sessions_come_a_page_at_a_time(as_trainer, course, trainer):
    for days in range(1, 23):
        make_session(course, starts_at=utcnow() - timedelta(days=days), trainers=[trainer])

    first, second = as_trainer.get("/trainer"), as_trainer.get("/trainer?page=2")

    assert first.text.count("/trainer/sessions/") == 20
    assert 'href="/trainer?page=2#past"' in first.text
    assert second.text.count("/trainer/sessions/") == 2


def grow(course, trainer, sessions: int) -> None:
    for number in range(sessions):
        starts_at = utcnow() + timedelta(days=number - sessions // 2)
        session = make_session(
            course, starts_at=starts_at, venue=make_venue(), trainers=[trainer, make_user()]
        )
        make_booking(session, agency=make_agency())
        make_booking(session, BookingStatus.WAITING)


@pytest.mark.parametrize("who", ["trainer", "coordinator"])
def test_the_session_list_costs_the_same_queries_however_many_sessions(
    request, course, trainer, count_queries, who
):
    browser = request.getfixturevalue(f"as_{who}")
    grow(course, trainer, 2)
    with count_queries() as few:
        assert browser.get("/trainer").status_code == 200
    grow(course, trainer, 10)
    with count_queries() as many:
        assert browser.get("/trainer").status_code == 200

    assert len(many) == len(few)


# The register -----------------------------------------------------------------------------


def test_the_register_shows_each_person_and_the_waiting_list_in_turn(as_trainer, to_come):
    agency = make_agency(name="Rotherham Hospital")
    make_booking(
        to_come,
        name="Zoë Zephyr",
        job_title="Midwife",
        agency=agency,
        access_needs="A hearing loop",
    )
    make_booking(to_come, BookingStatus.AWAITING_APPROVAL, name="Ann Approval")
    second = make_booking(to_come, BookingStatus.WAITING, name="Will Second")
    first = make_booking(to_come, BookingStatus.WAITING, name="Wendy First")
    first.created_at, second.created_at = utcnow() - timedelta(days=2), utcnow()
    make_booking(to_come, BookingStatus.CANCELLED, name="Carl Cancelled")

    text = words(as_trainer.get(register_url(to_come)).text)

    people, _, waiting = text.partition("Waiting list In turn")
    assert people.index("Ann Approval") < people.index("Zoë Zephyr")
    assert "Zoë Zephyr" in people
    assert "Rotherham Hospital Midwife" in people
    assert "A hearing loop" in people
    assert "Waiting for their manager's approval" in people
    assert waiting.index("Wendy First") < waiting.index("Will Second")
    assert "Carl Cancelled" not in text
    assert "2 of 2 taken" in text


def test_before_the_start_the_register_says_when_marking_opens(as_trainer, to_come):
    make_booking(to_come)

    page = as_trainer.get(register_url(to_come))

    assert "You can mark attendance from the start of the session" in words(page.text)
    assert "/attendance" not in page.text
    assert "/walk-in" not in page.text


def test_the_register_costs_the_same_queries_however_many_people(
    as_trainer, to_come, count_queries
):
    def add_people(number: int) -> None:
        for _ in range(number):
            make_booking(to_come, agency=make_agency())
            offered = make_booking(to_come, BookingStatus.OFFERED, agency=make_agency())
            offered.approval_expires_at = min(utcnow() + timedelta(hours=4), to_come.starts_at)
            make_booking(to_come, BookingStatus.WAITING, agency=make_agency())

    add_people(1)
    with count_queries() as few:
        assert as_trainer.get(register_url(to_come)).status_code == 200
    add_people(8)
    with count_queries() as many:
        assert as_trainer.get(register_url(to_come)).status_code == 200

    assert len(many) == len(few)


def test_the_register_of_a_session_under_way_costs_the_same_queries_once_marked(
    as_trainer, under_way, trainer, count_queries
):
    url = register_url(under_way)
    marker = make_user()
    for _ in range(2):
        make_booking(under_way, agency=make_agency())
    with count_queries() as few:
        as_trainer.get(url)
    for _ in range(6):
        booking = make_booking(under_way, agency=make_agency())
        booking.attendance, booking.attendance_marked_by = Attendance.ATTENDED, marker
    db.session.commit()
    with count_queries() as many:
        as_trainer.get(url)

    assert len(many) == len(few)


# Attendance -------------------------------------------------------------------------------


def mark(browser, session, booking, attendance: str, **kwargs):
    return browser.post(
        f"/trainer/sessions/{session.id}/bookings/{booking.id}/attendance",
        data={"csrf_token": page_token(browser, session), "attendance": attendance},
        **kwargs,
    )


def test_marking_a_person_returns_to_their_row_and_says_so(as_trainer, under_way):
    booking = make_booking(under_way, name="Jo Bloggs")

    done = mark(as_trainer, under_way, booking, "did-not-attend")

    assert done.status_code == 302
    assert done.headers["Location"] == f"{register_url(under_way)}#booking-{booking.id}"
    page = words(as_trainer.get(done.headers["Location"]).text)
    assert "Jo Bloggs: did not attend." in page
    assert "Did not attend by Sam Trainer" in page
    assert reloaded(Booking, booking.id).attendance is Attendance.DID_NOT_ATTEND


def test_a_mark_is_in_the_audit_log_with_who_made_it_and_before_and_after(
    as_trainer, under_way, trainer
):
    booking = make_booking(under_way)
    mark(as_trainer, under_way, booking, "attended")

    mark(as_trainer, under_way, booking, "left-early")

    first, second = audit_entries("booking", booking.id)
    assert (first.actor_id, first.action) == (trainer.id, "changed")
    assert first.changes["attendance"] == [None, "attended"]
    assert first.changes["attendance_marked_by_id"] == [None, trainer.id]
    assert second.changes["attendance"] == ["attended", "left-early"]


def test_marking_before_the_start_is_refused_with_the_reason(as_trainer, to_come):
    booking = make_booking(to_come)

    done = mark(as_trainer, to_come, booking, "attended", follow_redirects=True)

    assert "You can mark attendance from the start of the session" in words(done.text)
    assert reloaded(Booking, booking.id).attendance is None


def test_an_unknown_mark_is_a_bad_request(as_trainer, under_way):
    booking = make_booking(under_way)

    assert mark(as_trainer, under_way, booking, "asleep").status_code == 400
    assert reloaded(Booking, booking.id).attendance is None


def test_marking_everyone_keeps_the_marks_already_given(as_trainer, under_way):
    absent = make_booking(under_way)
    mark(as_trainer, under_way, absent, "did-not-attend")
    others = [make_booking(under_way), make_booking(under_way)]

    done = as_trainer.post(
        f"/trainer/sessions/{under_way.id}/attendance",
        data={"csrf_token": page_token(as_trainer, under_way)},
        follow_redirects=True,
    )

    assert "2 people marked as attended." in words(done.text)
    assert reloaded(Booking, absent.id).attendance is Attendance.DID_NOT_ATTEND
    assert all(reloaded(Booking, b.id).attendance is Attendance.ATTENDED for b in others)


# Walk-ins ---------------------------------------------------------------------------------


def walk_in_url(session) -> str:
    return f"/trainer/sessions/{session.id}/walk-in"


def test_someone_with_an_account_is_added_by_email(as_trainer, under_way, trainer):
    person = make_user(name="Jo Bloggs", email="jo@example.org")

    done = submit(as_trainer, walk_in_url(under_way), {"email": "JO@example.org", "agency": ""})

    (booking,) = db.session.scalars(select(Booking).filter_by(session_id=under_way.id))
    assert done.status_code == 302
    assert done.headers["Location"] == f"{register_url(under_way)}#booking-{booking.id}"
    assert booking.user_id == person.id
    page = words(as_trainer.get(done.headers["Location"]).text)
    assert "Jo Bloggs is on the register, marked as attended." in page
    assert "Walked in" in page
    (entry,) = audit_entries("booking", booking.id)
    assert (entry.actor_id, entry.action) == (trainer.id, "created")
    assert entry.changes["walk_in"] == [None, True]
    assert entry.changes["attendance"] == [None, "attended"]


def test_someone_new_is_added_with_an_account_that_is_in_the_audit_log(
    as_trainer, under_way, trainer
):
    agency = make_agency(name="Rotherham Hospital")

    submit(
        as_trainer,
        walk_in_url(under_way),
        {
            "email": "new@example.org",
            "name": "New Person",
            "agency": str(agency.id),
            "job_title": "Midwife",
        },
    )

    person = db.session.scalars(select(User).filter_by(email="new@example.org")).one()
    (entry,) = audit_entries("person", person.id)
    assert (entry.actor_id, entry.action) == (trainer.id, "created")
    assert entry.changes["name"] == [None, "New Person"]
    assert "password_hash" not in entry.changes


def test_the_walk_in_form_shows_errors_and_keeps_what_was_typed(as_trainer, under_way):
    answer = submit(
        as_trainer,
        walk_in_url(under_way),
        {"email": "new@example.org", "name": "", "agency": "", "job_title": "Typed job"},
    )

    assert answer.status_code == 400
    assert "There is a problem" in answer.text
    assert 'href="#name"' in answer.text
    assert 'href="#agency"' in answer.text
    assert "No account uses that email address: enter the person&#39;s full name" in answer.text
    assert value_of(answer, "email") == "new@example.org"
    assert value_of(answer, "job_title") == "Typed job"
    assert db.session.scalars(select(User).filter_by(email="new@example.org")).first() is None


def test_the_walk_in_form_needs_an_email_address(as_trainer, under_way):
    answer = submit(as_trainer, walk_in_url(under_way), {"email": "", "agency": ""})

    assert answer.status_code == 400
    assert "Enter their email address" in answer.text


def test_someone_already_confirmed_is_refused_at_the_email_field(as_trainer, under_way):
    make_booking(under_way, name="Jo Bloggs", email="jo@example.org")

    answer = submit(as_trainer, walk_in_url(under_way), {"email": "jo@example.org", "agency": ""})

    assert answer.status_code == 400
    assert "Jo Bloggs already has a place on this session" in unescape(answer.text)
    assert 'href="#email"' in answer.text


def test_the_walk_in_page_before_the_start_goes_back_to_the_register(as_trainer, to_come):
    answer = as_trainer.get(walk_in_url(to_come), follow_redirects=True)

    assert "You can mark attendance from the start of the session" in words(answer.text)


# Email to everyone booked -----------------------------------------------------------------


def email_url(session) -> str:
    return f"/trainer/sessions/{session.id}/email"


def test_the_email_page_says_who_gets_it(as_trainer, to_come):
    make_booking(to_come, name="Ann Confirmed")
    make_booking(to_come, BookingStatus.WAITING, name="Will Waiting")

    text = words(as_trainer.get(email_url(to_come)).text)

    assert "Each of the 1 person with a confirmed place gets their own copy" in text
    assert "Ann Confirmed" in text
    assert "Will Waiting" not in text


def test_an_empty_email_is_shown_again_with_its_errors(as_trainer, to_come):
    make_booking(to_come)

    answer = submit(as_trainer, email_url(to_come), {"subject": "Kept subject", "message": " "})

    assert answer.status_code == 400
    assert "There is a problem" in answer.text
    assert 'href="#message"' in answer.text
    assert "Enter a message" in answer.text
    assert value_of(answer, "subject") == "Kept subject"


def test_everyone_with_a_place_is_mailed_one_message_each(as_trainer, to_come, mailbox):
    first, second = make_booking(to_come), make_booking(to_come)
    waiting = make_booking(to_come, BookingStatus.WAITING)

    done = submit(
        as_trainer,
        email_url(to_come),
        {"subject": "Parking", "message": "Park behind the building.\n\nSee you there."},
    )

    assert done.status_code == 302
    assert "Your message is on its way to 2 people." in words(as_trainer.get(done.location).text)
    for booking in (first, second):
        (message,) = mailbox.to(booking.user.email)
        assert message["Subject"] == "Parking"
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert "Park behind the building." in text
        assert "Sam Trainer, who runs this session" in text
    assert mailbox.to(waiting.user.email) == []


# Changing the session ---------------------------------------------------------------------


def change_url(session) -> str:
    return f"/trainer/sessions/{session.id}/change"


def next_year_day(month: int, day: int = 15) -> date:
    return date(in_london(utcnow()).year + 1, month, day)


def spring_forward_day() -> date:
    """Next year's last Sunday in March, when London's clocks skip 1am to 2am."""
    day = date(in_london(utcnow()).year + 1, 3, 31)
    while day.weekday() != 6:
        day -= timedelta(days=1)
    return day


def session_form(day: date, starts: str, ends: str, venue: str) -> dict:
    return {
        "day": [str(day.day), str(day.month), str(day.year)],
        "starts": starts,
        "ends": ends,
        "venue": venue,
    }


def test_the_change_form_shows_the_times_as_london_clocks_show_them(as_trainer, course, trainer):
    summer = datetime.combine(next_year_day(6), time(8, 30), UTC)
    session = make_session(course, starts_at=summer, hours=3, trainers=[trainer])

    page = as_trainer.get(change_url(session))

    assert value_of(page, "starts") == "9:30am"
    assert value_of(page, "ends") == "12:30pm"
    assert [value_of(page, f"day-{part}") for part in ("day", "month", "year")] == [
        "15",
        "06",
        str(summer.year),
    ]


@pytest.mark.parametrize(("month", "utc_hour"), [(1, 9), (7, 8)])
def test_a_new_time_is_read_in_london_time_in_winter_and_summer(
    as_trainer, to_come, month, utc_hour
):
    day = next_year_day(month)

    done = submit(
        as_trainer, change_url(to_come), session_form(day, "9:30am", "1pm", str(to_come.venue_id))
    )

    assert done.status_code == 302
    moved = reloaded(CourseSession, to_come.id)
    assert moved.starts_at == datetime.combine(day, time(utc_hour, 30), UTC)
    assert moved.ends_at == datetime.combine(day, time(13), LONDON)


def test_moving_the_session_mails_everyone_with_a_place_the_updated_invite(
    as_trainer, to_come, mailbox
):
    booking = make_booking(to_come)
    day = next_year_day(7)

    done = submit(
        as_trainer, change_url(to_come), session_form(day, "10am", "midday", str(to_come.venue_id))
    )

    assert "Everyone with a place has been emailed the new details" in words(
        as_trainer.get(done.location).text
    )
    (message,) = mailbox.to(booking.user.email)
    assert message["Subject"] == f"Session changed: {TITLE}"
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    (event,) = Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime.combine(day, time(10), LONDON)
    assert event["SEQUENCE"] >= 1


def test_a_session_change_is_in_the_audit_log(as_trainer, to_come, trainer):
    before = to_come.starts_at.isoformat()
    day = next_year_day(1)

    submit(as_trainer, change_url(to_come), session_form(day, "9am", "1pm", str(to_come.venue_id)))

    (entry,) = audit_entries("session", to_come.id)
    assert (entry.actor_id, entry.action) == (trainer.id, "changed")
    assert entry.changes["starts_at"] == [before, datetime.combine(day, time(9), UTC).isoformat()]


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (session_form(next_year_day(2), "", "1pm", "{venue}"), "starts", "Enter the start time"),
        (
            session_form(next_year_day(2), "25:00", "1pm", "{venue}"),
            "starts",
            "Enter the start time as a time of day, like 9:30am or 14:00",
        ),
        (
            session_form(next_year_day(2), "2pm", "1pm", "{venue}"),
            "ends",
            "The end time must be after the start time",
        ),
        (
            {**session_form(next_year_day(2), "9am", "1pm", "{venue}"), "day": ["31", "2", "2030"]},
            "day",
            "The date of the session must be a real date, like 27 3 2026",
        ),
        (
            {**session_form(next_year_day(2), "9am", "1pm", "{venue}"), "day": ["", "", ""]},
            "day",
            "Enter the date of the session",
        ),
        (
            session_form(spring_forward_day(), "1:30am", "3am", "{venue}"),
            "starts",
            "the clocks go forward an hour that night",
        ),
        (
            session_form(date(2020, 1, 15), "9am", "1pm", "{venue}"),
            "day",
            "The new start must be in the future",
        ),
        (
            session_form(next_year_day(2), "9am", "1pm", "online"),
            "venue",
            "Choose where the session is from the list",
        ),
    ],
)
def test_the_change_form_shows_errors_and_changes_nothing(
    as_trainer, to_come, form, field, message
):
    form = {**form, "venue": form["venue"].format(venue=to_come.venue_id)}
    starts_at = to_come.starts_at

    answer = submit(as_trainer, change_url(to_come), form)

    assert answer.status_code == 400
    assert "There is a problem" in answer.text
    assert f'href="#{field}"' in answer.text
    assert message in unescape(answer.text)
    assert value_of(answer, "starts") == form["starts"]
    assert reloaded(CourseSession, to_come.id).starts_at == starts_at


def test_raising_the_capacity_gives_the_first_person_waiting_a_place(as_trainer, to_come, mailbox):
    make_booking(to_come)
    make_booking(to_come)
    waiting = make_booking(to_come, BookingStatus.WAITING)

    done = submit(as_trainer, f"/trainer/sessions/{to_come.id}/capacity", {"capacity": "3"})

    assert "The session now has 3 places. 1 person from the waiting list offered a place" in words(
        as_trainer.get(done.location).text
    )
    assert reloaded(Booking, waiting.id).status is BookingStatus.CONFIRMED
    assert mailbox.to(waiting.user.email)[0]["Subject"] == f"A place is yours: {TITLE}"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1", "2 places are taken, so the capacity cannot be less than 2"),
        ("", "Enter the number of places"),
        ("twelve", "Enter the number of places as a whole number, like 20"),
        ("-1", "The number of places must be between 1 and 500"),
    ],
)
def test_the_capacity_form_refuses_clearly_and_keeps_what_was_typed(
    as_trainer, to_come, typed, message
):
    make_booking(to_come)
    make_booking(to_come)

    answer = submit(as_trainer, f"/trainer/sessions/{to_come.id}/capacity", {"capacity": typed})

    assert answer.status_code == 400
    assert 'href="#capacity"' in answer.text
    assert message in answer.text
    assert value_of(answer, "capacity") == typed
    assert reloaded(CourseSession, to_come.id).capacity == 2


def test_cancelling_needs_a_reason(as_trainer, to_come):
    answer = submit(as_trainer, f"/trainer/sessions/{to_come.id}/cancel", {"reason": ""})

    assert answer.status_code == 400
    assert 'href="#reason"' in answer.text
    assert "Enter the reason for cancelling" in answer.text
    assert reloaded(CourseSession, to_come.id).status is SessionStatus.SCHEDULED


def test_cancelling_tells_everyone_with_the_calendar_cancellation(
    as_trainer, to_come, trainer, mailbox
):
    confirmed = make_booking(to_come)
    waiting = make_booking(to_come, BookingStatus.WAITING)

    done = submit(
        as_trainer, f"/trainer/sessions/{to_come.id}/cancel", {"reason": "The venue has flooded."}
    )

    page = as_trainer.get(done.location)
    assert "We have emailed the 2 people booked or waiting." in words(page.text)
    assert "This session was cancelled" in words(page.text)
    assert "/change" not in page.text
    (message,) = mailbox.to(confirmed.user.email)
    assert message["Subject"] == f"Session cancelled: {TITLE}"
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "CANCEL"
    (told,) = mailbox.to(waiting.user.email)
    assert "The venue has flooded." in told.get_body(preferencelist=("plain",)).get_content()
    (entry,) = audit_entries("session", to_come.id)
    assert entry.actor_id == trainer.id
    assert entry.changes["status"] == ["scheduled", "cancelled"]
    assert entry.changes["cancellation_reason"] == ["", "The venue has flooded."]


@pytest.mark.parametrize("page", ["change", "capacity", "cancel"])
def test_a_session_under_way_can_no_longer_be_changed(as_trainer, under_way, page):
    answer = as_trainer.get(f"/trainer/sessions/{under_way.id}/{page}", follow_redirects=True)

    assert "This session has started, so it can no longer be changed." in words(answer.text)
    posted = as_trainer.post(
        f"/trainer/sessions/{under_way.id}/{page}",
        data={"csrf_token": page_token_of(as_trainer), "capacity": "50", "reason": "Because"},
    )
    assert posted.status_code == 302
    assert reloaded(CourseSession, under_way.id).capacity == 20
    assert reloaded(CourseSession, under_way.id).status is SessionStatus.SCHEDULED
