"""A certificate, from the register to an employer's check: the trainer marks someone
attended, they download their certificate, and anyone can check its code until the mark
is changed, when the check says it was withdrawn."""

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from app.models import Role
from tests.e2e.actions import Mouse, heading, sign_in
from tests.e2e.test_journey_trainer_register import mark_button

TITLE = "Understanding the impact of domestic abuse on children"
CODE = re.compile(r"[2-9A-HJ-NP-Z]{4}(?:-[2-9A-HJ-NP-Z]{4}){3}")


def test_a_certificate_is_downloaded_checked_and_withdrawn(site, page, new_page, check):
    trainer = site.database.make_person("Priya Natt", role=Role.TRAINER)
    person = site.database.make_person("Amara Okafor")
    session_id = site.database.make_course(TITLE, capacity=4, days_ahead=-1, trainers=(trainer,))
    site.database.give_places(session_id, [person])
    hands = Mouse(page)
    sign_in(page, trainer)
    page.goto(f"/trainer/sessions/{session_id}")
    hands.press(mark_button(page, "Attended", person.name))
    expect(page.get_by_text(f"{person.name}: attended.")).to_be_visible()

    theirs = new_page()
    sign_in(theirs, person)
    past = theirs.get_by_role("table", name="Past")
    link = past.get_by_role("link", name=f"Certificate for {TITLE} (PDF)")
    with theirs.expect_download() as download:
        Mouse(theirs).follow(link)
    with open(download.value.path(), "rb") as pdf:
        text = " ".join(PdfReader(io.BytesIO(pdf.read())).pages[0].extract_text().split())
    assert person.name in text and TITLE in text
    code = CODE.search(text).group(0)

    theirs.goto("/account/record")
    heading(theirs, "Your training record")
    attended = theirs.get_by_role("table", name="Sessions attended, newest first")
    expect(attended.get_by_role("cell", name=TITLE, exact=True)).to_be_visible()
    check(theirs, "training-record")

    employer = new_page()
    employer.goto(f"/certificates/{code.lower()}")
    heading(employer, "This certificate is valid")
    expect(employer.get_by_text(person.name)).to_be_visible()
    check(employer, "certificate-valid")
    employer.goto("/certificates/ABCD-EFGH-JKLM-NPQR")
    heading(employer, "The certificate could not be found")
    check(employer, "certificate-not-found")

    hands.press(mark_button(page, "Left early", person.name))
    expect(page.get_by_text(f"{person.name}: left early.")).to_be_visible()
    employer.goto(f"/certificates/{code}")
    heading(employer, "This certificate was withdrawn")
    expect(employer.get_by_text(person.name)).to_have_count(0)
    check(employer, "certificate-withdrawn")
