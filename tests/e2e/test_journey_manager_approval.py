"""Journey 3: a place on a course that needs approval waits for the line manager, who
approves it from the mailed link without an account."""

import re

from playwright.sync_api import expect

from tests.e2e.actions import Mouse, heading, sign_in
from tests.e2e.server import unique

COURSE = "Section 47 enquiries and joint working between social care and police"


def test_a_place_that_needs_approval_is_confirmed_when_the_manager_approves_from_the_mail(
    site, page, new_page, check
):
    manager_email = f"{unique('manager')}@example.org"
    person = site.database.make_person(
        "Sam Okonjo", line_manager_name="Jo Baxter", line_manager_email=manager_email
    )
    hands = Mouse(page)
    sign_in(page, person)

    hands.follow(page.get_by_role("link", name=re.compile("^Safeguarding training")))
    hands.fill(page.get_by_label("Search all courses"), "section 47")
    hands.press(page.get_by_role("button", name="Search"))
    hands.follow(page.get_by_role("link", name=COURSE))
    heading(page, COURSE)
    sessions = page.get_by_role("table", name=f"Upcoming sessions of {COURSE}")
    with_places = sessions.get_by_role("row").filter(has_text="places left").first
    hands.follow(with_places.get_by_role("link"))
    hands.follow(page.get_by_role("button", name="Book a place"))
    heading(page, "Book a place")
    expect(page.get_by_text(f"We will email Jo Baxter at {manager_email}")).to_be_visible()
    check(page, "book-a-place-needing-approval")
    hands.press(page.get_by_role("button", name="Confirm booking"))
    heading(page, COURSE)
    expect(page.get_by_text("Waiting for your manager's approval", exact=True)).to_be_visible()
    check(page, "booking-awaiting-approval")
    site.mailbox.wait_for(person.email, f"Waiting for your manager's approval: {COURSE}")

    request = site.mailbox.wait_for(manager_email, "Please approve training for Sam Okonjo")
    manager = new_page()
    manager.goto(site.link_in(request))
    heading(manager, "Approve training for Sam Okonjo")
    check(manager, "approval")
    Mouse(manager).fill(manager.get_by_label("Comment (optional)"), "Useful for the duty team.")
    Mouse(manager).press(manager.get_by_role("button", name="Approve"))
    heading(manager, "Place approved")
    check(manager, "approved")

    approved = site.mailbox.wait_for(person.email, f"Approved: place confirmed: {COURSE}")
    assert "Useful for the duty team." in approved.get_body(("plain",)).get_content()
    page.reload()
    heading(page, COURSE)
    expect(page.get_by_text("Confirmed", exact=True)).to_be_visible()
    check(page, "booking-approved")
