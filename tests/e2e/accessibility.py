"""WCAG 2.2 AA checks with axe-core, injected from node_modules, and screenshots of each page."""

import re
from pathlib import Path

from playwright.sync_api import Page

from tests.servers import ROOT

AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SCREENSHOTS = ROOT / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def axe_violations(page: Page) -> list[dict]:
    """What axe finds wrong with the page as it is now, against WCAG 2.2 A and AA."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=AXE_SCRIPT)
    results = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        WCAG_TAGS,
    )
    return results["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {' > '.join(map(str, node['target']))}" for node in violation["nodes"])
    return "\n".join(lines)


def assert_accessible(page: Page, where: str = "") -> None:
    """Fail, listing each rule broken and the elements that break it, unless axe finds none."""
    violations = axe_violations(page)
    assert not violations, (
        f"{len(violations)} WCAG 2.2 AA violations on {where or page.url}:\n{describe(violations)}"
    )


def assert_reflows(page: Page, where: str = "") -> None:
    """WCAG 1.4.10 (which axe cannot judge): nothing makes a narrow page scroll sideways."""
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            const tooWide = el => el.getBoundingClientRect().right > width + 1;
            // The elements that stick out of a parent that fits.
            return [...document.querySelectorAll("body *")]
                .filter(el => tooWide(el) && !tooWide(el.parentElement))
                .filter(el => !el.closest(".govuk-visually-hidden, .govuk-skip-link"))
                .map(el => el.outerHTML.slice(0, 120));
        }"""
    )
    assert not overflow, f"{where or page.url} scrolls sideways; too wide:\n" + "\n".join(overflow)


def resize(page: Page, size: dict[str, int]) -> None:
    """Change the viewport, and wait for the page to have redrawn for its new size (scripts
    that follow media queries, such as the main menu's, have then run)."""
    page.set_viewport_size(size)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => setTimeout(done)))")


class PageChecks:
    """For one test: each page checked with axe at desktop and phone widths, and photographed.

    Screenshots go to screenshots/<test>/<n>-<page>-<width>.png, numbered in the order
    the journey met them.
    """

    def __init__(self, test_name: str) -> None:
        self.folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "-", test_name).strip("-")
        for old in self.folder.glob("*.png"):
            old.unlink(missing_ok=True)
        self.count = 0

    def __call__(self, page: Page, name: str) -> None:
        """Check the page a journey has reached, naming it for the screenshots and failures."""
        page.wait_for_load_state()
        self.count += 1
        stem = f"{self.count:02d}-" + re.sub(r"[^\w-]+", "-", name).strip("-")
        viewport = page.viewport_size
        try:
            for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
                resize(page, size)
                # Taken first, so that a page that fails can be looked at.
                self.screenshot(page, f"{stem}-{width}.png")
                where = f"{name} ({page.url}) at {size['width']} pixels wide"
                assert_accessible(page, where)
                assert_reflows(page, where)
        finally:
            resize(page, viewport)

    def screenshot(self, page: Page, filename: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / filename
        page.screenshot(path=path, full_page=True)
        return path
