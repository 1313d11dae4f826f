"""Fixtures: an app on a database migrated once per run and emptied after every test.

The database is SQLite unless TEST_DATABASE_URL names a PostgreSQL server, in which
case a throwaway database is made on it for this run and dropped afterwards.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, make_url, text
from sqlalchemy.engine import URL

from app import create_app
from app.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def postgres_admin_connection(url: URL):
    import psycopg

    return psycopg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password,
        dbname=url.database, autocommit=True,
    )  # fmt: skip


@contextmanager
def throwaway_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server, dropped when the block ends."""
    url = make_url(server_url)
    name = f"test_{uuid.uuid4().hex[:12]}"
    with postgres_admin_connection(url) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with postgres_admin_connection(url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    if TEST_DATABASE_URL:
        with throwaway_postgres_database(TEST_DATABASE_URL) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def make_app(database_url: str, tmp_path: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PDF_CACHE_DIR": str(tmp_path / "pdf-cache"),
            "BASE_URL": "https://training.example.org",
            "SERVER_NAME": None,
        }
    )


@pytest.fixture(scope="session")
def shared_app(database_url, tmp_path_factory) -> Flask:
    """One app for the run (compiling the GOV.UK templates is slow), on a migrated database.

    The schema is made the way production makes it: by the migrations.
    """
    app = make_app(database_url, tmp_path_factory.mktemp("app"))
    app.test_client_class = CommittingClient
    with app.app_context():
        upgrade()
    return app


class CommittingClient(FlaskClient):
    """Commits what the test made before each request, as separate requests would see it.

    Tests hold an app context, which requests then share; committing also expires every
    loaded object, so a request reads from the database rather than from the test's memory.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        return super().open(*args, **kwargs)


@pytest.fixture
def app(shared_app, tmp_path) -> Iterator[Flask]:
    """The app, in a context of its own, with every table emptied after the test."""
    shared_app.config["PDF_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    with shared_app.app_context():
        yield shared_app
        db.session.remove()
        empty_every_table()


def empty_every_table() -> None:
    tables = [table for table in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    def record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counted:` counts the SQL statements run in the block."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter.record)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter.record)

    return counting
