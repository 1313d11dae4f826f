"""The policy lets the site's own scripts run and blocks anything else, and the watch the
`new_page` fixture keeps on every page of every test reports what it blocked."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT, watch_for_policy_violations


def test_the_pages_own_scripts_run_under_the_policy(page):
    page.goto("/")

    # GOV.UK Frontend's inline start-up ran (its nonce), then the module that starts its
    # components, which marks each one it started.
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    expect(page.locator("[data-module=govuk-service-navigation]")).to_have_attribute(
        "data-govuk-service-navigation-init", ""
    )


def test_an_inline_script_or_style_is_blocked_and_reported(browser, site):
    context = browser.new_context(base_url=site.base_url)
    context.set_default_timeout(TIMEOUT)
    blocked: list[str] = []
    watch_for_policy_violations(context, blocked)
    page = context.new_page()
    try:
        page.goto("/account/sign-in")
        with page.expect_console_message(lambda message: "script-src-attr" in message.text):
            page.evaluate(
                "html => document.body.insertAdjacentHTML('beforeend', html)",
                '<p style="color: red">Red</p>'
                '<img src="/static/favicon.svg" onload="window.ran = 1">',
            )

        assert page.evaluate("() => window.ran") is None
    finally:
        context.close()

    assert "style-src-attr blocked inline on /account/sign-in" in blocked
    assert "script-src-attr blocked inline on /account/sign-in" in blocked
