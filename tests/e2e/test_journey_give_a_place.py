"""A police officer who cannot go gives their place to a colleague with an account, who
receives the invite; another offers theirs to a new colleague's address, who signs in
from the mailed link and takes it. Every page checked with axe."""

from urllib.parse import urlsplit

from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from app.models import Agency, User
from tests.e2e.actions import Mouse, errors_shown, heading, sign_in
from tests.e2e.server import Person, Site, unique

AGENCY = "South Yorkshire Police"


def agency_id(site: Site) -> int:
    with site.database.session() as db_session:
        return db_session.scalar(select(Agency.id).where(Agency.name == AGENCY))


def with_email(site: Site, person: Person, email: str) -> Person:
    """The person's account, moved to this address."""
    with site.database.session() as db_session:
        db_session.scalar(select(User).filter_by(email=person.email)).email = email
        db_session.commit()
    return Person(email, person.name)


def calendar_in(message) -> tuple[str, str]:
    part = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
    (event,) = Calendar.from_ical(part.get_content()).walk("VEVENT")
    return part.get_param("method"), str(event["UID"])


def test_an_officer_gives_their_place_to_a_colleague_who_gets_the_invite(site, new_page, check):
    police = agency_id(site)
    title = f"Online safety for officers {unique('give')}"
    session_id = site.database.make_course(title, capacity=4)
    holder = site.database.make_person("Morgan Pike", agency_id=police)
    colleague = site.database.make_person("Jamie Holt", agency_id=police)
    site.database.give_places(session_id, [holder])
    page = new_page()
    hands = Mouse(page)
    sign_in(page, holder)

    hands.follow(page.get_by_role("table", name="Upcoming").get_by_role("link", name=title))
    heading(page, title)
    booking = urlsplit(page.url).path
    hands.follow(page.get_by_role("link", name="Give this place to a colleague"))
    heading(page, "Give your place to a colleague")
    check(page, "give-a-place")

    hands.fill(page.get_by_label("Your colleague's work email address"), holder.email)
    hands.press(page.get_by_role("button", name="Give the place"))
    errors_shown(page, {"Your colleague's work email address": "That is your own email address"})
    check(page, "give-a-place-to-oneself")

    hands.fill(page.get_by_label("Your colleague's work email address"), colleague.email)
    hands.press(page.get_by_role("button", name="Give the place"))
    heading(page, title)
    assert urlsplit(page.url).path == booking
    expect(page.get_by_text("Your place is now Jamie Holt's.")).to_be_visible()
    expect(page.get_by_text("You gave this place to Jamie Holt")).to_be_visible()
    check(page, "place-given")

    given = site.mailbox.wait_for(holder.email, "Place given to Jamie Holt")
    received = site.mailbox.wait_for(colleague.email, f"A place given to you: {title}")
    (cancel_method, cancel_uid), (invite_method, invite_uid) = map(calendar_in, (given, received))
    assert (cancel_method, invite_method) == ("CANCEL", "REQUEST")
    assert cancel_uid != invite_uid

    theirs = new_page()
    theirs.goto(site.link_in(received))
    heading(theirs, "Sign in")
    sign_in(theirs, colleague)
    theirs.goto(site.link_in(received))
    heading(theirs, title)
    expect(theirs.get_by_text("Morgan Pike gave you this place.")).to_be_visible()
    check(theirs, "place-received")


def test_a_new_colleague_takes_a_place_offered_to_their_address(site, new_page, check):
    police = agency_id(site)
    title = f"Safeguarding adolescents {unique('offer')}"
    session_id = site.database.make_course(title, capacity=4)
    holder = site.database.make_person("Riley Shaw", agency_id=police)
    site.database.give_places(session_id, [holder])
    newcomer_email = f"{unique('newcomer')}@example.org"
    page = new_page()
    hands = Mouse(page)
    sign_in(page, holder)
    hands.follow(page.get_by_role("table", name="Upcoming").get_by_role("link", name=title))
    hands.follow(page.get_by_role("link", name="Give this place to a colleague"))
    hands.fill(page.get_by_label("Your colleague's work email address"), newcomer_email)
    hands.press(page.get_by_role("button", name="Give the place"))
    heading(page, title)
    expect(page.get_by_text(f"You offered this place to {newcomer_email}")).to_be_visible()
    check(page, "place-offered")

    offer = site.mailbox.wait_for(newcomer_email, "Riley Shaw offers you their place")
    visitor = new_page()
    visitor.goto(site.link_in(offer))
    heading(visitor, "A place offered to you")
    check(visitor, "offer-signed-out")

    # They register with the address offered (their account written straight in here:
    # registering is journey 2's), then sign in from the offer's page.
    newcomer = with_email(
        site, site.database.make_person("Casey Noor", agency_id=police), newcomer_email
    )

    Mouse(visitor).follow(visitor.get_by_role("link", name="Sign in to take the place"))
    heading(visitor, "Sign in")
    Mouse(visitor).fill(visitor.get_by_label("Email address"), newcomer.email)
    Mouse(visitor).fill(visitor.get_by_label("Password", exact=True), newcomer.password)
    Mouse(visitor).press(visitor.get_by_role("button", name="Sign in"))
    heading(visitor, "A place offered to you")
    check(visitor, "offer-signed-in")
    Mouse(visitor).press(visitor.get_by_role("button", name="Take this place"))
    heading(visitor, title)
    expect(visitor.get_by_text("The place is yours.")).to_be_visible()
    expect(visitor.get_by_text("Riley Shaw gave you this place.")).to_be_visible()
    check(visitor, "offer-claimed")
    invite = site.mailbox.wait_for(newcomer_email, f"A place given to you: {title}")
    assert calendar_in(invite)[0] == "REQUEST"
