"""Behind nginx: TRUSTED_PROXIES says how many proxies' X-Forwarded-* headers to believe."""

import importlib

import pytest
from flask import request, url_for

import config
from app.extensions import db
from tests.conftest import make_app, submit
from tests.factories import PASSWORD, make_user

NGINX = "127.0.0.1"


@pytest.fixture
def served_behind(app, database_url, tmp_path):
    """`served_behind(n)`: the app configured with TRUSTED_PROXIES = n, on the test database,
    with a page saying what it sees of the request: the client's address and a link."""

    def make(proxies: int):
        behind = make_app(database_url, tmp_path, TRUSTED_PROXIES=proxies)
        behind.add_url_rule(
            "/seen",
            "seen",
            lambda: f"{request.remote_addr} {url_for('catalogue.home', _external=True)}",
        )
        return behind

    return make


def through_nginx(client: str, scheme: str = "http") -> dict:
    """The request as nginx passes it on: from nginx, saying who asked and how."""
    return {
        "environ_base": {"REMOTE_ADDR": NGINX},
        "headers": {
            "X-Forwarded-For": client,
            "X-Forwarded-Proto": scheme,
            "X-Forwarded-Host": "training.example.org",
        },
    }


def test_behind_one_proxy_the_app_sees_the_client_and_builds_https_links(served_behind):
    seen = served_behind(1).test_client().get("/seen", **through_nginx("203.0.113.9", "https"))

    assert seen.text == "203.0.113.9 https://training.example.org/"


def test_a_client_cannot_pass_itself_off_as_another_through_the_proxy(served_behind):
    # nginx adds the address it saw after whatever the client claimed.
    claimed = through_nginx("198.51.100.1, 203.0.113.9")

    seen = served_behind(1).test_client().get("/seen", **claimed)

    assert seen.text.startswith("203.0.113.9 ")


def test_by_default_no_forwarded_header_is_believed(served_behind):
    seen = served_behind(0).test_client().get("/seen", **through_nginx("203.0.113.9", "https"))

    assert seen.text == f"{NGINX} http://localhost/"


def wrong_passwords(browser, email: str, client: str, times: int) -> list[int]:
    return [
        submit(
            browser, "/account/sign-in", {"email": email, "password": "a wrong guess"},
            **through_nginx(client),
        ).status_code
        for _ in range(times)
    ]  # fmt: skip


def test_behind_the_proxy_each_client_has_its_own_sign_in_limit(served_behind):
    person = make_user(password=PASSWORD)
    db.session.commit()
    behind = served_behind(1)
    guesser, owner = behind.test_client(), behind.test_client()

    guesses = wrong_passwords(guesser, person.email, "203.0.113.9", 6)
    owners_slip = wrong_passwords(owner, person.email, "198.51.100.7", 1)

    assert guesses == [400] * 5 + [429]
    assert owners_slip == [400]


def test_without_trusted_proxies_every_client_behind_it_shares_one_limit(served_behind):
    person = make_user(password=PASSWORD)
    db.session.commit()
    app = served_behind(0)
    guesser, owner = app.test_client(), app.test_client()

    guesses = wrong_passwords(guesser, person.email, "203.0.113.9", 5)
    owners_slip = wrong_passwords(owner, person.email, "198.51.100.7", 1)

    assert guesses == [400] * 5
    assert owners_slip == [429]


def test_a_setting_that_is_not_a_number_of_proxies_stops_the_app_starting(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "nginx")

    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES must be a whole number of proxies"):
        importlib.reload(config)
