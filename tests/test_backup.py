"""`flask --app wsgi backup PATH`, taken while people book, restored and read: every
booking confirmed before the backup began is in it. On SQLite (the online backup API)
and, when TEST_DATABASE_URL names a server, on PostgreSQL (pg_dump, pg_restore)."""

import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, make_url, select
from sqlalchemy.orm import Session

from app.backup import BackupFailed, back_up, major_version
from app.bookings import service as bookings
from app.extensions import db
from app.models import Booking, BookingEvent, BookingStatus, CourseSession, User, utcnow
from app.refusals import TryAgain
from app.transactions import saved
from tests.conftest import postgres_admin_connection
from tests.factories import make_course, make_prospectus, make_session, make_user

THREADS = 4
PEOPLE_EACH = 15
#: Bookings made before the backup starts, so that it starts in the middle of the race.
HEAD_START = 12


@contextmanager
def restored(backup: Path, database_url: str) -> Iterator[Session]:
    """A session on the backup restored as its documentation (docs/backup.md) says."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(f"sqlite:///{backup}")
    else:
        name = f"restored_{int(time.time() * 1000)}"
        with postgres_admin_connection(url.set(database="postgres")) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        target = url.set(database=name)
        subprocess.run(
            ["pg_restore", "--no-owner", f"--host={url.host}", f"--port={url.port or 5432}",
             f"--username={url.username}", f"--dbname={name}", str(backup)],
            check=True, capture_output=True,
        )  # fmt: skip
        engine = create_engine(target)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()
        if url.get_backend_name() != "sqlite":
            with postgres_admin_connection(url.set(database="postgres")) as connection:
                connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


class Race:
    """People booking two sessions from several threads at once, each booking's id and
    status noted with the moment its commit returned."""

    def __init__(self, app, session_ids: list[int], people: list[list[int]]) -> None:
        self.app = app
        self.session_ids = session_ids
        self.people = people
        self.done: list[tuple[float, int, BookingStatus]] = []
        self.lock = threading.Lock()
        self.head_start = threading.Event()
        self.errors: list[BaseException] = []

    def book_all(self, person_ids: list[int]) -> None:
        try:
            with self.app.app_context():
                for number, person_id in enumerate(person_ids):
                    self.book(person_id, self.session_ids[number % len(self.session_ids)])
                db.session.remove()
        except BaseException as error:
            self.errors.append(error)

    def book(self, person_id: int, session_id: int) -> None:
        while True:
            try:
                person = db.session.get(User, person_id)
                booking = saved(bookings.book, db.session, session_id, person, "", utcnow())
                break
            except TryAgain:
                continue
        with self.lock:
            self.done.append((time.monotonic(), booking.id, booking.status))
            if len(self.done) >= HEAD_START:
                self.head_start.set()

    def run_with(self, during) -> float:
        """Run the race, calling `during` once it is under way; when `during` began."""
        threads = [threading.Thread(target=self.book_all, args=(ids,)) for ids in self.people]
        for thread in threads:
            thread.start()
        assert self.head_start.wait(timeout=120)
        began = time.monotonic()
        during()
        for thread in threads:
            thread.join(timeout=300)
        assert not self.errors, self.errors
        return began


def test_a_backup_taken_during_a_booking_race_holds_every_booking_confirmed_before_it(
    app, tmp_path, database_url
):
    course = make_course(make_prospectus())
    sessions = [make_session(course, capacity=25) for _ in range(2)]
    people = [[make_user().id for _ in range(PEOPLE_EACH)] for _ in range(THREADS)]
    db.session.commit()
    race = Race(app, [session.id for session in sessions], people)
    backup = tmp_path / "backup.db"

    began = race.run_with(lambda: back_up(db.engine, backup))

    confirmed_before = {
        booking_id
        for moment, booking_id, status in race.done
        if moment < began and status is BookingStatus.CONFIRMED
    }
    assert confirmed_before
    assert len(race.done) == THREADS * PEOPLE_EACH
    with restored(backup, database_url) as copy:
        found = set(
            copy.scalars(select(Booking.id).where(Booking.status == BookingStatus.CONFIRMED))
        )
        assert confirmed_before <= found
        # A consistent copy: no session over its places, every booking with its history.
        for session in sessions:
            taken = copy.scalar(
                select(func.count(Booking.id)).where(
                    Booking.session_id == session.id, Booking.status == BookingStatus.CONFIRMED
                )
            )
            assert taken <= copy.get(CourseSession, session.id).capacity
        without_history = copy.scalar(
            select(func.count(Booking.id)).where(
                ~select(BookingEvent.id).where(BookingEvent.booking_id == Booking.id).exists()
            )
        )
        assert without_history == 0


def test_the_backup_command_writes_a_copy_the_app_can_read(app, runner, tmp_path, database_url):
    course = make_course(make_prospectus(), title="Backed up")
    db.session.commit()
    path = tmp_path / "nightly.backup"

    result = runner.invoke(args=["backup", str(path)])

    assert result.exit_code == 0, result.output
    assert f"Backed up the database to {path}" in result.output
    assert not path.with_name(path.name + ".partial").exists()
    with restored(path, database_url) as copy:
        assert copy.scalars(select(course.__class__.title)).all() == ["Backed up"]


def test_a_backup_over_an_unwritable_path_fails_with_a_message(app, runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "no-such-folder" / "x.backup")])

    assert result.exit_code == 1
    assert f"There is no folder {tmp_path / 'no-such-folder'}" in result.output


def test_pg_dumps_version_is_read_from_its_own_words():
    assert major_version("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n") == 15
    assert major_version("pg_dump (PostgreSQL) 9.6.24") == 9
    with pytest.raises(BackupFailed):
        major_version("something else")
