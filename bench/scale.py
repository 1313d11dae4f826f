"""How the pages people use most hold up from the demo data to a partnership's years of use.

For each database (a throwaway SQLite file and, when a PostgreSQL server is named with
--postgres URL or TEST_DATABASE_URL, a throwaway database on it), two data sets, each
migrated as production is and served by gunicorn with gunicorn.conf.py and production
settings (two workers a CPU and one more):

- **demo**: `flask seed --demo`;
- **scale**: 2,000 courses, 10,000 sessions (from a year ago to a year ahead), 50,000
  people and 200,000 bookings, written by bench/reports.py's generator.

On each, wrk sends requests from 50 connections at once for --seconds to `/livez` (the
process alone, no database: what the machine can do at all), then to the catalogue (the
prospectus with the most courses), a course page (the course with the most sessions to
come), a session page (the session to come with the most bookings), a personal calendar
feed (the person with the most bookings) and booking: 50 people, signed in beforehand,
each POST booking one of them on one of 400 sessions to come, never twice the same.
It prints requests a second, the median and 99th percentile latency, and the answers
that were not 2xx or 3xx, then each page's throughput at scale against the demo's.

    .venv/bin/python bench/scale.py [--postgres URL] [--seconds 10] 2>/dev/null
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, desc, func, select, update
from sqlalchemy.engine import Engine

from app.models import (
    Booking,
    BookingStatus,
    Course,
    CourseSession,
    Prerequisite,
    Prospectus,
    SessionStatus,
    User,
    utcnow,
)
from bench.reports import Size, build
from tests.conftest import throwaway_postgres_database
from tests.servers import (
    ROOT,
    app_environment,
    gunicorn_as_configured,
    migrate,
    seed_demo,
)
from tests.test_booking_races import Browser, Database

CONNECTIONS = 50
WRK_THREADS = 2
BOOKING_PEOPLE = 50
BOOKING_SESSIONS = 400
NOW = utcnow().replace(microsecond=0)
SCALE = Size(
    courses=2_000,
    people=50_000,
    sessions=10_000,
    per_session=20,
    first_day=NOW - timedelta(days=365),
    last_day=NOW + timedelta(days=365),
    now=NOW,
)
WRK = shutil.which("wrk")
BOOKING_SCRIPT = ROOT / "bench" / "booking.lua"


@dataclass
class Measured:
    requests_per_second: float
    median_ms: float
    p99_ms: float
    not_2xx_3xx: int
    errors: str


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+|nan)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def wrk(url: str, seconds: int, *script: str) -> Measured:
    command = [WRK, f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "60s"]
    if script:
        command += ["-s", script[0], url, "--", *script[1:]]
    else:
        command.append(url)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return Measured(
        float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        milliseconds(latency.get("50", "nanms")),
        milliseconds(latency.get("99", "nanms")),
        int(refused.group(1)) if refused else 0,
        errors.group(1) if errors else "",
    )


# The data sets


def demo(environment: dict[str, str], engine: Engine) -> None:
    seed_demo(environment)


def scale(environment: dict[str, str], engine: Engine) -> None:
    build(engine, SCALE)
    with engine.begin() as connection:
        connection.execute(update(Prospectus).values(published=True))


@dataclass
class Pages:
    catalogue: str
    course: str
    session: str
    feed: str
    booking_sessions: list[int]


def pages_to_measure(engine: Engine) -> Pages:
    """The busiest of each kind of page, chosen alike in both data sets."""
    to_come = (
        CourseSession.published.is_(True),
        CourseSession.status == SessionStatus.SCHEDULED,
        CourseSession.starts_at > NOW,
    )
    with engine.connect() as connection:
        catalogue = connection.scalar(
            select(Prospectus.slug)
            .join(Course)
            .where(Prospectus.published.is_(True), Course.published.is_(True))
            .group_by(Prospectus.id)
            .order_by(desc(func.count(Course.id)), Prospectus.id)
            .limit(1)
        )
        course = connection.scalar(
            select(Course.slug)
            .join(CourseSession)
            .where(Course.published.is_(True), *to_come)
            .group_by(Course.id)
            .order_by(desc(func.count(CourseSession.id)), Course.id)
            .limit(1)
        )
        session = connection.scalar(
            select(CourseSession.id)
            .join(Booking)
            .where(*to_come)
            .group_by(CourseSession.id)
            .order_by(desc(func.count(Booking.id)), CourseSession.id)
            .limit(1)
        )
        feed = connection.scalar(
            select(User.calendar_token)
            .join(Booking, Booking.user_id == User.id)
            .where(Booking.status != BookingStatus.CANCELLED)
            .group_by(User.id)
            .order_by(desc(func.count(Booking.id)), User.id)
            .limit(1)
        )
        without_prerequisites = (
            ~select(Prerequisite.id)
            .where(Prerequisite.course_id == CourseSession.course_id)
            .exists()
        )
        booking_sessions = list(
            connection.scalars(
                select(CourseSession.id)
                .join(Course)
                .where(
                    *to_come,
                    Course.published.is_(True),
                    CourseSession.starts_at > NOW + timedelta(days=14),
                    without_prerequisites,
                )
                .order_by(CourseSession.starts_at, CourseSession.id)
                .limit(BOOKING_SESSIONS)
            )
        )
    return Pages(
        f"/prospectuses/{catalogue}",
        f"/courses/{course}",
        f"/sessions/{session}",
        f"/calendar/{feed}.ics",
        booking_sessions,
    )


def signed_in_people(database_url: str, base_url: str, session_id: int) -> list[str]:
    """Lines "cookie<TAB>csrf token" of people signed in through the site."""
    people = Database(database_url).make_people(BOOKING_PEOPLE)

    def sign_in(email: str) -> str:
        browser = Browser(base_url)
        browser.sign_in(email)
        token = browser.form_token(f"/sessions/{session_id}/book")
        jar = next(h for h in browser.opener.handlers if hasattr(h, "cookiejar")).cookiejar
        return "; ".join(f"{c.name}={c.value}" for c in jar) + "\t" + token

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(sign_in, [person.email for person in people]))


def bookings_made(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count(Booking.id)))


def warm(url: str, times: int = 30) -> None:
    """Each worker builds its templates and caches before anything is measured."""
    for _ in range(times):
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()


# The runs


def measure(name: str, database_url: str, fill, folder: Path, seconds: int) -> dict:
    environment = app_environment(
        database_url,
        APP_ENV="production",
        BASE_URL="http://127.0.0.1",
        MAIL_SERVER="",
        MAIL_FOLDER=str(folder / "mail"),
        PDF_CACHE_DIR=str(folder / "pdf"),
        UPLOAD_FOLDER=str(folder / "uploads"),
        RATELIMIT_ENABLED="false",
        WEB_CONCURRENCY=str(2 * os.cpu_count() + 1),
        ACCESS_LOG="/dev/null",
    )
    migrate(environment)
    engine = create_engine(database_url)
    started = time.perf_counter()
    fill(environment, engine)
    made = time.perf_counter() - started
    with engine.connect() as connection:
        counts = {
            label: connection.scalar(select(func.count()).select_from(model))
            for label, model in (
                ("courses", Course),
                ("sessions", CourseSession),
                ("people", User),
                ("bookings", Booking),
            )
        }
    pages = pages_to_measure(engine)
    print(f"\n  {name}: " + ", ".join(f"{n:,} {label}" for label, n in counts.items()), end="")
    print(f"; made in {made:.0f} s")
    results = {}
    with gunicorn_as_configured(environment) as base_url:
        targets = {
            "catalogue": pages.catalogue,
            "course page": pages.course,
            "session page": pages.session,
            "personal feed": pages.feed,
        }
        for path in ["/livez", *targets.values()]:
            warm(base_url + path)
        results["/livez"] = wrk(base_url + "/livez", seconds)
        for label, path in targets.items():
            results[label] = wrk(base_url + path, seconds)
        people = signed_in_people(database_url, base_url, pages.booking_sessions[0])
        people_file, sessions_file = folder / f"{name}-people.tsv", folder / f"{name}-sessions"
        people_file.write_text("\n".join(people) + "\n")
        sessions_file.write_text("\n".join(map(str, pages.booking_sessions)) + "\n")
        before = bookings_made(engine)
        results["booking"] = wrk(
            base_url,
            seconds,
            str(BOOKING_SCRIPT),
            str(people_file),
            str(sessions_file),
            str(WRK_THREADS),
        )
        booked = bookings_made(engine) - before
    engine.dispose()
    for label, found in results.items():
        path = {**targets, "/livez": "/livez", "booking": "POST /sessions/<id>/book"}[label]
        print(
            f"    {label:<14} {found.requests_per_second:8.1f} req/s, median"
            f" {found.median_ms:7.1f} ms, p99 {found.p99_ms:7.1f} ms"
            f"{f', {found.not_2xx_3xx} not 2xx/3xx' if found.not_2xx_3xx else ''}"
            f"{f', socket errors: {found.errors}' if found.errors else ''}  ({path})"
        )
    print(f"    bookings made: {booked:,} ({booked / seconds:.1f} a second)")
    return results


@contextmanager
def databases(postgres_url: str | None, folder: Path) -> Iterator[list[tuple[str, str, str]]]:
    """(database, data set, URL) for each run, each data set on a database of its own."""
    with ExitStack() as stack:
        found = [
            ("SQLite", "demo", f"sqlite:///{folder / 'demo.sqlite'}"),
            ("SQLite", "scale", f"sqlite:///{folder / 'scale.sqlite'}"),
        ]
        if postgres_url:
            found += [
                ("PostgreSQL", kind, stack.enter_context(throwaway_postgres_database(postgres_url)))
                for kind in ("demo", "scale")
            ]
        yield found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL"),
        metavar="URL",
        help="a PostgreSQL server to make throwaway databases on (default: TEST_DATABASE_URL)",
    )
    parser.add_argument("--seconds", type=int, default=10, help="how long each wrk run lasts")
    options = parser.parse_args()
    if WRK is None:
        sys.exit("wrk is not installed: scripts/setup --dev installs it.")
    print(
        f"{CONNECTIONS} connections, {options.seconds} s a page; Python {sys.version.split()[0]},"
        f" {os.cpu_count()} cores, {2 * os.cpu_count() + 1} gunicorn workers of 4 threads"
    )
    fills = {"demo": demo, "scale": scale}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as temporary:
        folder = Path(temporary)
        results = {}
        with databases(options.postgres, folder) as runs:
            for database, kind, url in runs:
                if kind == "demo":
                    print(f"\n{database}")
                results[database, kind] = measure(
                    f"{database.lower()}-{kind}", url, fills[kind], folder, options.seconds
                )
    print(
        "\nThroughput at scale against the demo data (requests a second), and the same as a"
        "\nshare of /livez's in its run, which takes out how busy the machine was meanwhile:"
    )
    for database in dict.fromkeys(database for database, _ in results):
        print(f"  {database}")
        demo_livez = results[database, "demo"]["/livez"].requests_per_second
        scale_livez = results[database, "scale"]["/livez"].requests_per_second
        for label, at_demo in results[database, "demo"].items():
            at_scale = results[database, "scale"][label]
            ratio = at_demo.requests_per_second / at_scale.requests_per_second
            share_ratio = (at_demo.requests_per_second / demo_livez) / (
                at_scale.requests_per_second / scale_livez
            )
            print(
                f"    {label:<14} {at_demo.requests_per_second:8.1f} -> "
                f"{at_scale.requests_per_second:8.1f}  ({ratio:.2f}x slower;"
                f" {share_ratio:.2f}x beside /livez)"
            )


if __name__ == "__main__":
    main()
