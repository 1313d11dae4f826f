"""Configuration, the health check and error pages."""

import importlib

import pytest

import config
from app import create_app
from config import Config, ProductionConfig


def test_health_check_says_the_app_and_database_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "app": "ok", "database": "ok"}


def test_health_check_reports_a_database_that_does_not_answer(tmp_path):
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/db.sqlite"}
    )

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.json["database"] == "unavailable"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app()


def test_production_starts_with_a_secret_key(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")

    assert create_app({"SECRET_KEY": "a-real-secret"}).config["SESSION_COOKIE_SECURE"]
    assert issubclass(ProductionConfig, Config)


def test_an_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("APP_ENV", "staging-ish")

    with pytest.raises(RuntimeError, match="APP_ENV must be one of"):
        create_app()


def test_the_database_defaults_to_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    defaults = importlib.reload(config)

    assert defaults.Config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert defaults.Config.SQLALCHEMY_DATABASE_URI.endswith("instance/training.sqlite")


def test_the_database_is_taken_from_database_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://trainer@db.example/training")

    assert importlib.reload(config).Config.SQLALCHEMY_DATABASE_URI == (
        "postgresql+psycopg://trainer@db.example/training"
    )


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_pages_use_the_partnership_brand_not_gov_uk(client):
    page = client.get("/").text

    assert "Rotherham Safeguarding Children Partnership" in page
    assert "GOV.UK" not in page
    assert "govuk-header__logotype" not in page
