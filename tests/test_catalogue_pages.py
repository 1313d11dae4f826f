"""The public catalogue's pages, as a visitor without an account sees them."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.models import BookingStatus, ChargingBand, Delivery, Role, Sector, SessionStatus, utcnow
from tests.conftest import sign_in, words
from tests.factories import (
    PASSWORD,
    fill,
    link,
    make_agency,
    make_case_review,
    make_course,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
)


@pytest.fixture
def multi_agency(app):
    return make_prospectus("multi-agency", title="Multi-agency learning and development prospectus")


@pytest.fixture
def early_help(app):
    return make_prospectus(
        "early-help",
        title="Early Help learning and development prospectus",
        introduction="Courses for practitioners who support families early.",
        position=2,
    )


def in_days(days: int, hour: int = 10) -> datetime:
    return (utcnow() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_home_page_links_to_both_prospectuses_reviews_and_e_learning(
    client, multi_agency, early_help
):
    make_case_review("child-r", title="Child R - Serious Case Review")
    make_course(
        multi_agency,
        slug="cse-e-learning",
        title="Child sexual exploitation e-learning",
        delivery=Delivery.E_LEARNING,
        external_url="https://www.virtual-college.co.uk/",
    )

    page = client.get("/").text

    assert 'href="/prospectuses/multi-agency"' in page
    assert 'href="/prospectuses/early-help"' in page
    assert 'href="/case-reviews/child-r"' in page
    assert 'href="/courses/cse-e-learning"' in page
    assert '<label class="govuk-label govuk-label--s" for="q">Search all courses</label>' in page


def test_prospectuses_show_introductions_and_count_published_courses_only(
    client, multi_agency, early_help
):
    make_course(multi_agency)
    make_course(multi_agency)
    make_course(multi_agency, published=False)
    make_course(early_help)

    page = client.get("/prospectuses").text

    assert "2 courses" in page
    assert "1 course<" in page
    assert "Courses for practitioners who support families early." in page


def test_unpublished_prospectus_is_not_listed_and_not_found(client, multi_agency):
    make_prospectus("early-help", title="Draft early help prospectus", published=False)

    assert "Draft early help prospectus" not in client.get("/prospectuses").text
    assert client.get("/prospectuses/early-help").status_code == 404
    assert client.get("/prospectuses/early-help.pdf").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/prospectuses/no-such-prospectus",
        "/courses/no-such-course",
        "/sessions/999999",
        "/sessions/not-a-number",
        "/case-reviews/no-such-review",
        "/no-such-page",
    ],
)
def test_unknown_addresses_get_a_page_not_found(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "browse the prospectuses" in response.text


def test_prospectus_lists_its_published_courses_only(client, multi_agency, early_help):
    make_course(multi_agency, title="Neglect")
    make_course(multi_agency, title="Draft course", published=False)
    make_course(early_help, title="Team Around the Family")

    page = client.get("/prospectuses/multi-agency").text

    assert "Neglect" in page
    assert "Draft course" not in page
    assert "Team Around the Family" not in page
    assert "1 course<" in page


def course_titles(page: str, titles: list[str]) -> set[str]:
    return {title for title in titles if f">{title}</a>" in page}


class TestFilters:
    @pytest.fixture
    def courses(self, multi_agency):
        venue = make_venue()
        neglect = make_course(
            multi_agency, title="Neglect", level=2, sectors=(Sector.HEALTH, Sector.EDUCATION)
        )
        make_session(neglect, starts_at=in_days(20), venue=venue, capacity=10)
        online = make_course(
            multi_agency,
            title="Domestic abuse",
            level=1,
            delivery=Delivery.LIVE_ONLINE,
            description="How **coercive control** affects children.",
            sectors=(Sector.POLICE,),
        )
        full = make_session(online, starts_at=in_days(20), capacity=4)
        fill(full, 4)
        s47 = make_course(
            multi_agency, title="Section 47 enquiries", level=3, sectors=(Sector.SOCIAL_CARE,)
        )
        make_session(s47, starts_at=in_days(80), venue=venue)
        make_course(
            multi_agency,
            title="CSE e-learning",
            level=1,
            delivery=Delivery.E_LEARNING,
            external_url="https://www.virtual-college.co.uk/",
            sectors=(Sector.HEALTH,),
        )
        return ["Neglect", "Domestic abuse", "Section 47 enquiries", "CSE e-learning"]

    def shown(self, client, titles, query: str) -> set[str]:
        response = client.get(f"/prospectuses/multi-agency?{query}")
        assert response.status_code == 200
        return course_titles(response.text, titles)

    def test_text_search_matches_title_and_description_in_any_case(self, client, courses):
        assert self.shown(client, courses, "q=NEGLECT") == {"Neglect"}
        assert self.shown(client, courses, "q=coercive") == {"Domestic abuse"}
        assert self.shown(client, courses, "q=section+enquiries") == {"Section 47 enquiries"}

    def test_text_search_treats_wildcards_literally(self, client, courses):
        assert self.shown(client, courses, "q=%25") == set()
        assert self.shown(client, courses, "q=_") == set()

    def test_level_filter(self, client, courses):
        assert self.shown(client, courses, "level=1") == {"Domestic abuse", "CSE e-learning"}

    def test_audience_sector_filter(self, client, courses):
        assert self.shown(client, courses, "sector=health") == {"Neglect", "CSE e-learning"}

    def test_delivery_filter(self, client, courses):
        assert self.shown(client, courses, "delivery=live-online") == {"Domestic abuse"}

    def test_month_filter_keeps_courses_with_a_session_that_month(self, client, courses):
        month = in_days(80).strftime("%Y-%m")
        assert self.shown(client, courses, f"month={month}") == {"Section 47 enquiries"}

    def test_places_filter_leaves_out_courses_whose_sessions_are_full(self, client, courses):
        assert self.shown(client, courses, "places=y") == {
            "Neglect",
            "Section 47 enquiries",
            "CSE e-learning",
        }

    def test_filters_combine(self, client, courses):
        assert self.shown(client, courses, "level=1&sector=health") == {"CSE e-learning"}
        assert self.shown(client, courses, "level=1&places=y") == {"CSE e-learning"}
        assert self.shown(client, courses, "q=neglect&level=3") == set()

    def test_filters_are_shown_as_chosen(self, client, courses):
        page = client.get("/prospectuses/multi-agency?q=neglect&level=2&places=y").text

        assert 'value="neglect"' in page
        assert '<option value="2" selected>Level 2</option>' in page
        assert 'name="places" type="checkbox" value="y" checked' in page
        assert "1 course matches your filters" in page
        assert 'href="/prospectuses/multi-agency">Clear filters' in page


def test_a_session_awaiting_approval_holds_its_place(client, multi_agency):
    course = make_course(multi_agency, title="Neglect")
    session = make_session(course, capacity=2)
    fill(session, 1, BookingStatus.AWAITING_APPROVAL)
    fill(session, 1, BookingStatus.CONFIRMED)
    fill(session, 3, BookingStatus.CANCELLED)

    page = client.get("/prospectuses/multi-agency?places=y").text

    assert "0 courses match your filters" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("level=9", "Choose a level from the list"),
        ("sector=pirates", "Choose an audience from the list"),
        ("delivery=carrier-pigeon", "Choose a way of delivery from the list"),
        ("month=2020-13", "Choose a month from the list"),
        ("page=abc", "Choose a page from the list"),
        ("page=0", "Choose a page from the list"),
        ("q=" + "x" * 101, "Search for 100 characters or fewer"),
    ],
)
def test_bad_filter_values_get_a_clear_message(client, multi_agency, query, message):
    make_course(multi_agency, title="Neglect")

    response = client.get(f"/prospectuses/multi-agency?{query}")

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert message in response.text
    assert "<title>Error:" in response.text


def test_valid_filters_still_apply_beside_a_bad_one(client, multi_agency):
    make_course(multi_agency, title="Neglect", level=2)
    make_course(multi_agency, title="Domestic abuse", level=1)

    response = client.get("/prospectuses/multi-agency?level=2&sector=pirates")

    assert response.status_code == 400
    assert course_titles(response.text, ["Neglect", "Domestic abuse"]) == {"Neglect"}


def test_results_are_paginated_and_page_links_keep_the_filters(client, multi_agency):
    for number in range(25):
        make_course(multi_agency, title=f"Level two course {number:02d}", level=2)
    make_course(multi_agency, title="Level one course", level=1)

    first = client.get("/prospectuses/multi-agency?level=2").text
    third = client.get("/prospectuses/multi-agency?level=2&page=3").text

    assert "25 courses match your filters" in first
    assert ">Level two course 00</a>" in first
    assert ">Level two course 10</a>" not in first
    assert 'href="/prospectuses/multi-agency?page=2&amp;level=2#results"' in first
    assert ">Level two course 24</a>" in third
    assert ">Level two course 19</a>" not in third
    assert "Level one course" not in third


def test_a_page_past_the_end_shows_no_courses(client, multi_agency):
    make_course(multi_agency, title="Neglect")

    response = client.get("/prospectuses/multi-agency?page=7")

    assert response.status_code == 200
    assert ">Neglect</a>" not in response.text


class TestCoursePage:
    def test_shows_everything_about_the_course(self, client, multi_agency):
        course = make_course(
            multi_agency,
            title="Neglect",
            level=2,
            duration="Full day",
            audience="Health visitors and teachers.",
            charges_policy="Free. A £50 charge is made for non-attendance.",
            learning_outcomes="Recognise neglect\nUse the graded care profile",
            description="Neglect is *persistent*.\n\n- one\n- two",
        )

        page = client.get(f"/courses/{course.slug}").text

        for text in [
            "Neglect",
            "Level 2",
            "Full day",
            "Health visitors and teachers.",
            "A £50 charge is made for non-attendance.",
            "<li>Recognise neglect</li>",
            "<li>Use the graded care profile</li>",
            "<em>persistent</em>",
            "<li>one</li>",
        ]:
            assert text in page

    def test_lists_upcoming_sessions_with_places_and_where(self, client, multi_agency):
        course = make_course(multi_agency)
        venue = make_venue(name="Riverside House")
        make_session(course, starts_at=in_days(-3), venue=venue)
        nearly_full = make_session(course, starts_at=in_days(10), venue=venue, capacity=10)
        fill(nearly_full, 9)
        full = make_session(course, starts_at=in_days(20), capacity=3)
        fill(full, 3)
        make_session(course, starts_at=in_days(30), status=SessionStatus.CANCELLED)
        make_session(course, starts_at=in_days(40), published=False)

        page = client.get(f"/courses/{course.slug}").text

        assert page.count('href="/sessions/') == 3
        assert "1 place left" in page
        assert "Riverside House" in page
        assert "Online" in page
        assert ">Full<" in page
        assert ">Cancelled<" in page

    def test_says_when_no_sessions_are_planned(self, client, multi_agency):
        course = make_course(multi_agency)

        assert "No sessions are planned at the moment" in client.get(f"/courses/{course.slug}").text

    def test_lessons_from_case_reviews_with_their_notes(self, client, multi_agency):
        course = make_course(multi_agency)
        review = make_case_review("child-r", title="Child R - Serious Case Review")
        draft = make_case_review("child-x", title="Draft review", published=False)
        link(course, review, note="Uses the delay in starting section 47 enquiries.")
        link(course, draft, note="Not yet public.")

        page = client.get(f"/courses/{course.slug}").text

        assert "Lessons from case reviews" in page
        assert 'href="/case-reviews/child-r"' in page
        assert "Uses the delay in starting section 47 enquiries." in page
        assert "Draft review" not in page

    def test_e_learning_links_out_instead_of_listing_sessions(self, client, multi_agency):
        course = make_course(
            multi_agency,
            delivery=Delivery.E_LEARNING,
            external_url="https://www.virtual-college.co.uk/",
        )

        page = client.get(f"/courses/{course.slug}").text

        assert 'href="https://www.virtual-college.co.uk/"' in page
        assert "Upcoming sessions" not in page

    def test_unpublished_course_or_prospectus_is_not_found(self, client, multi_agency):
        draft = make_course(multi_agency, published=False)
        hidden = make_course(make_prospectus("early-help", published=False))

        assert client.get(f"/courses/{draft.slug}").status_code == 404
        assert client.get(f"/courses/{hidden.slug}").status_code == 404

    def test_text_typed_by_coordinators_cannot_inject_markup(self, client, multi_agency):
        course = make_course(
            multi_agency,
            title="<script>alert('title')</script>",
            description="Hello <script>alert('description')</script> [x](javascript:alert(1))",
        )

        page = client.get(f"/courses/{course.slug}").text

        assert "<script>alert(" not in page
        assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page
        assert "javascript:" not in page


class TestSessionPage:
    def test_shows_course_date_times_venue_access_and_places(self, client, multi_agency):
        course = make_course(multi_agency, title="Neglect")
        venue = make_venue(
            name="Rotherham Town Hall",
            address="Moorgate Street\nRotherham",
            postcode="S60 2TH",
            access_information="Lift to all floors.",
        )
        session = make_session(
            course, starts_at=datetime(2027, 2, 3, 9, 30, tzinfo=UTC), venue=venue, capacity=12
        )
        fill(session, 5)

        page = client.get(f"/sessions/{session.id}").text

        for text in [
            "Neglect",
            "Wednesday 3 February 2027",
            "9:30am to 12:30pm",
            "Rotherham Town Hall",
            "Moorgate Street<br>",
            "S60 2TH",
            "Lift to all floors.",
            "7 places left",
        ]:
            assert text in page

    def test_shows_its_trainers_and_cancellation_cut_off(self, client, multi_agency):
        trainers = [make_user(name=name, role=Role.TRAINER) for name in ("Priya Natt", "Ann Lee")]
        session = make_session(
            make_course(multi_agency),
            starts_at=datetime(2027, 2, 3, 9, 30, tzinfo=UTC),
            cancellation_cutoff_hours=72,
            trainers=trainers,
        )

        page = words(client.get(f"/sessions/{session.id}").text)

        assert "Trainers Ann Lee, Priya Natt" in page
        assert "Cancel by 9:30am on Sunday 31 January 2027 (72 hours before the start)" in page

    def test_after_the_cut_off_it_says_cancelling_counts_as_late(self, client, multi_agency):
        session = make_session(
            make_course(multi_agency), starts_at=in_days(1), cancellation_cutoff_hours=48
        )

        page = words(client.get(f"/sessions/{session.id}").text)

        assert (
            "The cancellation cut-off, 48 hours before the start, has passed: cancelling now "
            "counts as a late cancellation." in page
        )
        assert "Cancel by" not in page

    def test_a_session_without_trainers_says_they_are_to_be_confirmed(self, client, multi_agency):
        session = make_session(make_course(multi_agency))

        assert "Trainers To be confirmed" in words(client.get(f"/sessions/{session.id}").text)

    def test_its_breadcrumbs_go_through_the_prospectuses_as_the_course_pages_do(
        self, client, multi_agency
    ):
        course = make_course(multi_agency, title="Neglect")
        session = make_session(course)

        session_trail = breadcrumbs(client.get(f"/sessions/{session.id}").text)

        assert session_trail == ["Home", "Prospectuses", multi_agency.title, "Neglect"]
        assert breadcrumbs(client.get(f"/courses/{course.slug}").text) == session_trail[:3]

    def test_a_visitor_is_told_what_chargeable_agencies_pay_by_default(self, client, multi_agency):
        session = make_session(make_course(multi_agency))

        page = words(client.get(f"/sessions/{session.id}").text)

        assert (
            "Agencies in the chargeable band are charged £50 for a place not used without "
            "cancelling, and £50 for a cancellation after the cut-off." in page
        )

    def test_a_course_of_its_own_charges_shows_them(self, client, multi_agency):
        course = make_course(
            multi_agency, non_attendance_charge_pence=7500, late_cancellation_charge_pence=2000
        )
        session = make_session(course)

        page = words(client.get(f"/sessions/{session.id}").text)

        assert "charged £75 for a place not used" in page
        assert "£20 for a cancellation after the cut-off" in page

    def test_a_person_sees_the_charges_of_their_own_agency(self, client, multi_agency):
        session = make_session(make_course(multi_agency, non_attendance_charge_pence=6000))
        school = make_agency(name="Oakwood School", charging_band=ChargingBand.CHARGEABLE)
        person = make_user(password=PASSWORD, agency=school)
        sign_in(client, person.email, PASSWORD)

        page = words(client.get(f"/sessions/{session.id}").text)

        assert (
            "Oakwood School is charged £60 if you do not come without cancelling, and £50 if "
            "you cancel after the cut-off." in page
        )

    def test_a_person_of_a_partner_agency_is_told_it_is_not_charged(self, client, multi_agency):
        session = make_session(make_course(multi_agency))
        police = make_agency(name="South Yorkshire Police", charging_band=ChargingBand.PARTNER)
        person = make_user(password=PASSWORD, agency=police)
        sign_in(client, person.email, PASSWORD)

        page = words(client.get(f"/sessions/{session.id}").text)

        assert "South Yorkshire Police is not charged for a place not used." in page
        assert "£50" not in page

    def test_online_session_says_so(self, client, multi_agency):
        session = make_session(make_course(multi_agency))

        assert "Online. The joining link is sent" in client.get(f"/sessions/{session.id}").text

    def test_past_and_cancelled_sessions_say_so(self, client, multi_agency):
        course = make_course(multi_agency)
        past = make_session(course, starts_at=in_days(-10))
        cancelled = make_session(course, status=SessionStatus.CANCELLED)

        assert "already taken place" in client.get(f"/sessions/{past.id}").text
        assert "has been cancelled" in client.get(f"/sessions/{cancelled.id}").text

    def test_unpublished_session_is_not_found(self, client, multi_agency):
        course = make_course(multi_agency)
        draft = make_session(course, published=False)
        hidden = make_session(make_course(multi_agency, published=False))

        assert client.get(f"/sessions/{draft.id}").status_code == 404
        assert client.get(f"/sessions/{hidden.id}").status_code == 404


class TestCaseReviews:
    def test_index_lists_published_reviews(self, client):
        make_case_review("child-s", title="Child S - Serious Case Review", year=2012)
        make_case_review("child-x", title="Draft review", published=False)

        page = client.get("/case-reviews").text

        assert 'href="/case-reviews/child-s"' in page
        assert "Published 2012" in page
        assert "Draft review" not in page

    def test_review_shows_findings_reports_and_courses_with_next_dates(self, client, multi_agency):
        review = make_case_review(
            "child-r",
            title="Child R - Serious Case Review",
            year=None,
            summary="There was a failure to protect Child R.",
            key_findings="Section 47 enquiries were not started in time\nRoles were unclear",
        )
        course = make_course(multi_agency, title="Section 47 enquiries")
        make_session(course, starts_at=datetime(2027, 1, 14, 9, 30, tzinfo=UTC))
        link(course, review, note="Looks at the delay in starting enquiries.")
        link(make_course(multi_agency, title="Draft course", published=False), review)

        page = client.get("/case-reviews/child-r").text

        for text in [
            "There was a failure to protect Child R.",
            "Section 47 enquiries were not started in time",
            'href="https://example.org/overview.pdf"',
            "Courses that draw on this review",
            f'href="/courses/{course.slug}"',
            "Looks at the delay in starting enquiries.",
            "Next date: Thursday 14 January 2027",
        ]:
            assert text in page
        assert "Draft course" not in page
        assert "Published 2" not in page

    def test_unpublished_review_is_not_found(self, client):
        make_case_review("child-x", published=False)

        assert client.get("/case-reviews/child-x").status_code == 404


def test_search_finds_courses_in_both_prospectuses(client, multi_agency, early_help):
    make_course(multi_agency, title="Neglect")
    make_course(early_help, title="Neglect and early help")
    make_course(early_help, title="Young carers")

    page = client.get("/search?q=neglect").text

    assert course_titles(page, ["Neglect", "Neglect and early help", "Young carers"]) == {
        "Neglect",
        "Neglect and early help",
    }


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.org"])
def test_an_e_learning_address_must_be_a_web_address(multi_agency, url):
    with pytest.raises(ValueError, match="must start with http:// or https://"):
        make_course(multi_agency, delivery=Delivery.E_LEARNING, external_url=url)


def breadcrumbs(page: str) -> list[str]:
    trail = re.search(r'<nav class="govuk-breadcrumbs.*?</nav>', page, re.S).group(0)
    return [words(item) for item in re.findall(r"<li.*?</li>", trail, re.S)]


def test_a_course_page_states_the_charges_the_rules_make_beside_its_policy(
    app, client, multi_agency, monkeypatch
):
    monkeypatch.setitem(app.config, "NON_ATTENDANCE_CHARGE", 4000)
    course = make_course(multi_agency, charges_policy="Free to the partnership's workforce.")

    page = words(client.get(f"/courses/{course.slug}").text)

    assert (
        "Charges Free to the partnership's workforce. Agencies in the chargeable band are "
        "charged £40 for a place not used without cancelling, and £50 for a cancellation "
        "after the cut-off." in page
    )


def test_a_serious_case_review_is_shown_with_its_current_name(client):
    review = make_case_review(title="Child R - Serious Case Review", slug="child-r")
    newer = make_case_review(title="Child T - Child Safeguarding Practice Review", slug="child-t")

    listed = words(client.get("/case-reviews").text)
    shown = words(client.get(f"/case-reviews/{review.slug}").text)

    current = "Child R - Serious Case Review (now called a child safeguarding practice review)"
    assert current in listed
    assert (
        "Child R - Serious Case Review Serious case reviews are now called child safeguarding "
        "practice reviews." in shown
    )
    assert f"{newer.title} (now called" not in listed
