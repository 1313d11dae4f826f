"""Answering a place offered at the last minute: from the mailed links, signed in or not,
and on the booking's own page; what each page says of the offer, and who may answer."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.bookings import service as bookings
from app.bookings.tokens import approval_token, offer_token
from app.extensions import db
from app.models import Booking, BookingStatus, OutboxMessage, Role, utcnow
from app.transactions import saved
from tests.conftest import csrf_token, press, sign_in, signed_in_as, words
from tests.factories import PASSWORD, make_course, make_prospectus, make_session, make_user


@pytest.fixture
def offered(app) -> Booking:
    """Fay First, offered the one place of tomorrow's session that Hana Holder cancelled;
    Sol Second waits behind her."""
    now = utcnow()
    course = make_course(make_prospectus(), title="Neglect")
    session = make_session(course, starts_at=now + timedelta(hours=30), capacity=1)
    session.trainers = [make_user(password=PASSWORD, role=Role.TRAINER, email="tam@example.org")]
    people = [
        make_user(name=name, email=f"{name.split()[0].lower()}@example.org", password=PASSWORD)
        for name in ("Hana Holder", "Fay First", "Sol Second")
    ]
    db.session.commit()
    held, first, _ = (
        saved(bookings.book, db.session, session.id, person, "", now) for person in people
    )
    saved(bookings.cancel, db.session, held.id, people[0], now)
    return db.session.get(Booking, first.id)


def status_of(booking_id: int) -> BookingStatus:
    db.session.expire_all()
    return db.session.get(Booking, booking_id).status


def second_in_line(offered: Booking) -> Booking:
    db.session.expire_all()
    return db.session.scalar(
        select(Booking)
        .where(Booking.session_id == offered.session_id, Booking.user_id != offered.user_id)
        .order_by(Booking.id.desc())
    )


def mailed_links(person_email: str) -> dict[str, str]:
    """The links of the last offer mailed to the person, by their words."""
    offer = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.to_address == person_email,
            OutboxMessage.subject.startswith("A place is offered"),
        )
        .order_by(OutboxMessage.id.desc())
    ).first()
    found = re.findall(r"^(Accept the place|Decline): https://training\.example\.org(\S+)$",
                       offer.text_body, re.MULTILINE)  # fmt: skip
    return dict(found)


def mail_count() -> int:
    return len(db.session.scalars(select(OutboxMessage.id)).all())


# From the mailed links


def test_the_mailed_links_show_the_offer_and_change_nothing_until_a_button_is_pressed(
    client, offered
):
    links = mailed_links("fay@example.org")
    sent = mail_count()

    accept_page = client.get(links["Accept the place"])
    decline_page = client.get(links["Decline"])

    assert accept_page.status_code == decline_page.status_code == 200
    assert '<h1 class="govuk-heading-xl">Accept the place</h1>' in accept_page.text
    assert "Neglect" in accept_page.text
    deadline = words(accept_page.text)
    assert "It is held for you until" in deadline and "(UK time)" in deadline
    assert '<button type="submit"' in accept_page.text and "Accept the place" in accept_page.text
    assert '<h1 class="govuk-heading-xl">Decline the place</h1>' in decline_page.text
    assert status_of(offered.id) is BookingStatus.OFFERED
    assert mail_count() == sent


def test_accepting_from_the_link_without_signing_in_confirms_the_place(client, offered):
    link = mailed_links("fay@example.org")["Accept the place"]

    answered = press(client, link, link)

    assert answered.status_code == 302 and answered.location == link
    assert status_of(offered.id) is BookingStatus.CONFIRMED
    page = client.get(link)
    assert page.status_code == 200
    assert "You accepted the place" in page.text
    assert "Your place is confirmed. We have emailed you the calendar invite." in page.text
    assert '<button type="submit"' not in page.text


def test_declining_from_the_link_offers_the_place_to_the_next_person(client, offered):
    link = mailed_links("fay@example.org")["Decline"]

    answered = press(client, link, link)

    assert answered.status_code == 302
    assert status_of(offered.id) is BookingStatus.DECLINED
    assert second_in_line(offered).status is BookingStatus.OFFERED
    assert "You declined the place" in client.get(link).text
    assert mailed_links("sol@example.org")


def test_an_answer_without_the_form_s_token_is_refused_and_changes_nothing(client, offered):
    link = mailed_links("fay@example.org")["Accept the place"]

    answered = client.post(link, data={})

    assert answered.status_code == 400
    assert status_of(offered.id) is BookingStatus.OFFERED


def test_an_answer_to_an_offer_already_answered_is_refused_with_its_reason(client, offered):
    links = mailed_links("fay@example.org")
    token = csrf_token(client.get(links["Decline"]).text)
    press(client, links["Accept the place"], links["Accept the place"])

    late = client.post(links["Decline"], data={"csrf_token": token})

    assert late.status_code == 400
    assert "You have already accepted this place" in late.text
    assert status_of(offered.id) is BookingStatus.CONFIRMED


def test_once_the_time_to_answer_has_run_out_the_link_says_so_and_the_place_moves_on(
    client, offered
):
    link = mailed_links("fay@example.org")["Accept the place"]
    token = csrf_token(client.get(link).text)
    offered.approval_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    page = client.get(link)
    late = client.post(link, data={"csrf_token": token})

    assert page.status_code == 200
    assert "This offer has ended" in page.text
    assert "The time to accept this place ran out at" in page.text
    assert late.status_code == 400
    assert status_of(offered.id) is BookingStatus.DECLINED
    assert second_in_line(offered).status is BookingStatus.OFFERED


@pytest.mark.parametrize("path", ["/offers/{}/accept", "/offers/{}/decline"])
def test_a_link_that_is_not_valid_answers_404_and_changes_nothing(client, offered, path):
    with client.application.test_request_context():
        other_purpose = approval_token(offered)
        own = offer_token(offered)

    form = {"csrf_token": csrf_token(client.get("/account/sign-in").text)}

    for token in ("not-a-token", other_purpose, own[:-3] + "abc"):
        url = path.format(token)
        for answer in (client.get(url), client.post(url, data=form)):
            assert answer.status_code == 404
            assert "This link is not valid" in answer.text
    assert status_of(offered.id) is BookingStatus.OFFERED


# On the booking's own page


def test_the_booking_page_shows_the_offer_with_its_deadline_and_both_answers(app, offered):
    browser = signed_in_as(app, offered.user)

    page = browser.get(f"/bookings/{offered.id}").text

    assert "A place is offered to you" in page
    assert "It is held for you until" in words(page)
    assert f'action="/bookings/{offered.id}/accept"' in page
    assert f'action="/bookings/{offered.id}/decline"' in page
    assert "Cancel this booking" not in page


def test_the_owner_accepts_on_the_booking_page(app, offered):
    browser = signed_in_as(app, offered.user)
    page = f"/bookings/{offered.id}"

    answered = press(browser, page, f"{page}/accept")

    assert answered.status_code == 302 and answered.location == page
    assert status_of(offered.id) is BookingStatus.CONFIRMED
    shown = browser.get(page).text
    assert "The place is yours. We have emailed you the calendar invite." in shown
    assert "Add to Google Calendar" in shown


def test_the_owner_declines_on_the_booking_page(app, offered):
    browser = signed_in_as(app, offered.user)
    page = f"/bookings/{offered.id}"

    press(browser, page, f"{page}/decline")

    assert status_of(offered.id) is BookingStatus.DECLINED
    shown = browser.get(page).text
    assert "You declined the place: it goes to the next person waiting." in shown
    assert "Offer declined" in shown


def test_cancelling_an_offered_booking_declines_it(app, offered):
    browser = signed_in_as(app, offered.user)
    page = f"/bookings/{offered.id}"

    press(browser, page, f"{page}/cancel")

    assert status_of(offered.id) is BookingStatus.DECLINED
    assert "You declined the place" in browser.get(page).text


def test_an_answer_on_the_booking_page_after_the_deadline_is_refused(app, offered):
    browser = signed_in_as(app, offered.user)
    page = f"/bookings/{offered.id}"
    token = csrf_token(browser.get(page).text)
    db.session.get(Booking, offered.id).approval_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    answered = browser.post(f"{page}/accept", data={"csrf_token": token})

    assert answered.status_code == 302
    assert "The time to accept this place ran out" in browser.get(page).text
    assert status_of(offered.id) is not BookingStatus.CONFIRMED


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_only_the_owner_answers_on_the_booking_page(app, client, offered, answer):
    someone_else = signed_in_as(app, make_user(password=PASSWORD))
    token = csrf_token(someone_else.get("/account/profile").text)
    path = f"/bookings/{offered.id}/{answer}"

    assert someone_else.post(path, data={"csrf_token": token}).status_code == 404
    signed_out = client.post(
        path, data={"csrf_token": csrf_token(client.get("/account/sign-in").text)}
    )
    assert signed_out.status_code == 302 and "/account/sign-in" in signed_out.location
    assert status_of(offered.id) is BookingStatus.OFFERED


# Where else the offer shows


def test_your_bookings_says_a_place_is_offered_and_by_when_to_answer(app, offered):
    browser = signed_in_as(app, offered.user)

    page = words(browser.get("/account/bookings").text)

    assert "A place is offered to you" in page
    assert "Accept or decline the place on Neglect by" in page


def test_the_register_shows_who_is_offered_a_place_and_until_when(app, offered):
    trainer = offered.session.trainers[0]
    browser = app.test_client()
    sign_in(browser, trainer.email, PASSWORD)

    page = words(browser.get(f"/trainer/sessions/{offered.session_id}").text)

    assert "Fay First (fay@example.org): Offered a place until" in page
    assert "Waiting list 1, and 1 offered a place" in page


def test_the_coordinator_s_session_page_counts_offers(as_coordinator, offered):
    page = words(as_coordinator.get(f"/admin/sessions/{offered.session_id}").text)

    assert "Offered a place at the last minute, waiting for their answer: 1" in page


def test_the_coordinator_s_page_of_the_person_says_until_when_a_place_is_offered(
    as_coordinator, offered
):
    page = words(as_coordinator.get(f"/admin/users/{offered.user_id}").text)

    assert "Offered a place until" in page
    assert "A place is offered to you" not in page
