"""Logs are JSON lines naming their request's id, sent back as X-Request-ID, and hold no
personal data: no email address, name or query string, only ids and routes."""

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy.exc import IntegrityError

from app import logs
from app.extensions import db
from tests.conftest import free_port, sign_in, submit
from tests.factories import PASSWORD, make_agency, make_user
from tests.servers import ROOT
from tests.test_accounts import registration

NAME = "Robin Hughes"
EMAIL = "robin.hughes@example.org"


class Lines(io.StringIO):
    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.getvalue().splitlines()]


@pytest.fixture
def logged(app) -> Iterator[Lines]:
    """What the app logs at INFO and up, through the handler logs.configure() sets up."""
    lines = Lines()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(logs.JsonLines())
    handler.addFilter(logs.name_the_request)
    root, ours = logging.getLogger(), logging.getLogger("app")
    level = ours.level
    root.addHandler(handler)
    ours.setLevel(logging.INFO)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        ours.setLevel(level)


def request_lines(lines: Lines) -> list[dict]:
    return [line for line in lines.records() if line["logger"] == "app.requests"]


def test_each_request_is_a_json_line_with_the_id_sent_back(client, logged):
    response = client.get("/prospectuses", headers={"X-Request-ID": "proxy-4f2a9c1e-0001"})

    assert response.headers["X-Request-ID"] == "proxy-4f2a9c1e-0001"
    [line] = request_lines(logged)
    assert line["request_id"] == "proxy-4f2a9c1e-0001"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/prospectuses", 200)
    assert line["level"] == "INFO"
    assert line["user_id"] is None


@pytest.mark.parametrize(
    "sent", ["", "short", "has spaces in it", 'quote"d-0123456789', "x" * 129, "<script>1234"]
)
def test_a_request_id_that_is_not_sane_is_replaced_by_a_new_one(client, logged, sent):
    response = client.get("/prospectuses", headers={"X-Request-ID": sent} if sent else {})

    made = response.headers["X-Request-ID"]
    assert made != sent
    assert len(made) == 32 and int(made, 16) >= 0
    assert request_lines(logged)[0]["request_id"] == made


def test_every_request_gets_an_id_of_its_own(client):
    first = client.get("/prospectuses").headers["X-Request-ID"]
    second = client.get("/prospectuses").headers["X-Request-ID"]

    assert first != second


def test_logs_name_people_by_their_ids_only(app, client, logged):
    """Signing in, a query string with an address, mail that cannot be sent: the logs say
    what happened, by ids and routes, and never whose address or name it was."""
    person = make_user(password=PASSWORD, name=NAME, email=EMAIL)
    agency = make_agency()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens

    sign_in(client, EMAIL, PASSWORD)
    client.get(f"/prospectuses?email={EMAIL}&name={NAME}")
    client.get(f"/account/reset-password/a-mailed-secret?email={EMAIL}")
    newcomer = app.test_client()
    submit(newcomer, "/account/register", registration(agency, email="sam.taylor@example.org"))

    text = logged.getvalue()
    for personal in (EMAIL, "robin.hughes", NAME, "Sam Taylor", "sam.taylor", "a-mailed-secret"):
        assert personal not in text
    records = logged.records()
    assert any("not sent, retrying" in line["message"] for line in records)
    signed_in = [line for line in request_lines(logged) if line["route"] == "/prospectuses"]
    assert signed_in[0]["user_id"] == person.id
    assert all(line["request_id"] for line in records)


def test_an_exception_is_logged_by_its_route_not_its_address(app, logged):
    with app.test_request_context("/account/reset-password/a-mailed-secret?email=" + EMAIL):
        app.preprocess_request()
        try:
            raise RuntimeError("something broke")
        except RuntimeError:
            app.log_exception(sys.exc_info())

    [line] = [line for line in logged.records() if line["level"] == "ERROR"]
    assert line["message"] == "Exception on /account/reset-password/<token> [GET]"
    assert "RuntimeError: something broke" in line["exception"]
    assert "a-mailed-secret" not in json.dumps(line) and EMAIL not in json.dumps(line)


def test_database_errors_are_logged_without_the_values_they_name(app, logged):
    make_user(email=EMAIL)
    db.session.commit()

    try:
        make_user(email=EMAIL)
        db.session.flush()
    except IntegrityError:
        logging.getLogger("app").exception("Could not save")
    db.session.rollback()

    [line] = logged.records()
    assert line["exception"].endswith(
        ("UniqueViolation 23505", "IntegrityError SQLITE_CONSTRAINT_UNIQUE")
    )
    assert EMAIL not in logged.getvalue()


def test_served_outside_tests_the_app_logs_json_lines(tmp_path):
    """logs.configure(), as create_app() calls it outside tests, on standard error."""
    script = (
        "from app import create_app\n"
        "app = create_app()\n"
        "headers = {'X-Request-ID': 'abcd-1234'}\n"
        "response = app.test_client().get('/account/sign-in', headers=headers)\n"
        "print(response.status_code)\n"
    )
    environment = {
        **os.environ,
        "APP_ENV": "development",
        "SECRET_KEY": "a secret for this test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'logs.sqlite'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )

    assert done.stdout.strip() == "200", done.stderr
    [line] = [json.loads(line) for line in done.stderr.splitlines()]
    assert line["request_id"] == "abcd-1234"
    assert line["route"] == "/account/sign-in"
