"""Every form's error states, as a person meets them, checked with axe like any other page.

Each form is sent empty and with bad input: the errors are listed at the top, said with
their fields, and what was typed is kept. Links that cannot be used, and pages that are
not there, are checked too.
"""

import re

from playwright.sync_api import expect

from tests.e2e.actions import Mouse, errors_shown, heading, menu_link, sign_in
from tests.e2e.server import unique

FORMAT = "Enter an email address in the correct format, like name@example.org"
TOO_EASY = (
    "That password is too easy to guess. This is a very common password. Add another word or "
    "two. Uncommon words are better"
)
TOO_LONG = "x" * 2001


def test_registering_empty_and_with_bad_details(page, check):
    hands = Mouse(page)
    page.goto("/account/register")
    hands.press(page.get_by_role("button", name="Create account"))
    errors_shown(
        page,
        {
            "Full name": "Enter your full name",
            "Work email address": "Enter work email address",
            "Agency": "Choose your agency",
            "Job title": "Enter your job title",
            "Create a password": "Enter a password",
        },
    )
    check(page, "register-empty")
    hands.follow(page.get_by_role("alert").get_by_role("link", name="Enter your job title"))
    expect(page.get_by_label("Job title")).to_be_focused()

    hands.fill(page.get_by_label("Full name"), "Robin Hale")
    hands.fill(page.get_by_label("Work email address"), "robin.hale@")
    hands.choose(page.get_by_label("Agency", exact=True), "My agency is not listed")
    hands.fill(page.get_by_label("Job title"), "School Nurse")
    hands.fill(page.get_by_label("Line manager's email address (optional)"), "my manager")
    hands.fill(page.get_by_label("Create a password"), "short")
    hands.press(page.get_by_role("button", name="Create account"))
    errors_shown(
        page,
        {
            "Work email address": FORMAT,
            "If your agency is not listed, its name": "Enter the name of your agency",
            "Line manager's email address (optional)": FORMAT,
            "Create a password": "Password must be 10 characters or more",
        },
    )
    check(page, "register-bad-input")
    expect(page.get_by_label("Full name")).to_have_value("Robin Hale")
    expect(page.get_by_label("Job title")).to_have_value("School Nurse")
    expect(page.get_by_label("Work email address")).to_have_value("robin.hale@")


def test_signing_in_empty_and_with_the_wrong_password(site, page, check):
    hands = Mouse(page)
    person = site.database.make_person("Chris Dyer")
    page.goto("/account/sign-in")
    hands.press(page.get_by_role("button", name="Sign in"))
    errors_shown(page, {"Email address": "Enter email address", "Password": "Enter your password"})
    check(page, "sign-in-empty")

    hands.fill(page.get_by_label("Email address"), person.email)
    hands.fill(page.get_by_label("Password", exact=True), "not my password at all")
    hands.press(page.get_by_role("button", name="Sign in"))
    errors_shown(page, {"Email address": "Enter the email address and password of your account"})
    check(page, "sign-in-wrong-password")
    expect(page.get_by_label("Email address")).to_have_value(person.email)


def test_resetting_a_password_empty_with_bad_input_and_with_a_used_link(site, page, check):
    hands = Mouse(page)
    person = site.database.make_person("Dana Price")
    page.goto("/account/sign-in")
    hands.follow(page.get_by_role("link", name="Forgotten your password?"))
    heading(page, "Reset your password")
    check(page, "reset-password")
    hands.press(page.get_by_role("button", name="Send a reset link"))
    errors_shown(page, {"Email address": "Enter email address"})
    check(page, "reset-password-empty")
    hands.fill(page.get_by_label("Email address"), "dana.price")
    hands.press(page.get_by_role("button", name="Send a reset link"))
    errors_shown(page, {"Email address": FORMAT})
    check(page, "reset-password-bad-address")
    hands.fill(page.get_by_label("Email address"), person.email)
    hands.press(page.get_by_role("button", name="Send a reset link"))
    heading(page, "Check your email")
    check(page, "reset-password-sent")

    link = site.link_in(site.mailbox.wait_for(person.email, "Reset your password"))
    page.goto(link)
    heading(page, "Choose a new password")
    check(page, "choose-password")
    hands.press(page.get_by_role("button", name="Change password"))
    errors_shown(page, {"Create a password": "Enter a password"})
    check(page, "choose-password-empty")
    hands.fill(page.get_by_label("Create a password"), "password123")
    hands.press(page.get_by_role("button", name="Change password"))
    errors_shown(page, {"Create a password": TOO_EASY})
    check(page, "choose-password-too-easy")
    hands.fill(page.get_by_label("Create a password"), "a new and much longer passphrase")
    hands.press(page.get_by_role("button", name="Change password"))
    heading(page, "Sign in")
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()
    check(page, "password-changed")

    page.goto(link)
    heading(page, "That link cannot be used")
    expect(page.get_by_text("That link has already been used")).to_be_visible()
    check(page, "reset-link-used")


def test_links_that_cannot_be_used_and_pages_that_are_not_there(page, check):
    page.goto("/account/verify/not-a-real-token")
    heading(page, "That link cannot be used")
    check(page, "verify-link-broken")

    page.goto("/approvals/not-a-real-token")
    heading(page, "That link cannot be used")
    check(page, "approval-link-broken")

    response = page.goto("/courses/no-such-course")
    assert response.status == 404
    check(page, "not-found")


def test_changing_details_to_bad_ones_then_good_ones(site, page, check):
    hands = Mouse(page)
    person = site.database.make_person("Evie Marsh")
    sign_in(page, person)
    menu_link(page, hands, "Your details")
    heading(page, "Your details")
    check(page, "your-details")
    expect(page.get_by_label("Full name")).to_have_value("Evie Marsh")

    hands.fill(page.get_by_label("Full name"), "")
    hands.fill(page.get_by_label("Work email address"), "evie@marsh@example.org")
    hands.fill(page.get_by_label("Job title"), "")
    hands.press(page.get_by_role("button", name="Save changes"))
    errors_shown(
        page,
        {
            "Full name": "Enter your full name",
            "Work email address": FORMAT,
            "Agency": "Choose your agency",
            "Job title": "Enter your job title",
        },
    )
    check(page, "your-details-bad-input")
    expect(page.get_by_label("Work email address")).to_have_value("evie@marsh@example.org")

    hands.fill(page.get_by_label("Full name"), "Evie Marsh-Lowe")
    hands.fill(page.get_by_label("Work email address"), person.email)
    hands.choose(page.get_by_label("Agency", exact=True), "The Rotherham NHS Foundation Trust")
    hands.fill(page.get_by_label("Job title"), "Community Nurse")
    hands.press(page.get_by_role("button", name="Save changes"))
    expect(page.get_by_text("Your details are saved.")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Evie Marsh-Lowe")
    check(page, "your-details-saved")


def test_booking_before_confirming_an_address_and_with_access_needs_too_long(
    site, page, new_page, check
):
    session_id = site.database.make_course("Understanding neglect in infancy", capacity=5)

    unconfirmed = site.database.make_person("Fin Carter", verified=False)
    sign_in(page, unconfirmed)
    page.goto(f"/sessions/{session_id}")
    Mouse(page).follow(page.get_by_role("button", name="Book a place"))
    heading(page, "You cannot book this session")
    check(page, "cannot-book-unconfirmed")

    booker = new_page()
    hands = Mouse(booker)
    sign_in(booker, site.database.make_person("Gail Ward"))
    booker.goto(f"/sessions/{session_id}")
    hands.follow(booker.get_by_role("button", name="Book a place"))
    hands.fill(booker.get_by_label("Access needs or reasonable adjustments (optional)"), TOO_LONG)
    hands.press(booker.get_by_role("button", name="Confirm booking"))
    errors_shown(
        booker,
        {
            "Access needs or reasonable adjustments (optional)": (
                "Access needs must be 2,000 characters or fewer"
            )
        },
    )
    check(booker, "book-access-needs-too-long")
    expect(booker.get_by_label("Access needs or reasonable adjustments (optional)")).to_have_value(
        TOO_LONG
    )


def test_a_manager_declining_with_a_comment_too_long_then_a_short_one(site, page, new_page, check):
    title = "Chairing strategy discussions"
    session_id = site.database.make_course(title, capacity=5, requires_approval=True)
    manager_email = f"{unique('manager')}@example.org"
    person = site.database.make_person("Hari Shah", line_manager_email=manager_email)
    hands = Mouse(page)
    sign_in(page, person)
    page.goto(f"/sessions/{session_id}")
    hands.follow(page.get_by_role("button", name="Book a place"))
    hands.press(page.get_by_role("button", name="Confirm booking"))
    heading(page, title)

    manager = new_page()
    link = site.link_in(site.mailbox.wait_for(manager_email, "Please approve training"))
    manager.goto(link)
    Mouse(manager).fill(manager.get_by_label("Comment (optional)"), TOO_LONG)
    Mouse(manager).press(manager.get_by_role("button", name="Decline"))
    errors_shown(manager, {"Comment (optional)": "Comment must be 2,000 characters or fewer"})
    check(manager, "approval-comment-too-long")
    Mouse(manager).fill(manager.get_by_label("Comment (optional)"), "Not this term, sorry.")
    Mouse(manager).press(manager.get_by_role("button", name="Decline"))
    heading(manager, "Place declined")
    check(manager, "declined")

    site.mailbox.wait_for(person.email, f"Not approved: {title}")
    page.reload()
    expect(page.get_by_text("Not this term, sorry.")).to_be_visible()
    check(page, "booking-declined")

    manager.goto(link)
    expect(manager.get_by_text("This request has already been answered")).to_be_visible()
    check(manager, "approval-already-answered")


def test_filtering_a_prospectus_with_words_too_long_and_a_level_not_on_the_list(page, check):
    hands = Mouse(page)
    page.goto("/prospectuses/multi-agency")
    hands.fill(page.get_by_label("Search courses"), "safeguarding " * 8)
    hands.press(page.get_by_role("button", name="Apply filters"))
    errors_shown(page, {"Search courses": "Search for 100 characters or fewer"})
    check(page, "prospectus-search-too-long")

    page.goto("/prospectuses/multi-agency?level=9")
    errors_shown(page, {"Level": "Choose a level from the list"})
    expect(page.get_by_role("heading", name=re.compile(r"^\d+ courses?"))).to_be_visible()
    check(page, "prospectus-level-not-listed")
