"""A case review's 7-minute briefing (GET /case-reviews/<slug>/briefing.pdf), read back
with pypdf: one A4 page, what it prints, and the copy kept until what it shows changes."""

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from werkzeug.http import parse_options_header

from app.admin.case_reviews import findings, lesson_links
from app.display import long_date
from app.extensions import db
from app.models import CaseReview, Delivery, SessionStatus, utcnow
from tests.factories import link, make_case_review, make_course, make_prospectus, make_session
from tests.test_pdf import BASE_URL, Pdf

URL = "/case-reviews/child-r/briefing.pdf"
A4_POINTS = (595, 842)

# Far enough ahead to stay upcoming for years.
FIRST_DATE = datetime(2037, 1, 15, 9, 30, tzinfo=UTC)
SECOND_DATE = datetime(2037, 3, 5, 9, 30, tzinfo=UTC)
THIRD_DATE = datetime(2037, 6, 11, 8, 30, tzinfo=UTC)
EARLIER_DATE = datetime(2036, 11, 4, 9, 30, tzinfo=UTC)


def download(client, url: str = URL) -> Pdf:
    response = client.get(url)
    assert response.status_code == 200
    return Pdf(response)


def page_count(response) -> int:
    return len(PdfReader(io.BytesIO(response.data)).pages)


@pytest.fixture
def review(app) -> CaseReview:
    """A review with two findings, the first taught by a course with three dates to come."""
    review = make_case_review(
        "child-r",
        title="Child R - Serious Case Review",
        year=2014,
        summary="Agencies did not work together.\n\nThe review asked why.",
        key_findings="Enquiries were not started in time\nRoles were unclear",
        practice_points="Start enquiries as soon as concerns arise",
        reflection_questions="Who would you tell?\nWhat would you record?",
    )
    course = make_course(make_prospectus(), title="Joint enquiries", slug="joint-enquiries")
    for starts in (THIRD_DATE, FIRST_DATE, SECOND_DATE):
        make_session(course, starts_at=starts)
    link(course, review, teaches=(review.key_findings[0],))
    return review


# What it prints


def test_the_briefing_is_one_a4_page_downloaded_as_an_attachment(client, review):
    response = client.get(URL)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    assert options["filename"] == "child-r-7-minute-briefing.pdf"
    (page,) = PdfReader(io.BytesIO(response.data)).pages
    assert (round(page.mediabox.width), round(page.mediabox.height)) == A4_POINTS


def test_the_briefing_prints_every_part_in_order(client, review):
    text = download(client).text

    parts = [
        "Rotherham Safeguarding Children Partnership",
        "7-minute briefing",
        "Child R - Serious Case Review",
        "Published 2014",
        "What happened",
        "Agencies did not work together.",
        "The review asked why.",
        "Key findings",
        "Enquiries were not started in time",
        "Roles were unclear No course addresses this finding yet.",
        "What it means for practice",
        "Start enquiries as soon as concerns arise",
        "Questions for your team",
        "Who would you tell?",
        "What would you record?",
        "Training that teaches these lessons",
        "Joint enquiries",
        f"Printed {long_date(utcnow())}",
    ]
    positions = [text.find(part) for part in parts]
    assert -1 not in positions, [part for part, at in zip(parts, positions, strict=True) if at < 0]
    assert positions == sorted(positions)


def test_each_course_shows_the_findings_it_teaches_and_its_next_two_dates(client, review):
    text = download(client).text

    assert "Joint enquiries 1 15 January 2037, 5 March 2037" in text
    assert "11 June 2037" not in text


def test_cancelled_and_unpublished_courses_and_dates_are_left_out(client, review):
    course = review.lesson_links[0].course
    (first,) = [session for session in course.sessions if session.starts_at == FIRST_DATE]
    first.status = SessionStatus.CANCELLED
    link(make_course(course.prospectus, title="Draft course", published=False), review)

    text = download(client).text

    assert "15 January 2037" not in text
    assert "5 March 2037, 11 June 2037" in text
    assert "Draft course" not in text


def test_e_learning_and_undated_courses_say_so(client, review):
    prospectus = review.lesson_links[0].course.prospectus
    link(make_course(prospectus, title="Online module", delivery=Delivery.E_LEARNING), review)
    link(make_course(prospectus, title="Undated course"), review)

    text = download(client).text

    assert "Online module None ticked E-learning: start any time" in text
    assert "Undated course None ticked No dates planned yet" in text


def test_the_briefing_links_to_the_reviews_page_and_its_courses(client, review):
    pdf = download(client)

    assert pdf.shows_address(f"{BASE_URL}/case-reviews/child-r")
    assert f"{BASE_URL}/case-reviews/child-r" in pdf.links
    assert f"{BASE_URL}/courses/joint-enquiries" in pdf.links


def test_a_review_without_practice_points_or_questions_leaves_those_parts_out(client, review):
    review.practice_points = ""
    review.reflection_questions = ""

    text = download(client).text

    assert "What it means for practice" not in text
    assert "Questions for your team" not in text
    assert "Training that teaches these lessons" in text


def test_html_typed_in_a_finding_is_printed_literally(client, review):
    review.key_findings[1].text = '<b>Bold</b> & "quotes"'

    assert '<b>Bold</b> & "quotes"' in download(client).text


@pytest.mark.parametrize("slug", ["no-such-review", "draft"])
def test_an_unknown_or_unpublished_review_has_no_briefing(client, slug):
    make_case_review("draft", published=False)

    assert client.get(f"/case-reviews/{slug}/briefing.pdf").status_code == 404


def test_the_demo_reviews_each_fit_one_page(client, runner):
    assert runner.invoke(args=["seed", "--demo"]).exit_code == 0

    child_r = client.get("/case-reviews/child-r/briefing.pdf")
    child_s = client.get("/case-reviews/child-s/briefing.pdf")

    assert (page_count(child_r), page_count(child_s)) == (1, 1)
    r_text, s_text = Pdf(child_r).text, Pdf(child_s).text
    assert "Section 47 enquiries and joint working" in r_text
    assert "Questions for your team" in r_text
    assert (
        "there is no suggestion any individual or agency failings led to Child S' death. "
        "No course addresses this finding yet." in s_text
    )


# Kept until what it shows changes


def test_a_repeat_request_serves_the_same_pdf_with_two_queries(client, review, count_queries):
    with count_queries() as first_queries:
        first = client.get(URL)
    with count_queries() as second_queries:
        second = client.get(URL)

    assert second.data == first.data
    # Only the review's lookup and the catalogue's fingerprint: nothing is made again.
    assert len(second_queries) == 2
    assert len(second_queries) < len(first_queries)


def test_a_browser_holding_the_current_briefing_is_told_it_is_unchanged(client, review):
    etag = client.get(URL).headers["ETag"]

    response = client.get(URL, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.data == b""


@pytest.mark.parametrize(
    "change",
    [
        lambda review: findings.change_finding(
            db.session, review, review.key_findings[1], "Roles were never agreed", utcnow()
        ),
        lambda review: findings.add_finding(db.session, review, "Records were lost", utcnow()),
        lambda review: lesson_links.change_link(
            db.session,
            review.lesson_links[0],
            "Joint enquiries.",
            [finding.id for finding in review.key_findings],
            utcnow(),
        ),
        lambda review: setattr(review, "reflection_questions", "What will you change?"),
        lambda review: make_session(review.lesson_links[0].course, starts_at=EARLIER_DATE),
    ],
    ids=["finding reworded", "finding added", "findings ticked", "questions changed", "new date"],
)
def test_a_change_to_what_it_shows_gives_a_new_briefing(client, review, change):
    old = client.get(URL)
    change(review)
    db.session.commit()

    new = client.get(URL, headers={"If-None-Match": old.headers["ETag"]})

    assert new.status_code == 200
    assert new.headers["ETag"] != old.headers["ETag"]
    assert new.data != old.data


def test_a_briefing_and_a_prospectus_of_the_same_name_keep_their_own_copies(
    client, review, count_queries
):
    make_course(make_prospectus("child-r", title="A prospectus named like the review"))
    prospectus = client.get("/prospectuses/child-r.pdf")
    briefing = client.get(URL)

    with count_queries() as again:
        assert client.get("/prospectuses/child-r.pdf").data == prospectus.data
        assert client.get(URL).data == briefing.data

    assert prospectus.data != briefing.data
    assert len(again) == 4
