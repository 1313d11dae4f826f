"""Journey: a police officer does not come; the trainer marks it, the officer and their
manager are mailed, the coordinator finds the charge, exports it and waives it, and the
officer sees it among their bookings."""

import csv
import io
import re

from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.models import Agency, Role
from tests.e2e.actions import Mouse, admin_section, heading, sign_in

TITLE = "Recognising and responding to neglect"


def mark_button(page: Page, choice: str, name: str):
    return page.get_by_role("button", name=re.compile(f"^{choice} ?: {name}$"))


def test_a_no_show_is_charged_exported_and_waived(site, new_page, check):
    with site.database.session() as db_session:
        police = db_session.scalar(select(Agency.id).filter_by(name="South Yorkshire Police"))
    trainer = site.database.make_person("Priya Natt", role=Role.TRAINER)
    coordinator = site.database.make_person("Cora Lane", role=Role.COORDINATOR)
    officer = site.database.make_person(
        "Owen Officer",
        agency_id=police,
        line_manager_name="Maya Manager",
        line_manager_email="maya.manager@example.org",
    )
    session_id = site.database.make_course(TITLE, capacity=4, days_ahead=-1, trainers=(trainer,))
    site.database.give_places(session_id, [officer])

    page = new_page()
    hands = Mouse(page)
    sign_in(page, trainer, hands)
    page.goto(f"/trainer/sessions/{session_id}")
    heading(page, TITLE)
    hands.press(mark_button(page, "Did not attend", officer.name))
    expect(page.get_by_text("South Yorkshire Police is charged £50")).to_be_visible()
    check(page, "register-charged")
    to_officer = site.mailbox.wait_for(officer.email, "Charge for a wasted place")
    to_manager = site.mailbox.wait_for("maya.manager@example.org", "Charge for a wasted place")
    assert "reply to this email" in to_officer.get_body(("plain",)).get_content()
    assert "Owen Officer's line manager" in to_manager.get_body(("plain",)).get_content()

    page = new_page()
    hands = Mouse(page)
    sign_in(page, coordinator, hands)
    page.goto("/admin")
    admin_section(page, hands, "Charges")
    heading(page, "Charges")
    charges = page.get_by_role("table", name=re.compile("charge"))
    expect(charges.get_by_role("row").filter(has_text=officer.name)).to_contain_text("£50")
    check(page, "charges")

    spreadsheet = hands.download(page.get_by_role("link", name="CSV file"))
    rows = list(csv.DictReader(io.StringIO(spreadsheet.path().read_text(encoding="utf-8-sig"))))
    mine = [row for row in rows if row["Person"] == officer.name]
    assert [(row["Agency"], row["Course"], row["Amount (£)"]) for row in mine] == [
        ("South Yorkshire Police", TITLE, "50.00")
    ]
    workbook = hands.download(page.get_by_role("link", name="Excel file"))
    assert workbook.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(workbook.path().read_bytes())).active
    assert any(row[1] == officer.name for row in sheet.iter_rows(values_only=True))

    hands.follow(
        page.get_by_role(
            "link", name=f"Waive the charge to South Yorkshire Police for {officer.name}"
        )
    )
    heading(page, "Waive the charge to South Yorkshire Police?")
    hands.press(page.get_by_role("button", name="Waive the charge"))
    expect(page.get_by_role("alert")).to_contain_text("Enter why the charge is waived")
    check(page, "waive-error")
    hands.fill(page.get_by_label("Why is the charge waived?"), "Called in sick before the start")
    hands.press(page.get_by_role("button", name="Waive the charge"))
    expect(page.get_by_text("is waived")).to_be_visible()
    expect(charges.get_by_role("row").filter(has_text=officer.name)).to_contain_text(
        "Called in sick before the start"
    )
    site.mailbox.wait_for(officer.email, "Charge waived")

    page = new_page()
    sign_in(page, officer)
    expect(page.get_by_role("table", name="Charges")).to_contain_text("Waived")
    check(page, "own-charges")
