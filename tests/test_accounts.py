"""Professionals' accounts: registering, verifying, signing in and out, resetting a password,
their details and their bookings, as a person using the site sees them.

Forms are sent with their CSRF tokens, as a browser sends them; mail goes through a real
SMTP server on loopback.
"""

import re
import time
from datetime import timedelta
from html import unescape
from urllib.parse import quote, urlsplit

import pytest
from argon2 import PasswordHasher
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from app.accounts import passwords, service, tokens
from app.extensions import db
from app.models import (
    DECISION_STATUSES,
    Agency,
    Booking,
    BookingStatus,
    OutboxMessage,
    Role,
    User,
    utcnow,
)
from tests.conftest import (
    csrf_token,
    field_errors,
    link_in,
    sign_in,
    submit,
    summary_errors,
    words,
)
from tests.factories import (
    PASSWORD,
    make_agency,
    make_course,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
)

NEW_PASSWORD = "kettle orchard lantern pebble"
SIGN_IN_FAILED = "Enter the email address and password of your account"


# Browsers ---------------------------------------------------------------------------------


def new_browser(app):
    return app.test_client()


# Reading pages ----------------------------------------------------------------------------


def assert_refused_at(page: str, field: str, message: str) -> None:
    assert message in summary_errors(page).get(field, ""), summary_errors(page)
    assert message in field_errors(page).get(field, ""), field_errors(page)


def value_of(page: str, field: str) -> str | None:
    """What a text input shows, as typed; None when the input has no value."""
    tag = re.search(rf'<input[^>]*\bname="{field}"[^>]*>', page, re.S)
    assert tag, f"no input named {field}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else None


def chosen_option(page: str, field: str) -> str | None:
    select_tag = re.search(rf'<select[^>]*\bname="{field}".*?</select>', page, re.S)
    assert select_tag, f"no select named {field}"
    chosen = re.search(r'<option value="([^"]*)" selected', select_tag.group(0))
    return chosen.group(1) if chosen else None


def without_csrf_tokens(page: str) -> str:
    """The page less what differs on every page shown: its form tokens and script nonces."""
    page = re.sub(r' nonce="[^"]*"', "", page)
    return re.sub(r'name="csrf_token"([^>]*)value="[^"]*"', r'name="csrf_token"\1', page)


def section(page: str, caption: str) -> str:
    """The table of bookings under a caption, or "" when the page has none."""
    found = re.search(rf"<caption[^>]*>{caption}</caption>(.*?)</table>", page, re.S)
    return found.group(1) if found else ""


# Reading the database ---------------------------------------------------------------------


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def account(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def reloaded(user: User) -> User:
    db.session.refresh(user)
    return user


# Acting as a person -----------------------------------------------------------------------


def registration(agency: Agency, /, **changes) -> dict:
    return {
        "name": "Sam Taylor",
        "email": "sam.taylor@example.org",
        "agency": str(agency.id),
        "new_agency_name": "",
        "job_title": "School nurse",
        "line_manager_name": "Alex Morgan",
        "line_manager_email": "alex.morgan@example.org",
        "password": NEW_PASSWORD,
    } | changes


def register(client, agency: Agency, /, **changes):
    return submit(client, "/account/register", registration(agency, **changes))


def details_of(user: User, **changes) -> dict:
    """The profile form as it stands for `user`, with some answers changed."""
    return {
        "name": user.name,
        "email": user.email,
        "agency": str(user.agency_id),
        "new_agency_name": "",
        "job_title": user.job_title,
        "line_manager_name": user.line_manager_name,
        "line_manager_email": user.line_manager_email or "",
    } | changes


def is_signed_in(client) -> bool:
    return client.get("/account/bookings").status_code == 200


def post_with_token_from(client, page_url: str, url: str, data: dict | None = None, **kwargs):
    """Send a form whose button is on another page (send the link again, sign out)."""
    token = csrf_token(client.get(page_url).text)
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def confirm_address(client, link: str):
    """Follow a mailed confirmation link and press its button."""
    return post_with_token_from(client, link, link)


def sign_out(client):
    return post_with_token_from(client, "/account/sign-out", "/account/sign-out")


def token_made_hours_ago(app, hours: float, purpose: str, payload: dict) -> str:
    """A link's token as the app would have signed it `hours` ago."""

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - hours * 60 * 60)

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=purpose, signer=Earlier)
    return serializer.dumps(payload)


@pytest.fixture
def agency():
    return make_agency(name="Rotherham Hospital NHS Foundation Trust")


@pytest.fixture
def person():
    return make_user(password=PASSWORD, name="Robin Hughes", email="robin.hughes@example.org")


# Registering ------------------------------------------------------------------------------


def test_registering_makes_an_unverified_account_with_the_details_given(client, agency, mailbox):
    response = register(client, agency)

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/register/check-email"
    assert "Check your email" in client.get(response.headers["Location"]).text
    user = account("sam.taylor@example.org")
    assert (user.name, user.job_title, user.agency_id) == ("Sam Taylor", "School nurse", agency.id)
    assert (user.line_manager_name, user.line_manager_email) == (
        "Alex Morgan",
        "alex.morgan@example.org",
    )
    assert not user.is_verified
    assert passwords.password_matches(user.password_hash, NEW_PASSWORD)


def test_the_line_manager_is_optional(client, agency, mailbox):
    response = register(client, agency, line_manager_name="", line_manager_email="")

    assert response.status_code == 302
    user = account("sam.taylor@example.org")
    assert (user.line_manager_name, user.line_manager_email) == ("", None)


def test_an_agency_not_listed_is_made_unlisted_for_coordinators_to_check(client, agency, mailbox):
    response = register(client, agency, agency="not-listed", new_agency_name="Kids First CIC")

    assert response.status_code == 302
    user = account("sam.taylor@example.org")
    assert user.agency.name == "Kids First CIC"
    assert user.agency.listed is False
    assert "Kids First CIC" not in client.get("/account/register").text


def test_an_agency_name_typed_in_is_taken_literally(client, agency, mailbox):
    make_agency(name="100 Kids Nursery")

    register(client, agency, agency="not-listed", new_agency_name="100% Kids Nursery")

    assert account("sam.taylor@example.org").agency.name == "100% Kids Nursery"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("name", "Enter your full name"),
        ("email", "Enter work email address"),
        ("agency", "Choose your agency"),
        ("job_title", "Enter your job title"),
        ("password", "Enter a password"),
    ],
)
def test_each_required_answer_left_out_is_asked_for_and_nothing_is_saved(
    client, agency, mailbox, field, message
):
    response = register(client, agency, **{field: ""})

    assert response.status_code == 400
    assert_refused_at(response.text, field, message)
    assert count(User) == count(OutboxMessage) == 0
    assert mailbox.received == []


WRONG_FORMAT = "Enter an email address in the correct format, like name@example.org"
#: Mail to such an address cannot be delivered: see PLAIN_EMAIL_MESSAGE.
NOT_PLAIN = "Enter an email address using only the letters a to z, numbers and symbols"


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("email", "sam.taylor.example.org", WRONG_FORMAT),
        ("line_manager_email", "alex@", WRONG_FORMAT),
        ("email", "zoë.taylor@example.org", NOT_PLAIN),
        ("line_manager_email", "alex@bücher.example", NOT_PLAIN),
    ],
)
def test_an_email_address_in_the_wrong_format_is_refused(
    client, agency, mailbox, field, typed, message
):
    response = register(client, agency, **{field: typed})

    assert response.status_code == 400
    assert_refused_at(response.text, field, message)
    assert value_of(response.text, field) == typed
    assert count(User) == count(OutboxMessage) == 0


def test_an_agency_not_listed_needs_its_name(client, agency, mailbox):
    response = register(client, agency, agency="not-listed", new_agency_name=" ")

    assert response.status_code == 400
    assert_refused_at(response.text, "new_agency_name", "Enter the name of your agency")
    assert count(User) == count(OutboxMessage) == 0
    assert count(Agency) == 1


def test_a_password_under_10_characters_is_refused(client, agency, mailbox):
    response = register(client, agency, password="Xk7#pQ2!z")

    assert response.status_code == 400
    assert_refused_at(response.text, "password", "Password must be 10 characters or more")
    assert count(User) == count(OutboxMessage) == 0


@pytest.mark.parametrize("common", ["password1234", "qwertyuiop", "QwertyUIOP"])
def test_a_common_password_is_refused(client, agency, mailbox, common):
    response = register(client, agency, password=common)

    assert response.status_code == 400
    assert_refused_at(response.text, "password", "That password is too easy to guess")
    assert count(User) == count(OutboxMessage) == 0


@pytest.mark.parametrize(
    ("weak", "hint"),
    [
        ("aaaaaaaaaa", 'Repeats like "aaa" are easy to guess'),
        ("abcdefghij", 'Sequences like "abc" or "6543" are easy to guess'),
        ("2026-12-07!!", "Dates are often easy to guess"),
        ("Liverpool1!", "This is similar to a commonly used password"),
    ],
)
def test_a_password_easy_to_guess_is_refused_saying_how_to_choose_one(
    client, agency, mailbox, weak, hint
):
    response = register(client, agency, password=weak)

    assert response.status_code == 400
    message = field_errors(response.text)["password"]
    assert message.startswith("That password is too easy to guess")
    assert hint in message and "Add another word or two" in message
    assert count(User) == count(OutboxMessage) == 0


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("a" * 100, False),
        ("kettle orchard lantern pebble " * 3, True),
        ("safeguarding-demo-2026", True),
        ("Tr0ub4dor&3x", True),
    ],
)
def test_a_password_is_judged_by_how_hard_it_is_to_guess(password, accepted):
    assert (passwords.password_problem(password, "sam@example.org") is None) == accepted


def test_the_email_address_as_password_is_refused(client, agency, mailbox):
    response = register(client, agency, password="Sam.Taylor@example.org")

    assert response.status_code == 400
    assert_refused_at(response.text, "password", "That password is too easy to guess")


def test_every_error_shows_in_the_summary_and_at_its_field(client, agency, mailbox):
    empty = dict.fromkeys(registration(agency), "")

    response = submit(client, "/account/register", empty)

    expected = {
        "name": "Enter your full name",
        "email": "Enter work email address",
        "agency": "Choose your agency",
        "job_title": "Enter your job title",
        "password": "Enter a password",
    }
    assert summary_errors(response.text) == expected
    assert field_errors(response.text) == expected


def test_a_missing_agency_name_shows_alongside_other_errors(client, agency, mailbox):
    response = register(client, agency, agency="not-listed", new_agency_name="", job_title="")

    assert_refused_at(response.text, "job_title", "Enter your job title")
    assert_refused_at(response.text, "new_agency_name", "Enter the name of your agency")


def test_what_was_typed_is_kept_but_never_the_password(client, agency, mailbox):
    typed = registration(
        agency,
        name="Sam O'Neill <b>",
        email="not an address",
        agency="not-listed",
        new_agency_name="Kids First CIC",
        password="my own secret phrase",
    )

    response = submit(client, "/account/register", typed)

    assert response.status_code == 400
    for field in ("name", "email", "new_agency_name", "job_title", "line_manager_name"):
        assert value_of(response.text, field) == typed[field]
    assert value_of(response.text, "line_manager_email") == "alex.morgan@example.org"
    assert chosen_option(response.text, "agency") == "not-listed"
    assert value_of(response.text, "password") in (None, "")
    assert "my own secret phrase" not in response.text


def test_the_password_to_create_is_marked_as_a_new_password(client):
    page = client.get("/account/register").text

    tag = re.search(r'<input[^>]*name="password"[^>]*>', page, re.S).group(0)
    assert re.findall(r'autocomplete="([^"]*)"', tag)[0] == "new-password"


# The verification mail --------------------------------------------------------------------


def test_registering_mails_a_link_that_confirms_the_address(client, agency, mailbox):
    register(client, agency)

    message = mailbox.last_to("sam.taylor@example.org")
    assert message["Subject"] == "Confirm your email address"
    assert message.get_body(preferencelist=("plain",)) is not None
    html = message.get_body(preferencelist=("html",)).get_content()
    link = link_in(message)
    assert link.startswith("/account/verify/")
    assert f'href="https://training.example.org{link}"' in html

    opened = client.get(link)
    assert opened.status_code == 200
    assert "Confirm my email address" in opened.text
    # Mail systems open links to check them: that alone confirms nothing.
    assert not account("sam.taylor@example.org").is_verified

    response = confirm_address(client, link)

    assert response.status_code == 200
    assert "Email address confirmed" in response.text
    assert account("sam.taylor@example.org").is_verified


def test_links_in_mail_use_the_configured_address_whatever_the_host_header(client, agency, mailbox):
    evil = {"Host": "evil.example"}
    page = client.get("/account/register", headers=evil)
    data = registration(agency) | {"csrf_token": csrf_token(page.text)}

    response = client.post("/account/register", data=data, headers=evil)

    assert response.status_code == 302
    message = mailbox.last_to("sam.taylor@example.org")
    for part in ("plain", "html"):
        body = message.get_body(preferencelist=(part,)).get_content()
        assert "https://training.example.org/account/verify/" in body
        assert "evil.example" not in body


@pytest.mark.parametrize("typed", ["robin.hughes@example.org", "Robin.HUGHES@Example.org"])
def test_registering_an_address_with_an_account_looks_the_same_and_mails_its_owner(
    app, agency, person, mailbox, typed
):
    newcomer, impostor = new_browser(app), new_browser(app)
    new = register(newcomer, agency, email="nobody.yet@example.org")
    taken = register(impostor, agency, email=typed, name="Someone Else")

    assert (taken.status_code, taken.headers["Location"], taken.text) == (
        new.status_code,
        new.headers["Location"],
        new.text,
    )
    new_page = newcomer.get(new.headers["Location"])
    taken_page = impostor.get(taken.headers["Location"])
    assert without_csrf_tokens(taken_page.text) == without_csrf_tokens(new_page.text)
    assert mailbox.last_to("robin.hughes@example.org")["Subject"] == "You already have an account"
    assert count(User) == 2
    assert reloaded(person).name == "Robin Hughes"


def test_an_agency_name_left_out_is_refused_alike_for_a_taken_address(app, agency, person, mailbox):
    data = {"agency": "not-listed", "new_agency_name": ""}
    free = register(new_browser(app), agency, email="nobody.yet@example.org", **data)
    taken = register(new_browser(app), agency, email=person.email, **data)

    assert free.status_code == 400
    assert taken.status_code == free.status_code
    assert mailbox.received == []


NOT_YOUR_OWN = "Enter your line manager's email address, not your own"


@pytest.mark.parametrize("typed", ["sam.taylor@example.org", "Sam.Taylor@EXAMPLE.org"])
def test_your_own_address_is_refused_as_your_line_managers(client, agency, mailbox, typed):
    response = register(client, agency, line_manager_email=typed)

    assert response.status_code == 400
    assert_refused_at(response.text, "line_manager_email", NOT_YOUR_OWN)
    assert account("sam.taylor@example.org") is None
    assert mailbox.received == []


def test_registering_refuses_your_own_address_as_your_managers_in_the_service_too(app, agency):
    details = service.Details(
        name="Sam Taylor",
        email="sam.taylor@example.org",
        job_title="School nurse",
        agency_id=agency.id,
        new_agency_name="",
        line_manager_name="Sam Taylor",
        line_manager_email="SAM.taylor@example.org",
    )

    with pytest.raises(service.AccountError, match=NOT_YOUR_OWN) as refused:
        service.register(db.session, details, NEW_PASSWORD)

    assert refused.value.field == "line_manager_email"
    assert account("sam.taylor@example.org") is None


# Confirming the address -------------------------------------------------------------------


def test_a_confirmation_link_lasts_24_hours(app, client):
    user = make_user(verified=False)
    payload = {"user": user.id, "email": user.email}
    recent = token_made_hours_ago(app, 23, "verify-email", payload)
    expired = token_made_hours_ago(app, 25, "verify-email", payload)

    refused = client.get(f"/account/verify/{expired}")

    assert refused.status_code == 400
    assert "That link has expired" in refused.text
    assert not reloaded(user).is_verified
    assert confirm_address(client, f"/account/verify/{recent}").status_code == 200
    assert reloaded(user).is_verified


def test_a_tampered_confirmation_link_is_refused(client):
    user, other = make_user(verified=False), make_user(verified=False)
    payload, stamp, signature = tokens.verify_email_token(user).rsplit(".", 2)
    other_payload = tokens.verify_email_token(other).rsplit(".", 2)[0]
    resigned = ("B" if signature[0] == "A" else "A") + signature[1:]

    for bad in (f"{payload}.{stamp}.{resigned}", f"{other_payload}.{stamp}.{signature}"):
        response = client.get(f"/account/verify/{bad}")
        assert response.status_code == 400
        assert "That link is not valid" in response.text
    assert not reloaded(user).is_verified
    assert not reloaded(other).is_verified


def test_a_link_for_an_address_the_account_no_longer_uses_is_refused(client, agency, mailbox):
    user = make_user(password=PASSWORD, verified=False, email="first@example.org", agency=agency)
    old_link = "/account/verify/" + tokens.verify_email_token(user)
    sign_in(client, "first@example.org", PASSWORD)
    changed = submit(client, "/account/profile", details_of(user, email="second@example.org"))
    assert changed.status_code == 302
    assert (
        confirm_address(client, link_in(mailbox.last_to("second@example.org"))).status_code == 200
    )
    assert reloaded(user).is_verified

    response = client.get(old_link)

    assert response.status_code == 400
    assert "no longer uses" in response.text
    assert reloaded(user).email == "second@example.org"


def test_the_confirmation_link_can_be_sent_again(client, person, mailbox):
    person.email_verified_at = None
    sign_in(client, person.email, PASSWORD)
    assert "Send the link again" in client.get("/account/profile").text

    response = post_with_token_from(client, "/account/profile", "/account/verify/send-again")

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/profile"
    message = mailbox.last_to(person.email)
    assert message["Subject"] == "Confirm your email address"
    assert f"We have sent a new link to {person.email}" in client.get("/account/profile").text
    assert confirm_address(client, link_in(message)).status_code == 200
    assert reloaded(person).is_verified


def test_no_link_is_sent_again_to_a_confirmed_address(client, person, mailbox):
    sign_in(client, person.email, PASSWORD)

    post_with_token_from(client, "/account/profile", "/account/verify/send-again")

    assert mailbox.received == []


# Signing in -------------------------------------------------------------------------------


def test_signing_in_opens_the_persons_bookings(client, person):
    response = sign_in(client, person.email, PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/bookings"
    page = client.get("/account/bookings")
    assert page.status_code == 200
    assert "Robin Hughes" in page.text


@pytest.mark.parametrize(
    ("role", "landing", "heading"),
    [
        (Role.PROFESSIONAL, "/account/bookings", "Your bookings"),
        (Role.TRAINER, "/trainer", "Your sessions"),
        (Role.COORDINATOR, "/admin", "Training administration"),
    ],
)
def test_signing_in_opens_the_area_of_the_persons_work(client, role, landing, heading):
    someone = make_user(password=PASSWORD, role=role)

    response = sign_in(client, someone.email, PASSWORD)

    assert response.headers["Location"] == landing
    assert heading in client.get(landing).text


@pytest.mark.parametrize("role", [Role.TRAINER, Role.COORDINATOR])
def test_a_next_path_still_wins_over_the_staff_areas(client, role):
    someone = make_user(password=PASSWORD, role=role)

    response = sign_in(client, someone.email, PASSWORD, next_path="/courses/x")

    assert response.headers["Location"] == "/courses/x"


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(app, person):
    wrong_password = sign_in(new_browser(app), person.email, "not the password at all")
    unknown = sign_in(new_browser(app), "nobody@example.org", PASSWORD)

    assert wrong_password.status_code == unknown.status_code == 400
    assert_refused_at(wrong_password.text, "email", SIGN_IN_FAILED)
    assert_refused_at(unknown.text, "email", SIGN_IN_FAILED)
    assert without_csrf_tokens(wrong_password.text).replace(person.email, "typed") == (
        without_csrf_tokens(unknown.text).replace("nobody@example.org", "typed")
    )


def test_the_email_address_is_compared_whatever_its_letter_case(client, person):
    response = sign_in(client, "Robin.Hughes@EXAMPLE.org", PASSWORD)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_spaces_around_the_email_address_are_ignored(client, person):
    response = sign_in(client, " robin.hughes@example.org ", PASSWORD)

    assert response.status_code == 302


def test_a_next_path_on_this_site_is_followed(client, person):
    response = sign_in(client, person.email, PASSWORD, next_path="/courses/x")

    assert response.headers["Location"] == "/courses/x"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "\\\\evil.example",
        "/\\evil.example",
        "https:evil.example",
        "https://evil.example",
        "/%2F%2Fevil.example",
        "%2F%2Fevil.example",
        "/%5Cevil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
    ],
)
def test_a_next_address_off_this_site_is_not_followed(client, person, target):
    response = sign_in(client, person.email, PASSWORD, next_path=quote(target, safe=""))

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/bookings"


def test_an_anonymous_visitor_returns_to_the_page_they_asked_for(client, person):
    asked = client.get("/account/profile")
    sign_in_url = asked.headers["Location"]

    response = submit(client, sign_in_url, {"email": person.email, "password": PASSWORD})

    assert response.headers["Location"] == "/account/profile"


def test_signing_in_starts_a_new_session(client, person):
    client.get("/account/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "x"
    before = client.get_cookie("session").value

    sign_in(client, person.email, PASSWORD)

    assert client.get_cookie("session").value != before
    with client.session_transaction() as session:
        assert "planted" not in session
    assert is_signed_in(client)


def test_signing_in_needs_the_forms_csrf_token(client, person):
    client.get("/account/sign-in")

    response = client.post("/account/sign-in", data={"email": person.email, "password": PASSWORD})

    assert response.status_code == 400
    assert not is_signed_in(client)


def test_a_deactivated_account_cannot_sign_in(client):
    user = make_user(password=PASSWORD, active=False)

    response = sign_in(client, user.email, PASSWORD)

    assert response.status_code == 400
    assert_refused_at(response.text, "email", SIGN_IN_FAILED)
    assert not is_signed_in(client)


def test_a_hash_made_with_older_parameters_is_replaced_at_sign_in(client):
    older = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    user = make_user(password_hash=older.hash(PASSWORD))
    assert passwords.needs_rehash(user.password_hash)

    assert sign_in(client, user.email, PASSWORD).status_code == 302

    assert not passwords.needs_rehash(reloaded(user).password_hash)
    sign_out(client)
    assert sign_in(client, user.email, PASSWORD).status_code == 302


# Signing out ------------------------------------------------------------------------------


def test_signing_out_with_the_button_signs_out(client, person):
    sign_in(client, person.email, PASSWORD)

    response = sign_out(client)

    assert response.status_code == 302
    assert "You have signed out" in client.get(response.headers["Location"]).text
    assert not is_signed_in(client)


def test_a_copy_of_the_cookie_taken_before_signing_out_signs_nobody_in(app, person):
    browser = new_browser(app)
    sign_in(browser, person.email, PASSWORD)
    copied = browser.get_cookie("session").value

    sign_out(browser)

    thief = new_browser(app)
    thief.set_cookie("session", copied)
    response = thief.get("/account/bookings")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/sign-in"


def test_signing_out_signs_out_everywhere(app, person):
    here, elsewhere = new_browser(app), new_browser(app)
    sign_in(here, person.email, PASSWORD)
    sign_in(elsewhere, person.email, PASSWORD)

    sign_out(here)

    assert not is_signed_in(elsewhere)
    assert sign_in(elsewhere, person.email, PASSWORD).status_code == 302
    assert is_signed_in(elsewhere)


def test_visiting_the_sign_out_address_alone_does_not_sign_out(client, person):
    sign_in(client, person.email, PASSWORD)

    page = client.get("/account/sign-out")
    without_token = client.post("/account/sign-out")

    assert page.status_code == 200
    assert without_token.status_code == 400
    assert is_signed_in(client)


# Resetting a password ---------------------------------------------------------------------


def reset_link(client, mailbox, email: str) -> str:
    submit(client, "/account/reset-password", {"email": email})
    return link_in(mailbox.last_to(email))


def posted_counting(browser, url: str, data: dict, count_queries):
    """Send the form on the page at `url`; the answer, and the statements sending it ran."""
    token = csrf_token(browser.get(url).text)
    with count_queries() as counted:
        response = browser.post(url, data={"csrf_token": token, **data})
    return response, counted


def shapes(counted) -> list[str]:
    """The statements run, by kind and table: what work was done, whatever the values.
    (SQLite's PRAGMAs set up the connection a request is given, not its work.)"""
    return [
        " ".join(statement.split()[:4])
        for statement in counted.statements
        if not statement.startswith("PRAGMA")
    ]


def test_a_reset_request_answers_the_same_for_known_and_unknown_addresses(
    app, person, mailbox, count_queries
):
    url = "/account/reset-password"
    known, known_work = posted_counting(
        new_browser(app), url, {"email": person.email}, count_queries
    )
    unknown, unknown_work = posted_counting(
        new_browser(app), url, {"email": "no@example.org"}, count_queries
    )

    assert known.status_code == unknown.status_code == 200
    assert "Check your email" in known.text
    assert without_csrf_tokens(known.text).replace(person.email, "typed") == (
        without_csrf_tokens(unknown.text).replace("no@example.org", "typed")
    )
    assert shapes(known_work) == shapes(unknown_work)
    assert [message["To"] for message in mailbox.received] == [person.email, "no@example.org"]


@pytest.mark.parametrize("active", [True, False])
def test_an_address_no_account_can_sign_in_with_is_told_so(client, mailbox, active):
    if not active:
        make_user(email="closed@example.org", password=PASSWORD, active=False)

    submit(client, "/account/reset-password", {"email": "Closed@example.org"})

    message = mailbox.last_to("closed@example.org")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert message["Subject"] == "Reset your password"
    assert "no account that can sign in uses this email address" in " ".join(text.split())
    assert "/account/reset-password/" not in text
    assert count(OutboxMessage) == 1


def test_a_known_address_is_mailed_a_reset_link(client, person, mailbox):
    submit(client, "/account/reset-password", {"email": "ROBIN.hughes@example.org"})

    message = mailbox.last_to(person.email)
    assert message["Subject"] == "Reset your password"
    assert re.fullmatch(r"/account/reset-password/[\w.-]+", link_in(message))
    assert message.get_body(preferencelist=("html",)) is not None


def test_the_reset_link_sets_a_new_password(client, person, mailbox):
    link = reset_link(client, mailbox, person.email)

    response = submit(client, link, {"password": NEW_PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/sign-in"
    assert sign_in(client, person.email, PASSWORD).status_code == 400
    assert sign_in(client, person.email, NEW_PASSWORD).status_code == 302


def test_the_reset_link_works_once(client, person, mailbox):
    link = reset_link(client, mailbox, person.email)
    submit(client, link, {"password": NEW_PASSWORD})

    again = post_with_token_from(
        client, "/account/reset-password", link, {"password": "another long passphrase"}
    )

    assert again.status_code == 400
    assert "already been used" in again.text
    assert client.get(link).status_code == 400
    assert sign_in(client, person.email, NEW_PASSWORD).status_code == 302


def test_the_reset_link_lasts_an_hour(app, client, person):
    payload = {"user": person.id, "password": tokens.password_digest(person)}
    expired = token_made_hours_ago(app, 1.1, "reset-password", payload)
    recent = token_made_hours_ago(app, 0.9, "reset-password", payload)

    response = client.get(f"/account/reset-password/{expired}")

    assert response.status_code == 400
    assert "That link has expired" in response.text
    reset = submit(client, f"/account/reset-password/{recent}", {"password": NEW_PASSWORD})
    assert reset.status_code == 302
    assert sign_in(client, person.email, NEW_PASSWORD).status_code == 302


def test_a_reset_signs_the_account_out_everywhere(app, person, mailbox):
    elsewhere = new_browser(app)
    sign_in(elsewhere, person.email, PASSWORD)
    assert is_signed_in(elsewhere)
    here = new_browser(app)

    submit(here, reset_link(here, mailbox, person.email), {"password": NEW_PASSWORD})

    response = elsewhere.get("/account/bookings")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/sign-in"


def test_a_new_password_that_breaks_the_rules_is_refused_at_the_field(client, person, mailbox):
    link = reset_link(client, mailbox, person.email)

    response = submit(client, link, {"password": "qwertyuiop"})

    assert response.status_code == 400
    assert_refused_at(response.text, "password", "That password is too easy to guess")
    assert sign_in(client, person.email, PASSWORD).status_code == 302


# Your details -----------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, agency, person):
    person.agency = agency
    person.line_manager_name = "Alex Morgan"
    person.line_manager_email = "alex.morgan@example.org"
    sign_in(client, person.email, PASSWORD)
    return person


def test_your_details_show_what_you_gave(client, signed_in, agency):
    page = client.get("/account/profile").text

    assert value_of(page, "name") == "Robin Hughes"
    assert value_of(page, "email") == "robin.hughes@example.org"
    assert chosen_option(page, "agency") == str(agency.id)
    assert value_of(page, "job_title") == "Health visitor"
    assert value_of(page, "line_manager_name") == "Alex Morgan"
    assert value_of(page, "line_manager_email") == "alex.morgan@example.org"


def test_an_agency_not_listed_shows_as_typed(client, person):
    person.agency = Agency(name="Kids First CIC", sector="other", listed=False)
    sign_in(client, person.email, PASSWORD)

    page = client.get("/account/profile").text

    assert chosen_option(page, "agency") == "not-listed"
    assert value_of(page, "new_agency_name") == "Kids First CIC"


def test_changes_to_your_details_are_saved(client, signed_in, mailbox):
    other_agency = make_agency(name="South Yorkshire Police")
    changes = details_of(
        signed_in,
        name="Robin Hughes-Patel",
        agency=str(other_agency.id),
        job_title="Detective constable",
        line_manager_name="",
        line_manager_email="",
    )

    response = submit(client, "/account/profile", changes)

    assert response.status_code == 302
    assert "Your details are saved." in client.get("/account/profile").text
    user = reloaded(signed_in)
    assert (user.name, user.agency_id, user.job_title) == (
        "Robin Hughes-Patel",
        other_agency.id,
        "Detective constable",
    )
    assert (user.line_manager_name, user.line_manager_email) == ("", None)
    assert user.is_verified
    assert mailbox.received == []


ASKED_FOR = (
    "Your details are saved. We have sent a link to {}: your email address changes to it "
    "once you open the link."
)


def test_a_new_email_address_is_the_accounts_once_confirmed_and_the_old_one_is_told(
    client, signed_in, mailbox
):
    response = submit(
        client, "/account/profile", details_of(signed_in, email="Robin.New@Example.org")
    )

    assert response.status_code == 302
    assert ASKED_FOR.format("Robin.New@Example.org") in words(client.get("/account/profile").text)
    user = reloaded(signed_in)
    assert (user.email, user.is_verified) == ("robin.hughes@example.org", True)
    link = link_in(mailbox.last_to("robin.new@example.org"))
    assert mailbox.last_to("robin.new@example.org")["Subject"] == "Confirm your new email address"
    assert mailbox.to("robin.hughes@example.org") == []
    assert "robin.new@example.org" in words(client.get(link).text)

    confirm_address(client, link)

    user = reloaded(signed_in)
    assert (user.email, user.is_verified) == ("robin.new@example.org", True)
    notice = mailbox.last_to("robin.hughes@example.org")
    assert notice["Subject"] == "Your email address was changed"
    assert "robin.new@example.org" in notice.get_body(preferencelist=("plain",)).get_content()
    assert client.get(link).status_code == 400


def test_a_link_to_a_new_address_is_void_once_another_account_has_it(client, signed_in, mailbox):
    submit(client, "/account/profile", details_of(signed_in, email="robin.new@example.org"))
    link = link_in(mailbox.last_to("robin.new@example.org"))
    make_user(email="robin.new@example.org")

    response = confirm_address(client, link)

    assert response.status_code == 400
    assert reloaded(signed_in).email == "robin.hughes@example.org"


def test_another_accounts_address_gets_the_same_answer_and_its_owner_is_told(
    app, signed_in, mailbox, count_queries
):
    owner = make_user(email="taken@example.org", name="Tam Owner")
    url = "/account/profile"
    browser = new_browser(app)
    sign_in(browser, signed_in.email, PASSWORD)

    free, free_work = posted_counting(
        browser, url, details_of(signed_in, email="Free@example.org", name="Robin H"), count_queries
    )
    free_page = browser.get(url).text
    taken, taken_work = posted_counting(
        browser,
        url,
        details_of(signed_in, email="Taken@example.org", name="Robin J"),
        count_queries,
    )
    taken_page = browser.get(url).text

    assert free.status_code == taken.status_code == 302
    assert ASKED_FOR.format("Free@example.org") in words(free_page)
    assert ASKED_FOR.format("Taken@example.org") in words(taken_page)
    assert without_csrf_tokens(free_page).replace("Free", "X").replace("Robin H", "R") == (
        without_csrf_tokens(taken_page).replace("Taken", "X").replace("Robin J", "R")
    )
    assert shapes(free_work) == shapes(taken_work)
    user = reloaded(signed_in)
    assert (user.email, user.name, user.is_verified) == (
        "robin.hughes@example.org",
        "Robin J",
        True,
    )
    told = mailbox.last_to(owner.email)
    assert told["Subject"] == "Someone asked to use your email address"
    assert "nothing has changed" in told.get_body(preferencelist=("plain",)).get_content()
    assert [message["To"] for message in mailbox.received] == ["free@example.org", owner.email]


@pytest.mark.parametrize(
    "changes",
    [
        {"line_manager_email": "Robin.Hughes@example.org"},
        {"email": "robin.new@example.org", "line_manager_email": "robin.new@example.org"},
    ],
)
def test_your_own_address_cannot_become_your_line_managers(client, signed_in, mailbox, changes):
    response = submit(client, "/account/profile", details_of(signed_in, **changes))

    assert response.status_code == 400
    assert_refused_at(response.text, "line_manager_email", NOT_YOUR_OWN)
    user = reloaded(signed_in)
    assert (user.email, user.line_manager_email) == (
        "robin.hughes@example.org",
        "alex.morgan@example.org",
    )
    assert mailbox.received == []


def test_your_current_address_cannot_become_your_managers_in_the_service_either(signed_in):
    details = service.Details(
        name=signed_in.name,
        email="robin.new@example.org",
        job_title=signed_in.job_title,
        agency_id=signed_in.agency_id,
        new_agency_name="",
        line_manager_name="",
        line_manager_email="robin.hughes@example.org",
    )

    with pytest.raises(service.AccountError, match=NOT_YOUR_OWN):
        service.update_profile(db.session, signed_in, details)


def test_your_details_keep_what_was_typed_on_error(client, signed_in):
    typed = details_of(signed_in, name="Robin Q. Hughes", email="robin@", job_title="")

    response = submit(client, "/account/profile", typed)

    assert response.status_code == 400
    assert value_of(response.text, "name") == "Robin Q. Hughes"
    assert value_of(response.text, "email") == "robin@"
    assert_refused_at(response.text, "job_title", "Enter your job title")
    assert reloaded(signed_in).name == "Robin Hughes"


# Your bookings ----------------------------------------------------------------------------


class Timetable:
    """Sessions of courses, each course named for what the test expects of it."""

    def __init__(self) -> None:
        self.prospectus = make_prospectus()
        self.venue = make_venue(name="Riverside House")

    def session(self, title: str, days_from_now: float):
        course = make_course(self.prospectus, title=title)
        starts_at = utcnow().replace(microsecond=0) + timedelta(days=days_from_now)
        return make_session(course, starts_at=starts_at, venue=self.venue)


def book(user, session, status, created_at=None) -> Booking:
    """A booking as the rules leave it: one held for an answer has its deadline."""
    booking = Booking(session=session, user=user, status=status, created_at=created_at)
    if status in DECISION_STATUSES:
        booking.approval_expires_at = min(utcnow() + timedelta(days=1), session.starts_at)
    db.session.add(booking)
    db.session.flush()
    return booking


def test_your_bookings_are_shown_as_upcoming_past_and_cancelled(client, person):
    timetable = Timetable()
    book(person, timetable.session("Neglect basics", 7), BookingStatus.CONFIRMED)
    book(person, timetable.session("Child exploitation", 9), BookingStatus.AWAITING_APPROVAL)
    book(person, timetable.session("Domestic abuse", 11), BookingStatus.WAITING)
    book(person, timetable.session("Early help", -30), BookingStatus.CONFIRMED)
    book(person, timetable.session("Online safety", 5), BookingStatus.CANCELLED)
    book(person, timetable.session("Self-harm", 6), BookingStatus.DECLINED)
    sign_in(client, person.email, PASSWORD)

    page = client.get("/account/bookings").text

    upcoming = words(section(page, "Upcoming"))
    assert "Neglect basics" in upcoming and "Confirmed" in upcoming
    assert "Child exploitation" in upcoming and "Waiting for your manager's approval" in upcoming
    assert "Domestic abuse" in upcoming and "Number 1 in the queue" in upcoming
    assert "Early help" in words(section(page, "Past"))
    cancelled = words(section(page, "Cancelled"))
    assert "Online safety" in cancelled and "Self-harm" in cancelled
    for title in ("Online safety", "Self-harm", "Early help"):
        assert title not in upcoming


def test_a_place_in_the_queue_is_first_come_first_served(client, person):
    timetable = Timetable()
    session = timetable.session("Domestic abuse", 10)
    elsewhere = timetable.session("Neglect basics", 10)
    start = utcnow() - timedelta(days=3)
    book(make_user(), session, BookingStatus.WAITING, created_at=start)
    book(make_user(), session, BookingStatus.CANCELLED, created_at=start)
    book(make_user(), session, BookingStatus.CONFIRMED, created_at=start)
    book(make_user(), elsewhere, BookingStatus.WAITING, created_at=start)
    book(make_user(), session, BookingStatus.WAITING, created_at=start + timedelta(hours=1))
    book(person, session, BookingStatus.WAITING, created_at=start + timedelta(hours=2))
    book(make_user(), session, BookingStatus.WAITING, created_at=start + timedelta(hours=3))
    sign_in(client, person.email, PASSWORD)

    upcoming = words(section(client.get("/account/bookings").text, "Upcoming"))

    assert "Number 3 in the queue" in upcoming


def test_nobody_sees_another_persons_bookings_or_details(client, person):
    timetable = Timetable()
    someone = make_user(name="Casey Other", email="casey.other@example.org")
    book(someone, timetable.session("Someone else's course", 7), BookingStatus.CONFIRMED)
    book(someone, timetable.session("Someone else's past", -7), BookingStatus.CONFIRMED)
    book(someone, timetable.session("Someone else's cancelled", 7), BookingStatus.CANCELLED)
    book(person, timetable.session("My own course", 7), BookingStatus.CONFIRMED)
    sign_in(client, person.email, PASSWORD)

    bookings = client.get("/account/bookings").text
    profile = client.get("/account/profile").text

    assert "My own course" in bookings
    assert "Someone else" not in bookings
    for page in (bookings, profile):
        assert "Casey Other" not in page and "casey.other@example.org" not in page


def test_the_bookings_page_costs_as_many_queries_with_30_bookings_as_with_2(
    client, person, count_queries
):
    timetable = Timetable()
    statuses = list(BookingStatus)

    def add_bookings(first: int, total: int) -> None:
        for number in range(first, total):
            session = timetable.session(f"Course {number}", days_from_now=number - 10)
            session.venue = None if number % 3 == 0 else timetable.venue
            book(make_user(), session, BookingStatus.WAITING)
            book(person, session, statuses[number % len(statuses)])
        db.session.commit()

    sign_in(client, person.email, PASSWORD)
    add_bookings(0, 2)
    client.get("/account/bookings")
    with count_queries() as with_two:
        assert client.get("/account/bookings").status_code == 200
    add_bookings(2, 30)
    with count_queries() as with_thirty:
        page = client.get("/account/bookings").text

    assert all(f">Course {number}</a>" in page for number in range(30))
    assert len(with_thirty) == len(with_two)


# Pages that need an account ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/account/profile"),
        ("get", "/account/bookings"),
        ("post", "/account/verify/send-again"),
    ],
)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, method, path):
    token = csrf_token(client.get("/account/sign-in").text)

    response = getattr(client, method)(path, data={"csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/sign-in?next=" + quote(path, safe="")


# Rate limits ------------------------------------------------------------------------------


def test_sign_in_attempts_for_one_address_are_limited(client, person):
    other = make_user(password=PASSWORD)
    spellings = ["robin.hughes@example.org", "ROBIN.HUGHES@example.org", "Robin.Hughes@Example.org"]

    answers = [sign_in(client, spellings[n % 3], "wrong password!").status_code for n in range(5)]
    sixth = sign_in(client, "robin.hughes@EXAMPLE.ORG", PASSWORD)

    assert answers == [400] * 5
    assert sixth.status_code == 429
    assert "Too many attempts" in sixth.text
    assert sign_in(client, other.email, PASSWORD).status_code == 302


def sign_in_from(browser, client_address: str, email: str, password: str):
    """Sign in from a client at `client_address`."""
    found = {"environ_base": {"REMOTE_ADDR": client_address}}
    return submit(browser, "/account/sign-in", {"email": email, "password": password}, **found)


def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(app, person):
    guesser, owner = new_browser(app), new_browser(app)

    guesses = [
        sign_in_from(guesser, "203.0.113.9", person.email, "a wrong guess").status_code
        for _ in range(6)
    ]

    assert guesses == [400] * 5 + [429]
    assert sign_in_from(owner, "198.51.100.7", person.email, PASSWORD).status_code == 302
    assert is_signed_in(owner)
    assert sign_in_from(guesser, "203.0.113.9", person.email, PASSWORD).status_code == 429


def test_guesses_for_one_address_from_many_clients_are_limited(app, person):
    known = new_browser(app)
    assert sign_in_from(known, "198.51.100.7", person.email, PASSWORD).status_code == 302
    sign_out(known)
    guessers = [f"203.0.113.{n}" for n in range(1, 21)]

    guesses = [
        sign_in_from(new_browser(app), n, person.email, "a wrong guess").status_code
        for n in guessers
    ]
    from_a_new_client = sign_in_from(new_browser(app), "203.0.113.99", person.email, PASSWORD)

    assert guesses == [400] * 20
    assert from_a_new_client.status_code == 429
    assert "Too many attempts" in from_a_new_client.text
    assert sign_in_from(known, "192.0.2.1", person.email, PASSWORD).status_code == 302
    assert is_signed_in(known)


def test_a_browser_signed_in_to_another_account_is_not_known_to_this_one(app, person):
    someone_else = make_user(password=PASSWORD)
    browser = new_browser(app)
    sign_in_from(browser, "198.51.100.7", someone_else.email, PASSWORD)
    sign_out(browser)
    for n in range(1, 21):
        sign_in_from(new_browser(app), f"203.0.113.{n}", person.email, "a wrong guess")

    assert sign_in_from(browser, "198.51.100.7", person.email, PASSWORD).status_code == 429


def test_sign_in_attempts_from_one_client_are_limited(app, client, person):
    saved = app.config["SIGN_IN_LIMIT_PER_CLIENT"]
    app.config["SIGN_IN_LIMIT_PER_CLIENT"] = "3 per minute"
    try:
        answers = [sign_in(client, f"guess{n}@example.org", PASSWORD).status_code for n in range(3)]
        fourth = sign_in(client, person.email, PASSWORD)
    finally:
        app.config["SIGN_IN_LIMIT_PER_CLIENT"] = saved

    assert answers == [400] * 3
    assert fourth.status_code == 429
    assert "Too many attempts" in fourth.text
    assert not is_signed_in(client)


def test_reset_requests_for_one_address_are_limited(client, person, mailbox):
    answers = [
        submit(client, "/account/reset-password", {"email": spelling}).status_code
        for spelling in (
            "robin.hughes@example.org",
            "Robin.Hughes@example.org",
            "ROBIN.HUGHES@EXAMPLE.ORG",
        )
    ]
    fourth = submit(client, "/account/reset-password", {"email": person.email})

    assert answers == [200] * 3
    assert fourth.status_code == 429
    assert "Too many attempts" in fourth.text
    assert len(mailbox.to(person.email)) == 3
    assert submit(client, "/account/reset-password", {"email": "x@example.org"}).status_code == 200
