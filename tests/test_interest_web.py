"""Interest lists on the pages: the course's button, signed in and out, its form, and what
the coordinator sees. The rules are tested in test_interest.py."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Course, CourseInterest, Delivery, OutboxMessage, utcnow
from tests.conftest import count, csrf_token, press, signed_in_as, words
from tests.factories import (
    PASSWORD,
    make_course,
    make_prospectus,
    make_session,
    make_user,
    put_on_list,
)

JOIN = "Tell me when there is a date"
LEAVE = "Leave the list"


@pytest.fixture
def course(app) -> Course:
    return make_course(make_prospectus(), title="Neglect", slug="neglect")


def page_of(browser, course: Course) -> str:
    answer = browser.get(f"/courses/{course.slug}")
    assert answer.status_code == 200
    return answer.text


def ask(browser, course: Course):
    """Press the course page's button, whichever it is."""
    return press(browser, f"/courses/{course.slug}", f"/courses/{course.slug}/interest")


def on_list(course: Course) -> set[int]:
    return set(
        db.session.scalars(
            select(CourseInterest.user_id).where(CourseInterest.course_id == course.id)
        )
    )


# The course's page -------------------------------------------------------------------------


def test_a_visitor_is_asked_to_sign_in_and_comes_back_to_the_course(client, course):
    page = page_of(client, course)

    assert JOIN not in page
    assert "Sign in to be told when there is a date" in page
    assert 'href="/account/sign-in?next=/courses/neglect"' in page


def test_signed_in_a_person_joins_the_list_and_leaves_it_again(app, course):
    person = make_user(password=PASSWORD)
    browser = signed_in_as(app, person)
    assert JOIN in page_of(browser, course)

    joined = ask(browser, course)

    assert joined.status_code == 302 and joined.location == "/courses/neglect"
    assert on_list(course) == {person.id}
    page = words(browser.get(joined.location).text)
    assert "We will email you when Neglect has a date." in page
    assert "You are on the list for this course" in page
    assert LEAVE in page and JOIN not in page

    left = ask(browser, course)

    assert left.status_code == 302 and left.location == "/courses/neglect"
    assert on_list(course) == set()
    page = words(browser.get(left.location).text)
    assert "You have left the list for Neglect." in page
    assert JOIN in page


def test_a_course_with_a_date_offers_sessions_not_the_list(app, course):
    make_session(course)
    browser = signed_in_as(app, make_user(password=PASSWORD))

    page = page_of(browser, course)

    assert JOIN not in page and LEAVE not in page
    assert "Sign in to be told" not in page_of(app.test_client(), course)


def test_someone_on_the_list_can_leave_it_once_the_course_has_a_date(app, course):
    person = make_user(password=PASSWORD)
    put_on_list(course, person)
    make_session(course)
    browser = signed_in_as(app, person)

    assert LEAVE in page_of(browser, course)
    ask(browser, course)
    assert on_list(course) == set()


def test_e_learning_hosted_elsewhere_has_no_button(app, course):
    course.delivery = Delivery.E_LEARNING
    course.external_url = "https://www.virtual-college.co.uk/"
    browser = signed_in_as(app, make_user(password=PASSWORD))

    assert JOIN not in page_of(browser, course)
    assert "Sign in to be told" not in page_of(app.test_client(), course)


# The form -----------------------------------------------------------------------------------


def test_signed_out_the_form_sends_to_sign_in_and_back_to_the_course_changing_nothing(
    client, course
):
    answer = press(client, "/account/sign-in", "/courses/neglect/interest")

    assert answer.status_code == 302
    location = urlsplit(answer.location)
    assert location.path == "/account/sign-in"
    assert parse_qs(location.query) == {"next": ["/courses/neglect"]}
    assert count(CourseInterest) == 0


def test_signing_in_from_the_course_page_comes_back_to_it(app, client, course):
    person = make_user(password=PASSWORD)
    sign_in_url = "/account/sign-in?next=%2Fcourses%2Fneglect"
    token = csrf_token(client.get(sign_in_url).text)

    answer = client.post(
        sign_in_url, data={"csrf_token": token, "email": person.email, "password": PASSWORD}
    )

    assert answer.status_code == 302 and answer.location == "/courses/neglect"
    assert JOIN in page_of(client, course)


def test_the_form_without_its_token_is_refused_and_changes_nothing(app, course):
    browser = signed_in_as(app, make_user(password=PASSWORD))

    answer = browser.post("/courses/neglect/interest", data={})

    assert answer.status_code == 400
    assert count(CourseInterest) == 0


@pytest.mark.parametrize("draft", ["course", "prospectus"])
def test_a_course_not_published_answers_404(app, course, draft):
    (course if draft == "course" else course.prospectus).published = False
    browser = signed_in_as(app, make_user(password=PASSWORD))

    assert browser.get("/courses/neglect").status_code == 404
    assert ask(browser, course).status_code == 404
    assert count(CourseInterest) == 0


def test_an_unknown_course_answers_404(app):
    browser = signed_in_as(app, make_user(password=PASSWORD))

    answer = press(browser, "/account/profile", "/courses/no-such-course/interest")

    assert answer.status_code == 404


def test_joining_a_course_that_has_a_date_says_why_not_and_changes_nothing(app, course):
    browser = signed_in_as(app, make_user(password=PASSWORD))
    token = csrf_token(page_of(browser, course))
    make_session(course)

    answer = browser.post("/courses/neglect/interest", data={"csrf_token": token})

    assert answer.status_code == 302 and answer.location == "/courses/neglect"
    assert "Neglect already has a date" in words(browser.get(answer.location).text)
    assert count(CourseInterest) == 0


def test_someone_who_has_not_confirmed_their_address_is_told_to_first(app, course):
    browser = signed_in_as(app, make_user(password=PASSWORD, verified=False))

    answer = ask(browser, course)

    assert "Confirm your email address" in words(browser.get(answer.location).text)
    assert count(CourseInterest) == 0


# Query counts -------------------------------------------------------------------------------


def statements_for(browser, count_queries) -> int:
    with count_queries() as counted:
        assert browser.get("/courses/neglect").status_code == 200
    return len(counted)


@pytest.mark.parametrize("who", ["visitor", "on the list", "not on the list"])
def test_the_course_page_costs_the_same_however_long_the_list(app, course, count_queries, who):
    person = make_user(password=PASSWORD)
    if who == "on the list":
        put_on_list(course, person)
    browser = app.test_client() if who == "visitor" else signed_in_as(app, person)
    put_on_list(course, make_user())
    make_session(course, starts_at=utcnow() - timedelta(days=3))
    small = statements_for(browser, count_queries)

    put_on_list(course, *[make_user() for _ in range(20)])
    for days in range(5):
        make_session(course, starts_at=utcnow() - timedelta(days=10 + days))
    large = statements_for(browser, count_queries)

    assert large == small


def test_signed_in_the_kept_page_costs_only_the_person_and_their_own_parts(
    app, course, count_queries
):
    """The visitor's first request renders the page and keeps it (app.page_cache). Signed
    in, the kept body is used and only the person's own parts are read: the catalogue's
    version, the person, the course (with its sectors and outcomes), where they stand
    against its prerequisites, and whether they are on the list, read with whether the
    course has a date."""
    visitor = statements_for(app.test_client(), count_queries)
    signed_in = statements_for(signed_in_as(app, make_user(password=PASSWORD)), count_queries)

    assert signed_in == 1 + 1 + 3 + 1 + 1
    assert signed_in < visitor


# What the coordinator sees ------------------------------------------------------------------


def test_the_coordinator_sees_how_many_are_on_each_list(as_coordinator, course):
    other = make_course(course.prospectus, title="Young carers")
    put_on_list(course, make_user(), make_user(), make_user())

    listed = as_coordinator.get("/admin/courses").text
    assert "Waiting for a date" in words(listed)
    rows = {
        words(row).split(" Multi-agency")[0]: words(row)
        for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', listed, re.S)[1:]
    }
    assert rows["Neglect"].endswith("Published 0 3")
    assert rows["Young carers"].endswith("Published 0 0")

    shown = words(as_coordinator.get(f"/admin/courses/{course.id}").text)
    assert "Interest list 3 people have asked to be emailed when it has a new date" in shown
    other_shown = words(as_coordinator.get(f"/admin/courses/{other.id}").text)
    assert "Nobody has asked to be emailed when it has a new date" in other_shown


def test_the_list_of_courses_costs_the_same_however_many_are_on_the_lists(
    as_coordinator, course, count_queries
):
    with count_queries() as small:
        as_coordinator.get("/admin/courses")
    for _ in range(5):
        put_on_list(make_course(course.prospectus), make_user(), make_user())
    with count_queries() as large:
        as_coordinator.get("/admin/courses")

    assert len(large) == len(small)


def test_publishing_a_session_says_how_many_were_emailed(as_coordinator, course):
    put_on_list(course, make_user(), make_user())
    session = make_session(course, published=False)
    page = f"/admin/sessions/{session.id}"

    published = press(as_coordinator, page, f"{page}/publish")

    shown = words(as_coordinator.get(published.location).text)
    assert "The session is published. 2 people waiting for a date have been emailed." in shown
    assert count(OutboxMessage) == 2


def test_publishing_a_course_says_how_many_were_emailed(as_coordinator, course):
    put_on_list(course, make_user())
    course.published = False
    make_session(course)
    page = f"/admin/courses/{course.id}"

    published = press(as_coordinator, page, f"{page}/publish")

    shown = words(as_coordinator.get(published.location).text)
    assert "Neglect is published. 1 person waiting for a date has been emailed." in shown
