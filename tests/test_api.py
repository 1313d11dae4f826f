"""The JSON API under /api/v1: every response holds to the OpenAPI document it publishes."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import PathNotFound, ServerNotFound
from openapi_spec_validator import validate
from sqlalchemy import select

from app.extensions import db
from app.models import BookingStatus, Course, Delivery, Prerequisite, Sector, SessionStatus, utcnow
from tests.factories import (
    fill,
    link,
    make_case_review,
    make_course,
    make_prospectus,
    make_session,
    make_venue,
)
from tests.test_display import at, next_clock_change, next_summer_day, next_winter_day

BASE_URL = "https://training.example.org"
# Days still to come whenever the tests run: one in Greenwich Mean Time, then one in
# British Summer Time after it (and after the sessions a week and a fortnight later).
WINTER_DAY = next_winter_day()
SUMMER_DAY = next_summer_day(WINTER_DAY)
WINTER = at(WINTER_DAY, 9, 30)
SUMMER = at(SUMMER_DAY, 8, 30)
WINTER_STARTS = f"{WINTER_DAY}T09:30:00+00:00"
SUMMER_STARTS = f"{SUMMER_DAY}T09:30:00+01:00"


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json", base_url=BASE_URL).get_json()


@pytest.fixture
def api(client, spec):
    """GET a path under /api/v1, check its status, and hold the response to the document."""
    openapi = OpenAPI.from_dict(spec)

    def get(path, status=200, **kwargs):
        response = client.get(f"/api/v1{path}", base_url=BASE_URL, **kwargs)
        assert response.status_code == status, response.text
        assert response.mimetype == "application/json"
        openapi.validate_response(
            WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response)
        )
        return response.get_json()

    return get


def make_catalogue():
    """A prospectus as a consumer of the API would meet it, with every kind of session."""
    prospectus = make_prospectus("multi-agency", position=1)
    venue = make_venue(name="Riverside House")
    neglect = make_course(
        prospectus,
        sectors=(Sector.HEALTH, Sector.EDUCATION),
        slug="neglect",
        title="Neglect",
        level=2,
        charges_policy="A charge of £50 is made for places not cancelled.",
    )
    make_session(neglect, WINTER, venue=venue)
    make_session(neglect, SUMMER)
    full = make_session(neglect, WINTER + timedelta(days=7), venue=venue, capacity=2)
    fill(full, 2)
    make_session(neglect, WINTER + timedelta(days=14), status=SessionStatus.CANCELLED)
    review = make_case_review("child-a", title="Child A", year=2019)
    link(
        neglect,
        review,
        note="Looks at how the school's concerns were shared.",
        teaches=(review.key_findings[1],),
    )
    make_course(
        prospectus,
        slug="cse-e-learning",
        title="Child sexual exploitation e-learning",
        delivery=Delivery.E_LEARNING,
        external_url="https://elearning.example.org/cse",
        duration="",
    )
    make_case_review("child-b", title="Child B", year=None)
    make_prospectus("early-help", title="Early help prospectus", position=2)
    return neglect


def urls_in(document):
    """Every link the API itself makes (url, api_url, pdf_url), anywhere in a document."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key in {"url", "api_url", "pdf_url"} and isinstance(value, str):
                yield value
            else:
                yield from urls_in(value)
    elif isinstance(document, list):
        for item in document:
            yield from urls_in(item)


def sessions_of(api, slug):
    return api(f"/courses/{slug}")["sessions"]


# The document itself


def test_openapi_document_is_valid_openapi_3_1(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.1")


def test_openapi_document_names_the_configured_server_whatever_the_host(client):
    spec = client.get("/api/v1/openapi.json", headers={"Host": "evil.example"}).get_json()
    assert spec["servers"] == [{"url": f"{BASE_URL}/api/v1"}]


def test_every_path_in_the_document_is_served(api, spec):
    make_catalogue()
    slugs = {"prospectuses": "multi-agency", "courses": "neglect", "case-reviews": "child-a"}
    for path in spec["paths"]:
        collection = path.split("/")[1]
        document = api(path.replace("{slug}", slugs[collection]))
        assert document


def test_every_api_route_is_in_the_document(app, spec):
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<slug>", "{slug}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert routes - {"/openapi.json"} == set(spec["paths"])


def validate_against(spec, response):
    OpenAPI.from_dict(spec).validate_response(
        WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response)
    )


def test_the_validator_rejects_a_path_the_document_does_not_describe(client, spec):
    response = client.get("/api/v1/openapi.json", base_url=BASE_URL)
    with pytest.raises(PathNotFound):
        validate_against(spec, response)


def test_the_validator_rejects_a_request_to_another_server(client, spec):
    response = client.get("/api/v1/courses", base_url="https://elsewhere.example")
    with pytest.raises(ServerNotFound):
        validate_against(spec, response)


# Each endpoint, with realistic data, against the document


def test_prospectuses_lists_the_published_prospectuses_in_order(api):
    make_catalogue()
    found = api("/prospectuses")["prospectuses"]
    assert [p["slug"] for p in found] == ["multi-agency", "early-help"]
    assert [p["course_count"] for p in found] == [2, 0]


def test_a_prospectus_lists_its_courses(api):
    make_catalogue()
    found = api("/prospectuses/multi-agency")
    assert found["title"] == "Multi-agency learning and development prospectus"
    assert found["course_count"] == 2
    assert [c["slug"] for c in found["courses"]] == ["cse-e-learning", "neglect"]
    assert found["pdf_url"] == f"{BASE_URL}/prospectuses/multi-agency.pdf"


def test_a_prospectus_with_no_courses_is_an_empty_list(api):
    make_catalogue()
    found = api("/prospectuses/early-help")
    assert found["course_count"] == 0
    assert found["courses"] == []


def test_courses_lists_every_published_course_with_its_next_date(api):
    make_catalogue()
    found = {c["slug"]: c for c in api("/courses")["courses"]}
    assert set(found) == {"neglect", "cse-e-learning"}
    assert found["neglect"]["next_session_starts_at"] == WINTER_STARTS
    assert found["neglect"]["audience_sectors"] == ["education", "health"]
    assert found["neglect"]["level"] == 2


def test_a_course_has_its_sessions_at_venues_and_online(api):
    make_catalogue()
    sessions = sessions_of(api, "neglect")
    assert [s["starts_at"] for s in sessions] == [
        WINTER_STARTS,
        f"{WINTER_DAY + timedelta(days=7)}T09:30:00+00:00",
        f"{WINTER_DAY + timedelta(days=14)}T09:30:00+00:00",
        SUMMER_STARTS,
    ]
    at_venue, online = sessions[0], sessions[3]
    assert at_venue["online"] is False
    assert at_venue["venue"] == {
        "name": "Riverside House",
        "address": ["Riverside House", "Main Street", "Rotherham"],
        "postcode": "S60 1AE",
        "access_information": "Step-free access and a hearing loop.",
    }
    assert online["online"] is True
    assert online["venue"] is None


def test_a_full_session_has_no_places_left(api):
    make_catalogue()
    full = sessions_of(api, "neglect")[1]
    assert full["capacity"] == 2
    assert full["places_left"] == 0


def test_a_cancelled_session_is_listed_as_cancelled(api):
    make_catalogue()
    cancelled = sessions_of(api, "neglect")[2]
    assert cancelled["status"] == "cancelled"
    assert [s["status"] for s in sessions_of(api, "neglect")].count("scheduled") == 3


def test_a_course_lists_the_case_reviews_it_draws_on(api):
    make_catalogue()
    found = api("/courses/neglect")
    assert found["case_reviews"] == [
        {
            "slug": "child-a",
            "title": "Child A",
            "note": "Looks at how the school's concerns were shared.",
            "api_url": f"{BASE_URL}/api/v1/case-reviews/child-a",
        }
    ]
    assert found["prospectus"] == "multi-agency"
    assert found["learning_outcomes"] == [
        "Recognise the signs of abuse",
        "Know how to make a referral",
    ]


def test_a_course_lists_the_courses_to_attend_first(api):
    neglect = make_catalogue()
    e_learning = db.session.scalar(select(Course).filter_by(slug="cse-e-learning"))
    draft = make_course(neglect.prospectus, slug="basics", title="Basics", published=False)
    neglect.prerequisites = [
        Prerequisite(required_course=e_learning, within_years=3),
        Prerequisite(required_course=draft),
    ]

    found = api("/courses/neglect")

    assert found["prerequisites"] == [
        {
            "title": "Child sexual exploitation e-learning",
            "level": 1,
            "within_years": 3,
            "api_url": f"{BASE_URL}/api/v1/courses/cse-e-learning",
        },
        {"title": "Basics", "level": 1, "within_years": None, "api_url": None},
    ]
    assert api("/courses/cse-e-learning")["prerequisites"] == []


def test_an_e_learning_course_links_elsewhere_and_has_no_sessions(api):
    make_catalogue()
    found = api("/courses/cse-e-learning")
    assert found["delivery"] == "e-learning"
    assert found["external_url"] == "https://elearning.example.org/cse"
    assert found["sessions"] == []
    assert found["next_session_starts_at"] is None


def test_case_reviews_list_newest_first_and_those_with_no_year_last(api):
    make_catalogue()
    make_case_review("child-c", title="Child C", year=2021)
    found = api("/case-reviews")["case_reviews"]
    assert [(r["slug"], r["year"]) for r in found] == [
        ("child-c", 2021),
        ("child-a", 2019),
        ("child-b", None),
    ]


def test_a_case_review_lists_its_findings_reports_and_courses(api):
    make_catalogue()
    found = api("/case-reviews/child-a")
    assert found["key_findings"] == [
        "Enquiries were not started in time",
        "Roles were unclear",
    ]
    assert found["reports"] == [
        {"title": "Overview report", "url": "https://example.org/overview.pdf"}
    ]
    assert found["courses"] == [
        {
            "slug": "neglect",
            "title": "Neglect",
            "note": "Looks at how the school's concerns were shared.",
            "key_findings": ["Roles were unclear"],
            "next_session_starts_at": WINTER_STARTS,
            "api_url": f"{BASE_URL}/api/v1/courses/neglect",
        }
    ]


def test_a_case_review_with_no_year_and_no_courses(api):
    make_catalogue()
    found = api("/case-reviews/child-b")
    assert found["year"] is None
    assert found["courses"] == []


# Nothing unpublished is seen


def assert_not_found(document):
    assert document["error"]["status"] == 404
    assert document["error"]["message"]


def test_an_unpublished_prospectus_is_not_listed_and_not_found(api):
    make_prospectus("draft", published=False)
    assert api("/prospectuses")["prospectuses"] == []
    assert_not_found(api("/prospectuses/draft", status=404))


def test_an_unknown_slug_is_not_found(api):
    assert_not_found(api("/prospectuses/nothing", status=404))
    assert_not_found(api("/courses/nothing", status=404))
    assert_not_found(api("/case-reviews/nothing", status=404))


def test_an_unpublished_course_is_not_listed_counted_or_found(api):
    prospectus = make_prospectus()
    make_course(prospectus, slug="draft", published=False)
    assert api("/courses")["courses"] == []
    assert api("/prospectuses")["prospectuses"][0]["course_count"] == 0
    assert api(f"/prospectuses/{prospectus.slug}")["courses"] == []
    assert_not_found(api("/courses/draft", status=404))


def test_a_course_in_an_unpublished_prospectus_is_not_listed_or_found(api):
    make_course(make_prospectus("draft", published=False), slug="hidden")
    assert api("/courses")["courses"] == []
    assert_not_found(api("/courses/hidden", status=404))


def test_an_unpublished_case_review_is_not_listed_linked_or_found(api):
    course = make_course(make_prospectus(), slug="neglect")
    link(course, make_case_review("draft", published=False))
    assert api("/case-reviews")["case_reviews"] == []
    assert api("/courses/neglect")["case_reviews"] == []
    assert_not_found(api("/case-reviews/draft", status=404))


def test_a_case_review_does_not_list_unpublished_courses(api):
    review = make_case_review("child-a")
    link(make_course(make_prospectus(), slug="draft", published=False), review)
    link(make_course(make_prospectus("hidden", published=False), slug="hidden"), review)
    assert api("/case-reviews/child-a")["courses"] == []


def test_unpublished_sessions_are_not_listed(api):
    course = make_course(make_prospectus(), slug="neglect")
    make_session(course, WINTER, published=False)
    assert sessions_of(api, "neglect") == []


def test_an_unknown_api_address_answers_json(client):
    response = client.get("/api/v1/nothing-here", base_url=BASE_URL)
    assert response.status_code == 404
    assert_not_found(response.get_json())


# Places, dates and times


def test_places_left_counts_confirmed_and_awaiting_approval_bookings_only(api):
    session = make_session(make_course(make_prospectus(), slug="neglect"), capacity=10)
    fill(session, 2, BookingStatus.CONFIRMED)
    fill(session, 1, BookingStatus.AWAITING_APPROVAL)
    fill(session, 3, BookingStatus.WAITING)
    fill(session, 1, BookingStatus.CANCELLED)
    fill(session, 1, BookingStatus.DECLINED)
    assert sessions_of(api, "neglect")[0]["places_left"] == 7


def test_places_left_is_never_negative_when_overbooked(api):
    session = make_session(make_course(make_prospectus(), slug="neglect"), capacity=2)
    fill(session, 3)
    assert sessions_of(api, "neglect")[0]["places_left"] == 0


def test_past_sessions_are_not_listed(api):
    course = make_course(make_prospectus(), slug="neglect")
    make_session(course, utcnow().replace(microsecond=0) - timedelta(days=1))
    found = api("/courses/neglect")
    assert found["sessions"] == []
    assert found["next_session_starts_at"] is None
    assert api("/courses")["courses"][0]["next_session_starts_at"] is None


def test_winter_times_carry_the_greenwich_offset(api):
    make_session(make_course(make_prospectus(), slug="neglect"), WINTER, hours=3)
    session = sessions_of(api, "neglect")[0]
    assert session["starts_at"] == WINTER_STARTS
    assert session["ends_at"] == f"{WINTER_DAY}T12:30:00+00:00"
    assert session["timezone"] == "Europe/London"


def test_summer_times_carry_the_british_summer_time_offset(api):
    make_session(make_course(make_prospectus(), slug="neglect"), SUMMER, hours=3)
    session = sessions_of(api, "neglect")[0]
    assert session["starts_at"] == SUMMER_STARTS
    assert session["ends_at"] == f"{SUMMER_DAY}T12:30:00+01:00"


def test_a_session_across_the_autumn_clock_change_changes_offset(api):
    change_day = next_clock_change(spring=False)  # clocks go back at 01:00 UTC
    make_session(make_course(make_prospectus(), slug="neglect"), at(change_day, 0, 30), hours=1)
    session = sessions_of(api, "neglect")[0]
    assert session["starts_at"] == f"{change_day}T01:30:00+01:00"
    assert session["ends_at"] == f"{change_day}T01:30:00+00:00"


def test_times_name_the_same_instant_as_stored(api):
    make_session(make_course(make_prospectus(), slug="neglect"), SUMMER)
    starts_at = sessions_of(api, "neglect")[0]["starts_at"]
    assert datetime.fromisoformat(starts_at) == SUMMER


def test_next_session_ignores_cancelled_and_unpublished_sessions(api):
    course = make_course(make_prospectus(), slug="neglect")
    link(course, make_case_review("child-a"))
    make_session(course, WINTER, status=SessionStatus.CANCELLED)
    make_session(course, WINTER + timedelta(days=1), published=False)
    make_session(course, SUMMER)
    expected = SUMMER_STARTS
    assert api("/courses")["courses"][0]["next_session_starts_at"] == expected
    assert api("/courses/neglect")["next_session_starts_at"] == expected
    assert api("/prospectuses/multi-agency")["courses"][0]["next_session_starts_at"] == expected
    assert api("/case-reviews/child-a")["courses"][0]["next_session_starts_at"] == expected


def test_next_session_is_the_earliest_to_come_not_the_first_made(api):
    course = make_course(make_prospectus(), slug="neglect")
    make_session(course, SUMMER)
    make_session(course, WINTER)
    assert api("/courses")["courses"][0]["next_session_starts_at"] == WINTER_STARTS


# Links


@pytest.mark.parametrize(
    "path",
    [
        "/prospectuses",
        "/prospectuses/multi-agency",
        "/courses",
        "/courses/neglect",
        "/case-reviews",
        "/case-reviews/child-a",
    ],
)
def test_links_are_absolute_from_base_url_whatever_the_host_header(client, path):
    make_catalogue()
    response = client.get(f"/api/v1{path}", headers={"Host": "evil.example"})
    assert response.status_code == 200
    urls = list(urls_in(response.get_json()))
    assert urls
    own = [url for url in urls if url != "https://example.org/overview.pdf"]
    assert all(url.startswith(f"{BASE_URL}/") for url in own), own
    assert not any("evil.example" in url for url in urls)


def test_links_lead_to_the_pages_and_documents_they_name(api, client):
    course = make_catalogue()
    found = api("/courses/neglect")
    assert found["url"] == f"{BASE_URL}/courses/neglect"
    assert found["api_url"] == f"{BASE_URL}/api/v1/courses/neglect"
    session_url = found["sessions"][0]["url"]
    assert session_url == f"{BASE_URL}/sessions/{course.sessions[0].id}"
    for url in (found["url"], session_url, found["case_reviews"][0]["api_url"]):
        assert client.get(url.removeprefix(BASE_URL)).status_code == 200


def test_a_course_gives_its_cpd_hours_as_a_number(api):
    neglect = make_catalogue()
    neglect.cpd_hours = Decimal("2.5")

    assert api("/courses/neglect")["cpd_hours"] == 2.5
