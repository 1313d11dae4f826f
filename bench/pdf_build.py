"""How long the prospectus PDF takes to build, and to serve once built.

Builds a 40-course prospectus (3 upcoming sessions, 4 learning outcomes and 1 or 2
case reviews per course) in a throwaway SQLite database made by the migrations, then
requests /prospectuses/<slug>.pdf through the test client: first with an empty PDF
cache (the catalogue is rendered by WeasyPrint), then again (the copy on disk is sent).
Repeats a few rounds and prints seconds, pages, bytes and time per course.

Run from the repository root: .venv/bin/python bench/pdf_build.py
"""

import io
import logging
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from pypdf import PdfReader

from app import create_app
from app.extensions import db
from app.models import utcnow
from tests.factories import (
    link,
    make_case_review,
    make_course,
    make_prospectus,
    make_session,
    make_venue,
)

COURSES = 40
ROUNDS = 5
TARGET_SECONDS = 5.0
URL = "/prospectuses/multi-agency.pdf"

DESCRIPTION = """\
This course looks at how practitioners **recognise**, **respond to** and **record** concerns.

- The legal framework and local procedures
- Working with families who are reluctant to engage
- Sharing information safely between agencies

See the [partnership procedures](/procedures) before you attend."""

OUTCOMES = """\
Recognise the signs and indicators of abuse and neglect
Know how and when to share information with other agencies
Understand the thresholds for early help and statutory services
Record concerns clearly, factually and promptly"""


def build_catalogue() -> None:
    prospectus = make_prospectus(year=2027)
    venues = [make_venue(name=f"Training room {number}") for number in range(1, 4)]
    reviews = [
        make_case_review(title=f"Child {letter} - Serious Case Review") for letter in "ABCDEFGH"
    ]
    first_date = (utcnow() + timedelta(days=30)).replace(hour=9, minute=30, second=0, microsecond=0)
    for number in range(COURSES):
        course = make_course(
            prospectus,
            title=f"Safeguarding practice {number + 1}: working together to protect children",
            description=DESCRIPTION,
            learning_outcomes=OUTCOMES,
            level=number % 4 + 1,
        )
        for week in range(3):
            starts_at = first_date + timedelta(days=number + 28 * week)
            make_session(course, starts_at=starts_at, venue=venues[week] if week < 2 else None)
        drawn_on = [reviews[number % 8]] + ([reviews[(number + 3) % 8]] if number % 2 else [])
        for review in drawn_on:
            link(course, review, note="How the review's findings change everyday practice.")
    db.session.commit()


def timed_get(client) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = client.get(URL)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed, response.data


def main() -> None:
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "pdf-cache"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                "PDF_CACHE_DIR": str(cache),
                "BASE_URL": "https://training.example.org",
                "DEBUG": False,
            }
        )
        with app.app_context():
            upgrade()
            build_catalogue()

        started = time.perf_counter()
        import weasyprint  # noqa: F401  (the app imports it on the first PDF)

        print(f"Prospectus PDF, {COURSES} courses; target: under {TARGET_SECONDS:.0f} s uncached")
        print(f"importing WeasyPrint: {time.perf_counter() - started:.2f} s (once per process)")
        print("round  uncached s  per course s  cached s  pages   bytes")
        client = app.test_client()
        uncached_times = []
        for round_number in range(1, ROUNDS + 1):
            for copy in cache.rglob("*.pdf"):
                copy.unlink()
            uncached, document = timed_get(client)
            cached, again = timed_get(client)
            assert again == document
            uncached_times.append(uncached)
            pages = len(PdfReader(io.BytesIO(document)).pages)
            print(
                f"{round_number:>5}  {uncached:>10.2f}  {uncached / COURSES:>12.3f}"
                f"  {cached:>8.4f}  {pages:>5}  {len(document):>6}"
            )
        typical = statistics.median(uncached_times)
        verdict = "meets" if typical < TARGET_SECONDS else "MISSES"
        print(
            f"uncached build: best {min(uncached_times):.2f} s, median {typical:.2f} s,"
            f" worst {max(uncached_times):.2f} s; the median {verdict} the"
            f" {TARGET_SECONDS:.0f} s target"
        )
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
