"""Journeys: a coordinator makes a course require another; a professional who has not
attended it is told what to take first and cannot book, until the coordinator books them
with a reason. A coordinator gives police at most one place on a session, and a second
officer joins the waiting list, told why."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.models import Agency, Role
from tests.e2e.actions import Mouse, admin_section, errors_shown, heading, sign_in

BASICS = "Recognising abuse: the basics"
IN_PRACTICE = "Safeguarding in practice"


def test_a_course_requires_another_and_a_coordinator_books_someone_past_it(site, new_page, check):
    database = site.database
    coordinator = database.make_person("Carla Coordinator", role=Role.COORDINATOR)
    nurse = database.make_person("Nell Nurse")
    basics = database.make_course(BASICS, capacity=20, days_ahead=25, level=1)
    in_practice = database.make_course(IN_PRACTICE, capacity=20, days_ahead=30)

    page = new_page()
    hands = Mouse(page)
    sign_in(page, coordinator, hands)
    page.goto("/admin")
    admin_section(page, hands, "Courses")
    hands.follow(page.get_by_role("link", name=IN_PRACTICE, exact=True))
    heading(page, IN_PRACTICE)
    hands.follow(page.get_by_role("link", name="Change prerequisites"))
    heading(page, "Prerequisites")
    hands.press(page.get_by_role("button", name="Add prerequisite"))
    errors_shown(page, {"Course to attend first": "Choose a course"})
    check(page, "prerequisite-errors")
    hands.choose(
        page.get_by_label("Course to attend first"),
        f"{BASICS} (Multi-agency learning and development prospectus)",
    )
    hands.fill(page.get_by_label("Attended within the last N years (optional)"), "3")
    hands.press(page.get_by_role("button", name="Add prerequisite"))
    expect(page.get_by_text(f"{IN_PRACTICE} now requires {BASICS} first.")).to_be_visible()
    expect(page.get_by_text("In the last 3 years", exact=True)).to_be_visible()
    check(page, "prerequisites")

    page = new_page()
    hands = Mouse(page)
    sign_in(page, nurse, hands)
    page.goto(f"/sessions/{in_practice}")
    expect(page.get_by_text("You cannot book this course yet")).to_be_visible()
    expect(page.get_by_text("You have not attended it.")).to_be_visible()
    expect(page.get_by_role("button", name="Book a place")).to_have_count(0)
    check(page, "session-not-met")
    page.goto(f"/sessions/{in_practice}/book")
    heading(page, "You cannot book this session")
    hands.follow(page.get_by_role("main").get_by_role("link", name=BASICS))
    heading(page, BASICS)
    page.goto(f"/sessions/{basics}")
    expect(page.get_by_role("button", name="Book a place")).to_be_visible()

    page = new_page()
    hands = Mouse(page)
    sign_in(page, coordinator, hands)
    page.goto("/admin")
    admin_section(page, hands, "People")
    hands.fill(page.get_by_label("Name or email address"), nurse.email)
    hands.press(page.get_by_role("button", name="Search"))
    hands.follow(page.get_by_role("link", name=nurse.name))
    hands.follow(page.get_by_role("button", name="Book onto a session"))
    heading(page, "Book onto a session")
    hands.press(page.get_by_role("button", name="Book the place"))
    errors_shown(
        page,
        {
            "Session": "Choose a session",
            "Why you are booking them": "Enter why you are booking this person",
        },
    )
    check(page, "book-a-person-errors")
    session_option = page.get_by_label("Session").locator("option", has_text=IN_PRACTICE)
    hands.choose(page.get_by_label("Session"), session_option.inner_text())
    hands.fill(page.get_by_label("Why you are booking them"), "Has the basics from her last trust")
    hands.press(page.get_by_role("button", name="Book the place"))
    expect(page.get_by_text(f"{nurse.name} has a place on {IN_PRACTICE}")).to_be_visible()
    check(page, "person-booked")

    confirmed = site.mailbox.wait_for(nurse.email, "Place confirmed")
    assert (
        "A training coordinator made this booking for you."
        in confirmed.get_body(("plain",)).get_content()
    )


def test_police_at_most_one_place_and_the_second_officer_waits_told_why(site, new_page, check):
    database = site.database
    with database.session() as db_session:
        police = db_session.scalar(select(Agency.id).filter_by(name="South Yorkshire Police"))
    coordinator = database.make_person("Cora Planner", role=Role.COORDINATOR)
    first, second = (
        database.make_person(name, agency_id=police) for name in ("Pat Sergeant", "Sam Constable")
    )
    session = database.make_course("Mixing the room", capacity=10, days_ahead=40)

    page = new_page()
    hands = Mouse(page)
    sign_in(page, coordinator, hands)
    page.goto(f"/admin/sessions/{session}")
    hands.follow(page.get_by_role("link", name="Share the places between sectors"))
    heading(page, "Places per sector")
    hands.choose(page.get_by_label("Sector", exact=True), "Police")
    hands.fill(page.get_by_label("The most places the sector may have (optional)"), "1")
    hands.fill(
        page.get_by_label("Held until how many days before the session (with places held)"), "3"
    )
    hands.press(page.get_by_role("button", name="Save the sector's places"))
    errors_shown(page, {"Places held for the sector (optional)": "Enter how many places are held"})
    check(page, "sector-places-errors")
    hands.fill(
        page.get_by_label("Held until how many days before the session (with places held)"), ""
    )
    hands.press(page.get_by_role("button", name="Save the sector's places"))
    expect(page.get_by_text("The places for police are saved.")).to_be_visible()
    expect(page.get_by_text("At most 1 place")).to_be_visible()
    check(page, "sector-places")

    for officer, outcome in ((first, "Confirmed"), (second, "On the waiting list")):
        page = new_page()
        hands = Mouse(page)
        sign_in(page, officer, hands)
        page.goto(f"/sessions/{session}/book")
        if officer is second:
            expect(
                page.get_by_text(
                    "At most 1 place on this session is for police, and it is taken. "
                    "You will join the waiting list."
                )
            ).to_be_visible()
            check(page, "waiting-for-a-police-place")
        hands.press(
            page.get_by_role("button", name=re.compile("Confirm booking|Join the waiting list"))
        )
        expect(page.get_by_text(outcome, exact=True).first).to_be_visible()
    expect(page.get_by_text("At most 1 place on this session is for police")).to_be_visible()
    check(page, "waiting-booking")
