"""How long the board's report takes for a full financial year over 200,000 bookings.

Makes a throwaway SQLite database (and, when a PostgreSQL server is named with
--postgres URL or TEST_DATABASE_URL, a throwaway database on it), migrated as production
is, and writes straight into it two financial years of training: 2 prospectuses of 20
courses (3 learning outcomes each), 8 case reviews of 5 findings drawn on by 5 courses
each, 60 agencies with headcounts, 20,000 people, 8,000 sessions of 25 bookings (200,000
bookings, half in each year) with their marks, walk-ins, cancellations (late ones too),
confidence before and after, evaluations with their words, and the charges.

Then, in the app as `flask` loads it with production settings, it times the full year's
report 5 times each way: the report's statements alone (`app.reports.queries.report`),
the page (`GET /admin/reports`, signed in as a coordinator, through the test client), one
table as CSV, and the whole workbook. It prints each one's best, median and worst
seconds, and the statements taken, against the aim: the page under 2 seconds.

    .venv/bin/python bench/reports.py [--postgres URL] 2>/dev/null
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.engine import Engine

from app.models import (
    Agency,
    Attendance,
    Booking,
    BookingStatus,
    CaseReview,
    Charge,
    ChargeReason,
    ChargingBand,
    Course,
    CourseSession,
    Delivery,
    Evaluation,
    KeyFinding,
    LearningOutcome,
    LessonLink,
    OutcomeConfidence,
    Prospectus,
    Role,
    Sector,
    SessionStatus,
    Stage,
    User,
)
from app.models.reviews import lesson_link_finding

COURSES = 40
OUTCOMES = 3
REVIEWS = 8
FINDINGS = 5
AGENCIES = 60
PEOPLE = 20_000
SESSIONS = 8_000
PER_SESSION = 25
BATCH_ROWS = 5_000
ROUNDS = 5
TARGET_SECONDS = 2.0
#: The financial year reported: April 2025 to March 2026; the year before is written too.
YEAR = 2025
FIRST_DAY = datetime(YEAR - 1, 4, 1, 9, 0, tzinfo=UTC)
NOW = datetime(YEAR + 1, 4, 2, 12, 0, tzinfo=UTC)
PASSWORD = "a benchmark password"


@dataclass(frozen=True)
class Size:
    """How much training `build` writes, and over which days (bench/scale.py writes more,
    into the future too)."""

    courses: int = COURSES
    people: int = PEOPLE
    sessions: int = SESSIONS
    per_session: int = PER_SESSION
    first_day: datetime = FIRST_DAY
    #: Sessions start before this, two days or more.
    last_day: datetime = NOW
    #: Sessions starting after this have not run: no marks, evaluations or charges.
    now: datetime = NOW


#: The report's two financial years.
TWO_YEARS = Size()
WORDS = (
    "I will share a worry about a child with my safeguarding lead the same day.",
    "I will ask the other agencies involved what they know before deciding.",
    "I will record what a child says in their own words.",
    "I will check who is leading a joint enquiry and agree what each of us will do.",
)


def insert_in_batches(engine: Engine, table, rows: list[dict]) -> None:
    with engine.begin() as connection:
        for start in range(0, len(rows), BATCH_ROWS):
            connection.execute(insert(table), rows[start : start + BATCH_ROWS])


def ids_of(engine: Engine, column) -> list[int]:
    with engine.connect() as connection:
        return list(connection.scalars(select(column).order_by(column)))


def how_it_went(chance: random.Random) -> tuple[BookingStatus, Attendance | None, bool, bool]:
    """A booking of a session that has run: its status, mark, whether it was cancelled
    late and whether the person walked in."""
    roll = chance.random()
    if roll < 0.05:
        return BookingStatus.CANCELLED, None, roll < 0.02, False
    if roll < 0.06:
        return BookingStatus.CONFIRMED, Attendance.ATTENDED, False, True
    mark = chance.choices(
        (Attendance.ATTENDED, Attendance.LEFT_EARLY, Attendance.DID_NOT_ATTEND, None),
        (85, 3, 8, 1),
    )[0]
    return BookingStatus.CONFIRMED, mark, False, False


def build(engine: Engine, size: Size = TWO_YEARS) -> None:
    """The training (two years of it unless `size` says otherwise), written with Core
    INSERTs; the random choices are seeded, so every run writes the same."""
    chance = random.Random(19)
    made = FIRST_DAY
    stamps = {"created_at": made, "updated_at": made}
    insert_in_batches(
        engine,
        Prospectus.__table__,
        [
            {"slug": slug, "title": slug.title(), "year": YEAR, "position": n, **stamps}
            for n, slug in enumerate(("multi-agency", "early-help"))
        ],
    )
    prospectus_ids = ids_of(engine, Prospectus.id)
    insert_in_batches(
        engine,
        Course.__table__,
        [
            {
                "prospectus_id": prospectus_ids[n % 2],
                "slug": f"course-{n}",
                "title": f"Safeguarding practice {n}: working together to protect children",
                "level": n % 4 + 1,
                "delivery": Delivery.IN_PERSON,
                "published": True,
                **stamps,
            }
            for n in range(size.courses)
        ],
    )
    course_ids = ids_of(engine, Course.id)
    insert_in_batches(
        engine,
        LearningOutcome.__table__,
        [
            {"course_id": course_id, "position": n + 1, "text": f"Outcome {n + 1}", **stamps}
            for course_id in course_ids
            for n in range(OUTCOMES)
        ],
    )
    with engine.connect() as connection:
        outcomes: dict[int, list[int]] = {}
        for outcome_id, course_id in connection.execute(
            select(LearningOutcome.id, LearningOutcome.course_id).order_by(LearningOutcome.id)
        ):
            outcomes.setdefault(course_id, []).append(outcome_id)
    insert_in_batches(
        engine,
        CaseReview.__table__,
        [
            {"slug": f"child-{n}", "title": f"Child {n} - Serious Case Review", **stamps}
            for n in range(REVIEWS)
        ],
    )
    review_ids = ids_of(engine, CaseReview.id)
    insert_in_batches(
        engine,
        KeyFinding.__table__,
        [
            {"case_review_id": review_id, "position": n + 1, "text": f"Finding {n + 1}", **stamps}
            for review_id in review_ids
            for n in range(FINDINGS)
        ],
    )
    insert_in_batches(
        engine,
        LessonLink.__table__,
        [
            {"course_id": course_ids[(r * 5 + n) % size.courses], "case_review_id": review_id,
             "note": "Uses it", **stamps}
            for r, review_id in enumerate(review_ids)
            for n in range(5)
        ],
    )  # fmt: skip
    with engine.connect() as connection:
        links = connection.execute(select(LessonLink.id, LessonLink.case_review_id)).all()
        findings = connection.execute(select(KeyFinding.id, KeyFinding.case_review_id)).all()
    # Each link teaches some of its review's findings; the last finding of each, none.
    insert_in_batches(
        engine,
        lesson_link_finding,
        [
            {"lesson_link_id": link_id, "key_finding_id": finding_id}
            for link_id, review_id in links
            for n, (finding_id, of_review) in enumerate(findings)
            if of_review == review_id and n % FINDINGS < FINDINGS - 1 and (link_id + n) % 2
        ],
    )
    sectors = list(Sector)
    insert_in_batches(
        engine,
        Agency.__table__,
        [
            {
                "name": f"Agency {n}",
                "sector": sectors[n % len(sectors)],
                "charging_band": ChargingBand.CHARGEABLE if n % 3 else ChargingBand.PARTNER,
                "headcount": 200 + 10 * n if n % 4 else None,
                **stamps,
            }
            for n in range(AGENCIES)
        ],
    )
    agency_ids = ids_of(engine, Agency.id)
    agency_of = {n: agency_ids[n % AGENCIES] if n % 50 else None for n in range(size.people)}
    insert_in_batches(
        engine,
        User.__table__,
        [
            {
                "email": f"person-{n}@example.org",
                "name": f"Person {n}",
                "agency_id": agency_of[n],
                "calendar_token": f"token-{n:06d}",
                "email_verified_at": made,
                "role": Role.PROFESSIONAL,
                **stamps,
            }
            for n in range(size.people)
        ],
    )
    user_ids = ids_of(engine, User.id)
    # Sessions over the days, most mornings.
    days = (size.last_day - size.first_day).days - 2
    starts = sorted(
        size.first_day + timedelta(days=chance.randrange(days), hours=chance.choice((0, 4)))
        for _ in range(size.sessions)
    )
    insert_in_batches(
        engine,
        CourseSession.__table__,
        [
            {
                "course_id": course_ids[n % size.courses],
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=3),
                "capacity": size.per_session + 5,
                "status": SessionStatus.CANCELLED if n % 97 == 0 else SessionStatus.SCHEDULED,
                "published": True,
                **stamps,
            }
            for n, starts_at in enumerate(starts)
        ],
    )
    with engine.connect() as connection:
        sessions = connection.execute(
            select(CourseSession.id, CourseSession.course_id, CourseSession.starts_at).order_by(
                CourseSession.id
            )
        ).all()
    bookings = []
    for index, (session_id, _, starts_at) in enumerate(sessions):
        for place in range(size.per_session):
            person = (index * 7 + place * 131) % size.people
            status, mark, late, walk_in = BookingStatus.CONFIRMED, None, False, False
            if starts_at <= size.now:
                status, mark, late, walk_in = how_it_went(chance)
            bookings.append(
                {
                    "session_id": session_id,
                    "user_id": user_ids[person],
                    "agency_id": agency_of[person],
                    "status": status,
                    "late_cancellation": late,
                    "walk_in": walk_in,
                    "attendance": mark,
                    "cancelled_at": starts_at - timedelta(days=1) if late else None,
                    "created_at": starts_at - timedelta(days=20),
                    "updated_at": starts_at,
                }
            )
    insert_in_batches(engine, Booking.__table__, bookings)
    with engine.connect() as connection:
        written = connection.execute(
            select(
                Booking.id,
                Booking.attendance,
                Booking.agency_id,
                Booking.user_id,
                CourseSession.course_id,
                CourseSession.ends_at,
            )
            .join(CourseSession, Booking.session_id == CourseSession.id)
            .order_by(Booking.id)
        ).all()
    confidence, evaluations, charges = [], [], []
    chargeable = {agency_ids[n] for n in range(AGENCIES) if n % 3}
    for booking_id, mark, agency_id, user_id, course_id, ends_at in written:
        if chance.random() < 0.7:
            confidence.extend(
                {"booking_id": booking_id, "outcome_id": outcome_id, "stage": Stage.BEFORE,
                 "confidence": chance.randint(1, 3), "answered_at": ends_at}
                for outcome_id in outcomes[course_id]
            )  # fmt: skip
        if mark in (Attendance.ATTENDED, Attendance.LEFT_EARLY) and chance.random() < 0.6:
            evaluations.append(
                {"booking_id": booking_id, "overall_rating": chance.randint(2, 5),
                 "do_differently": chance.choice(WORDS), "anything_else": "",
                 "submitted_at": ends_at + timedelta(days=1)}
            )  # fmt: skip
            confidence.extend(
                {"booking_id": booking_id, "outcome_id": outcome_id, "stage": Stage.AFTER,
                 "confidence": chance.randint(3, 5), "answered_at": ends_at}
                for outcome_id in outcomes[course_id]
            )  # fmt: skip
        if mark is Attendance.DID_NOT_ATTEND and agency_id in chargeable:
            charges.append(
                {"booking_id": booking_id, "user_id": user_id, "agency_id": agency_id,
                 "amount_pence": 5000, "reason": ChargeReason.DID_NOT_ATTEND,
                 "raised_at": ends_at, "waived_at": ends_at if booking_id % 9 == 0 else None}
            )  # fmt: skip
    insert_in_batches(engine, OutcomeConfidence.__table__, confidence)
    insert_in_batches(engine, Evaluation.__table__, evaluations)
    insert_in_batches(engine, Charge.__table__, charges)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


@contextmanager
def databases(postgres_url: str | None) -> Iterator[list[tuple[str, str]]]:
    from tests.conftest import throwaway_postgres_database

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-reports-")))
        found = [("SQLite", f"sqlite:///{folder / 'reports.sqlite'}")]
        if postgres_url:
            found.append(
                ("PostgreSQL", stack.enter_context(throwaway_postgres_database(postgres_url)))
            )
        yield found


def timed(label: str, run: Callable[[], object], engine: Engine) -> None:
    statements = [0]

    def count(*args) -> None:
        statements[0] += 1

    seconds = []
    for _ in range(ROUNDS):
        statements[0] = 0
        event.listen(engine, "before_cursor_execute", count)
        began = time.perf_counter()
        try:
            run()
        finally:
            seconds.append(time.perf_counter() - began)
            event.remove(engine, "before_cursor_execute", count)
    print(
        f"  {label + ':':<34} best {min(seconds):.2f} s, median {statistics.median(seconds):.2f} s,"
        f" worst {max(seconds):.2f} s; {statements[0]} SQL statements"
    )


def bench(name: str, database_url: str) -> None:
    from app import create_app
    from app.accounts.passwords import hash_password
    from app.charges.queries import financial_year
    from app.extensions import db
    from app.reports import queries
    from tests.servers import app_environment, migrate

    environment = app_environment(database_url)
    migrate(environment)
    engine = create_engine(database_url)
    started = time.perf_counter()
    build(engine)
    with engine.connect() as connection:
        counts = {
            model.__tablename__: connection.scalar(select(func.count()).select_from(model))
            for model in (Booking, OutcomeConfidence, Evaluation, Charge)
        }
    engine.dispose()
    print(
        f"\n{name}: "
        + ", ".join(f"{count:,} {table}" for table, count in counts.items())
        + f", written in {time.perf_counter() - started:.0f} s"
    )

    os.environ.update(
        APP_ENV="production",
        DATABASE_URL=database_url,
        SECRET_KEY="a secret for the benchmark",
        BASE_URL="https://training.example.org",
        RATELIMIT_ENABLED="false",
    )
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        coordinator = User(
            email="coordinator@example.org",
            name="Cora Ordinator",
            role=Role.COORDINATOR,
            password_hash=hash_password(PASSWORD),
            email_verified_at=NOW,
        )
        db.session.add(coordinator)
        db.session.commit()
        filters = queries.ReportFilters(financial_year(YEAR))
        found = queries.report(db.session, filters, NOW)
        print(
            f"  the year: {found.activity.total.sessions:,} sessions run,"
            f" {found.activity.total.booked:,} places booked, {found.reach.total:,} people trained"
        )
        client = app.test_client()
        signed_in = client.post(
            "/account/sign-in", data={"email": coordinator.email, "password": PASSWORD}
        )
        assert signed_in.status_code == 302, signed_in.status
        year = f"year={YEAR}"

        def get(url: str) -> Callable[[], None]:
            def run() -> None:
                response = client.get(url)
                assert response.status_code == 200, response.status

            return run

        timed(
            "the report's statements", lambda: queries.report(db.session, filters, NOW), db.engine
        )
        timed("GET /admin/reports", get(f"/admin/reports?{year}"), db.engine)
        timed(
            "GET activity-by-agency.csv",
            get(f"/admin/reports/activity-by-agency.csv?{year}"),
            db.engine,
        )
        timed("GET /admin/reports.xlsx", get(f"/admin/reports.xlsx?{year}"), db.engine)
        page = client.get(f"/admin/reports?{year}")
        print(f"  the page: {len(page.data):,} bytes; aim: under {TARGET_SECONDS:.0f} s")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL"),
        metavar="URL",
        help="a PostgreSQL server to make a throwaway database on (default: TEST_DATABASE_URL)",
    )
    options = parser.parse_args()
    print(
        f"The board's report for April {YEAR} to March {YEAR + 1}, over two years' training;"
        f" Python {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    with databases(options.postgres) as found:
        for name, database_url in found:
            bench(name, database_url)


if __name__ == "__main__":
    main()
