"""Accounts made and given roles from the command line, and the audit log that records
what trainers and coordinators change.
"""

import pytest
from sqlalchemy import select

from app.accounts.passwords import password_matches
from app.audit import record_changes_by
from app.extensions import db
from app.models import AuditEntry, Role, User, Venue
from tests.conftest import sign_in, submit
from tests.factories import PASSWORD, make_user, make_venue

NEW_PASSWORD = "a long and unusual passphrase"

pytestmark = pytest.mark.usefixtures("app")


def account(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def entries() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


# flask users create ------------------------------------------------------------------------


def test_create_makes_a_verified_coordinator_with_the_password_from_stdin(runner):
    result = runner.invoke(
        args=["users", "create", "Sam.Lead@Example.org", "--name", "Sam Lead",
              "--role", "coordinator", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Made an account for sam.lead@example.org (Coordinator)" in result.output
    user = account("sam.lead@example.org")
    assert user.role is Role.COORDINATOR
    assert user.is_verified
    assert password_matches(user.password_hash, NEW_PASSWORD)


def test_create_asks_for_the_password_twice(runner):
    result = runner.invoke(
        args=["users", "create", "kim@example.org", "--name", "Kim Trainer", "--role", "trainer"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1
    assert "Repeat for confirmation" in result.output
    assert account("kim@example.org").role is Role.TRAINER


def test_a_new_account_is_a_professional_unless_told(runner):
    result = runner.invoke(
        args=["users", "create", "pat@example.org", "--name", "Pat", "--password-stdin"],
        input=NEW_PASSWORD,
    )

    assert result.exit_code == 0, result.output
    assert account("pat@example.org").role is Role.PROFESSIONAL


@pytest.mark.parametrize(
    ("email", "name", "password", "message"),
    [
        ("not an address", "Sam", NEW_PASSWORD, "Enter an email address in the correct format"),
        ("zoë@example.org", "Zoë", NEW_PASSWORD, "using only the letters a to z"),
        ("sam@example.org", "  ", NEW_PASSWORD, "Enter the person's name"),
        ("sam@example.org", "Sam", "password123", "common"),
        ("sam@example.org", "Sam", "short", "Password must be 10 characters or more"),
    ],
)
def test_create_refuses_bad_input_and_makes_nothing(runner, email, name, password, message):
    result = runner.invoke(
        args=["users", "create", email, "--name", name, "--password-stdin"], input=password
    )

    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(User)) is None
    assert entries() == []


def test_create_refuses_an_address_that_already_has_an_account(runner):
    make_user(email="taken@example.org", name="First")
    db.session.commit()

    result = runner.invoke(
        args=["users", "create", "TAKEN@example.org", "--name", "Second", "--password-stdin"],
        input=NEW_PASSWORD,
    )

    assert result.exit_code != 0
    assert "An account already uses that email address" in result.output
    assert account("taken@example.org").name == "First"


def test_create_refuses_a_role_that_does_not_exist(runner):
    result = runner.invoke(
        args=["users", "create", "x@example.org", "--name", "X", "--role", "admin",
              "--password-stdin"],
        input=NEW_PASSWORD,
    )  # fmt: skip

    assert result.exit_code == 2
    assert "'admin' is not one of" in result.output
    assert account("x@example.org") is None


# flask users set-role ----------------------------------------------------------------------


def test_set_role_changes_what_the_account_may_do(runner):
    make_user(email="kim@example.org")

    result = runner.invoke(args=["users", "set-role", "Kim@example.org", "trainer"])

    assert result.exit_code == 0, result.output
    assert "kim@example.org is now a trainer" in result.output
    assert account("kim@example.org").role is Role.TRAINER


def test_set_role_for_an_unknown_address_fails_clearly(runner):
    result = runner.invoke(args=["users", "set-role", "nobody@example.org", "coordinator"])

    assert result.exit_code == 1
    assert "No account uses that email address" in result.output


def test_a_new_role_applies_on_the_next_request_without_signing_in_again(client, runner):
    make_user(email="kim@example.org", password=PASSWORD)
    sign_in(client, "kim@example.org", PASSWORD)
    assert client.get("/trainer").status_code == 403

    runner.invoke(args=["users", "set-role", "kim@example.org", "trainer"])

    assert client.get("/trainer").status_code == 200


def test_changes_from_the_command_line_are_in_the_audit_log_without_a_person(runner):
    make_user(email="kim@example.org")

    runner.invoke(args=["users", "set-role", "kim@example.org", "coordinator"])

    [entry] = entries()
    assert entry.actor_id is None
    assert (entry.action, entry.record_type, entry.record_label) == (
        "changed",
        "person",
        "kim@example.org",
    )
    assert entry.changes == {"role": ["professional", "coordinator"]}


# The audit log -----------------------------------------------------------------------------


def test_nothing_is_logged_until_someone_is_named():
    make_venue(name="Riverside House")
    db.session.commit()

    assert entries() == []


def test_creating_changing_and_deleting_are_each_logged_with_before_and_after():
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    record_changes_by(db.session, coordinator.id)

    venue = make_venue(name="Riverside House", postcode="S60 1AE")
    db.session.commit()
    venue.postcode = "S65 1AA"
    db.session.commit()
    db.session.delete(venue)
    db.session.commit()

    created, changed, deleted = entries()
    assert {entry.actor_id for entry in (created, changed, deleted)} == {coordinator.id}
    assert (created.action, created.record_type, created.record_id) == (
        "created",
        "venue",
        venue.id,
    )
    assert created.changes["name"] == [None, "Riverside House"]
    assert changed.action == "changed"
    assert changed.changes == {"postcode": ["S60 1AE", "S65 1AA"]}
    assert deleted.action == "deleted"
    assert deleted.changes["postcode"] == ["S65 1AA", None]


def test_a_rolled_back_change_leaves_no_entry():
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    record_changes_by(db.session, coordinator.id)

    make_venue(name="Never saved")
    db.session.rollback()

    assert entries() == []
    assert db.session.scalar(select(Venue)) is None


def test_secrets_are_never_copied_into_the_log():
    coordinator = make_user(role=Role.COORDINATOR)
    person = make_user(password="first password here")
    db.session.commit()
    record_changes_by(db.session, coordinator.id)

    person.password_hash = "$argon2id$v=19$new-hash"
    person.calendar_token = "secret-token"
    db.session.commit()

    [entry] = entries()
    assert entry.changes == {
        "password_hash": ["(hidden)", "(hidden)"],
        "calendar_token": ["(hidden)", "(hidden)"],
    }


def test_a_professionals_own_changes_are_not_logged(client):
    make_user(email="pro@example.org", password=PASSWORD)
    sign_in(client, "pro@example.org", PASSWORD)

    submit(
        client,
        "/account/profile",
        {"name": "New Name", "email": "pro@example.org", "job_title": "Nurse",
         "agency": "not-listed", "new_agency_name": "Some Agency"},
    )  # fmt: skip

    assert account("pro@example.org").name == "New Name"
    assert entries() == []
