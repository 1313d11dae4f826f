"""Prerequisites on the pages: what a person sees before booking, the booking refused,
the coordinator's page of a course's prerequisites, and a coordinator booking a person."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Attendance,
    AuditEntry,
    Booking,
    BookingStatus,
    Prerequisite,
    utcnow,
)
from tests.conftest import (
    count,
    csrf_token,
    field_errors,
    press,
    signed_in_as,
    submit,
    summary_errors,
    words,
)
from tests.factories import PASSWORD, make_course, make_prospectus, make_session, make_user

INTRODUCTION = "Safeguarding children: an introduction"


@pytest.fixture
def prospectus(app):
    return make_prospectus()


@pytest.fixture
def level_1(prospectus):
    return make_course(prospectus, title=INTRODUCTION, slug="introduction", level=1)


@pytest.fixture
def level_2(prospectus, level_1):
    course = make_course(prospectus, title="Working together", slug="working-together", level=2)
    course.prerequisites.append(Prerequisite(required_course=level_1, within_years=3))
    db.session.commit()
    return course


@pytest.fixture
def session(level_2):
    return make_session(level_2, starts_at=utcnow().replace(microsecond=0) + timedelta(days=20))


@pytest.fixture
def person(app):
    return make_user(password=PASSWORD, name="Priya Sharma")


def attend(person, course) -> None:
    past = make_session(course, starts_at=utcnow() - timedelta(days=60))
    db.session.add(
        Booking(
            session=past,
            user=person,
            status=BookingStatus.CONFIRMED,
            attendance=Attendance.ATTENDED,
        )
    )
    db.session.commit()


def book_button(page: str) -> bool:
    return re.search(r">\s*(Book a place|Join the waiting list)\s*</a>", page) is not None


# What a person sees


def test_a_visitor_sees_what_the_course_requires_and_is_asked_to_sign_in(
    client, level_2, level_1, session
):
    page = client.get("/courses/working-together").text

    assert "Before you book" in page
    assert 'href="/courses/introduction#sessions"' in page
    assert f"{INTRODUCTION} (level 1), in the last 3 years." in words(page)
    assert "Sign in to see whether you have." in words(page)
    assert 'href="/account/sign-in?next=/courses/working-together"' in page


def test_someone_without_the_required_course_is_told_and_not_offered_the_button(
    app, session, person, level_1
):
    make_session(level_1, starts_at=utcnow() + timedelta(days=9))
    browser = signed_in_as(app, person)

    page = browser.get(f"/sessions/{session.id}").text

    assert not book_button(page)
    assert "You cannot book this course yet" in words(page)
    assert "Not met You have not attended it. Next session" in words(page)


def test_someone_who_attended_it_sees_it_met_and_the_button(app, session, person, level_1):
    attend(person, level_1)
    browser = signed_in_as(app, person)

    page = browser.get(f"/sessions/{session.id}").text

    assert book_button(page)
    assert "Met" in words(page)
    assert "You cannot book this course yet" not in page


def test_the_booking_page_says_what_to_take_first_instead_of_offering_a_place(app, session, person):
    browser = signed_in_as(app, person)

    answer = browser.get(f"/sessions/{session.id}/book")

    assert answer.status_code == 200
    page = words(answer.text)
    assert "You cannot book this session" in page
    assert f"Before booking it you need to have attended: {INTRODUCTION} (level 1)" in page
    assert 'href="/courses/introduction#sessions"' in answer.text
    assert "Confirm booking" not in page


def test_a_booking_sent_anyway_is_refused_with_the_same_words_and_nothing_is_written(
    app, session, person
):
    browser = signed_in_as(app, person)
    token = csrf_token(browser.get(f"/sessions/{session.id}").text)

    answer = browser.post(
        f"/sessions/{session.id}/book", data={"csrf_token": token, "access_needs": "A ramp"}
    )

    assert answer.status_code == 400
    assert f"Before booking it you need to have attended: {INTRODUCTION}" in words(answer.text)
    assert count(Booking) == 0


def test_the_course_and_session_pages_read_prerequisites_in_a_fixed_number_of_statements(
    app, prospectus, level_2, session, person, count_queries
):
    browser = signed_in_as(app, person)
    anonymous = app.test_client()

    def statements() -> dict[str, int]:
        found = {}
        for who, client in (("signed in", browser), ("anonymous", anonymous)):
            for url in ("/courses/working-together", f"/sessions/{session.id}"):
                with count_queries() as counted:
                    assert client.get(url).status_code == 200
                found[f"{who} {url}"] = len(counted)
        return found

    few = statements()
    for number in range(8):
        required = make_course(prospectus, title=f"Before {number}")
        make_session(required)
        level_2.prerequisites.append(Prerequisite(required_course=required))
    db.session.commit()

    assert statements() == few


# The coordinator's page of a course's prerequisites


def test_a_coordinator_adds_and_removes_a_prerequisite(as_coordinator, prospectus, level_1):
    course = make_course(prospectus, title="Advanced")
    db.session.commit()
    url = f"/admin/courses/{course.id}/prerequisites"

    added = submit(as_coordinator, url, {"course": str(level_1.id), "within_years": "2"})

    assert added.status_code == 302
    page = words(as_coordinator.get(added.location).text)
    assert f"Advanced now requires {INTRODUCTION} first." in page
    assert f"{INTRODUCTION} Level 1" in page
    assert "In the last 2 years" in page
    [prerequisite] = db.session.scalars(select(Prerequisite)).all()
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.record_type == "prerequisite")).action
        == "created"
    )

    removed = press(as_coordinator, url, f"{url}/{prerequisite.id}/remove")

    assert removed.status_code == 302
    assert count(Prerequisite) == 0
    assert "Anyone can book this course" in words(as_coordinator.get(url).text)


def test_a_circle_of_prerequisites_is_refused_at_the_field_keeping_what_was_typed(
    as_coordinator, level_1, level_2
):
    url = f"/admin/courses/{level_1.id}/prerequisites"

    answer = submit(as_coordinator, url, {"course": str(level_2.id), "within_years": "4"})

    assert answer.status_code == 400
    message = (
        f"Working together already requires {INTRODUCTION}, so {INTRODUCTION} cannot "
        "require Working together: nobody could book either"
    )
    assert summary_errors(answer.text) == {"course": message}
    assert field_errors(answer.text)["course"] == message
    assert f'<option value="{level_2.id}" selected' in answer.text
    assert 'value="4"' in answer.text
    assert count(Prerequisite) == 1


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"course": ""}, "course", "Choose a course"),
        ({"course": "999999"}, "course", "Choose a course from the list"),
        ({"course": "abc"}, "course", "Choose a course from the list"),
        ({"course": "LEVEL_1", "within_years": "three"}, "within_years", "like 3"),
        ({"course": "LEVEL_1", "within_years": "11"}, "within_years", "between 1 and 10"),
    ],
)
def test_a_prerequisite_sent_wrong_is_refused_with_a_message(
    as_coordinator, prospectus, level_1, sent, field, message
):
    course = make_course(prospectus, title="Advanced")
    db.session.commit()
    data = {key: str(level_1.id) if value == "LEVEL_1" else value for key, value in sent.items()}

    answer = submit(as_coordinator, f"/admin/courses/{course.id}/prerequisites", data)

    assert answer.status_code == 400
    assert message in summary_errors(answer.text)[field]
    assert count(Prerequisite) == 0


def test_the_course_page_in_the_admin_area_lists_its_prerequisites(as_coordinator, level_2):
    page = words(as_coordinator.get(f"/admin/courses/{level_2.id}").text)

    assert f"Prerequisites {INTRODUCTION}, in the last 3 years Change prerequisites" in page


def test_removing_another_courses_prerequisite_is_not_found(as_coordinator, level_1, level_2):
    prerequisite = level_2.prerequisites[0]
    url = f"/admin/courses/{level_1.id}/prerequisites"

    answer = press(as_coordinator, url, f"{url}/{prerequisite.id}/remove")

    assert answer.status_code == 404
    assert count(Prerequisite) == 1


# A coordinator booking a person


def test_a_coordinator_books_a_person_past_the_prerequisites(
    as_coordinator, coordinator, session, person
):
    url = f"/admin/users/{person.id}/book"
    form = as_coordinator.get(url).text
    assert "Working together, " in form

    answer = submit(
        as_coordinator,
        url,
        {"session": str(session.id), "reason": "Level 1 done in Sheffield last year"},
    )

    assert answer.status_code == 302
    assert answer.location == f"/admin/users/{person.id}"
    flashed = words(as_coordinator.get(answer.location).text)
    assert "Priya Sharma has a place on Working together on" in flashed
    booking = db.session.scalar(select(Booking))
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.booked_by_id == coordinator.id
    assert not booking.exempt_from_charges
    assert booking.history[0].reason.endswith(
        "without the prerequisites: Level 1 done in Sheffield last year"
    )


def test_the_coordinators_booking_form_keeps_what_was_typed_when_the_reason_is_missing(
    as_coordinator, session, person
):
    answer = submit(
        as_coordinator,
        f"/admin/users/{person.id}/book",
        {"session": str(session.id), "reason": " ", "exempt_from_charges": "y"},
    )

    assert answer.status_code == 400
    assert summary_errors(answer.text) == {"reason": "Enter why you are booking this person"}
    assert f'<option value="{session.id}" selected' in answer.text
    assert re.search(
        r'name="exempt_from_charges"[^>]*checked|checked[^>]*name="exempt', answer.text
    )
    assert count(Booking) == 0


def test_a_coordinator_booking_someone_already_booked_is_told_at_the_session(
    as_coordinator, session, person
):
    db.session.add(Booking(session=session, user=person, status=BookingStatus.WAITING))
    db.session.commit()

    answer = submit(
        as_coordinator,
        f"/admin/users/{person.id}/book",
        {"session": str(session.id), "reason": "Their manager asked"},
    )

    assert answer.status_code == 400
    assert summary_errors(answer.text) == {
        "session": "Priya Sharma already has a booking for this session"
    }
    assert count(Booking) == 1


def test_only_sessions_open_for_booking_are_offered_and_others_are_refused(
    as_coordinator, level_2, person
):
    draft = make_session(level_2, published=False)
    past = make_session(level_2, starts_at=utcnow() - timedelta(days=1))
    open_one = make_session(level_2)
    db.session.commit()
    url = f"/admin/users/{person.id}/book"

    form = as_coordinator.get(url).text

    assert f'value="{open_one.id}"' in form
    assert f'value="{draft.id}"' not in form
    assert f'value="{past.id}"' not in form
    answer = submit(as_coordinator, url, {"session": str(draft.id), "reason": "Asked"})
    assert summary_errors(answer.text) == {"session": "Choose a session from the list"}
    answer = submit(as_coordinator, url, {"session": str(past.id), "reason": "Asked"})
    assert summary_errors(answer.text) == {"session": "This session has already started"}
    assert count(Booking) == 0


def test_a_deactivated_account_cannot_be_booked_and_has_no_button(as_coordinator, session, person):
    person.active = False
    db.session.commit()

    assert "Book onto a session" not in as_coordinator.get(f"/admin/users/{person.id}").text
    answer = submit(
        as_coordinator,
        f"/admin/users/{person.id}/book",
        {"session": str(session.id), "reason": "Asked"},
    )
    assert "deactivated" in summary_errors(answer.text)["session"]
    assert count(Booking) == 0
