"""Fixtures for the browser tests: one served site and one Chromium for the whole run.

Debian's Chromium is driven by Playwright; no browser is downloaded. Without
/usr/bin/chromium every test here is skipped, saying so (`scripts/setup --dev` installs it).

- `site`: the app under gunicorn on a database of its own with the demo data (SQLite, or
  a throwaway PostgreSQL database when TEST_DATABASE_URL names a server), its mail caught
  by an SMTP server on loopback (`site.mailbox`), `site.database` to set up people and
  courses, `site.flask(...)` to run the app's commands.
- `page`: a page in a browser context of its own (cookies and all) at desktop size;
  `new_page(...)` opens another, for a second person or another screen size. Whatever
  the Content-Security-Policy blocks on any page of a test fails it.
- `check(page, "name")`: axe-core's WCAG 2.2 AA rules at desktop and phone widths (zero
  violations) and a screenshot at each, under screenshots/<test>/.
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)

from tests.conftest import TEST_DATABASE_URL, free_port, throwaway_postgres_database
from tests.e2e.accessibility import AXE_SCRIPT, DESKTOP, PageChecks
from tests.e2e.server import Site, SiteMailbox, served_site

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CSP_VIOLATION = "Content-Security-Policy violation: "
CSP_VIOLATION_REPORTER = f"""
document.addEventListener("securitypolicyviolation", event => console.error(
    "{CSP_VIOLATION}" + event.effectiveDirective + " blocked "
    + event.blockedURI + " on " + location.pathname
    + (event.sample ? " (" + event.sample + ")" : "")
));
"""
#: Milliseconds an action or an expectation waits before failing.
TIMEOUT = 15_000


@pytest.fixture(scope="session", autouse=True)
def needs_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (scripts/setup --dev installs it)")


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("site")
    mailbox = SiteMailbox()
    with ExitStack() as stack:
        smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
        smtp.start()
        stack.callback(smtp.stop)
        if TEST_DATABASE_URL:
            database_url = stack.enter_context(throwaway_postgres_database(TEST_DATABASE_URL))
        else:
            database_url = f"sqlite:///{folder / 'site.sqlite'}"
        yield stack.enter_context(served_site(database_url, folder, mailbox, smtp.port))


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser, site) -> Iterator[Callable[..., Page]]:
    """`new_page(viewport=...)`: a page in a new browser context, as another person's browser.

    Every page any context opens is watched for what its Content-Security-Policy blocked;
    the test fails, listing them, if anything was.
    """
    contexts = []
    blocked: list[str] = []

    def open_page(viewport: dict[str, int] = DESKTOP, **options) -> Page:
        context = browser.new_context(
            base_url=site.base_url, viewport=viewport, accept_downloads=True, **options
        )
        context.set_default_timeout(TIMEOUT)
        # axe-core is ready in every page the context opens, rather than sent to each one.
        context.add_init_script(path=AXE_SCRIPT)
        watch_for_policy_violations(context, blocked)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    assert not blocked, "The Content-Security-Policy blocked:\n" + "\n".join(blocked)


def watch_for_policy_violations(context: BrowserContext, blocked: list[str]) -> None:
    """Add to `blocked` each thing the policy stops on any page of the context: the page
    reports it as a `securitypolicyviolation` event, passed on through the console."""
    context.add_init_script(CSP_VIOLATION_REPORTER)

    def on_console(message: ConsoleMessage) -> None:
        if message.text.startswith(CSP_VIOLATION):
            blocked.append(message.text.removeprefix(CSP_VIOLATION))

    context.on("console", on_console)


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


@pytest.fixture
def check(request) -> PageChecks:
    return PageChecks(request.node.name)
