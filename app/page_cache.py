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
body (title, breadcrumbs, content) under a header rendered for them. Where the body has
parts of its own for each person (a course's or a session's page: their booking, their
prerequisites, the charge to their agency), the template names them with `own_part`: the
body is kept with a gap for each, and the parts are rendered for whoever asks, from what
the view's `personal` function gives. A page with messages waiting to be shown (flashed)
is rendered whole. Nothing personal is kept: only pages rendered for a visitor not signed
in, or bodies rendered for someone signed in that hold nothing of theirs outside their
own parts, and never a form's CSRF token.
"""

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import wraps

from flask import current_app, g, make_response, render_template, request, session
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
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
Personal = Callable[..., dict | None]


def kept_page(
    version: Version = catalogue_only,
    releases_due: bool = False,
    personal: Personal | None = None,
):
    """Keep the view's page. `version(**view_args)`: the statement, and its parameters,
    whose row changes with everything the page shows (app.catalogue.version);
    `releases_due`: the row's last column is a moment at or after which the view must run
    (it releases approvals left too long); `personal(**view_args)`: what the page's own
    parts (`own_part`) show whoever is signed in, or None when there is no such page."""

    def decorate(view):
        @wraps(view)
        def wrapper(**view_args):
            signed_in = "_user_id" in session
            if "_flashes" in session:
                return view(**view_args)
            now = utcnow()
            # On the connection: the row is plain columns, and skipping the ORM's handling
            # of the statement is a tenth of what a kept page costs.
            row = db.session.connection().execute(*version(**view_args)).one()
            if releases_due and row[-1] is not None and row[-1] <= now:
                return view(**view_args)
            key = "page:" + digest(request.full_path, *row)
            kept = cache.get(key)
            if kept and kept["expires_at"] > now.timestamp():
                if not signed_in and kept["html"] is not None:
                    return for_visitor(kept["html"], kept)
                if signed_in:
                    context = personal(**view_args) if personal else {}
                    if context is not None:
                        return for_person(kept, context)
            return render_and_keep(view, view_args, key, now, signed_in)

        return wrapper

    return decorate


def render_page(template_name: str, **context) -> str:
    """The page, as render_template makes it; when the page is to be kept, its body too,
    as pieces: the body's own text, then the template of an own part, and so on."""
    if not g.get("keeping_page"):
        return render_template(template_name, **context)
    app = current_app._get_current_object()
    template = app.jinja_env.get_or_select_template(template_name)
    app.update_template_context(context)
    rendered = template.new_context(context)
    # Where an own part goes, in this rendering alone: no text of the page can hold it.
    g.gap_token, g.own_parts = secrets.token_hex(16), {}
    gaps = re.compile(gap(g.gap_token, "(.+?)"))
    page = "".join(template.root_render_func(rendered))
    g.kept_body = {name: gaps.split("".join(rendered.blocks[name][0](rendered))) for name in BODY}
    return gaps.sub(lambda found: g.own_parts[found[1]], page)


def gap(token: str, template_name: str) -> str:
    return f"<!--part {token} {template_name}-->"


@pass_context
def own_part(context: Context, template_name: str) -> Markup:
    """A part of a kept page that is each person's own, rendered like an include; while
    the page is being kept, a gap where it goes (render_page)."""
    html = Markup(context.environment.get_template(template_name).render(context.get_all()))
    if not g.get("keeping_page"):
        return html
    g.own_parts[template_name] = html
    return Markup(gap(g.gap_token, template_name))


def changes_at(moment: datetime) -> None:
    """The page being rendered shows something that changes with time alone at `moment`
    (a cut-off passing, say): once it has come, a kept copy is not used."""
    g.setdefault("page_changes", []).append(moment)


def render_and_keep(view, view_args: dict, key: str, now: datetime, signed_in: bool):
    g.keeping_page = True
    try:
        response = make_response(view(**view_args))
    finally:
        g.pop("keeping_page", None)
    body = g.pop("kept_body", None)
    html = None if signed_in else response.get_data(as_text=True)
    if body is None or response.status_code not in (200, 400) or not keepable(body, html):
        return response
    changes = [moment for moment in g.pop("page_changes", []) if moment > now]
    expires_at = min([time_moves_on(now), *changes])
    kept = {
        "status": response.status_code,
        "body": body,
        "html": html,
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


def keepable(body: dict[str, list[str]], html: str | None) -> bool:
    """Nothing of the person who happened to be first: no form's token outside the own
    parts, and a page for a visitor (`html`) only if it was rendered with nobody signed in
    and holds no form's token at all."""
    if any(CSRF_FIELD in text for pieces in body.values() for text in pieces[::2]):
        return False
    return html is None or (CSRF_FIELD not in html and not current_user.is_authenticated)


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


def for_person(kept: dict, context: dict):
    body = {name: with_own_parts(pieces, context) for name, pieces in kept["body"].items()}
    return render_template("kept_page.html", body=body), kept["status"]


def with_own_parts(pieces: list[str], context: dict) -> Markup:
    """A kept block with its own parts rendered, from `context`, for whoever asks."""
    texts, parts = pieces[::2], pieces[1::2]
    rendered = [render_template(template_name, **context) for template_name in parts]
    return Markup("".join(text + part for text, part in zip(texts, [*rendered, ""], strict=True)))


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
