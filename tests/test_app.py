"""Configuration and error pages."""

import importlib
import stat
from pathlib import Path

import pytest

import config
from app import create_app
from config import Config, ProductionConfig

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def no_key_file(monkeypatch, tmp_path) -> Path:
    """Where the checkout's key would be, with none there yet."""
    path = tmp_path / "instance" / "secret_key"
    monkeypatch.setattr(config, "SECRET_KEY_FILE", path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return path


@pytest.mark.parametrize("environment", ["production", "development"])
def test_the_app_refuses_to_start_without_a_secret_key(monkeypatch, no_key_file, environment):
    monkeypatch.setenv("APP_ENV", environment)

    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app()


def test_the_key_kept_in_instance_is_used_when_none_is_set(monkeypatch, no_key_file):
    monkeypatch.setenv("APP_ENV", "development")
    config.make_secret_key(no_key_file)

    assert create_app().config["SECRET_KEY"] == no_key_file.read_text().strip()


def test_a_key_set_in_the_environment_comes_first(monkeypatch, no_key_file):
    config.make_secret_key(no_key_file)
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")

    assert create_app().config["SECRET_KEY"] == "a-real-secret"


def test_a_key_file_others_can_read_is_refused(monkeypatch, no_key_file):
    monkeypatch.setenv("APP_ENV", "development")
    config.make_secret_key(no_key_file)
    no_key_file.chmod(0o644)

    with pytest.raises(RuntimeError, match="readable by its owner alone"):
        create_app()


def test_the_key_made_for_a_checkout_is_random_private_and_kept(tmp_path):
    first, second = tmp_path / "one" / "secret_key", tmp_path / "two" / "secret_key"

    config.make_secret_key(first)
    kept = first.read_text()
    config.make_secret_key(first)
    config.make_secret_key(second)

    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert first.read_text() == kept
    assert len(kept.strip()) >= 64
    assert second.read_text() != kept


def test_tests_get_a_random_key_of_their_own(no_key_file):
    keys = {create_app({"TESTING": True}).config["SECRET_KEY"] for _ in range(2)}

    assert len(keys) == 2 and None not in keys


def test_no_key_is_written_in_the_code():
    assert not hasattr(config, "DEVELOPMENT_SECRET_KEY")
    assert "SECRET_KEY" not in {
        name for name, value in vars(config.Config).items() if isinstance(value, str)
    }


def test_scripts_serve_keeps_a_key_in_instance_before_serving():
    script = (ROOT / "scripts" / "serve").read_text()

    assert script.index("make_secret_key") < script.index("db upgrade")


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
