"""What every request and every answer is held to, whatever the page: no hidden characters
in addresses, no cache keeping personal pages, and the security headers and cookie flags
a browser is to enforce.

The headers are our own rather than a library's: HSTS and the cookies' Secure flag follow
whether this request came over HTTPS (as ProxyFix reads it from a trusted proxy), never a
header any client may send, and every header is set here, in one place.
"""

import secrets

from flask import Flask, Response, abort, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface

from app.text import has_hidden_characters

#: Parts of an address that are secrets: a mailed link's token, a certificate's code.
SECRETS = frozenset({"token", "code"})

#: A page's scripts and styles come from our own files only; the one inline script, GOV.UK
#: Frontend's start-up, runs by the nonce of its response. Nothing may frame a page.
PAGE_POLICY = (
    "default-src 'self'",
    "script-src 'self'{nonce}",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
#: A PDF, a feed or JSON runs nothing of ours. Chrome shows a PDF in a plugin that the
#: PDF's own policy must allow (object-src, here from default-src), so none is denied.
FILE_POLICY = "default-src 'self'; frame-ancestors 'none'"
#: Powerful browser features no page of ours uses, turned off for all of them.
PERMISSIONS_POLICY = (
    "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
#: Two years, as the HSTS preload list asks; only ever sent over HTTPS.
HSTS = "max-age=63072000; includeSubDomains"


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookie()
    app.before_request(no_page_has_hidden_characters)
    app.after_request(keep_personal_pages_out_of_caches)
    app.after_request(set_security_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})


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


def csp_nonce() -> str:
    """This response's nonce, made when a page first asks for it: the templates give it to
    their inline scripts (GOV.UK's template reads it as `cspNonce`)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def use_csp_nonce(nonce: str | None) -> None:
    """Answer with the nonce a kept page was rendered with (app.page_cache)."""
    if nonce:
        g.csp_nonce = nonce


def content_security_policy(response: Response) -> str:
    """A page's policy, naming its nonce if it has inline scripts, or a file's."""
    if response.mimetype != "text/html":
        return FILE_POLICY
    nonce = f" 'nonce-{g.csp_nonce}'" if "csp_nonce" in g else ""
    return "; ".join(PAGE_POLICY).format(nonce=nonce)


def set_security_headers(response: Response) -> Response:
    """Every answer, page, PDF, feed or JSON, carries the same promises."""
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(response)
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    return response


def cookies_are_secure() -> bool:
    """Cookies go over HTTPS only when this request came over it, or the settings say the
    site is only ever served over it (SESSION_COOKIE_SECURE, as in production)."""
    return bool(current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return cookies_are_secure()
