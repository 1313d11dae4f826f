"""Journey 1: a newcomer finds a course through a prospectus's filters, reads the case
review it draws on, comes back to it, and downloads the prospectus as a PDF."""

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.actions import Mouse, heading

COURSE = "Section 47 enquiries and joint working between social care and police"
REVIEW = "Child R - Serious Case Review"


def test_a_newcomer_finds_a_course_through_the_filters_its_case_review_and_the_pdf(page, check):
    hands = Mouse(page)
    page.goto("/")
    heading(page, "Multi-agency safeguarding training")
    check(page, "home")

    hands.follow(
        page.get_by_role("link", name=re.compile(r"^Multi-agency learning and development"))
    )
    heading(page, re.compile(r"^Multi-agency learning and development prospectus \d{4}$"))
    check(page, "prospectus")
    everything = page.locator("#results").inner_text()

    hands.choose(page.get_by_label("Audience"), "Police")
    hands.choose(page.get_by_label("How it is delivered"), "In person")
    hands.tick(page.get_by_label("Only courses with places left"))
    hands.press(page.get_by_role("button", name="Apply filters"))
    results = page.get_by_role("heading", name=re.compile("match your filters"))
    expect(results).to_be_visible()
    check(page, "prospectus-filtered")
    assert results.inner_text() != everything
    courses = page.locator("#courses")
    expect(courses.get_by_role("link", name=COURSE)).to_be_visible()
    expect(courses.get_by_role("link", name="Neglect", exact=True)).to_have_count(0)
    expect(page.get_by_label("Audience")).to_have_value("police")

    hands.follow(courses.get_by_role("link", name=COURSE))
    heading(page, COURSE)
    check(page, "course")
    lessons = page.get_by_role("heading", name="Lessons from case reviews")
    expect(lessons).to_be_visible()

    hands.follow(page.get_by_role("link", name=REVIEW))
    heading(page, REVIEW)
    check(page, "case-review")
    expect(page.get_by_role("heading", name="Courses that draw on this review")).to_be_visible()
    # The course is named beside each finding it teaches, and once more with its note.
    teaching = page.get_by_role("listitem").filter(has_text="Courses that address it")
    expect(teaching.get_by_role("link", name=COURSE).first).to_be_visible()

    hands.follow(page.get_by_role("heading", name=COURSE).get_by_role("link", name=COURSE))
    heading(page, COURSE)

    hands.follow(
        page.get_by_role("navigation", name="Breadcrumb").get_by_role(
            "link", name=re.compile(r"^Multi-agency learning and development")
        )
    )
    heading(page, re.compile(r"^Multi-agency learning and development prospectus"))
    pdf = hands.download(page.get_by_role("link", name="Download this prospectus (PDF)"))

    assert pdf.suggested_filename.endswith(".pdf")
    document = PdfReader(io.BytesIO(pdf.path().read_bytes()))
    text = " ".join(" ".join(page.extract_text().split()) for page in document.pages)
    assert "Multi-agency learning and development prospectus" in text
    assert COURSE in text
