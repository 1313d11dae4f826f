"""A session is renewed at sign-in and at sign-out, so that nothing of a session from
before, planted or copied, is worth anything after; "Sign out everywhere" on the profile."""

import re

from app.extensions import db
from app.models import User
from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD, make_agency, make_user
from tests.test_accounts import details_of

PROFILE = "/account/profile"
SIGN_OUT_FORM = r'<form method="post" action="/account/sign-out"[^>]*>(.*?)</form>'


def is_signed_in(browser) -> bool:
    return browser.get("/account/bookings").status_code == 200


def session_cookie(browser) -> str:
    return browser.get_cookie("session").value


def change_name(browser, person: User, token: str):
    """The profile form sent with `token`, as a page of another site would forge it."""
    return browser.post(PROFILE, data={"csrf_token": token, **details_of(person, name="Mallory")})


def name_of(person: User) -> str:
    db.session.expire_all()
    return db.session.get(User, person.id).name


def test_signing_in_gives_a_new_session_with_new_form_tokens(app, client):
    person = make_user(password=PASSWORD, name="Robin Hughes", agency=make_agency())
    before_token = csrf_token(client.get("/account/sign-in").text)
    before = session_cookie(client)

    sign_in(client, person.email, PASSWORD)

    assert session_cookie(client) != before
    assert change_name(client, person, before_token).status_code == 400
    assert name_of(person) == "Robin Hughes"
    assert change_name(client, person, csrf_token(client.get(PROFILE).text)).status_code == 302
    assert name_of(person) == "Mallory"


def test_a_session_planted_before_sign_in_is_worth_nothing_after(app):
    """Session fixation: whoever set a browser's cookie before its owner signed in knows
    that session's form token, which signing in makes worthless, and holds a session that
    stays signed out."""
    person = make_user(password=PASSWORD, name="Robin Hughes", agency=make_agency())
    attacker = app.test_client()
    planted_token = csrf_token(attacker.get("/account/sign-in").text)
    planted = session_cookie(attacker)
    victim = app.test_client()
    victim.set_cookie("session", planted)

    sign_in(victim, person.email, PASSWORD)

    assert is_signed_in(victim)
    assert change_name(victim, person, planted_token).status_code == 400
    assert name_of(person) == "Robin Hughes"
    assert not is_signed_in(attacker)


def test_signing_out_gives_a_new_session(app, client):
    person = make_user(password=PASSWORD)
    sign_in(client, person.email, PASSWORD)
    signed_in = session_cookie(client)
    token = csrf_token(client.get("/account/sign-out").text)

    client.post("/account/sign-out", data={"csrf_token": token})

    assert session_cookie(client) != signed_in
    assert not is_signed_in(client)
    assert csrf_token(client.get("/account/sign-in").text) != token


def test_the_profile_offers_to_sign_out_everywhere(app, client):
    person = make_user(password=PASSWORD)
    sign_in(client, person.email, PASSWORD)

    page = client.get(PROFILE).text

    forms = re.findall(SIGN_OUT_FORM, page, re.S)
    [everywhere] = [form for form in forms if "Sign out everywhere" in form]
    assert 'name="csrf_token"' in everywhere


def test_signing_out_everywhere_from_the_profile_signs_out_every_browser(app):
    person = make_user(password=PASSWORD)
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, person.email, PASSWORD)
    sign_in(elsewhere, person.email, PASSWORD)

    token = csrf_token(here.get(PROFILE).text)
    response = here.post("/account/sign-out", data={"csrf_token": token})

    assert response.status_code == 302
    assert not is_signed_in(here)
    assert not is_signed_in(elsewhere)


def test_signing_out_everywhere_needs_the_forms_token(app, client):
    person = make_user(password=PASSWORD)
    sign_in(client, person.email, PASSWORD)

    response = client.post("/account/sign-out", data={"csrf_token": "forged"})

    assert response.status_code == 400
    assert is_signed_in(client)
