"""What the README's Security section promises, where no one area's tests keep it: nobody
approves their own bookings, and coordinators see the accounts that might; no text typed
anywhere hides or disguises what it says; no cache keeps a personal page, and the server
names no version.
"""

import importlib
import pkgutil
import shlex
import subprocess
import urllib.request

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import Form, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.meta import DefaultMeta

import app as the_app
from app.bookings import service as bookings
from app.extensions import db
from app.models import User
from app.refusals import Refused
from tests.conftest import field_errors, free_port, signed_in_as, submit, words
from tests.factories import PASSWORD, make_agency, make_prospectus, make_user
from tests.servers import ROOT, app_environment, migrate, wait_until_answering
from tests.test_booking_core import context

# Approving your own booking -----------------------------------------------------------------


def test_a_course_needing_approval_is_not_booked_with_your_own_address_as_your_managers():
    own_address = context(requires_approval=True, line_manager_email="sam@example.org")

    with pytest.raises(Refused, match="your own email address") as refused:
        bookings.decision_for(own_address)

    assert refused.value.field == bookings.DETAILS


@pytest.fixture
def agency(app):
    return make_agency(name="Rotherham Hospital NHS Foundation Trust")


def two_accounts_of(person: dict, manager: dict | None = None) -> tuple:
    """A person, and the account their line manager's address belongs to: with the
    person's own name and agency, unless `manager` says otherwise."""
    manager = make_user(**(person | (manager or {})), email="sam.t@example.org")
    return make_user(**person, line_manager_email="Sam.T@example.org"), manager


def test_a_manager_account_in_the_persons_own_name_and_agency_is_flagged(agency, as_coordinator):
    person, manager = two_accounts_of(
        {"name": "Sam Taylor", "agency": agency}, {"name": "sam taylor"}
    )

    page = as_coordinator.get(f"/admin/users/{person.id}")

    assert page.status_code == 200
    assert (
        "The line manager's address, sam.t@example.org, belongs to another account with the same "
        "name and agency: Sam Taylor may be approving their own bookings"
    ) in words(page.text)
    assert f'href="/admin/users/{manager.id}"' in page.text


@pytest.mark.parametrize("other", [{"name": "Alex Morgan"}, {"agency": None}])
def test_a_manager_account_of_another_name_or_agency_is_not_flagged(agency, as_coordinator, other):
    person, _ = two_accounts_of({"name": "Sam Taylor", "agency": agency}, other)

    page = as_coordinator.get(f"/admin/users/{person.id}")

    assert "may be approving their own bookings" not in page.text
    assert "None" in words(as_coordinator.get("/admin").text).split("may be themselves")[1]


def test_the_overview_lists_everyone_whose_manager_may_be_themselves(agency, as_coordinator):
    person, _ = two_accounts_of({"name": "Sam Taylor", "agency": agency})

    page = as_coordinator.get("/admin")

    assert "People whose line manager may be themselves Sam Taylor" in words(page.text)
    assert f'href="/admin/users/{person.id}"' in page.text


def test_the_overview_costs_the_same_queries_for_1_or_12_flagged(
    agency, as_coordinator, count_queries
):
    def queries_flagging(first: int, last: int) -> int:
        for n in range(first, last):
            make_user(name=f"Person {n}", agency=agency, email=f"p{n}.other@example.org")
            make_user(
                name=f"Person {n}", agency=agency, line_manager_email=f"p{n}.other@example.org"
            )
        with count_queries() as counted:
            page = as_coordinator.get("/admin")
        assert words(page.text).count("Person ") == last
        return len(counted)

    assert queries_flagging(0, 1) == queries_flagging(1, 12)


# Characters that hide or disguise text ------------------------------------------------------

HIDDEN = "must not contain hidden characters"
#: A NUL (which PostgreSQL cannot store), other C0 and C1 controls, DEL, and the
#: bidirectional overrides and isolates that show text in another order than it has.
DISGUISES = ["\x00", "\x1b[31m", "\x7f", "\x85", "\u202e", "\u202d", "\u2066", "\u2069"]


def forms_of_the_app() -> list[type]:
    """Every form class the app defines, in any module."""
    for module in pkgutil.walk_packages(the_app.__path__, "app."):
        importlib.import_module(module.name)
    found, to_visit = [], [FlaskForm, Form]
    while to_visit:
        for subclass in to_visit.pop().__subclasses__():
            to_visit.append(subclass)
            if subclass.__module__.startswith("app.") and subclass not in found:
                found.append(subclass)
    return found


def text_fields() -> list[tuple[str, UnboundField]]:
    """Every field of the app's forms that takes text a person types (not a password,
    which is never stored nor shown, only its hash)."""
    fields = []
    for form in forms_of_the_app():
        for name in dir(form):
            field = getattr(form, name)
            if (
                isinstance(field, UnboundField)
                and issubclass(field.field_class, StringField)
                and not issubclass(field.field_class, PasswordField | HiddenField)
            ):
                fields.append((f"{form.__module__}.{form.__name__}.{name}", field))
    return fields


def errors_for(field: UnboundField, typed: str) -> list[str]:
    bound = field.bind(form=None, name="typed", _meta=DefaultMeta())
    bound.process(MultiDict({"typed": typed}))
    bound.validate(form=None)
    return bound.errors


def test_the_forms_are_all_found():
    names = [name for name, _ in text_fields()]

    assert len(names) > 40
    assert "app.accounts.forms.RegisterForm.name" in names
    assert "app.bookings.forms.BookingForm.access_needs" in names
    assert "app.admin.courses.forms.CourseForm.title" in names


def refused_as_hidden(field: UnboundField, typed: str) -> bool:
    return any(HIDDEN in error for error in errors_for(field, typed))


@pytest.mark.parametrize("hidden", DISGUISES)
def test_every_text_field_of_every_form_refuses_hidden_characters(app, hidden):
    with app.test_request_context():
        missed = [
            name for name, field in text_fields() if not refused_as_hidden(field, f"Sam{hidden}x")
        ]

    assert missed == []


def test_paragraphs_may_have_line_breaks_and_tabs(app):
    with app.test_request_context():
        refused = [
            name
            for name, field in text_fields()
            if issubclass(field.field_class, TextAreaField)
            and refused_as_hidden(field, "One\r\n\tTwo")
        ]

    assert refused == []


def test_a_name_and_job_title_with_hidden_characters_are_refused_and_nothing_saved(client, agency):
    response = submit(
        client,
        "/account/register",
        {
            "name": "Sam\x00 Taylor",
            "email": "sam.taylor@example.org",
            "agency": str(agency.id),
            "new_agency_name": "",
            "job_title": "Nurse\u202eesruN",
            "line_manager_name": "",
            "line_manager_email": "",
            "password": "kettle orchard lantern pebble",
        },
    )

    assert response.status_code == 400
    errors = field_errors(response.text)
    assert errors["name"].startswith("Full name " + HIDDEN)
    assert errors["job_title"].startswith("Job title " + HIDDEN)
    assert db.session.scalar(select(User)) is None


@pytest.mark.parametrize(
    "path",
    [
        "/courses/%00",
        "/prospectuses/x%00",
        "/case-reviews/%00",
        "/api/v1/courses/%00",
        "/calendar/%00.ics",
        "/prospectuses/%E2%80%AE/sessions.ics",
    ],
)
def test_an_address_with_hidden_characters_names_no_page(client, path):
    assert client.get(path).status_code == 404


def test_the_command_line_refuses_a_name_with_hidden_characters(runner):
    result = runner.invoke(
        args=["users", "create", "sam@example.org", "--name", "Sam\u202e", "--password-stdin"],
        input="kettle orchard lantern pebble",
    )

    assert result.exit_code != 0
    assert "The person's name " + HIDDEN in result.output
    assert db.session.scalar(select(User)) is None


def test_the_command_line_refuses_an_address_with_hidden_characters(runner):
    result = runner.invoke(args=["users", "set-role", "sam\x00@example.org", "trainer"])

    assert result.exit_code != 0
    assert "Enter an email address in the correct format" in result.output


# What caches keep, and what the server says of itself -----------------------------------------


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize(
    "path", ["/", "/account/bookings", "/account/profile", "/account/record", "/no-such-page"]
)
def test_no_cache_keeps_a_page_shown_to_someone_signed_in(app, path):
    browser = signed_in_as(app, make_user(password=PASSWORD))

    response = browser.get(path)

    assert "no-store" in cache_control(response)
    assert "private" in cache_control(response)


def addresses_with_a_secret(app) -> list[str]:
    """Every address holding a secret (a mailed link's token, a certificate's code), with
    one made up: its page, or its refusal, is for whoever holds the link alone."""
    return sorted(
        rule.rule.replace("<token>", "not-a-token").replace("<code>", "NOTACODE")
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.arguments & {"token", "code"}
    )


def test_no_cache_keeps_a_page_reached_by_a_secret(app, client):
    addresses = addresses_with_a_secret(app)

    kept = {path: client.get(path).headers.get("Cache-Control") for path in addresses}

    assert len(addresses) >= 8
    assert {path: value for path, value in kept.items() if "no-store" not in (value or "")} == {}


def test_public_pages_seen_without_signing_in_may_be_kept(client):
    assert "no-store" not in cache_control(client.get("/"))


def test_a_page_that_says_how_to_keep_it_is_kept_so(app):
    make_prospectus(slug="multi-agency")
    browser = signed_in_as(app, make_user(password=PASSWORD))

    feed = browser.get("/prospectuses/multi-agency/sessions.ics")

    assert cache_control(feed) == {"public", "max-age=300"}


def serve_command() -> list[str]:
    """The server scripts/serve ends by running, as it runs it (BIND sets its address)."""
    script = (ROOT / "scripts" / "serve").read_text().splitlines()
    command = next(line for line in script if line.startswith("exec "))
    return shlex.split(command)[1:]


def test_the_server_scripts_serve_runs_names_no_version(tmp_path):
    port = free_port()
    environment = app_environment(
        f"sqlite:///{tmp_path / 'serve.sqlite'}",
        MAIL_FOLDER=str(tmp_path / "mail"),
        BIND=f"127.0.0.1:{port}",
    )
    migrate(environment)
    server = subprocess.Popen(serve_command(), cwd=ROOT, env=environment)
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/healthz", server)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as page:
            says = page.headers.get_all("Server")
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert says == ["gunicorn"]
