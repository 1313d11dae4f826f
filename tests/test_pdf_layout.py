"""How the PDF prospectus reads: tagged for screen readers, no page nearly empty, and its
web address broken only after a slash."""

import io

from pypdf import PageObject, PdfReader

from tests.factories import make_course, make_prospectus

#: The text area of an A4 page of the prospectus, in points from the foot of the page:
#: below 22 mm of top margin and above 24 mm of bottom margin (where the footer goes).
PAGE_TOP = 841.89 - 22 / 25.4 * 72
PAGE_FOOT = 24 / 25.4 * 72


def reader_of(client, url: str) -> PdfReader:
    response = client.get(url)
    assert response.status_code == 200
    return PdfReader(io.BytesIO(response.data))


def share_of_page_with_text(page: PageObject) -> float:
    """How far down the page's text area its text reaches, from 0 (none) to 1 (all the
    way): a page holding only a paragraph spilled from the page before is near 0."""
    heights = []

    def note_height(text, matrix, text_matrix, font, size) -> None:
        height = text_matrix[5] * matrix[3] + matrix[5]
        if text.strip() and height > PAGE_FOOT:
            heights.append(height)

    page.extract_text(visitor_text=note_height)
    return (PAGE_TOP - min(heights)) / (PAGE_TOP - PAGE_FOOT) if heights else 0


def test_the_prospectus_is_a_tagged_pdf_for_screen_readers(client):
    make_course(make_prospectus(slug="multi-agency"))

    catalog = reader_of(client, "/prospectuses/multi-agency.pdf").trailer["/Root"]

    # What `pdfinfo` reports as "Tagged: yes", with the structure screen readers follow.
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"


def test_no_page_of_the_demo_prospectuses_holds_less_than_a_quarter_of_text(runner, client):
    runner.invoke(args=["seed", "--demo"])

    for slug in ("multi-agency", "early-help"):
        pages = reader_of(client, f"/prospectuses/{slug}.pdf").pages
        shares = [round(share_of_page_with_text(page), 2) for page in pages]
        assert len(shares) > 5
        assert min(shares) >= 0.25, (slug, shares)


def test_the_covers_web_address_breaks_only_after_a_slash_of_its_path(app, client):
    slug = "multi-agency-learning-and-development-prospectus-for-the-childrens-workforce"
    make_course(make_prospectus(slug=slug))
    address = f"{app.config['BASE_URL']}/prospectuses/{slug}"

    cover = reader_of(client, f"/prospectuses/{slug}.pdf").pages[0].extract_text()

    # The address ends the cover.
    printed = cover.split("to book a place, visit", 1)[1].strip().replace("\u200b", "")
    lines = printed.split("\n")
    assert "".join(lines) == address
    assert len(lines) > 1, "an address this long wraps"
    assert all(line.endswith("/") for line in lines[:-1]), lines
    assert lines[0].startswith("https://") and lines[0].count("/") > 2, lines
