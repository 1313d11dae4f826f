"""Venues: where sessions are held."""

from flask import flash, redirect, render_template, url_for

from app.admin import bp
from app.admin.pages import confirm_and_delete
from app.admin.venues import service
from app.admin.venues.forms import VenueForm
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import Venue
from app.transactions import saved


@bp.get("/venues")
def venues():
    return render_template(
        "admin/venues/index.html", venues=service.venues_with_session_counts(db.session)
    )


@bp.route("/venues/new", methods=["GET", "POST"])
def new_venue():
    form = VenueForm()
    if not form.validate_on_submit():
        return form_page("admin/venues/form.html", form, venue=None)
    try:
        venue = saved(service.create_venue, db.session, form.details())
    except service.VenueError as refusal:
        show_refusal(form, refusal)
        return form_page("admin/venues/form.html", form, venue=None)
    flash(f"{venue.name} has been added.", "success")
    return redirect(url_for("admin.venues"))


@bp.route("/venues/<id:venue_id>/edit", methods=["GET", "POST"])
def edit_venue(venue_id: int):
    venue = db.get_or_404(Venue, venue_id)
    form = VenueForm(obj=venue)
    if not form.validate_on_submit():
        return form_page("admin/venues/form.html", form, venue=venue)
    try:
        saved(service.update_venue, db.session, venue, form.details())
    except service.VenueError as refusal:
        show_refusal(form, refusal)
        return form_page("admin/venues/form.html", form, venue=venue)
    flash(f"{venue.name} has been saved.", "success")
    return redirect(url_for("admin.venues"))


@bp.route("/venues/<id:venue_id>/delete", methods=["GET", "POST"])
def delete_venue(venue_id: int):
    """GET asks to confirm; POST deletes, or says why not (sessions are held there)."""
    venue = db.get_or_404(Venue, venue_id)
    return confirm_and_delete(
        "admin/venues/delete.html",
        lambda: service.delete_venue(db.session, venue),
        deleted=f"{venue.name} has been deleted.",
        back=url_for("admin.venues"),
        venue=venue,
    )
