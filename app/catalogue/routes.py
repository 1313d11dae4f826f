"""Public pages of the catalogue: anyone can read them without an account."""

import io
from datetime import datetime

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from app.bookings import service as bookings
from app.bookings.overdue import release_overdue_approvals
from app.bookings.sectors import sharing_for
from app.catalogue import bp, pdf, queries
from app.catalogue import version as catalogue_version
from app.catalogue.forms import CourseFilterForm, InterestForm
from app.charges.service import charges_of_course, rates_from
from app.display import in_london
from app.extensions import db
from app.interest import service as interest
from app.models import Course, CourseSession, User, utcnow
from app.page_cache import changes_at, kept_page, render_page
from app.pagination import govuk_pagination
from app.prerequisites import service as prerequisites
from app.refusals import Refused
from app.reviews.queries import published_case_reviews
from app.transactions import saved


def places_if_filtered(slug: str | None = None):
    """A list narrowed to courses with places left changes with the places."""
    if "places" in request.args:
        return catalogue_version.places_in_prospectus(slug)
    return catalogue_version.catalogue_only()


@bp.get("/")
@kept_page()
def home():
    return render_page(
        "catalogue/home.html",
        prospectuses=queries.published_prospectuses(db.session),
        case_reviews=published_case_reviews(db.session),
        elsewhere_courses=queries.elsewhere_courses(db.session),
    )


@bp.get("/prospectuses")
@kept_page()
def prospectuses():
    return render_page(
        "catalogue/prospectuses.html", prospectuses=queries.published_prospectuses(db.session)
    )


@bp.get("/prospectuses/<slug>")
@kept_page(places_if_filtered)
def prospectus(slug: str):
    """A prospectus's courses, narrowed by the filters in the query string.

    Answers 404 for an unknown or unpublished prospectus, and 400 (with the
    filters that were valid still applied) when a filter value is wrong.
    """
    found = queries.get_published_prospectus(db.session, slug) or abort(404)
    now = utcnow()
    form = CourseFilterForm(request.args, today=in_london(now).date())
    valid = form.validate()
    courses = queries.find_courses(
        db.session,
        found,
        form.valid_filters(),
        now,
        page=form.page_number(),
        per_page=current_app.config["COURSES_PER_PAGE"],
    )
    filter_args = form.query_args()
    page = render_page(
        "catalogue/prospectus.html",
        prospectus=found,
        form=form,
        courses=courses,
        next_starts=queries.next_session_starts(
            db.session, [course.id for course in courses.items], now
        ),
        filter_args=filter_args,
        pagination=govuk_pagination(
            courses,
            lambda number: url_for(
                "catalogue.prospectus", slug=slug, page=number, **filter_args, _anchor="results"
            ),
        ),
    )
    return page, (200 if valid else 400)


@bp.get("/search")
@kept_page(places_if_filtered)
def search():
    """Courses matching the words in `q`, from every published prospectus."""
    now = utcnow()
    form = CourseFilterForm(request.args, today=in_london(now).date())
    valid = form.validate()
    filters = form.valid_filters()
    per_page = current_app.config["COURSES_PER_PAGE"]
    results = [
        (
            prospectus,
            queries.find_courses(db.session, prospectus, filters, now, page=1, per_page=per_page),
        )
        for prospectus, _ in queries.published_prospectuses(db.session)
    ]
    shown = [course.id for _, found in results for course in found.items]
    page = render_page(
        "catalogue/search.html",
        form=form,
        results=results,
        next_starts=queries.next_session_starts(db.session, shown, now),
    )
    return page, (200 if valid else 400)


@bp.get("/prospectuses/<slug>.pdf")
def prospectus_pdf(slug: str):
    """The prospectus as a PDF made from the live catalogue; 404 when not published."""
    found = queries.get_published_prospectus(db.session, slug) or abort(404)
    document = pdf.cached_prospectus_pdf(found, utcnow())
    return send_file(
        io.BytesIO(document.content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{found.slug}-prospectus-{found.year}.pdf",
        etag=document.etag,
        conditional=True,
        max_age=0,
    )


def signed_in() -> User | None:
    return current_user if current_user.is_authenticated else None


def yours_on_course(found: Course, person: User | None, now: datetime) -> dict:
    """What a course's page shows only its reader: whether they have met the course's
    prerequisites, and its interest list."""
    return {
        "course": found,
        "prerequisites": prerequisites.standing(db.session, found.id, person, now, now),
        "interest": interest.interest_in(db.session, found, person, now),
        "interest_form": InterestForm(),
    }


def your_course_parts(slug: str) -> dict | None:
    found = queries.get_published_course(db.session, slug)
    return found and yours_on_course(found, signed_in(), utcnow())


@bp.get("/courses/<slug>")
@kept_page(catalogue_version.places_on_course, personal=your_course_parts)
def course(slug: str):
    """Everything about a course; 404 when it, or its prospectus, is not published."""
    found = queries.get_published_course(db.session, slug) or abort(404)
    now = utcnow()
    return render_page(
        "catalogue/course.html",
        sessions=queries.upcoming_sessions(db.session, [found.id], now).get(found.id, []),
        lesson_links=queries.lesson_links_for_courses(db.session, [found.id]).get(found.id, []),
        charges=charges_of_course(found, None, rates_from(current_app.config)),
        **yours_on_course(found, signed_in(), now),
    )


@bp.post("/courses/<slug>/interest")
def course_interest(slug: str):
    """Join the course's interest list, or leave it when on it, then back to the course.

    Signed out: to sign in, and back to the course's page from there, changing nothing.
    404 when the course, or its prospectus, is not published.
    """
    if not current_user.is_authenticated:
        flash("Sign in to be told when the course has a date.", "info")
        return redirect(url_for("accounts.sign_in", next=url_for("catalogue.course", slug=slug)))
    found = queries.get_published_course(db.session, slug) or abort(404)
    back = redirect(url_for("catalogue.course", slug=slug))
    if not InterestForm().validate_on_submit():
        abort(400, "The form had expired: go back, reload the page and try again.")
    try:
        on_list = saved(interest.join_or_leave, db.session, found, current_user, utcnow())
    except Refused as refusal:
        flash(str(refusal), "error")
        return back
    if on_list:
        flash(f"We will email you when {found.title} has a date.", "success")
    else:
        flash(f"You have left the list for {found.title}.", "success")
    return back


def yours_on_session(found: CourseSession, person: User | None, now: datetime) -> dict:
    """What a session's page shows only its reader: their sector's places where the session
    shares them, the charge to their agency, their prerequisites, and their booking or the
    button to book."""
    standing = prerequisites.standing(db.session, found.course_id, person, found.starts_at, now)
    sharing = sharing_for(db.session, found, person, now)
    own = bookings.active_booking(db.session, found.id, person) if person else None
    return {
        "session": found,
        "prerequisites": standing,
        "sharing": sharing,
        "own_booking": own,
        "charges": charges_of_course(
            found.course, person.agency if person else None, rates_from(current_app.config)
        ),
        "book_button": None
        if own
        else bookings.book_button(found, now, bool(standing.missing), sharing.room),
    }


def your_session_parts(session_id: int) -> dict | None:
    found = queries.get_public_session(db.session, session_id)
    return found and yours_on_session(found, signed_in(), utcnow())


@bp.get("/sessions/<id:session_id>")
@kept_page(catalogue_version.places_on_session, releases_due=True, personal=your_session_parts)
def session(session_id: int):
    """One session of a course; 404 when it is not published."""
    found = queries.get_public_session(db.session, session_id) or abort(404)
    if release_overdue_approvals(session_id):
        found = queries.get_public_session(db.session, session_id)
    now = utcnow()
    changes_at(found.cancellation_cutoff)
    return render_page(
        "catalogue/session.html", now=now, **yours_on_session(found, signed_in(), now)
    )
