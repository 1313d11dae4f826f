"""The rules of venues, agencies, case reviews and lesson links, without HTTP.

Each service takes plain values and a database session and refuses a broken rule with a
message for a person; a refusal changes nothing. The pages are tested in
test_admin_places_and_reviews_web.py.
"""

from datetime import timedelta

import pytest

from app.admin.agencies import service as agencies
from app.admin.case_reviews import lesson_links
from app.admin.case_reviews import service as case_reviews
from app.admin.venues import service as venues
from app.catalogue.queries import catalogue_fingerprint
from app.extensions import db
from app.models import Agency, CaseReview, CaseReviewReport, LessonLink, Sector, Venue, utcnow
from tests.conftest import count
from tests.factories import (
    link,
    make_agency,
    make_case_review,
    make_course,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
)


def venue_details(**fields) -> venues.VenueDetails:
    defaults = dict(
        name="Riverside House",
        address="Main Street\nRotherham",
        postcode="S60 1AE",
        access_information="Step-free access.",
    )
    return venues.VenueDetails(**(defaults | fields))


def review_details(**fields) -> case_reviews.CaseReviewDetails:
    defaults = dict(
        title="Child T - Serious Case Review",
        year=2014,
        summary="What happened.",
        practice_points="Act on concerns at once.",
        reflection_questions="What would you do?",
        reports=(),
    )
    return case_reviews.CaseReviewDetails(**(defaults | fields))


def report(title: str, url: str) -> case_reviews.ReportDetails:
    return case_reviews.ReportDetails(title=title, url=url)


# Venues -----------------------------------------------------------------------------------


def test_a_new_venue_is_saved_tidied(app):
    venue = venues.create_venue(
        db.session,
        venue_details(
            name="  Riverside   House ",
            address=" Main Street \n\n  Rotherham ",
            postcode=" s60   1ae",
        ),
    )

    assert venue.name == "Riverside House"
    assert venue.address_lines == ["Main Street", "Rotherham"]
    assert venue.address == "Main Street\nRotherham"
    assert venue.postcode == "S60 1AE"


@pytest.mark.parametrize("postcode", ["", "60 1AE", "S60", "S60 1AEX", "not a postcode"])
def test_a_venue_needs_a_real_postcode(app, postcode):
    with pytest.raises(venues.VenueError, match="Enter a real postcode") as refused:
        venues.create_venue(db.session, venue_details(postcode=postcode))

    assert refused.value.field == "postcode"
    assert count(Venue) == 0


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("S60 1AE", "S60 1AE"), ("s601ae", "S60 1AE"), ("m1 1aa", "M1 1AA"), ("EC1A1BB", "EC1A 1BB")],
)
def test_postcodes_of_every_shape_are_kept_in_capitals_with_one_space(typed, kept):
    assert venues.normal_postcode(typed) == kept


def test_a_venue_name_is_not_used_twice_whatever_its_case(app):
    make_venue(name="Riverside House")

    with pytest.raises(
        venues.VenueError, match="already a venue called RIVERSIDE house"
    ) as refused:
        venues.create_venue(db.session, venue_details(name="RIVERSIDE house"))

    assert refused.value.field == "name"
    assert count(Venue) == 1


def test_a_venue_keeps_its_own_name_when_changed(app):
    venue = make_venue(name="Riverside House")

    venues.update_venue(
        db.session, venue, venue_details(name="Riverside House", postcode="S60 2AA")
    )

    assert venue.postcode == "S60 2AA"


def test_a_blank_venue_name_is_refused_and_the_venue_kept_as_it_was(app):
    venue = make_venue(name="Riverside House")

    with pytest.raises(venues.VenueError, match="Enter the venue's name"):
        venues.update_venue(db.session, venue, venue_details(name="   ", postcode="M1 1AA"))

    assert venue.name == "Riverside House"
    assert venue.postcode == "S60 1AE"


def test_an_unused_venue_is_deleted(app):
    venue = make_venue()

    venues.delete_venue(db.session, venue)
    db.session.flush()

    assert count(Venue) == 0


def test_a_venue_with_any_session_is_not_deleted(app):
    venue = make_venue(name="Riverside House")
    course = make_course(make_prospectus())
    make_session(course, venue=venue)
    make_session(course, venue=venue, starts_at=utcnow() - timedelta(days=300))

    with pytest.raises(venues.VenueError) as refused:
        venues.delete_venue(db.session, venue)
    db.session.flush()

    assert str(refused.value) == (
        "Riverside House cannot be deleted: 2 sessions are held there. "
        "Move them to another venue first."
    )
    assert count(Venue) == 1


def test_venues_are_listed_by_name_with_their_sessions(app):
    busy, quiet = make_venue(name="B venue"), make_venue(name="A venue")
    course = make_course(make_prospectus())
    make_session(course, venue=busy)
    make_session(course, venue=busy)

    assert venues.venues_with_session_counts(db.session) == [(quiet, 0), (busy, 2)]


# Agencies ---------------------------------------------------------------------------------


def agency_details(**fields) -> agencies.AgencyDetails:
    defaults = dict(name="Rotherham Hospital", sector=Sector.HEALTH, listed=True)
    return agencies.AgencyDetails(**(defaults | fields))


def test_a_new_agency_is_saved_with_its_sector(app):
    agency = agencies.create_agency(db.session, agency_details(name=" Rotherham  Hospital "))

    assert (agency.name, agency.sector, agency.listed) == (
        "Rotherham Hospital",
        Sector.HEALTH,
        True,
    )


def test_an_agency_name_is_not_used_twice_whatever_its_case(app):
    make_agency(name="Rotherham Hospital")
    typed_in = make_agency(name="rotherham hospital trust", listed=False)

    with pytest.raises(agencies.AgencyError, match="already an agency called") as refused:
        agencies.update_agency(db.session, typed_in, agency_details(name="ROTHERHAM HOSPITAL"))

    assert refused.value.field == "name"
    assert typed_in.name == "rotherham hospital trust"


def test_checking_a_typed_in_agency_lists_it_in_its_sector(app):
    typed_in = make_agency(name="Kids First CIC", sector=Sector.OTHER, listed=False)

    agencies.update_agency(
        db.session,
        typed_in,
        agency_details(name="Kids First CIC", sector=Sector.VOLUNTARY, listed=True),
    )

    assert (typed_in.sector, typed_in.listed) == (Sector.VOLUNTARY, True)


def test_merging_moves_everyone_to_the_agency_kept_and_removes_the_duplicate(app):
    kept = make_agency(name="Rotherham Hospital")
    duplicate = make_agency(name="Rotherham hosp", listed=False)
    movers = [make_user(agency=duplicate), make_user(agency=duplicate)]
    stayer = make_user(agency=kept)
    elsewhere = make_user(agency=make_agency(name="South Yorkshire Police"))

    into, moved = agencies.merge_agency(db.session, duplicate, kept.id)
    db.session.commit()

    assert (into, moved) == (kept, 2)
    assert db.session.get(Agency, duplicate.id) is None
    assert {person.agency_id for person in [*movers, stayer]} == {kept.id}
    assert elsewhere.agency.name == "South Yorkshire Police"


def test_an_agency_is_not_merged_into_itself(app):
    agency = make_agency(name="Rotherham hosp", listed=False)
    person = make_user(agency=agency)

    with pytest.raises(agencies.AgencyError, match="cannot be merged into itself") as refused:
        agencies.merge_agency(db.session, agency, agency.id)
    db.session.flush()

    assert refused.value.field == "into"
    assert person.agency_id == agency.id
    assert count(Agency) == 1


def test_an_agency_is_not_merged_into_one_that_is_not_there(app):
    agency = make_agency(listed=False)

    with pytest.raises(agencies.AgencyError, match="from the list"):
        agencies.merge_agency(db.session, agency, agency.id + 1000)

    assert count(Agency) == 1


def test_agencies_typed_in_come_first_with_how_many_work_there(app):
    listed = make_agency(name="A listed agency")
    typed_in = make_agency(name="Z typed in", listed=False)
    make_user(agency=typed_in)

    rows = agencies.agencies_with_people(db.session)

    assert [(row.agency, row.people) for row in rows] == [(typed_in, 1), (listed, 0)]
    assert agencies.other_agencies(db.session, typed_in) == [listed]


# Case reviews -----------------------------------------------------------------------------


def test_a_new_case_review_is_a_draft_with_an_address_from_its_title(app):
    review = case_reviews.create_case_review(
        db.session,
        review_details(
            title="  Child T:  Serious Case Review ",
            reflection_questions=" What would you do? \n\n Who would you tell?\n",
            reports=(
                report("Overview report", "https://example.org/overview.pdf"),
                report(" Executive  summary ", " http://example.org/summary.pdf "),
            ),
        ),
    )

    assert review.published is False
    assert review.title == "Child T: Serious Case Review"
    assert review.slug == "child-t-serious-case-review"
    assert review.questions == ["What would you do?", "Who would you tell?"]
    assert [(r.title, r.url, r.position) for r in review.reports] == [
        ("Overview report", "https://example.org/overview.pdf", 0),
        ("Executive summary", "http://example.org/summary.pdf", 1),
    ]


def test_a_title_used_before_gets_a_numbered_address(app):
    make_case_review("child-t-serious-case-review")
    make_case_review("child-t-serious-case-review-2")

    review = case_reviews.create_case_review(db.session, review_details())

    assert review.slug == "child-t-serious-case-review-3"


@pytest.mark.parametrize(
    ("title", "slug"),
    [("Children's services & schools", "childrens-services-and-schools"), ("***", "case-review")],
)
def test_an_address_is_made_as_a_course_s_is_or_else_is_case_review(app, title, slug):
    review = case_reviews.create_case_review(db.session, review_details(title=title))

    assert review.slug == slug


def test_the_address_follows_the_title_until_the_review_is_published(app):
    review = case_reviews.create_case_review(db.session, review_details(title="Child T"))
    case_reviews.update_case_review(db.session, review, review_details(title="Child U"))
    assert review.slug == "child-u"

    case_reviews.publish(review)
    case_reviews.update_case_review(db.session, review, review_details(title="Child V"))

    assert (review.title, review.slug) == ("Child V", "child-u")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.org/report.pdf",
        "example.org/report.pdf",
        "https://",
        "https://example.org/a report.pdf",
        "",
    ],
)
def test_a_report_needs_a_web_address(app, url):
    review = make_case_review(title="Child D")

    with pytest.raises(case_reviews.CaseReviewError) as refused:
        case_reviews.update_case_review(
            db.session,
            review,
            review_details(
                title="Child E",
                reports=(report("Summary", "https://example.org/s.pdf"), report("Overview", url)),
            ),
        )
    db.session.flush()

    assert str(refused.value) == (
        "Enter the web address of report 2, starting with http:// or https://"
    )
    assert review.title == "Child D"
    assert [r.title for r in review.reports] == ["Overview report"]


def test_a_report_needs_a_title(app):
    with pytest.raises(case_reviews.CaseReviewError, match="Enter the title of report 1"):
        case_reviews.create_case_review(
            db.session, review_details(reports=(report(" ", "https://example.org/a.pdf"),))
        )

    assert count(CaseReview) == 0


def test_reports_are_changed_in_place_reordered_and_removed(app):
    review = case_reviews.create_case_review(
        db.session,
        review_details(
            reports=(
                report("Overview", "https://example.org/o.pdf"),
                report("Summary", "https://example.org/s.pdf"),
                report("Letter", "https://example.org/l.pdf"),
            )
        ),
    )
    first_row = review.reports[0].id

    case_reviews.update_case_review(
        db.session,
        review,
        review_details(
            reports=(
                report("Summary", "https://example.org/s.pdf"),
                report("Overview", "https://example.org/o.pdf"),
            )
        ),
    )
    db.session.commit()

    db.session.expire_all()
    assert [(r.title, r.position) for r in review.reports] == [("Summary", 0), ("Overview", 1)]
    assert review.reports[0].id == first_row
    assert count(CaseReviewReport) == 2


def test_publishing_and_unpublishing(app):
    review = make_case_review(published=False)

    case_reviews.publish(review)
    assert review.published is True
    case_reviews.unpublish(review)
    assert review.published is False


def test_a_review_no_course_draws_on_is_deleted_with_its_reports(app):
    review = make_case_review()

    case_reviews.delete_case_review(db.session, review)
    db.session.flush()

    assert count(CaseReview) == count(CaseReviewReport) == 0


def test_a_review_courses_draw_on_is_not_deleted(app):
    review = make_case_review(title="Child R - Serious Case Review")
    prospectus = make_prospectus()
    link(make_course(prospectus), review)
    link(make_course(prospectus), review)

    with pytest.raises(case_reviews.CaseReviewError) as refused:
        case_reviews.delete_case_review(db.session, review)
    db.session.flush()

    assert str(refused.value) == (
        "Child R - Serious Case Review cannot be deleted: 2 courses draw on it. "
        "Remove those links first, or unpublish the review instead."
    )
    assert count(CaseReview) == 1
    assert count(LessonLink) == 2


def test_case_reviews_are_listed_newest_first_with_their_courses(app):
    undated = make_case_review(title="Child R", year=None)
    old = make_case_review(title="Child S", year=2012)
    new = make_case_review(title="Child T", year=2020)
    link(make_course(make_prospectus()), old)

    rows = case_reviews.case_reviews_with_course_counts(db.session)

    assert [(row.review, row.courses) for row in rows] == [(new, 0), (old, 1), (undated, 0)]


# Lesson links -----------------------------------------------------------------------------


@pytest.fixture
def course(app):
    return make_course(make_prospectus(), title="Understanding neglect")


@pytest.fixture
def review(app):
    return make_case_review(title="Child R - Serious Case Review")


def test_a_course_is_linked_to_a_review_with_a_note(course, review):
    added = lesson_links.add_link(db.session, course.id, review.id, "  Missed visits. ")

    assert (added.course_id, added.case_review_id, added.note) == (
        course.id,
        review.id,
        "Missed visits.",
    )
    assert lesson_links.links_of_course(db.session, course) == [added]
    assert lesson_links.links_of_review(db.session, review) == [added]


def test_a_course_and_a_review_are_linked_once(course, review):
    lesson_links.add_link(db.session, course.id, review.id, "Missed visits.")

    with pytest.raises(lesson_links.LessonLinkError) as refused:
        lesson_links.add_link(db.session, course.id, review.id, "Again.")

    assert str(refused.value) == (
        "Understanding neglect already draws on Child R - Serious Case Review: "
        "change the note of that link instead"
    )
    assert refused.value.field is None
    assert count(LessonLink) == 1


def test_a_link_needs_a_note(course, review):
    with pytest.raises(lesson_links.LessonLinkError, match="Say how the course uses") as refused:
        lesson_links.add_link(db.session, course.id, review.id, "   ")

    assert refused.value.field == "note"
    assert count(LessonLink) == 0


def test_a_link_needs_a_course_and_a_review_that_are_there(course, review):
    with pytest.raises(lesson_links.LessonLinkError, match="Choose a course") as no_course:
        lesson_links.add_link(db.session, course.id + 1000, review.id, "Note.")
    with pytest.raises(lesson_links.LessonLinkError, match="Choose a case review") as no_review:
        lesson_links.add_link(db.session, course.id, review.id + 1000, "Note.")

    assert (no_course.value.field, no_review.value.field) == ("course", "case_review")
    assert count(LessonLink) == 0


def test_a_note_is_changed_but_never_emptied(course, review):
    link(course, review, note="Missed visits.")
    (found,) = lesson_links.links_of_course(db.session, course)

    lesson_links.change_link(db.session, found, " Joint enquiries. ", [], utcnow())
    assert found.note == "Joint enquiries."
    with pytest.raises(lesson_links.LessonLinkError, match="Say how the course uses"):
        lesson_links.change_link(db.session, found, "", [], utcnow())

    assert found.note == "Joint enquiries."


def test_a_link_is_removed_leaving_the_course_and_the_review(course, review):
    link(course, review)
    (found,) = lesson_links.links_of_review(db.session, review)

    lesson_links.remove_link(db.session, found)
    db.session.flush()

    assert count(LessonLink) == 0
    assert lesson_links.all_case_reviews(db.session) == [review]
    assert lesson_links.all_courses(db.session) == [course]


def test_links_are_listed_by_review_title_and_by_course_title(app):
    prospectus = make_prospectus()
    neglect, abuse = (
        make_course(prospectus, title="Neglect"),
        make_course(prospectus, title="Abuse"),
    )
    child_s, child_r = make_case_review(title="Child S"), make_case_review(title="Child R")
    for course in (neglect, abuse):
        for review in (child_s, child_r):
            link(course, review)

    by_course = lesson_links.links_of_course(db.session, neglect)
    by_review = lesson_links.links_of_review(db.session, child_s)

    assert [found.case_review.title for found in by_course] == ["Child R", "Child S"]
    assert [found.course.title for found in by_review] == ["Abuse", "Neglect"]


# What the PDF prospectus is keyed by --------------------------------------------------------


def fingerprint_after(change) -> tuple[str, str]:
    """The catalogue's fingerprint before and after a committed change."""
    db.session.commit()
    before = catalogue_fingerprint(db.session, utcnow())
    change()
    db.session.commit()
    return before, catalogue_fingerprint(db.session, utcnow())


@pytest.mark.parametrize(
    "change",
    [
        lambda course, review, found: lesson_links.change_link(
            db.session, found, "A new note.", [], utcnow()
        ),
        lambda course, review, found: lesson_links.remove_link(db.session, found),
        lambda course, review, found: lesson_links.add_link(
            db.session, make_course(course.prospectus).id, review.id, "Also."
        ),
        lambda course, review, found: case_reviews.unpublish(review),
        lambda course, review, found: case_reviews.update_case_review(
            db.session, review, review_details(title="Child R - renamed")
        ),
    ],
    ids=["note changed", "link removed", "link added", "review unpublished", "review renamed"],
)
def test_the_fingerprint_changes_with_every_link_and_review_change(course, review, change):
    found = lesson_links.add_link(db.session, course.id, review.id, "Missed visits.")

    before, after = fingerprint_after(lambda: change(course, review, found))

    assert before != after
