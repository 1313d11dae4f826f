"""Error pages: HTML for people, JSON under /api/."""

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

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
        return jsonify(error={"status": error.code, "message": error.description}), error.code
    template = ERROR_TEMPLATES.get(error.code, "errors/500.html")
    return render_template(template, error=error), error.code


def try_again_page() -> tuple[str, int]:
    """Nothing was saved because the session's lock was busy: the person may try again."""
    return render_template("bookings/try_again.html"), 503


def too_large(error: RequestEntityTooLarge):
    """Only a certificate's upload can be this large: the page says what the limit is."""
    from app.external_training.files import MOST_SIZE_WORDS

    return render_template("errors/413.html", most=MOST_SIZE_WORDS), 413


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(RequestEntityTooLarge, too_large)
