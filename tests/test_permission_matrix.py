"""Who may open each page of the trainer's and the coordinator's areas, and the links
mailed to people without an account's protection.

Every route under /trainer and /admin is found in the app's URL map, so a new one is
checked the day it is added (and every route under /evaluations, opened by a signed link
alone, at the end), for five people: someone signed out (sent to sign in),
a professional (403), a trainer not assigned to the session (403, but for their own
list), the session's trainer (the trainer's area only) and a coordinator (everything).
A page a person may open answers 200; a form they may send is accepted or re-shown
with its errors, never refused for who they are.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask

from app.bookings.tokens import approval_token, offer_token
from app.evaluations import tokens
from app.extensions import db
from app.models import (
    Attendance,
    Booking,
    BookingStatus,
    ChangedPractice,
    Course,
    Evaluation,
    FollowUp,
    Prerequisite,
    Role,
    utcnow,
)
from tests.conftest import csrf_token, sign_in
from tests.factories import (
    PASSWORD,
    charge_on,
    link,
    make_agency,
    make_case_review,
    make_course,
    make_external_training,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
)

ANONYMOUS = "anonymous"
PROFESSIONAL = "professional"
OTHER_TRAINER = "trainer not assigned"
TRAINER = "trainer assigned"
COORDINATOR = "coordinator"
# The coordinator comes last: their forms may change what the others would see.
PEOPLE = (ANONYMOUS, PROFESSIONAL, OTHER_TRAINER, TRAINER, COORDINATOR)

SIGN_IN = "/account/sign-in"
OPEN = "open"
REFUSED = "403"
TO_SIGN_IN = "sign in"

#: Pages of the trainer's area that need the session under way rather than still to come.
NEEDS_SESSION_UNDER_WAY = {"trainer.add_walk_in"}


def staff_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(rule, method, endpoint) for every page and form of the two areas."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/trainer", "/admin")):
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append((rule.rule, method, rule.endpoint))
    return sorted(found)


def route_id(route: tuple[str, str, str]) -> str:
    rule, method, _ = route
    return f"{method} {rule}"


def expected(person: str, endpoint: str) -> str:
    if person == ANONYMOUS:
        return TO_SIGN_IN
    if person == COORDINATOR:
        return OPEN
    if endpoint.startswith("admin.") or person == PROFESSIONAL:
        return REFUSED
    if person == OTHER_TRAINER and endpoint != "trainer.index":
        return REFUSED
    return OPEN


@dataclass
class World:
    people: dict[str, object]
    ids: dict[str, int]
    session_under_way: int


@pytest.fixture
def world(app) -> World:
    """One of everything a URL of the two areas can name, and the five people."""
    people = {
        PROFESSIONAL: make_user(password=PASSWORD),
        OTHER_TRAINER: make_user(password=PASSWORD, role=Role.TRAINER),
        TRAINER: make_user(password=PASSWORD, role=Role.TRAINER),
        COORDINATOR: make_user(password=PASSWORD, role=Role.COORDINATOR),
    }
    course = make_course(make_prospectus())
    to_come = make_session(course, starts_at=utcnow() + timedelta(days=10), venue=make_venue())
    under_way = make_session(course, starts_at=utcnow() - timedelta(hours=1), hours=3)
    for session in (to_come, under_way):
        session.trainers = [people[TRAINER]]
    # Approved by a coordinator, so that the page of their decision opens too.
    booking = Booking(
        session=to_come,
        user=make_user(),
        status=BookingStatus.CONFIRMED,
        needs_coordinator=True,
        coordinator_approved=True,
        coordinator_reason="Agreed with their manager",
    )
    db.session.add(booking)
    review = make_case_review()
    link(course, review)
    course.prerequisites.append(Prerequisite(required_course=make_course(course.prospectus)))
    db.session.flush()
    ids = {
        "session_id": to_come.id,
        "booking_id": booking.id,
        "course_id": course.id,
        "outcome_id": course.all_outcomes[0].id,
        "prospectus_id": course.prospectus_id,
        "review_id": review.id,
        "finding_id": review.key_findings[0].id,
        "link_id": course.lesson_links[0].id,
        "prerequisite_id": course.prerequisites[0].id,
        "venue_id": make_venue().id,
        "agency_id": make_agency().id,
        "user_id": people[PROFESSIONAL].id,
        "charge_id": charge_on(booking).id,
        "training_id": make_external_training(people[PROFESSIONAL], course).id,
        "kind": "csv",
        "name": "activity-by-course",
        "slug": "privacy",
    }
    db.session.commit()
    return World(people=people, ids=ids, session_under_way=under_way.id)


def address(app: Flask, world: World, rule: str, endpoint: str) -> str:
    adapter = app.url_map.bind("training.example.org")
    names = next(r for r in app.url_map.iter_rules(endpoint)).arguments
    missing = names - world.ids.keys()
    assert not missing, f"{rule}: give the matrix's world something for {missing}"
    values = {name: world.ids[name] for name in names}
    if endpoint in NEEDS_SESSION_UNDER_WAY:
        values["session_id"] = world.session_under_way
    return adapter.build(endpoint, values)


def browser_for(app: Flask, world: World, person: str):
    browser = app.test_client()
    if person != ANONYMOUS:
        user = world.people[person]
        assert sign_in(browser, user.email, PASSWORD).status_code == 302
    return browser


def answer_of(browser, method: str, path: str):
    if method == "GET":
        return browser.get(path)
    # A form sent with a valid token, as from any page, so only the permission can refuse it.
    token = csrf_token(browser.get(SIGN_IN).text)
    return browser.post(path, data={"csrf_token": token})


def check(answer, should: str, path: str, method: str) -> None:
    location = answer.headers.get("Location", "")
    if should == TO_SIGN_IN:
        assert answer.status_code == 302 and urlsplit(location).path == SIGN_IN, answer.status
        return
    if should == REFUSED:
        assert answer.status_code == 403
        return
    if method == "GET":
        assert answer.status_code == 200
        return
    assert answer.status_code in (200, 302, 400), answer.status
    assert urlsplit(location).path != SIGN_IN


def test_the_matrix_covers_both_areas(app):
    routes = staff_routes(app)
    endpoints = {endpoint for _, _, endpoint in routes}

    assert len(routes) > 60
    assert {"trainer.index", "trainer.register", "admin.index", "admin.audit_log"} <= endpoints


def pytest_generate_tests(metafunc):
    """Parametrised by the app's own URL map, read when the tests are collected."""
    if "staff_route" in metafunc.fixturenames:
        from app import create_app

        routes = staff_routes(create_app({"TESTING": True}))
        metafunc.parametrize("staff_route", routes, ids=[route_id(r) for r in routes])


def test_each_person_gets_the_answer_their_role_allows(app, world, staff_route):
    rule, method, endpoint = staff_route
    with app.test_request_context():
        path = address(app, world, rule, endpoint)

    for person in PEOPLE:
        answer = answer_of(browser_for(app, world, person), method, path)
        try:
            check(answer, expected(person, endpoint), path, method)
        except AssertionError as failure:
            raise AssertionError(f"{method} {path} as {person}: {failure}") from None


# The links mailed after a session ----------------------------------------------------------
#
# Every route under /evaluations is opened by its signed link alone, whoever follows it:
# each of the five people gets the same answer, the page with the link of its own purpose
# and 404 with any other.


def mailed_link_routes(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/evaluations"):
            for method in sorted(rule.methods & {"GET", "POST"}):
                found.append((rule.rule, method, rule.endpoint))
    return sorted(found)


@pytest.fixture
def evaluated_booking(app, world) -> Booking:
    """A booking of a session that has ended, marked attended, evaluated and followed up
    with the line manager asked."""
    session = make_session(
        make_course(make_prospectus(slug="ended")), starts_at=utcnow() - timedelta(days=2)
    )
    booking = Booking(
        session=session,
        user=make_user(),
        status=BookingStatus.CONFIRMED,
        attendance=Attendance.ATTENDED,
    )
    db.session.add(booking)
    db.session.add(
        Evaluation(booking=booking, overall_rating=4, do_differently="More", submitted_at=utcnow())
    )
    db.session.add(
        FollowUp(
            booking=booking,
            changed_practice=ChangedPractice.YES,
            how="Asks more",
            submitted_at=utcnow(),
            manager_email="boss@example.org",
        )
    )
    db.session.commit()
    return booking


def mailed_link(endpoint: str, booking: Booking, own: bool) -> str:
    purposes = {
        "evaluations.evaluate": (tokens.EVALUATE, "/evaluations/{}"),
        "evaluations.follow_up": (tokens.FOLLOW_UP, "/evaluations/{}/follow-up"),
        "evaluations.manager_view": (tokens.MANAGER_VIEW, "/evaluations/{}/manager"),
    }
    assert endpoint in purposes, f"{endpoint}: give the matrix its link"
    purpose, shape = purposes[endpoint]
    other = next(p for p, _ in purposes.values() if p != purpose)
    return shape.format(tokens.token_for(purpose if own else other, booking))


def test_each_mailed_link_answers_everyone_alike_and_only_with_its_own_token(
    app, world, evaluated_booking
):
    routes = mailed_link_routes(app)
    assert {endpoint for _, _, endpoint in routes} == {
        "evaluations.evaluate",
        "evaluations.follow_up",
        "evaluations.manager_view",
    }

    for person in PEOPLE:
        browser = browser_for(app, world, person)
        for _, method, endpoint in routes:
            with app.test_request_context():
                own = mailed_link(endpoint, evaluated_booking, own=True)
                other = mailed_link(endpoint, evaluated_booking, own=False)
            where = f"{method} {endpoint} as {person}"
            answer = answer_of(browser, method, own)
            assert answer.status_code in ((200,) if method == "GET" else (200, 302, 400)), where
            assert urlsplit(answer.headers.get("Location", "")).path != SIGN_IN, where
            assert answer_of(browser, method, other).status_code == 404, where


#: The pages of a person's own training record: anyone signed in opens their own.
OWN_RECORD = ("/account/record", "/account/record.pdf", "/account/record.csv")


@pytest.mark.parametrize("path", OWN_RECORD)
def test_everyone_signed_in_opens_their_own_record(app, world, path):
    for person in PEOPLE:
        answer = answer_of(browser_for(app, world, person), "GET", path)
        try:
            check(answer, TO_SIGN_IN if person == ANONYMOUS else OPEN, path, "GET")
        except AssertionError as failure:
            raise AssertionError(f"GET {path} as {person}: {failure}") from None


def test_the_matrix_covers_the_records_in_admin(app):
    endpoints = {endpoint for _, _, endpoint in staff_routes(app)}

    assert {"admin.user_record", "admin.user_record_pdf", "admin.user_record_csv"} <= endpoints


# A course's interest list: anyone signed in joins or leaves it from the course's page.


def test_the_only_form_of_the_public_course_pages_is_the_interest_list(app):
    forms = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/courses") and "POST" in rule.methods
    }

    assert forms == {"/courses/<slug>/interest"}


def test_everyone_signed_in_may_join_a_courses_interest_list_and_others_sign_in(app, world):
    slug = db.session.get(Course, world.ids["course_id"]).slug
    course_page, path = f"/courses/{slug}", f"/courses/{slug}/interest"

    for person in PEOPLE:
        answer = answer_of(browser_for(app, world, person), "POST", path)
        went_to = urlsplit(answer.headers.get("Location", "")).path
        should = SIGN_IN if person == ANONYMOUS else course_page
        assert answer.status_code == 302 and went_to == should, f"POST {path} as {person}"


# A place offered at the last minute --------------------------------------------------------
#
# Every route under /offers is opened by its signed link alone, whoever follows it, as the
# links mailed after a session are; the same answers on the booking's own page are its
# owner's alone: signed out, sent to sign in; anyone else, 404.


def offer_link_routes(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/offers"):
            for method in sorted(rule.methods & {"GET", "POST"}):
                found.append((rule.rule, method, rule.endpoint))
    return sorted(found)


@pytest.fixture
def offered_booking(app, world) -> Booking:
    """A place on a session starting tomorrow, offered until this afternoon to someone
    who can sign in."""
    session = make_session(
        make_course(make_prospectus(slug="tomorrow")), starts_at=utcnow() + timedelta(hours=30)
    )
    booking = Booking(
        session=session,
        user=make_user(password=PASSWORD),
        status=BookingStatus.OFFERED,
        approval_expires_at=utcnow() + timedelta(hours=4),
    )
    db.session.add(booking)
    db.session.commit()
    return booking


def test_each_offer_link_answers_everyone_alike_and_only_with_its_own_token(
    app, world, offered_booking
):
    routes = offer_link_routes(app)
    assert {endpoint for _, _, endpoint in routes} == {
        "bookings.accept_offer_link",
        "bookings.decline_offer_link",
    }

    for person in PEOPLE:
        browser = browser_for(app, world, person)
        for rule, method, endpoint in routes:
            with app.test_request_context():
                own = rule.replace("<token>", offer_token(offered_booking))
                other = rule.replace("<token>", approval_token(offered_booking))
            where = f"{method} {endpoint} as {person}"
            answer = answer_of(browser, method, own)
            # The first answer sent settles the offer; later ones are refused, not forbidden.
            assert answer.status_code in ((200,) if method == "GET" else (302, 400)), where
            assert urlsplit(answer.headers.get("Location", "")).path != SIGN_IN, where
            assert answer_of(browser, method, other).status_code == 404, where


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_only_the_owner_answers_an_offer_on_their_booking(app, world, offered_booking, answer):
    path = f"/bookings/{offered_booking.id}/{answer}"
    owner = app.test_client()
    assert sign_in(owner, offered_booking.user.email, PASSWORD).status_code == 302

    for person in PEOPLE:
        got = answer_of(browser_for(app, world, person), "POST", path)
        if person == ANONYMOUS:
            assert got.status_code == 302 and urlsplit(got.location).path == SIGN_IN, person
        else:
            assert got.status_code == 404, person
    db.session.expire_all()
    assert db.session.get(Booking, offered_booking.id).status is BookingStatus.OFFERED

    mine = answer_of(owner, "POST", path)

    assert mine.status_code == 302
    assert urlsplit(mine.location).path == f"/bookings/{offered_booking.id}"
    db.session.expire_all()
    assert db.session.get(Booking, offered_booking.id).status is not BookingStatus.OFFERED
