"""A person reads the privacy notice from the footer, downloads their data, and erases
their account: a wrong password first, then theirs; they are signed out and cannot sign
in again. The accessibility statement is a footer link away too."""

import json

from playwright.sync_api import expect

from tests.e2e.actions import Mouse, heading, sign_in


def test_a_person_reads_the_notice_downloads_their_data_and_erases_their_account(site, page, check):
    person = site.database.make_person("Nadia Quinlan-Ward")
    hands = Mouse(page)
    sign_in(page, person)

    hands.follow(page.get_by_role("contentinfo").get_by_role("link", name="Privacy notice"))
    heading(page, "Privacy notice")
    check(page, "privacy-notice")
    with page.expect_download() as download:
        hands.follow(page.get_by_role("link", name="Download your data"))
    with open(download.value.path(), encoding="utf-8") as file:
        assert json.load(file)["profile"]["name"] == "Nadia Quinlan-Ward"

    hands.follow(page.get_by_role("link", name="Erase your account"))
    heading(page, "Erase your account")
    check(page, "erase-your-account")
    hands.fill(page.get_by_label("Your password"), "not my password")
    hands.press(page.get_by_role("button", name="Erase my account"))
    expect(page.get_by_role("link", name="The password is not right")).to_be_visible()
    check(page, "erase-wrong-password")
    hands.fill(page.get_by_label("Your password"), person.password)
    hands.press(page.get_by_role("button", name="Erase my account"))
    heading(page, "Your account has been erased")
    check(page, "account-erased")

    hands.follow(
        page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement")
    )
    heading(page, "Accessibility statement")
    check(page, "accessibility-statement")
    page.goto("/account/sign-in")
    hands.fill(page.get_by_label("Email address"), person.email)
    hands.fill(page.get_by_label("Password", exact=True), person.password)
    hands.press(page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("link", name="Enter the email address and password")).to_be_visible()
