"""How long one run of `flask --app wsgi tick` takes, job by job, over 10,000 bookings.

Makes a throwaway SQLite database (and, when a PostgreSQL server is named with
--postgres URL or TEST_DATABASE_URL, a throwaway database on it), migrated as production
is, and writes straight into it 10,000 bookings on 200 sessions, past and future, with
their history, the reminders already sent for past sessions and the mail already sent.
1,000 of the bookings are confirmed places on 20 sessions starting within hours, whose
reminder moment has passed. Mail goes by SMTP to a server on loopback, in a process of
its own, which accepts every message and keeps none.

Every run is a new process, as cron starts it: it loads the app as `flask --app wsgi`
does, then runs `app.tick.run(JOBS, now)` with each job timed, whatever JOBS holds.
Three cases:

- nothing to do: the 1,000 reminders already claimed (sent by an earlier run);
- 1,000 reminders to send, mailed after each run's commit, as in production: runs one
  after the other until none is left;
- the same with the mail left in the outbox for the "Mail sent" job, so that writing
  the reminders and sending them are timed apart.

Prints, for each run, each job's count, seconds, SQL statements and the part of its
seconds spent in Python's garbage collector; and, with nothing to do, the seconds of the
command itself, `flask --app wsgi tick`, start-up included, as cron pays them. Run from
the repository root:

    .venv/bin/python bench/tick.py [--postgres URL] 2>/dev/null
"""

import argparse
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, delete, func, insert, select
from sqlalchemy.engine import Engine

from app.models import (
    Booking,
    BookingEvent,
    BookingNoticeSent,
    BookingStatus,
    Course,
    CourseSession,
    Delivery,
    OutboxMessage,
    OutboxStatus,
    Prospectus,
    SessionStatus,
    User,
    Venue,
    utcnow,
)
from app.reminders.service import REMINDER

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# The tests' helpers (and so pytest) are imported only where this process sets the runs up:
# a run's process holds what `flask --app wsgi tick` holds, no more, as the garbage
# collector's full passes take longer the more a process holds.

SESSIONS = 200
PER_SESSION = 50
DUE_SESSIONS = 20
PEOPLE = 2_000
BATCH_ROWS = 1_000
IDLE_ROUNDS = 3
#: Runs allowed to send the 1,000 reminders before the benchmark gives up on them.
MOST_RUNS = 10


# The data, written with Core INSERTs in batches


def insert_in_batches(engine: Engine, table, rows: list[dict]) -> None:
    with engine.begin() as connection:
        for start in range(0, len(rows), BATCH_ROWS):
            connection.execute(insert(table), rows[start : start + BATCH_ROWS])


def ids_of(engine: Engine, column) -> list[int]:
    with engine.connect() as connection:
        return list(connection.scalars(select(column).order_by(column)))


@dataclass
class Data:
    due_booking_ids: list[int]
    last_outbox_id: int


def build(engine: Engine, now: datetime) -> Data:
    """10,000 bookings over 200 sessions: 120 past, 20 due a reminder now, 10 in the
    reminders' horizon but not yet due, 50 further ahead."""
    booked = now - timedelta(days=10)
    insert_in_batches(
        engine,
        Prospectus.__table__,
        [{"slug": "multi-agency", "title": "Multi-agency", "year": now.year, "published": True}],
    )
    [prospectus_id] = ids_of(engine, Prospectus.id)
    insert_in_batches(
        engine,
        Course.__table__,
        [
            {
                "prospectus_id": prospectus_id,
                "slug": f"course-{n}",
                "title": f"Safeguarding practice {n}: working together to protect children",
                "level": n % 4 + 1,
                "delivery": Delivery.IN_PERSON,
                "published": True,
            }
            for n in range(20)
        ],
    )
    course_ids = ids_of(engine, Course.id)
    insert_in_batches(
        engine,
        Venue.__table__,
        [
            {"name": f"Training room {n}", "address": "Main Street", "postcode": "S60 1AE"}
            for n in range(3)
        ],
    )
    venue_ids = ids_of(engine, Venue.id)
    start = now.replace(second=0, microsecond=0)
    starts = (
        [start - timedelta(days=2 * n + 1) for n in range(120)]
        + [start + timedelta(hours=2, minutes=30 * n) for n in range(DUE_SESSIONS)]
        + [start + timedelta(days=7, hours=12, minutes=30 * n) for n in range(10)]
        + [start + timedelta(days=14 + 3 * n) for n in range(50)]
    )
    insert_in_batches(
        engine,
        CourseSession.__table__,
        [
            {
                "course_id": course_ids[n % len(course_ids)],
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=3),
                "venue_id": venue_ids[n % len(venue_ids)],
                "capacity": PER_SESSION,
                "status": SessionStatus.SCHEDULED,
                "published": True,
            }
            for n, starts_at in enumerate(starts)
        ],
    )
    session_ids = ids_of(engine, CourseSession.id)
    insert_in_batches(
        engine,
        User.__table__,
        [
            {
                "email": f"person-{n}@example.org",
                "name": f"Person {n}",
                "email_verified_at": booked,
                "calendar_token": f"token-{n:06d}",
            }
            for n in range(PEOPLE)
        ],
    )
    user_ids = ids_of(engine, User.id)
    due = set(session_ids[120 : 120 + DUE_SESSIONS])
    bookings = []
    for index, session_id in enumerate(session_ids):
        for place in range(PER_SESSION):
            status = BookingStatus.CONFIRMED
            if session_id not in due and place >= 46:
                # Elsewhere a few people cancelled, and a few wait for a place.
                status = BookingStatus.CANCELLED if place < 48 else BookingStatus.WAITING
            bookings.append(
                {
                    "session_id": session_id,
                    "user_id": user_ids[(index * PER_SESSION + place) % PEOPLE],
                    "status": status,
                    "created_at": booked,
                    "updated_at": booked,
                    "cancelled_at": booked if status is BookingStatus.CANCELLED else None,
                }
            )
    insert_in_batches(engine, Booking.__table__, bookings)
    with engine.connect() as connection:
        rows = connection.execute(
            select(Booking.id, Booking.session_id, Booking.status, Booking.user_id)
        ).all()
    insert_in_batches(
        engine,
        BookingEvent.__table__,
        [
            {"booking_id": booking_id, "at": booked, "to_status": status, "reason": "booked"}
            for booking_id, _, status, _ in rows
        ],
    )
    past = set(session_ids[:120])
    insert_in_batches(
        engine,
        BookingNoticeSent.__table__,
        [
            {"booking_id": booking_id, "kind": REMINDER, "sent_at": booked}
            for booking_id, session_id, status, _ in rows
            if session_id in past and status is BookingStatus.CONFIRMED
        ],
    )
    # Each booking's confirmation, sent long ago: the outbox the mail job looks through.
    insert_in_batches(
        engine,
        OutboxMessage.__table__,
        [
            {
                "message_id": f"<confirmation-{booking_id}@training.example.org>",
                "to_address": f"person-{user_id}@example.org",
                "subject": "Place confirmed",
                "text_body": "Your place is confirmed.",
                "html_body": "<p>Your place is confirmed.</p>",
                "status": OutboxStatus.SENT,
                "attempts": 1,
                "next_attempt_at": booked,
                "sent_at": booked,
                "created_at": booked,
            }
            for booking_id, _, _, user_id in rows
        ],
    )
    due_ids = sorted(booking_id for booking_id, session_id, _, _ in rows if session_id in due)
    return Data(due_ids, max(ids_of(engine, OutboxMessage.id)))


def set_reminders_claimed(engine: Engine, data: Data, claimed: bool) -> None:
    """Claim the due reminders (as a run before would have) or free them again, and
    remove the mail runs wrote."""
    with engine.begin() as connection:
        connection.execute(
            delete(BookingNoticeSent).where(BookingNoticeSent.booking_id.in_(data.due_booking_ids))
        )
        connection.execute(delete(OutboxMessage).where(OutboxMessage.id > data.last_outbox_id))
    if claimed:
        insert_in_batches(
            engine,
            BookingNoticeSent.__table__,
            [
                {"booking_id": booking_id, "kind": REMINDER, "sent_at": utcnow()}
                for booking_id in data.due_booking_ids
            ],
        )


def mail_written(engine: Engine, data: Data) -> dict[str, int]:
    with engine.connect() as connection:
        found = connection.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.id > data.last_outbox_id)
            .group_by(OutboxMessage.status)
        )
        return {str(status): count for status, count in found}


# One run, in a process of its own


def one_run(send_later: bool) -> None:
    """Load the app as `flask --app wsgi` does and run every job of tick, timed; print
    what each did as JSON."""
    from sqlalchemy import event

    from app import tick
    from app.extensions import db
    from wsgi import app

    app.config["MAIL_SEND_AFTER_COMMIT"] = not send_later
    timings: dict[str, dict] = {}
    statements = [0]
    collecting = [0.0, 0.0]  # seconds spent collecting; when the current pass began

    def collector(phase: str, info: dict) -> None:
        if phase == "start":
            collecting[1] = time.perf_counter()
        else:
            collecting[0] += time.perf_counter() - collecting[1]

    def count(connection, cursor, statement: str, *args) -> None:
        # As tests/conftest.py counts them: SQLite's explicit BEGIN is no query.
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements[0] += 1

    def timed(job: tick.Job) -> tick.Job:
        def run(now: datetime) -> int:
            before, collected, began = statements[0], collecting[0], time.perf_counter()
            try:
                return job.run(now)
            finally:
                timings[job.label] = {
                    "seconds": time.perf_counter() - began,
                    "statements": statements[0] - before,
                    "collecting": collecting[0] - collected,
                }

        return tick.Job(job.label, run)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        gc.callbacks.append(collector)
        began = time.perf_counter()
        outcomes = tick.run([timed(job) for job in tick.JOBS], utcnow())
        ticked = time.perf_counter() - began
    jobs = [
        {"label": outcome.label, "count": outcome.count, "error": outcome.error}
        | timings[outcome.label]
        for outcome in outcomes
    ]
    print(json.dumps({"tick": ticked, "jobs": jobs}))


@dataclass
class Run:
    tick: float
    jobs: list[dict]

    def count(self, label: str) -> int:
        return next(job["count"] for job in self.jobs if job["label"] == label)


def run_once(environment: dict[str, str], send_later: bool = False) -> Run:
    command = [sys.executable, __file__, "--one-run"] + (["--send-later"] if send_later else [])
    done = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"the run failed:\n{done.stderr}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return Run(found["tick"], found["jobs"])


def command_seconds(environment: dict[str, str]) -> tuple[float, str]:
    """`flask --app wsgi tick` itself, start-up included: its seconds and what it printed."""
    started = time.perf_counter()
    done = subprocess.run(
        [VENV_BIN / "flask", "--app", "wsgi", "tick"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"tick failed:\n{done.stderr}")
    return seconds, "; ".join(done.stdout.splitlines())


def show(name: str, run: Run) -> None:
    print(f"  {name}: tick.run {run.tick * 1000:.1f} ms")
    for job in run.jobs:
        done = f"FAILED: {job['error']}" if job["error"] else f"{job['count']:>5}"
        print(
            f"    {job['label'] + ':':<22} {done}  in {job['seconds'] * 1000:>8.1f} ms,"
            f" {job['statements']:>5} SQL statements"
            + (f", {job['collecting'] * 1000:.1f} ms collecting" if job["collecting"] else "")
        )


def until_all_sent(environment: dict[str, str], send_later: bool) -> list[Run]:
    runs = []
    for number in range(1, MOST_RUNS + 1):
        run = run_once(environment, send_later)
        runs.append(run)
        show(f"run {number}", run)
        if run.count("Reminders sent") == 0:
            break
    return runs


def summary(runs: list[Run]) -> None:
    sent = sum(run.count("Reminders sent") for run in runs)
    print(
        f"  {sent} reminders in {len(runs)} runs: tick {sum(run.tick for run in runs):.2f} s"
        " in all; per job:"
    )
    for index, job in enumerate(runs[0].jobs):
        seconds = sum(run.jobs[index]["seconds"] for run in runs)
        count = sum(run.jobs[index]["count"] for run in runs)
        each = f", {seconds / count * 1000:.1f} ms each" if count else ""
        print(f"    {job['label'] + ':':<22} {count:>5}  in {seconds:>7.2f} s{each}")


# The SMTP server, and the databases


@contextmanager
def smtp_server() -> Iterator[int]:
    """aiosmtpd's Sink on loopback, in a process of its own so that it takes no time
    from the runs'; its port."""
    from tests.conftest import free_port

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
         "-l", f"127.0.0.1:{port}"],
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def databases(postgres_url: str | None) -> Iterator[list[tuple[str, str, Path]]]:
    from tests.conftest import throwaway_postgres_database

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-tick-")))
        found = [("SQLite", f"sqlite:///{folder / 'tick.sqlite'}", folder / "sqlite")]
        if postgres_url:
            url = stack.enter_context(throwaway_postgres_database(postgres_url))
            found.append(("PostgreSQL", url, folder / "postgresql"))
        yield found


def bench(name: str, database_url: str, folder: Path, smtp_port: int) -> None:
    from tests.servers import app_environment, migrate

    environment = app_environment(
        database_url,
        APP_ENV="production",
        BASE_URL="https://training.example.org",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        MAIL_FOLDER=str(folder / "mail"),
    )
    migrate(environment)
    engine = create_engine(database_url)
    try:
        started = time.perf_counter()
        data = build(engine, utcnow())
        with engine.connect() as connection:
            bookings = connection.scalar(select(func.count()).select_from(Booking))
        print(
            f"\n{name}: {bookings:,} bookings on {SESSIONS} sessions, written in"
            f" {time.perf_counter() - started:.1f} s; {len(data.due_booking_ids):,} confirmed"
            f" on {DUE_SESSIONS} sessions due a reminder; mail by SMTP to loopback"
        )

        print("Nothing to do (the 1,000 reminders already claimed):")
        set_reminders_claimed(engine, data, claimed=True)
        idle = [run_once(environment) for _ in range(IDLE_ROUNDS)]
        for number, run in enumerate(idle, 1):
            show(f"run {number}", run)
        print(f"  median tick.run: {statistics.median(run.tick for run in idle) * 1000:.1f} ms")
        commands = [command_seconds(environment) for _ in range(IDLE_ROUNDS)]
        print(
            "  the command, start-up included: "
            + ", ".join(f"{seconds:.2f} s" for seconds, _ in commands)
            + f" ({commands[-1][1]})"
        )

        print("1,000 reminders to send, each mailed after its run's commit (production):")
        set_reminders_claimed(engine, data, claimed=False)
        summary(until_all_sent(environment, send_later=False))
        print(f"  mail: {mail_written(engine, data)}")

        print("1,000 reminders to send, left in the outbox for the mail job:")
        set_reminders_claimed(engine, data, claimed=False)
        summary(until_all_sent(environment, send_later=True))
        print(f"  mail: {mail_written(engine, data)}")
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL"),
        metavar="URL",
        help="a PostgreSQL server to make a throwaway database on (default: TEST_DATABASE_URL)",
    )
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--send-later", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one_run:
        one_run(options.send_later)
        return
    print(
        "flask --app wsgi tick: each run a new process, each job timed;"
        f" Python {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    with smtp_server() as port, databases(options.postgres) as found:
        for name, database_url, folder in found:
            bench(name, database_url, folder, port)


if __name__ == "__main__":
    main()
