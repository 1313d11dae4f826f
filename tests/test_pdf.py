"""The prospectus as a PDF (GET /prospectuses/<slug>.pdf), read back with pypdf."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.http import parse_options_header

from app.extensions import db
from app.models import Delivery, LessonLink, Prerequisite, Sector, SessionStatus, utcnow
from tests.factories import (
    link,
    make_case_review,
    make_course,
    make_prospectus,
    make_session,
    make_venue,
)

PDF_URL = "/prospectuses/multi-agency.pdf"
BASE_URL = "https://training.example.org"

# Far enough ahead to stay upcoming for years. London keeps GMT in January and
# BST in June, so both are 9:30am there.
WINTER_MORNING = datetime(2037, 1, 15, 9, 30, tzinfo=UTC)
SUMMER_MORNING = datetime(2037, 6, 11, 8, 30, tzinfo=UTC)


class Pdf:
    """A downloaded PDF: each page's text with whitespace collapsed, and its web links."""

    def __init__(self, response) -> None:
        reader = PdfReader(io.BytesIO(response.data))
        self.pages = [" ".join(page.extract_text().split()) for page in reader.pages]
        self.text = " ".join(self.pages)
        self.links = [
            annotation.get_object()["/A"]["/URI"]
            for page in reader.pages
            for annotation in page.get("/Annots") or []
            if "/A" in annotation.get_object()
        ]

    def shows_address(self, url: str) -> bool:
        """Long addresses wrap across lines, so compare them without any whitespace."""
        return url in "".join(self.text.split())


def download(client, url: str = PDF_URL, **kwargs) -> Pdf:
    response = client.get(url, **kwargs)
    assert response.status_code == 200
    return Pdf(response)


@pytest.fixture
def course(app):
    """A published course with one upcoming session and one case review it draws on."""
    course = make_course(make_prospectus(), title="Understanding neglect")
    make_session(course, starts_at=WINTER_MORNING)
    link(course, make_case_review(title="Child D - Serious Case Review"), note="Missed visits.")
    return course


# What the PDF shows


def test_pdf_is_downloaded_as_an_attachment_named_for_the_prospectus(client):
    make_course(make_prospectus(year=2027))

    response = client.get(PDF_URL)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    assert options["filename"] == "multi-agency-prospectus-2027.pdf"
    assert len(PdfReader(io.BytesIO(response.data)).pages) >= 3


def test_cover_names_the_prospectus_and_its_year(client):
    make_course(make_prospectus(title="Learning and development prospectus", year=2027))

    cover = download(client).pages[0]

    assert "Learning and development prospectus" in cover
    assert "2027" in cover


def test_contents_page_lists_every_course(client):
    prospectus = make_prospectus()
    titles = ["Domestic abuse", "Child exploitation", "Working together"]
    for title in titles:
        make_course(prospectus, title=title)

    contents = download(client).pages[1]

    assert contents.startswith("Contents")
    for title in titles:
        assert title in contents


def test_every_course_title_appears(client):
    prospectus = make_prospectus()
    titles = [f"Safeguarding topic {number}" for number in range(1, 6)]
    for title in titles:
        make_course(prospectus, title=title)

    course_pages = " ".join(download(client).pages[2:])

    for title in titles:
        assert title in course_pages


def test_course_shows_its_outcomes_level_and_audience(client):
    make_course(
        make_prospectus(),
        learning_outcomes="Spot the signs of neglect\nKnow who to tell",
        level=3,
        audience="Designated safeguarding leads in schools.",
    )

    text = download(client).text

    assert "Spot the signs of neglect" in text
    assert "Know who to tell" in text
    assert "Level 3" in text
    assert "Designated safeguarding leads in schools." in text


def test_course_shows_upcoming_dates_and_times_in_london(client):
    course = make_course(make_prospectus())
    make_session(course, starts_at=WINTER_MORNING, hours=3, venue=make_venue(name="Riverside"))
    make_session(course, starts_at=SUMMER_MORNING, hours=3)

    text = download(client).text

    assert "Thursday 15 January 2037, 9:30am to 12:30pm, Riverside" in text
    assert "Thursday 11 June 2037, 9:30am to 12:30pm, online" in text


def test_course_shows_the_case_reviews_it_draws_on(client):
    course = make_course(make_prospectus())
    link(
        course, make_case_review(title="Child F - Serious Case Review"), note="Voice of the child."
    )
    link(course, make_case_review(title="Hidden review", published=False), note="Not public.")

    text = download(client).text

    assert (
        "Child F - Serious Case Review (now called a child safeguarding practice review)." in text
    )
    assert "Voice of the child." in text
    assert "Hidden review" not in text


def test_course_shows_the_courses_to_attend_first(client):
    prospectus = make_prospectus()
    basics = make_course(prospectus, title="Recognising abuse", level=1)
    course = make_course(prospectus, title="Working together", level=2)
    course.prerequisites.append(Prerequisite(required_course=basics, within_years=3))

    text = download(client).text

    assert "Attend first Recognising abuse (level 1, in the last 3 years)" in text


def test_an_added_prerequisite_gives_a_new_pdf(client, course):
    client.get(PDF_URL)
    course.prerequisites.append(
        Prerequisite(required_course=make_course(course.prospectus, title="Basics first"))
    )

    assert "Attend first Basics first (level 1)" in download(client).text


def test_unpublished_courses_are_left_out(client):
    prospectus = make_prospectus()
    make_course(prospectus, title="Published course")
    make_course(prospectus, title="Draft course", published=False)

    text = download(client).text

    assert "Published course" in text
    assert "Draft course" not in text


def test_cancelled_past_and_unpublished_sessions_are_left_out(client):
    course = make_course(make_prospectus())
    make_session(course, starts_at=WINTER_MORNING)
    make_session(
        course, starts_at=datetime(2037, 2, 12, 9, 30, tzinfo=UTC), status=SessionStatus.CANCELLED
    )
    make_session(course, starts_at=datetime(2037, 3, 5, 9, 30, tzinfo=UTC), published=False)
    yesterday = (utcnow() - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    make_session(course, starts_at=yesterday)

    text = download(client).text

    assert "Thursday 15 January 2037" in text
    assert "February 2037" not in text
    assert "March 2037" not in text
    assert f"{yesterday.day} {yesterday:%B %Y}," not in text


def test_e_learning_course_gives_its_web_address(client):
    make_course(
        make_prospectus(),
        delivery=Delivery.E_LEARNING,
        external_url="https://elearning.example.net/child-sexual-exploitation",
    )

    pdf = download(client)

    assert pdf.shows_address("https://elearning.example.net/child-sexual-exploitation")
    assert "https://elearning.example.net/child-sexual-exploitation" in pdf.links


def test_only_the_requested_prospectus_courses_appear(client):
    make_course(make_prospectus(), title="Multi-agency course")
    make_course(make_prospectus(slug="schools", title="Schools prospectus"), title="Schools course")

    text = download(client).text

    assert "Multi-agency course" in text
    assert "Schools course" not in text


@pytest.mark.parametrize("slug", ["no-such-prospectus", "draft"])
def test_unknown_or_unpublished_prospectus_is_not_found(client, slug):
    make_course(make_prospectus(slug="draft", published=False))

    assert client.get(f"/prospectuses/{slug}.pdf").status_code == 404


# Caching


def test_repeat_request_serves_the_same_pdf_with_two_queries(client, course, count_queries):
    with count_queries() as first_queries:
        first = client.get(PDF_URL)
    with count_queries() as second_queries:
        second = client.get(PDF_URL)

    assert second.data == first.data
    # Only the prospectus lookup and the catalogue fingerprint: nothing is rebuilt.
    assert len(second_queries) == 2
    assert len(second_queries) < len(first_queries)


def test_renamed_course_gives_a_new_pdf(client, course):
    before = client.get(PDF_URL)
    course.title = "Neglect: the first signs"

    after = client.get(PDF_URL)

    assert after.data != before.data
    assert "Neglect: the first signs" in Pdf(after).text
    assert "Understanding neglect" not in Pdf(after).text


def test_added_course_gives_a_new_pdf(client, course):
    client.get(PDF_URL)
    make_course(course.prospectus, title="Harmful sexual behaviour")

    assert "Harmful sexual behaviour" in download(client).text


def test_added_session_gives_a_new_pdf(client, course):
    client.get(PDF_URL)
    make_session(course, starts_at=SUMMER_MORNING)

    assert "Thursday 11 June 2037" in download(client).text


def test_cancelled_session_leaves_the_pdf(client, course):
    client.get(PDF_URL)
    course.sessions[0].status = SessionStatus.CANCELLED

    assert "15 January 2037" not in download(client).text


def test_removed_lesson_link_leaves_the_pdf(client, course):
    client.get(PDF_URL)
    db.session.delete(db.session.scalars(select(LessonLink)).one())

    text = download(client).text

    assert "Child D - Serious Case Review" not in text
    assert "Missed visits." not in text


def test_changed_audience_sector_gives_a_new_pdf(client):
    course = make_course(make_prospectus(), sectors=(Sector.HEALTH,))
    assert "(Health)" in download(client).text
    course.audience_sectors[0].sector = Sector.POLICE

    text = download(client).text

    assert "(Police)" in text
    assert "(Health)" not in text


def test_a_session_that_has_started_leaves_the_pdf_the_same_day(client, course):
    soon = make_session(course, starts_at=utcnow() + timedelta(seconds=2))
    assert download(client).text.count("Upcoming dates") == 1
    first = client.get(PDF_URL).data
    soon.starts_at = utcnow() - timedelta(minutes=1)
    soon.ends_at = utcnow() + timedelta(hours=1)

    assert client.get(PDF_URL).data != first


def test_browser_holding_the_current_pdf_is_told_it_is_unchanged(client, course):
    etag = client.get(PDF_URL).headers["ETag"]

    response = client.get(PDF_URL, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.data == b""


def test_browser_holding_an_old_pdf_gets_the_new_one(client, course):
    old_etag = client.get(PDF_URL).headers["ETag"]
    course.title = "Neglect: the first signs"

    response = client.get(PDF_URL, headers={"If-None-Match": old_etag})

    assert response.status_code == 200
    assert response.headers["ETag"] != old_etag
    assert "Neglect: the first signs" in Pdf(response).text


# Hostile text and addresses


def test_html_in_a_course_title_is_printed_literally(client):
    make_course(make_prospectus(), title='<b>Bold</b> & "quotes"')

    pdf = download(client)

    assert '<b>Bold</b> & "quotes"' in pdf.pages[1]  # the contents
    assert '<b>Bold</b> & "quotes"' in pdf.pages[2]  # the course's own page


def test_script_in_a_description_is_not_carried_into_the_pdf(client):
    make_course(
        make_prospectus(),
        description=(
            "Covers the basics.\n\n<script>alert('hacked')</script>\n\n"
            "[Click here](javascript:alert(1))"
        ),
    )

    pdf = download(client)

    assert "Covers the basics." in pdf.text
    assert "alert" not in pdf.text
    assert not any("javascript" in url for url in pdf.links)


def test_links_use_the_configured_address_not_the_host_header(client):
    make_course(make_prospectus(), description="[Book a place](/courses/neglect)")

    response = client.get(PDF_URL, headers={"Host": "evil.example"})
    pdf = Pdf(response)

    assert pdf.shows_address(f"{BASE_URL}/prospectuses/multi-agency")
    assert f"{BASE_URL}/courses/neglect" in pdf.links
    assert "evil.example" not in pdf.text
    assert not any("evil.example" in url for url in pdf.links)
    assert b"evil.example" not in response.data
