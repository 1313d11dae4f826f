"""The coordinator's pages of a review's key findings and of the findings each lesson link
teaches, used as a browser would; and the public review page that shows them.

The rules themselves are tested without HTTP in test_key_findings.py.
"""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import KeyFinding, LessonLink
from tests.conftest import field_errors, press, submit, summary_errors, words
from tests.factories import (
    link,
    make_case_review,
    make_course,
    make_prospectus,
    make_session,
)


@pytest.fixture
def review(app):
    return make_case_review(
        "child-r",
        title="Child R - Serious Case Review",
        key_findings="Enquiries were late\nRoles were unclear",
    )


@pytest.fixture
def course(app):
    return make_course(make_prospectus(), title="Section 47 enquiries", slug="section-47")


def findings_page(review) -> str:
    return f"/admin/case-reviews/{review.id}/findings"


def listed(review) -> list[str]:
    db.session.rollback()
    db.session.expire_all()
    return review.findings


def flash_after(browser, response) -> str:
    assert response.status_code == 302, response.text
    return words(browser.get(response.headers["Location"]).text)


def ticked(page: str, name: str = "key_findings") -> set[str]:
    """The values of the checkboxes named `name` that are ticked."""
    boxes = re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    return {re.search(r'\bvalue="([^"]*)"', box).group(1) for box in boxes if " checked" in box}


def textarea(page: str, name: str) -> str:
    area = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert area, f"no textarea named {name}"
    return area.group(1).strip()


# The review's findings page


def test_the_coordinator_adds_a_finding_and_the_public_page_shows_it(
    as_coordinator, client, review
):
    answer = submit(as_coordinator, findings_page(review), {"text": "Records were not shared"})

    assert "The key finding has been added." in flash_after(as_coordinator, answer)
    page = words(as_coordinator.get(findings_page(review)).text)
    assert (
        page.index("Enquiries were late")
        < page.index("Roles were unclear")
        < page.index("Records were not shared")
    )
    public = words(client.get("/case-reviews/child-r").text)
    assert "Records were not shared No course addresses this finding yet." in public


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the key finding"),
        ("x" * 501, "Key finding must be 500 characters or fewer"),
        ("ROLES were unclear", "The review already has this key finding"),
    ],
)
def test_a_refused_finding_is_shown_again_with_its_error(as_coordinator, review, typed, message):
    answer = submit(as_coordinator, findings_page(review), {"text": typed})

    assert answer.status_code == 400
    assert message in field_errors(answer.text)["text"]
    assert message in summary_errors(answer.text)["text"]
    assert textarea(answer.text, "text") == typed
    assert listed(review) == ["Enquiries were late", "Roles were unclear"]


def test_the_eleventh_finding_is_refused(as_coordinator, review):
    for number in range(8):
        db.session.add(KeyFinding(case_review=review, position=3 + number, text=f"F{number}"))
    db.session.commit()

    answer = submit(as_coordinator, findings_page(review), {"text": "One too many"})

    assert answer.status_code == 400
    assert "at most 10 key findings" in field_errors(answer.text)["text"]
    assert len(listed(review)) == 10


def test_the_coordinator_rewords_and_moves_findings(as_coordinator, review):
    first, second = review.key_findings
    base = findings_page(review)
    edit = f"{base}/{first.id}/edit"

    assert textarea(as_coordinator.get(edit).text, "text") == "Enquiries were late"
    refused = submit(as_coordinator, edit, {"text": " "})
    assert refused.status_code == 400
    assert field_errors(refused.text) == {"text": "Enter the key finding"}
    changed = submit(as_coordinator, edit, {"text": "Section 47 enquiries were late"})
    assert "The key finding has been changed." in flash_after(as_coordinator, changed)
    assert press(as_coordinator, base, f"{base}/{second.id}/up").status_code == 302
    assert listed(review) == ["Roles were unclear", "Section 47 enquiries were late"]
    assert press(as_coordinator, base, f"{base}/{second.id}/down").status_code == 302
    assert listed(review) == ["Section 47 enquiries were late", "Roles were unclear"]


def test_removing_a_finding_says_which_courses_no_longer_teach_it(as_coordinator, review, course):
    first = review.key_findings[0]
    link(course, review, teaches=(first,))
    db.session.commit()
    base = findings_page(review)
    assert "Taught in: Section 47 enquiries" in words(as_coordinator.get(base).text)

    answer = press(as_coordinator, base, f"{base}/{first.id}/remove")

    message = flash_after(as_coordinator, answer)
    assert (
        "\u201cEnquiries were late\u201d is no longer one of the review's key findings." in message
    )
    assert "The courses that taught it no longer do: Section 47 enquiries." in message
    assert listed(review) == ["Roles were unclear"]
    assert as_coordinator.get(f"{base}/{first.id}/edit").status_code == 404


def test_a_finding_of_another_review_is_not_found_through_this_one(as_coordinator, review):
    other = make_case_review(key_findings="Something else")
    db.session.commit()
    base = findings_page(review)

    assert as_coordinator.get(f"{base}/{other.key_findings[0].id}/edit").status_code == 404
    answer = press(as_coordinator, base, f"{base}/{other.key_findings[0].id}/remove")
    assert answer.status_code == 404
    assert listed(other) == ["Something else"]


def test_the_reviews_form_leads_to_its_findings_and_edits_its_briefing_text(as_coordinator, review):
    url = f"/admin/case-reviews/{review.id}/edit"
    page = as_coordinator.get(url).text

    assert f'href="{findings_page(review)}"' in page
    assert 'name="key_findings"' not in page
    answer = submit(
        as_coordinator,
        url,
        {
            "title": review.title,
            "summary": "What happened.",
            "practice_points": "Act at once\n\nAsk who does what",
            "reflection_questions": "What would you do?",
        },
    )
    assert answer.status_code == 302
    db.session.rollback()
    assert review.for_practice == ["Act at once", "Ask who does what"]
    assert review.questions == ["What would you do?"]


# Each lesson link's page, from either side


@pytest.fixture
def lesson(review, course) -> LessonLink:
    found = link(course, review, note="Missed visits.")
    db.session.commit()
    return found


def link_pages(review, course, lesson) -> list[str]:
    return [
        f"/admin/courses/{course.id}/case-reviews/{lesson.id}/edit",
        f"/admin/case-reviews/{review.id}/courses/{lesson.id}/edit",
    ]


@pytest.mark.parametrize("side", [0, 1], ids=["from the course", "from the review"])
def test_the_coordinator_ticks_the_findings_a_course_teaches(
    as_coordinator, client, review, course, lesson, side
):
    first, second = (finding.id for finding in review.key_findings)
    url = link_pages(review, course, lesson)[side]
    assert ticked(as_coordinator.get(url).text) == set()

    answer = submit(as_coordinator, url, {"note": "Joint enquiries.", "key_findings": [second]})

    assert "How Section 47 enquiries uses Child R - Serious Case Review is saved." in flash_after(
        as_coordinator, answer
    )
    assert ticked(as_coordinator.get(url).text) == {str(second)}
    public = words(client.get("/case-reviews/child-r").text)
    assert "Enquiries were late No course addresses this finding yet." in public
    assert "Roles were unclear Courses that address it: Section 47 enquiries" in public
    assert "Key findings it teaches: Roles were unclear" in words(
        as_coordinator.get(f"/admin/case-reviews/{review.id}/courses").text
    )
    assert first != second


def test_a_link_refused_for_its_note_shows_the_ticks_again(as_coordinator, review, lesson, course):
    second = review.key_findings[1].id
    url = link_pages(review, course, lesson)[0]

    answer = submit(as_coordinator, url, {"note": " ", "key_findings": [second]})

    assert answer.status_code == 400
    assert field_errors(answer.text) == {"note": "Say how the course uses this review"}
    assert ticked(answer.text) == {str(second)}
    db.session.rollback()
    assert (lesson.note, lesson.key_findings) == ("Missed visits.", [])


@pytest.mark.parametrize("value", ["not-a-number", "999999"])
def test_a_finding_not_on_the_list_is_refused_plainly(
    as_coordinator, review, course, lesson, value
):
    other = make_case_review(key_findings="Something else")
    db.session.commit()
    url = link_pages(review, course, lesson)[1]

    for wrong in (value, str(other.key_findings[0].id)):
        answer = submit(as_coordinator, url, {"note": "Joint enquiries.", "key_findings": [wrong]})
        assert answer.status_code == 400
        assert field_errors(answer.text) == {"key_findings": "Choose key findings from the list"}
    db.session.rollback()
    assert lesson.key_findings == []


def test_a_link_to_a_review_with_no_findings_says_where_to_add_them(as_coordinator, course):
    bare = make_case_review(key_findings="")
    found = link(course, bare)
    db.session.commit()

    page = as_coordinator.get(f"/admin/courses/{course.id}/case-reviews/{found.id}/edit").text

    assert "The review has no key findings yet." in words(page)
    assert f'href="/admin/case-reviews/{bare.id}/findings"' in page


def test_ticks_and_findings_are_in_the_audit_log(
    as_coordinator, coordinator, review, course, lesson
):
    url = link_pages(review, course, lesson)[0]
    submit(
        as_coordinator, url, {"note": "Missed visits.", "key_findings": [review.key_findings[0].id]}
    )
    submit(as_coordinator, findings_page(review), {"text": "Records were not shared"})

    log = words(as_coordinator.get("/admin/audit").text)

    assert "Enquiries were late" in log
    assert "Records were not shared" in log


# The public review page


def test_the_public_page_links_each_finding_to_the_published_courses_teaching_it(client, review):
    prospectus = make_prospectus()
    first, second = review.key_findings
    shown = make_course(prospectus, title="Joint enquiries", slug="joint-enquiries")
    draft = make_course(prospectus, title="Draft course", published=False)
    link(shown, review, teaches=(first,))
    link(draft, review, teaches=(first, second))
    make_session(shown)

    page = client.get("/case-reviews/child-r").text
    text = words(page)

    assert "Enquiries were late Courses that address it: Joint enquiries" in text
    assert "Roles were unclear No course addresses this finding yet." in text
    assert "Draft course" not in text
    assert 'href="/courses/joint-enquiries"' in page
    assert 'href="/case-reviews/child-r/briefing.pdf"' in page


def test_a_review_with_no_findings_shows_no_findings_heading(client):
    make_case_review("child-q", key_findings="")

    assert "Key findings" not in words(client.get("/case-reviews/child-q").text)


# Lists cost the same whatever their length


def test_findings_and_link_pages_issue_a_fixed_number_of_queries(
    as_coordinator, count_queries, review, course
):
    urls = [
        findings_page(review),
        f"/admin/case-reviews/{review.id}/courses",
        f"/admin/courses/{course.id}/case-reviews",
    ]

    def grow(size: int) -> dict[str, int]:
        for number in range(size):
            finding = KeyFinding(
                case_review=review, position=len(review.key_findings) + 1, text=f"F{size}-{number}"
            )
            db.session.add(finding)
            link(make_course(course.prospectus), review, teaches=(finding, review.key_findings[0]))
            link(course, make_case_review(), teaches=())
        db.session.commit()
        counts = {}
        for url in urls:
            with count_queries() as counted:
                assert as_coordinator.get(url).status_code == 200
            counts[url] = len(counted)
        return counts

    assert grow(1) == grow(6)


def test_a_link_is_found_from_either_side_only_under_its_own_course_and_review(
    as_coordinator, review, course, lesson
):
    other_course = make_course(course.prospectus)
    other_review = make_case_review()
    db.session.commit()

    assert (
        as_coordinator.get(
            f"/admin/courses/{other_course.id}/case-reviews/{lesson.id}/edit"
        ).status_code
        == 404
    )
    assert (
        as_coordinator.get(
            f"/admin/case-reviews/{other_review.id}/courses/{lesson.id}/edit"
        ).status_code
        == 404
    )
    assert db.session.scalars(select(LessonLink)).one() == lesson
