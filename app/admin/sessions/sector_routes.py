"""How a session's places are shared between sectors: one sector's share set or removed
at a time, under the session's lock, letting in people waiting whom it no longer keeps out.
"""

from flask import Response, abort, current_app, flash, redirect, request, url_for

from app.admin import bp
from app.admin.sessions.forms import SectorPlacesForm
from app.admin.sessions.routes import session_or_404
from app.bookings.sectors import allocation_of, sector_words
from app.bookings.service import last_minute_from
from app.database import locks_for_itself
from app.display import offered_from_waiting_list
from app.errors import try_again_page
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import Sector, utcnow
from app.refusals import Refused, TryAgain
from app.sessions import service as changes
from app.transactions import saved


def sector_sent() -> Sector:
    """The sector a button sent; a form altered to send another is a bad request."""
    try:
        return Sector(request.form.get("sector", ""))
    except ValueError:
        abort(400, "Choose a sector from the list.")


def page(form: SectorPlacesForm, session_id: int) -> tuple[str, int]:
    found, now = session_or_404(session_id), utcnow()
    return form_page(
        "admin/sessions/sector_places.html",
        form,
        session=found,
        allocation=allocation_of(db.session, found, now),
        changeable=changes.change_refusal(found, now) is None,
    )


@bp.route("/sessions/<id:session_id>/sector-places", methods=["GET", "POST"])
@locks_for_itself
def session_sector_places(session_id: int):
    """The session's shares by sector; POST sets one sector's share."""
    form = SectorPlacesForm()
    if not form.validate_on_submit():
        return page(form, session_id)
    try:
        let_in = saved(
            changes.share_places,
            db.session,
            session_id,
            form.share(),
            utcnow(),
            last_minute_from(current_app.config),
        )
    except TryAgain:
        return try_again_page()
    except Refused as refusal:
        show_refusal(form, refusal)
        return page(form, session_id)
    saved_words = f"The places for {sector_words(form.share().sector)} are saved."
    return back_to_shares(session_id, saved_words, let_in)


@bp.post("/sessions/<id:session_id>/sector-places/remove")
@locks_for_itself
def remove_session_sector_places(session_id: int):
    """The sector named by the form's button no longer has a share of its own."""
    session_or_404(session_id)
    chosen = sector_sent()
    try:
        let_in = saved(
            changes.stop_sharing,
            db.session,
            session_id,
            chosen,
            utcnow(),
            last_minute_from(current_app.config),
        )
    except TryAgain:
        return try_again_page()
    except Refused as refusal:
        flash(str(refusal), "info")
        return redirect(url_for("admin.session_sector_places", session_id=session_id))
    done = f"Places on this session are no longer set aside or limited for {sector_words(chosen)}."
    return back_to_shares(session_id, done, let_in)


def back_to_shares(session_id: int, done: str, let_in: list) -> Response:
    flash(done + offered_from_waiting_list(len(let_in)), "success")
    return redirect(url_for("admin.session_sector_places", session_id=session_id))
