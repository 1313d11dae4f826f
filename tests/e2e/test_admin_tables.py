"""The coordinator's long lists fit a desktop screen: no table scrolls sideways at 1280 px,
so no column (the sessions' status, say) is cut off out of sight."""

from tests.e2e.actions import heading, sign_in
from tests.e2e.server import COORDINATOR

#: Each table's scrolling box whose content is wider than the box shows.
TABLES_SCROLLING = """() => [...document.querySelectorAll(".app-table-scroll")]
    .filter(box => box.scrollWidth > box.clientWidth)
    .map(box => box.getAttribute("aria-labelledby"))"""


def test_the_sessions_and_people_tables_fit_a_desktop_screen(site, page, check):
    sign_in(page, COORDINATOR)

    for address, title, name in [
        ("/admin/sessions", "Sessions to come", "sessions-to-come"),
        ("/admin/sessions?show=past", "Past sessions", "past-sessions"),
        ("/admin/users?q=&role=", "People", "people"),
    ]:
        page.goto(address)
        heading(page, title)
        assert page.viewport_size["width"] == 1280
        assert page.locator(".app-table-scroll").count() == 1
        assert page.evaluate(TABLES_SCROLLING) == [], f"{address} scrolls sideways"
        check(page, name)
