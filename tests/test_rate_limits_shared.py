"""Sign-in limits hold across worker processes when they share Redis."""

import http.cookiejar
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
import redis

from tests.servers import app_environment, gunicorn, migrate

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_answers() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


class Browser:
    """Cookies and CSRF tokens, as a browser keeps them, against a real server."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def sign_in_attempts(self, email: str, attempts: int) -> list[int]:
        with self.opener.open(self.base_url + "/account/sign-in") as page:
            token = re.search(
                r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode()
            )
        statuses = []
        for _ in range(attempts):
            form = {"csrf_token": token.group(1), "email": email, "password": "not the password"}
            statuses.append(self.post("/account/sign-in", form))
        return statuses

    def post(self, path: str, form: dict) -> int:
        body = urllib.parse.urlencode(form).encode()
        try:
            with self.opener.open(self.base_url + path, data=body) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.fixture
def server_environment(tmp_path):
    environment = app_environment(
        f"sqlite:///{tmp_path / 'limits.sqlite'}",
        MAIL_FOLDER=str(tmp_path / "mail"),
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
    )
    migrate(environment)
    return environment


# Each worker serves one request and is then replaced by a new process, so no two
# requests share a process's memory: only storage outside the processes can count them.
ONE_REQUEST_PER_PROCESS = ("--max-requests", "1", "--max-requests-jitter", "0", "--preload")


@pytest.mark.skipif(not redis_answers(), reason=f"no Redis answers at {REDIS_URL}")
def test_the_limit_per_address_holds_across_processes_sharing_redis(server_environment):
    server_environment["RATELIMIT_STORAGE_URI"] = REDIS_URL
    with gunicorn(server_environment, 2, *ONE_REQUEST_PER_PROCESS) as base_url:
        statuses = Browser(base_url).sign_in_attempts("someone@example.org", 6)

    assert statuses == [400, 400, 400, 400, 400, 429]


def test_without_shared_storage_each_process_counts_alone(server_environment):
    server_environment["RATELIMIT_STORAGE_URI"] = "memory://"
    with gunicorn(server_environment, 2, *ONE_REQUEST_PER_PROCESS) as base_url:
        statuses = Browser(base_url).sign_in_attempts("someone@example.org", 6)

    assert 429 not in statuses
