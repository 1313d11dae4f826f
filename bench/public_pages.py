"""Every public page against `/healthz` and a bare Flask route, in one run, as ratios.

Serves the app with gunicorn (2 workers of 4 threads, as gunicorn.conf.py sets;
production settings) on the demo catalogue (`flask --app wsgi seed --demo`) in a
throwaway SQLite file and, when a PostgreSQL server is named (--postgres URL, or
TEST_DATABASE_URL), in a throwaway database on it; the pages are kept in each worker's
memory, or in Redis with --redis URL. A Flask app of one route returning a word is
served beside it by gunicorn the same way: the floor no page can go under. wrk (16
connections, 2 threads) then loads each address in turn for --seconds, after a second's
warm-up, each page just after `/healthz` and the bare route and just before them again
(a busy machine's speed drifts), and all the pages again for --rounds rounds. For each
page the script prints the median of its rounds: answers a second, p50 and p99 latency,
and its answers a second as a share of `/healthz`'s and of the bare route's either side
of it (with the rounds' lowest and highest), against the aim: every public page at least
60% of `/healthz`, p99 50 ms at most. It also reads the server's CPU time (from /proc)
over each run: the milliseconds of CPU an answer took, and `/healthz`'s against the
page's, which holds steadier than answers a second on a busy machine.

Run from the repository root:
    .venv/bin/python bench/public_pages.py [--postgres URL] [--redis URL] \\
        [--seconds 5] [--rounds 3] 2>/dev/null
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from flask import Flask

#: The bare route gunicorn serves beside the app: `--pythonpath bench public_pages:bare`.
#: At /livez, where the server helper looks for an answer.
bare = Flask("bare")


@bare.get("/livez")
def bare_route() -> str:
    return "ok"


AIM_SHARE = 0.60
AIM_P99_MS = 50.0


@dataclass
class Figures:
    label: str
    path: str
    per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    bytes: int
    #: The server's CPU time for each answer: what the page costs, whatever else the
    #: machine was doing meanwhile.
    cpu_ms: float


def parse_wrk(output: str) -> tuple[float, float, float, int, int]:
    """Answers a second, p50 and p99 in ms, non-2xx/3xx answers or socket errors, and
    answers in all."""

    def milliseconds(value: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = milliseconds(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = milliseconds(re.search(r"\s99%\s+(\S+)", output).group(1))
    errors = sum(
        int(number)
        for number in re.findall(
            r"(?:Non-2xx or 3xx responses|connect|read|write|timeout) (\d+)", output
        )
    )
    answers = int(re.search(r"(\d+) requests in", output).group(1))
    return per_second, p50, p99, errors, answers


def load(base_url: str, label: str, path: str, seconds: int) -> Figures:
    from bench.booking_load import cpu_seconds_of

    with urllib.request.urlopen(base_url + path, timeout=30) as page:
        size = len(page.read())
    # A second's warm-up first: every worker has then rendered the page (and compiled its
    # templates) once, as a server that has been up a while has.
    wrk(base_url + path, 1)
    server = base_url.removeprefix("http://").encode()
    cpu_before = cpu_seconds_of(server)
    per_second, p50, p99, errors, answers = parse_wrk(wrk(base_url + path, seconds))
    cpu_ms = (cpu_seconds_of(server) - cpu_before) * 1000 / max(answers, 1)
    return Figures(label, path, per_second, p50, p99, errors, size, cpu_ms)


def wrk(url: str, seconds: int) -> str:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def public_pages(database_url: str) -> list[tuple[str, str]]:
    """The pages to load, named by what they are, with ids and slugs from the demo data."""
    from sqlalchemy import create_engine, select

    from app.models import CaseReview, Course, CourseSession, Prospectus, utcnow

    engine = create_engine(database_url)
    with engine.connect() as connection:
        prospectus = connection.scalar(select(Prospectus.slug).order_by(Prospectus.position))
        course_id, course = connection.execute(
            select(CourseSession.course_id, Course.slug)
            .join(Course)
            .where(CourseSession.starts_at > utcnow(), CourseSession.published.is_(True))
            .order_by(CourseSession.starts_at)
        ).first()
        session_id = connection.scalar(
            select(CourseSession.id)
            .where(CourseSession.course_id == course_id, CourseSession.starts_at > utcnow())
            .order_by(CourseSession.starts_at)
        )
        review = connection.scalar(select(CaseReview.slug).order_by(CaseReview.slug))
    engine.dispose()
    return [
        ("home", "/"),
        ("prospectuses", "/prospectuses"),
        ("prospectus", f"/prospectuses/{prospectus}"),
        ("prospectus, filtered", f"/prospectuses/{prospectus}?q=abuse&level=2&places=y"),
        ("search", "/search?q=abuse"),
        ("course", f"/courses/{course}"),
        ("session", f"/sessions/{session_id}"),
        ("case reviews", "/case-reviews"),
        ("case review", f"/case-reviews/{review}"),
    ]


@contextmanager
def databases(postgres_url: str | None, folder: Path) -> Iterator[list[tuple[str, str]]]:
    from tests.conftest import throwaway_postgres_database

    with ExitStack() as stack:
        found = [("SQLite", f"sqlite:///{folder / 'pages.sqlite'}")]
        if postgres_url:
            found.append(
                ("PostgreSQL", stack.enter_context(throwaway_postgres_database(postgres_url)))
            )
        yield found


def run(name: str, database_url: str, options: argparse.Namespace, folder: Path) -> None:
    from tests.servers import app_environment, gunicorn, migrate, seed_demo

    folder.mkdir(parents=True, exist_ok=True)
    environment = app_environment(
        database_url,
        APP_ENV="production",
        MAIL_FOLDER=str(folder / "mail"),
        MAIL_SERVER="",
        RATELIMIT_ENABLED="false",
        RATELIMIT_STORAGE_URI="memory://",
        PDF_CACHE_DIR=str(folder / "pdf"),
    )
    environment.pop("CACHE_REDIS_URL", None)
    if options.redis:
        environment["CACHE_REDIS_URL"] = options.redis
    migrate(environment)
    seed_demo(environment)
    pages = public_pages(database_url)
    kept = "Redis" if options.redis else "each worker's memory"
    print(f"\n{name}, pages kept in {kept}: gunicorn 2 workers, wrk 16 connections, "
          f"{options.seconds} s each, {options.rounds} rounds", flush=True)  # fmt: skip
    log = ("--error-logfile", str(folder / "server.log"))
    bare_app = ("--pythonpath", str(Path(__file__).resolve().parent))
    with (
        gunicorn(environment, 2, *log) as base_url,
        gunicorn(environment, 2, *bare_app, *log, app="public_pages:bare") as bare_url,
    ):
        # Each page is loaded between /healthz and the bare route, and set against their
        # mean around it: a machine whose speed drifts moves all three alike. Every page
        # is loaded once a round, and each figure is the median of the rounds: a
        # virtual machine's cores are sometimes slowed for seconds at a time.
        health = [load(base_url, "/healthz", "/healthz", options.seconds)]
        floor = [load(bare_url, "bare Flask route", "/livez", options.seconds)]
        rows = {label: [] for label, _ in pages}
        for _ in range(options.rounds):
            for label, path in pages:
                page = load(base_url, label, path, options.seconds)
                health.append(load(base_url, "/healthz", "/healthz", options.seconds))
                floor.append(load(bare_url, "bare Flask route", "/livez", options.seconds))
                rows[label].append(Around(page, health[-2:], floor[-2:]))
    report(rows, health, floor)


@dataclass
class Around:
    """A page's run, and the runs of /healthz and of the bare route either side of it."""

    page: Figures
    health: list[Figures]
    floor: list[Figures]

    @property
    def of_health(self) -> float:
        return self.page.per_second / mean(self.health)

    @property
    def of_floor(self) -> float:
        return self.page.per_second / mean(self.floor)

    @property
    def by_cpu(self) -> float:
        return mean(self.health, "cpu_ms") / self.page.cpu_ms


def mean(runs: list[Figures], figure: str = "per_second") -> float:
    return sum(getattr(run, figure) for run in runs) / len(runs)


def report(rows: dict[str, list[Around]], health: list, floor: list) -> None:
    """Each page's answers a second against those of the runs of /healthz and the bare
    route on either side of it, then its server CPU for each answer against /healthz's:
    how much of what /healthz can do the page can, the first as the machine allowed at
    that moment, the second whatever else was running. Each is the median of the rounds,
    with the range of the rounds after the share of /healthz."""
    headings = ("answers/s", "p50 ms", "p99 ms", "of /healthz", "(rounds)", "of bare")
    headings += ("CPU ms", "by CPU")
    widths = (10, 7, 7, 11, 11, 8, 7, 7)
    columns = " ".join(
        f"{heading:>{width}}" for heading, width in zip(headings, widths, strict=True)
    )
    print(f"{'':22} {columns} {'bytes':>7} {'errors':>6}  aim")
    for baseline in (health, floor):
        worst_p99 = max(run.p99_ms for run in baseline)
        print(
            f"{baseline[0].label:22} {median([run.per_second for run in baseline]):10.0f} "
            f"{'':7} {worst_p99:7.1f} {'':11} {'':11} {'':8} "
            f"{median([run.cpu_ms for run in baseline]):7.2f} {'':7} {baseline[0].bytes:7} "
            f"{sum(run.errors for run in baseline):6}"
            f"  ({len(baseline)} runs: {min(r.per_second for r in baseline):.0f} to "
            f"{max(r.per_second for r in baseline):.0f}/s; p99: worst)"
        )
    for label, rounds in rows.items():
        pages = [around.page for around in rounds]
        shares = [around.of_health for around in rounds]
        share, p99 = median(shares), median([page.p99_ms for page in pages])
        aim = "met" if share >= AIM_SHARE and p99 <= AIM_P99_MS else "missed"
        spread = f"{min(shares):.0%}-{max(shares):.0%}"
        print(
            f"{label:22} {median([page.per_second for page in pages]):10.0f} "
            f"{median([page.p50_ms for page in pages]):7.1f} {p99:7.1f} {share:11.0%} "
            f"{spread:>11} {median([around.of_floor for around in rounds]):8.0%} "
            f"{median([page.cpu_ms for page in pages]):7.2f} "
            f"{median([around.by_cpu for around in rounds]):7.0%} {pages[0].bytes:7} "
            f"{sum(page.errors for page in pages):6}  {aim}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--redis", help="keep the pages in this Redis (CACHE_REDIS_URL)")
    parser.add_argument("--seconds", type=int, default=5, help="wrk's time on each address")
    parser.add_argument("--rounds", type=int, default=3, help="loads of each page")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="public-pages-") as name:
        folder = Path(name)
        with databases(options.postgres, folder) as found:
            for database_name, url in found:
                run(database_name, url, options, folder / database_name)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
