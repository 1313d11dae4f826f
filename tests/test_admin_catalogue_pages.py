"""The coordinator's prospectus, course and session pages, as a browser uses them: who may
see them, forms and their errors, publishing, deleting, the audit log and query counts.

The rules themselves are tested without HTTP in test_admin_catalogue_rules.py; what the
public then sees, in test_admin_catalogue_public.py.
"""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AuditEntry,
    BookingStatus,
    Course,
    CourseSession,
    Delivery,
    OutboxMessage,
    Prospectus,
    Role,
    Sector,
)
from tests.conftest import (
    csrf_token,
    field_errors,
    press,
    signed_in_as,
    submit,
    summary_errors,
    words,
)
from tests.factories import (
    PASSWORD,
    fill,
    make_course,
    make_external_training,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
)

#: 9:30am in London in June 2037 (summer time).
SUMMER_MORNING = datetime(2037, 6, 11, 8, 30, tzinfo=UTC)


def error_summary(response) -> str:
    found = re.search(r'<div class="govuk-error-summary".*?</ul>', response.text, re.S)
    assert found, "the page has no error summary"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


def fresh(model, record_id: int):
    db.session.expire_all()
    return db.session.get(model, record_id)


def audit_entries(record_type: str, record_id: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.record_type == record_type, AuditEntry.record_id == record_id)
            .order_by(AuditEntry.id)
        )
    )


# Who may see the pages --------------------------------------------------------------------


@pytest.fixture
def catalogue(app):
    """A prospectus, a course and a session, with a trainer assigned to the session."""
    prospectus = make_prospectus("multi-agency")
    course = make_course(prospectus)
    trainer = make_user(password=PASSWORD, role=Role.TRAINER)
    session = make_session(course, starts_at=SUMMER_MORNING, trainers=[trainer])
    return prospectus, course, session, trainer


def page_urls(prospectus, course, session) -> list[str]:
    return [
        "/admin/prospectuses",
        "/admin/prospectuses/new",
        f"/admin/prospectuses/{prospectus.id}",
        f"/admin/prospectuses/{prospectus.id}/edit",
        f"/admin/prospectuses/{prospectus.id}/delete",
        "/admin/courses",
        f"/admin/courses?prospectus={prospectus.id}",
        "/admin/courses/new",
        f"/admin/courses/{course.id}",
        f"/admin/courses/{course.id}/edit",
        f"/admin/courses/{course.id}/delete",
        f"/admin/courses/{course.id}/sessions/new",
        "/admin/sessions",
        "/admin/sessions/new",
        "/admin/sessions?show=past",
        f"/admin/sessions/{session.id}",
        f"/admin/sessions/{session.id}/edit",
        f"/admin/sessions/{session.id}/reschedule",
        f"/admin/sessions/{session.id}/capacity",
        f"/admin/sessions/{session.id}/cancel",
        f"/admin/sessions/{session.id}/delete",
    ]


def button_urls(prospectus, course, session) -> list[str]:
    return [
        f"/admin/prospectuses/{prospectus.id}/publish",
        f"/admin/prospectuses/{prospectus.id}/unpublish",
        f"/admin/courses/{course.id}/publish",
        f"/admin/courses/{course.id}/unpublish",
        f"/admin/sessions/{session.id}/publish",
        f"/admin/sessions/{session.id}/unpublish",
    ]


def test_anonymous_visitors_are_sent_to_sign_in(app, client, catalogue):
    prospectus, course, session, _ = catalogue
    for url in page_urls(prospectus, course, session):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith("/account/sign-in"), url


@pytest.mark.parametrize("role", [Role.PROFESSIONAL, Role.TRAINER])
def test_only_coordinators_may_see_or_change_the_catalogue(app, catalogue, role):
    prospectus, course, session, trainer = catalogue
    person = trainer if role is Role.TRAINER else make_user(password=PASSWORD, role=role)
    browser = signed_in_as(app, person)
    token = csrf_token(browser.get("/account/profile").text)

    for url in page_urls(prospectus, course, session):
        assert browser.get(url).status_code == 403, url
    for url in button_urls(prospectus, course, session):
        assert browser.post(url, data={"csrf_token": token}).status_code == 403, url
    assert fresh(Prospectus, prospectus.id).published is True


def test_every_page_answers_a_coordinator(as_coordinator, catalogue):
    prospectus, course, session, _ = catalogue
    for url in page_urls(prospectus, course, session):
        assert as_coordinator.get(url).status_code == 200, url


def test_a_button_without_its_form_token_changes_nothing(as_coordinator, catalogue):
    prospectus, *_ = catalogue

    response = as_coordinator.post(f"/admin/prospectuses/{prospectus.id}/unpublish")

    assert response.status_code == 400
    assert fresh(Prospectus, prospectus.id).published is True


def test_unknown_records_are_not_found(as_coordinator):
    for url in ("/admin/prospectuses/999", "/admin/courses/999", "/admin/sessions/999"):
        assert as_coordinator.get(url).status_code == 404


@pytest.mark.parametrize(
    ("address", "section", "current"),
    [
        ("/admin", "Overview", "page"),
        ("/admin/courses", "Courses", "page"),
        ("/admin/courses/{course}/edit", "Courses", "true"),
        ("/admin/courses/{course}/case-reviews", "Courses", "true"),
        ("/admin/sessions/{session}/capacity", "Sessions", "true"),
        ("/admin/prospectuses/{prospectus}", "Prospectuses", "true"),
        ("/admin/venues/new", "Venues", "true"),
    ],
)
def test_the_menu_marks_the_section_a_page_is_in(
    as_coordinator, catalogue, address, section, current
):
    prospectus, course, session, _ = catalogue
    url = address.format(prospectus=prospectus.id, course=course.id, session=session.id)

    page = as_coordinator.get(url).text

    menu = re.search(r'<nav class="app-subnav".*?</nav>', page, re.S).group(0)
    assert re.findall(r'aria-current="(\w+)">([^<]+)</a>', menu) == [(current, section)]


# Prospectuses -----------------------------------------------------------------------------

NEW_PROSPECTUS = {
    "title": "Early Help learning and development prospectus",
    "slug": "early-help",
    "year": "2026",
    "introduction": "Courses for practitioners who support families.",
    "position": "2",
}


def test_a_coordinator_adds_a_prospectus_as_a_draft(as_coordinator, coordinator):
    response = submit(as_coordinator, "/admin/prospectuses/new", NEW_PROSPECTUS)

    made = db.session.scalar(select(Prospectus))
    assert response.status_code == 302
    assert response.location == f"/admin/prospectuses/{made.id}"
    assert (made.slug, made.year, made.published) == ("early-help", 2026, False)
    page = as_coordinator.get(response.location)
    assert "Early Help learning and development prospectus has been added as a draft." in (
        words(page.text)
    )
    [entry] = audit_entries("prospectus", made.id)
    assert entry.actor_id == coordinator.id
    assert entry.action == "created"
    assert entry.changes["title"] == [None, NEW_PROSPECTUS["title"]]


def test_prospectus_form_errors_show_at_the_top_and_at_each_field_keeping_what_was_typed(
    as_coordinator,
):
    response = submit(
        as_coordinator,
        "/admin/prospectuses/new",
        NEW_PROSPECTUS | {"title": "", "year": "twenty twenty-six"},
    )

    assert response.status_code == 400
    assert "<title>Error: " in response.text
    assert "There is a problem" in error_summary(response)
    assert 'href="#title"' in response.text and 'href="#year"' in response.text
    assert field_errors(response.text)["title"] == "Enter the prospectus's title"
    assert field_errors(response.text)["year"] == "Enter the year as a whole number, like 2026"
    assert 'value="twenty twenty-six"' in response.text
    assert "Courses for practitioners who support families." in response.text
    assert db.session.scalar(select(Prospectus)) is None


def test_a_web_address_in_use_is_refused_at_the_field(as_coordinator):
    make_prospectus("early-help", title="The Early Help prospectus")

    response = submit(as_coordinator, "/admin/prospectuses/new", NEW_PROSPECTUS)

    assert response.status_code == 400
    assert field_errors(response.text)["slug"] == (
        "The web address /prospectuses/early-help is already used by "
        "The Early Help prospectus: type another"
    )
    assert 'value="Early Help learning and development prospectus"' in response.text


def test_a_coordinator_edits_publishes_and_unpublishes_a_prospectus(as_coordinator, coordinator):
    prospectus = make_prospectus("early-help", title="Early Help", published=False)
    url = f"/admin/prospectuses/{prospectus.id}"

    form = as_coordinator.get(f"{url}/edit")
    assert 'value="Early Help"' in form.text
    edited = submit(as_coordinator, f"{url}/edit", NEW_PROSPECTUS | {"title": "Early Help 2026"})
    published = press(as_coordinator, url, f"{url}/publish")
    after_publishing = fresh(Prospectus, prospectus.id).published
    unpublished = press(as_coordinator, url, f"{url}/unpublish")

    assert edited.status_code == published.status_code == unpublished.status_code == 302
    assert after_publishing is True
    assert fresh(Prospectus, prospectus.id).published is False
    assert fresh(Prospectus, prospectus.id).title == "Early Help 2026"
    changes = [entry.changes for entry in audit_entries("prospectus", prospectus.id)]
    assert {"title": ["Early Help", "Early Help 2026"]}.items() <= changes[0].items()
    assert changes[1:] == [{"published": [False, True]}, {"published": [True, False]}]


def test_a_prospectus_with_courses_is_not_deleted(as_coordinator):
    prospectus = make_prospectus(published=False)
    make_course(prospectus, published=False)
    url = f"/admin/prospectuses/{prospectus.id}/delete"

    response = submit(as_coordinator, url, {})

    assert response.status_code == 400
    assert "it holds 1 course" in error_summary(response)
    assert fresh(Prospectus, prospectus.id) is not None


def test_an_empty_draft_prospectus_is_deleted(as_coordinator, coordinator):
    prospectus = make_prospectus(published=False)
    prospectus_id = prospectus.id

    response = submit(as_coordinator, f"/admin/prospectuses/{prospectus_id}/delete", {})

    assert response.status_code == 302 and response.location == "/admin/prospectuses"
    assert fresh(Prospectus, prospectus_id) is None
    [deleted] = audit_entries("prospectus", prospectus_id)
    assert (deleted.action, deleted.actor_id) == ("deleted", coordinator.id)
    assert deleted.changes["slug"] == ["multi-agency", None]


# Courses ----------------------------------------------------------------------------------


def new_course(prospectus: Prospectus, **changes) -> dict:
    return {
        "prospectus": str(prospectus.id),
        "title": "Understanding neglect",
        "slug": "",
        "summary": "Recognising neglect and what to do about it.",
        "description": "## What it covers\n\nThe **signs** of neglect.<script>alert(1)</script>",
        "audience": "Anyone who works with families.",
        "sectors": ["health", "early-years"],
        "level": "2",
        "duration": "Half day",
        "cpd_hours": "3",
        "delivery": "in-person",
        "external_url": "",
        "charges_policy": "Free.",
        "what_to_bring": "A pen.",
        "requires_approval": "y",
    } | changes


def test_a_coordinator_adds_a_course_as_a_draft(as_coordinator, coordinator):
    prospectus = make_prospectus("early-help")

    response = submit(
        as_coordinator, f"/admin/courses/new?prospectus={prospectus.id}", new_course(prospectus)
    )

    made = db.session.scalar(select(Course))
    assert response.status_code == 302 and response.location == f"/admin/courses/{made.id}"
    assert made.slug == "understanding-neglect" and made.published is False
    assert set(made.sectors) == {Sector.HEALTH, Sector.EARLY_YEARS}
    assert (made.level, made.delivery, made.requires_approval) == (2, Delivery.IN_PERSON, True)
    assert audit_entries("course", made.id)[0].actor_id == coordinator.id
    assert len(audit_entries("course audience", made.id)) == 2


def test_the_new_course_form_starts_in_the_prospectus_it_was_opened_from(as_coordinator):
    prospectus = make_prospectus("early-help")

    page = as_coordinator.get(f"/admin/courses/new?prospectus={prospectus.id}")

    assert re.search(rf'<option value="{prospectus.id}" selected', page.text)


def test_course_form_errors_keep_what_was_typed_and_chosen(as_coordinator):
    prospectus = make_prospectus("early-help")
    typed = new_course(prospectus, title="", level="", delivery="")
    del typed["level"], typed["delivery"]

    response = submit(as_coordinator, "/admin/courses/new", typed)

    assert response.status_code == 400
    summary = error_summary(response)
    for message in ("Enter the course's title", "Choose the course's level",
                    "Choose how the course is delivered"):  # fmt: skip
        assert message in summary
    assert field_errors(response.text)["level"] == "Choose the course's level"
    assert "Recognising neglect and what to do about it." in response.text
    assert re.search(r'value="health" checked', response.text)
    assert re.search(r'value="early-years" checked', response.text)
    assert not re.search(r'value="police" checked', response.text)
    assert db.session.scalar(select(Course)) is None


def test_e_learning_without_its_address_is_refused_at_the_address(as_coordinator):
    prospectus = make_prospectus("early-help")

    response = submit(
        as_coordinator, "/admin/courses/new", new_course(prospectus, delivery="e-learning")
    )

    assert response.status_code == 400
    assert field_errors(response.text)["external_url"] == (
        "Enter the web address where people start the e-learning"
    )
    assert re.search(r'value="e-learning" checked', response.text)


def test_the_course_page_shows_the_description_through_the_sanitiser(as_coordinator):
    course = make_course(make_prospectus(), description="The **signs**.<script>alert(1)</script>")

    page = as_coordinator.get(f"/admin/courses/{course.id}")

    assert "<strong>signs</strong>" in page.text
    assert "<script>alert(1)" not in page.text


def test_a_coordinator_edits_publishes_and_unpublishes_a_course(as_coordinator, coordinator):
    prospectus = make_prospectus("early-help", title="Early Help", published=False)
    course = make_course(prospectus, title="Neglect", slug="neglect", published=False)
    url = f"/admin/courses/{course.id}"

    form = as_coordinator.get(f"{url}/edit")
    edited = submit(as_coordinator, f"{url}/edit", new_course(prospectus, slug="neglect"))
    published = press(as_coordinator, url, f"{url}/publish")
    shown = words(as_coordinator.get(url).text)

    assert 'value="Neglect"' in form.text
    assert edited.status_code == published.status_code == 302
    course = fresh(Course, course.id)
    assert (course.title, course.slug, course.published) == (
        "Understanding neglect",
        "neglect",
        True,
    )
    assert "It will be public once Early Help is published too." in shown
    assert "Not public yet: its prospectus is a draft." in shown

    assert press(as_coordinator, url, f"{url}/unpublish").status_code == 302
    assert fresh(Course, course.id).published is False
    actions = [(entry.action, entry.actor_id) for entry in audit_entries("course", course.id)]
    assert actions == [("changed", coordinator.id)] * 3


def test_a_course_recorded_as_done_elsewhere_is_not_deleted(as_coordinator):
    course = make_course(make_prospectus(), published=False)
    make_external_training(make_user(), course)

    response = submit(as_coordinator, f"/admin/courses/{course.id}/delete", {})

    assert response.status_code == 400
    assert "cannot be deleted: 1 record of training done elsewhere" in error_summary(response)
    assert fresh(Course, course.id) is not None


def test_a_booked_course_is_not_deleted(as_coordinator):
    course = make_course(make_prospectus(), published=False)
    fill(make_session(course, starts_at=SUMMER_MORNING), 1)

    response = submit(as_coordinator, f"/admin/courses/{course.id}/delete", {})

    assert response.status_code == 400
    assert "cannot be deleted: its sessions have 1 booking" in error_summary(response)
    assert fresh(Course, course.id) is not None


def test_a_draft_course_nobody_booked_is_deleted_with_its_sessions(as_coordinator):
    course = make_course(make_prospectus(), published=False)
    session = make_session(course, starts_at=SUMMER_MORNING)
    course_id, session_id = course.id, session.id

    response = submit(as_coordinator, f"/admin/courses/{course_id}/delete", {})

    assert response.status_code == 302 and response.location == "/admin/courses"
    assert fresh(Course, course_id) is None and fresh(CourseSession, session_id) is None
    assert audit_entries("session", session_id)[-1].action == "deleted"


# Sessions ---------------------------------------------------------------------------------


@pytest.fixture
def course(app) -> Course:
    return make_course(make_prospectus("early-help"), title="Understanding neglect")


def new_session(**changes) -> dict:
    return {
        "date": ["11", "6", "2037"],
        "start_time": "9:30am",
        "end_time": "12:30pm",
        "venue": "online",
        "online_join_url": "https://meet.example.org/j/1",
        "capacity": "16",
        "trainers": [],
        "opens_date": ["", "", ""],
        "opens_time": "",
        "closes_date": ["9", "6", "2037"],
        "closes_time": "17:00",
        "cutoff_hours": "48",
    } | changes


def test_a_coordinator_schedules_a_session_in_london_time(as_coordinator, course, coordinator):
    trainer = make_user(name="Tara Trainer", role=Role.TRAINER)
    venue = make_venue(name="Riverside House")
    url = f"/admin/courses/{course.id}/sessions/new"

    form = as_coordinator.get(url)
    response = submit(
        as_coordinator, url, new_session(venue=str(venue.id), trainers=[str(trainer.id)])
    )

    made = db.session.scalar(select(CourseSession))
    assert "Tara Trainer" in form.text and "Riverside House" in form.text
    assert response.status_code == 302 and response.location == f"/admin/sessions/{made.id}"
    assert made.starts_at == SUMMER_MORNING
    assert made.ends_at == SUMMER_MORNING + timedelta(hours=3)
    assert made.booking_closes_at == datetime(2037, 6, 9, 16, 0, tzinfo=UTC)
    assert made.booking_opens_at is None
    assert (made.venue_id, made.capacity, made.cancellation_cutoff_hours) == (venue.id, 16, 48)
    assert made.trainers == [trainer] and made.published is False
    [entry] = audit_entries("session", made.id)
    assert entry.actor_id == coordinator.id
    assert entry.changes["trainers"] == [None, ["Tara Trainer"]]
    shown = words(as_coordinator.get(response.location).text)
    assert "9:30am to 12:30pm" in shown and "Thursday 11 June 2037" in shown


def test_a_session_is_added_from_the_list_of_sessions_course_first(as_coordinator, course):
    elsewhere = make_course(course.prospectus, title="Online CSE", delivery=Delivery.E_LEARNING)
    other = make_course(make_prospectus("multi-agency", title="Multi-agency"), title="Neglect")
    listed = as_coordinator.get("/admin/sessions")

    assert 'href="/admin/sessions/new">Add a session</a>' in listed.text
    asked = as_coordinator.get("/admin/sessions/new")
    assert asked.status_code == 200
    options = dict(re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', asked.text))
    assert options[str(course.id)] == (
        "Understanding neglect (Multi-agency learning and development prospectus)"
    )
    assert options[str(other.id)] == "Neglect (Multi-agency)"
    assert str(elsewhere.id) not in options

    chosen = as_coordinator.get(f"/admin/sessions/new?course={course.id}&submit=Continue")
    assert chosen.status_code == 302
    assert chosen.location == f"/admin/courses/{course.id}/sessions/new"
    added = submit(as_coordinator, chosen.location, new_session())

    made = db.session.scalar(select(CourseSession))
    assert added.status_code == 302 and added.location == f"/admin/sessions/{made.id}"
    assert made.course_id == course.id and made.starts_at == SUMMER_MORNING


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ("", "Choose the course the session is of"),
        ("999", "Choose a course from the list"),
        ("elsewhere", "Choose a course from the list"),
        (str(10**20), "Choose a course from the list"),
        ("neglect", "Choose a course from the list"),
    ],
)
def test_a_session_needs_a_course_that_can_have_sessions(as_coordinator, course, chosen, message):
    elsewhere = make_course(course.prospectus, delivery=Delivery.E_LEARNING)
    chosen = str(elsewhere.id) if chosen == "elsewhere" else chosen

    asked = as_coordinator.get(f"/admin/sessions/new?course={chosen}&submit=Continue")

    assert asked.status_code == 400
    assert summary_errors(asked.text) == {"course": message}
    assert field_errors(asked.text) == {"course": message}
    assert "<title>Error: " in asked.text


def test_a_session_s_page_leads_to_its_register(as_coordinator, catalogue):
    *_, session, _ = catalogue

    page = as_coordinator.get(f"/admin/sessions/{session.id}").text

    register = f"/trainer/sessions/{session.id}"
    assert f'href="{register}"' in page
    assert as_coordinator.get(register).status_code == 200


def test_a_time_the_clocks_skip_is_refused_keeping_what_was_typed(as_coordinator, course):
    response = submit(
        as_coordinator,
        f"/admin/courses/{course.id}/sessions/new",
        new_session(
            date=["29", "3", "2037"],
            start_time="1:30am",
            end_time="4am",
            closes_date=["", "", ""],
            closes_time="",
        ),
    )

    assert response.status_code == 400
    assert field_errors(response.text)["start_time"] == (
        "There is no 1:30am on Sunday 29 March 2037: the clocks go forward an hour that night. "
        "Choose another time"
    )
    assert 'value="1:30am"' in response.text
    assert 'id="date-day" name="date" type="text" value="29"' in response.text
    assert db.session.scalar(select(CourseSession)) is None


def test_a_time_that_happens_twice_is_taken_in_summer_time(as_coordinator, course):
    """Documented in app.display.london_moment: the first 1:30am, before the clocks go back."""
    response = submit(
        as_coordinator,
        f"/admin/courses/{course.id}/sessions/new",
        new_session(
            date=["25", "10", "2037"],
            start_time="1:30am",
            end_time="3am",
            closes_date=["", "", ""],
            closes_time="",
        ),
    )

    made = db.session.scalar(select(CourseSession))
    assert response.status_code == 302
    assert made.starts_at == datetime(2037, 10, 25, 0, 30, tzinfo=UTC)
    assert made.ends_at == datetime(2037, 10, 25, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": ["11", "", "2037"]}, "date", "The date of the session must include a month"),
        ({"date": ["31", "6", "2037"]}, "date", "The date of the session must be a real date"),
        ({"start_time": "half nine"}, "start_time", "Enter the start time as a time of day"),
        ({"end_time": ""}, "end_time", "Enter the end time"),
        ({"end_time": "9am"}, "end_time", "The session must end after it starts"),
        ({"venue": ""}, "venue", "Choose where the session is held"),
        ({"venue": "999"}, "venue", "Choose a venue from the list, or online"),
        ({"capacity": "lots"}, "capacity", "Enter the number of places as a whole number"),
        ({"capacity": "0"}, "capacity", "The number of places must be between 1 and 500"),
        ({"trainers": ["999"]}, "trainers", "Choose trainers from the list"),
        ({"closes_time": ""}, "closes_time", "Enter the time booking closes"),
        (
            {"closes_date": ["12", "6", "2037"]},
            "closes_date",
            "Booking must close by the time the session starts, 9:30am on Thursday 11 June 2037",
        ),
    ],
)
def test_what_is_wrong_with_a_new_session_is_said_at_its_field(
    as_coordinator, course, changes, field, message
):
    response = submit(
        as_coordinator, f"/admin/courses/{course.id}/sessions/new", new_session(**changes)
    )

    assert response.status_code == 400
    assert field_errors(response.text)[field].startswith(message)
    assert f'href="#{field}"' in response.text
    assert db.session.scalar(select(CourseSession)) is None


def test_changing_trainers_and_booking_is_logged_with_before_and_after(
    as_coordinator, course, coordinator
):
    before = make_user(name="Alex Before", role=Role.TRAINER)
    after = make_user(name="Bea After", role=Role.TRAINER)
    session = make_session(course, starts_at=SUMMER_MORNING, trainers=[before])
    url = f"/admin/sessions/{session.id}/edit"

    page = as_coordinator.get(url)
    response = submit(
        as_coordinator,
        url,
        {
            "trainers": [str(after.id)],
            "online_join_url": "",
            "opens_date": ["1", "5", "2037"],
            "opens_time": "9am",
            "closes_date": ["", "", ""],
            "closes_time": "",
            "cutoff_hours": "24",
        },
    )

    assert re.search(rf'value="{before.id}" checked', page.text)
    assert response.status_code == 302
    session = fresh(CourseSession, session.id)
    assert session.trainers == [after]
    assert session.booking_opens_at == datetime(2037, 5, 1, 8, 0, tzinfo=UTC)
    [entry] = audit_entries("session", session.id)
    assert entry.actor_id == coordinator.id
    assert entry.changes["trainers"] == [["Alex Before"], ["Bea After"]]
    assert entry.changes["cancellation_cutoff_hours"] == [72, 24]


def test_moving_a_session_tells_the_people_booked(as_coordinator, course):
    session = make_session(
        course, starts_at=SUMMER_MORNING, online_join_url="https://meet.example.org/j/1"
    )
    fill(session, 2)
    url = f"/admin/sessions/{session.id}/reschedule"

    page = as_coordinator.get(url)
    response = submit(
        as_coordinator,
        url,
        {"date": ["12", "6", "2037"], "start_time": "10am", "end_time": "1pm", "venue": "online"},
    )

    assert 'value="9:30am"' in page.text
    assert response.status_code == 302
    moved = fresh(CourseSession, session.id)
    assert moved.starts_at == datetime(2037, 6, 12, 9, 0, tzinfo=UTC)
    assert moved.sequence == 1
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 2


def test_saving_a_session_where_it_already_is_changes_nothing_and_says_so(as_coordinator, course):
    session = make_session(course, starts_at=SUMMER_MORNING, venue=make_venue())
    fill(session, 1)
    url = f"/admin/sessions/{session.id}/reschedule"
    as_coordinator.get(url)

    response = submit(
        as_coordinator,
        url,
        {
            "date": ["11", "6", "2037"],
            "start_time": "9:30am",
            "end_time": "12:30pm",
            "venue": str(session.venue_id),
        },
    )

    assert response.status_code == 302
    page = as_coordinator.get(response.headers["Location"])
    assert "Nothing was changed: the date, times and place are as they were." in page.text
    assert fresh(CourseSession, session.id).sequence == 0
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_fewer_places_than_are_taken_is_refused_at_the_field(as_coordinator, course):
    session = make_session(course, starts_at=SUMMER_MORNING, capacity=5)
    fill(session, 3)

    response = submit(as_coordinator, f"/admin/sessions/{session.id}/capacity", {"capacity": "2"})

    assert response.status_code == 400
    assert field_errors(response.text)["capacity"] == (
        "3 places are taken, so the capacity cannot be less than 3"
    )
    assert 'value="2"' in response.text
    assert fresh(CourseSession, session.id).capacity == 5


def test_more_places_confirm_people_waiting(as_coordinator, course):
    session = make_session(course, starts_at=SUMMER_MORNING, capacity=1)
    fill(session, 1)
    fill(session, 1, status=BookingStatus.WAITING)

    response = submit(as_coordinator, f"/admin/sessions/{session.id}/capacity", {"capacity": "2"})

    assert response.status_code == 302
    assert fresh(CourseSession, session.id).capacity == 2
    assert "A place is yours" in " ".join(db.session.scalars(select(OutboxMessage.subject)))
    assert (
        "The session now has 2 places. 1 person from the waiting list offered a place and emailed."
        in words(as_coordinator.get(response.headers["Location"]).text)
    )


def test_cancelling_a_session_needs_a_reason(as_coordinator, course):
    session = make_session(course, starts_at=SUMMER_MORNING)
    fill(session, 1)
    url = f"/admin/sessions/{session.id}/cancel"

    refused = submit(as_coordinator, url, {"reason": ""})
    cancelled = submit(as_coordinator, url, {"reason": "The trainer is ill"})

    assert refused.status_code == 400
    assert field_errors(refused.text)["reason"] == "Enter why the session is cancelled"
    assert cancelled.status_code == 302
    session = fresh(CourseSession, session.id)
    assert session.is_cancelled and session.cancellation_reason == "The trainer is ill"
    assert "Cancelled" in words(as_coordinator.get(f"/admin/sessions/{session.id}").text)


def test_publishing_and_unpublishing_a_session(as_coordinator, course, coordinator):
    session = make_session(course, starts_at=SUMMER_MORNING, published=False)
    url = f"/admin/sessions/{session.id}"

    assert press(as_coordinator, url, f"{url}/publish").status_code == 302
    assert fresh(CourseSession, session.id).published is True
    assert press(as_coordinator, url, f"{url}/unpublish").status_code == 302
    assert fresh(CourseSession, session.id).published is False
    changes = [entry.changes for entry in audit_entries("session", session.id)]
    assert changes == [{"published": [False, True]}, {"published": [True, False]}]


def test_a_booked_session_is_not_deleted(as_coordinator, course):
    session = make_session(course, starts_at=SUMMER_MORNING, published=False)
    fill(session, 1, status=BookingStatus.CANCELLED)

    response = submit(as_coordinator, f"/admin/sessions/{session.id}/delete", {})

    assert response.status_code == 400
    assert "it has 1 booking. Cancel it instead" in error_summary(response)
    assert fresh(CourseSession, session.id) is not None


def test_a_draft_session_nobody_booked_is_deleted(as_coordinator, course):
    session_id = make_session(course, starts_at=SUMMER_MORNING, published=False).id

    response = submit(as_coordinator, f"/admin/sessions/{session_id}/delete", {})

    assert response.status_code == 302 and response.location == f"/admin/courses/{course.id}"
    assert fresh(CourseSession, session_id) is None


# Lists issue a fixed number of queries ----------------------------------------------------


def grow(prospectus: Prospectus, courses: int) -> None:
    """Courses with sectors, a session to come and one past, trainers and bookings."""
    trainer = make_user(role=Role.TRAINER)
    venue = make_venue()
    for _ in range(courses):
        course = make_course(prospectus, sectors=(Sector.HEALTH, Sector.POLICE))
        upcoming = make_session(course, starts_at=SUMMER_MORNING, venue=venue, trainers=[trainer])
        make_session(course, starts_at=datetime(2020, 1, 1, 9, tzinfo=UTC), trainers=[trainer])
        fill(upcoming, 1)
        fill(upcoming, 1, status=BookingStatus.WAITING)


def test_lists_issue_the_same_number_of_queries_however_long(as_coordinator, count_queries):
    prospectus = make_prospectus("multi-agency")
    urls = ["/admin/prospectuses", f"/admin/prospectuses/{prospectus.id}", "/admin/courses",
            "/admin/sessions", "/admin/sessions?show=past"]  # fmt: skip
    grow(prospectus, 1)
    with count_queries() as small:
        for url in urls:
            assert as_coordinator.get(url).status_code == 200
    grow(prospectus, 3)
    grow(make_prospectus("early-help", published=False), 3)
    with count_queries() as large:
        for url in urls:
            assert as_coordinator.get(url).status_code == 200

    assert len(large) == len(small)


def test_a_course_page_issues_the_same_number_of_queries_however_many_sessions(
    as_coordinator, course, count_queries
):
    trainer = make_user(role=Role.TRAINER)
    make_session(course, starts_at=SUMMER_MORNING, trainers=[trainer], venue=make_venue())
    with count_queries() as small:
        as_coordinator.get(f"/admin/courses/{course.id}")
    for day in range(1, 6):
        session = make_session(
            course, starts_at=SUMMER_MORNING + timedelta(days=day), trainers=[trainer],
            venue=make_venue(),
        )  # fmt: skip
        fill(session, 1, status=BookingStatus.WAITING)
    with count_queries() as large:
        as_coordinator.get(f"/admin/courses/{course.id}")

    assert len(large) == len(small)


# CPD hours ---------------------------------------------------------------------------------


def test_a_course_carries_the_cpd_hours_the_coordinator_gives(as_coordinator):
    prospectus = make_prospectus("early-help")

    submit(
        as_coordinator,
        f"/admin/courses/new?prospectus={prospectus.id}",
        new_course(prospectus, cpd_hours="6.5"),
    )

    made = db.session.scalar(select(Course))
    assert str(made.cpd_hours) == "6.5"
    page = as_coordinator.get(f"/admin/courses/{made.id}").text
    assert "CPD hours" in words(page) and "6.5 hours" in words(page)
    edit = as_coordinator.get(f"/admin/courses/{made.id}/edit").text
    assert 'value="6.5"' in edit and '<label class="govuk-label" for="cpd_hours">' in edit


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the CPD hours"),
        ("three", "Enter the CPD hours as a number, like 3 or 6.5"),
        ("0", "The CPD hours must be between 0.5 and 40"),
        ("40.5", "The CPD hours must be between 0.5 and 40"),
        ("2.25", "Enter the CPD hours in whole or half hours, like 3 or 6.5"),
    ],
)
def test_cpd_hours_are_from_half_an_hour_to_40_in_half_hours(as_coordinator, typed, message):
    prospectus = make_prospectus("early-help")

    response = submit(
        as_coordinator,
        f"/admin/courses/new?prospectus={prospectus.id}",
        new_course(prospectus, cpd_hours=typed),
    )

    assert response.status_code == 400
    assert field_errors(response.text)["cpd_hours"] == message
    assert summary_errors(response.text)["cpd_hours"] == message
    assert f'value="{typed}"' in response.text
    assert db.session.scalar(select(Course)) is None


# Refreshers --------------------------------------------------------------------------------


def test_a_course_says_how_often_it_is_refreshed(as_coordinator):
    prospectus = make_prospectus("early-help")

    submit(
        as_coordinator,
        f"/admin/courses/new?prospectus={prospectus.id}",
        new_course(prospectus, refresh_years="3"),
    )

    made = db.session.scalar(select(Course))
    assert made.refresh_years == 3
    assert "Refresher Every 3 years" in words(as_coordinator.get(f"/admin/courses/{made.id}").text)
    edit = as_coordinator.get(f"/admin/courses/{made.id}/edit").text
    assert '<label class="govuk-label" for="refresh_years">' in edit and 'value="3"' in edit


def test_a_course_left_without_a_refresher_is_attended_once(as_coordinator):
    prospectus = make_prospectus("early-help")

    submit(
        as_coordinator,
        f"/admin/courses/new?prospectus={prospectus.id}",
        new_course(prospectus, refresh_years=""),
    )

    made = db.session.scalar(select(Course))
    assert made.refresh_years is None
    page = words(as_coordinator.get(f"/admin/courses/{made.id}").text)
    assert "Refresher None: attended once" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("three", "Enter the number of years between refreshers as a whole number, like 3"),
        ("0", "The number of years between refreshers must be between 1 and 10"),
        ("11", "The number of years between refreshers must be between 1 and 10"),
    ],
)
def test_refreshers_come_every_1_to_10_years(as_coordinator, typed, message):
    prospectus = make_prospectus("early-help")

    response = submit(
        as_coordinator,
        f"/admin/courses/new?prospectus={prospectus.id}",
        new_course(prospectus, refresh_years=typed),
    )

    assert response.status_code == 400
    assert field_errors(response.text)["refresh_years"] == message
    assert summary_errors(response.text)["refresh_years"] == message
    assert f'value="{typed}"' in response.text
    assert db.session.scalar(select(Course)) is None


@pytest.mark.parametrize(
    ("typed", "pence", "shown"),
    [
        ("50", 5000, "£50"),
        ("£12.5", 1250, "£12.50"),
        ("0", 0, "None"),
        ("", None, "The partnership's usual charge"),
    ],
)
def test_a_course_can_set_its_own_charges_in_pounds(as_coordinator, typed, pence, shown):
    prospectus = make_prospectus("early-help")

    submit(
        as_coordinator,
        f"/admin/courses/new?prospectus={prospectus.id}",
        new_course(prospectus, non_attendance_charge=typed, late_cancellation_charge="75.00"),
    )

    made = db.session.scalar(select(Course))
    assert (made.non_attendance_charge_pence, made.late_cancellation_charge_pence) == (pence, 7500)
    page = words(as_coordinator.get(f"/admin/courses/{made.id}").text)
    assert f"Charge for not attending {shown}" in page
    assert "Charge for a late cancellation £75" in page
    edit = as_coordinator.get(f"/admin/courses/{made.id}/edit").text
    assert re.search(r'name="late_cancellation_charge"[^>]*value="75"', edit)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("fifty", "Enter the charge for not attending in pounds, like 50 or 12.50"),
        ("12.345", "Enter the charge for not attending in pounds, like 50 or 12.50"),
        ("-5", "Enter the charge for not attending in pounds, like 50 or 12.50"),
        ("1000.01", "The charge for not attending must be £1,000 or less"),
    ],
)
def test_a_course_charge_must_be_an_amount_of_pounds(as_coordinator, typed, message):
    prospectus = make_prospectus("early-help")

    response = submit(
        as_coordinator,
        f"/admin/courses/new?prospectus={prospectus.id}",
        new_course(prospectus, non_attendance_charge=typed),
    )

    assert response.status_code == 400
    assert field_errors(response.text)["non_attendance_charge"] == message
    assert summary_errors(response.text)["non_attendance_charge"] == message
    assert f'value="{typed}"' in response.text
    assert db.session.scalar(select(Course)) is None
