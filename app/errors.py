"""Error pages: HTML for people, JSON under /api/."""

import logging

from flask import Flask, g, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.extensions import login_manager
from app.logs import database_error

logger = logging.getLogger(__name__)

#: Seconds a person, or a client of the API, is asked to wait before trying again.
RETRY_AFTER = 30

ERROR_TEMPLATES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/400.html",
    429: "errors/429.html",
    503: "errors/503.html",
}


def handle_http_error(error: HTTPException):
    """Unexpected exceptions arrive here too, wrapped as InternalServerError by Flask."""
    if request.path.startswith("/api/"):
        body = jsonify(error={"status": error.code, "message": error.description})
    else:
        body = render_template(ERROR_TEMPLATES.get(error.code, "errors/500.html"), error=error)
    return body, error.code, headers_of(error)


def headers_of(error: HTTPException) -> dict[str, str]:
    """What the error says beside its page, such as the methods a 405 allows (`Allow`)."""
    return {name: value for name, value in error.get_headers() if name != "Content-Type"}


def try_again_page() -> tuple[str, int]:
    """Nothing was saved because the session's lock was busy: the person may try again."""
    return render_template("bookings/try_again.html"), 503


def database_unavailable(error: OperationalError | PoolTimeout):
    """The database cannot be reached, stayed locked past the timeout, is read-only or has
    no room left: the request's transaction is not committed (Flask-SQLAlchemy rolls it
    back as the request ends), so nothing of it is written, and the person may try again."""
    reason = database_error(error) if isinstance(error, OperationalError) else str(error)
    logger.warning("Database unavailable: %s", reason)
    headers = {"Retry-After": str(RETRY_AFTER)}
    if request.path.startswith("/api/"):
        message = "The service is unavailable: try again in a few minutes."
        return jsonify(error={"status": 503, "message": message}), 503, headers
    # The page is drawn as if signed out when who is signed in could not be read.
    if "_login_user" not in g:
        login_manager._update_request_context_with_user()
    return render_template("errors/unavailable.html"), 503, headers


def too_large(error: RequestEntityTooLarge):
    """Only a certificate's upload can be this large: the page says what the limit is."""
    from app.external_training.files import MOST_SIZE_WORDS

    return render_template("errors/413.html", most=MOST_SIZE_WORDS), 413


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(PoolTimeout, database_unavailable)
