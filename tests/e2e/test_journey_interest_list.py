"""Journey: a health visitor asks to be told when a course with no date has one; a
coordinator adds a session and publishes it; the mail that follows leads to booking it,
and booking takes the health visitor off the course's list."""

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.display import LONDON, long_date
from app.models import Course, CourseSession
from tests.e2e.actions import Mouse, fill_date, heading, sign_in
from tests.e2e.server import COORDINATOR

TITLE = "Safeguarding children who go missing from home"


def test_someone_waiting_for_a_date_is_mailed_when_one_is_published_and_books_it(
    site, new_page, check
):
    database = site.database
    past = database.make_course(TITLE, capacity=10, days_ahead=-40)
    with database.session() as db_session:
        course = db_session.scalar(
            select(Course).join(Course.sessions).where(CourseSession.id == past)
        )
    visitor_view = new_page()
    visitor_view.goto(f"/courses/{course.slug}")
    heading(visitor_view, TITLE)
    expect(
        visitor_view.get_by_role("link", name="Sign in to be told when there is a date")
    ).to_be_visible()
    check(visitor_view, "course-no-date-signed-out")

    page = new_page()
    hands = Mouse(page)
    person = database.make_person("Hollie Visitor")
    sign_in(page, person, hands)
    page.goto(f"/courses/{course.slug}")
    heading(page, TITLE)
    expect(page.get_by_text("No sessions are planned at the moment")).to_be_visible()
    check(page, "course-no-date")
    hands.press(page.get_by_role("button", name="Tell me when there is a date"))
    heading(page, TITLE)
    expect(page.get_by_text(f"We will email you when {TITLE} has a date.")).to_be_visible()
    expect(page.get_by_text("You are on the list for this course")).to_be_visible()
    expect(page.get_by_role("button", name="Leave the list")).to_be_visible()
    check(page, "course-on-the-list")

    day = (datetime.now(LONDON) + timedelta(days=30)).date()
    staff = new_page()
    hands = Mouse(staff)
    sign_in(staff, COORDINATOR, hands)
    staff.goto(f"/admin/courses/{course.id}")
    heading(staff, TITLE)
    expect(
        staff.get_by_text("1 person has asked to be emailed when it has a new date")
    ).to_be_visible()
    check(staff, "admin-course-waiting")
    hands.follow(staff.get_by_role("link", name="Add a session"))
    heading(staff, "Add a session")
    fill_date(staff, hands, "Date", day)
    hands.fill(staff.get_by_label("Start time"), "9:30am")
    hands.fill(staff.get_by_label("End time"), "12:30pm")
    hands.choose(staff.get_by_label("Where it is held"), "Clifton Family Hub")
    hands.fill(staff.get_by_label("Number of places"), "12")
    hands.press(staff.get_by_role("button", name="Save session"))
    heading(staff, long_date(day))
    hands.press(staff.get_by_role("button", name="Publish"))
    heading(staff, long_date(day))
    expect(
        staff.get_by_text("The session is published. 1 person waiting for a date has been emailed.")
    ).to_be_visible()
    check(staff, "session-published-to-the-list")

    mail = site.mailbox.wait_for(person.email, f"A new date for {TITLE}")
    text = mail.get_body(("plain",)).get_content()
    assert f"Date: {long_date(day)}" in text
    assert "Time: 9:30am to 12:30pm (UK time)" in text
    assert "Clifton Family Hub" in text
    link = site.link_in(mail)
    assert re.fullmatch(rf"{re.escape(site.base_url)}/sessions/\d+/book", link)

    page.goto(link)
    heading(page, "Book a place")
    expect(page.get_by_role("main")).to_contain_text(long_date(day))
    check(page, "book-from-the-mail")
    Mouse(page).press(page.get_by_role("button", name="Confirm booking"))
    heading(page, TITLE)
    expect(page.get_by_text("Your place is confirmed.")).to_be_visible()
    site.mailbox.wait_for(person.email, "Place confirmed")

    page.goto(f"/courses/{course.slug}")
    heading(page, TITLE)
    expect(page.get_by_text("You are on the list for this course")).to_have_count(0)
    expect(page.get_by_role("button", name="Tell me when there is a date")).to_have_count(0)
