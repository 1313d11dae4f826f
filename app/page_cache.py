"""Public pages kept rendered, by their address and the catalogue's version.

The catalogue changes a few times a day and its pages are read by everyone, so a page is
rendered once for each version of what it shows and kept in the cache (`CACHE_TYPE`:
each process's memory, or Redis shared by every worker with `CACHE_REDIS_URL`). Whether a
kept page is still right costs one statement: the catalogue's version, and for a page
showing places the count and latest change of its sessions' bookings
(app.catalogue.version). A kept page also stops being used at the next moment time alone
changes what it shows: a session starting, booking opening or closing, a new day.

A visitor not signed in gets the page whole, with an ETag, so a browser asks again each
time (`no-cache`) and gets 304 while it holds the latest. Someone signed in gets the same
body (title, breadcrumbs, content) under a header rendered for them; a page whose body is
theirs too (a course's or a session's: their booking, their prerequisites) is rendered
for them alone, as is any page with messages waiting to be shown (flashed). Nothing
personal is kept: only pages rendered for a visitor not signed in, or bodies rendered for
someone signed in that hold nothing of theirs, and never a form's CSRF token.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import wraps

from flask import current_app, g, make_response, render_template, request, session
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Select, func, select

from app import safety
from app.catalogue.version import catalogue_only
from app.display import LONDON, in_london
from app.extensions import cache, db
from app.models import CourseSession, SessionStatus, utcnow

#: The parts of a page shown alike to everyone: kept, and put under each person's header.
BODY = ("pageTitle", "beforeContent", "content")
CSRF_FIELD = 'name="csrf_token"'

Version = Callable[..., tuple[Select, dict]]


def kept_page(
    version: Version = catalogue_only,
    releases_due: bool = False,
    personal_body: bool = False,
):
    """Keep the view's page. `version(**view_args)`: the statement, and its parameters,
    whose row changes with everything the page shows (app.catalogue.version);
    `releases_due`: the row's last column is a moment at or after which the view must run
    (it releases approvals left too long); `personal_body`: the body differs for someone
    signed in, who then gets it rendered for them."""

    def decorate(view):
        @wraps(view)
        def wrapper(**view_args):
            signed_in = "_user_id" in session
            if "_flashes" in session or (signed_in and personal_body):
                return view(**view_args)
            now = utcnow()
            row = db.session.execute(*version(**view_args)).one()
            if releases_due and row[-1] is not None and row[-1] <= now:
                return view(**view_args)
            key = "page:" + digest(request.full_path, *row)
            kept = cache.get(key)
            if kept and kept["expires_at"] > now.timestamp():
                if not signed_in and kept["html"] is not None:
                    return for_visitor(kept["html"], kept)
                if signed_in:
                    return for_person(kept)
            return render_and_keep(view, view_args, key, now, signed_in)

        return wrapper

    return decorate


def render_page(template_name: str, **context) -> str:
    """The page, as render_template makes it; when the page is to be kept, its body too."""
    if not g.get("keeping_page"):
        return render_template(template_name, **context)
    app = current_app._get_current_object()
    template = app.jinja_env.get_or_select_template(template_name)
    app.update_template_context(context)
    rendered = template.new_context(context)
    page = "".join(template.root_render_func(rendered))
    g.kept_body = {name: "".join(rendered.blocks[name][0](rendered)) for name in BODY}
    return page


def render_and_keep(view, view_args: dict, key: str, now: datetime, signed_in: bool):
    g.keeping_page = True
    try:
        response = make_response(view(**view_args))
    finally:
        g.pop("keeping_page", None)
    body = g.pop("kept_body", None)
    if body is None or response.status_code not in (200, 400) or not keepable(body, signed_in):
        return response
    expires_at = time_moves_on(now)
    kept = {
        "status": response.status_code,
        "body": body,
        "html": None if signed_in else response.get_data(as_text=True),
        "nonce": g.get("csp_nonce"),
        "etag": digest(key, expires_at.isoformat()),
        "expires_at": expires_at.timestamp(),
    }
    seconds = (expires_at - now).total_seconds()
    cache.set(
        key, kept, timeout=max(1, min(int(seconds), current_app.config["CACHE_DEFAULT_TIMEOUT"]))
    )
    if signed_in:
        return response
    return for_visitor(kept["html"], kept)


def keepable(body: dict[str, str], signed_in: bool) -> bool:
    """Nothing of the person who happened to be first: no form's token, and a page for a
    visitor only if it was rendered with nobody signed in."""
    if any(CSRF_FIELD in part for part in body.values()):
        return False
    return signed_in or not current_user.is_authenticated


def for_visitor(html: str, kept: dict):
    # The page's scripts carry the nonce it was rendered with; its policy names that one.
    # Each rendering has its own, and the page is kept by its full address, so no address
    # can carry a script naming the nonce of the page it makes.
    safety.use_csp_nonce(kept["nonce"])
    response = make_response(html, kept["status"])
    response.set_etag(kept["etag"])
    response.cache_control.no_cache = True
    response.vary.add("Cookie")
    return response.make_conditional(request)


def for_person(kept: dict):
    body = {name: Markup(part) for name, part in kept["body"].items()}
    return render_template("kept_page.html", body=body), kept["status"]


def time_moves_on(now: datetime) -> datetime:
    """The next moment a page of the catalogue changes with time alone: a published
    session starting, its booking opening or closing, or midnight in London."""
    upcoming = [CourseSession.published.is_(True), CourseSession.status == SessionStatus.SCHEDULED]
    moments = [
        select(func.min(column)).where(*upcoming, column > now).scalar_subquery()
        for column in (
            CourseSession.starts_at,
            CourseSession.booking_opens_at,
            CourseSession.booking_closes_at,
        )
    ]
    found = db.session.execute(select(*moments)).one()
    tomorrow = in_london(now).date() + timedelta(days=1)
    midnight = datetime.combine(tomorrow, time(), LONDON)
    return min([midnight, *(moment for moment in found if moment is not None)])


def digest(*parts) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
