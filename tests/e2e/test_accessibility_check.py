"""The checks themselves: a page that breaks an axe rule, scrolls sideways on a phone or
hides keyboard focus fails, naming what and where."""

import pytest

from tests.e2e.accessibility import PHONE, assert_accessible, assert_reflows
from tests.e2e.actions import Keyboard


def test_a_page_of_the_site_passes(page):
    page.goto("/account/sign-in")

    assert_accessible(page)


def test_a_form_field_without_its_label_fails_naming_the_rule_and_the_field(page):
    page.goto("/account/sign-in")
    page.evaluate("document.querySelector('label[for=email]').remove()")

    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)

    message = str(failure.value)
    assert "- label (critical): Form elements must have labels" in message
    assert "    #email" in message


def test_every_violation_is_listed_with_each_element_that_breaks_it(page):
    page.set_content(
        """<!doctype html><html><head><title>Broken</title></head><body><main>
        <img src="a.png"><img src="b.png" class="second">
        <p style="color: #aaa; background: #fff">Faint text</p>
        </main></body></html>"""
    )

    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "a broken page")

    assert str(failure.value) == (
        "3 WCAG 2.2 AA violations on a broken page:\n"
        "- color-contrast (serious): Elements must meet minimum color contrast ratio thresholds\n"
        "    p\n"
        "- html-has-lang (serious): <html> element must have a lang attribute\n"
        "    html\n"
        "- image-alt (critical): Images must have alternative text\n"
        '    img[src="a.png"]\n'
        "    .second"
    )


def test_a_phone_page_that_scrolls_sideways_fails_naming_what_is_too_wide(page):
    page.set_viewport_size(PHONE)
    page.set_content(
        """<!doctype html><html lang="en"><head><title>Wide</title></head><body><main>
        <p>Fits</p><table id="sessions"><tr><td style="min-width: 500px">Wide</td></tr></table>
        </main></body></html>"""
    )

    with pytest.raises(AssertionError) as failure:
        assert_reflows(page, "a wide page")

    assert str(failure.value).startswith(
        'a wide page scrolls sideways; too wide:\n<table id="sessions">'
    )


def test_focus_that_cannot_be_seen_fails_the_keyboard_user(page):
    page.set_content(
        """<!doctype html><html lang="en"><head><title>Hidden focus</title>
        <style>a:focus { outline: none }</style></head><body><main>
        <a href="#one">One</a> <a href="#two">Two</a></main></body></html>"""
    )

    with pytest.raises(AssertionError) as failure:
        Keyboard(page).follow(page.get_by_role("link", name="Two"))

    assert str(failure.value) == 'focus cannot be seen on <a href="#one">One</a>'
