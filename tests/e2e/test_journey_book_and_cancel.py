"""Journey 2: a newcomer registers, confirms their address from the mail, books the last
place, downloads the invite and cancels; the first person waiting gets the place.

Done with a mouse on a desktop, with the keyboard alone, and by touch on a phone
375 pixels wide.
"""

import re
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.e2e.accessibility import PHONE
from tests.e2e.actions import Keyboard, Mouse, Touch, heading, menu_link, sign_in
from tests.e2e.server import PASSWORD, Site, unique


def waiting_list_joined(site: Site, page: Page, check, session_id: int, title: str) -> str:
    """Someone else joins the full session's waiting list; their email address."""
    waiter = site.database.make_person("Jordan Blake")
    sign_in(page, waiter)
    page.goto(f"/sessions/{session_id}")
    Mouse(page).follow(page.get_by_role("button", name="Join the waiting list"))
    heading(page, "Join the waiting list")
    check(page, "waiting-list-offer")
    Mouse(page).press(page.get_by_role("button", name="Join the waiting list"))
    heading(page, title)
    expect(page.get_by_text("You are number 1 in the waiting list")).to_be_visible()
    check(page, "waiting-list-booking")
    return waiter.email


def register_book_and_cancel(site: Site, page: Page, check, hands, waiter_page: Page) -> None:
    title = f"Safer sleep for babies ({hands.__class__.__name__.lower()})"
    session_id = site.database.make_course(title, capacity=1)
    email = f"{unique('newcomer')}@example.org"

    page.goto("/")
    check(page, "home")
    menu_link(page, hands, "Create an account")
    heading(page, "Create an account")
    check(page, "register")
    hands.fill(page.get_by_label("Full name"), "Morgan Ellis")
    hands.fill(page.get_by_label("Work email address"), email)
    hands.choose(page.get_by_label("Agency", exact=True), "Barnardo's")
    hands.fill(page.get_by_label("Job title"), "Family Support Worker")
    hands.fill(page.get_by_label("Create a password"), PASSWORD)
    hands.press(page.get_by_role("button", name="Create account"))
    heading(page, "Check your email")
    check(page, "check-your-email")

    page.goto(site.link_in(site.mailbox.wait_for(email, "Confirm your email address")))
    heading(page, "Confirm your email address")
    check(page, "confirm-email")
    hands.press(page.get_by_role("button", name="Confirm my email address"))
    heading(page, "Email address confirmed")
    check(page, "email-confirmed")

    hands.follow(page.get_by_role("main").get_by_role("link", name="Sign in"))
    heading(page, "Sign in")
    check(page, "sign-in")
    hands.fill(page.get_by_label("Email address"), email)
    hands.fill(page.get_by_label("Password", exact=True), PASSWORD)
    hands.press(page.get_by_role("button", name="Sign in"))
    heading(page, "Your bookings")
    check(page, "your-bookings-empty")

    hands.follow(page.get_by_role("link", name=re.compile("^Safeguarding training")))
    heading(page, "Multi-agency safeguarding training")
    hands.fill(page.get_by_label("Search all courses"), "safer sleep")
    hands.press(page.get_by_role("button", name="Search"))
    expect(page.get_by_role("link", name=title)).to_be_visible()
    check(page, "search-results")
    hands.follow(page.get_by_role("link", name=title))
    heading(page, title)
    check(page, "course")
    sessions = page.get_by_role("table", name=f"Upcoming sessions of {title}")
    expect(sessions).to_contain_text("1 place left")
    hands.follow(sessions.get_by_role("link"))
    heading(page, re.compile(r"^\w+ \d+ \w+ \d{4}$"))
    check(page, "session")
    hands.follow(page.get_by_role("button", name="Book a place"))
    heading(page, "Book a place")
    check(page, "book-a-place")
    hands.fill(
        page.get_by_label("Access needs or reasonable adjustments (optional)"),
        "A seat near the door, please.",
    )
    hands.press(page.get_by_role("button", name="Confirm booking"))
    heading(page, title)
    expect(page.get_by_text("Confirmed", exact=True)).to_be_visible()
    expect(page.get_by_text("A seat near the door, please.")).to_be_visible()
    check(page, "booking-confirmed")
    booking = urlsplit(page.url).path
    invite = site.mailbox.wait_for(email, f"Place confirmed: {title}")

    menu_link(page, hands, "Your bookings")
    heading(page, "Your bookings")
    upcoming = page.get_by_role("table", name="Upcoming")
    expect(upcoming.get_by_role("row").filter(has_text=title)).to_contain_text("Confirmed")
    check(page, "your-bookings")
    hands.follow(upcoming.get_by_role("link", name=title))
    heading(page, title)
    assert urlsplit(page.url).path == booking

    download = hands.download(page.get_by_role("link", name="Download the calendar file (.ics)"))
    event = Calendar.from_ical(download.path().read_bytes()).walk("VEVENT")[0]
    mailed = next(part for part in invite.walk() if part.get_content_type() == "text/calendar")
    mailed_event = Calendar.from_ical(mailed.get_content()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == title
    assert event.decoded("DTSTART").strftime("%H:%M %Z") in ("10:00 GMT", "10:00 BST")
    assert event["UID"] == mailed_event["UID"], "the download and the invite are one event"

    waiter = waiting_list_joined(site, waiter_page, check, session_id, title)

    hands.press(page.get_by_role("button", name="Cancel this booking"))
    expect(page.get_by_text("Your booking is cancelled.")).to_be_visible()
    heading(page, title)
    expect(page.get_by_text("Cancelled", exact=True)).to_be_visible()
    check(page, "booking-cancelled")
    assert urlsplit(page.url).path == booking
    site.mailbox.wait_for(email, f"Booking cancelled: {title}")

    promoted = site.mailbox.wait_for(waiter, f"A place is yours: {title}")
    waiter_page.goto(site.link_in(promoted))
    heading(waiter_page, title)
    expect(waiter_page.get_by_text("Confirmed", exact=True)).to_be_visible()
    check(waiter_page, "waiting-list-promoted")


@pytest.mark.parametrize(
    "way", ["mouse", "keyboard", "phone"], ids=["with-a-mouse", "with-the-keyboard", "on-a-phone"]
)
def test_a_newcomer_books_and_cancels_and_the_first_person_waiting_gets_the_place(
    way, site, new_page, check
):
    if way == "phone":
        page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
        hands = Touch(page)
    else:
        page = new_page()
        hands = Keyboard(page) if way == "keyboard" else Mouse(page)

    register_book_and_cancel(site, page, check, hands, waiter_page=new_page())

    if way == "keyboard":
        assert hands.skipped_to_main, "the skip link was never used"
