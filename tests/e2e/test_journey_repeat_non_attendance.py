"""Journey: an officer misses a second session; their next booking waits for a
coordinator, who reads their history on /admin/approvals and approves it with a reason."""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from app.models import Agency, Attendance, Booking, Role
from tests.e2e.actions import Mouse, admin_section, heading, sign_in

TITLE = "Working with fathers and male carers"


def mark_button(page: Page, choice: str, name: str):
    return page.get_by_role("button", name=re.compile(f"^{choice} ?: {name}$"))


def test_a_second_no_show_sends_the_next_booking_to_a_coordinator_who_approves_it(
    site, new_page, check
):
    database = site.database
    with database.session() as db_session:
        police = db_session.scalar(select(Agency.id).filter_by(name="South Yorkshire Police"))
    trainer = database.make_person("Tariq Trainer", role=Role.TRAINER)
    coordinator = database.make_person("Cath Lowe", role=Role.COORDINATOR)
    officer = database.make_person("Petra Constable", agency_id=police)
    first = database.make_course(TITLE, capacity=6, days_ahead=-40, trainers=(trainer,))
    second = database.add_session(first, days_ahead=-1)
    to_come = database.add_session(first, days_ahead=20)
    database.give_places(first, [officer])
    database.give_places(second, [officer])
    with database.session() as db_session:
        db_session.execute(
            update(Booking)
            .where(Booking.session_id == first)
            .values(attendance=Attendance.DID_NOT_ATTEND)
        )
        db_session.commit()

    page = new_page()
    hands = Mouse(page)
    sign_in(page, trainer, hands)
    page.goto(f"/trainer/sessions/{second}")
    hands.press(mark_button(page, "Did not attend", officer.name))
    expect(page.get_by_text("South Yorkshire Police is charged £50")).to_be_visible()

    page = new_page()
    hands = Mouse(page)
    sign_in(page, officer, hands)
    page.goto(f"/sessions/{to_come}/book")
    heading(page, "Book a place")
    expect(page.get_by_text("You have missed 2 places in the last 12 months")).to_be_visible()
    check(page, "book-through-a-coordinator")
    hands.press(page.get_by_role("button", name="Confirm booking"))
    heading(page, TITLE)
    expect(page.get_by_text("Waiting for a coordinator's decision", exact=True)).to_be_visible()
    site.mailbox.wait_for(officer.email, "Waiting for a coordinator's decision")

    page = new_page()
    hands = Mouse(page)
    sign_in(page, coordinator, hands)
    page.goto("/admin")
    admin_section(page, hands, "Approvals")
    heading(page, "Approvals")
    waiting = page.get_by_role("table", name=re.compile("waiting for a decision"))
    row = waiting.get_by_role("row").filter(has_text=officer.name)
    expect(row).to_contain_text("2 did not attend")
    expect(row).to_contain_text("South Yorkshire Police")
    check(page, "approvals")
    hands.follow(row.get_by_role("link", name=re.compile("^Decide")))
    heading(page, f"{officer.name}'s place on {TITLE}")
    hands.press(page.get_by_role("button", name="Save decision"))
    expect(page.get_by_role("alert")).to_contain_text("Choose whether to approve or decline")
    expect(page.get_by_role("alert")).to_contain_text("Enter the reason for your decision")
    check(page, "approval-errors")
    hands.tick(page.get_by_label("Approve: the place is theirs"))
    hands.fill(page.get_by_label("Reason"), "Spoke to her sergeant: both were emergencies")
    hands.press(page.get_by_role("button", name="Save decision"))
    expect(page.get_by_text(f"Approved: {officer.name}'s place is confirmed")).to_be_visible()
    expect(page.get_by_text("No booking is waiting for a decision")).to_be_visible()

    approved = site.mailbox.wait_for(officer.email, "Approved")
    assert "both were emergencies" in approved.get_body(("plain",)).get_content()
    assert any(part.get_content_type() == "text/calendar" for part in approved.walk())
