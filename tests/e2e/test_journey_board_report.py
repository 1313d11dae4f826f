"""Journey: a coordinator new to the reports answers the board's two questions on the demo
from /admin/reports alone, and downloads both answers as CSV and as an Excel workbook:
how many police officers attended courses drawing on Child R this financial year, and
did their confidence rise? Which findings of Child S does no course address?"""

import csv
import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from app.charges.queries import date_range
from app.display import in_london
from app.models import Role, utcnow
from tests.e2e.actions import Mouse, admin_section, errors_shown, heading, sign_in

#: London's today, and the start of the months the demo's past sessions are held in.
TODAY = in_london(utcnow()).date()
DEMO_PAST = TODAY - timedelta(days=100)
CHILD_R = "Child R - Serious Case Review"
CHILD_S = "Child S - Serious Case Review"


def cells_of(row) -> list[str]:
    return [text.strip() for text in row.locator("th, td").all_inner_texts()]


def read_csv(download) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))


def police_on_child_r(page: Page) -> list[str]:
    table = page.get_by_role(
        "table", name=f"Professionals trained on courses drawing on {CHILD_R}, by sector"
    )
    return cells_of(
        table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Police"))
    )


def ask_for_the_demo_months(page: Page, hands: Mouse) -> None:
    """Ask for the report from DEMO_PAST to TODAY, and wait until it has come: until then
    the page still shows the report it had."""
    hands.fill(page.get_by_label("From (optional)"), DEMO_PAST.isoformat())
    hands.fill(page.get_by_label("To (optional)"), TODAY.isoformat())
    hands.press(page.get_by_role("button", name="Show the report"))
    expect(
        page.get_by_role("heading", level=2, name=date_range(DEMO_PAST, TODAY).label)
    ).to_be_visible()
    page.wait_for_load_state()


def test_a_coordinator_answers_the_boards_questions_and_downloads_them(site, new_page, check):
    coordinator = site.database.make_person("Cora Lane", role=Role.COORDINATOR)
    page = new_page()
    hands = Mouse(page)
    sign_in(page, coordinator, hands)
    page.goto("/admin")
    admin_section(page, hands, "Reports")
    heading(page, "Reports")
    expect(
        page.get_by_role("heading", level=2, name=re.compile(r"^April \d{4} to March \d{4}$"))
    ).to_be_visible()
    check(page, "report")
    # The demo's past sessions are dated back from the day it was loaded, so early in a
    # financial year some fall in the last one: ask for the demo's own months.
    ask_for_the_demo_months(page, hands)

    # How many police officers attended courses drawing on Child R, and did confidence rise?
    sector, people, before, _, after, _, change = police_on_child_r(page)
    assert sector == "Police" and int(people) >= 1
    assert float(after) > float(before) and change.startswith("+")
    expect(page.get_by_role("img", name=re.compile(f"^{CHILD_R}: mean confidence"))).to_be_visible()

    # Which findings of Child S does no course address? It says so, in words.
    findings = page.get_by_role(
        "table", name=f"Key findings of {CHILD_S} and the courses that address them"
    )
    unaddressed = findings.get_by_role("row").filter(has_text="No course addresses it")
    expect(unaddressed).to_have_count(1)
    expect(unaddressed).to_contain_text("there is no suggestion any individual or agency failings")
    expect(
        page.get_by_text(re.compile("1 of its 3 key findings is not addressed by any course"))
    ).to_be_visible()

    # Narrowed to the police; dates the wrong way round are shown as an error first.
    hands.fill(page.get_by_label("From (optional)"), "2026-03-01")
    hands.fill(page.get_by_label("To (optional)"), "2026-02-01")
    hands.choose(page.get_by_label("Sector of the people counted"), "Police")
    hands.press(page.get_by_role("button", name="Show the report"))
    errors_shown(page, {"To (optional)": "The last day must be the same as or after the first"})
    check(page, "report-errors")
    ask_for_the_demo_months(page, hands)
    expect(page.get_by_role("term").filter(has_text="Sector of the people counted")).to_be_visible()
    expect(
        page.get_by_role("table", name="Activity by sector").get_by_role("rowheader", name="Police")
    ).to_be_visible()
    assert police_on_child_r(page)[1] == people
    check(page, "report-police")

    # Both answers, as CSV and as Excel, narrowed as the page is.
    reach = read_csv(
        hands.download(page.get_by_role("link", name="Download case-review reach (CSV)"))
    )
    assert {(row["Case review"], row["Sector"], row["Professionals trained"]) for row in reach} >= {
        (CHILD_R, "Police", people)
    }
    police = next(
        row for row in reach if row["Case review"] == CHILD_R and row["Sector"] == "Police"
    )
    assert float(police["Confidence after"]) > float(police["Confidence before"])
    listed = read_csv(
        hands.download(
            page.get_by_role("link", name="Download key findings and their courses (CSV)")
        )
    )
    assert [
        (row["Finding"], row["Not addressed"]) for row in listed if row["Case review"] == CHILD_S
    ] == [("1", ""), ("2", ""), ("3", "No course addresses it")]

    workbook = hands.download(
        page.get_by_role("link", name=re.compile("^Download the whole report"))
    )
    assert workbook.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(workbook.path().read_bytes()))
    sheet = list(book["Case-review reach"].iter_rows(values_only=True))
    assert any(row[:3] == (CHILD_R, "Police", int(people)) for row in sheet)
    found = [row for row in book["Key findings and their courses"].iter_rows(values_only=True)]
    assert [row[1] for row in found if row[0] == CHILD_S and row[4]] == [3]
