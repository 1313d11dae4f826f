"""A person's record: training that has taken place is listed apart from what is to come."""

from playwright.sync_api import expect

from app.models import Role
from tests.e2e.actions import heading, sign_in


def test_a_session_that_took_place_last_week_is_listed_under_past(site, page, check):
    trainer = site.database.make_person("Tara Quinn", role=Role.TRAINER)
    person = site.database.make_person("Ivy Lund")
    title = "Recognising and responding to neglect"
    session_id = site.database.make_course(title, capacity=10, days_ahead=-7, trainers=(trainer,))
    site.database.give_places(session_id, [person])

    sign_in(page, person)

    heading(page, "Your bookings")
    expect(page.get_by_text("You have no upcoming places.")).to_be_visible()
    past = page.get_by_role("table", name="Past")
    expect(past.get_by_role("row").filter(has_text=title)).to_contain_text("Confirmed")
    check(page, "your-bookings-past")
