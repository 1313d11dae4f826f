"""The coordinator's pages of venues, agencies, case reviews and lesson links, used as a
browser would, with CSRF tokens; and what those changes do to the public pages and PDF.

The rules themselves are tested without HTTP in test_admin_places_and_reviews.py.
"""

import io
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Agency,
    AuditEntry,
    CaseReview,
    ChargingBand,
    LessonLink,
    Role,
    Sector,
    User,
    Venue,
)
from tests.conftest import csrf_token, field_errors, signed_in_as, submit, summary_errors, words
from tests.factories import (
    PASSWORD,
    link,
    make_agency,
    make_case_review,
    make_course,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
)


def browser_of(app, role: Role) -> FlaskClient:
    return signed_in_as(app, make_user(password=PASSWORD, role=role))


# Reading pages ----------------------------------------------------------------------------


def assert_refused_at(response, field: str, message: str) -> None:
    assert response.status_code == 400
    assert message in summary_errors(response.text).get(field, ""), summary_errors(response.text)
    assert message in field_errors(response.text).get(field, ""), field_errors(response.text)


def value_of(page: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page, re.S)
    assert tag, f"no input named {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else None


def text_of(page: str, name: str) -> str:
    area = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert area, f"no textarea named {name}"
    return unescape(area.group(1)).strip()


def chosen_option(page: str, name: str) -> str | None:
    select_tag = re.search(rf'<select[^>]*\bname="{name}".*?</select>', page, re.S)
    assert select_tag, f"no select named {name}"
    chosen = re.search(r'<option value="([^"]*)" selected', select_tag.group(0))
    return chosen.group(1) if chosen else None


def flash_after(browser, response) -> str:
    """Follow a redirect and read the page it leads to, with its flashed message."""
    assert response.status_code == 302, response.text
    return words(browser.get(response.headers["Location"]).text)


def pdf_text(browser) -> str:
    response = browser.get("/prospectuses/multi-agency.pdf")
    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def audit_entries(record_type: str) -> list[AuditEntry]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.record_type == record_type).order_by(AuditEntry.id)
        )
    )


# Who may use these pages ------------------------------------------------------------------


@pytest.fixture
def records(app) -> dict[str, int]:
    """One of each record the pages are about, by the name the URLs use."""
    course = make_course(make_prospectus())
    review = make_case_review()
    link(course, review)
    return {
        "venue_id": make_venue().id,
        "agency_id": make_agency().id,
        "review_id": review.id,
        "course_id": course.id,
        "link_id": db.session.scalars(select(LessonLink.id)).one(),
    }


PAGES = [
    "/admin/venues",
    "/admin/venues/new",
    "/admin/venues/{venue_id}/edit",
    "/admin/venues/{venue_id}/delete",
    "/admin/agencies",
    "/admin/agencies/new",
    "/admin/agencies/{agency_id}/edit",
    "/admin/agencies/{agency_id}/merge",
    "/admin/case-reviews",
    "/admin/case-reviews/new",
    "/admin/case-reviews/{review_id}/edit",
    "/admin/case-reviews/{review_id}/delete",
    "/admin/case-reviews/{review_id}/courses",
    "/admin/case-reviews/{review_id}/courses/{link_id}/edit",
    "/admin/courses/{course_id}/case-reviews",
    "/admin/courses/{course_id}/case-reviews/{link_id}/edit",
]

ACTIONS = [
    "/admin/case-reviews/{review_id}/publish",
    "/admin/case-reviews/{review_id}/unpublish",
    "/admin/case-reviews/{review_id}/courses/{link_id}/remove",
    "/admin/courses/{course_id}/case-reviews/{link_id}/remove",
    *PAGES[1:4],
    *PAGES[5:8],
    *PAGES[9:],
]


@pytest.mark.parametrize("page", PAGES)
def test_only_coordinators_see_the_pages(app, records, page):
    url = page.format(**records)
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302
    assert urlsplit(anonymous.headers["Location"]).path == "/account/sign-in"
    for role in (Role.PROFESSIONAL, Role.TRAINER):
        assert browser_of(app, role).get(url).status_code == 403, role
    assert browser_of(app, Role.COORDINATOR).get(url).status_code == 200


@pytest.mark.parametrize("action", ACTIONS)
def test_only_coordinators_change_anything(app, records, action):
    url = action.format(**records)
    for role in (Role.PROFESSIONAL, Role.TRAINER):
        browser = browser_of(app, role)
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/").text).group(1)
        assert browser.post(url, data={"csrf_token": token}).status_code == 403, role
    anonymous = app.test_client()
    token = csrf_token(anonymous.get("/account/sign-in").text)
    signing_in = anonymous.post(url, data={"csrf_token": token})
    assert urlsplit(signing_in.headers["Location"]).path == "/account/sign-in"
    assert count(LessonLink) == 1
    assert db.session.get(CaseReview, records["review_id"]).published is True


def test_an_unknown_record_is_not_found(as_coordinator, records):
    assert as_coordinator.get("/admin/venues/999999/edit").status_code == 404
    assert as_coordinator.get("/admin/agencies/999999/merge").status_code == 404
    assert as_coordinator.get("/admin/case-reviews/999999/courses").status_code == 404
    assert as_coordinator.get("/admin/courses/999999/case-reviews").status_code == 404
    other_course = make_course(make_prospectus("other")).id
    edit_elsewhere = f"/admin/courses/{other_course}/case-reviews/{records['link_id']}/edit"
    assert as_coordinator.get(edit_elsewhere).status_code == 404


# Venues -----------------------------------------------------------------------------------


VENUE = {
    "name": "Riverside House",
    "address": "Main Street\nRotherham",
    "postcode": "s60 1ae",
    "access_information": "Step-free access and a hearing loop.",
}


def test_a_venue_is_added_and_listed(as_coordinator):
    response = submit(as_coordinator, "/admin/venues/new", VENUE)

    page = flash_after(as_coordinator, response)
    assert "Riverside House has been added." in page
    assert "Main Street Rotherham S60 1AE" in page
    venue = db.session.scalars(select(Venue)).one()
    assert venue.access_information == "Step-free access and a hearing loop."


def test_a_venue_form_with_errors_keeps_what_was_typed(as_coordinator):
    typed = VENUE | {"name": "", "postcode": "not a postcode"}

    response = submit(as_coordinator, "/admin/venues/new", typed)

    assert_refused_at(response, "name", "Enter the venue's name")
    assert_refused_at(response, "postcode", "Enter a real postcode, like S60 1AE")
    assert response.text.startswith("<!DOCTYPE html>")
    assert value_of(response.text, "postcode") == "not a postcode"
    assert text_of(response.text, "address") == "Main Street\nRotherham"
    assert text_of(response.text, "access_information") == VENUE["access_information"]
    assert count(Venue) == 0


def test_a_venue_name_taken_is_refused_at_the_name(as_coordinator):
    make_venue(name="Riverside House")

    response = submit(as_coordinator, "/admin/venues/new", VENUE | {"name": "riverside house"})

    assert_refused_at(response, "name", "There is already a venue called riverside house")
    assert value_of(response.text, "name") == "riverside house"
    assert count(Venue) == 1


def test_a_venue_is_changed(as_coordinator):
    venue = make_venue(name="Riverside House")

    form = as_coordinator.get(f"/admin/venues/{venue.id}/edit").text
    assert value_of(form, "name") == "Riverside House"
    response = submit(
        as_coordinator, f"/admin/venues/{venue.id}/edit", VENUE | {"name": "Riverside"}
    )

    assert "Riverside has been saved." in flash_after(as_coordinator, response)
    assert db.session.get(Venue, venue.id).name == "Riverside"


def test_a_venue_sessions_are_held_at_is_not_deleted(as_coordinator):
    venue = make_venue(name="Riverside House")
    make_session(make_course(make_prospectus()), venue=venue)

    response = submit(as_coordinator, f"/admin/venues/{venue.id}/delete", {})

    message = "Riverside House cannot be deleted: 1 session is held there."
    assert response.status_code == 400
    assert message in summary_errors(response.text)["submit"]
    assert count(Venue) == 1


def test_an_unused_venue_is_deleted(as_coordinator):
    venue = make_venue(name="Riverside House")

    response = submit(as_coordinator, f"/admin/venues/{venue.id}/delete", {})

    assert "Riverside House has been deleted." in flash_after(as_coordinator, response)
    assert count(Venue) == 0


def test_changes_to_venues_are_in_the_audit_log_with_who_made_them(coordinator, as_coordinator):
    submit(as_coordinator, "/admin/venues/new", VENUE)
    venue_id = db.session.scalars(select(Venue.id)).one()
    submit(as_coordinator, f"/admin/venues/{venue_id}/edit", VENUE | {"postcode": "S60 2AA"})
    submit(as_coordinator, f"/admin/venues/{venue_id}/delete", {})

    created, changed, deleted = audit_entries("venue")

    assert [entry.action for entry in (created, changed, deleted)] == [
        "created",
        "changed",
        "deleted",
    ]
    assert {entry.actor_id for entry in (created, changed, deleted)} == {coordinator.id}
    assert {entry.record_id for entry in (created, changed, deleted)} == {venue_id}
    assert created.record_label == "Riverside House"
    assert created.changes["postcode"] == [None, "S60 1AE"]
    assert changed.changes == {"postcode": ["S60 1AE", "S60 2AA"]}
    assert deleted.changes["name"] == ["Riverside House", None]


# Agencies ---------------------------------------------------------------------------------


def test_agencies_typed_in_are_listed_apart_to_check(as_coordinator):
    make_agency(name="Rotherham Hospital")
    make_agency(name="Kids First CIC", listed=False)

    page = words(as_coordinator.get("/admin/agencies").text)

    typed_in, listed = page.split("Typed in by professionals, to check")[1].split("Listed", 1)
    assert "Kids First CIC" in typed_in
    assert "Rotherham Hospital" not in typed_in
    assert "Rotherham Hospital" in listed


def test_an_agency_is_added_in_its_sector(as_coordinator):
    response = submit(
        as_coordinator,
        "/admin/agencies/new",
        {
            "name": "Rotherham Hospital",
            "sector": "health",
            "charging_band": "partner",
            "listed": "y",
        },
    )

    assert "Rotherham Hospital has been added." in flash_after(as_coordinator, response)
    agency = db.session.scalars(select(Agency)).one()
    assert (agency.sector, agency.listed) == (Sector.HEALTH, True)
    assert agency.charging_band is ChargingBand.PARTNER


def test_an_agency_form_with_errors_keeps_what_was_typed(as_coordinator):
    make_agency(name="Rotherham Hospital")

    missing_sector = submit(
        as_coordinator, "/admin/agencies/new", {"name": "Kids First", "listed": "y"}
    )
    taken = submit(
        as_coordinator,
        "/admin/agencies/new",
        {"name": "ROTHERHAM HOSPITAL", "sector": "police", "charging_band": "chargeable"},
    )

    assert_refused_at(missing_sector, "sector", "Choose the agency's sector")
    assert value_of(missing_sector.text, "name") == "Kids First"
    assert_refused_at(taken, "name", "There is already an agency called ROTHERHAM HOSPITAL")
    assert re.search(r'value="police"\s+checked', taken.text)
    assert count(Agency) == 1


def test_an_agency_named_with_spaces_alone_is_refused(as_coordinator):
    response = submit(
        as_coordinator,
        "/admin/agencies/new",
        {"name": "   ", "sector": "health", "charging_band": "partner", "listed": "y"},
    )

    assert_refused_at(response, "name", "Enter the agency's name")
    assert count(Agency) == 0


def test_a_typed_in_agency_is_checked_and_listed(as_coordinator):
    agency = make_agency(name="kids first", sector=Sector.OTHER, listed=False)

    response = submit(
        as_coordinator,
        f"/admin/agencies/{agency.id}/edit",
        {
            "name": "Kids First CIC",
            "sector": "voluntary",
            "charging_band": "voluntary",
            "listed": "y",
        },
    )

    assert "Kids First CIC has been saved." in flash_after(as_coordinator, response)
    checked = db.session.get(Agency, agency.id)
    assert (checked.name, checked.sector, checked.listed) == (
        "Kids First CIC",
        Sector.VOLUNTARY,
        True,
    )
    assert checked.charging_band is ChargingBand.VOLUNTARY


def test_merging_moves_the_people_and_says_how_many(coordinator, as_coordinator):
    kept = make_agency(name="Rotherham Hospital")
    duplicate = make_agency(name="Rotherham hosp", listed=False)
    movers = [make_user(agency=duplicate).id, make_user(agency=duplicate).id]
    url = f"/admin/agencies/{duplicate.id}/merge"

    assert "2 people work at Rotherham hosp" in words(as_coordinator.get(url).text)
    response = submit(as_coordinator, url, {"into": str(kept.id)})

    page = flash_after(as_coordinator, response)
    assert "Rotherham hosp has been merged into Rotherham Hospital: 2 people moved." in page
    assert count(Agency) == 1
    assert {db.session.get(User, mover).agency_id for mover in movers} == {kept.id}
    (removed,) = audit_entries("agency")
    assert (removed.action, removed.actor_id, removed.record_label) == (
        "deleted",
        coordinator.id,
        "Rotherham hosp",
    )
    moved = [entry for entry in audit_entries("person") if entry.record_id in movers]
    assert [entry.changes["agency_id"] for entry in moved] == [[duplicate.id, kept.id]] * 2


def test_an_agency_is_not_merged_into_itself(as_coordinator):
    agency = make_agency(name="Rotherham hosp", listed=False)
    make_agency(name="Rotherham Hospital")

    itself = submit(as_coordinator, f"/admin/agencies/{agency.id}/merge", {"into": str(agency.id)})
    nothing = submit(as_coordinator, f"/admin/agencies/{agency.id}/merge", {"into": ""})

    assert_refused_at(
        itself, "into", "Choose another agency: Rotherham hosp cannot be merged into itself"
    )
    assert_refused_at(nothing, "into", "Choose the agency to merge into")
    assert count(Agency) == 2


# Case reviews -----------------------------------------------------------------------------


REVIEW = {
    "title": "Child T - Serious Case Review",
    "year": "2014",
    "summary": "What happened to Child T.\n\nWhat the review asked.",
    "reflection_questions": "Who would you tell?\nWhat would you record?",
    "reports-0-title": "Overview report",
    "reports-0-url": "https://example.org/child-t-overview.pdf",
    "reports-1-title": "",
    "reports-1-url": "",
}


def only_review() -> CaseReview:
    db.session.rollback()
    return db.session.scalars(select(CaseReview)).one()


def test_a_case_review_is_added_as_a_draft_with_its_reports(as_coordinator):
    blank = as_coordinator.get("/admin/case-reviews/new").text
    assert value_of(blank, "reports-1-url") in (None, "")
    assert re.search(r'for="reports-1-url">\s*Web address of report 2\s*</label>', blank)

    response = submit(as_coordinator, "/admin/case-reviews/new", REVIEW)

    assert "Child T - Serious Case Review has been saved as a draft" in flash_after(
        as_coordinator, response
    )
    review = only_review()
    assert (review.slug, review.year, review.published) == (
        "child-t-serious-case-review",
        2014,
        False,
    )
    assert [(r.title, r.url) for r in review.reports] == [
        ("Overview report", "https://example.org/child-t-overview.pdf")
    ]
    assert as_coordinator.get("/case-reviews/child-t-serious-case-review").status_code == 404


def test_a_case_review_form_with_errors_keeps_what_was_typed(as_coordinator):
    typed = REVIEW | {
        "year": "14",
        "reports-1-title": "Summary",
        "reports-1-url": "javascript:alert(1)",
        "reports-2-title": "",
        "reports-2-url": "https://example.org/letter.pdf",
    }

    response = submit(as_coordinator, "/admin/case-reviews/new", typed)

    assert_refused_at(response, "year", "Enter the year as 4 digits, like 2012")
    assert_refused_at(
        response,
        "reports-1-url",
        "Enter the web address of report 2, starting with http:// or https://",
    )
    assert_refused_at(response, "reports-2-title", "Enter the title of report 3")
    for field in ("title", "year", "reports-0-url", "reports-1-title", "reports-1-url"):
        assert value_of(response.text, field) == typed[field]
    assert text_of(response.text, "reflection_questions") == typed["reflection_questions"]
    assert count(CaseReview) == 0


def test_a_case_review_is_changed_published_and_unpublished(as_coordinator):
    review = make_case_review("child-t", title="Child T", published=False)
    url = f"/admin/case-reviews/{review.id}"

    form = as_coordinator.get(f"{url}/edit").text
    assert value_of(form, "reports-0-title") == "Overview report"
    assert value_of(form, "reports-1-title") in (None, "")
    submit(
        as_coordinator, f"{url}/edit", REVIEW | {"title": "Child T", "reports-0-title": "Summary"}
    )
    published = as_coordinator.post(f"{url}/publish", data={"csrf_token": csrf_token(form)})

    assert "Child T is published." in flash_after(as_coordinator, published)
    public = words(as_coordinator.get("/case-reviews/child-t").text)
    assert "Read the Summary" in public
    assert "Roles were unclear" in public

    as_coordinator.post(f"{url}/unpublish", data={"csrf_token": csrf_token(form)})
    assert as_coordinator.get("/case-reviews/child-t").status_code == 404


def test_a_case_review_courses_draw_on_is_not_deleted(as_coordinator):
    review = make_case_review(title="Child R")
    link(make_course(make_prospectus()), review)

    response = submit(as_coordinator, f"/admin/case-reviews/{review.id}/delete", {})

    assert response.status_code == 400
    assert (
        "Child R cannot be deleted: 1 course draws on it."
        in (summary_errors(response.text)["submit"])
    )
    assert count(CaseReview) == 1


def test_a_case_review_no_course_draws_on_is_deleted(as_coordinator):
    review = make_case_review(title="Child R")

    response = submit(as_coordinator, f"/admin/case-reviews/{review.id}/delete", {})

    assert "Child R has been deleted." in flash_after(as_coordinator, response)
    assert count(CaseReview) == 0


# Lesson links, from either side -----------------------------------------------------------


@pytest.fixture
def course(app):
    return make_course(make_prospectus(), slug="neglect", title="Understanding neglect")


@pytest.fixture
def review(app):
    return make_case_review("child-r", title="Child R - Serious Case Review")


def test_a_review_is_added_to_a_course_from_the_course(as_coordinator, course, review):
    url = f"/admin/courses/{course.id}/case-reviews"

    response = submit(
        as_coordinator, url, {"case_review": str(review.id), "note": "Joint enquiries."}
    )

    page = flash_after(as_coordinator, response)
    assert "Understanding neglect now draws on Child R - Serious Case Review." in page
    assert "Joint enquiries." in page
    assert db.session.scalars(select(LessonLink.note)).one() == "Joint enquiries."


def test_a_course_is_added_to_a_review_from_the_review(as_coordinator, course, review):
    url = f"/admin/case-reviews/{review.id}/courses"

    response = submit(as_coordinator, url, {"course": str(course.id), "note": "Joint enquiries."})

    assert "Understanding neglect now draws on" in flash_after(as_coordinator, response)
    assert count(LessonLink) == 1


def test_a_link_made_twice_is_refused_at_the_choice_from_either_side(
    as_coordinator, course, review
):
    link(course, review, note="Missed visits.")
    message = "Understanding neglect already draws on Child R - Serious Case Review"

    from_course = submit(
        as_coordinator,
        f"/admin/courses/{course.id}/case-reviews",
        {"case_review": str(review.id), "note": "Again."},
    )
    from_review = submit(
        as_coordinator,
        f"/admin/case-reviews/{review.id}/courses",
        {"course": str(course.id), "note": "Again."},
    )

    assert_refused_at(from_course, "case_review", message)
    assert chosen_option(from_course.text, "case_review") == str(review.id)
    assert text_of(from_course.text, "note") == "Again."
    assert_refused_at(from_review, "course", message)
    assert text_of(from_review.text, "note") == "Again."
    assert db.session.scalars(select(LessonLink.note)).all() == ["Missed visits."]


def test_a_link_needs_a_choice_and_a_note(as_coordinator, course, review):
    response = submit(
        as_coordinator, f"/admin/courses/{course.id}/case-reviews", {"case_review": "", "note": " "}
    )

    assert_refused_at(response, "case_review", "Choose a case review")
    assert count(LessonLink) == 0


def test_a_note_is_changed_from_the_review_and_shows_everywhere(as_coordinator, course, review):
    make_session(course)
    link(course, review, note="Missed visits.")
    link_id = db.session.scalars(select(LessonLink.id)).one()
    assert "Missed visits." in pdf_text(as_coordinator)
    url = f"/admin/case-reviews/{review.id}/courses/{link_id}/edit"

    assert text_of(as_coordinator.get(url).text, "note") == "Missed visits."
    response = submit(as_coordinator, url, {"note": "Joint section 47 enquiries."})

    assert "is saved" in flash_after(as_coordinator, response)
    for public in ("/courses/neglect", "/case-reviews/child-r"):
        page = words(as_coordinator.get(public).text)
        assert "Joint section 47 enquiries." in page, public
        assert "Missed visits." not in page, public
    text = pdf_text(as_coordinator)
    assert "Joint section 47 enquiries." in text
    assert "Missed visits." not in text


def test_an_empty_note_is_refused_and_the_old_one_kept(as_coordinator, course, review):
    link(course, review, note="Missed visits.")
    link_id = db.session.scalars(select(LessonLink.id)).one()

    response = submit(
        as_coordinator, f"/admin/courses/{course.id}/case-reviews/{link_id}/edit", {"note": "  "}
    )

    assert_refused_at(response, "note", "Say how the course uses this review")
    assert db.session.scalars(select(LessonLink.note)).one() == "Missed visits."


def test_a_link_removed_from_the_course_leaves_the_public_pages_and_the_pdf(
    as_coordinator, course, review
):
    link(course, review, note="Missed visits.")
    link_id = db.session.scalars(select(LessonLink.id)).one()
    assert "Child R - Serious Case Review" in pdf_text(as_coordinator)
    edit = as_coordinator.get(f"/admin/courses/{course.id}/case-reviews/{link_id}/edit").text

    response = as_coordinator.post(
        f"/admin/courses/{course.id}/case-reviews/{link_id}/remove",
        data={"csrf_token": csrf_token(edit)},
    )

    assert "Understanding neglect no longer draws on Child R" in flash_after(
        as_coordinator, response
    )
    assert "Missed visits." not in as_coordinator.get("/courses/neglect").text
    assert "No published course draws on this review yet." in words(
        as_coordinator.get("/case-reviews/child-r").text
    )
    assert "Child R - Serious Case Review" not in pdf_text(as_coordinator)


def test_a_review_published_from_admin_reaches_the_course_page_and_the_pdf(as_coordinator, course):
    review = make_case_review("child-s", title="Child S - Serious Case Review", published=False)
    link(course, review, note="Listening to the child.")
    assert "Listening to the child." not in as_coordinator.get("/courses/neglect").text
    assert "Listening to the child." not in pdf_text(as_coordinator)
    edit = as_coordinator.get(f"/admin/case-reviews/{review.id}/edit").text

    as_coordinator.post(
        f"/admin/case-reviews/{review.id}/publish", data={"csrf_token": csrf_token(edit)}
    )

    assert "Listening to the child." in words(as_coordinator.get("/courses/neglect").text)
    assert "Listening to the child." in pdf_text(as_coordinator)
    assert "Understanding neglect" in words(as_coordinator.get("/case-reviews/child-s").text)


def test_changes_to_links_are_in_the_audit_log(coordinator, as_coordinator, course, review):
    submit(
        as_coordinator,
        f"/admin/courses/{course.id}/case-reviews",
        {"case_review": str(review.id), "note": "Missed visits."},
    )
    link_id = db.session.scalars(select(LessonLink.id)).one()
    submit(
        as_coordinator,
        f"/admin/case-reviews/{review.id}/courses/{link_id}/edit",
        {"note": "Joint enquiries."},
    )

    created, changed = audit_entries("lesson link")

    assert {created.actor_id, changed.actor_id} == {coordinator.id}
    assert created.changes["note"] == [None, "Missed visits."]
    assert changed.changes == {"note": ["Missed visits.", "Joint enquiries."]}


# Lists cost the same whatever their length ------------------------------------------------


LISTS = [
    "/admin/venues",
    "/admin/agencies",
    "/admin/case-reviews",
    "/admin/courses/{course_id}/case-reviews",
    "/admin/case-reviews/{review_id}/courses",
]


def grow(course, review, size: int) -> None:
    prospectus = course.prospectus
    for _ in range(size):
        venue = make_venue()
        make_session(course, venue=venue)
        make_user(agency=make_agency(listed=False))
        other_review = make_case_review()
        link(course, other_review)
        link(make_course(prospectus), review)
    db.session.commit()


def statements(browser, count_queries, values: dict) -> dict[str, int]:
    counts = {}
    for page in LISTS:
        url = page.format(**values)
        with count_queries() as counted:
            assert browser.get(url).status_code == 200, url
        counts[url] = len(counted)
    return counts


def test_lists_issue_a_fixed_number_of_queries(as_coordinator, course, review, count_queries):
    values = {"course_id": course.id, "review_id": review.id}
    grow(course, review, 2)
    small = statements(as_coordinator, count_queries, values)

    grow(course, review, 10)
    large = statements(as_coordinator, count_queries, values)

    assert large == small
