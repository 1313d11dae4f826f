"""The privacy notice and the accessibility statement: linked from every page's footer,
shipped with the partnership's text, edited by a coordinator as sanitised Markdown."""

import pytest

from app.extensions import db
from app.models import SitePage
from tests.conftest import count, csrf_token, field_errors, signed_in_as, words
from tests.factories import PASSWORD, make_user


@pytest.mark.parametrize("path", ["/", "/prospectuses", "/account/sign-in", "/privacy"])
def test_every_page_links_both_from_its_footer(client, path):
    footer = client.get(path).text.split('class="app-footer"')[1]

    assert 'href="/privacy">Privacy notice</a>' in footer
    assert 'href="/accessibility">Accessibility statement</a>' in footer


def test_the_privacy_notice_names_the_controller_basis_retention_rights_and_the_ico(client):
    text = words(client.get("/privacy").text)

    assert "The data controller is the Rotherham Safeguarding Children Partnership" in text
    assert "public task" in text
    assert "6 years after your last activity" in text
    assert "Information Commissioner's Office (ICO)" in text
    # The partnership's own mailbox, from MAIL_FROM, to write to.
    assert "training@example.org" in text


def test_the_accessibility_statement_says_how_it_was_tested_and_who_enforces(client):
    page = client.get("/accessibility")
    text = words(page.text)

    assert page.status_code == 200
    assert "partially compliant" in text
    assert "axe-core against WCAG 2.2 AA" in text
    assert "printable PDF prospectus" in text
    assert "Equality and Human Rights Commission (EHRC)" in text


def test_a_coordinator_edits_a_page_and_its_markdown_is_sanitised(app, as_coordinator):
    form = as_coordinator.get("/admin/pages/privacy")
    assert "The data controller is" in form.text

    response = as_coordinator.post(
        "/admin/pages/privacy",
        data={
            "csrf_token": csrf_token(form.text),
            "body": "## Who we are\n\nThe partnership. <script>alert(1)</script>",
        },
    )

    assert response.status_code == 302
    page = as_coordinator.get("/privacy").text
    assert "<h2>Who we are</h2>" in page
    assert "<script>alert(1)</script>" not in page
    assert "The data controller is" not in page


def test_an_empty_page_is_refused_and_nothing_is_saved(app, as_coordinator):
    form = as_coordinator.get("/admin/pages/accessibility")

    response = as_coordinator.post(
        "/admin/pages/accessibility", data={"csrf_token": csrf_token(form.text), "body": " "}
    )

    assert response.status_code == 400
    assert field_errors(response.text) == {"body": "Enter the text of the page"}
    assert count(SitePage) == 0


def test_an_unknown_page_is_not_found(as_coordinator):
    assert as_coordinator.get("/admin/pages/cookies").status_code == 404


def test_only_a_coordinator_edits_the_pages(app, client):
    professional = signed_in_as(app, make_user(password=PASSWORD))

    assert client.get("/admin/pages/privacy").status_code == 302
    assert professional.get("/admin/pages/privacy").status_code == 403
    token = csrf_token(professional.get("/account/profile").text)
    response = professional.post("/admin/pages/privacy", data={"csrf_token": token, "body": "Mine"})
    assert response.status_code == 403
    db.session.expire_all()
    assert count(SitePage) == 0


def test_a_person_finds_their_data_and_erasure_from_their_details(app):
    person = make_user(password=PASSWORD)
    db.session.commit()

    page = signed_in_as(app, person).get("/account/profile").text

    assert 'href="/account/data">Download everything we hold about you' in page
    assert 'href="/account/delete">Erase your account' in page
    assert 'href="/privacy">privacy notice' in page
