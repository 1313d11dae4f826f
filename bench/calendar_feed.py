"""How long a person's calendar feed of 500 events takes to serve.

Builds, in a throwaway SQLite database made by the migrations, a person with a confirmed
place on 450 sessions and 50 sessions they deliver as a trainer (500 events in all: in
person and online, across the clocks changing, with a few moved or cancelled), among
other people's bookings; then requests /calendar/<token>.ics through the test client,
a few warm-up requests and then ROUNDS timed ones, and also the same request carrying
the feed's ETag (If-None-Match, answered 304). Prints median, p95 and best milliseconds,
the bytes and the number of events, against the aim: under 100 ms.

Run from the repository root: .venv/bin/python bench/calendar_feed.py
"""

import logging
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import insert

from app import create_app
from app.extensions import db
from app.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    CourseSession,
    SessionStatus,
    session_trainer,
    utcnow,
)
from tests.factories import make_course, make_prospectus, make_user, make_venue

PLACES = 450
DELIVERING = 50
OTHER_PEOPLE = 20
WARM_UP = 3
ROUNDS = 30
TARGET_MS = 100.0

SUMMARY = (
    "How practitioners recognise, respond to and record concerns about children: the legal "
    "framework, local procedures, and sharing information safely between agencies."
)


def build_feed() -> tuple[str, int]:
    """The feed's token, and how many events it should hold."""
    prospectus = make_prospectus(year=2027)
    courses = [
        make_course(
            prospectus,
            title=f"Safeguarding practice {number + 1}: working together to protect children",
            summary=SUMMARY,
            what_to_bring="A laptop, your lanyard, and a recent case to discuss (anonymised).",
        )
        for number in range(20)
    ]
    venues = [make_venue(name=f"Training room {number + 1}") for number in range(6)]
    person = make_user(name="Samira Okafor", calendar_token="bench-" + "x" * 40)
    others = [make_user() for _ in range(OTHER_PEOPLE)]
    now = utcnow().replace(microsecond=0)
    # From two months back (still in the feed) to about 16 months ahead, so the feed spans
    # two clock changes each way.
    first = now - timedelta(days=60)
    for number in range(PLACES + DELIVERING):
        starts = first + timedelta(hours=21 * number)
        online = number % 4 == 0
        session = CourseSession(
            course=courses[number % len(courses)],
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            venue=None if online else venues[number % len(venues)],
            online_join_url="https://meet.example.org/j/88123?pwd=abc" if online else None,
            capacity=25,
            published=True,
            sequence=number % 3,
        )
        if number % 37 == 5 and starts > now:
            session.status = SessionStatus.CANCELLED
            session.cancelled_at = now - timedelta(days=number % 20)
            session.cancellation_reason = "The trainer is ill."
        db.session.add(session)
        for other in others[: number % 5]:
            db.session.add(Booking(session=session, user=other, status=BookingStatus.CONFIRMED))
        if number < PLACES:
            booking = Booking(session=session, user=person, status=BookingStatus.CONFIRMED)
            booking.history = [
                BookingEvent(at=now, to_status=BookingStatus.CONFIRMED, reason="booked")
            ]
            db.session.add(booking)
        else:
            db.session.flush()
            db.session.execute(
                insert(session_trainer).values(session_id=session.id, user_id=person.id)
            )
    db.session.commit()
    return person.calendar_token, PLACES + DELIVERING


def timed_get(client, url: str, headers: dict | None = None) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(url, headers=headers or {})
    return (time.perf_counter() - started) * 1000, response


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(
        f"{label:<28} median {median:6.1f} ms   p95 {percentile(times, 0.95):6.1f} ms"
        f"   best {min(times):6.1f} ms"
    )
    return median


def main() -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                "SECRET_KEY": secrets.token_hex(32),
                "PDF_CACHE_DIR": str(Path(folder) / "pdf-cache"),
                "MAIL_FOLDER": str(Path(folder) / "mail"),
                "BASE_URL": "https://training.example.org",
                "DEBUG": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            token, expected = build_feed()
            db.session.remove()

        url = f"/calendar/{token}.ics"
        client = app.test_client()
        for _ in range(WARM_UP):
            _, response = timed_get(client, url)
        assert response.status_code == 200, response.status_code
        body = response.data
        events = body.count(b"\r\nBEGIN:VEVENT\r\n")
        assert events == expected, (events, expected)

        full, unchanged = [], []
        for _ in range(ROUNDS):
            elapsed, response = timed_get(client, url)
            assert response.status_code == 200 and response.data == body
            full.append(elapsed)
            elapsed, response = timed_get(client, url, {"If-None-Match": response.headers["ETag"]})
            assert response.status_code == 304
            unchanged.append(elapsed)

        print(f"Person's calendar feed: {events} events, {len(body):,} bytes; aim under 100 ms")
        print(f"{ROUNDS} rounds after {WARM_UP} warm-up requests, SQLite, through the test client")
        median = report("GET, 200 with the feed", full)
        report("GET with its ETag, 304", unchanged)
        verdict = "meets" if median < TARGET_MS else "MISSES"
        print(f"the median {verdict} the {TARGET_MS:.0f} ms aim")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
