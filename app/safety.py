"""What every request and every answer is held to, whatever the page."""

from flask import Flask, abort, request

from app.text import has_hidden_characters


def init_app(app: Flask) -> None:
    app.before_request(no_page_has_hidden_characters)


def no_page_has_hidden_characters() -> None:
    """No page's address has characters that hide or disguise text (app.text): one that
    has them is not found, before any query is asked of them (PostgreSQL cannot read a NUL)."""
    if has_hidden_characters(request.path):
        abort(404)
