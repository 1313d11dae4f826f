"""Journey, on the demo data: Sarah Whitworth cancels her place on tomorrow evening's
"Young carers", full with three people waiting. The place is offered to Nadia Akhtar,
who looks at the offer but does not answer; once her time has run out, `flask tick`
passes the place to Tom Fairbrother, who accepts it from the mailed link without signing
in. Every page checked with axe.

Her four hours are not waited for: her offer's deadline is moved to a minute ago in the
database, as the clock would have moved it, and the real `tick` runs at the real time
(a clock moved for the command alone would sign Tom's link in the future, which the
site rightly refuses)."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.demo import read_demo_file
from app.models import Booking, BookingStatus, User, utcnow
from tests.e2e.actions import Mouse, heading, sign_in
from tests.e2e.server import Person, Site

TITLE = "Young carers"
PASSWORD = read_demo_file()["demo_password"]
SARAH = Person("sarah.whitworth@example.org", "Sarah Whitworth", PASSWORD)
NADIA = Person("nadia.akhtar@example.org", "Nadia Akhtar", PASSWORD)
TOM = Person("tom.fairbrother@example.org", "Tom Fairbrother", PASSWORD)


def let_the_time_to_answer_run_out(site: Site, person: Person) -> None:
    """The person's offer of a place now ends a minute ago."""
    with site.database.session() as db_session:
        offered = db_session.scalar(
            select(Booking)
            .join(Booking.user)
            .where(User.email == person.email, Booking.status == BookingStatus.OFFERED)
        )
        offered.approval_expires_at = utcnow() - timedelta(minutes=1)
        db_session.commit()


def link_after(message, words: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(rf"^{words}: (\S+)", text, re.MULTILINE).group(1)


def test_a_place_freed_on_the_eve_is_offered_passed_on_unanswered_and_accepted(
    site, new_page, check
):
    page = new_page()
    hands = Mouse(page)
    sign_in(page, SARAH, hands)
    upcoming = page.get_by_role("table", name="Upcoming")
    hands.follow(upcoming.get_by_role("link", name=TITLE).first)
    heading(page, TITLE)
    expect(page.get_by_text("6pm to 8pm (UK time)")).to_be_visible()
    hands.press(page.get_by_role("button", name="Cancel this booking"))
    heading(page, TITLE)
    expect(page.get_by_text("Your booking is cancelled.")).to_be_visible()

    # Nadia, first in the queue, is offered the place and looks at it, answering nothing.
    offer = site.mailbox.wait_for(NADIA.email, f"A place is offered to you: {TITLE}")
    text = offer.get_body(preferencelist=("plain",)).get_content()
    assert "to accept the place. If you have not accepted it by then" in text
    nadias = new_page()
    nadias.goto(link_after(offer, "Accept the place"))
    heading(nadias, "Accept the place")
    expect(nadias.get_by_role("button", name="Accept the place")).to_be_visible()
    check(nadias, "offer-from-the-mail")
    sign_in(nadias, NADIA)
    Mouse(nadias).follow(
        nadias.get_by_role("table", name="Upcoming").get_by_role("link", name=TITLE).first
    )
    heading(nadias, TITLE)
    expect(nadias.get_by_text("A place is offered to you", exact=True)).to_be_visible()
    expect(nadias.get_by_role("button", name="Decline")).to_be_visible()
    check(nadias, "offer-on-the-booking")

    # Her time runs out: cron's `tick` lets the offer lapse.
    let_the_time_to_answer_run_out(site, NADIA)
    assert "Approvals expired: 1" in site.flask("tick")
    lapsed = site.mailbox.wait_for(NADIA.email, f"Offer not answered in time: {TITLE}")
    assert "gone to the next person" in lapsed.get_body(("plain",)).get_content()
    nadias.goto(link_after(offer, "Accept the place"))
    heading(nadias, "This offer has ended")
    check(nadias, "offer-ended")

    # Tom, next in the queue, accepts from his mail, without signing in.
    passed_on = site.mailbox.wait_for(TOM.email, f"A place is offered to you: {TITLE}")
    toms = new_page()
    toms.goto(link_after(passed_on, "Accept the place"))
    heading(toms, "Accept the place")
    check(toms, "offer-passed-on")
    Mouse(toms).press(toms.get_by_role("button", name="Accept the place"))
    heading(toms, "You accepted the place")
    expect(toms.get_by_text("Your place is confirmed.")).to_be_visible()
    check(toms, "offer-accepted")

    confirmed = site.mailbox.wait_for(TOM.email, f"Place confirmed: {TITLE}")
    assert any(part.get_content_type() == "text/calendar" for part in confirmed.walk())
    assert "All booking invariants hold" in site.flask("check-integrity")
