"""Configuration classes, read from the environment."""

import math
import os
import secrets
import stat
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"

#: The key a checkout keeps for itself when SECRET_KEY is not set: scripts/serve makes it.
SECRET_KEY_FILE = INSTANCE / "secret_key"

MISSING_SECRET_KEY = (
    "SECRET_KEY must be set: it signs sessions, forms and the links in mail. Set it in the "
    "environment to a long random value (python3 -c 'import secrets; print(secrets.token_hex())' "
    "prints one), or run scripts/serve, which keeps one in instance/secret_key."
)


def make_secret_key(path: Path | None = None) -> None:
    """Write a random key to `path` (instance/secret_key), readable by its owner alone,
    unless one is there already: every run of the checkout then signs with the same key."""
    path = path or SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_hex(32) + "\n")


def secret_key() -> str | None:
    """SECRET_KEY from the environment, or else the key kept in instance/secret_key."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = SECRET_KEY_FILE
    if not path.exists():
        return None
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise RuntimeError(f"{path} must be readable by its owner alone: run `chmod 600 {path}`.")
    return path.read_text().strip() or None


def pence_of(pounds: str) -> int:
    """An amount set in pounds ("50", "12.50", "£50"), in pence."""
    whole, _, part = pounds.strip().lstrip("£").partition(".")
    return int(whole or "0") * 100 + int((part + "00")[:2])


def whole_number(name: str, default: str, of: str) -> int:
    """A setting that is a whole number (of hours, say), 0 or more; refused at start-up
    otherwise."""
    value = os.environ.get(name, default).strip()
    if not value.isdigit():
        raise RuntimeError(f"{name} must be a whole number of {of}, 0 or more, not {value!r}.")
    return int(value)


def whole_hours(name: str, default: str) -> int:
    """A setting in whole hours, 0 or more; refused at start-up otherwise."""
    return whole_number(name, default, "hours")


def hours(name: str, default: str) -> float:
    """A setting in hours, more than 0 and possibly a fraction ("4", "0.5"); refused at
    start-up otherwise."""
    value = os.environ.get(name, default).strip()
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise RuntimeError(
            f"{name} must be a number of hours more than 0, such as 4 or 0.5, not {value!r}."
        )
    return number


class Config:
    # None here: create_app() reads it with secret_key(), and refuses to start without one.
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = (
        os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'training.sqlite'}"
    )
    # Errors name no values of a statement: they may be personal data, and errors are logged.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True, "hide_parameters": True}
    # How long a request waits for a lock (booking a place, say) before it gives up,
    # writes nothing and asks the person to try again.
    LOCK_TIMEOUT_SECONDS = float(os.environ.get("LOCK_TIMEOUT_SECONDS", "5"))
    PARTNERSHIP_NAME = os.environ.get(
        "PARTNERSHIP_NAME", "Rotherham Safeguarding Children Partnership"
    )
    SERVICE_NAME = "Safeguarding training"
    # Links that leave the site (PDFs, feeds, mail) are built from this, never from the
    # request's Host header, which a client controls.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    COURSES_PER_PAGE = 10

    # Mail: SMTP when MAIL_SERVER is set; otherwise each message is written to MAIL_FOLDER.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
    MAIL_FROM = os.environ.get(
        "MAIL_FROM", "Safeguarding training <training@rotherham-scp.example.org>"
    )
    MAIL_FOLDER = os.environ.get("MAIL_FOLDER", str(INSTANCE / "mail"))
    MAIL_SEND_AFTER_COMMIT = True
    # Reminders go this many working days (in England) before a session, from midnight.
    REMINDER_WORKING_DAYS = int(os.environ.get("REMINDER_WORKING_DAYS", "2"))
    # The follow-up on what the training changed goes this many weeks after the session.
    FOLLOW_UP_WEEKS = int(os.environ.get("FOLLOW_UP_WEEKS", "6"))
    # What a no-show or a late cancellation costs a chargeable agency, in pounds ("50" or
    # "12.50"), kept in pence; a course may set its own (app/charges/service.py).
    NON_ATTENDANCE_CHARGE = pence_of(os.environ.get("NON_ATTENDANCE_CHARGE", "50"))
    LATE_CANCELLATION_CHARGE = pence_of(os.environ.get("LATE_CANCELLATION_CHARGE", "50"))
    # After this many no-shows and late cancellations (waived ones aside) within this many
    # months, a coordinator decides on the person's next booking.
    REPEAT_NON_ATTENDANCE_COUNT = int(os.environ.get("REPEAT_NON_ATTENDANCE_COUNT", "2"))
    REPEAT_NON_ATTENDANCE_MONTHS = int(os.environ.get("REPEAT_NON_ATTENDANCE_MONTHS", "12"))
    # Within this many hours of a session's start, a place that frees is offered to the
    # first person waiting, who has OFFER_HOURS (never past the start) to accept it before
    # it passes to the next; earlier, it is theirs at once. 0: always at once.
    LAST_MINUTE_HOURS = whole_hours("LAST_MINUTE_HOURS", "48")
    OFFER_HOURS = hours("OFFER_HOURS", "4")
    # Line managers get a copy of each confirmation and reminder, when the partnership asks.
    COPY_LINE_MANAGER = os.environ.get("COPY_LINE_MANAGER", "").lower() in ("1", "true", "yes")

    # Rate limits: in memory by default, shared by every worker when this names Redis.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "true").lower() != "false"
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "training")
    # Wrong passwords for an address from one client: past this, that client waits.
    SIGN_IN_LIMIT_PER_ADDRESS_AND_CLIENT = "5 per 15 minutes"
    # Wrong passwords for an address from every client together: past this, only browsers
    # that signed in to the account before may try it, so guessing never locks out its owner.
    SIGN_IN_LIMIT_PER_ADDRESS = "20 per hour"
    # Every sign-in from one client address, right or wrong. Raise it where many people
    # share one address to the internet (an agency's network behind one gateway).
    SIGN_IN_LIMIT_PER_CLIENT = os.environ.get("SIGN_IN_LIMIT_PER_CLIENT", "30 per 15 minutes")
    RESET_LIMIT_PER_ADDRESS = "3 per hour"
    RESET_LIMIT_PER_CLIENT = "10 per hour"
    REGISTER_LIMIT_PER_CLIENT = "20 per hour"
    VERIFY_RESEND_LIMIT = "5 per hour"
    # Checking certificates by code: plenty for an employer, too few to guess codes by.
    VERIFY_CERTIFICATE_LIMIT_PER_CLIENT = "60 per hour"
    # Argon2id's cost: argon2-cffi's defaults (RFC 9106, low memory). Tests lower them.
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_COST = 65536
    PASSWORD_HASH_PARALLELISM = 4
    # Built calendar feeds and public pages are kept here: in each process by default, or
    # shared in Redis when CACHE_REDIS_URL is set.
    CACHE_TYPE = "RedisCache" if os.environ.get("CACHE_REDIS_URL") else "SimpleCache"
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL")
    CACHE_DEFAULT_TIMEOUT = 24 * 60 * 60
    # How many proxies stand in front of the app (nginx alone: 1). The app then takes the
    # client's address, the scheme (https) and the host from the X-Forwarded-* headers the
    # nearest that many proxies added; 0 trusts no such header, which a client can send.
    TRUSTED_PROXIES = whole_number("TRUSTED_PROXIES", "0", "proxies")
    PDF_CACHE_DIR = os.environ.get("PDF_CACHE_DIR", str(INSTANCE / "cache" / "pdf"))
    # Certificates of training done elsewhere, as people uploaded them: outside static/,
    # so never served as files, and to be backed up with the database.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads"))
    # The largest request the app reads: room for a certificate of 5 MB (the limit its
    # rule refuses with a message) and the form around it; anything larger is refused
    # before it is read, with the "file too big" page.
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None
    # The session cookie is also Secure whenever a request comes over HTTPS (app.safety).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


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
