"""Calendar files: a booking's download, a person's feed, a prospectus's public feed."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.accounts.forms import ConfirmForm
from app.bookings.queries import get_own_booking
from app.calendar import bp, feeds
from app.catalogue.queries import get_published_prospectus
from app.extensions import db
from app.links import absolute_url
from app.models import utcnow

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def calendar_response(feed: feeds.Feed, filename: str, private: bool) -> Response:
    """The file with ETag and Last-Modified; a client holding this version gets 304."""
    response = Response(feed.body, content_type=CALENDAR_TYPE)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(feed.digest)
    if feed.last_modified is not None:
        response.last_modified = feed.last_modified
    response.cache_control.private = private
    response.cache_control.public = not private
    response.cache_control.max_age = 0 if private else 300
    return response.make_conditional(request)


@bp.get("/bookings/<id:booking_id>/calendar.ics")
@login_required
def booking_download(booking_id: int):
    """The owner's session as a calendar file; 404 for anyone else."""
    booking = get_own_booking(db.session, booking_id, current_user) or abort(404)
    body = feeds.booking_download(db.session, booking)
    response = Response(body, content_type=CALENDAR_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="booking-{booking.id}.ics"'
    return response


@bp.get("/calendar/<token>.ics")
def person_feed(token: str):
    """A person's subscription feed, found by its secret token; 404 once it is replaced."""
    person = feeds.person_by_token(db.session, token) or abort(404)
    feed = feeds.person_feed(db.session, person, utcnow())
    return calendar_response(feed, "training.ics", private=True)


@bp.get("/prospectuses/<slug>/sessions.ics")
def prospectus_feed(slug: str):
    prospectus = get_published_prospectus(db.session, slug) or abort(404)
    feed = feeds.prospectus_feed(db.session, prospectus, utcnow())
    return calendar_response(feed, f"{slug}-sessions.ics", private=False)


@bp.route("/account/calendar", methods=["GET", "POST"])
@login_required
def subscribe():
    """The person's feed addresses, how to subscribe, and a button to replace the address."""
    form = ConfirmForm()
    if form.validate_on_submit():
        feeds.replace_token(db.session, current_user)
        db.session.commit()
        flash("Your calendar has a new address. The old one no longer works.", "success")
        return redirect(url_for("calendar.subscribe"))
    https_url = absolute_url("calendar.person_feed", token=current_user.calendar_token)
    return render_template(
        "calendar/subscribe.html",
        https_url=https_url,
        webcal_url="webcal://" + https_url.split("://", 1)[1],
        form=form,
    )
