"""Logs as JSON lines, each naming the request it was written in, and none holding
personal data: people and records appear by their ids, pages by their routes.

A request's id is the X-Request-ID a proxy sent, if it looks like one, or else a new one;
the answer carries it back, so a report of a problem can be matched to its lines.
"""

import json
import logging
import re
import secrets
import time
import traceback
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request, session
from sqlalchemy.exc import DBAPIError

REQUEST_ID = "X-Request-ID"
#: What an id from outside may be: a UUID or a proxy's own id, never anything to inject
#: into a log line or a header.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")

request_log = logging.getLogger("app.requests")


def init_app(app: Flask) -> None:
    app.before_request(start_timing)
    app.after_request(log_request)


def configure() -> None:
    """Every logger's lines, ours and our libraries', as JSON on standard error; the app's
    own from INFO (each request, mail sent, retries), the rest from WARNING."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines())
    handler.addFilter(name_the_request)
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    logging.getLogger("app").setLevel(logging.INFO)


def request_id() -> str:
    """This request's id, taken from X-Request-ID when sane, made once otherwise."""
    if "request_id" not in g:
        incoming = request.headers.get(REQUEST_ID, "")
        g.request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else secrets.token_hex(16)
    return g.request_id


def start_timing() -> None:
    g.request_started = time.perf_counter()


def signed_in_user_id() -> int | None:
    """Read from the session (id:version), costing no query."""
    user_id, _, _ = session.get("_user_id", "").partition(":")
    return int(user_id) if user_id.isdigit() else None


def route() -> str:
    """The request's route (/account/reset-password/<token>), never its address, whose
    path or query string may hold an email address or a mailed link's secret."""
    return request.url_rule.rule if request.url_rule else "(no route)"


def log_request(response: Response) -> Response:
    """One line for each request, naming its route."""
    started = g.get("request_started")
    request_log.info(
        "%s %s %s",
        request.method,
        route(),
        response.status_code,
        extra={
            "fields": {
                "method": request.method,
                "route": route(),
                "status": response.status_code,
                "user_id": signed_in_user_id(),
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)
                if started
                else None,
            }
        },
    )
    response.headers[REQUEST_ID] = request_id()
    return response


def name_the_request(record: logging.LogRecord) -> bool:
    record.request_id = request_id() if has_request_context() else None
    return True


class App(Flask):
    def log_exception(self, exc_info) -> None:
        """As Flask's own, but naming the route rather than the address."""
        self.logger.error("Exception on %s [%s]", route(), request.method, exc_info=exc_info)


class JsonLines(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message, request id, the
    record's own fields, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)

    def formatException(self, exc_info) -> str:
        """A database error by its kind alone: the database's own words may quote a row's
        values (PostgreSQL's DETAIL names the address a unique key refused)."""
        error = exc_info[1]
        if not isinstance(error, DBAPIError):
            return super().formatException(exc_info)
        frames = "".join(traceback.format_tb(exc_info[2]))
        return f"Traceback (most recent call last):\n{frames}{database_error(error)}"


def database_error(error: DBAPIError) -> str:
    """`IntegrityError: UniqueViolation 23505`: the error's kind, the driver's, its code."""
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "sqlite_errorname", "")
    return f"{type(error).__name__}: {type(error.orig).__name__} {code}".strip()
