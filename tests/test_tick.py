"""`flask --app wsgi tick`: all the work time brings, in named jobs, never done twice,
whether run again or by two processes at once."""

import re
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app import tick
from app.extensions import db
from app.models import (
    Attendance,
    Booking,
    BookingEvent,
    BookingNoticeSent,
    BookingStatus,
    Course,
    CourseSession,
    Delivery,
    Prospectus,
    User,
    Venue,
    utcnow,
)
from app.refusals import TryAgain
from app.reminders import service as reminders
from tests.conftest import TEST_DATABASE_URL, free_port, throwaway_postgres_database
from tests.servers import ROOT, VENV_BIN, app_environment, migrate
from tests.test_reminders import REMINDER_MOMENT, a_session, book, reminders_to


def test_tick_prints_what_it_did_and_does_nothing_twice(app, runner, mailbox):
    book(a_session(), email="ali@example.org")

    with time_machine.travel(REMINDER_MOMENT + timedelta(minutes=2)):
        first = runner.invoke(args=["tick"])
        second = runner.invoke(args=["tick"])

    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [
        "Approvals expired: 0",
        "Held places let go: 0",
        "Reminders sent: 1",
        "Evaluation requests sent: 0",
        "Follow-ups sent: 0",
        "Refresher reminders sent: 0",
        "Transfers returned: 0",
        "No-shows charged: 0",
        "Mail sent: 0",
    ]
    assert second.exit_code == 0
    assert "Reminders sent: 0" in second.output
    assert len(reminders_to(mailbox, "ali@example.org")) == 1


def test_tick_expires_approvals_as_expire_approvals_does(app, runner, mailbox):
    session = a_session(course={"requires_approval": True})
    booking = book(session, email="ali@example.org", line_manager_email="boss@example.org")

    with time_machine.travel(booking.approval_expires_at + timedelta(minutes=1)):
        result = runner.invoke(args=["tick"])

    assert result.exit_code == 0, result.output
    assert "Approvals expired: 1" in result.output
    assert db.session.get(Booking, booking.id).status is BookingStatus.DECLINED


def test_tick_sends_mail_that_waited_in_the_outbox(app, runner, mailbox):
    app.config["MAIL_SEND_AFTER_COMMIT"] = False
    try:
        book(a_session(), email="ali@example.org")
    finally:
        app.config["MAIL_SEND_AFTER_COMMIT"] = True
    assert mailbox.to("ali@example.org") == []

    result = runner.invoke(args=["tick"])

    assert "Mail sent: 1" in result.output
    assert len(mailbox.to("ali@example.org")) == 1


def test_a_job_that_fails_is_reported_and_the_others_still_run(app, runner, monkeypatch):
    def broken(*args):
        raise RuntimeError("the reminders broke")

    monkeypatch.setattr(reminders, "send_reminders", broken)

    result = runner.invoke(args=["tick"])

    assert result.exit_code == 1
    assert "Reminders sent: FAILED: RuntimeError: the reminders broke" in result.output
    assert "Approvals expired: 0" in result.output
    assert "Mail sent: 0" in result.output


def test_mail_that_cannot_be_sent_is_not_a_failure_of_tick(app, runner):
    book(a_session(), email="ali@example.org")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())

    with time_machine.travel(REMINDER_MOMENT):
        result = runner.invoke(args=["tick"])

    assert result.exit_code == 0, result.output
    assert "Reminders sent: 1" in result.output


def test_every_job_is_named_and_counts(app):
    assert [job.label for job in tick.JOBS] == [
        "Approvals expired",
        "Held places let go",
        "Reminders sent",
        "Evaluation requests sent",
        "Follow-ups sent",
        "Refresher reminders sent",
        "Transfers returned",
        "No-shows charged",
        "Mail sent",
    ]
    assert all(isinstance(job.run(utcnow()), int) for job in tick.JOBS)


# Two servers' crons at once: real processes on one database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_of_its_own(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tick.sqlite'}"
    elif TEST_DATABASE_URL:
        with throwaway_postgres_database(TEST_DATABASE_URL) as url:
            yield url
    else:
        pytest.skip("TEST_DATABASE_URL is not set: no PostgreSQL server to run on")


def places_due_a_reminder(database_url: str, how_many: int) -> list[str]:
    """Confirmed places, booked ten days ago, on a session starting in six hours; their
    people's addresses."""
    engine = create_engine(database_url)
    starts_at = utcnow().replace(microsecond=0) + timedelta(hours=6)
    booked = utcnow() - timedelta(days=10)
    try:
        with Session(engine) as db_session:
            course = Course(
                prospectus=Prospectus(slug="p", title="Prospectus", year=2026, published=True),
                slug="c",
                title="Working together",
                level=1,
                delivery=Delivery.IN_PERSON,
                published=True,
            )
            session = CourseSession(
                course=course,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=3),
                capacity=how_many,
                published=True,
                venue=Venue(name="Riverside House", address="Main Street", postcode="S60 1AE"),
            )
            for n in range(how_many):
                person = User(email=f"ticked-{n}@example.org", name=f"Person {n}")
                booking = Booking(
                    session=session, user=person, status=BookingStatus.CONFIRMED, created_at=booked
                )
                booking.history.append(
                    BookingEvent(at=booked, to_status=BookingStatus.CONFIRMED, reason="booked")
                )
                db_session.add(booking)
            db_session.commit()
        return [f"ticked-{n}@example.org" for n in range(how_many)]
    finally:
        engine.dispose()


def claims(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with Session(engine) as db_session:
            return db_session.scalar(select(func.count()).select_from(BookingNoticeSent))
    finally:
        engine.dispose()


def two_ticks_at_once(database_url: str, tmp_path, smtp_server, set_up) -> tuple[list, list]:
    """Two `flask tick` processes started together on what `set_up(database_url)` made:
    what set_up returned, and each process's output (after checking both succeeded)."""
    controller, mailbox = smtp_server
    mailbox.received.clear()
    environment = app_environment(
        database_url,
        MAIL_SERVER=controller.hostname,
        MAIL_PORT=str(controller.port),
        MAIL_FOLDER=str(tmp_path / "mail"),
        BASE_URL="https://training.example.org",
    )
    migrate(environment)
    made = set_up(database_url)
    ticks = [
        subprocess.Popen(
            [VENV_BIN / "flask", "--app", "wsgi", "tick"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in ticks]
    for process, (_, err) in zip(ticks, outputs, strict=True):
        assert process.returncode == 0, err
    return made, [out for out, _ in outputs]


def mailed(smtp_server, subject: str) -> Counter:
    """How many messages with a subject starting `subject` each address was sent."""
    _, mailbox = smtp_server
    return Counter(
        message["To"] for message in mailbox.received if message["Subject"].startswith(subject)
    )


def test_two_ticks_at_once_send_each_reminder_once(database_of_its_own, tmp_path, smtp_server):
    people, outputs = two_ticks_at_once(
        database_of_its_own,
        tmp_path,
        smtp_server,
        lambda url: places_due_a_reminder(url, 30),
    )

    sent = [int(re.search(r"Reminders sent: (\d+)", out).group(1)) for out in outputs]
    assert sum(sent) == 30, outputs
    assert claims(database_of_its_own) == 30
    assert mailed(smtp_server, "Reminder") == Counter(people)


def attended_a_session_that_ended(database_url: str, how_many: int) -> list[str]:
    """Confirmed places marked attended on a session that ended an hour ago; the people's
    addresses."""
    engine = create_engine(database_url)
    starts_at = utcnow().replace(microsecond=0) - timedelta(hours=4)
    try:
        with Session(engine) as db_session:
            course = Course(
                prospectus=Prospectus(slug="p", title="Prospectus", year=2026, published=True),
                slug="c",
                title="Working together",
                level=1,
                delivery=Delivery.IN_PERSON,
                published=True,
            )
            session = CourseSession(
                course=course,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=3),
                capacity=how_many,
                published=True,
            )
            for n in range(how_many):
                db_session.add(
                    Booking(
                        session=session,
                        user=User(email=f"attended-{n}@example.org", name=f"Person {n}"),
                        status=BookingStatus.CONFIRMED,
                        attendance=Attendance.ATTENDED,
                    )
                )
            db_session.commit()
        return [f"attended-{n}@example.org" for n in range(how_many)]
    finally:
        engine.dispose()


def test_two_ticks_at_once_ask_each_person_for_their_evaluation_once(
    database_of_its_own, tmp_path, smtp_server
):
    people, outputs = two_ticks_at_once(
        database_of_its_own,
        tmp_path,
        smtp_server,
        lambda url: attended_a_session_that_ended(url, 30),
    )

    sent = [int(re.search(r"Evaluation requests sent: (\d+)", out).group(1)) for out in outputs]
    assert sum(sent) == 30, outputs
    assert claims(database_of_its_own) == 30
    assert mailed(smtp_server, "Tell us what you thought") == Counter(people)


def test_a_run_that_meets_another_mid_way_waits_for_it_and_claims_nothing(app):
    """The second run looks before the first has committed: on SQLite it waits for the
    write lock, on PostgreSQL for the first's claims, and then finds them taken."""
    book(a_session(), email="ali@example.org")
    book(a_session(online=True), email="bea@example.org")
    first, second = Session(db.engine), Session(db.engine)
    try:
        assert reminders.send_reminders(first, REMINDER_MOMENT, 2).value == 2
        with ThreadPoolExecutor(1) as pool:
            meeting = pool.submit(reminders.send_reminders, second, REMINDER_MOMENT, 2)
            time.sleep(0.3)
            assert not meeting.done()
            first.commit()
            assert meeting.result(timeout=10).value == 0
        second.commit()
    finally:
        first.close()
        second.close()


def test_a_run_kept_waiting_past_the_lock_timeout_leaves_the_reminders_to_the_next(app):
    book(a_session(), email="ali@example.org")
    first, second = Session(db.engine), Session(db.engine)
    try:
        assert reminders.send_reminders(first, REMINDER_MOMENT, 2).value == 1
        with pytest.raises(TryAgain):
            reminders.send_reminders(second, REMINDER_MOMENT, 2)
        second.rollback()
        first.rollback()
        assert reminders.send_reminders(second, REMINDER_MOMENT, 2).value == 1
        second.rollback()
    finally:
        first.close()
        second.close()


def test_tick_with_the_database_busy_sends_no_reminders_and_does_not_fail(app, runner, monkeypatch):
    def busy(*args):
        raise TryAgain

    monkeypatch.setattr(reminders, "send_reminders", busy)

    result = runner.invoke(args=["tick"])

    assert result.exit_code == 0, result.output
    assert "Reminders sent: 0" in result.output
