"""When the database fails the app answers 503 with a "try again" page, and writes nothing:
a database that cannot be reached, stays locked past the timeout, is read-only or is full.
Each condition is real: another connection's lock, SQLite opened read-only, SQLite's own
"database or disk is full", and a PostgreSQL address nobody listens at."""

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select

from app.extensions import db
from app.models import Agency, User
from tests.conftest import CommittingClient, csrf_token, free_port, make_app, sign_in, submit
from tests.factories import PASSWORD, make_agency, make_user
from tests.test_accounts import registration

NEWCOMER = "newcomer@example.org"


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory) -> Path:
    """A migrated SQLite database of its own (whichever database the suite runs on), with
    an agency and a person who can sign in, for the faults only SQLite can have."""
    folder = tmp_path_factory.mktemp("faults")
    path = folder / "faults.sqlite"
    app = make_app(f"sqlite:///{path}", folder)
    with app.app_context():
        upgrade()
        make_agency(name="Rotherham Council")
        make_user(password=PASSWORD, email="person@example.org")
        db.session.commit()
        db.engine.dispose()
    return path


@contextmanager
def app_on(url: str, folder: Path) -> Iterator[Flask]:
    app = make_app(url, folder)
    app.test_client_class = CommittingClient
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def people_in(path: Path) -> int:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(User.__table__))
    finally:
        engine.dispose()


def register_newcomer(client):
    agency = db.session.scalar(select(Agency))
    return submit(client, "/account/register", registration(agency, email=NEWCOMER))


def assert_try_again_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in response.text
    assert "Nothing has been saved" in response.text
    assert "Traceback" not in response.text


def test_a_read_only_database_file_shows_pages_but_refuses_changes(sqlite_file, tmp_path):
    before = people_in(sqlite_file)
    with app_on(f"sqlite:///file:{sqlite_file}?mode=ro&uri=true", tmp_path) as app:
        client = app.test_client()
        assert client.get("/").status_code == 200

        assert_try_again_page(register_newcomer(client))

    assert people_in(sqlite_file) == before


@contextmanager
def small_disk(folder: Path) -> Iterator[Path]:
    """A filesystem of 4 MB of its own (tmpfs, mounted as root may), unmounted after."""
    if os.geteuid() != 0:
        pytest.skip("Mounting a small filesystem needs root (CI and this machine run as root)")
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", folder], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", folder], check=True)


def fill(folder: Path) -> None:
    """Leave no room on the disk: a file written until the disk refuses more."""
    filler = (folder / "filler").open("wb", buffering=0)
    try:
        with pytest.raises(OSError, match="No space left"):
            while True:
                filler.write(b"\0" * 4096)
    finally:
        filler.close()


def copy_database(source: Path, target: Path) -> None:
    original, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        original.backup(copy)
    finally:
        original.close()
        copy.close()


def test_a_full_disk_refuses_changes_with_the_try_again_page(sqlite_file, tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        database = disk / "training.sqlite"
        copy_database(sqlite_file, database)
        before = people_in(database)
        with app_on(f"sqlite:///{database}", tmp_path) as app:
            client = app.test_client()
            page = client.get("/account/register")
            fill(disk)
            agency = db.session.scalar(select(Agency))
            response = client.post(
                "/account/register",
                data={"csrf_token": csrf_token(page.text), **registration(agency, email=NEWCOMER)},
            )

        assert_try_again_page(response)
        assert people_in(database) == before


def test_a_database_locked_past_the_timeout_refuses_changes(sqlite_file, tmp_path):
    with app_on(f"sqlite:///{sqlite_file}", tmp_path) as app:
        client = app.test_client()
        assert sign_in(client, "person@example.org", PASSWORD).status_code == 302
        page = client.get("/account/profile").text
        holder = create_engine(f"sqlite:///{sqlite_file}", isolation_level="AUTOCOMMIT")
        with holder.connect() as other:
            other.exec_driver_sql("BEGIN EXCLUSIVE")
            response = client.post(
                "/account/profile",
                data={"csrf_token": csrf_token(page), "name": "Someone Else"},
            )
            other.exec_driver_sql("ROLLBACK")
        holder.dispose()

        assert response.status_code == 503
        assert "Nothing has been saved" in response.text
        assert db.session.scalar(select(User.name).where(User.email == "person@example.org")) != (
            "Someone Else"
        )


def unreachable_postgresql() -> str:
    """A PostgreSQL address on loopback at a port nobody listens at."""
    return f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/training"


def test_an_unreachable_database_shows_the_try_again_page(tmp_path):
    with app_on(unreachable_postgresql(), tmp_path) as app:
        client = app.test_client()

        assert_try_again_page(client.get("/"))
        assert_try_again_page(client.get("/prospectuses"))


def test_an_unreachable_database_answers_the_api_in_json(tmp_path):
    with app_on(unreachable_postgresql(), tmp_path) as app:
        response = app.test_client().get("/api/v1/courses")

    assert response.status_code == 503
    assert response.get_json()["error"]["status"] == 503


def test_a_signed_in_person_sees_the_try_again_page_when_the_database_goes(sqlite_file, tmp_path):
    """Who is signed in cannot be read: the page is drawn as if signed out, not a 500."""
    with app_on(f"sqlite:///{sqlite_file}", tmp_path) as app:
        client = app.test_client()
        assert sign_in(client, "person@example.org", PASSWORD).status_code == 302
        key = app.config["SECRET_KEY"]
        with app_on(unreachable_postgresql(), tmp_path) as elsewhere:
            elsewhere.config["SECRET_KEY"] = key
            browser = elsewhere.test_client()
            browser.set_cookie("session", client.get_cookie("session").value)
            response = browser.get("/account/bookings")

    assert_try_again_page(response)
