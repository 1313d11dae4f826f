"""The privacy notice, the accessibility statement, and a person's own data."""

import json
from pathlib import Path

from flask import Response, abort, current_app, redirect, render_template, session, url_for
from flask_login import current_user, login_required, logout_user

from app.accounts import passwords
from app.extensions import db
from app.forms import form_page, show_refusal
from app.models import utcnow
from app.privacy import bp, erasure, pages
from app.privacy.export import personal_data
from app.privacy.forms import EraseAccountForm
from app.transactions import saved


def site_page(slug: str) -> str:
    text = pages.page_text(db.session, slug, current_app.config["MAIL_FROM"])
    return render_template("privacy/page.html", page=pages.PAGES[slug], text=text)


@bp.get("/privacy")
def privacy_notice():
    return site_page("privacy")


@bp.get("/accessibility")
def accessibility_statement():
    return site_page("accessibility")


@bp.get("/account/data")
@login_required
def download_data():
    """Everything held about the signed-in person, as a JSON file they download."""
    data = personal_data(db.session, current_user)
    response = Response(json.dumps(data, indent=2, ensure_ascii=False), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="your-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def erase_account():
    """GET explains what erasure does; POST, with the person's password, erases them and
    signs them out."""
    refusal = erasure.why_not_erasable(current_user)
    form = EraseAccountForm()
    if refusal or not form.validate_on_submit():
        return form_page("privacy/erase.html", form, refusal=refusal)
    if not passwords.password_matches(current_user.password_hash, form.password.data):
        form.password.errors = [*form.password.errors, "The password is not right"]
        return render_template("privacy/erase.html", form=form, refusal=None), 400
    try:
        saved(
            erasure.erase,
            db.session,
            current_user.id,
            utcnow(),
            Path(current_app.config["UPLOAD_FOLDER"]),
        )
    except erasure.ErasureRefused as error:
        show_refusal(form, error)
        return render_template("privacy/erase.html", form=form, refusal=None), 400
    logout_user()
    session.clear()
    return redirect(url_for("privacy.erased"))


@bp.get("/account/erased")
def erased():
    if current_user.is_authenticated:
        abort(404)
    return render_template("privacy/erased.html")
