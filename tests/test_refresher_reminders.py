"""Refresher reminders: mailed by the scheduled work 8 weeks before a course's refresher
falls due, once, and not to anyone already booked on the course again."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import (
    Attendance,
    Booking,
    BookingNoticeSent,
    BookingStatus,
    ExternalTrainingStatus,
)
from app.records import service as refreshers
from app.refusals import TryAgain
from app.transactions import saved
from tests.conftest import link_in
from tests.factories import (
    make_course,
    make_external_training,
    make_prospectus,
    make_session,
    make_user,
)
from tests.test_training_record import attended

#: Attended on Thursday 15 February 2024: the refresher (every 3 years) is due on
#: 15 February 2027, and its reminder from Monday 21 December 2026, 8 weeks before.
ATTENDED = datetime(2024, 2, 15, 9, 30, tzinfo=UTC)
REMINDER_FROM = datetime(2026, 12, 21, 0, 0, tzinfo=UTC)
DUE = datetime(2027, 2, 15, 0, 0, tzinfo=UTC)


@pytest.fixture
def course(app):
    return make_course(
        make_prospectus(),
        title="Child protection: the basics",
        slug="child-protection",
        refresh_years=3,
        cpd_hours=Decimal("3"),
    )


@pytest.fixture
def person(app):
    return make_user(email="ali@example.org", name="Ali Khan")


def remind(now: datetime) -> int:
    return saved(refreshers.send_refresher_reminders, db.session, now)


def refresher_mail(mailbox, address: str = "ali@example.org") -> list:
    return [m for m in mailbox.to(address) if m["Subject"].startswith("Refresher due:")]


def test_the_reminder_comes_8_weeks_before_the_refresher_is_due(course, person, mailbox):
    booking = attended(person, course, ATTENDED)
    db.session.commit()

    assert remind(REMINDER_FROM - timedelta(minutes=1)) == 0
    assert remind(REMINDER_FROM) == 1

    (message,) = refresher_mail(mailbox)
    assert message["Subject"] == "Refresher due: Child protection: the basics"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "due on Monday 15 February 2027" in " ".join(text.split())
    assert link_in(message) == "/courses/child-protection"
    assert "https://training.example.org/account/record" in text
    claim = db.session.scalar(select(BookingNoticeSent))
    assert (claim.booking_id, claim.kind) == (booking.id, "refresher")


def test_the_reminder_of_a_course_no_longer_offered_links_to_no_page(course, person, mailbox):
    attended(person, course, ATTENDED)
    course.published = False
    db.session.commit()

    assert remind(REMINDER_FROM) == 1

    (message,) = refresher_mail(mailbox)
    text = " ".join(message.get_body(preferencelist=("plain",)).get_content().split())
    assert "It has no sessions open to book at the moment." in text
    assert "/courses/" not in text


def test_the_reminder_is_sent_once_however_often_the_work_runs(course, person, mailbox):
    attended(person, course, ATTENDED)
    db.session.commit()

    assert remind(REMINDER_FROM + timedelta(days=1)) == 1
    assert remind(REMINDER_FROM + timedelta(days=1, minutes=5)) == 0
    assert remind(REMINDER_FROM + timedelta(days=30)) == 0

    assert len(refresher_mail(mailbox)) == 1


def test_nobody_booked_on_the_course_again_is_reminded(course, person, mailbox):
    attended(person, course, ATTENDED)
    again = make_session(course, starts_at=REMINDER_FROM + timedelta(days=20))
    db.session.add(Booking(session=again, user=person, status=BookingStatus.WAITING))
    db.session.commit()

    assert remind(REMINDER_FROM + timedelta(hours=1)) == 0
    assert refresher_mail(mailbox) == []


def test_a_booking_on_the_course_that_was_cancelled_does_not_stop_the_reminder(
    course, person, mailbox
):
    attended(person, course, ATTENDED)
    again = make_session(course, starts_at=REMINDER_FROM + timedelta(days=20))
    db.session.add(Booking(session=again, user=person, status=BookingStatus.CANCELLED))
    db.session.commit()

    assert remind(REMINDER_FROM + timedelta(hours=1)) == 1


def test_the_last_attendance_counts_and_has_its_own_reminder(course, person, mailbox):
    attended(person, course, ATTENDED - timedelta(days=3 * 365))
    latest = attended(person, course, ATTENDED)
    db.session.commit()

    assert remind(REMINDER_FROM) == 1

    claims = db.session.scalars(select(BookingNoticeSent.booking_id)).all()
    assert claims == [latest.id]


@pytest.mark.parametrize(
    ("status", "days_after", "reminded"),
    [
        (ExternalTrainingStatus.ACCEPTED, 30, 0),
        (ExternalTrainingStatus.ACCEPTED, 0, 1),
        (ExternalTrainingStatus.SUBMITTED, 30, 1),
        (ExternalTrainingStatus.REJECTED, 30, 1),
    ],
)
def test_training_elsewhere_accepted_later_puts_the_refresher_off(
    course, person, mailbox, status, days_after, reminded
):
    attended(person, course, ATTENDED)
    make_external_training(
        person, course, status=status, completed_on=ATTENDED.date() + timedelta(days=days_after)
    )
    db.session.commit()

    assert remind(REMINDER_FROM + timedelta(hours=1)) == reminded


def test_no_reminder_once_the_refresher_is_past_due(course, person, mailbox):
    attended(person, course, ATTENDED)
    db.session.commit()

    assert remind(DUE + timedelta(days=1)) == 0
    assert remind(DUE + timedelta(days=400)) == 0


@pytest.mark.parametrize("attendance", [Attendance.LEFT_EARLY, Attendance.DID_NOT_ATTEND, None])
def test_only_sessions_attended_are_refreshed(course, person, mailbox, attendance):
    attended(person, course, ATTENDED, attendance)
    db.session.commit()

    assert remind(REMINDER_FROM) == 0


def test_courses_without_a_refresher_and_closed_accounts_are_not_reminded(course, person, mailbox):
    once = make_course(course.prospectus, refresh_years=None)
    attended(person, once, ATTENDED)
    closed = make_user(email="gone@example.org", active=False)
    attended(closed, course, ATTENDED)
    db.session.commit()

    assert remind(REMINDER_FROM) == 0


def test_each_interval_has_its_window(app, person, mailbox):
    prospectus = make_prospectus()
    yearly = make_course(prospectus, refresh_years=1)
    decade = make_course(prospectus, refresh_years=10)
    attended(person, yearly, datetime(2026, 2, 1, 9, 30, tzinfo=UTC))
    attended(person, decade, datetime(2017, 2, 1, 9, 30, tzinfo=UTC))
    db.session.commit()

    # Both due on 1 February 2027: reminded from 7 December 2026.
    assert remind(datetime(2026, 12, 6, 23, 59, tzinfo=UTC)) == 0
    assert remind(datetime(2026, 12, 7, 0, 0, tzinfo=UTC)) == 2


def test_tick_sends_refresher_reminders_once(course, person, runner, mailbox):
    attended(person, course, ATTENDED)
    db.session.commit()

    with time_machine.travel(REMINDER_FROM + timedelta(minutes=2), tick=False):
        first = runner.invoke(args=["tick"])
        second = runner.invoke(args=["tick"])

    assert first.exit_code == 0, first.output
    assert "Refresher reminders sent: 1" in first.output.splitlines()
    assert "Refresher reminders sent: 0" in second.output.splitlines()
    assert len(refresher_mail(mailbox)) == 1


def test_a_run_that_meets_another_mid_way_waits_for_it_and_claims_nothing(course, person):
    attended(person, course, ATTENDED)
    db.session.commit()
    first, second = Session(db.engine), Session(db.engine)
    try:
        assert refreshers.send_refresher_reminders(first, REMINDER_FROM).value == 1
        with ThreadPoolExecutor(1) as pool:
            meeting = pool.submit(refreshers.send_refresher_reminders, second, REMINDER_FROM)
            time.sleep(0.3)
            assert not meeting.done()
            first.commit()
            assert meeting.result(timeout=10).value == 0
        second.commit()
    finally:
        first.close()
        second.close()


def test_tick_with_the_database_busy_sends_none_and_does_not_fail(app, runner, monkeypatch):
    def busy(*args):
        raise TryAgain

    monkeypatch.setattr(refreshers, "send_refresher_reminders", busy)

    result = runner.invoke(args=["tick"])

    assert result.exit_code == 0, result.output
    assert "Refresher reminders sent: 0" in result.output


def test_one_run_writes_at_most_its_batch_and_the_next_the_rest(course, person, mailbox):
    attended(person, course, ATTENDED)
    attended(make_user(email="bea@example.org"), course, ATTENDED)
    db.session.commit()

    first = saved(refreshers.send_refresher_reminders, db.session, REMINDER_FROM, limit=1)
    second = saved(refreshers.send_refresher_reminders, db.session, REMINDER_FROM, limit=1)

    assert (first, second, remind(REMINDER_FROM)) == (1, 1, 0)
    assert len(refresher_mail(mailbox)) == len(refresher_mail(mailbox, "bea@example.org")) == 1
