"""Record ids in addresses, query strings and forms: a number no record can have is no match.

Every route taking an id is found in the app's URL map, so a new one is checked the day it
is added: asked for with numbers no record can have, by anyone signed in or not, it answers
404 and logs no error, rather than failing in the database ("integer out of range").
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app.extensions import db
from app.ids import MAX_ID, id_from, read_id
from app.models import Agency, AuditEntry, LessonLink, Prerequisite, Role
from app.pagination import MAX_PAGE, page_number
from tests.conftest import count, csrf_token, sign_in, submit, summary_errors
from tests.factories import (
    PASSWORD,
    charge_on,
    link,
    make_agency,
    make_booking,
    make_case_review,
    make_course,
    make_external_training,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
)

ID = re.compile(r"<id:(\w+)>")
# The first numbers past each database's integers, and numbers no id can be.
NO_RECORD_CAN_HAVE = (0, -1, MAX_ID + 1, 2**63, 10**20)
PEOPLE = ("anonymous", "professional", "trainer", "coordinator")


def test_an_id_is_a_whole_number_from_1_to_the_largest_every_database_holds():
    assert read_id("1") == 1
    assert read_id(str(MAX_ID)) == MAX_ID
    assert read_id("007") == 7
    for text in ("", None, "0", "000", "-1", "+1", "1.0", " 1", "12a", "١٢", "²"):
        assert read_id(text) is None, text
    for number in (MAX_ID + 1, 2**63 - 1, 2**63, 10**20):
        assert read_id(str(number)) is None, number
    # Too many digits to be an id, without reading them all as a number.
    assert read_id("9" * 5000) is None


def test_query_strings_read_ids_and_page_numbers_with_the_same_rule():
    assert id_from("12") == 12
    assert page_number(str(MAX_PAGE)) == MAX_PAGE
    for wrong in ("0", "-1", str(MAX_ID + 1), str(10**20), "twelve"):
        with pytest.raises(ValueError):
            id_from(wrong)
    for wrong in ("0", "-1", str(MAX_PAGE + 1), str(10**20), "two"):
        with pytest.raises(ValueError):
            page_number(wrong)


def id_routes(app: Flask) -> list[Rule]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if ID.search(rule.rule)),
        key=lambda rule: rule.rule,
    )


def methods_of(rule: Rule) -> list[str]:
    return sorted(rule.methods & {"GET", "POST"})


def pytest_generate_tests(metafunc):
    """Parametrised by the app's own URL map, read when the tests are collected."""
    if "id_route" in metafunc.fixturenames:
        from app import create_app

        rules = id_routes(create_app({"TESTING": True}))
        metafunc.parametrize("id_route", [rule.rule for rule in rules], ids=str)


def test_every_route_taking_an_id_takes_it_with_the_id_converter(app):
    rules = id_routes(app)
    for rule in app.url_map.iter_rules():
        assert "<int:" not in rule.rule, rule.rule
        assert not any(
            name.endswith("_id") for name in rule.arguments - set(ID.findall(rule.rule))
        ), rule.rule

    assert len(rules) > 50
    assert {"/sessions/<id:session_id>", "/admin/users/<id:user_id>"} <= {r.rule for r in rules}


@dataclass
class World:
    ids: dict[str, int]
    browsers: dict[str, FlaskClient]
    tokens: dict[str, str]


@pytest.fixture
def world(app) -> World:
    """One of each record an address can name, and a browser for each kind of person."""
    people = {
        "professional": make_user(password=PASSWORD),
        "trainer": make_user(password=PASSWORD, role=Role.TRAINER),
        "coordinator": make_user(password=PASSWORD, role=Role.COORDINATOR),
    }
    course = make_course(make_prospectus())
    session = make_session(course, venue=make_venue())
    session.trainers = [people["trainer"]]
    review = make_case_review()
    link(course, review)
    course.prerequisites.append(Prerequisite(required_course=make_course(course.prospectus)))
    booking = make_booking(session)
    ids = {
        "session_id": session.id,
        "booking_id": booking.id,
        "course_id": course.id,
        "outcome_id": course.all_outcomes[0].id,
        "prospectus_id": course.prospectus_id,
        "review_id": review.id,
        "finding_id": review.key_findings[0].id,
        "link_id": course.lesson_links[0].id,
        "prerequisite_id": course.prerequisites[0].id,
        "venue_id": session.venue_id,
        "agency_id": make_agency().id,
        "user_id": people["professional"].id,
        "charge_id": charge_on(booking).id,
        "training_id": make_external_training(people["professional"], course).id,
    }
    db.session.commit()
    browsers = {"anonymous": app.test_client()}
    for kind, person in people.items():
        browsers[kind] = app.test_client()
        assert sign_in(browsers[kind], person.email, PASSWORD).status_code == 302
    tokens = {
        kind: csrf_token(browser.get("/account/sign-in").text) for kind, browser in browsers.items()
    }
    return World(ids=ids, browsers=browsers, tokens=tokens)


@pytest.fixture
def errors_logged(app, caplog, monkeypatch) -> Callable[[], list[str]]:
    """Errors are answered and logged as in production, not raised into the test;
    `errors_logged()` gives those the test's own requests logged."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    caplog.set_level(logging.ERROR)
    return lambda: [
        record.getMessage()
        for record in caplog.get_records("call")
        if record.levelno >= logging.ERROR
    ]


def address(rule: str, values: dict[str, int]) -> str:
    return ID.sub(lambda found: str(values[found.group(1)]), rule)


def ask(world: World, person: str, method: str, path: str):
    browser = world.browsers[person]
    if method == "GET":
        return browser.get(path)
    return browser.post(path, data={"csrf_token": world.tokens[person]})


def test_a_number_no_record_can_have_is_not_found_by_anyone(app, world, errors_logged, id_route):
    rule = next(r for r in app.url_map.iter_rules() if r.rule == id_route)
    for name in ID.findall(id_route):
        for number in NO_RECORD_CAN_HAVE:
            path = address(id_route, world.ids | {name: number})
            for method in methods_of(rule):
                for person in PEOPLE:
                    answer = ask(world, person, method, path)
                    assert answer.status_code == 404, f"{method} {path} as {person}"
    assert errors_logged() == []


def test_the_largest_id_is_looked_for_and_not_found(app, world, errors_logged, id_route):
    """As large as an id can be, it reaches the database, which finds nothing. (A form
    sent empty may be refused first, as it is whatever the id.)"""
    rule = next(r for r in app.url_map.iter_rules() if r.rule == id_route)
    for name in ID.findall(id_route):
        path = address(id_route, world.ids | {name: MAX_ID})
        for method in methods_of(rule):
            answer = ask(world, "coordinator", method, path)
            assert answer.status_code in ((404,) if method == "GET" else (400, 404)), (
                f"{method} {path}"
            )
    assert errors_logged() == []


def test_an_id_a_record_has_still_leads_to_it(app, world):
    adapter = app.url_map.bind("training.example.org")
    for rule in id_routes(app):
        path = address(rule.rule, world.ids)
        method = methods_of(rule)[0]
        endpoint, values = adapter.match(path, method=method)
        assert endpoint == rule.endpoint
        assert values == {name: world.ids[name] for name in rule.arguments}

    session_id = world.ids["session_id"]
    assert world.browsers["anonymous"].get(f"/sessions/{session_id}").status_code == 200
    assert world.browsers["coordinator"].get(f"/admin/sessions/{session_id}").status_code == 200
    assert world.browsers["trainer"].get(f"/trainer/sessions/{session_id}").status_code == 200


# Ids and page numbers in query strings and forms --------------------------------------------


@pytest.mark.parametrize("number", NO_RECORD_CAN_HAVE)
def test_page_numbers_past_any_list_show_the_first_page(app, world, errors_logged, number):
    coordinator = world.browsers["coordinator"]
    for path in ("/admin/sessions", "/admin/users", "/admin/audit"):
        assert coordinator.get(f"{path}?page={number}").status_code == 200, path
    assert world.browsers["trainer"].get(f"/trainer?page={number}").status_code == 200
    assert errors_logged() == []


@pytest.mark.parametrize("number", NO_RECORD_CAN_HAVE)
def test_courses_of_a_prospectus_no_record_can_be_are_every_course(
    app, world, errors_logged, number
):
    answer = world.browsers["coordinator"].get(f"/admin/courses?prospectus={number}")

    assert answer.status_code == 200
    assert errors_logged() == []


@pytest.mark.parametrize("number", NO_RECORD_CAN_HAVE)
def test_the_audit_log_says_no_record_has_a_number_no_record_can_have(
    app, world, errors_logged, number
):
    answer = world.browsers["coordinator"].get(f"/admin/audit?record_id={number}")

    assert answer.status_code == 400
    expected = (
        "Record number must be a whole number, like 12"
        if number < 0
        else ("No record has that number")
    )
    assert summary_errors(answer.text) == {"record_id": expected}
    assert errors_logged() == []


def test_the_audit_log_finds_a_record_by_its_number(app, world):
    db.session.add(
        AuditEntry(action="changed", record_type="session", record_id=world.ids["session_id"],
                   record_label="A session", changes={})
    )  # fmt: skip

    answer = world.browsers["coordinator"].get(f"/admin/audit?record_id={world.ids['session_id']}")

    assert answer.status_code == 200
    assert "A session" in answer.text


@pytest.mark.parametrize("number", NO_RECORD_CAN_HAVE)
def test_records_chosen_in_forms_must_be_ones_a_list_could_offer(app, world, errors_logged, number):
    coordinator = world.browsers["coordinator"]
    agencies, links = count(Agency), count(LessonLink)
    course_id, review_id = world.ids["course_id"], world.ids["review_id"]

    merge = submit(
        coordinator, f"/admin/agencies/{world.ids['agency_id']}/merge", {"into": str(number)}
    )
    to_course = submit(
        coordinator,
        f"/admin/courses/{course_id}/case-reviews",
        {"case_review": str(number), "note": "How the course uses it."},
    )
    to_review = submit(
        coordinator,
        f"/admin/case-reviews/{review_id}/courses",
        {"course": str(number), "note": "How the course uses it."},
    )

    assert merge.status_code == 400
    assert summary_errors(merge.text) == {"into": "Choose the agency to merge into from the list"}
    assert summary_errors(to_course.text) == {"case_review": "Choose a case review from the list"}
    assert summary_errors(to_review.text) == {"course": "Choose a course from the list"}
    assert (count(Agency), count(LessonLink)) == (agencies, links)
    assert errors_logged() == []
