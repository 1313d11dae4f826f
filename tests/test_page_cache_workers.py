"""Kept public pages follow a booking made through any worker process: with the pages kept
in Redis, shared by the workers, and kept in each worker's own memory, where the
catalogue's version and the places, read from the database, tell each worker its copy
is out of date."""

import http.cookiejar
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.accounts.passwords import hash_password
from app.models import Course, CourseSession, Delivery, Prospectus, User, utcnow
from tests.conftest import TEST_DATABASE_URL, throwaway_postgres_database
from tests.servers import app_environment, gunicorn, migrate
from tests.test_rate_limits_shared import REDIS_URL, redis_answers

PASSWORD = "a kettle, two owls and a lighthouse"
EMAIL = "pat.booker@example.org"


class Browser:
    """Cookies and CSRF tokens, as a browser keeps them, against a real server."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path) as page:
            return page.read().decode()

    def send_form(self, path: str, fields: dict) -> str:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', self.get(path))
        body = urllib.parse.urlencode({"csrf_token": token.group(1), **fields}).encode()
        with self.opener.open(self.base_url + path, data=body) as answer:
            return answer.read().decode()


def words(page: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def database(tmp_path) -> Iterator[str]:
    if TEST_DATABASE_URL:
        with throwaway_postgres_database(TEST_DATABASE_URL) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'pages.sqlite'}"


def catalogue_with_a_session(database_url: str) -> int:
    """A published course with one session of 10 places, and a person who can book it."""
    engine = create_engine(database_url)
    with Session(engine) as db_session:
        prospectus = Prospectus(
            slug="multi-agency", title="Multi-agency", year=2026, published=True
        )
        course = Course(
            prospectus=prospectus,
            slug="neglect",
            title="Neglect: seeing it early",
            summary="Spotting neglect.",
            level=1,
            delivery=Delivery.IN_PERSON,
            published=True,
        )
        starts_at = utcnow().replace(microsecond=0) + timedelta(days=14)
        session = CourseSession(
            course=course,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            capacity=10,
            published=True,
        )
        person = User(
            email=EMAIL,
            name="Pat Booker",
            job_title="Health visitor",
            email_verified_at=utcnow(),
            password_hash=hash_password(PASSWORD),
        )
        db_session.add_all([session, person])
        db_session.commit()
        session_id = session.id
    engine.dispose()
    return session_id


def places_shown(base_url: str, paths: list[str], times: int) -> set[tuple[str, str]]:
    """What each page says of the places, asked `times` times 8 at once, so both workers
    answer."""

    def places(path: str) -> tuple[str, str]:
        found = re.search(r"\d+ places? left|Full", words(Browser(base_url).get(path)))
        return path, found.group(0) if found else "nothing"

    with ThreadPoolExecutor(8) as pool:
        return set(pool.map(places, paths * times))


@pytest.mark.parametrize("kept_in", ["redis", "memory"])
def test_a_booking_through_one_worker_shows_through_the_other(tmp_path, database, kept_in):
    if kept_in == "redis" and not redis_answers():
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    environment = app_environment(
        database, MAIL_FOLDER=str(tmp_path / "mail"), RATELIMIT_ENABLED="false"
    )
    if kept_in == "redis":
        environment["CACHE_REDIS_URL"] = REDIS_URL
    else:
        environment.pop("CACHE_REDIS_URL", None)
    migrate(environment)
    session_id = catalogue_with_a_session(database)
    pages = [f"/sessions/{session_id}", "/courses/neglect"]

    with gunicorn(environment, 2) as base_url:
        before = places_shown(base_url, pages, times=6)
        person = Browser(base_url)
        person.send_form("/account/sign-in", {"email": EMAIL, "password": PASSWORD})
        booked = person.send_form(f"/sessions/{session_id}/book", {"access_needs": ""})
        after = places_shown(base_url, pages, times=6)

    assert before == {(path, "10 places left") for path in pages}
    assert "Confirmed" in words(booked)
    assert after == {(path, "9 places left") for path in pages}
