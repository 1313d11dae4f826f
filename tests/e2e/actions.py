"""How a person works the pages: with a mouse, a touch screen or the keyboard alone.

`Mouse`, `Touch` and `Keyboard` do the same things their own way, so a journey written
once runs each way. Elements are found as a person finds them: links and buttons by their
visible names (`get_by_role`), fields by their labels (`get_by_label`).
"""

import re
from datetime import date

from playwright.sync_api import Download, Locator, Page, expect

from tests.e2e.server import Person

#: The main headings of the pages signing in leads to, by role.
LANDINGS = re.compile("^(Your bookings|Your sessions|Training administration)$")
#: The most presses of Tab a keyboard user makes looking for one element.
MOST_TABS = 150

FOCUS_IS_VISIBLE = """el => {
    // A GOV.UK checkbox or radio shows its focus on the box drawn before its label.
    const drawn = el.matches(".govuk-checkboxes__input, .govuk-radios__input")
        ? getComputedStyle(el.nextElementSibling, "::before") : getComputedStyle(el);
    const invisible = ["transparent", "rgba(0, 0, 0, 0)"];
    const outline = drawn.outlineStyle !== "none" && parseFloat(drawn.outlineWidth) > 0
        && !invisible.includes(drawn.outlineColor);
    const box = el.getBoundingClientRect();
    const onScreen = box.bottom > 0 && box.top < innerHeight
        && box.right > 0 && box.left < innerWidth;
    return (outline || drawn.boxShadow !== "none") && onScreen;
}"""


class Mouse:
    """Points and clicks."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def follow(self, link: Locator) -> None:
        link.click()

    def press(self, button: Locator) -> None:
        button.click()

    def fill(self, field: Locator, text: str) -> None:
        field.fill(text)

    def choose(self, select: Locator, option: str) -> None:
        select.select_option(label=option)

    def tick(self, box: Locator) -> None:
        box.check()

    def download(self, link: Locator) -> Download:
        with self.page.expect_download() as download:
            self.follow(link)
        return download.value


class Touch(Mouse):
    """Taps, on a phone."""

    def follow(self, link: Locator) -> None:
        link.tap()

    def press(self, button: Locator) -> None:
        button.tap()

    def tick(self, box: Locator) -> None:
        box.tap()
        expect(box).to_be_checked()


class Keyboard(Mouse):
    """No mouse: Tab to each element, checking at every stop that focus can be seen,
    then Enter to follow a link, Space to press a button or tick a box, typing to fill in.

    An element in the main content is reached through the "Skip to main content" link
    when Tab comes to it, as keyboard users do.
    """

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.skipped_to_main = 0

    def tab_to(self, target: Locator) -> None:
        page = self.page
        wants_main = target.evaluate("el => el.closest('main') !== null")
        for _ in range(MOST_TABS):
            if target.evaluate("el => el === document.activeElement"):
                return
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement === document.body"):
                continue  # past the page's last element, in the browser's own controls
            focused = page.locator("*:focus")
            self.assert_focus_visible(focused)
            if wants_main and focused.evaluate("el => el.matches('.govuk-skip-link')"):
                expect(focused).to_have_text("Skip to main content")
                page.keyboard.press("Enter")
                expect(page.locator("main")).to_be_focused()
                self.skipped_to_main += 1
        raise AssertionError(f"{MOST_TABS} presses of Tab never reached {target}")

    @staticmethod
    def assert_focus_visible(focused: Locator) -> None:
        expect(focused).to_be_focused()
        assert focused.evaluate(FOCUS_IS_VISIBLE), "focus cannot be seen on " + focused.evaluate(
            "el => el.outerHTML.slice(0, 200)"
        )

    def follow(self, link: Locator) -> None:
        self.tab_to(link)
        self.page.keyboard.press("Enter")

    def press(self, button: Locator) -> None:
        self.tab_to(button)
        self.page.keyboard.press("Space")

    def fill(self, field: Locator, text: str) -> None:
        self.tab_to(field)
        self.page.keyboard.press("ControlOrMeta+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def choose(self, select: Locator, option: str) -> None:
        """Arrow keys move a closed list's choice one option at a time."""
        self.tab_to(select)
        options = select.evaluate("s => [...s.options].map(o => o.text.trim())")
        steps = options.index(option) - select.evaluate("s => s.selectedIndex")
        for _ in range(abs(steps)):
            self.page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
        expect(select.locator("option:checked")).to_have_text(option)

    def tick(self, box: Locator) -> None:
        self.tab_to(box)
        self.page.keyboard.press("Space")
        expect(box).to_be_checked()


def fill_date(page: Page, hands: Mouse, legend: str, day: date) -> None:
    """Type a date into a GOV.UK date input, found by its legend: the day, month and year
    each in its own box."""
    group = page.get_by_role("group", name=legend, exact=True)
    for label, part in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        hands.fill(group.get_by_label(label), str(part))


def heading(page: Page, text: str | re.Pattern) -> None:
    """Wait until the page's main heading says `text`: the next page has arrived."""
    expect(page.get_by_role("heading", level=1)).to_have_text(text)
    page.wait_for_load_state()


def errors_shown(page: Page, errors: dict[str, str]) -> None:
    """The page lists each error at the top and says it with its field, by the field's label.

    A screen reader reads the error with the field: it is in the field's description.
    """
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    for label, message in errors.items():
        expect(summary.get_by_role("link", name=message).first).to_be_visible()
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_accessible_description(re.compile(re.escape(message)))


def group_errors_shown(page: Page, errors: dict[str, str]) -> None:
    """As errors_shown, for radios and dates: a group of fields, named by its legend, that
    the message describes."""
    summary = page.get_by_role("alert")
    for legend, message in errors.items():
        expect(summary.get_by_role("link", name=message).first).to_be_visible()
        group = page.get_by_role("group", name=legend, exact=True)
        expect(group).to_have_accessible_description(re.compile(re.escape(message)))


def open_menu_if_collapsed(page: Page, hands: Mouse) -> None:
    """On a narrow screen the main menu hides behind its Menu button."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible() and menu.get_attribute("aria-expanded") == "false":
        hands.press(menu)
        expect(menu).to_have_attribute("aria-expanded", "true")


def menu_link(page: Page, hands: Mouse, name: str) -> None:
    """Follow a link of the main menu."""
    open_menu_if_collapsed(page, hands)
    hands.follow(page.get_by_role("navigation", name="Main menu").get_by_role("link", name=name))


def admin_section(page: Page, hands: Mouse, name: str) -> None:
    """Follow a link of the coordinator's own menu, beside each page of their area."""
    hands.follow(
        page.get_by_role("navigation", name="Training administration").get_by_role(
            "link", name=name, exact=True
        )
    )


def sign_in(page: Page, person: Person, hands: Mouse | None = None) -> None:
    """Sign in from the menu; the person lands on the page of their work: their bookings,
    the sessions they train or the administration."""
    hands = hands or Mouse(page)
    page.goto("/")
    menu_link(page, hands, "Sign in")
    heading(page, "Sign in")
    hands.fill(page.get_by_label("Email address"), person.email)
    hands.fill(page.get_by_label("Password", exact=True), person.password)
    hands.press(page.get_by_role("button", name="Sign in"))
    heading(page, LANDINGS)
