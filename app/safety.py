"""What every request and every answer is held to, whatever the page."""

from flask import Flask, Response, abort, request, session

from app.text import has_hidden_characters

#: Parts of an address that are secrets: a mailed link's token, a certificate's code.
SECRETS = frozenset({"token", "code"})


def init_app(app: Flask) -> None:
    app.before_request(no_page_has_hidden_characters)
    app.after_request(keep_personal_pages_out_of_caches)


def no_page_has_hidden_characters() -> None:
    """No page's address has characters that hide or disguise text (app.text): one that
    has them is not found, before any query is asked of them (PostgreSQL cannot read a NUL)."""
    if has_hidden_characters(request.path):
        abort(404)


def keep_personal_pages_out_of_caches(response: Response) -> Response:
    """No cache, shared or the browser's own, keeps what is shown to someone signed in, nor
    a page reached by a secret in its address: either may show personal data, to be read
    by whoever uses the browser next. A page that says how it may be kept is kept so."""
    if "Cache-Control" not in response.headers and is_personal():
        response.cache_control.no_store = True
        response.cache_control.private = True
    return response


def is_personal() -> bool:
    # The session is read, not the account: a signed-in request costs no query for this.
    return "_user_id" in session or bool(SECRETS & (request.view_args or {}).keys())
