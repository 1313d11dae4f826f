"""Races for places, through HTTP, against the app served by gunicorn's worker processes.

Each person signs in with a cookie jar of their own and loads the form first; then a
barrier releases every booking or cancellation at the same moment, so the requests
meet in different processes and wait for each other at the session's lock. Runs on a
SQLite file and, when TEST_DATABASE_URL names a server, on a throwaway PostgreSQL
database. The people, courses and sessions are written straight into that database.
"""

import email.parser
import email.policy
import http.cookiejar
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from app.accounts.passwords import hash_password
from app.models import (
    PLACE_HOLDING_STATUSES,
    Agency,
    Attendance,
    Booking,
    BookingEvent,
    BookingStatus,
    Course,
    CourseSession,
    Delivery,
    OfferAnswer,
    OutboxMessage,
    OutboxStatus,
    Prospectus,
    Role,
    Sector,
    SectorPlaces,
    User,
    utcnow,
)
from app.models import BookingTransfer as Transfer
from tests.conftest import TEST_DATABASE_URL, throwaway_postgres_database
from tests.servers import ROOT, VENV_BIN, app_environment, gunicorn, migrate

WORKERS = 4
PASSWORD = "a long passphrase for racing"
#: Seconds any one request may take before the test gives up on it.
REQUEST_TIMEOUT = 60
#: Requests at once while people load forms before a race.
GETTING_READY = 8
#: Sign-ins at once. On SQLite a sign-in holds the write lock while Argon2 checks the
#: password (a quarter of a second or more here), so more at once can wait past the lock
#: timeout; signing in is not what these tests race.
SIGNING_IN = 2
ACCESS_LOG_FORMAT = '%(p)s "%(m)s %(U)s" %(s)s'

T = TypeVar("T")


# The browser


@dataclass(frozen=True)
class Response:
    status: int
    location: str | None
    text: str

    @property
    def redirect_path(self) -> str | None:
        if self.status not in (301, 302, 303) or self.location is None:
            return None
        return urllib.parse.urlsplit(self.location).path

    def summary(self) -> str:
        heading = re.search(r"<h1[^>]*>\s*(.*?)\s*</h1>", self.text, re.S)
        return f"{self.status} {self.location or ''} {heading.group(1) if heading else ''}".strip()


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are answers to look at, not to follow."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class LoopbackIsSecure(http.cookiejar.DefaultCookiePolicy):
    """Sends cookies marked Secure to a server on loopback over plain HTTP, as browsers do
    for localhost, so the app can be served with its production settings."""

    def return_ok_secure(self, cookie, request) -> bool:
        on_loopback = urllib.parse.urlsplit(request.get_full_url()).hostname == "127.0.0.1"
        return on_loopback or super().return_ok_secure(cookie, request)


class Browser:
    """One person's browser: their cookies, and the CSRF token from the last form."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        cookies = http.cookiejar.CookieJar(LoopbackIsSecure())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(cookies), KeepRedirects()
        )

    def request(self, path: str, form: dict | None = None) -> Response:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base_url + path, data=data, timeout=REQUEST_TIMEOUT) as r:
                return Response(r.status, r.headers.get("Location"), r.read().decode())
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, error.headers.get("Location"), error.read().decode())

    def form_token(self, path: str) -> str:
        page = self.request(path)
        assert page.status == 200, f"GET {path}: {page.summary()}"
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        assert found, f"GET {path}: the page has no form"
        return found.group(1)

    def sign_in(self, email: str, password: str = PASSWORD, attempts: int = 3) -> None:
        """Sign in as a person would, trying again (up to `attempts`) when asked to."""
        for _ in range(attempts):
            token = self.form_token("/account/sign-in")
            answer = self.request(
                "/account/sign-in", {"csrf_token": token, "email": email, "password": password}
            )
            if answer.status != 503:
                break
            time.sleep(1)
        # Each lands on the page of their work: their bookings, sessions or administration.
        assert answer.redirect_path in ("/account/bookings", "/trainer", "/admin"), (
            f"sign in: {answer.summary()}"
        )


def redirects_to_a_booking(response: Response) -> bool:
    return re.fullmatch(r"/bookings/\d+", response.redirect_path or "") is not None


def booking_id_from(response: Response) -> int:
    """The booking a response redirected to; anything else fails the test."""
    found = re.fullmatch(r"/bookings/(\d+)", response.redirect_path or "")
    assert found, f"expected a redirect to a booking, got {response.summary()}"
    return int(found.group(1))


def in_parallel(actions: list[Callable[[], T]], workers: int = GETTING_READY) -> list[T]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda action: action(), actions, timeout=10 * REQUEST_TIMEOUT))


def all_at_once(actions: list[Callable[[], T]]) -> list[T]:
    """Run each action in a thread of its own, all released together by a barrier."""
    barrier = threading.Barrier(len(actions), timeout=30)

    def run(action: Callable[[], T]) -> T:
        barrier.wait()
        return action()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        futures = [pool.submit(run, action) for action in actions]
        return [future.result(timeout=2 * REQUEST_TIMEOUT) for future in futures]


def all_book_at_once(browsers: list, path: str) -> list:
    """Each browser opens the booking page at `path`, then all send its form together."""
    tokens = in_parallel([lambda browser=browser: browser.form_token(path) for browser in browsers])
    return all_at_once(
        [
            lambda browser=browser, token=token: browser.request(
                path, {"csrf_token": token, "access_needs": ""}
            )
            for browser, token in zip(browsers, tokens, strict=True)
        ]
    )


# The database, written and read directly


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass(frozen=True)
class Person:
    id: int
    email: str


class Database:
    """The server's database, seen from the test: setting up, then reading the outcome."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def make_session(self, capacity: int, days_away: int = 14) -> int:
        """A published session a fortnight away (or `days_away`), of a course of its own."""
        tag = uuid.uuid4().hex[:10]
        starts_at = utcnow().replace(microsecond=0) + timedelta(days=days_away)
        with self.session() as db_session:
            prospectus = Prospectus(
                slug=f"p-{tag}", title=f"Prospectus {tag}", year=2026, published=True
            )
            course = Course(
                prospectus=prospectus,
                slug=f"c-{tag}",
                title=f"Course {tag}",
                level=1,
                delivery=Delivery.IN_PERSON,
                published=True,
            )
            session = CourseSession(
                course=course,
                starts_at=starts_at,
                capacity=capacity,
                ends_at=starts_at + timedelta(hours=3),
                published=True,
            )
            db_session.add(session)
            db_session.commit()
            return session.id

    def make_people(
        self,
        how_many: int,
        agency: bool = False,
        role: Role = Role.PROFESSIONAL,
        sector: Sector = Sector.POLICE,
    ) -> list[Person]:
        """Verified people who can sign in with PASSWORD; with `agency`, colleagues in an
        agency of their own, in that sector."""
        tag = uuid.uuid4().hex[:10]
        with self.session() as db_session:
            employer = Agency(name=f"Agency {tag}", sector=sector) if agency else None
            users = [
                User(
                    email=f"racer-{tag}-{n}@example.org",
                    name=f"Racer {n}",
                    password_hash=password_hash(),
                    email_verified_at=utcnow(),
                    agency=employer,
                    role=role,
                )
                for n in range(how_many)
            ]
            db_session.add_all(users)
            db_session.commit()
            return [Person(user.id, user.email) for user in users]

    def give(
        self,
        session_id: int,
        people: list[Person],
        status: BookingStatus,
        needs_coordinator: Collection[Person] = (),
    ) -> list[int]:
        """Bookings made before the race, one second apart, so the queue's order is known;
        those of the people `needs_coordinator` names are a coordinator's to decide."""
        start = utcnow() - timedelta(hours=1)
        with self.session() as db_session:
            bookings = []
            for n, person in enumerate(people):
                at = start + timedelta(seconds=n)
                booking = Booking(
                    session_id=session_id,
                    user_id=person.id,
                    status=status,
                    created_at=at,
                    needs_coordinator=person in needs_coordinator,
                )
                if status is BookingStatus.AWAITING_COORDINATOR:
                    booking.approval_expires_at = utcnow() + timedelta(days=7)
                if status is BookingStatus.OFFERED:
                    booking.approval_expires_at = utcnow() + timedelta(hours=4)
                booking.history.append(
                    BookingEvent(at=at, actor_id=person.id, to_status=status, reason="set up")
                )
                db_session.add(booking)
                db_session.flush()
                bookings.append(booking)
            db_session.commit()
            return [booking.id for booking in bookings]

    def miss(self, people: list[Person], times: int) -> None:
        """Each person did not attend `times` sessions in the past weeks."""
        for week in range(1, times + 1):
            session_id = self.make_session(capacity=len(people), days_away=-7 * week)
            booked = self.give(session_id, people, BookingStatus.CONFIRMED)
            with self.session() as db_session:
                db_session.execute(
                    update(Booking)
                    .where(Booking.id.in_(booked))
                    .values(attendance=Attendance.DID_NOT_ATTEND)
                )
                db_session.commit()

    def share(self, session_id: int, sector: Sector, most: int) -> None:
        """At most `most` of the session's places for the sector."""
        with self.session() as db_session:
            db_session.add(SectorPlaces(session_id=session_id, sector=sector, most=most))
            db_session.commit()

    def bookings(self, session_id: int) -> dict[int, Booking]:
        """Every booking of the session, with its history, by id."""
        with self.session() as db_session:
            found = db_session.scalars(select(Booking).where(Booking.session_id == session_id))
            bookings = {booking.id: booking for booking in found}
            for booking in bookings.values():
                booking.history  # noqa: B018 (loaded now, to be read after the session ends)
            return bookings

    def set_deadline(self, booking_id: int, deadline: datetime) -> None:
        with self.session() as db_session:
            db_session.execute(
                update(Booking).where(Booking.id == booking_id).values(approval_expires_at=deadline)
            )
            db_session.commit()

    def transfers(self, booking_id: int) -> list[Transfer]:
        with self.session() as db_session:
            return list(
                db_session.scalars(
                    select(Transfer).where(Transfer.booking_id == booking_id).order_by(Transfer.id)
                )
            )

    def places_held(self, session_id: int) -> int:
        with self.session() as db_session:
            return db_session.scalar(
                select(func.count(Booking.id)).where(
                    Booking.session_id == session_id,
                    Booking.status.in_(PLACE_HOLDING_STATUSES),
                )
            )

    def unsent_mail_to(self, people: list[Person]) -> list[str]:
        """Mail to these people still in the outbox: queued, or claimed and never marked sent
        (which `send-mail` sends again once the claim's lease runs out)."""
        with self.session() as db_session:
            return [
                f"{status}: {subject}"
                for status, subject in db_session.execute(
                    select(OutboxMessage.status, OutboxMessage.subject).where(
                        OutboxMessage.to_address.in_([person.email for person in people]),
                        OutboxMessage.status != OutboxStatus.SENT,
                    )
                )
            ]


def promotions(booking: Booking) -> int:
    return sum(
        event.from_status is BookingStatus.WAITING and event.to_status is BookingStatus.CONFIRMED
        for event in booking.history
    )


def offers(booking: Booking) -> int:
    return sum(event.to_status is BookingStatus.OFFERED for event in booking.history)


def history_problems(booking: Booking) -> list[str]:
    """A booking's history must be one unbroken chain ending in its status."""
    problems = []
    previous = None
    for event in booking.history:
        if event.from_status is not previous:
            problems.append(f"booking {booking.id}: {event.from_status} after {previous}")
        previous = event.to_status
    if previous is not booking.status:
        problems.append(f"booking {booking.id} is {booking.status}, its history says {previous}")
    return problems


def queue_key(booking: Booking) -> tuple[datetime, int]:
    """First come, first served: the order the waiting list is promoted in."""
    return booking.created_at, booking.id


# The server


@dataclass
class Server:
    base_url: str
    environment: dict[str, str]
    database: Database
    mail_folder: Path
    access_log: Path

    def browsers_signed_in(self, people: list[Person]) -> list[Browser]:
        def sign_in(person: Person) -> Browser:
            browser = Browser(self.base_url)
            browser.sign_in(person.email)
            return browser

        return in_parallel(
            [lambda person=person: sign_in(person) for person in people], workers=SIGNING_IN
        )

    def flask(self, *arguments: str) -> subprocess.CompletedProcess:
        """One of the app's commands, run on the served database."""
        return subprocess.run(
            [VENV_BIN / "flask", "--app", "wsgi", *arguments],
            cwd=ROOT,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def check_integrity(self) -> subprocess.CompletedProcess:
        return self.flask("check-integrity")

    def mail_subjects(self) -> dict[str, list[str]]:
        """The subjects of the mail written to the mail folder so far, by address."""
        parser = email.parser.BytesHeaderParser(policy=email.policy.default)
        subjects = defaultdict(list)
        for path in self.mail_folder.glob("*.eml"):
            message = parser.parsebytes(path.read_bytes())
            subjects[str(message["To"])].append(str(message["Subject"]))
        return subjects

    def mails_starting(self, people: list[Person], subject: str) -> list[int]:
        """How many mails each person has had whose subject starts so."""
        sent = self.mail_subjects()
        return [sum(s.startswith(subject) for s in sent[person.email]) for person in people]

    def processes_that_served(self, paths: list[str], seconds: float = 10) -> list[str]:
        """Which worker process answered each POST to these paths, from the access log.

        gunicorn writes the line once the response is sent, so it may lag a little.
        """
        deadline = time.monotonic() + seconds
        while True:
            served = {}
            for line in self.access_log.read_text().splitlines():
                found = re.match(r'<(\d+)> "POST (\S+)"', line)
                if found:
                    served[found.group(2)] = found.group(1)
            if all(path in served for path in paths) or time.monotonic() > deadline:
                return [served.get(path, "?") for path in paths]
            time.sleep(0.1)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def server(request, tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"races-{request.param}")
    with ExitStack() as stack:
        if request.param == "sqlite":
            database_url = f"sqlite:///{folder / 'races.sqlite'}"
        elif TEST_DATABASE_URL:
            database_url = stack.enter_context(throwaway_postgres_database(TEST_DATABASE_URL))
        else:
            pytest.skip("TEST_DATABASE_URL is not set: no PostgreSQL server to race on")
        environment = app_environment(
            database_url,
            MAIL_FOLDER=str(folder / "mail"),
            MAIL_SERVER="",
            RATELIMIT_ENABLED="false",
            RATELIMIT_STORAGE_URI="memory://",
        )
        migrate(environment)
        database = Database(database_url)
        stack.callback(database.engine.dispose)
        access_log = folder / "access.log"
        access_log.touch()
        base_url = stack.enter_context(
            gunicorn(
                environment,
                WORKERS,
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                ACCESS_LOG_FORMAT,
                "--timeout",
                "120",
            )
        )
        yield Server(base_url, environment, database, folder / "mail", access_log)


# The races


def test_fifty_people_racing_for_the_last_five_places_get_five_places_and_45_turns(server):
    db = server.database
    session_id = db.make_session(capacity=25)
    db.give(session_id, db.make_people(20), BookingStatus.CONFIRMED)
    people = db.make_people(50)
    browsers = server.browsers_signed_in(people)
    path = f"/sessions/{session_id}/book"
    responses = all_book_at_once(browsers, path)

    assert Counter(r.summary() for r in responses if not redirects_to_a_booking(r)) == {}
    booking_ids = [booking_id_from(response) for response in responses]
    bookings = db.bookings(session_id)
    assert [bookings[booking_id].user_id for booking_id in booking_ids] == [p.id for p in people]
    raced = [bookings[booking_id] for booking_id in booking_ids]
    assert Counter(booking.status for booking in raced) == {
        BookingStatus.CONFIRMED: 5,
        BookingStatus.WAITING: 45,
    }
    assert db.places_held(session_id) == 25
    confirmed = [b for b in raced if b.status is BookingStatus.CONFIRMED]
    waiting = [b for b in raced if b.status is BookingStatus.WAITING]
    assert max(map(queue_key, confirmed)) < min(map(queue_key, waiting)), "not first come"
    assert [problem for b in raced for problem in history_problems(b)] == []
    integrity = server.check_integrity()
    assert integrity.returncode == 0, integrity.stderr
    # Each person is told once what they got, and nothing is left to be sent again.
    assert Counter(db.unsent_mail_to(people)) == {}
    told = zip(
        server.mails_starting(people, "Place confirmed"),
        server.mails_starting(people, "On the waiting list"),
        strict=True,
    )
    assert list(told) == [
        (1, 0) if booking.status is BookingStatus.CONFIRMED else (0, 1) for booking in raced
    ]


def test_cancellations_racing_each_other_and_bookings_leave_no_place_free_while_people_wait(
    server,
):
    db = server.database
    session_id = db.make_session(capacity=10)
    holders = db.make_people(10)
    held = db.give(session_id, holders, BookingStatus.CONFIRMED)
    waiters = db.make_people(5)
    waited = db.give(session_id, waiters, BookingStatus.WAITING)
    bookers = db.make_people(10)
    holder_browsers = server.browsers_signed_in(holders)
    booker_browsers = server.browsers_signed_in(bookers)
    book_path = f"/sessions/{session_id}/book"
    cancel_tokens = in_parallel(
        [
            lambda browser=browser, path=f"/bookings/{booking_id}": browser.form_token(path)
            for browser, booking_id in zip(holder_browsers, held, strict=True)
        ]
    )
    book_tokens = in_parallel(
        [lambda browser=browser: browser.form_token(book_path) for browser in booker_browsers]
    )
    cancellations = [
        lambda browser=browser, booking_id=booking_id, token=token: browser.request(
            f"/bookings/{booking_id}/cancel", {"csrf_token": token}
        )
        for browser, booking_id, token in zip(holder_browsers, held, cancel_tokens, strict=True)
    ]
    bookings_made = [
        lambda browser=browser, token=token: browser.request(
            book_path, {"csrf_token": token, "access_needs": ""}
        )
        for browser, token in zip(booker_browsers, book_tokens, strict=True)
    ]

    responses = all_at_once(cancellations + bookings_made)

    assert Counter(r.summary() for r in responses if not redirects_to_a_booking(r)) == {}
    cancelled, booked = responses[:10], responses[10:]
    assert [booking_id_from(response) for response in cancelled] == held
    booked_ids = [booking_id_from(response) for response in booked]
    bookings = db.bookings(session_id)
    assert [bookings[booking_id].user_id for booking_id in booked_ids] == [p.id for p in bookers]
    assert [bookings[booking_id].status for booking_id in held] == [BookingStatus.CANCELLED] * 10
    # The five who were waiting were first in the queue, so they hold five of the places.
    assert [bookings[booking_id].status for booking_id in waited] == [BookingStatus.CONFIRMED] * 5
    assert [promotions(bookings[booking_id]) for booking_id in waited] == [1] * 5
    newcomers = [bookings[booking_id] for booking_id in booked_ids]
    assert Counter(booking.status for booking in newcomers) == {
        BookingStatus.CONFIRMED: 5,
        BookingStatus.WAITING: 5,
    }
    confirmed = [b for b in newcomers if b.status is BookingStatus.CONFIRMED]
    waiting = [b for b in newcomers if b.status is BookingStatus.WAITING]
    assert max(map(queue_key, confirmed)) < min(map(queue_key, waiting)), "not first come"
    assert db.places_held(session_id) == 10
    assert all(promotions(booking) <= 1 for booking in bookings.values())
    assert [problem for b in bookings.values() for problem in history_problems(b)] == []
    integrity = server.check_integrity()
    assert integrity.returncode == 0, integrity.stderr
    assert Counter(db.unsent_mail_to(holders + waiters + bookers)) == {}
    assert server.mails_starting(waiters, "A place is yours") == [1] * 5
    assert server.mails_starting(holders, "Booking cancelled") == [1] * 10
    promoted_newcomers = [b.user_id for b in newcomers if promotions(b)]
    assert server.mails_starting(bookers, "A place is yours") == [
        int(person.id in promoted_newcomers) for person in bookers
    ]


def race_two_cancellations(server: Server) -> list[str]:
    """Two people cancel at once with four waiting; returns the processes that served them."""
    db = server.database
    session_id = db.make_session(capacity=2)
    holders = db.make_people(2)
    held = db.give(session_id, holders, BookingStatus.CONFIRMED)
    waiters = db.make_people(4)
    waited = db.give(session_id, waiters, BookingStatus.WAITING)
    browsers = server.browsers_signed_in(holders)
    paths = [f"/bookings/{booking_id}" for booking_id in held]
    tokens = [browser.form_token(path) for browser, path in zip(browsers, paths, strict=True)]

    responses = all_at_once(
        [
            lambda browser=browser, path=path, token=token: browser.request(
                path + "/cancel", {"csrf_token": token}
            )
            for browser, path, token in zip(browsers, paths, tokens, strict=True)
        ]
    )

    assert [booking_id_from(response) for response in responses] == held
    bookings = db.bookings(session_id)
    assert [bookings[booking_id].status for booking_id in held] == [BookingStatus.CANCELLED] * 2
    assert [bookings[booking_id].status for booking_id in waited] == [
        BookingStatus.CONFIRMED,
        BookingStatus.CONFIRMED,
        BookingStatus.WAITING,
        BookingStatus.WAITING,
    ]
    assert [promotions(bookings[booking_id]) for booking_id in waited] == [1, 1, 0, 0]
    assert [problem for b in bookings.values() for problem in history_problems(b)] == []
    assert Counter(db.unsent_mail_to(holders + waiters)) == {}
    assert server.mails_starting(waiters, "A place is yours") == [1, 1, 0, 0]
    return server.processes_that_served([path + "/cancel" for path in paths])


def test_two_places_freed_at_once_in_two_processes_promote_the_first_two_once_each(server):
    # Two requests released together nearly always land in two workers; should both have
    # gone to one, the race is run again on a new session, up to five times.
    rounds = []
    for _ in range(5):
        processes = race_two_cancellations(server)
        rounds.append(processes)
        if len(set(processes)) == 2 and "?" not in processes:
            break
    served_apart = len(set(rounds[-1])) == 2 and "?" not in rounds[-1]
    assert served_apart, f"never served by two processes at once: {rounds}"
    integrity = server.check_integrity()
    assert integrity.returncode == 0, integrity.stderr


# Places shared between sectors, racing


def book_all_at_once(server: Server, browsers: list[Browser], session_id: int) -> list[Response]:
    path = f"/sessions/{session_id}/book"
    tokens = in_parallel([lambda browser=browser: browser.form_token(path) for browser in browsers])
    return all_at_once(
        [
            lambda browser=browser, token=token: browser.request(
                path, {"csrf_token": token, "access_needs": ""}
            )
            for browser, token in zip(browsers, tokens, strict=True)
        ]
    )


def test_thirty_police_officers_racing_for_four_police_places_leave_exactly_four(server):
    db = server.database
    session_id = db.make_session(capacity=20)
    db.share(session_id, Sector.POLICE, most=4)
    officers = db.make_people(30, agency=True, sector=Sector.POLICE)

    responses = book_all_at_once(server, server.browsers_signed_in(officers), session_id)

    assert Counter(r.summary() for r in responses if not redirects_to_a_booking(r)) == {}
    bookings = db.bookings(session_id)
    raced = [bookings[booking_id_from(response)] for response in responses]
    assert Counter(booking.status for booking in raced) == {
        BookingStatus.CONFIRMED: 4,
        BookingStatus.WAITING: 26,
    }
    confirmed = [b for b in raced if b.status is BookingStatus.CONFIRMED]
    waiting = [b for b in raced if b.status is BookingStatus.WAITING]
    assert max(map(queue_key, confirmed)) < min(map(queue_key, waiting)), "not first come"
    assert {b.history[0].reason for b in waiting} == {
        "joined the waiting list: at most 4 places on this session are for police, and "
        "they are taken"
    }
    assert [problem for b in raced for problem in history_problems(b)] == []
    integrity = server.check_integrity()
    assert integrity.returncode == 0, integrity.stderr
    assert server.mails_starting(officers, "On the waiting list").count(1) == 26


def test_places_freed_at_once_go_to_the_first_waiting_whom_the_sectors_allow(server):
    """Police have their four places and three more officers wait ahead of three health
    visitors; three health visitors cancel at once: the places go to the three waiting
    health visitors, and the officers keep their turn."""
    db = server.database
    session_id = db.make_session(capacity=7)
    db.share(session_id, Sector.POLICE, most=4)
    db.give(
        session_id, db.make_people(4, agency=True, sector=Sector.POLICE), BookingStatus.CONFIRMED
    )
    leavers = db.make_people(3, agency=True, sector=Sector.HEALTH)
    left = db.give(session_id, leavers, BookingStatus.CONFIRMED)
    officers = db.give(
        session_id, db.make_people(3, agency=True, sector=Sector.POLICE), BookingStatus.WAITING
    )
    visitors = db.give(
        session_id, db.make_people(3, agency=True, sector=Sector.HEALTH), BookingStatus.WAITING
    )
    browsers = server.browsers_signed_in(leavers)
    tokens = in_parallel(
        [
            lambda browser=browser, path=f"/bookings/{booking_id}": browser.form_token(path)
            for browser, booking_id in zip(browsers, left, strict=True)
        ]
    )

    responses = all_at_once(
        [
            lambda browser=browser, booking_id=booking_id, token=token: browser.request(
                f"/bookings/{booking_id}/cancel", {"csrf_token": token}
            )
            for browser, booking_id, token in zip(browsers, left, tokens, strict=True)
        ]
    )

    assert [booking_id_from(response) for response in responses] == left
    bookings = db.bookings(session_id)
    assert [bookings[b].status for b in visitors] == [BookingStatus.CONFIRMED] * 3
    assert [promotions(bookings[b]) for b in visitors] == [1] * 3
    assert [bookings[b].status for b in officers] == [BookingStatus.WAITING] * 3
    assert db.places_held(session_id) == 7
    integrity = server.check_integrity()
    assert integrity.returncode == 0, integrity.stderr


# A coordinator's decisions, racing


def test_coordinator_decisions_racing_cancellations_and_bookings_keep_every_place(server):
    """Four bookings wait for a coordinator, two are confirmed and three people wait (one
    of them a repeat no-show); at once, coordinators decline three and approve one, the
    two confirmed cancel, and six people book (two of them repeat no-shows)."""
    db = server.database
    session_id = db.make_session(capacity=6)
    asked_people, holders = db.make_people(4), db.make_people(2)
    asked = db.give(session_id, asked_people, BookingStatus.AWAITING_COORDINATOR, asked_people)
    held = db.give(session_id, holders, BookingStatus.CONFIRMED)
    waiters = db.make_people(3)
    waited = db.give(session_id, waiters, BookingStatus.WAITING, needs_coordinator=waiters[1:2])
    bookers = db.make_people(6)
    db.miss(bookers[:2], times=2)
    coordinators = db.make_people(4, role=Role.COORDINATOR)
    coordinator_browsers = server.browsers_signed_in(coordinators)
    holder_browsers = server.browsers_signed_in(holders)
    booker_browsers = server.browsers_signed_in(bookers)
    book_path = f"/sessions/{session_id}/book"
    decision_tokens = in_parallel(
        [
            lambda browser=browser, booking_id=booking_id: browser.form_token(
                f"/admin/approvals/{booking_id}"
            )
            for browser, booking_id in zip(coordinator_browsers, asked, strict=True)
        ]
    )
    cancel_tokens = in_parallel(
        [
            lambda browser=browser, booking_id=booking_id: browser.form_token(
                f"/bookings/{booking_id}"
            )
            for browser, booking_id in zip(holder_browsers, held, strict=True)
        ]
    )
    book_tokens = in_parallel(
        [lambda browser=browser: browser.form_token(book_path) for browser in booker_browsers]
    )
    choices = ["decline", "decline", "decline", "approve"]
    decisions = [
        lambda browser=browser, booking_id=booking_id, token=token, choice=choice: browser.request(
            f"/admin/approvals/{booking_id}",
            {"csrf_token": token, "decision": choice, "reason": f"Raced: {choice}"},
        )
        for browser, booking_id, token, choice in zip(
            coordinator_browsers, asked, decision_tokens, choices, strict=True
        )
    ]
    cancellations = [
        lambda browser=browser, booking_id=booking_id, token=token: browser.request(
            f"/bookings/{booking_id}/cancel", {"csrf_token": token}
        )
        for browser, booking_id, token in zip(holder_browsers, held, cancel_tokens, strict=True)
    ]
    bookings_made = [
        lambda browser=browser, token=token: browser.request(
            book_path, {"csrf_token": token, "access_needs": ""}
        )
        for browser, token in zip(booker_browsers, book_tokens, strict=True)
    ]

    responses = all_at_once(decisions + cancellations + bookings_made)

    decided, cancelled, booked = responses[:4], responses[4:6], responses[6:]
    assert [r.redirect_path for r in decided] == ["/admin/approvals"] * 4, [
        r.summary() for r in decided
    ]
    assert [booking_id_from(response) for response in cancelled] == held
    booked_ids = [booking_id_from(response) for response in booked]
    bookings = db.bookings(session_id)
    assert [bookings[booking_id].status for booking_id in asked] == [
        BookingStatus.DECLINED,
        BookingStatus.DECLINED,
        BookingStatus.DECLINED,
        BookingStatus.CONFIRMED,
    ]
    assert [bookings[booking_id].status for booking_id in held] == [BookingStatus.CANCELLED] * 2
    # Five places freed; the three waiting were first in the queue.
    assert [bookings[booking_id].status for booking_id in waited] == [
        BookingStatus.CONFIRMED,
        BookingStatus.AWAITING_COORDINATOR,
        BookingStatus.CONFIRMED,
    ]
    newcomers = [bookings[booking_id] for booking_id in booked_ids]
    assert [booking.needs_coordinator for booking in newcomers] == [True] * 2 + [False] * 4
    assert all(b.status is not BookingStatus.CONFIRMED for b in newcomers[:2])
    holding = [b for b in newcomers if b.status in PLACE_HOLDING_STATUSES]
    waiting = [b for b in newcomers if b.status is BookingStatus.WAITING]
    assert (len(holding), len(waiting)) == (2, 4)
    assert max(map(queue_key, holding)) < min(map(queue_key, waiting)), "not first come"
    assert db.places_held(session_id) == 6
    assert all(promotions(booking) <= 1 for booking in bookings.values())
    assert [problem for b in bookings.values() for problem in history_problems(b)] == []
    integrity = server.check_integrity()
    assert integrity.returncode == 0, integrity.stderr
    assert Counter(db.unsent_mail_to(asked_people + holders + waiters + bookers)) == {}
    assert server.mails_starting(asked_people, "Not approved") == [1, 1, 1, 0]
    assert server.mails_starting(asked_people, "Approved") == [0, 0, 0, 1]
    assert server.mails_starting(waiters, "Waiting for a coordinator's decision") == [0, 1, 0]


# Handing a place on, racing


def race_for_one_place(server: Server, colleagues: int) -> tuple:
    """A session with one place, its holder and `colleagues` from their agency (one person
    waiting besides): the holder's browser, their booking, the colleagues and the waiter."""
    db = server.database
    session_id = db.make_session(capacity=1)
    holder, *others = db.make_people(1 + colleagues, agency=True)
    (held,) = db.give(session_id, [holder], BookingStatus.CONFIRMED)
    (waiter,) = db.make_people(1)
    (waited,) = db.give(session_id, [waiter], BookingStatus.WAITING)
    (browser,) = server.browsers_signed_in([holder])
    return session_id, browser, held, others, waited


def test_two_transfers_of_one_place_at_once_give_it_to_exactly_one_colleague(server):
    db = server.database
    session_id, browser, held, colleagues, waited = race_for_one_place(server, colleagues=2)
    path = f"/bookings/{held}/transfer"
    token = browser.form_token(path)

    responses = all_at_once(
        [
            lambda colleague=colleague: browser.request(
                path, {"csrf_token": token, "email": colleague.email}
            )
            for colleague in colleagues
        ]
    )

    assert sorted(response.status for response in responses) == [302, 400]
    (refused,) = [response for response in responses if response.status == 400]
    assert "Only a confirmed place can be given" in refused.text
    bookings = db.bookings(session_id)
    given_to = [b.user_id for b in bookings.values() if b.id not in (held, waited)]
    assert len(given_to) == 1 and given_to[0] in [c.id for c in colleagues]
    assert bookings[held].status is BookingStatus.CANCELLED
    assert bookings[waited].status is BookingStatus.WAITING
    assert db.places_held(session_id) == 1
    assert [t.claimed_at is not None for t in db.transfers(held)] == [True]
    assert [problem for b in bookings.values() for problem in history_problems(b)] == []
    integrity = server.check_integrity()
    assert integrity.returncode == 0, integrity.stderr


def test_two_offers_of_one_place_at_once_leave_one_offer_open(server):
    db = server.database
    session_id, browser, held, _, _ = race_for_one_place(server, colleagues=0)
    path = f"/bookings/{held}/transfer"
    token = browser.form_token(path)
    addresses = [f"new-{n}-{uuid.uuid4().hex[:8]}@example.org" for n in range(2)]

    responses = all_at_once(
        [
            lambda address=address: browser.request(path, {"csrf_token": token, "email": address})
            for address in addresses
        ]
    )

    assert sorted(response.status for response in responses) == [302, 400]
    (refused,) = [response for response in responses if response.status == 400]
    assert "This place is already offered to" in refused.text
    (offer,) = db.transfers(held)
    assert offer.to_email in addresses and offer.claimed_at is None
    assert db.bookings(session_id)[held].status is BookingStatus.CONFIRMED
    integrity = server.check_integrity()
    assert integrity.returncode == 0, integrity.stderr


def test_a_transfer_racing_a_cancellation_of_the_same_place_one_wins(server):
    db = server.database
    session_id, browser, held, (colleague,), waited = race_for_one_place(server, colleagues=1)
    token = browser.form_token(f"/bookings/{held}/transfer")

    transferred, cancelled = all_at_once(
        [
            lambda: browser.request(
                f"/bookings/{held}/transfer", {"csrf_token": token, "email": colleague.email}
            ),
            lambda: browser.request(f"/bookings/{held}/cancel", {"csrf_token": token}),
        ]
    )

    bookings = db.bookings(session_id)
    theirs = [b for b in bookings.values() if b.user_id == colleague.id]
    assert bookings[held].status is BookingStatus.CANCELLED
    assert db.places_held(session_id) == 1
    if theirs:
        # The transfer came first: the cancellation found the booking ended, and the
        # place went to the colleague, not to the person waiting.
        assert transferred.status == 302
        assert [b.status for b in theirs] == [BookingStatus.CONFIRMED]
        assert bookings[waited].status is BookingStatus.WAITING
        assert bookings[held].late_cancellation is False
    else:
        # The cancellation came first: the place went to the person waiting.
        assert transferred.status == 400
        assert "Only a confirmed place can be given" in transferred.text
        assert bookings[waited].status is BookingStatus.CONFIRMED
        assert db.transfers(held) == []
    assert cancelled.redirect_path == f"/bookings/{held}"
    assert [problem for b in bookings.values() for problem in history_problems(b)] == []
    integrity = server.check_integrity()
    assert integrity.returncode == 0, integrity.stderr


# Places offered at the last minute, racing


def test_two_places_freed_at_once_on_the_eve_are_offered_to_the_first_two_once_each(server):
    db = server.database
    session_id = db.make_session(capacity=2, days_away=1)
    holders = db.make_people(2)
    held = db.give(session_id, holders, BookingStatus.CONFIRMED)
    waiters = db.make_people(4)
    waited = db.give(session_id, waiters, BookingStatus.WAITING)
    browsers = server.browsers_signed_in(holders)
    paths = [f"/bookings/{booking_id}" for booking_id in held]
    tokens = [browser.form_token(path) for browser, path in zip(browsers, paths, strict=True)]

    responses = all_at_once(
        [
            lambda browser=browser, path=path, token=token: browser.request(
                path + "/cancel", {"csrf_token": token}
            )
            for browser, path, token in zip(browsers, paths, tokens, strict=True)
        ]
    )

    assert [booking_id_from(response) for response in responses] == held
    bookings = db.bookings(session_id)
    assert [bookings[booking_id].status for booking_id in waited] == [
        BookingStatus.OFFERED,
        BookingStatus.OFFERED,
        BookingStatus.WAITING,
        BookingStatus.WAITING,
    ]
    assert [offers(bookings[booking_id]) for booking_id in waited] == [1, 1, 0, 0]
    assert db.places_held(session_id) == 2
    assert [problem for b in bookings.values() for problem in history_problems(b)] == []
    integrity = server.check_integrity()
    assert integrity.returncode == 0, integrity.stderr
    assert Counter(db.unsent_mail_to(holders + waiters)) == {}
    assert server.mails_starting(waiters, "A place is offered to you") == [1, 1, 0, 0]


def offer_on_the_eve(server: Server) -> tuple:
    """A session tomorrow whose one place is offered to one person, another waiting
    behind: the session, the person offered it signed in, their booking and the other's."""
    db = server.database
    session_id = db.make_session(capacity=1, days_away=1)
    offered_to, waiting = db.make_people(1), db.make_people(1)
    (offered,) = db.give(session_id, offered_to, BookingStatus.OFFERED)
    (waited,) = db.give(session_id, waiting, BookingStatus.WAITING)
    (browser,) = server.browsers_signed_in(offered_to)
    return session_id, browser, offered, waited, offered_to + waiting


def test_an_acceptance_racing_the_lapse_of_the_same_offer_settles_it_once(server):
    """The person accepts just as their time runs out, while three page views would let the
    offer lapse: whichever takes the session's lock first decides, and nothing both."""
    db = server.database
    session_id, browser, offered, waited, people = offer_on_the_eve(server)
    page = f"/bookings/{offered}"
    token = browser.form_token(page)
    onlookers = [Browser(server.base_url) for _ in range(3)]
    deadline = utcnow() + timedelta(seconds=1.5)
    db.set_deadline(offered, deadline)
    # Sent as long before the deadline as a page takes to answer, so they meet about it.
    started = time.monotonic()
    browser.request(page)
    answers_in = time.monotonic() - started
    time.sleep(max((deadline - utcnow()).total_seconds() - answers_in, 0))

    looks = [
        lambda onlooker=onlooker: onlooker.request(f"/sessions/{session_id}")
        for onlooker in onlookers
    ]
    accepted, *_ = all_at_once(
        [lambda: browser.request(page + "/accept", {"csrf_token": token}), *looks]
    )
    # Whatever the views left overdue, the cron command releases now.
    assert server.flask("expire-approvals").returncode == 0

    assert accepted.redirect_path == page
    bookings = db.bookings(session_id)
    told = browser.request(page).text
    if bookings[offered].status is BookingStatus.CONFIRMED:
        assert "The place is yours" in told
        assert bookings[waited].status is BookingStatus.WAITING
        assert server.mails_starting(people, "Offer not answered in time") == [0, 0]
        assert server.mails_starting(people, "A place is offered to you") == [0, 0]
    else:
        assert bookings[offered].status is BookingStatus.DECLINED
        assert bookings[offered].offer_answer is OfferAnswer.LAPSED
        assert "The time to accept this place ran out" in told
        assert bookings[waited].status is BookingStatus.OFFERED
        assert server.mails_starting(people, "Offer not answered in time") == [1, 0]
        assert server.mails_starting(people, "A place is offered to you") == [0, 1]
    assert db.places_held(session_id) == 1
    assert [problem for b in bookings.values() for problem in history_problems(b)] == []
    integrity = server.check_integrity()
    assert integrity.returncode == 0, integrity.stderr
    assert Counter(db.unsent_mail_to(people)) == {}


def test_an_acceptance_and_a_decline_of_one_offer_at_once_count_once(server):
    """The person answers from two tabs at once: one answer counts, the other is refused."""
    db = server.database
    session_id, browser, offered, waited, people = offer_on_the_eve(server)
    page = f"/bookings/{offered}"
    token = browser.form_token(page)

    all_at_once(
        [
            lambda: browser.request(page + "/accept", {"csrf_token": token}),
            lambda: browser.request(page + "/decline", {"csrf_token": token}),
        ]
    )

    bookings = db.bookings(session_id)
    answer = bookings[offered].offer_answer
    assert answer in (OfferAnswer.ACCEPTED, OfferAnswer.DECLINED)
    if answer is OfferAnswer.ACCEPTED:
        assert bookings[offered].status is BookingStatus.CONFIRMED
        assert bookings[waited].status is BookingStatus.WAITING
        assert server.mails_starting(people, "Place confirmed") == [1, 0]
    else:
        assert bookings[offered].status is BookingStatus.DECLINED
        assert bookings[waited].status is BookingStatus.OFFERED
        assert server.mails_starting(people, "Place declined") == [1, 0]
    assert len(bookings[offered].history) == 2
    assert db.places_held(session_id) == 1
    assert [problem for b in bookings.values() for problem in history_problems(b)] == []
    integrity = server.check_integrity()
    assert integrity.returncode == 0, integrity.stderr
