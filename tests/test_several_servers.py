"""Two app servers behind nginx, as docs/deployment.md sets them up, on this machine.

nginx (Debian's package, `scripts/setup --dev` installs it) runs as an unprivileged
process from a folder of its own, balancing between two gunicorn servers on loopback,
each started with gunicorn.conf.py. Both share one database (the suite's: a SQLite file,
or PostgreSQL when TEST_DATABASE_URL names a server) and one Redis, which counts the rate
limits. Fifty people race through nginx for the last five places of a session.
"""

import functools
import http.client
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.models import BookingStatus
from tests.conftest import TEST_DATABASE_URL, free_port, throwaway_postgres_database
from tests.servers import app_environment, gunicorn_as_configured, migrate, wait_until_answering
from tests.test_booking_races import (
    Browser,
    Database,
    KeepRedirects,
    all_book_at_once,
    booking_id_from,
    in_parallel,
    redirects_to_a_booking,
)
from tests.test_rate_limits_shared import REDIS_URL, redis_answers

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
#: Who nginx runs as when the tests run as root: it needs no privilege.
UNPRIVILEGED = "nobody"

pytestmark = [
    pytest.mark.skipif(
        NGINX is None, reason="nginx is not installed (scripts/setup --dev installs it)"
    ),
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis answers at {REDIS_URL}"),
]

# The proxying of docs/deployment.md's site, listening on loopback over plain HTTP.
NGINX_CONFIG = """
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream training_app {{
        server 127.0.0.1:{first};
        server 127.0.0.1:{second};
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 10m;
        location / {{
            proxy_pass http://training_app;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


@contextmanager
def nginx_in_front_of(upstreams: list[str]) -> Iterator[str]:
    """nginx on a free port of loopback, balancing between the upstreams' ports."""
    folder = Path(tempfile.mkdtemp(prefix="nginx-"))
    port = free_port()
    first, second = (upstream.rsplit(":", 1)[1] for upstream in upstreams)
    config = folder / "nginx.conf"
    config.write_text(NGINX_CONFIG.format(folder=folder, port=port, first=first, second=second))
    run_as = {}
    if os.geteuid() == 0:
        nobody = pwd.getpwnam(UNPRIVILEGED)
        shutil.chown(folder, nobody.pw_uid, nobody.pw_gid)
        run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid}
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")], **run_as
    )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/livez", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(folder)


@dataclass
class Site:
    base_url: str
    database: Database
    access_logs: list[Path]

    def answers_of_each_server(
        self, path: str, statuses: set[int], expected: int, seconds: float = 10
    ) -> list[list[int]]:
        """What each server answered POSTs to `path` with, among `statuses`, in order, from
        its access log; gunicorn writes a line once the response has gone, so this waits
        (up to `seconds`) for `expected` answers in all."""
        pattern = re.compile(rf'"POST {re.escape(path)} [^"]*" (\d{{3}})')
        deadline = time.monotonic() + seconds
        while True:
            answers = [
                [int(s) for s in pattern.findall(log.read_text()) if int(s) in statuses]
                for log in self.access_logs
            ]
            if time.monotonic() > deadline or sum(map(len, answers)) >= expected:
                return answers
            time.sleep(0.1)


class FromAddress(urllib.request.HTTPHandler):
    """Connects from an address of loopback's own (127.0.0.0/8), as a client of its own."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def http_open(self, request):
        connect = functools.partial(http.client.HTTPConnection, source_address=(self.address, 0))
        return self.do_open(connect, request)


class BrowserAt(Browser):
    """A person's browser on a computer of its own: nginx sees it come from `address`."""

    def __init__(self, base_url: str, address: str) -> None:
        super().__init__(base_url)
        cookies = next(
            h for h in self.opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)
        )
        self.opener = urllib.request.build_opener(cookies, KeepRedirects(), FromAddress(address))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("several-servers")
    with ExitStack() as stack:
        if TEST_DATABASE_URL:
            database_url = stack.enter_context(throwaway_postgres_database(TEST_DATABASE_URL))
        else:
            database_url = f"sqlite:///{folder / 'shared.sqlite'}"
        environment = app_environment(
            database_url,
            MAIL_FOLDER=str(folder / "mail"),
            MAIL_SERVER="",
            TRUSTED_PROXIES="1",
            RATELIMIT_STORAGE_URI=REDIS_URL,
            RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
            WEB_CONCURRENCY="2",
        )
        migrate(environment)
        database = Database(database_url)
        stack.callback(database.engine.dispose)
        access_logs = [folder / "first.log", folder / "second.log"]
        servers = [
            stack.enter_context(gunicorn_as_configured({**environment, "ACCESS_LOG": str(log)}))
            for log in access_logs
        ]
        base_url = stack.enter_context(nginx_in_front_of(servers))
        yield Site(base_url, database, access_logs)


def test_fifty_people_racing_through_nginx_for_five_places_get_exactly_five(site):
    db = site.database
    session_id = db.make_session(capacity=25)
    db.give(session_id, db.make_people(20), BookingStatus.CONFIRMED)
    people = db.make_people(50)
    # Each from an address of its own, as people in their offices, so that no limit on
    # sign-ins from one client stops a crowd behind nginx.
    browsers = in_parallel(
        [
            lambda n=n, person=person: signed_in(site.base_url, f"127.0.0.{10 + n}", person.email)
            for n, person in enumerate(people)
        ],
        workers=2,
    )
    path = f"/sessions/{session_id}/book"
    responses = all_book_at_once(browsers, path)

    assert Counter(r.summary() for r in responses if not redirects_to_a_booking(r)) == {}
    bookings = db.bookings(session_id)
    raced = [bookings[booking_id_from(response)] for response in responses]
    assert Counter(booking.status for booking in raced) == {
        BookingStatus.CONFIRMED: 5,
        BookingStatus.WAITING: 45,
    }
    assert db.places_held(session_id) == 25
    first, second = site.answers_of_each_server(path, {302}, expected=50)
    assert len(first) + len(second) == 50
    assert first and second, "nginx sent every booking to one server"


def signed_in(base_url: str, address: str, email: str) -> Browser:
    browser = BrowserAt(base_url, address)
    browser.sign_in(email)
    return browser


def test_the_sign_in_limit_counts_attempts_made_through_either_server(site):
    (person,) = site.database.make_people(1)
    browser = BrowserAt(site.base_url, "127.0.0.2")
    token = browser.form_token("/account/sign-in")
    wrong = {"csrf_token": token, "email": person.email, "password": "a wrong guess"}

    statuses = [browser.request("/account/sign-in", wrong).status for _ in range(6)]

    assert statuses == [400] * 5 + [429]
    first, second = site.answers_of_each_server("/account/sign-in", {400, 429}, expected=6)
    # Neither server saw five wrong passwords for the address: only the count they share
    # in Redis reached the limit.
    assert first and second
    assert first.count(400) < 5 and second.count(400) < 5
