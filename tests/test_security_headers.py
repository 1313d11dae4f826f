"""The headers every answer carries (README, Security): what scripts and styles a page may
run, that nothing frames it, HSTS over HTTPS, and how the session's cookies are kept."""

import re

import pytest

from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD, make_course, make_prospectus, make_session, make_user

HTTPS = "https://training.example.org"
HTTP = "http://training.example.org"

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Permissions-Policy",
    "Referrer-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "X-Frame-Options",
)
PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-NONCE'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: What is not a page runs nothing, and leaves a browser's PDF viewer free to show it.
FILE_POLICY = "default-src 'self'; frame-ancestors 'none'"
SNAPSHOT = {
    "Permissions-Policy": (
        "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), "
        "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
    ),
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


@pytest.fixture
def catalogue(app):
    make_session(make_course(make_prospectus()))


def security_headers(response) -> dict[str, str]:
    """The response's security headers, its nonce (new for every page) written as NONCE."""
    found = {name: response.headers[name] for name in SECURITY_HEADERS if name in response.headers}
    if "Content-Security-Policy" in found:
        found["Content-Security-Policy"] = re.sub(
            r"'nonce-[\w-]{20,}'", "'nonce-NONCE'", found["Content-Security-Policy"]
        )
    return found


@pytest.mark.parametrize(
    ("path", "mimetype", "policy"),
    [
        ("/", "text/html", PAGE_POLICY),
        ("/prospectuses/multi-agency.pdf", "application/pdf", FILE_POLICY),
        ("/prospectuses/multi-agency/sessions.ics", "text/calendar", FILE_POLICY),
        ("/api/v1/courses", "application/json", FILE_POLICY),
    ],
)
def test_every_kind_of_answer_carries_the_same_headers(client, catalogue, path, mimetype, policy):
    response = client.get(path, base_url=HTTPS)

    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert security_headers(response) == SNAPSHOT | {"Content-Security-Policy": policy}


def test_a_page_runs_only_the_scripts_its_nonce_names(client, catalogue):
    response = client.get("/", base_url=HTTPS)

    nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    # GOV.UK Frontend's start-up, and the module script that starts its components.
    assert len(scripts) == 2
    assert all(f'nonce="{nonce}"' in script for script in scripts)
    assert nonce not in client.get("/search", base_url=HTTPS).headers["Content-Security-Policy"]


def test_a_kept_page_is_answered_with_the_nonce_its_scripts_carry(client, catalogue):
    first = client.get("/", base_url=HTTPS)
    again = client.get("/", base_url=HTTPS)
    unchanged = client.get("/", base_url=HTTPS, headers={"If-None-Match": first.headers["ETag"]})

    nonce = re.search(r"'nonce-([\w-]+)'", again.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b[^>]*>", again.text)
    assert len(scripts) == 2
    assert all(f'nonce="{nonce}"' in script for script in scripts)
    assert unchanged.status_code == 304
    assert unchanged.headers["Content-Security-Policy"] == again.headers["Content-Security-Policy"]


def test_no_page_has_inline_styles_or_unnamed_scripts(client, catalogue):
    for path in ("/", "/prospectuses/multi-agency", "/account/sign-in", "/account/register"):
        page = client.get(path, base_url=HTTPS).text

        assert "<style" not in page
        assert not re.search(r"\sstyle=", page)
        assert not re.search(r"\son[a-z]+=", page)
        assert len(re.findall(r"<script\b", page)) == len(re.findall(r"<script\b[^>]*nonce=", page))


def test_hsts_is_sent_only_over_https(client, catalogue):
    assert "Strict-Transport-Security" in client.get("/", base_url=HTTPS).headers
    assert "Strict-Transport-Security" not in client.get("/", base_url=HTTP).headers


def test_a_forwarded_scheme_is_not_believed_without_a_trusted_proxy(client, catalogue):
    response = client.get("/", base_url=HTTP, headers={"X-Forwarded-Proto": "https"})

    assert "Strict-Transport-Security" not in response.headers


def session_cookies(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    cookies = response.headers.getlist("Set-Cookie")
    return {cookie.split("=", 1)[0]: cookie for cookie in cookies}


def flags(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")[1:]}


@pytest.mark.parametrize("base_url", [HTTPS, HTTP])
def test_the_session_cookies_are_httponly_lax_and_secure_over_https(app, base_url):
    person = make_user(password=PASSWORD)
    browser = app.test_client()

    response = sign_in_at(browser, base_url, person.email)

    cookies = session_cookies(response)
    assert set(cookies) == {"session", "signed_in_before"}
    for cookie in cookies.values():
        assert {"httponly", "samesite=lax"} <= flags(cookie)
        assert ("secure" in flags(cookie)) == (base_url == HTTPS)


def sign_in_at(browser, base_url: str, email: str):
    page = browser.get("/account/sign-in", base_url=base_url).text
    return browser.post(
        "/account/sign-in",
        base_url=base_url,
        # Over HTTPS, a form is taken only from a page of the site itself.
        headers={"Referer": f"{base_url}/account/sign-in"},
        data={"csrf_token": csrf_token(page), "email": email, "password": PASSWORD},
    )


def test_the_session_cookie_is_always_secure_where_the_settings_say_so(app, client):
    person = make_user(password=PASSWORD)
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = sign_in(client, person.email, PASSWORD)
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False

    assert response.status_code == 302
    assert all("secure" in flags(cookie) for cookie in session_cookies(response).values())
