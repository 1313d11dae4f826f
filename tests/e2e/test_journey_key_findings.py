"""Journey: a coordinator adds a review (a made-up one, Child T) with its key findings,
ties the Neglect course's link to the finding it teaches, and a visitor sees on the
review's page which course addresses which finding, then downloads its 7-minute briefing."""

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.actions import Mouse, admin_section, heading, menu_link, sign_in
from tests.e2e.server import COORDINATOR

REVIEW = "Child T - Serious Case Review"
LATE = "Referrals about Child T's home were not followed up."
VOICE = "Child T's own account was not sought."
COURSE = "Neglect"
NOTE = "Uses the referrals about Child T's home that were not followed up."
QUESTION = "When did you last follow up a referral you made?"


def test_a_coordinator_ties_a_course_to_a_finding_and_the_public_sees_it_in_the_briefing(
    page, new_page, check
):
    hands = Mouse(page)
    sign_in(page, COORDINATOR)
    menu_link(page, hands, "Administration")
    admin_section(page, hands, "Case reviews")
    heading(page, "Case reviews")
    hands.follow(page.get_by_role("link", name="Add a case review"))
    heading(page, "Add a case review")
    hands.fill(page.get_by_label("Title", exact=True), REVIEW)
    hands.fill(page.get_by_label("Summary", exact=True), "A review, made up for this journey.")
    hands.fill(page.get_by_label("Reflection questions (optional)"), QUESTION)
    hands.press(page.get_by_role("button", name="Save case review"))
    heading(page, f"Change {REVIEW}")
    hands.press(page.get_by_role("button", name="Publish"))
    expect(page.get_by_text(f"{REVIEW} is published.")).to_be_visible()

    hands.follow(page.get_by_role("link", name="Key findings of this review"))
    heading(page, "Key findings")
    expect(page.get_by_text("The review has no key findings yet.")).to_be_visible()
    check(page, "review-findings-none")
    for finding in (VOICE, LATE):
        hands.fill(page.get_by_label("Key finding", exact=True), finding)
        hands.press(page.get_by_role("button", name="Add finding"))
        expect(page.get_by_text("The key finding has been added.")).to_be_visible()
    hands.press(page.get_by_role("button", name="Move up finding 2"))
    in_order = page.get_by_role("list", name="Key findings, in order")
    expect(in_order.get_by_role("listitem")).to_have_text([re.compile(LATE), re.compile(VOICE)])
    expect(in_order.get_by_text("No course teaches this yet")).to_have_count(2)
    check(page, "review-findings")

    hands.follow(page.get_by_role("link", name=re.compile("^Courses that draw on this review")))
    heading(page, "Courses that draw on this review")
    hands.choose(
        page.get_by_label("Course", exact=True),
        f"{COURSE} (Multi-agency learning and development prospectus)",
    )
    hands.fill(page.get_by_label("How the course uses this review"), NOTE)
    hands.press(page.get_by_role("button", name="Add course"))
    expect(page.get_by_text(f"{COURSE} now draws on {REVIEW}.")).to_be_visible()
    hands.follow(page.get_by_role("link", name=f"Change or remove the link to {COURSE}"))
    heading(page, f"How the course uses {REVIEW}")
    findings = page.get_by_role("group", name="Key findings the course teaches (optional)")
    expect(findings.get_by_role("checkbox")).to_have_count(2)
    check(page, "lesson-link-findings")
    hands.tick(findings.get_by_label(LATE))
    hands.press(page.get_by_role("button", name="Save", exact=True))
    heading(page, "Courses that draw on this review")
    expect(page.get_by_text(f"How {COURSE} uses {REVIEW} is saved.")).to_be_visible()
    linked = page.get_by_role("table", name=f"Courses that draw on {REVIEW}")
    expect(linked.get_by_role("row").filter(has_text=NOTE)).to_contain_text(
        f"Key findings it teaches: {LATE}"
    )
    check(page, "review-courses-findings")

    visitor = new_page()
    hands = Mouse(visitor)
    visitor.goto("/case-reviews")
    hands.follow(visitor.get_by_role("link", name=REVIEW))
    heading(visitor, REVIEW)
    found = visitor.get_by_role("main").get_by_role("listitem")
    late = found.filter(has_text=LATE)
    expect(late).to_contain_text(f"Courses that address it: {COURSE}")
    expect(late.get_by_role("link", name=COURSE)).to_have_attribute("href", "/courses/neglect")
    expect(found.filter(has_text=VOICE)).to_contain_text("No course addresses this finding yet.")
    check(visitor, "review-public-findings")

    download = hands.download(visitor.get_by_role("link", name=re.compile("7-minute briefing")))
    assert download.suggested_filename == "child-t-serious-case-review-7-minute-briefing.pdf"
    pages = PdfReader(io.BytesIO(download.path().read_bytes())).pages
    text = " ".join(pages[0].extract_text().split())
    assert len(pages) == 1
    for printed in (REVIEW, LATE, VOICE, COURSE, QUESTION, "No course addresses this finding"):
        assert printed in text, printed
