"""Fixtures: an app on a database migrated once per run and emptied after every test.

The database is SQLite unless TEST_DATABASE_URL names a PostgreSQL server, in which
case a throwaway database is made on it for this run and dropped afterwards.
"""

import os
import re
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, func, make_url, select, text
from sqlalchemy.engine import URL

from app import create_app
from app.extensions import cache, db, limiter
from app.models import Role, User
from tests.factories import PASSWORD, make_user

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


def make_app(database_url: str, tmp_path: Path, **settings) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PDF_CACHE_DIR": str(tmp_path / "pdf-cache"),
            "BASE_URL": "https://training.example.org",
            "SERVER_NAME": None,
            "MAIL_FOLDER": str(tmp_path / "mail"),
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "MAIL_FROM": "Safeguarding training <training@example.org>",
            "LOCK_TIMEOUT_SECONDS": 1,
            # Cheap hashes keep the suite quick; production keeps argon2-cffi's defaults.
            "PASSWORD_HASH_TIME_COST": 1,
            "PASSWORD_HASH_MEMORY_COST": 1024,
            "PASSWORD_HASH_PARALLELISM": 1,
            **settings,
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
        # Requests share the test's app context, and so its `g`, where Flask-Login keeps
        # the signed-in user and Flask-WTF the CSRF token: each request starts without them.
        for name in list(g):
            g.pop(name)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(shared_app, tmp_path) -> Iterator[Flask]:
    """The app, in a context of its own, with every table emptied after the test."""
    shared_app.config["PDF_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    shared_app.config["MAIL_FOLDER"] = str(tmp_path / "mail")
    shared_app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    shared_app.config["MAIL_SERVER"] = None
    with shared_app.app_context():
        yield shared_app
        db.session.remove()
        empty_every_table()
        limiter.reset()
        cache.clear()


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
        # How a transaction begins and ends is not its work: on SQLite that includes
        # whether its commit waits for the disk (app.database), set when it changes.
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA synchronous")):
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


class Mailbox:
    """What an SMTP server on loopback received, as parsed messages."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.received if message["To"] == address]

    def last_to(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert found, f"no mail to {address}; mail went to {[m['To'] for m in self.received]}"
        return found[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Controller, Mailbox]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(app, smtp_server) -> Mailbox:
    """A real SMTP server on loopback that the app sends to, emptied for each test."""
    controller, mailbox = smtp_server
    mailbox.received.clear()
    app.config["MAIL_SERVER"] = controller.hostname
    app.config["MAIL_PORT"] = controller.port
    return mailbox


def link_in(message: EmailMessage) -> str:
    """The first link in a message's plain-text part, as a path on the site."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    url = re.search(r"https://training\.example\.org(/\S+)", text)
    assert url, f"no link in: {text}"
    return url.group(1)


def csrf_token(page: str) -> str:
    field = re.search(r'<input[^>]*\bname="csrf_token"[^>]*>', page)
    assert field, "the page has no CSRF token"
    return re.search(r'\bvalue="([^"]+)"', field.group(0)).group(1)


def submit(client, url: str, data: dict, **kwargs):
    """Fill in and send the form on the page at `url`, with its CSRF token, as a browser would."""
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **data}, **kwargs)


def sign_in(client, email: str, password: str, next_path: str | None = None):
    url = "/account/sign-in" + (f"?next={next_path}" if next_path else "")
    return submit(client, url, {"email": email, "password": password})


def press(browser: FlaskClient, page_url: str, action_url: str, data: dict | None = None):
    """Send a form of the page at `page_url` to `action_url`, with the page's CSRF token."""
    token = csrf_token(browser.get(page_url).text)
    return browser.post(action_url, data={"csrf_token": token, **(data or {})})


# The training team, each in a browser of their own -----------------------------------------


def signed_in_as(app: Flask, person: User) -> FlaskClient:
    """A browser of its own, signed in as the person, whose password is PASSWORD."""
    browser = app.test_client()
    assert sign_in(browser, person.email, PASSWORD).status_code == 302
    return browser


@pytest.fixture
def coordinator(app) -> User:
    return make_user(password=PASSWORD, role=Role.COORDINATOR, name="Cora Ordinator")


@pytest.fixture
def as_coordinator(app, coordinator) -> FlaskClient:
    return signed_in_as(app, coordinator)


@pytest.fixture
def trainer(app) -> User:
    return make_user(password=PASSWORD, role=Role.TRAINER, name="Sam Trainer")


@pytest.fixture
def as_trainer(app, trainer) -> FlaskClient:
    return signed_in_as(app, trainer)


# Reading the database and pages as a person does -------------------------------------------


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def words(page: str) -> str:
    """The text of a page or a part of one as a person reads it: tags gone, spaces folded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


def summary_errors(page: str) -> dict[str, str]:
    """The error summary's messages, by the id of the field each links to."""
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', page, re.S)
    if not found:
        return {}
    links = re.findall(r'<a href="#([^"]+)">(.*?)</a>', found.group(1), re.S)
    return {field: words(text) for field, text in links}


def field_errors(page: str) -> dict[str, str]:
    """The messages shown beside fields, by field id."""
    messages = re.findall(
        r'<p id="([^"]+)-error" class="govuk-error-message">(.*?)</p>', page, re.S
    )
    return {field: words(text).removeprefix("Error: ") for field, text in messages}
