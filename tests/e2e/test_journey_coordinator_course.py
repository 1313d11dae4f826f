"""Journey 5: a coordinator makes a course in the Early Help prospectus, links the Child R
review to it with a note, schedules a session with a trainer and publishes both; a visitor
then finds the course in the prospectus, with its session and its lesson from Child R."""

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from app.display import LONDON, long_date
from tests.e2e.actions import Mouse, admin_section, fill_date, heading, menu_link, sign_in
from tests.e2e.server import COORDINATOR

TRAINER = "Lisa Dyson (lisa.dyson@example.org)"
PROSPECTUS = "Early Help learning and development prospectus"
REVIEW = "Child R - Serious Case Review"
TITLE = "Hearing the child in early help: lessons from Child R"
DRIFT = "Recognise drift in early help"
ESCALATE = "Know when and how to escalate a worry"
NOTE = "Uses the delay in starting enquiries for Child R to practise escalating a worry early."


def test_a_coordinator_makes_a_course_links_a_review_schedules_and_publishes_a_session(
    page, new_page, check
):
    hands = Mouse(page)
    day = (datetime.now(LONDON) + timedelta(days=21)).date()
    sign_in(page, COORDINATOR)
    menu_link(page, hands, "Administration")
    heading(page, "Training administration")
    check(page, "administration")

    admin_section(page, hands, "Prospectuses")
    heading(page, "Prospectuses")
    check(page, "prospectuses")
    hands.follow(page.get_by_role("link", name=PROSPECTUS))
    heading(page, PROSPECTUS)
    check(page, "prospectus")
    hands.follow(page.get_by_role("link", name="Add a course to this prospectus"))
    heading(page, "Add a course")
    expect(page.get_by_label("Prospectus").locator("option:checked")).to_have_text(
        re.compile(f"^{PROSPECTUS}")
    )
    check(page, "add-a-course")
    hands.fill(page.get_by_label("Title"), TITLE)
    hands.fill(
        page.get_by_label("Summary"),
        "What the Child R review asks of practitioners who support families early.",
    )
    hands.fill(
        page.get_by_label("Description"),
        "Working through the **findings** of the Child R review.\n\n* Drift\n* Escalation",
    )
    hands.fill(page.get_by_label("Who it is for"), "Early Help practitioners and family workers.")
    hands.tick(page.get_by_label("Early years"))
    hands.tick(page.get_by_label("Level 2"))
    hands.fill(page.get_by_label("Duration (optional)"), "Half day")
    hands.fill(page.get_by_label("CPD hours"), "3")
    hands.tick(page.get_by_label("In person"))
    hands.press(page.get_by_role("button", name="Save course"))
    heading(page, TITLE)
    expect(page.get_by_role("main").get_by_text("Draft", exact=True)).to_be_visible()
    check(page, "course-draft")

    hands.follow(page.get_by_role("link", name="Change what people will learn"))
    heading(page, "Learning outcomes")
    expect(page.get_by_text("The course has no learning outcomes yet.")).to_be_visible()
    for outcome in (ESCALATE, DRIFT):
        hands.fill(page.get_by_label("Learning outcome", exact=True), outcome)
        hands.press(page.get_by_role("button", name="Add outcome"))
        expect(page.get_by_text("The learning outcome has been added.")).to_be_visible()
    hands.press(page.get_by_role("button", name="Move up outcome 2"))
    in_order = page.get_by_role("list", name="Learning outcomes, in order")
    expect(in_order.get_by_role("listitem")).to_have_text([re.compile(DRIFT), re.compile(ESCALATE)])
    check(page, "course-outcomes")
    hands.follow(page.get_by_role("link", name="Change outcome 2"))
    heading(page, "Change a learning outcome")
    check(page, "course-outcome-change")
    hands.fill(page.get_by_label("Learning outcome", exact=True), ESCALATE + " to a manager")
    hands.press(page.get_by_role("button", name="Save outcome"))
    expect(page.get_by_text(ESCALATE + " to a manager")).to_be_visible()
    hands.follow(page.get_by_role("link", name=TITLE))

    hands.follow(page.get_by_role("link", name="Choose the case reviews this course draws on"))
    heading(page, "Case reviews this course draws on")
    expect(page.get_by_text("This course draws on no case review yet.")).to_be_visible()
    hands.choose(page.get_by_label("Case review"), REVIEW)
    hands.fill(page.get_by_label("How the course uses this review"), NOTE)
    hands.press(page.get_by_role("button", name="Add case review"))
    linked = page.get_by_role("table", name=f"Case reviews {TITLE} draws on")
    expect(linked.get_by_role("row").filter(has_text=REVIEW)).to_contain_text(NOTE)
    check(page, "course-case-review-linked")

    admin_section(page, hands, "Courses")
    heading(page, "Courses")
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_contain_text("Draft")
    check(page, "courses")
    hands.follow(page.get_by_role("link", name=TITLE))
    heading(page, TITLE)
    hands.follow(page.get_by_role("link", name="Add a session"))
    heading(page, "Add a session")
    check(page, "add-a-session")
    fill_date(page, hands, "Date", day)
    hands.fill(page.get_by_label("Start time"), "9:30am")
    hands.fill(page.get_by_label("End time"), "12:30pm")
    hands.choose(page.get_by_label("Where it is held"), "Clifton Family Hub")
    hands.fill(page.get_by_label("Number of places"), "12")
    hands.tick(page.get_by_label(TRAINER))
    hands.press(page.get_by_role("button", name="Save session"))
    heading(page, long_date(day))
    expect(page.get_by_text(f"The session on {long_date(day)} has been added")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("9:30am to 12:30pm")
    expect(page.get_by_role("main")).to_contain_text("Lisa Dyson")
    check(page, "session-draft")

    hands.press(page.get_by_role("button", name="Publish"))
    heading(page, long_date(day))
    expect(page.get_by_role("button", name="Unpublish")).to_be_visible()
    expect(page.get_by_text("Not public yet: its course is a draft.")).to_be_visible()
    hands.follow(page.get_by_role("main").get_by_role("link", name=TITLE))
    heading(page, TITLE)
    hands.press(page.get_by_role("button", name="Publish"))
    heading(page, TITLE)
    expect(page.get_by_role("button", name="Unpublish")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^\/courses\/"))).to_be_visible()
    check(page, "course-published")

    admin_section(page, hands, "Sessions")
    heading(page, "Sessions to come")
    scheduled = page.get_by_role("row").filter(has_text=TITLE)
    expect(scheduled).to_contain_text("0 of 12")
    expect(scheduled).to_contain_text("Published")
    check(page, "sessions")

    visitor = new_page()
    hands = Mouse(visitor)
    visitor.goto("/")
    hands.follow(visitor.get_by_role("link", name=re.compile(f"^{PROSPECTUS}")))
    heading(visitor, re.compile(f"^{PROSPECTUS}"))
    hands.fill(visitor.get_by_label("Search courses"), "lessons from Child R")
    hands.press(visitor.get_by_role("button", name="Apply filters"))
    expect(visitor.locator("#courses").get_by_role("link", name=TITLE)).to_be_visible()
    check(visitor, "prospectus-found")
    hands.follow(visitor.locator("#courses").get_by_role("link", name=TITLE))
    heading(visitor, TITLE)
    sessions = visitor.get_by_role("table", name=f"Upcoming sessions of {TITLE}")
    session = sessions.get_by_role("row").filter(has_text=long_date(day))
    expect(session).to_contain_text("9:30am to 12:30pm")
    expect(session).to_contain_text("Clifton Family Hub")
    expect(session).to_contain_text("12 places left")
    expect(visitor.get_by_role("heading", name="Lessons from case reviews")).to_be_visible()
    expect(visitor.get_by_text(NOTE)).to_be_visible()
    expect(
        visitor.get_by_role("main").get_by_role("listitem").filter(has_text=DRIFT)
    ).to_be_visible()
    check(visitor, "course-public")

    hands.follow(visitor.get_by_role("link", name=REVIEW))
    heading(visitor, REVIEW)
    expect(visitor.get_by_role("link", name=TITLE)).to_be_visible()
