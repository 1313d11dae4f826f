"""Reminders before a session: to confirmed places only, from N working days before it
(midnight in London), once however often or however many at once the scheduled work runs."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import select

from app.bookings import service as bookings
from app.display import LONDON
from app.extensions import db
from app.models import (
    Booking,
    BookingEvent,
    BookingNoticeSent,
    BookingStatus,
    SessionStatus,
)
from app.reminders import service as reminders
from app.transactions import saved
from tests.conftest import signed_in_as
from tests.factories import (
    PASSWORD,
    make_course,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
)

#: Monday 14 December 2026, 09:30 in London (GMT): reminded from Thursday the 10th, 00:00.
MONDAY = datetime(2026, 12, 14, 9, 30, tzinfo=LONDON)
REMINDER_MOMENT = datetime(2026, 12, 10, 0, 0, tzinfo=UTC)
BOOKED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def a_session(starts_at: datetime = MONDAY, online: bool = False, **fields):
    course = make_course(
        make_prospectus(slug=f"p-{starts_at:%Y%m%d%H%M}-{online}-{len(fields)}"),
        what_to_bring="Your agency's safeguarding policy",
        **fields.pop("course", {}),
    )
    if online:
        return make_session(
            course, starts_at, online_join_url="https://meet.example.org/join/42", **fields
        )
    venue = make_venue(access_information="Step-free entrance on Main Street.")
    return make_session(course, starts_at, venue=venue, **fields)


def book(session, at: datetime = BOOKED, **person) -> Booking:
    """A place booked through the booking rules at `at`, its confirmation mailed."""
    user = make_user(**person)
    db.session.commit()
    with time_machine.travel(at):
        booking = saved(bookings.book, db.session, session.id, user, "", at)
    return db.session.get(Booking, booking.id)


def remind(now: datetime, working_days: int = 2) -> int:
    return saved(reminders.send_reminders, db.session, now, working_days)


def reminders_to(mailbox, address: str) -> list:
    return [m for m in mailbox.to(address) if m["Subject"].startswith("Reminder:")]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def event_in(message):
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(part.get_content()).walk("VEVENT")
    return part.get_param("method"), event


# When a reminder is due


def test_a_place_is_reminded_from_midnight_two_working_days_before(app, mailbox):
    booking = book(a_session(), email="ali@example.org")

    assert remind(REMINDER_MOMENT - timedelta(seconds=1)) == 0
    assert remind(REMINDER_MOMENT) == 1

    (reminder,) = reminders_to(mailbox, "ali@example.org")
    assert reminder["Subject"] == f"Reminder: {booking.session.course.title}"


def test_over_christmas_the_reminder_comes_before_the_holidays(app, mailbox):
    book(a_session(london(2026, 12, 29, 9, 30)), email="ali@example.org")

    assert remind(datetime(2026, 12, 22, 23, 59, tzinfo=UTC)) == 0
    assert remind(datetime(2026, 12, 23, 0, 0, tzinfo=UTC)) == 1


def test_the_number_of_working_days_is_a_setting(app, mailbox):
    book(a_session(), email="ali@example.org")

    # One working day before Monday is Friday the 11th.
    assert remind(REMINDER_MOMENT, working_days=1) == 0
    assert remind(datetime(2026, 12, 11, 0, 0, tzinfo=UTC), working_days=1) == 1


def test_a_place_booked_after_the_reminder_moment_gets_none(app, mailbox):
    book(a_session(), at=REMINDER_MOMENT + timedelta(hours=8), email="late@example.org")

    assert remind(REMINDER_MOMENT + timedelta(hours=9)) == 0
    assert reminders_to(mailbox, "late@example.org") == []


def test_a_place_given_from_the_waiting_list_after_the_moment_gets_none(app, mailbox):
    session = a_session(capacity=1)
    first = book(session, email="first@example.org")
    waiting = book(session, email="waiting@example.org")
    assert waiting.status is BookingStatus.WAITING
    after = REMINDER_MOMENT + timedelta(hours=10)
    saved(bookings.cancel, db.session, first.id, first.user, after)
    assert db.session.get(Booking, waiting.id).status is BookingStatus.CONFIRMED

    assert remind(after + timedelta(minutes=5)) == 0


def test_a_place_approved_before_the_moment_is_reminded(app, mailbox):
    session = a_session(course={"requires_approval": True})
    booking = book(session, email="ali@example.org", line_manager_email="boss@example.org")
    assert booking.status is BookingStatus.AWAITING_APPROVAL
    saved(bookings.decide, db.session, booking.id, True, "", BOOKED + timedelta(days=1))

    assert remind(REMINDER_MOMENT) == 1


@pytest.mark.parametrize(
    "status", [BookingStatus.WAITING, BookingStatus.AWAITING_APPROVAL, BookingStatus.CANCELLED]
)
def test_only_confirmed_places_are_reminded(app, mailbox, status):
    session = a_session()
    booking = book(session, email="ali@example.org")
    booking.status = status
    db.session.commit()

    assert remind(REMINDER_MOMENT) == 0


def test_people_who_walked_in_are_not_reminded(app, mailbox):
    booking = book(a_session(), email="ali@example.org")
    booking.walk_in = True
    db.session.commit()

    assert remind(REMINDER_MOMENT) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"status": SessionStatus.CANCELLED},
        {"published": False},
    ],
)
def test_cancelled_and_unpublished_sessions_are_not_reminded(app, mailbox, change):
    session = a_session()
    book(session, email="ali@example.org")
    for name, value in change.items():
        setattr(session, name, value)
    db.session.commit()

    assert remind(REMINDER_MOMENT) == 0


def test_a_session_that_has_started_is_not_reminded(app, mailbox):
    book(a_session(), email="ali@example.org")

    assert remind(MONDAY + timedelta(minutes=1)) == 0


def test_reminding_twice_sends_one_reminder(app, mailbox):
    book(a_session(), email="ali@example.org")

    assert remind(REMINDER_MOMENT) == 1
    assert remind(REMINDER_MOMENT + timedelta(minutes=5)) == 0
    assert len(reminders_to(mailbox, "ali@example.org")) == 1
    assert db.session.scalars(select(BookingNoticeSent.kind)).all() == ["reminder"]


# What a reminder says


def test_the_reminder_carries_the_venue_and_what_to_bring(app, mailbox):
    session = a_session()
    book(session, email="ali@example.org")
    remind(REMINDER_MOMENT)

    text = text_of(reminders_to(mailbox, "ali@example.org")[0])
    assert "Riverside House\nMain Street\nRotherham\nS60 1AE" in text
    assert "Access: Step-free entrance on Main Street." in text
    assert "What to bring: Your agency's safeguarding policy" in text
    assert "Monday 14 December 2026" in text


def test_the_reminder_carries_the_pre_course_reading(app, mailbox):
    reading = "Read [the neglect strategy](https://example.org/neglect) first."
    book(a_session(course={"pre_course_reading": reading}), email="ali@example.org")
    remind(REMINDER_MOMENT)

    (reminder,) = reminders_to(mailbox, "ali@example.org")
    assert f"Before the session, please read:\n{reading}" in text_of(reminder)
    html = reminder.get_body(("html",)).get_content()
    assert '<a href="https://example.org/neglect"' in html
    assert "the neglect strategy</a>" in html


def test_the_confirmation_and_the_booking_page_carry_the_reading_without_scripts(
    app, mailbox, client
):
    reading = "Read *the strategy*.<script>alert(1)</script>"
    session = a_session(course={"pre_course_reading": reading})
    booking = book(session, email="ali@example.org", password=PASSWORD)

    (confirmation,) = [
        m for m in mailbox.to("ali@example.org") if m["Subject"].startswith("Place confirmed")
    ]
    html = confirmation.get_body(("html",)).get_content()
    assert "<em>the strategy</em>" in html and "<script>" not in html
    browser = signed_in_as(app, booking.user)
    page = browser.get(f"/bookings/{booking.id}").text
    assert "Before the session, please read" in page
    assert "<em>the strategy</em>" in page and "alert(1)" not in page


def test_an_online_reminder_carries_the_joining_link(app, mailbox):
    book(a_session(online=True), email="ali@example.org")
    remind(REMINDER_MOMENT)

    (reminder,) = reminders_to(mailbox, "ali@example.org")
    assert "https://meet.example.org/join/42" in text_of(reminder)
    assert "https://meet.example.org/join/42" in reminder.get_body(("html",)).get_content()


def test_the_reminder_carries_the_invite_the_confirmation_sent(app, mailbox):
    session = a_session()
    session.sequence = 3
    book(session, email="ali@example.org")
    remind(REMINDER_MOMENT)

    (confirmation,) = [m for m in mailbox.to("ali@example.org") if "confirmed" in m["Subject"]]
    (reminder,) = reminders_to(mailbox, "ali@example.org")
    method, invite = event_in(reminder)
    _, confirmed = event_in(confirmation)
    assert method == "REQUEST"
    assert str(invite["UID"]) == str(confirmed["UID"])
    assert int(invite["SEQUENCE"]) == int(confirmed["SEQUENCE"]) == 4


# Copies to line managers


def test_with_copies_on_the_line_manager_is_copied_on_confirmation_and_reminder(app, mailbox):
    app.config["COPY_LINE_MANAGER"] = True
    try:
        book(a_session(), email="ali@example.org", line_manager_email="boss@example.org")
        remind(REMINDER_MOMENT)
    finally:
        app.config["COPY_LINE_MANAGER"] = False

    subjects = [m["Subject"] for m in mailbox.to("boss@example.org")]
    assert len(subjects) == 2
    assert subjects[0].startswith("Copy: Place confirmed for ")
    assert subjects[1].startswith("Copy: Reminder of the session for ")
    for copy in mailbox.to("boss@example.org"):
        assert "This is a copy" in text_of(copy)
        assert not [p for p in copy.walk() if p.get_content_type() == "text/calendar"]


def test_with_copies_off_the_line_manager_is_not_copied(app, mailbox):
    assert app.config["COPY_LINE_MANAGER"] is False
    book(a_session(), email="ali@example.org", line_manager_email="boss@example.org")
    remind(REMINDER_MOMENT)

    assert mailbox.to("boss@example.org") == []
    assert len(reminders_to(mailbox, "ali@example.org")) == 1


# The cost of finding them


def confirmed_places(session, how_many: int) -> None:
    for _ in range(how_many):
        booking = Booking(session=session, user=make_user(), status=BookingStatus.CONFIRMED)
        booking.history.append(
            BookingEvent(at=BOOKED, to_status=BookingStatus.CONFIRMED, reason="booked")
        )
        db.session.add(booking)
    db.session.commit()


@pytest.mark.parametrize("how_many", [5, 50])
def test_finding_the_reminders_due_costs_the_same_for_5_or_50(app, count_queries, how_many):
    confirmed_places(a_session(), how_many)
    confirmed_places(a_session(online=True), how_many)

    with count_queries() as counted:
        done = reminders.send_reminders(db.session, REMINDER_MOMENT, 2)

    assert done.value == len(done.notices) == 2 * how_many
    assert len(counted) == 3, counted.statements
    # What the mail needs was loaded with them.
    with count_queries() as counted:
        for notice in done.notices:
            assert notice.booking.session.course.title and notice.booking.user.email
            assert notice.booking.session.is_online or notice.booking.session.venue.name
    assert len(counted) == 0
    db.session.rollback()


def test_a_run_writes_a_batch_and_leaves_the_rest_to_the_next(app):
    confirmed_places(a_session(), 5)

    assert reminders.send_reminders(db.session, REMINDER_MOMENT, 2, limit=3).value == 3
    db.session.commit()
    assert reminders.send_reminders(db.session, REMINDER_MOMENT, 2, limit=3).value == 2
    db.session.commit()
    assert reminders.send_reminders(db.session, REMINDER_MOMENT, 2, limit=3).value == 0
