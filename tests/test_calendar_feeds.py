"""Calendar files as people get them: mailed invites, a booking's download, a person's feed
and a prospectus's public feed, through HTTP and the booking services.

Every file is read back by icalendar and, independently, by vobject; the builder itself is
tested without HTTP in test_ics.py. Mail goes through a real SMTP server on loopback.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import vobject
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import update

from app.bookings import service
from app.calendar.events import place_uid
from app.extensions import db
from app.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    Course,
    CourseSession,
    Prospectus,
    User,
    Venue,
    utcnow,
)
from app.sessions import service as changes
from app.sessions.service import SessionTimes
from app.transactions import saved
from tests.conftest import csrf_token, sign_in, submit
from tests.factories import (
    PASSWORD,
    fill,
    make_course,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
)

LONDON = ZoneInfo("Europe/London")
BASE = "https://training.example.org"
TITLE = "Working together to safeguard children"
JOIN_URL = "https://meet.example.org/j/8812345?pwd=s3cr3t"
INJECTION = "Evil\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected"


# Reading calendar files -------------------------------------------------------------------


class Parsed:
    """One calendar file as both parsers read it, its events paired up in file order."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.ical = Calendar.from_ical(data)
        self.vcal = vobject.readOne(data.decode("utf-8"))
        ical_events = self.ical.walk("VEVENT")
        vobject_events = self.vcal.contents.get("vevent", [])
        assert len(ical_events) == len(vobject_events)
        self.events = [Event(*pair) for pair in zip(ical_events, vobject_events, strict=True)]

    @property
    def method(self) -> str:
        assert str(self.ical["METHOD"]) == self.vcal.method.value
        return self.vcal.method.value

    @property
    def text(self) -> str:
        """The file unfolded, to search for words that a folded line could split."""
        return self.data.replace(b"\r\n ", b"").decode("utf-8")

    def lines(self) -> list[str]:
        return self.text.split("\r\n")

    def by_uid(self) -> dict[str, "Event"]:
        found = {event.uid: event for event in self.events}
        assert len(found) == len(self.events), "two events share a UID"
        return found

    def only(self) -> "Event":
        (event,) = self.events
        return event


class Event:
    """One VEVENT; each property is read by both parsers, which must agree."""

    def __init__(self, ical, vobj) -> None:
        self.ical = ical
        self.vobj = vobj

    def _both(self, name: str, ical_value, vobject_value):
        assert ical_value == vobject_value, (
            f"{name}: icalendar {ical_value!r}, vobject {vobject_value!r}"
        )
        return ical_value

    def _text(self, name: str) -> str | None:
        in_vobject = self.vobj.contents.get(name.lower())
        ical_value = self.ical.get(name)
        if ical_value is None or in_vobject is None:
            assert ical_value is None and in_vobject is None, name
            return None
        return self._both(name, str(ical_value), in_vobject[0].value)

    @property
    def uid(self) -> str:
        return self._text("UID")

    @property
    def sequence(self) -> int:
        return self._both("SEQUENCE", int(self.ical["SEQUENCE"]), int(self.vobj.sequence.value))

    @property
    def starts(self) -> datetime:
        return self._both(
            "DTSTART",
            self.ical.decoded("DTSTART").astimezone(UTC),
            self.vobj.dtstart.value.astimezone(UTC),
        )

    @property
    def ends(self) -> datetime:
        return self._both(
            "DTEND",
            self.ical.decoded("DTEND").astimezone(UTC),
            self.vobj.dtend.value.astimezone(UTC),
        )

    @property
    def status(self) -> str:
        return self._text("STATUS")

    @property
    def summary(self) -> str | None:
        return self._text("SUMMARY")

    @property
    def description(self) -> str | None:
        return self._text("DESCRIPTION")

    @property
    def location(self) -> str | None:
        return self._text("LOCATION")

    @property
    def attendees(self) -> list[str]:
        found = self.ical.get("ATTENDEE", [])
        found = found if isinstance(found, list) else [found]
        in_vobject = [attendee.value for attendee in self.vobj.contents.get("attendee", [])]
        return self._both("ATTENDEE", [str(attendee) for attendee in found], in_vobject)


def well_formed(data: bytes) -> bytes:
    """Every line ends with CRLF and is at most 75 octets; returns the file for chaining."""
    assert data.endswith(b"\r\n")
    for line in data[: -len(b"\r\n")].split(b"\r\n"):
        assert len(line) <= 75, line
        assert not re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", line), line
    return data


def calendar_file(response) -> Parsed:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    return Parsed(well_formed(response.data))


# Mail -------------------------------------------------------------------------------------


def calendar_parts(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


def invite_in(message: EmailMessage) -> Parsed:
    """The inline text/calendar part, parsed; its METHOD agrees with the part's parameter."""
    (part,) = calendar_parts(message)
    parsed = Parsed(well_formed(part.get_payload(decode=True)))
    assert parsed.method == part.get_param("method")
    return parsed


def mail_to(mailbox, person: User, subject: str) -> list[EmailMessage]:
    return [m for m in mailbox.to(person.email) if m["Subject"].strip().startswith(subject)]


def one_mail(mailbox, person: User, subject: str) -> EmailMessage:
    found = mail_to(mailbox, person, subject)
    assert len(found) == 1, [m["Subject"] for m in mailbox.to(person.email)]
    return found[0]


# People, places and pages -----------------------------------------------------------------


def signed_in(app, **fields) -> tuple[User, FlaskClient]:
    person = make_user(password=PASSWORD, **fields)
    browser = app.test_client()
    assert sign_in(browser, person.email, PASSWORD).status_code == 302
    return person, browser


def feed_addresses(browser) -> tuple[str, str]:
    """The webcal:// and https:// addresses the person's calendar page shows."""
    page = browser.get("/account/calendar")
    assert page.status_code == 200
    (webcal,) = set(re.findall(r"webcal://training\.example\.org/calendar/[\w-]+\.ics", page.text))
    (https,) = set(re.findall(r"https://training\.example\.org/calendar/[\w-]+\.ics", page.text))
    return webcal, https


def feed_path_from_page(browser) -> str:
    webcal, https = feed_addresses(browser)
    assert webcal.removeprefix("webcal://") == https.removeprefix("https://")
    return urlsplit(https).path


def feed_path(person: User) -> str:
    """The feed's address without the page, for tests about what the feed holds."""
    db.session.flush()
    return f"/calendar/{person.calendar_token}.ics"


def public_feed_path(prospectus: Prospectus) -> str:
    return f"/prospectuses/{prospectus.slug}/sessions.ics"


def move_session(db_session, session_id, starts_at, ends_at, venue_id, now):
    return changes.move(db_session, session_id, SessionTimes(starts_at, ends_at, venue_id), now)


def book(session: CourseSession, person: User) -> Booking:
    booking = saved(service.book, db.session, session.id, person, "", utcnow())
    db.session.commit()
    return booking


def place(session: CourseSession, person: User, status=BookingStatus.CONFIRMED) -> Booking:
    """A booking made straight in the database, with its history, and no mail."""
    booking = Booking(session=session, user=person, status=status)
    booking.history = [BookingEvent(at=utcnow(), to_status=status, reason="booked")]
    db.session.add(booking)
    return booking


def make_trainer(session: CourseSession, person: User) -> None:
    session.trainers.append(person)
    db.session.flush()


def uid_of(session: CourseSession, person: User) -> str:
    return f"session-{session.id}-person-{person.id}@training.example.org"


def public_uid(session: CourseSession) -> str:
    return f"session-{session.id}@training.example.org"


def london(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


def next_date(month: int, day: int) -> date:
    """The first such day at least a week from today."""
    soon = utcnow().date() + timedelta(days=7)
    this_year = date(soon.year, month, day)
    return this_year if this_year >= soon else date(soon.year + 1, month, day)


@pytest.fixture
def prospectus(app) -> Prospectus:
    return make_prospectus()


@pytest.fixture
def course(prospectus) -> Course:
    return make_course(prospectus, title=TITLE)


@pytest.fixture
def venue(app) -> Venue:
    return make_venue(name="Riverside House")


# One place, one UID -----------------------------------------------------------------------


def test_a_place_has_one_uid_in_its_invite_its_download_and_the_persons_feed(
    app, course, venue, mailbox
):
    session = make_session(course, venue=venue)
    person, browser = signed_in(app)
    booked = submit(browser, f"/sessions/{session.id}/book", {"access_needs": ""})
    booking_path = booked.headers["Location"]

    invite = invite_in(one_mail(mailbox, person, f"Place confirmed: {TITLE}"))
    download = calendar_file(browser.get(f"{booking_path}/calendar.ics"))
    feed = calendar_file(browser.get(feed_path_from_page(browser)))

    expected = uid_of(session, person)
    assert place_uid(session, person.id) == expected
    assert invite.method == "REQUEST"
    events = [invite.only(), download.only(), feed.only()]
    assert {event.uid for event in events} == {expected}
    assert len({event.sequence for event in events}) == 1
    assert {event.starts for event in events} == {session.starts_at}
    assert {event.status for event in events} == {"CONFIRMED"}
    assert all(event.attendees == [f"mailto:{person.email}"] for event in events)


# A booking's download ---------------------------------------------------------------------


def test_the_owner_downloads_their_booking_as_a_calendar_file(app, course, venue):
    session = make_session(course, venue=venue)
    person, browser = signed_in(app)
    booking = book(session, person)

    response = browser.get(f"/bookings/{booking.id}/calendar.ics")

    download = calendar_file(response)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="booking-{booking.id}.ics"'
    )
    event = download.only()
    assert event.uid == uid_of(session, person)
    assert event.summary == TITLE
    assert event.location.startswith("Riverside House, ")


def test_another_person_gets_404_for_a_booking_download(app, course):
    owner = make_user()
    booking = book(make_session(course), owner)
    _, browser = signed_in(app)

    response = browser.get(f"/bookings/{booking.id}/calendar.ics")

    assert response.status_code == 404
    assert owner.email not in response.text


def test_a_booking_download_needs_signing_in(app, course, client):
    booking = book(make_session(course), make_user())

    response = client.get(f"/bookings/{booking.id}/calendar.ics")

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/account/sign-in"
    assert parse_qs(location.query)["next"] == [f"/bookings/{booking.id}/calendar.ics"]


# The person's calendar page ---------------------------------------------------------------


def test_the_calendar_page_shows_both_addresses_and_how_to_subscribe(app):
    _, browser = signed_in(app)

    page = browser.get("/account/calendar")
    webcal, https = feed_addresses(browser)

    token = https.removeprefix(f"{BASE}/calendar/").removesuffix(".ics")
    assert len(token) >= 40
    assert webcal == f"webcal://training.example.org/calendar/{token}.ics"
    assert f'href="{webcal}"' in page.text
    for heading in ("Outlook", "Google Calendar", "Apple Calendar"):
        assert f'<h2 class="govuk-heading-m">{heading}</h2>' in page.text
    assert "Subscribe from web" in page.text
    assert "From URL" in page.text
    assert "New Calendar Subscription" in page.text
    assert feed_addresses(browser) == (webcal, https), "the address changed on its own"


def test_replacing_the_address_retires_the_old_one(app, course):
    person, browser = signed_in(app)
    book(make_session(course), person)
    old = feed_path_from_page(browser)
    assert browser.get(old).status_code == 200

    replaced = submit(browser, "/account/calendar", {})

    assert replaced.status_code == 302
    assert replaced.headers["Location"] == "/account/calendar"
    page = browser.get("/account/calendar")
    assert "Your calendar has a new address. The old one no longer works." in page.text
    new = feed_path_from_page(browser)
    assert new != old
    assert browser.get(old).status_code == 404
    assert len(calendar_file(browser.get(new)).events) == 1


def test_the_address_is_not_replaced_without_the_form_token(app):
    _, browser = signed_in(app)
    before = feed_path_from_page(browser)

    browser.post("/account/calendar", data={})

    assert feed_path_from_page(browser) == before
    assert browser.get(before).status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_calendar_page_needs_signing_in(client, method):
    token = csrf_token(client.get("/account/sign-in").text)

    response = client.open("/account/calendar", method=method, data={"csrf_token": token})

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/sign-in"


def test_an_unknown_feed_address_is_not_found(client):
    assert client.get("/calendar/no-such-token.ics").status_code == 404


# What a person's feed holds ---------------------------------------------------------------


def test_the_persons_feed_holds_confirmed_places_and_the_sessions_they_deliver(app, prospectus):
    course = make_course(prospectus, title=TITLE)
    approval = make_course(prospectus, title="Needs approval", requires_approval=True)
    venue = make_venue()
    start = utcnow().replace(microsecond=0) + timedelta(days=20)
    sessions = {
        name: make_session(
            approval if "approval" in name or name == "declined" else course,
            starts_at=start + timedelta(days=number),
            venue=venue,
            capacity=1 if name == "waiting" else 5,
        )
        for number, name in enumerate(
            [
                "confirmed",
                "waiting",
                "awaiting approval",
                "cancelled booking",
                "declined",
                "delivering",
                "cancelled lately",
                "cancelled long ago",
                "someone else's",
            ]
        )
    }
    person = make_user(line_manager_email="manager@example.org")
    someone = make_user()
    book(sessions["confirmed"], person)
    fill(sessions["waiting"], 1)
    assert book(sessions["waiting"], person).status is BookingStatus.WAITING
    assert book(sessions["awaiting approval"], person).status is BookingStatus.AWAITING_APPROVAL
    saved(
        service.cancel, db.session, book(sessions["cancelled booking"], person).id, person, utcnow()
    )
    declined = book(sessions["declined"], person)
    saved(service.decide, db.session, declined.id, approve=False, comment="", now=utcnow())
    make_trainer(sessions["delivering"], person)
    make_trainer(sessions["someone else's"], someone)
    book(sessions["someone else's"], someone)
    for name in ("cancelled lately", "cancelled long ago"):
        book(sessions[name], person)
        saved(changes.cancel, db.session, sessions[name].id, "The trainer is ill", utcnow())
    sessions["cancelled long ago"].cancelled_at = utcnow() - timedelta(days=31)
    db.session.commit()

    feed = calendar_file(app.test_client().get(feed_path(person))).by_uid()

    shown = {"confirmed": "CONFIRMED", "delivering": "CONFIRMED", "cancelled lately": "CANCELLED"}
    assert set(feed) == {uid_of(sessions[name], person) for name in shown}
    for name, status in shown.items():
        event = feed[uid_of(sessions[name], person)]
        assert event.status == status, name
        assert event.starts == sessions[name].starts_at
    assert (
        uid_of(sessions["delivering"], person)
        not in calendar_file(app.test_client().get(feed_path(someone))).by_uid()
    )


def test_a_feed_keeps_a_cancelled_session_for_30_days(app, course):
    session = make_session(course)
    person = make_user()
    book(session, person)
    saved(changes.cancel, db.session, session.id, "The trainer is ill", utcnow())
    db.session.commit()
    path = feed_path(person)

    session.cancelled_at = utcnow() - timedelta(days=29, hours=23)
    kept = calendar_file(app.test_client().get(path))
    session.cancelled_at = utcnow() - timedelta(days=30, minutes=1)
    gone = calendar_file(app.test_client().get(path))

    assert kept.only().status == "CANCELLED"
    assert gone.events == []


def test_the_joining_link_is_only_in_the_feeds_of_people_with_a_place(app, prospectus, course):
    online = make_session(course, online_join_url=JOIN_URL)
    waiting_session = make_session(course, capacity=1, online_join_url=JOIN_URL + "-2")
    person = make_user(name="Samira Okafor", email="samira.okafor@nhs.example")
    waiting = make_user(name="Tomasz Wright", email="tomasz.wright@school.example")
    trainer = make_user(name="Priya Castellano", email="priya.castellano@lscp.example")
    book(online, person)
    book(waiting_session, person)
    book(waiting_session, waiting)
    make_trainer(online, trainer)
    db.session.commit()

    feed = calendar_file(app.test_client().get(feed_path(person))).by_uid()
    delivering = calendar_file(app.test_client().get(feed_path(trainer))).only()
    public = calendar_file(app.test_client().get(public_feed_path(prospectus)))

    for event in (feed[uid_of(online, person)], delivering):
        assert f"Join online: {JOIN_URL}" in event.description
        assert event.location == "Online"
    assert calendar_file(app.test_client().get(feed_path(waiting))).events == []
    assert set(public.by_uid()) == {public_uid(online), public_uid(waiting_session)}
    for event in public.events:
        assert event.attendees == []
        assert "Join online" not in event.description
        assert event.location == "Online"
    assert "ATTENDEE" not in public.text
    assert "meet.example.org" not in public.text
    for who in (person, waiting, trainer):
        for detail in (who.name, who.email, who.email.split("@")[0]):
            assert detail.lower() not in public.text.lower()


# Changes to a session ---------------------------------------------------------------------


@pytest.mark.parametrize("change", ["time", "venue"])
def test_moving_a_session_raises_the_sequence_and_mails_everyone_with_a_place(
    app, course, venue, mailbox, change
):
    session = make_session(course, venue=venue, capacity=2)
    first, second, waiting = make_user(), make_user(), make_user()
    for person in (first, second, waiting):
        book(session, person)
    path = feed_path(first)
    before_feed = calendar_file(app.test_client().get(path)).only()
    invited = {
        person.id: invite_in(one_mail(mailbox, person, "Place confirmed")).only()
        for person in (first, second)
    }
    other_venue = make_venue(name="Civic Centre")
    moved_by = timedelta(days=1, hours=2) if change == "time" else timedelta(0)

    saved(
        move_session,
        db.session,
        session.id,
        session.starts_at + moved_by,
        session.ends_at + moved_by,
        venue.id if change == "time" else other_venue.id,
        utcnow(),
    )
    db.session.commit()

    after_feed = calendar_file(app.test_client().get(path)).only()
    assert after_feed.uid == before_feed.uid == uid_of(session, first)
    assert after_feed.sequence > before_feed.sequence
    assert before_feed.sequence == invited[first.id].sequence
    if change == "time":
        assert after_feed.starts == before_feed.starts + moved_by
        assert after_feed.starts != before_feed.starts
    else:
        assert after_feed.location.startswith("Civic Centre, ")
    for person in (first, second):
        message = one_mail(mailbox, person, f"Session changed: {TITLE}")
        invite = invite_in(message)
        event = invite.only()
        assert invite.method == "REQUEST"
        assert event.uid == invited[person.id].uid == uid_of(session, person)
        assert event.sequence > invited[person.id].sequence
        assert event.status == "CONFIRMED"
        assert event.starts == session.starts_at
        assert event.location == after_feed.location
        if change == "time":
            assert event.starts == invited[person.id].starts + moved_by
    assert invite_in(one_mail(mailbox, first, "Session changed")).only().sequence == (
        after_feed.sequence
    )
    assert all(calendar_parts(m) == [] for m in mailbox.to(waiting.email))
    told = one_mail(mailbox, waiting, f"Session changed: {TITLE}")
    assert "You keep your turn in the waiting list" in told.get_body(("plain",)).get_content()


def test_moving_a_session_nowhere_changes_nothing(app, course, venue, mailbox):
    session = make_session(course, venue=venue)
    person = make_user()
    book(session, person)
    before = calendar_file(app.test_client().get(feed_path(person))).only()

    saved(
        move_session, db.session, session.id, session.starts_at, session.ends_at, venue.id, utcnow()
    )
    db.session.commit()

    assert calendar_file(app.test_client().get(feed_path(person))).only().sequence == (
        before.sequence
    )
    assert mail_to(mailbox, person, "Session changed") == []


def test_cancelling_a_session_withdraws_every_place_and_tells_people_waiting(
    app, course, venue, mailbox
):
    session = make_session(course, venue=venue, capacity=2)
    first, second, waiting = make_user(), make_user(), make_user()
    for person in (first, second, waiting):
        book(session, person)
    invited = {
        person.id: invite_in(one_mail(mailbox, person, "Place confirmed")).only().sequence
        for person in (first, second)
    }

    saved(changes.cancel, db.session, session.id, "The trainer is ill", utcnow())
    db.session.commit()

    for person in (first, second):
        message = one_mail(mailbox, person, f"Session cancelled: {TITLE}")
        withdrawal = invite_in(message)
        event = withdrawal.only()
        assert withdrawal.method == "CANCEL"
        assert event.uid == uid_of(session, person)
        assert event.status == "CANCELLED"
        assert event.sequence > invited[person.id]
        in_feed = calendar_file(app.test_client().get(feed_path(person))).only()
        assert (in_feed.uid, in_feed.status, in_feed.sequence) == (
            event.uid,
            "CANCELLED",
            event.sequence,
        )
    told = one_mail(mailbox, waiting, f"Session cancelled: {TITLE}")
    assert calendar_parts(told) == []
    assert [part.get_filename() for part in told.iter_attachments()] == []
    assert "The trainer is ill" in told.get_body(preferencelist=("plain",)).get_content()


# British Summer Time ----------------------------------------------------------------------


def next_clock_changes() -> tuple[date, date]:
    """The Sundays on which London's clocks next go forward and next go back, after today."""
    today = utcnow().astimezone(LONDON).date()
    found: dict[str, date] = {}
    day = today + timedelta(days=2)  # so a session the day before is still to come
    while len(found) < 2:
        before = london(day - timedelta(days=1), 12).utcoffset()
        after = london(day, 12).utcoffset()
        if before != after:
            found.setdefault("forward" if after > before else "back", day)
        day += timedelta(days=1)
    for change in found.values():
        assert change.weekday() == 6 and change.month in (3, 10)
        assert (change + timedelta(days=7)).month != change.month, "not the last Sunday"
    return found["forward"], found["back"]


def test_sessions_either_side_of_the_clock_changes_keep_their_london_time(app, prospectus):
    course = make_course(prospectus, title=TITLE)
    forward, back = next_clock_changes()
    day = timedelta(days=1)

    def on(when: date, start: tuple[int, int], end: tuple[int, int]) -> tuple:
        return london(when, *start), london(when, *end)

    # name: (starts and ends on London's clocks, the UTC time it starts, hours it lasts)
    expected = {
        "before spring": (*on(forward - day, (9, 30), (12, 30)), time(9, 30), 3),
        "after spring": (*on(forward + day, (9, 30), (12, 30)), time(8, 30), 3),
        "before autumn": (*on(back - day, (9, 30), (12, 30)), time(8, 30), 3),
        "after autumn": (*on(back + day, (9, 30), (12, 30)), time(9, 30), 3),
        # The night the clocks change: 00:30 to 03:30 on the clock lasts 2 hours, or 4.
        "across spring": (*on(forward, (0, 30), (3, 30)), time(0, 30), 2),
        "across autumn": (*on(back, (0, 30), (3, 30)), time(23, 30), 4),
    }
    person, browser = signed_in(app)
    sessions, bookings = {}, {}
    for name, (starts, ends, _, hours) in expected.items():
        sessions[name] = make_session(course, starts_at=starts.astimezone(UTC), hours=hours)
        assert sessions[name].ends_at == ends
        bookings[name] = place(sessions[name], person)
    db.session.commit()

    files = {
        "person feed": calendar_file(browser.get(feed_path_from_page(browser))),
        "public feed": calendar_file(app.test_client().get(public_feed_path(prospectus))),
    }
    for name, booking in bookings.items():
        files[f"download, {name}"] = calendar_file(
            browser.get(f"/bookings/{booking.id}/calendar.ics")
        )

    for label, parsed in files.items():
        (zone,) = parsed.ical.walk("VTIMEZONE")
        assert str(zone["TZID"]) == "Europe/London"
        assert zone.walk("STANDARD") and zone.walk("DAYLIGHT")
        assert parsed.vcal.vtimezone.tzid.value == "Europe/London"
        by_uid = parsed.by_uid()
        for name, (starts, ends, utc_start, hours) in expected.items():
            if label.startswith("download") and not label.endswith(name):
                continue
            wall = "%Y%m%dT%H%M%S"
            assert f"DTSTART;TZID=Europe/London:{starts:{wall}}" in parsed.lines(), (label, name)
            assert f"DTEND;TZID=Europe/London:{ends:{wall}}" in parsed.lines(), (label, name)
            uid = public_uid if label == "public feed" else lambda session: uid_of(session, person)
            event = by_uid[uid(sessions[name])]
            assert event.starts == starts, (label, name)
            assert event.ends == ends, (label, name)
            assert event.starts.time() == utc_start, (label, name)
            assert event.ends - event.starts == timedelta(hours=hours), (label, name)
        assert len(by_uid) == (1 if label.startswith("download") else len(expected)), label


# Hostile text -----------------------------------------------------------------------------

UNICODE = (
    "\u00dcn\u00efc\u00f6d\u00e9 caf\u00e9 \u2013 \u201cSafeguarding\u201d"
    " \U0001f469\u200d\U0001f467 \U0001f600 "
)
HOSTILE_TEXTS = [
    pytest.param(INJECTION, id="injected-event"),
    pytest.param("Evil\rEND:VEVENT\rBEGIN:VEVENT\rUID:injected", id="lone-carriage-returns"),
    pytest.param("Evil\nEND:VCALENDAR\nBEGIN:VCALENDAR\nMETHOD:CANCEL", id="lone-line-feeds"),
    pytest.param(
        'Commas, semicolons; back\\slashes \\n \\, \\; \\\\ "quotes" colon: caret ^n ^^',
        id="punctuation",
    ),
    pytest.param("Bell\x07 escape\x1b delete\x7f tab\t end", id="control-characters"),
    pytest.param("Vertical\x0b tab and form\x0c feed", id="vertical-tab-and-form-feed"),
    pytest.param(UNICODE * 150, id="very-long"),
]
LINE_BREAKS = re.compile(r"\r\n|\r|\n")
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def as_read_back(text: str) -> str:
    """What a calendar shows of typed text: line breaks become new lines; other controls go."""
    return CONTROLS.sub("", LINE_BREAKS.sub("\n", text))


def hostile_catalogue(text: str, title: str) -> dict[str, CourseSession]:
    """Text in every field a coordinator types; a session in person, one online, one cancelled."""
    prospectus = make_prospectus()
    course = make_course(prospectus, title=title, summary=text, what_to_bring=text)
    venue = make_venue(name=text[:200], address=text)
    start = utcnow().replace(microsecond=0) + timedelta(days=10)
    return {
        "in person": make_session(course, starts_at=start, venue=venue),
        "online": make_session(
            course, starts_at=start + timedelta(days=1), online_join_url=JOIN_URL
        ),
        "cancelled": make_session(course, starts_at=start + timedelta(days=2), venue=venue),
    }


def check_hostile_files(app, mailbox, text: str, title: str) -> None:
    sessions = hostile_catalogue(text, title)
    person, browser = signed_in(app)
    bookings = {name: book(session, person) for name, session in sessions.items()}
    saved(changes.cancel, db.session, sessions["cancelled"].id, text, utcnow())
    db.session.commit()

    files = {
        "person feed": (calendar_file(browser.get(feed_path_from_page(browser))), 3),
        "public feed": (
            calendar_file(browser.get(public_feed_path(sessions["online"].course.prospectus))),
            3,
        ),
    }
    for name, booking in bookings.items():
        download = browser.get(f"/bookings/{booking.id}/calendar.ics")
        files[f"download, {name}"] = (calendar_file(download), 1)
    invites = [invite_in(message) for message in mailbox.to(person.email)]
    assert sorted(invite.method for invite in invites) == ["CANCEL"] + ["REQUEST"] * 3
    files |= {f"mailed invite {number}": (invite, 1) for number, invite in enumerate(invites)}

    for label, (parsed, events) in files.items():
        assert len(parsed.events) == events, label
        assert parsed.lines().count("BEGIN:VEVENT") == events, label
        assert parsed.lines().count("END:VEVENT") == events, label
        assert parsed.lines().count("BEGIN:VCALENDAR") == 1, label
        for event in parsed.events:
            assert event.summary == as_read_back(title), label
            assert "injected" not in event.uid
            if event.location != "Online":
                assert event.location.startswith(as_read_back(text[:200]) + ", "), label
            assert event.description.startswith(as_read_back(text) + "\n\n"), label
            assert f"What to bring: {as_read_back(text)}\n\n" in event.description, label
    assert len(mail_to(mailbox, person, "Session cancelled")) == 1


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_text_in_every_field_cannot_break_a_calendar_file(app, mailbox, text):
    """The course title kept to one line: a title with line breaks is tested below."""
    title = " ".join(CONTROLS.sub(" ", text).split())[:200]
    check_hostile_files(app, mailbox, text, title)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(*param.values, id=param.id)
        if CONTROLS.search(param.values[0]) or "\n" in param.values[0]
        else param
        for param in HOSTILE_TEXTS
    ],
)
def test_hostile_text_in_the_course_title_cannot_break_a_calendar_file(app, mailbox, text):
    check_hostile_files(app, mailbox, text, text[:200])


# Conditional requests ---------------------------------------------------------------------


def an_hour_ago(*things) -> None:
    """Set the things' updated_at back an hour, so a change now moves Last-Modified."""
    earlier = utcnow() - timedelta(hours=1)
    db.session.flush()
    for thing in things:
        db.session.execute(
            update(type(thing)).where(type(thing).id == thing.id).values(updated_at=earlier)
        )
    db.session.commit()
    db.session.expire_all()


@pytest.fixture
def booked_feeds(app, prospectus, course, venue) -> dict:
    """A person with two places, and the addresses of their feed and the public feed."""
    person = make_user()
    sessions = [make_session(course, venue=venue), make_session(course, venue=venue)]
    bookings = [book(session, person) for session in sessions]
    an_hour_ago(prospectus, course, venue, person, *sessions, *bookings)
    return {
        "person": person,
        "sessions": sessions,
        "bookings": bookings,
        "person feed": feed_path(person),
        "public feed": public_feed_path(prospectus),
    }


FEEDS = ["person feed", "public feed"]


@pytest.mark.parametrize("feed", FEEDS)
def test_a_feed_has_an_etag_and_last_modified_and_answers_304_when_unchanged(
    client, booked_feeds, feed
):
    path = booked_feeds[feed]
    first = client.get(path)
    calendar_file(first)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert first.last_modified is not None
    assert first.last_modified <= utcnow()

    by_etag = client.get(path, headers={"If-None-Match": etag})
    by_date = client.get(path, headers={"If-Modified-Since": last_modified})
    by_both = client.get(path, headers={"If-None-Match": etag, "If-Modified-Since": last_modified})
    stale = client.get(path, headers={"If-None-Match": '"0123456789abcdef0123456789abcdef"'})

    for response in (by_etag, by_date, by_both):
        assert response.status_code == 304
        assert response.data == b""
        assert response.headers["ETag"] == etag
    assert stale.status_code == 200
    assert stale.data == first.data
    assert first.headers["Cache-Control"] == (
        "private, max-age=0" if feed == "person feed" else "public, max-age=300"
    )


def changed_since(client, path: str, before) -> tuple:
    """The feed asked for with the old version's ETag, and with its Last-Modified."""
    by_etag = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    by_date = client.get(path, headers={"If-Modified-Since": before.headers["Last-Modified"]})
    return by_etag, by_date


def test_the_persons_feed_changes_when_a_booking_is_cancelled(client, booked_feeds):
    path, person = booked_feeds["person feed"], booked_feeds["person"]
    before = client.get(path)

    saved(service.cancel, db.session, booked_feeds["bookings"][0].id, person, utcnow())
    db.session.commit()
    by_etag, by_date = changed_since(client, path, before)

    for response in (by_etag, by_date):
        assert response.status_code == 200
        assert response.headers["ETag"] != before.headers["ETag"]
        assert response.last_modified > before.last_modified
        assert set(calendar_file(response).by_uid()) == {
            uid_of(booked_feeds["sessions"][1], person)
        }


@pytest.mark.parametrize("feed", FEEDS)
def test_a_feed_changes_when_a_session_moves(client, booked_feeds, feed):
    path = booked_feeds[feed]
    session = booked_feeds["sessions"][0]
    before = client.get(path)

    saved(
        move_session,
        db.session,
        session.id,
        session.starts_at + timedelta(hours=1),
        session.ends_at + timedelta(hours=1),
        session.venue_id,
        utcnow(),
    )
    db.session.commit()
    by_etag, by_date = changed_since(client, path, before)

    for response in (by_etag, by_date):
        assert response.status_code == 200
        assert response.headers["ETag"] != before.headers["ETag"]
        assert response.last_modified > before.last_modified
    uid = uid_of(session, booked_feeds["person"]) if feed == "person feed" else public_uid(session)
    assert calendar_file(by_etag).by_uid()[uid].starts == session.starts_at


def test_the_public_feed_changes_when_a_course_is_retitled(client, booked_feeds, course):
    path = booked_feeds["public feed"]
    before = client.get(path)

    course.title = "Working together, revised"
    db.session.commit()
    by_etag, by_date = changed_since(client, path, before)

    for response in (by_etag, by_date):
        assert response.status_code == 200
        assert {event.summary for event in calendar_file(response).events} == {
            "Working together, revised"
        }


@pytest.mark.parametrize(
    ("feed", "change"),
    [
        ("person feed", "course retitled"),
        ("person feed", "venue renamed"),
        ("person feed", "trainer added"),
        ("public feed", "venue renamed"),
    ],
)
def test_last_modified_moves_whenever_a_feed_changes(
    client, booked_feeds, course, venue, feed, change
):
    path = booked_feeds[feed]
    to_deliver = make_session(course, venue=venue, starts_at=utcnow() + timedelta(days=3))
    an_hour_ago(to_deliver)
    before = client.get(path)

    if change == "course retitled":
        course.title = "Working together, revised"
    elif change == "venue renamed":
        venue.name = "Civic Centre"
    else:
        make_trainer(to_deliver, booked_feeds["person"])
    db.session.commit()
    by_etag, by_date = changed_since(client, path, before)

    assert by_etag.status_code == 200
    assert by_etag.data != before.data
    assert by_date.status_code == 200


# Add to calendar links on the booking page ------------------------------------------------


def calendar_link(page: str, label: str) -> dict[str, list[str]] | None:
    found = re.search(rf'<a class="govuk-link" href="([^"]+)"[^>]*>{label}</a>', page)
    return parse_qs(urlsplit(unescape(found.group(1))).query) if found else None


@pytest.mark.parametrize(
    ("month", "offset"), [(7, "+01:00"), (1, "+00:00")], ids=["summer time", "winter"]
)
def test_the_booking_page_links_a_confirmed_place_to_google_and_outlook(
    app, course, venue, month, offset
):
    day = next_date(month, 15)
    session = make_session(course, starts_at=london(day, 9, 30).astimezone(UTC), venue=venue)
    person, browser = signed_in(app)
    booking = book(session, person)

    page = browser.get(f"/bookings/{booking.id}").text
    google = calendar_link(page, "Add to Google Calendar")
    outlook = calendar_link(page, "Add to Outlook.com")

    utc_start, utc_end = session.starts_at.astimezone(UTC), session.ends_at.astimezone(UTC)
    assert google["dates"] == [f"{utc_start:%Y%m%dT%H%M%SZ}/{utc_end:%Y%m%dT%H%M%SZ}"]
    assert google["text"] == [TITLE]
    assert outlook["startdt"] == [f"{day:%Y-%m-%d}T09:30:00{offset}"]
    assert outlook["enddt"] == [f"{day:%Y-%m-%d}T12:30:00{offset}"]
    assert outlook["subject"] == [TITLE]
    assert f'href="/bookings/{booking.id}/calendar.ics"' in page


def test_the_booking_page_has_no_calendar_links_while_waiting(app, course):
    session = make_session(course, capacity=1)
    fill(session, 1)
    person, browser = signed_in(app)
    booking = book(session, person)
    assert booking.status is BookingStatus.WAITING

    page = browser.get(f"/bookings/{booking.id}").text

    assert calendar_link(page, "Add to Google Calendar") is None
    assert calendar_link(page, "Add to Outlook.com") is None
    assert "calendar.google.com" not in page
    assert "outlook.live.com" not in page
    assert "calendar.ics" not in page


# Queries ----------------------------------------------------------------------------------


def feed_queries(client, count_queries, path: str, events: int) -> int:
    db.session.commit()
    with count_queries() as counted:
        response = client.get(path)
    assert response.status_code == 200
    assert response.data.count(b"\r\nBEGIN:VEVENT\r\n") == events
    return len(counted)


def add_places(person: User, courses: list[Course], venues: list[Venue], count: int) -> None:
    """`count` more sessions the person has a confirmed place on; every tenth they deliver."""
    start = utcnow().replace(microsecond=0) + timedelta(days=5)
    for number in range(count):
        session = CourseSession(
            course=courses[number % len(courses)],
            starts_at=start + timedelta(days=number, hours=number % 5),
            ends_at=start + timedelta(days=number, hours=number % 5 + 3),
            venue=venues[number % len(venues)] if number % 3 else None,
            online_join_url=None if number % 3 else JOIN_URL,
            capacity=20,
            published=True,
        )
        db.session.add(session)
        if number % 10 == 9:
            make_trainer(session, person)
        else:
            place(session, person)
    db.session.flush()


def test_a_persons_feed_takes_the_same_queries_for_5_and_200_places(
    app, client, count_queries, prospectus
):
    courses = [make_course(prospectus) for _ in range(4)]
    venues = [make_venue() for _ in range(3)]
    person = make_user()
    place(make_session(courses[0]), make_user())  # someone else's place is not counted
    path = feed_path(person)

    add_places(person, courses, venues, 5)
    small = feed_queries(client, count_queries, path, 5)
    add_places(person, courses, venues, 195)
    large = feed_queries(client, count_queries, path, 200)

    assert small == large
    assert large <= 6


def test_the_public_feed_takes_the_same_queries_for_5_and_500_sessions(
    app, client, count_queries, prospectus
):
    courses = [make_course(prospectus) for _ in range(10)]
    venues = [make_venue() for _ in range(5)]
    holder = make_user()
    path = public_feed_path(prospectus)

    add_places(holder, courses, venues, 5)
    small = feed_queries(client, count_queries, path, 5)
    add_places(holder, courses, venues, 495)
    large = feed_queries(client, count_queries, path, 500)

    assert small == large
    assert large <= 4


# Found wrong: kept to show each fault until it is mended ----------------------------------


def test_a_line_break_in_a_course_title_does_not_stop_the_booking_or_its_invite(
    app, prospectus, mailbox
):
    course = make_course(prospectus, title="Neglect\r\nand what to do")
    session = make_session(course)
    person, browser = signed_in(app)

    booked = submit(browser, f"/sessions/{session.id}/book", {"access_needs": ""})

    assert booked.status_code == 302
    message = one_mail(mailbox, person, "Place confirmed")
    assert "\n" not in message["Subject"]
    assert invite_in(message).only().summary == "Neglect\nand what to do"


def calendar_name_of(parsed: Parsed) -> str:
    return parsed.vcal.contents["x-wr-calname"][0].value


@pytest.mark.parametrize(
    "name",
    [
        "Smith, Jo; Team A",
        "Neglect\r\nEND:VCALENDAR",
        "Neglect\rand abuse",
        "Bell\x07 and escape\x1b",
    ],
)
@pytest.mark.parametrize("source", ["course title", "prospectus title", "person's name"])
def test_the_calendar_name_is_one_line_of_text(app, source, name):
    prospectus = make_prospectus(title=name if source == "prospectus title" else "Prospectus")
    course = make_course(prospectus, title=name if source == "course title" else TITLE)
    person, browser = signed_in(app, **({"name": name} if source == "person's name" else {}))
    booking = place(make_session(course), person)
    db.session.commit()
    path = {
        "course title": f"/bookings/{booking.id}/calendar.ics",
        "prospectus title": public_feed_path(prospectus),
        "person's name": feed_path(person),
    }[source]

    response = browser.get(path)

    one_line = " ".join(CONTROLS.sub(" ", name).split())
    expected = f"Safeguarding training: {one_line}" if source == "person's name" else one_line
    assert calendar_name_of(calendar_file(response)) == expected


def test_a_typed_backslash_n_stays_as_typed(app, prospectus):
    course = make_course(prospectus, summary="Save it to S:\\Training\\New starters")
    make_session(course)

    public = calendar_file(app.test_client().get(public_feed_path(prospectus)))

    assert public.only().description.startswith("Save it to S:\\Training\\New starters\n\n")
