"""The privacy notice and the accessibility statement, edited by a coordinator."""

from flask import abort, current_app, flash, redirect, render_template, url_for

from app.admin import bp
from app.extensions import db
from app.forms import form_page
from app.privacy import pages
from app.privacy.forms import SitePageForm
from app.transactions import saved


@bp.get("/pages")
def site_pages():
    return render_template("admin/site_pages/index.html", pages=pages.PAGES.values())


@bp.route("/pages/<slug>", methods=["GET", "POST"])
def edit_site_page(slug: str):
    page = pages.PAGES.get(slug) or abort(404)
    form = SitePageForm()
    if not form.is_submitted():
        form.body.data = pages.page_text(db.session, slug, current_app.config["MAIL_FROM"])
    if not form.validate_on_submit():
        return form_page("admin/site_pages/form.html", form, page=page)
    saved(pages.save_page, db.session, slug, form.body.data)
    flash(f"The {page.title.lower()} has been saved.", "success")
    return redirect(url_for("admin.edit_site_page", slug=slug))
