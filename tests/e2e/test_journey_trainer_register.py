"""Journey 4: a trainer takes the register of a session they delivered and exports it.

They mark people one by one and everyone at once, change a mark, and download the register
as a spreadsheet and the sign-in sheet as a PDF: both say what the register says.
"""

import csv
import io
import re

from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from app.models import Agency, BookingStatus, Role
from tests.e2e.accessibility import PHONE
from tests.e2e.actions import Mouse, Touch, heading, menu_link, sign_in

TITLE = "Responding to a child's disclosure of abuse"
#: The left and right edges of every button of a mark.
MARK_BUTTONS_EDGES = """() => [...document.querySelectorAll(".app-register__marks button")]
    .map(button => { const box = button.getBoundingClientRect(); return [box.left, box.right]; })"""


def row_of(page: Page, name: str):
    places = page.get_by_role("table", name="People with places, by name")
    return places.get_by_role("row").filter(has_text=name)


def mark_button(page: Page, choice: str, name: str):
    """The button of one mark for one person: its name says whose it is (the browser puts a
    space before the visually hidden part)."""
    return page.get_by_role("button", name=re.compile(f"^{choice} ?: {name}$"))


def test_a_trainer_marks_the_register_and_downloads_it_as_a_spreadsheet_and_a_sign_in_sheet(
    site, page, check
):
    with site.database.session() as db_session:
        barnardos = db_session.scalar(select(Agency.id).filter_by(name="Barnardo's"))
    trainer = site.database.make_person("Priya Natt", role=Role.TRAINER)
    amara = site.database.make_person("Amara Okafor", agency_id=barnardos)
    ben, carys, dev = (
        site.database.make_person(name) for name in ("Ben Holt", "Carys Pryce", "Dev Mistry")
    )
    elin = site.database.make_person("Elin Shaw")
    session_id = site.database.make_course(TITLE, capacity=4, days_ahead=-1, trainers=(trainer,))
    site.database.give_places(session_id, [amara, ben, carys, dev])
    site.database.give_places(session_id, [elin], status=BookingStatus.WAITING)
    hands = Mouse(page)

    sign_in(page, trainer)
    menu_link(page, hands, "Your sessions")
    heading(page, "Your sessions")
    check(page, "your-sessions")
    past = page.get_by_role("table", name="Past")
    expect(past.get_by_role("row").filter(has_text=TITLE)).to_contain_text("4 of 4")
    hands.follow(past.get_by_role("link", name=re.compile(f"^{re.escape(TITLE)}")))
    heading(page, TITLE)
    for person in (amara, ben, carys, dev):
        expect(row_of(page, person.name)).to_contain_text("Not marked")
    expect(page.get_by_role("table", name="The waiting list, first in turn first")).to_contain_text(
        elin.name
    )
    check(page, "register")

    hands.press(mark_button(page, "Attended", amara.name))
    expect(page.get_by_text(f"{amara.name}: attended.")).to_be_visible()
    expect(row_of(page, amara.name)).to_contain_text("Attended")
    expect(row_of(page, amara.name)).to_contain_text(f"by {trainer.name}")
    hands.press(mark_button(page, "Did not attend", ben.name))
    expect(page.get_by_text(f"{ben.name}: did not attend.")).to_be_visible()

    hands.press(page.get_by_role("button", name="Mark everyone not yet marked as attended"))
    expect(page.get_by_text("2 people marked as attended.")).to_be_visible()
    expect(row_of(page, ben.name)).to_contain_text("Did not attend")
    for person in (carys, dev):
        expect(row_of(page, person.name)).to_contain_text("Attended")

    hands.press(mark_button(page, "Left early", dev.name))
    expect(page.get_by_text(f"{dev.name}: left early.")).to_be_visible()
    expect(row_of(page, dev.name)).to_contain_text("Left early")
    expect(mark_button(page, "Left early", dev.name)).to_have_count(0)
    check(page, "register-marked")

    spreadsheet = hands.download(page.get_by_role("link", name="Register as a spreadsheet (CSV)"))
    assert spreadsheet.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(spreadsheet.path().read_text(encoding="utf-8-sig"))))
    assert [(row["Name"], row["Attendance"], row["Place in waiting list"]) for row in rows] == [
        (amara.name, "Attended", ""),
        (ben.name, "Did not attend", ""),
        (carys.name, "Attended", ""),
        (dev.name, "Left early", ""),
        (elin.name, "", "1"),
    ]
    assert rows[0]["Agency"] == "Barnardo's"
    assert rows[0]["Email"] == amara.email

    sheet = hands.download(page.get_by_role("link", name="Sign-in sheet to print (PDF)"))
    assert sheet.suggested_filename.endswith(".pdf")
    document = PdfReader(io.BytesIO(sheet.path().read_bytes()))
    text = " ".join(" ".join(page.extract_text().split()) for page in document.pages)
    assert "Sign-in sheet" in text and TITLE in text and trainer.name in text
    named = [text.index(person.name) for person in (amara, ben, carys, dev)]
    assert named == sorted(named), "the sheet lists people by name"
    assert "Barnardo's" in text
    assert elin.name not in text, "people waiting have no place to sign for"


def test_on_a_phone_each_person_is_a_card_with_their_marks_in_sight(site, new_page, check):
    with site.database.session() as db_session:
        barnardos = db_session.scalar(select(Agency.id).filter_by(name="Barnardo's"))
    trainer = site.database.make_person("Sam Reid", role=Role.TRAINER)
    people = [
        site.database.make_person(
            "Gwendolyn Featherstonehaugh",
            agency_id=barnardos,
            job_title="Children's services practitioner",
        ),
        site.database.make_person("Oli Hart"),
    ]
    session_id = site.database.make_course(
        "Neglect on the phone", capacity=4, days_ahead=-1, trainers=(trainer,)
    )
    site.database.give_places(session_id, people)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    hands = Touch(page)

    sign_in(page, trainer, hands)
    heading(page, "Your sessions")
    page.goto(f"/trainer/sessions/{session_id}")
    heading(page, "Neglect on the phone")

    card = row_of(page, people[0].name)
    expect(card).to_contain_text("Barnardo's")
    expect(card).to_contain_text("Access needs: None given")
    edges = page.evaluate(MARK_BUTTONS_EDGES)
    assert len(edges) == 3 * len(people)
    assert all(left >= 0 and right <= PHONE["width"] for left, right in edges), edges
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    check(page, "register-on-a-phone")

    hands.press(mark_button(page, "Did not attend", people[1].name))
    expect(page.get_by_text(f"{people[1].name}: did not attend.")).to_be_visible()
    expect(row_of(page, people[1].name)).to_contain_text("Did not attend")
