"""How many bookings a second the app takes through HTTP, and whether any go wrong.

Serves the app with gunicorn (4 sync workers) on a throwaway SQLite file and, when a
PostgreSQL server is named (--postgres URL, or TEST_DATABASE_URL), on a throwaway
database on it. Makes N people and a few sessions straight in the database, signs
everyone in through /account/sign-in (with their own cookies), then lets C people at a
time book: each person books every session, in a shuffled order, by loading the
confirmation page (for its CSRF token) and submitting it. Prints bookings a second,
p50/p95 latency, and the outcomes: confirmed, waiting, errors, and places given twice
(from `flask --app wsgi check-integrity` and a direct count).

Run from the repository root:
    .venv/bin/python bench/booking_load.py [--postgres URL] [--people 200] [--concurrency 20]

Every request has a timeout and each phase stops at a deadline; the databases, mail
folder and server are removed at the end.
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, make_url, select

from app.models import PLACE_HOLDING_STATUSES, Booking, BookingStatus, OutboxMessage, OutboxStatus
from tests.conftest import throwaway_postgres_database
from tests.servers import ROOT, VENV_BIN, app_environment, gunicorn, migrate
from tests.test_booking_races import (
    PASSWORD,
    Browser,
    Database,
    Person,
    Response,
    redirects_to_a_booking,
)


@dataclass
class Tally:
    """What the requests of one phase came to, shared by the threads making them."""

    seconds: list[float] = field(default_factory=list)
    form_seconds: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    done: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] += 1


def kind_of(response: Response) -> str:
    if response.status == 503:
        return "503 try again"
    heading = re.search(r"<h1[^>]*>\s*(.*?)\s*</h1>", response.text, re.S)
    return f"{response.status} {heading.group(1)[:60] if heading else ''}".strip()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_for_each(
    things: list, action: Callable, concurrency: int, deadline: float, tally: Tally
) -> float:
    """`action(thing)` for each thing, `concurrency` at a time, until the deadline; seconds."""

    def guarded(thing) -> None:
        if time.monotonic() > deadline:
            tally.error("not started: time limit")
            return
        try:
            action(thing)
        except OSError as error:  # timeouts and refused connections
            tally.error(f"{type(error).__name__}: {error}"[:80])

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(guarded, things))
    return time.perf_counter() - started


def cpu_seconds_of(needle: bytes) -> float:
    """User and system CPU seconds used so far by the processes whose command line holds
    `needle` (Linux): the gunicorn serving an address, or PostgreSQL's backends for one
    database, whose command lines name it."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "cmdline").read_bytes():
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process has gone, or this is not Linux
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@dataclass
class CpuUse:
    """CPU seconds spent over a phase by the server's processes, by PostgreSQL for its
    database, by this client, and by the whole machine (other work included)."""

    server: float = 0.0
    database: float = 0.0
    client: float = 0.0
    machine: float = 0.0

    @contextmanager
    def measuring(self, base_url: str, database_url: str) -> Iterator[None]:
        server_needle = f"127.0.0.1:{urllib.parse.urlsplit(base_url).port}".encode()
        database_needle = postgres_backend_needle(database_url)
        server, client = cpu_seconds_of(server_needle), process_cpu_seconds()
        database = cpu_seconds_of(database_needle) if database_needle else 0.0
        machine = machine_cpu_seconds()
        yield
        self.server += cpu_seconds_of(server_needle) - server
        if database_needle:
            self.database += cpu_seconds_of(database_needle) - database
        self.client += process_cpu_seconds() - client
        self.machine += machine_cpu_seconds() - machine


def postgres_backend_needle(database_url: str) -> bytes | None:
    """What a PostgreSQL backend serving this database shows in its command line."""
    url = make_url(database_url)
    return f" {url.database} ".encode() if url.get_backend_name() == "postgresql" else None


def machine_cpu_seconds() -> float:
    """CPU seconds every core has spent busy since boot: all but idle and I/O wait (Linux)."""
    try:
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return float("nan")
    idle, iowait = fields[3], fields[4]
    return (sum(fields[:8]) - idle - iowait) / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def sign_in_everyone(
    base_url: str, people: list[Person], concurrency: int, deadline: float
) -> tuple[dict[int, Browser], Tally, float]:
    """Sign in C at a time; whoever fails is tried again alone, so the booking can go on."""
    browsers: dict[int, Browser] = {}
    tally = Tally()

    def sign_in(person: Person, tally: Tally = tally) -> None:
        browser = Browser(base_url)
        token = browser.form_token("/account/sign-in")
        started = time.perf_counter()
        answer = browser.request(
            "/account/sign-in",
            {"csrf_token": token, "email": person.email, "password": PASSWORD},
        )
        elapsed = time.perf_counter() - started
        if answer.redirect_path != "/account/bookings":
            tally.error(kind_of(answer))
            return
        with tally.lock:
            tally.seconds.append(elapsed)
            browsers[person.id] = browser

    seconds = run_for_each(people, sign_in, concurrency, deadline, tally)
    again = Tally()
    for _ in range(3):
        missing = [person for person in people if person.id not in browsers]
        run_for_each(missing, partial(sign_in, tally=again), 1, deadline, again)
    return browsers, tally, seconds


def book_everything(
    base_url: str,
    database_url: str,
    browsers: dict[int, Browser],
    people: list[Person],
    session_ids: list[int],
    concurrency: int,
    deadline: float,
    load_form: bool,
) -> tuple[Tally, float, CpuUse]:
    tally = Tally()
    tokens = {}
    if not load_form:
        # The CSRF token is the same for every form of a signed-in person: fetch it first.
        path = f"/sessions/{session_ids[0]}/book"
        for person in people:
            if person.id in browsers:
                tokens[person.id] = browsers[person.id].form_token(path)

    def book_all_sessions(person: Person) -> None:
        browser = browsers.get(person.id)
        if browser is None:
            tally.error("not signed in")
            return
        order = random.sample(session_ids, len(session_ids))
        for session_id in order:
            if time.monotonic() > deadline:
                tally.error("not started: time limit")
                continue
            path = f"/sessions/{session_id}/book"
            if load_form:
                started = time.perf_counter()
                token = browser.form_token(path)
                with tally.lock:
                    tally.form_seconds.append(time.perf_counter() - started)
            else:
                token = tokens[person.id]
            started = time.perf_counter()
            answer = browser.request(path, {"csrf_token": token, "access_needs": ""})
            elapsed = time.perf_counter() - started
            if redirects_to_a_booking(answer):
                with tally.lock:
                    tally.seconds.append(elapsed)
                    tally.done += 1
            else:
                tally.error(kind_of(answer))

    cpu = CpuUse()
    with cpu.measuring(base_url, database_url):
        seconds = run_for_each(people, book_all_sessions, concurrency, deadline, tally)
    return tally, seconds, cpu


def outcomes(database: Database, session_ids: list[int]) -> dict:
    with database.session() as db_session:
        statuses = Counter(
            db_session.scalars(select(Booking.status).where(Booking.session_id.in_(session_ids)))
        )
        held = dict(
            db_session.execute(
                select(Booking.session_id, func.count(Booking.id))
                .where(
                    Booking.session_id.in_(session_ids),
                    Booking.status.in_(PLACE_HOLDING_STATUSES),
                )
                .group_by(Booking.session_id)
            ).all()
        )
        unsent = db_session.execute(
            select(OutboxMessage.status, func.count(OutboxMessage.id))
            .where(OutboxMessage.status != OutboxStatus.SENT)
            .group_by(OutboxMessage.status)
        )
        stuck_mail = {str(status): count for status, count in unsent} or 0
    return {
        "confirmed": statuses[BookingStatus.CONFIRMED],
        "waiting": statuses[BookingStatus.WAITING],
        "held": held,
        "mail not sent": stuck_mail,
    }


@dataclass
class Backend:
    name: str
    database_url: str
    folder: Path


@contextmanager
def backends(postgres_url: str | None) -> Iterator[list[Backend]]:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="booking-load-")))
        found = [Backend("SQLite", f"sqlite:///{folder / 'load.sqlite'}", folder / "sqlite")]
        if postgres_url:
            url = stack.enter_context(throwaway_postgres_database(postgres_url))
            found.append(Backend("PostgreSQL", url, folder / "postgresql"))
        yield found


def run(backend: Backend, options: argparse.Namespace) -> None:
    backend.folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + options.time_limit
    environment = app_environment(
        backend.database_url,
        # Served as in production: no debugging, templates compiled once.
        APP_ENV="production",
        MAIL_FOLDER=str(backend.folder / "mail"),
        MAIL_SERVER="",
        RATELIMIT_ENABLED="false",
        RATELIMIT_STORAGE_URI="memory://",
    )
    migrate(environment)
    database = Database(backend.database_url)
    try:
        people = database.make_people(options.people)
        session_ids = [database.make_session(options.capacity) for _ in range(options.sessions)]
        server_log = backend.folder / "server.log"
        # The workers' tracebacks and log lines go to a file, counted at the end.
        logging_options = ("--error-logfile", str(server_log), "--capture-output")
        print(f"{backend.name}: serving, signing in, booking...", file=sys.stderr)
        with gunicorn(
            environment, options.workers, "--timeout", "120", *logging_options
        ) as base_url:
            browsers, signing_in, sign_in_seconds = sign_in_everyone(
                base_url, people, options.concurrency, deadline
            )
            booking, booking_seconds, cpu = book_everything(
                base_url,
                backend.database_url,
                browsers,
                people,
                session_ids,
                options.concurrency,
                deadline,
                options.load_form,
            )
        integrity = subprocess.run(
            [VENV_BIN / "flask", "--app", "wsgi", "check-integrity"],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        found = outcomes(database, session_ids)
    finally:
        database.engine.dispose()

    attempts = len(people) * len(session_ids)
    breaches = [line for line in integrity.stderr.splitlines() if line.startswith("BREACH")]
    given_twice = sum(max(0, held - options.capacity) for held in found["held"].values())
    flow = "form loaded, then submitted" if options.load_form else "submitted (form loaded before)"
    print(
        f"\n{backend.name}: gunicorn with {options.workers} workers; {len(people)} people,"
        f" {len(session_ids)} sessions of {options.capacity} places, {options.concurrency}"
        f" at a time; each booking {flow}"
    )
    print(
        f"  signing in:  {len(signing_in.seconds)} of {len(people)} at the first try in"
        f" {sign_in_seconds:.1f} s; p50 {percentile(signing_in.seconds, 0.5) * 1000:.0f} ms,"
        f" p95 {percentile(signing_in.seconds, 0.95) * 1000:.0f} ms;"
        f" errors {dict(signing_in.errors) or 0}; signed in at last: {len(browsers)}"
    )
    answered = booking.done + sum(booking.errors.values())
    print(
        f"  booking:     {answered} of {attempts} booking requests answered in"
        f" {booking_seconds:.2f} s = {answered / max(booking_seconds, 1e-9):.1f} a second;"
        f" {booking.done} redirected to the booking"
        f" = {booking.done / max(booking_seconds, 1e-9):.1f} bookings a second"
    )
    print(
        f"  latency:     booking POST p50 {percentile(booking.seconds, 0.5) * 1000:.0f} ms,"
        f" p95 {percentile(booking.seconds, 0.95) * 1000:.0f} ms"
        + (
            f"; form GET p50 {percentile(booking.form_seconds, 0.5) * 1000:.0f} ms,"
            f" p95 {percentile(booking.form_seconds, 0.95) * 1000:.0f} ms"
            if options.load_form
            else ""
        )
    )
    per_booking = (cpu.server + cpu.database) / max(answered, 1)
    postgres = (
        f" and PostgreSQL {cpu.database / max(answered, 1) * 1000:.1f}" if cpu.database else ""
    )
    print(
        f"  CPU:         server {cpu.server / max(answered, 1) * 1000:.1f}{postgres} ms a booking"
        f" (this client {cpu.client / max(answered, 1) * 1000:.1f} ms); at that cost"
        f" {os.cpu_count()} cores could serve {os.cpu_count() / max(per_booking, 1e-9):.0f}"
        " bookings a second, were nothing else running"
    )
    core_seconds = os.cpu_count() * max(booking_seconds, 1e-9)
    others = cpu.machine - cpu.server - cpu.database - cpu.client
    postgres = f" PostgreSQL {cpu.database / core_seconds:.0%}," if cpu.database else ""
    print(
        f"  machine:     cores {cpu.machine / core_seconds:.0%} busy while booking:"
        f" server {cpu.server / core_seconds:.0%},{postgres}"
        f" this client {cpu.client / core_seconds:.0%},"
        f" other work {max(others, 0) / core_seconds:.0%}"
    )
    print(
        f"  outcomes:    {found['confirmed']} confirmed, {found['waiting']} waiting,"
        f" {sum(booking.errors.values())} errors {dict(booking.errors) or ''}".rstrip()
    )
    print(
        f"  integrity:   check-integrity exit {integrity.returncode},"
        f" {len(breaches)} breaches; places given twice: {given_twice};"
        f" mail left unsent: {found['mail not sent']}"
    )
    for line in breaches[:10]:
        print(f"    {line}")
    server_errors = Counter(
        line.strip()[:120]
        for line in server_log.read_text().splitlines()
        if re.match(r"\w+(\.\w+)*(Error|Exception): ", line)
    )
    for line, times in server_errors.most_common(5):
        print(f"  server log:  {times} x {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL"),
        metavar="URL",
        help="a PostgreSQL server to make a throwaway database on (default: TEST_DATABASE_URL)",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's worker processes")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=3)
    parser.add_argument(
        "--capacity", type=int, default=None, help="places per session (default: half the people)"
    )
    parser.add_argument(
        "--no-form-load",
        dest="load_form",
        action="store_false",
        help="submit the booking without loading its page first (all tokens fetched ahead)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=300, help="seconds for each database's run"
    )
    options = parser.parse_args()
    options.capacity = options.capacity or max(1, options.people // 2)
    with backends(options.postgres) as found:
        for backend in found:
            run(backend, options)


if __name__ == "__main__":
    main()
