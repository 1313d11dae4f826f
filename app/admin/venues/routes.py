"""Venues: where sessions are held."""

from flask import flash, redirect, render_template, url_for

from app.accounts.forms import ConfirmForm
from app.admin import bp
from app.admin.venues import service
from app.admin.venues.forms import VenueForm
from app.extensions import db
from app.forms import page_status, show_refusal
from app.models import Venue


@bp.get("/venues")
def venues():
    return render_template(
        "admin/venues/index.html", venues=service.venues_with_session_counts(db.session)
    )


@bp.route("/venues/new", methods=["GET", "POST"])
def new_venue():
    form = VenueForm()
    if not form.validate_on_submit():
        return render_template("admin/venues/form.html", form=form, venue=None), page_status(form)
    try:
        venue = service.create_venue(db.session, form.details())
    except service.VenueError as refusal:
        show_refusal(form, refusal)
        return render_template("admin/venues/form.html", form=form, venue=None), 400
    db.session.commit()
    flash(f"{venue.name} has been added.", "success")
    return redirect(url_for("admin.venues"))


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
def edit_venue(venue_id: int):
    venue = db.get_or_404(Venue, venue_id)
    form = VenueForm(obj=venue)
    if not form.validate_on_submit():
        return render_template("admin/venues/form.html", form=form, venue=venue), page_status(form)
    try:
        service.update_venue(db.session, venue, form.details())
    except service.VenueError as refusal:
        show_refusal(form, refusal)
        return render_template("admin/venues/form.html", form=form, venue=venue), 400
    db.session.commit()
    flash(f"{venue.name} has been saved.", "success")
    return redirect(url_for("admin.venues"))


@bp.route("/venues/<int:venue_id>/delete", methods=["GET", "POST"])
def delete_venue(venue_id: int):
    """GET asks to confirm; POST deletes, or says why not (sessions are held there)."""
    venue = db.get_or_404(Venue, venue_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("admin/venues/delete.html", form=form, venue=venue), page_status(
            form
        )
    name = venue.name
    try:
        service.delete_venue(db.session, venue)
    except service.VenueError as refusal:
        show_refusal(form, refusal)
        return render_template("admin/venues/delete.html", form=form, venue=venue), 400
    db.session.commit()
    flash(f"{name} has been deleted.", "success")
    return redirect(url_for("admin.venues"))
