"""The app served for real for the browser: gunicorn on loopback, demo data, mail to an SMTP server.

One server answers the whole run. Tests add what a journey needs (a course, a person)
straight into its database through `SiteDatabase`, and run the app's own commands on it
with `Site.flask`.
"""

import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock
from email.message import EmailMessage
from functools import cache
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.accounts.passwords import hash_password
from app.demo import read_demo_file
from app.display import LONDON, in_london
from app.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    Course,
    CourseSession,
    Delivery,
    LearningOutcome,
    Prospectus,
    User,
    Venue,
    utcnow,
)
from tests.conftest import Mailbox, free_port
from tests.servers import ROOT, VENV_BIN, app_environment, migrate, wait_until_answering

#: What every person the tests make signs in with.
PASSWORD = "a kettle, two owls and a lighthouse"
#: Seconds to wait for mail the app sends after a request.
MAIL_WAIT = 10


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    password: str = PASSWORD


#: The demo's coordinator, who signs in with the demo's password.
COORDINATOR = Person(
    "joanne.kelsall@example.org", "Joanne Kelsall", read_demo_file()["demo_password"]
)


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def unique(word: str) -> str:
    """A name no other test uses, so runs and tests on one server never meet."""
    return f"{word}-{uuid.uuid4().hex[:8]}"


class SiteDatabase:
    """The served app's database, written directly to set up what a journey starts from."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def make_person(self, name: str = "Alex Morgan", verified: bool = True, **fields) -> Person:
        """An account that signs in with PASSWORD; `fields` set any other column."""
        email = f"{unique(name.split()[0].lower())}@example.org"
        with self.session() as db_session:
            db_session.add(
                User(
                    email=email,
                    name=name,
                    job_title=fields.pop("job_title", "Health Visitor"),
                    password_hash=password_hash(),
                    email_verified_at=utcnow() if verified else None,
                    **fields,
                )
            )
            db_session.commit()
        return Person(email, name)

    def make_course(
        self,
        title: str,
        capacity: int,
        days_ahead: int = 30,
        requires_approval: bool = False,
        prospectus: str = "multi-agency",
        venue: str = "Riverside House Training Suite",
        trainers: tuple[Person, ...] = (),
        outcomes: tuple[str, ...] = (),
        **course_fields,
    ) -> int:
        """A published course with one session, 10:00 to 13:00 London time, `days_ahead`
        from today (before it when negative); the session's id. `course_fields` set any
        other column of the course."""
        day = (utcnow() + timedelta(days=days_ahead)).date()
        with self.session() as db_session:
            place = db_session.scalar(select(Venue).filter_by(name=venue))
            delivering = self.users(db_session, trainers)
            course = Course(
                prospectus=db_session.scalar(select(Prospectus).filter_by(slug=prospectus)),
                slug=unique("course"),
                title=title,
                summary=f"{title}: a half-day course for practitioners.",
                level=course_fields.pop("level", 2),
                delivery=Delivery.IN_PERSON,
                requires_approval=requires_approval,
                published=True,
                **course_fields,
            )
            course.all_outcomes = [
                LearningOutcome(position=position, text=text)
                for position, text in enumerate(outcomes, start=1)
            ]
            session = CourseSession(
                course=course,
                starts_at=datetime.combine(day, clock(10), LONDON),
                ends_at=datetime.combine(day, clock(13), LONDON),
                venue=place,
                capacity=capacity,
                published=True,
                trainers=delivering,
            )
            db_session.add(session)
            db_session.commit()
            return session.id

    def add_session(self, of_session_id: int, days_ahead: int, capacity: int = 12) -> int:
        """Another session of the same course, at the same place and times, with the same
        trainers, `days_ahead` from today; its id."""
        with self.session() as db_session:
            like = db_session.get(CourseSession, of_session_id)
            moved = timedelta(days=(utcnow() + timedelta(days=days_ahead)).date().toordinal()
                              - in_london(like.starts_at).date().toordinal())  # fmt: skip
            session = CourseSession(
                course_id=like.course_id,
                starts_at=in_london(like.starts_at) + moved,
                ends_at=in_london(like.ends_at) + moved,
                venue_id=like.venue_id,
                capacity=capacity,
                published=True,
                trainers=list(like.trainers),
            )
            db_session.add(session)
            db_session.commit()
            return session.id

    def give_places(
        self, session_id: int, people: list[Person], status: BookingStatus = BookingStatus.CONFIRMED
    ) -> None:
        """Bookings made before the journey, a second apart, in the order of `people`:
        for a session already under way, say, where nobody can book any more."""
        start = utcnow() - timedelta(days=7)
        with self.session() as db_session:
            for n, user in enumerate(self.users(db_session, people)):
                at = start + timedelta(seconds=n)
                booking = Booking(session_id=session_id, user=user, status=status, created_at=at)
                booking.history.append(
                    BookingEvent(at=at, actor_id=user.id, to_status=status, reason="set up")
                )
                db_session.add(booking)
            db_session.commit()

    @staticmethod
    def users(db_session: Session, people: tuple[Person, ...] | list[Person]) -> list[User]:
        emails = [person.email for person in people]
        found = {u.email: u for u in db_session.scalars(select(User).where(User.email.in_(emails)))}
        return [found[person.email] for person in people]


class SiteMailbox(Mailbox):
    """What the app mailed, waited for: mail is sent just after the request's commit."""

    def wait_for(self, to: str, subject: str, seconds: float = MAIL_WAIT) -> EmailMessage:
        """The latest mail to `to` whose subject starts with `subject`."""
        deadline = time.monotonic() + seconds
        while True:
            found = [m for m in self.to(to) if str(m["Subject"]).startswith(subject)]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                sent = [(m["To"], m["Subject"]) for m in self.received]
                raise AssertionError(f"no mail to {to} about {subject!r}; the app sent {sent}")
            time.sleep(0.1)


@dataclass
class Site:
    base_url: str
    environment: dict[str, str]
    database: SiteDatabase
    mailbox: SiteMailbox

    def link_in(self, message: EmailMessage) -> str:
        """The first link to this site in a message's plain text, as mailed."""
        text = message.get_body(preferencelist=("plain",)).get_content()
        for word in text.split():
            if word.startswith(self.base_url + "/"):
                return word
        raise AssertionError(f"no link to {self.base_url} in: {text}")

    def flask(self, *arguments: str, input: str | None = None) -> str:
        """Run one of the app's commands on the served database; its output."""
        done = subprocess.run(
            [VENV_BIN / "flask", "--app", "wsgi", *arguments],
            cwd=ROOT,
            env=self.environment,
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"flask {' '.join(arguments)}: {done.stderr}"
        return done.stdout


@contextmanager
def served_site(database_url: str, folder: Path, mailbox: SiteMailbox, smtp_port: int,
                workers: int = 3) -> Iterator[Site]:  # fmt: skip
    """Migrate the database, load the demo data and serve it; yields once it answers."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = app_environment(
        database_url,
        BASE_URL=base_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        MAIL_FOLDER=str(folder / "mail"),
        PDF_CACHE_DIR=str(folder / "pdf-cache"),
        UPLOAD_FOLDER=str(folder / "uploads"),
        RATELIMIT_STORAGE_URI="memory://",
        # Every test's browser signs in from this one address: far more often than a
        # person would. The limit itself is tested in tests/test_accounts.py.
        SIGN_IN_LIMIT_PER_CLIENT="1000 per 15 minutes",
    )
    migrate(environment)
    with ExitStack() as stack:
        site = Site(base_url, environment, SiteDatabase(database_url), mailbox)
        stack.callback(site.database.engine.dispose)
        site.flask("seed", "--demo")
        process = subprocess.Popen(
            [VENV_BIN / "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning", "--timeout", "120", "wsgi:app"],
            cwd=ROOT,
            env=environment,
        )  # fmt: skip
        stack.callback(process.wait, timeout=30)
        stack.callback(process.terminate)
        wait_until_answering(base_url + "/livez", process, seconds=120)
        yield site
