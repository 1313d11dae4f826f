"""The report's page and downloads at /admin/reports: what the coordinator reads, the
filters (a wrong one shown with its error, the rest still applied), the CSV and Excel files
(formula-safe, honouring the filters), and the statements the page takes."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from app.models import AuditEntry
from tests.conftest import field_errors, submit, summary_errors, words
from tests.reports_data import build

YEAR = "year=2025"


@pytest.fixture
def data(app):
    return build()


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_report_is_in_the_coordinators_menu(as_coordinator):
    page = as_coordinator.get("/admin/reports").text

    assert re.search(r'href="/admin/reports" aria-current="page">Reports</a>', page)


def test_the_page_shows_every_section_with_its_tables_and_charts(as_coordinator, data):
    response = as_coordinator.get(f"/admin/reports?{YEAR}")
    page = response.text
    text = words(page)

    assert response.status_code == 200
    assert "April 2025 to March 2026" in text
    assert "3 sessions run, 30 places offered and 12 booked (40.0%); 9 people attended." in text
    assert "7 different professionals trained." in text
    for heading in ("Activity", "Reach", "Evaluation", "Case-review reach", "Charges"):
        assert f'">{heading}</h2>' in page
    assert "Activity by sector" in text and "Charges by agency" in text
    # A chart: SVG drawn here, with a title and a text alternative, and no script at all.
    assert (
        '<title id="chart-attended-by-sector-title">People who attended, by sector</title>' in page
    )
    assert (
        "Health: Attended 2; Police: Attended 5; Social care: Attended 2; Other: Attended 0."
        in page
    )
    assert "<script" not in page.split("<main")[1].split("</main>")[0]
    # Answers in words, with no one's name.
    assert "Check who leads the enquiry" in text
    assert not {"Olu Officer", "Pat Mover", "Lee Leaver"} & set(re.findall(r"[A-Z]\w+ \w+", text))


def test_findings_no_course_addresses_stand_out_in_words(as_coordinator, data):
    text = words(as_coordinator.get(f"/admin/reports?{YEAR}").text)

    assert "1 of its 3 key findings is not addressed by any course." in text
    assert "3. Symptoms were uncertain No course addresses it" in text
    assert "2. Recommendations No course addresses it" in text


def test_wrong_filters_are_shown_with_their_errors_and_the_rest_still_apply(as_coordinator, data):
    response = as_coordinator.get(
        f"/admin/reports?{YEAR}&course={data.section_47.id}&sector=pirates&agency=999999"
    )
    page = response.text

    assert response.status_code == 400
    assert summary_errors(page) == {
        "sector": "Choose a sector from the list",
        "agency": "Choose an agency from the list",
    }
    assert field_errors(page)["sector"] == "Choose a sector from the list"
    # The course chosen still narrows the report; the wrong ones are left out.
    assert "1 session run, 8 places offered and 3 booked (37.5%)" in words(page)
    assert f"course={data.section_47.id}" in page
    assert "sector=pirates" not in page


def test_wrong_dates_leave_the_year(as_coordinator, data):
    response = as_coordinator.get(f"/admin/reports?{YEAR}&first_day=31/2/2026&last_day=1/3/2026")

    assert response.status_code == 400
    assert field_errors(response.text) == {
        "first_day": "Enter the first day as a date, like 1/4/2026"
    }
    assert "April 2025 to March 2026" in words(response.text)


def test_dates_typed_are_used_instead_of_the_year(as_coordinator, data):
    page = as_coordinator.get("/admin/reports?first_day=31/3/2026&last_day=31/3/2026").text

    assert "31 March 2026 to 31 March 2026" in words(page)
    assert "1 session run, 8 places offered and 3 booked" in words(page)
    assert "first_day=2026-03-31&amp;last_day=2026-03-31" in page


def test_each_table_downloads_as_csv_honouring_the_filters(as_coordinator, data):
    response = as_coordinator.get(f"/admin/reports/activity-by-course.csv?{YEAR}")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert (
        "activity-by-course-2025-04-01-to-2026-03-31.csv" in response.headers["Content-Disposition"]
    )
    assert rows_of(response) == [
        ["Course", "Prospectus", "Sessions run", "Places offered", "Places booked",
         "Fill rate (%)", "Attended", "Walked in", "Left early", "Did not attend",
         "Not marked", "Cancelled late", "Attendance rate (%)"],
        ["Section 47 enquiries", "Multi-agency", "1", "8", "3", "37.5", "3", "0", "0", "0",
         "0", "0", "100.0"],
        ["Working together", "Multi-agency", "1", "10", "6", "60.0", "4", "1", "1", "1",
         "1", "1", "50.0"],
        ["Early help assessment", "Early Help", "1", "12", "3", "25.0", "2", "0", "0", "1",
         "0", "0", "66.7"],
        ["All courses", "", "3", "30", "12", "40.0", "9", "1", "1", "2", "1", "1", "66.7"],
    ]  # fmt: skip
    police = as_coordinator.get(f"/admin/reports/charges-by-agency.csv?{YEAR}&sector=police")
    assert rows_of(police) == [
        ["Agency", "Charges", "Raised (£)", "Waived (£)", "Outstanding (£)"],
        ["South Yorkshire Police", "1", "50.00", "0.00", "50.00"],
        ["All agencies", "1", "50.00", "0.00", "50.00"],
    ]


def test_the_answers_to_the_done_when_questions_download(as_coordinator, data):
    reach = rows_of(as_coordinator.get(f"/admin/reports/case-review-reach.csv?{YEAR}"))
    findings = rows_of(as_coordinator.get(f"/admin/reports/case-review-findings.csv?{YEAR}"))

    assert reach[0] == [
        "Case review", "Sector", "Professionals trained", "Confidence before",
        "Answers before", "Confidence after", "Answers after", "Change",
    ]  # fmt: skip
    assert ["Child R", "Police", "4", "2.5", "4", "4.5", "4", "2.0"] in reach
    assert [row[:3] for row in findings[1:] if row[4]] == [
        ["Child R", "3", "Symptoms were uncertain"],
        ["Child S", "2", "Recommendations"],
    ]


def test_downloads_never_hold_a_formula(as_coordinator, data):
    answers = rows_of(as_coordinator.get(f"/admin/reports/evaluation-answers.csv?{YEAR}"))
    workbook = load_workbook(io.BytesIO(as_coordinator.get(f"/admin/reports.xlsx?{YEAR}").data))

    assert ["Working together", "1 April 2025", "5", "Ask more questions",
            "'=HYPERLINK(\"https://example.org\")"] in answers  # fmt: skip
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert '\'=HYPERLINK("https://example.org")' in {cell.value for cell in cells}


def test_the_workbook_has_a_sheet_a_table_with_numbers_as_numbers(as_coordinator, data):
    response = as_coordinator.get(f"/admin/reports.xlsx?{YEAR}&sector=police")
    workbook = load_workbook(io.BytesIO(response.data))

    assert response.headers["Cache-Control"] == "private, no-store"
    assert "report-2025-04-01-to-2026-03-31.xlsx" in response.headers["Content-Disposition"]
    assert workbook.sheetnames == [
        "About this report", "Activity by course", "Activity by prospectus",
        "Activity by agency", "Activity by sector", "Professionals trained by sector",
        "Professionals trained by agency", "Evaluation by course",
        "Confidence by learning outcome", "Evaluation answers in words", "Case-review reach",
        "Key findings and their courses", "Charges by agency",
    ]  # fmt: skip
    about = {row[0]: row[1] for row in workbook["About this report"].iter_rows(values_only=True)}
    assert about["Period"] == "April 2025 to March 2026"
    assert about["Sector of the people counted"] == "Police"
    charges = list(workbook["Charges by agency"].iter_rows(values_only=True))
    assert charges == [
        ("Agency", "Charges", "Raised (£)", "Waived (£)", "Outstanding (£)"),
        ("South Yorkshire Police", 1, 50, 0, 50),
        ("All agencies", 1, 50, 0, 50),
    ]
    reach = list(workbook["Case-review reach"].iter_rows(values_only=True))
    assert ("Child R", "Police", 4, 2.5, 4, 4.5, 4, 2) in reach


def test_an_unknown_table_is_not_found_and_wrong_filters_are_refused(as_coordinator, data):
    assert as_coordinator.get("/admin/reports/bookings.csv").status_code == 404
    assert as_coordinator.get("/admin/reports/activity-by-course.csv?sector=x").status_code == 400
    assert as_coordinator.get("/admin/reports.xlsx?year=1999").status_code == 400


def test_the_page_takes_the_same_statements_whatever_the_data(as_coordinator, data, count_queries):
    as_coordinator.get(f"/admin/reports?{YEAR}")
    with count_queries() as small:
        assert as_coordinator.get(f"/admin/reports?{YEAR}").status_code == 200
    for copy in ("-2", "-3"):
        build(copy)
    with count_queries() as large:
        assert as_coordinator.get(f"/admin/reports?{YEAR}").status_code == 200

    assert len(small) == len(large)


# An agency's headcount -------------------------------------------------------------------


def test_a_coordinator_enters_an_agencys_headcount_and_it_is_audited(as_coordinator, data):
    url = f"/admin/agencies/{data.council.id}/edit"
    details = {"name": "Rotherham Council", "sector": "social-care", "charging_band": "partner"}

    response = submit(as_coordinator, url, details | {"headcount": "1,250"})

    assert response.status_code == 302
    assert data.council.headcount == 1250
    entry = AuditEntry.query.filter_by(record_type="agency").order_by(AuditEntry.id.desc()).first()
    assert entry.changes["headcount"] == [None, 1250]
    assert "1,250" in words(as_coordinator.get("/admin/agencies").text)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "The headcount must be between 1 and 200,000"),
        ("300000", "The headcount must be between 1 and 200,000"),
        ("lots", "Enter the headcount as a whole number, like 350"),
    ],
)
def test_a_headcount_must_be_a_whole_number_of_people(as_coordinator, data, typed, message):
    url = f"/admin/agencies/{data.council.id}/edit"
    details = {"name": "Rotherham Council", "sector": "social-care", "charging_band": "partner"}

    response = submit(as_coordinator, url, details | {"headcount": typed})

    assert response.status_code == 400
    assert summary_errors(response.text) == {"headcount": message}
    assert f'value="{typed}"' in response.text
    assert data.council.headcount is None


def test_a_headcount_left_empty_is_none(as_coordinator, data):
    url = f"/admin/agencies/{data.police.id}/edit"
    details = {"name": "South Yorkshire Police", "sector": "police", "charging_band": "partner"}

    assert submit(as_coordinator, url, details | {"headcount": ""}).status_code == 302
    assert data.police.headcount is None
