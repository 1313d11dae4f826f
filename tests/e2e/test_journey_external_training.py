"""Journey: a professional records the Virtual College e-learning with its certificate as
a PDF; a coordinator checks the certificate and accepts it; the professional finds it on
their training record, recorded elsewhere."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from app.display import in_london
from app.models import Role, utcnow
from tests.e2e.actions import (
    Mouse,
    admin_section,
    errors_shown,
    fill_date,
    group_errors_shown,
    heading,
    menu_link,
    sign_in,
)
from tests.factories import pdf_bytes

COURSE = "Child sexual exploitation e-learning"


def test_training_done_elsewhere_is_recorded_accepted_and_on_the_record(site, new_page, check):
    person = site.database.make_person("Ruth Elsewhere")
    coordinator = site.database.make_person("Cath Checker", role=Role.COORDINATOR)
    certificate = pdf_bytes()
    completed = in_london(utcnow()).date() - timedelta(days=14)

    page = new_page()
    hands = Mouse(page)
    sign_in(page, person, hands)
    menu_link(page, hands, "Your training record")
    hands.follow(page.get_by_role("link", name=re.compile("^Record training you did elsewhere")))
    heading(page, "Your training done elsewhere")
    check(page, "external-training-empty")
    hands.follow(page.get_by_role("button", name="Record training done elsewhere"))
    heading(page, "Record training done elsewhere")
    check(page, "external-training-form")

    hands.fill(page.get_by_label("Where you did it"), "Virtual College")
    page.get_by_label("Certificate", exact=True).set_input_files(
        files=[{"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": b"<html>"}]
    )
    hands.press(page.get_by_role("button", name="Send for checking"))
    errors_shown(
        page,
        {
            "Course": "Choose the course",
            "Certificate": "The certificate must be a PDF, PNG or JPEG file",
        },
    )
    group_errors_shown(page, {"Date you completed it": "Enter the date you completed it"})
    expect(page.get_by_label("Where you did it")).to_have_value("Virtual College")
    expect(page.get_by_text("Choose your certificate file again")).to_be_visible()
    check(page, "external-training-errors")

    hands.choose(page.get_by_label("Course"), COURSE)
    fill_date(page, hands, "Date you completed it", completed)
    chosen = {"name": "cse-certificate.pdf", "mimeType": "application/pdf", "buffer": certificate}
    page.get_by_label("Certificate", exact=True).set_input_files(files=[chosen])
    hands.press(page.get_by_role("button", name="Send for checking"))
    heading(page, "Your training done elsewhere")
    expect(page.get_by_text(f"Your {COURSE} is recorded")).to_be_visible()
    mine = page.get_by_role("table", name="Training you recorded, the latest first")
    expect(mine.get_by_role("row").filter(has_text=COURSE)).to_contain_text("Submitted")
    check(page, "external-training-submitted")

    desk = new_page()
    staff = Mouse(desk)
    sign_in(desk, coordinator, staff)
    desk.goto("/admin")
    expect(desk.get_by_text("Training done elsewhere waiting for a decision")).to_be_visible()
    admin_section(desk, staff, "Training done elsewhere")
    heading(desk, "Training done elsewhere")
    waiting = desk.get_by_role("table", name=re.compile("waiting for a decision"))
    row = waiting.get_by_role("row").filter(has_text=person.name)
    expect(row).to_contain_text(COURSE)
    expect(row).to_contain_text("Virtual College")
    check(desk, "external-training-waiting")
    staff.follow(row.get_by_role("link", name=re.compile("^Check")))
    heading(desk, f"{person.name}'s {COURSE}")
    certificate_link = desk.get_by_role("link", name=re.compile("^Download the certificate"))
    download = staff.download(certificate_link)
    with open(download.path(), "rb") as file:
        assert file.read() == certificate
    assert download.suggested_filename == "cse-certificate.pdf"
    check(desk, "external-training-decision")
    staff.tick(desk.get_by_label("Accept: it counts on their training record"))
    staff.press(desk.get_by_role("button", name="Save decision"))
    heading(desk, "Training done elsewhere")
    expect(desk.get_by_text(f"{person.name}'s {COURSE} is accepted")).to_be_visible()
    accepted = site.mailbox.wait_for(person.email, "Training accepted")
    assert "It now counts on your training record" in accepted.get_body(("plain",)).get_content()

    menu_link(page, hands, "Your training record")
    heading(page, "Your training record")
    elsewhere = page.get_by_role("table", name=re.compile("^Training done elsewhere"))
    done = elsewhere.get_by_role("row").filter(has_text=COURSE)
    expect(done).to_contain_text("Recorded elsewhere")
    expect(done).to_contain_text("Virtual College")
    expect(done).to_contain_text(f"{completed.day} ")
    check(page, "external-training-on-the-record")
