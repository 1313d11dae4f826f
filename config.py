"""Configuration classes, read from the environment."""

import os
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE / 'training.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    PARTNERSHIP_NAME = os.environ.get(
        "PARTNERSHIP_NAME", "Rotherham Safeguarding Children Partnership"
    )
    SERVICE_NAME = "Safeguarding training"
    # Links that leave the site (PDFs, feeds, mail) are built from this, never from the
    # request's Host header, which a client controls.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    COURSES_PER_PAGE = 10
    PDF_CACHE_DIR = os.environ.get("PDF_CACHE_DIR", str(INSTANCE / "cache" / "pdf"))
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        """Refuse to start a production app with the development secret."""
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    """The configuration class named by APP_ENV (development when unset)."""
    name = os.environ.get("APP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.") from None
