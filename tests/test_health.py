"""/livez, /readyz and /healthz: what monitors and load balancers are told."""

from datetime import timedelta

import pytest
from flask_migrate import stamp

from app import create_app
from app.extensions import db
from app.models import OutboxMessage, OutboxStatus, utcnow

MISSING_DATABASE = "sqlite:///{}/missing/db.sqlite"


def unsent_mail(minutes_old: int, status: OutboxStatus = OutboxStatus.QUEUED) -> None:
    queued_at = utcnow() - timedelta(minutes=minutes_old)
    db.session.add(
        OutboxMessage(
            message_id=f"<{minutes_old}-{status}@example.org>",
            to_address="someone@example.org",
            subject="Place confirmed",
            text_body="",
            html_body="",
            status=status,
            created_at=queued_at,
            next_attempt_at=queued_at,
        )
    )
    db.session.commit()


@pytest.fixture
def app_without_database(tmp_path):
    return create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": MISSING_DATABASE.format(tmp_path)}
    )


def test_live_answers_without_a_database(app_without_database):
    response = app_without_database.test_client().get("/livez")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_ready_when_the_database_answers_at_the_latest_schema_and_mail_leaves(client):
    unsent_mail(minutes_old=14)
    unsent_mail(minutes_old=60, status=OutboxStatus.SENT)

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_not_ready_when_the_database_does_not_answer(app_without_database):
    response = app_without_database.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json == {"status": "not ready", "reason": "the database does not answer"}


@pytest.fixture
def schema_one_migration_behind(app):
    stamp(revision="0020")
    yield
    stamp(revision="head")


def test_not_ready_when_the_schema_is_behind_the_migrations(client, schema_one_migration_behind):
    response = client.get("/readyz")

    assert response.status_code == 503
    reason = response.json["reason"]
    assert reason.startswith("the database schema is at 0020, not ")
    assert reason.endswith("run `flask --app wsgi db upgrade`")


@pytest.mark.parametrize("status", [OutboxStatus.QUEUED, OutboxStatus.SENDING])
def test_not_ready_when_mail_has_waited_more_than_15_minutes(client, status):
    unsent_mail(minutes_old=16, status=status)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json["reason"].startswith("mail queued at ")
    assert "is still unsent" in response.json["reason"]


def test_ready_again_once_the_old_mail_is_sent(client):
    unsent_mail(minutes_old=30)
    assert client.get("/readyz").status_code == 503
    db.session.execute(db.update(OutboxMessage).values(status=OutboxStatus.SENT))

    assert client.get("/readyz").status_code == 200


def test_health_check_says_the_app_and_database_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "app": "ok", "database": "ok"}


def test_health_check_reports_a_database_that_does_not_answer(app_without_database):
    response = app_without_database.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.json["database"] == "unavailable"
