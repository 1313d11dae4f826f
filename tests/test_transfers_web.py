"""The pages that give a place to a colleague and claim it: who may open them, and what
they answer."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.bookings.tokens import approval_token
from app.extensions import db
from app.models import AuditEntry, Booking, BookingStatus, BookingTransfer, utcnow
from app.transfers.tokens import transfer_token
from tests.conftest import field_errors, press, signed_in_as, submit, words
from tests.factories import (
    PASSWORD,
    make_agency,
    make_course,
    make_prospectus,
    make_session,
    make_user,
)

LABEL = "Your colleague&#39;s work email address"


@pytest.fixture
def agency(app):
    return make_agency(name="South Yorkshire Police")


@pytest.fixture
def owner(agency):
    return make_user(email="sam@police.example.org", password=PASSWORD, agency_id=agency.id)


@pytest.fixture
def booking(app, owner):
    session = make_session(make_course(make_prospectus(), title="Child exploitation"))
    booking = Booking(session=session, user=owner, status=BookingStatus.CONFIRMED)
    db.session.add(booking)
    db.session.commit()
    return booking


def give_url(booking) -> str:
    return f"/bookings/{booking.id}/transfer"


def offer(booking, email="new@police.example.org") -> BookingTransfer:
    now = utcnow()
    transfer = BookingTransfer(
        booking=booking, from_user=booking.user, by=booking.user, to_email=email,
        created_at=now, expires_at=now + timedelta(hours=48),
    )  # fmt: skip
    db.session.add(transfer)
    db.session.commit()
    return transfer


def bookings_of(person) -> list[Booking]:
    db.session.expire_all()
    return list(db.session.scalars(select(Booking).where(Booking.user_id == person.id)))


# Giving


def test_signed_out_the_transfer_page_and_its_forms_send_to_sign_in(client, booking):
    answers = [
        client.get(give_url(booking)),
        press(client, "/account/sign-in", give_url(booking), {"email": "x@police.example.org"}),
        press(client, "/account/sign-in", f"{give_url(booking)}/withdraw"),
    ]
    for answer in answers:
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith("/account/sign-in")
    assert db.session.scalar(select(BookingTransfer.id)) is None


def test_someone_elses_booking_answers_404_to_every_method(app, booking, agency):
    other = signed_in_as(app, make_user(password=PASSWORD, agency_id=agency.id))
    assert other.get(give_url(booking)).status_code == 404
    # With a token of their own, so the form is refused for whose it is, not for its token.
    sent = press(other, "/account/profile", give_url(booking), {"email": "x@police.example.org"})
    assert sent.status_code == 404
    assert press(other, "/account/profile", f"{give_url(booking)}/withdraw").status_code == 404


def test_the_owner_is_asked_for_their_colleagues_work_email(app, booking):
    page = signed_in_as(app, booking.user).get(give_url(booking))
    assert page.status_code == 200
    assert LABEL in page.text


def test_the_booking_page_offers_to_give_the_place(app, booking):
    page = signed_in_as(app, booking.user).get(f"/bookings/{booking.id}")
    assert "Give this place to a colleague" in page.text


def test_the_booking_page_does_not_offer_it_after_the_cut_off(app, owner):
    session = make_session(make_course(make_prospectus()), starts_at=utcnow() + timedelta(hours=5))
    late = Booking(session=session, user=owner, status=BookingStatus.CONFIRMED)
    db.session.add(late)
    db.session.commit()
    browser = signed_in_as(app, owner)

    assert "Give this place" not in browser.get(f"/bookings/{late.id}").text
    page = browser.get(give_url(late))
    assert "cut-off has passed" in page.text
    assert LABEL not in page.text


def test_giving_to_a_colleague_with_an_account_moves_the_place(app, booking, agency):
    colleague = make_user(email="cam@police.example.org", name="Cam", agency_id=agency.id)
    browser = signed_in_as(app, booking.user)

    answer = submit(browser, give_url(booking), {"email": "cam@police.example.org"})

    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/bookings/{booking.id}"
    (theirs,) = bookings_of(colleague)
    assert theirs.status is BookingStatus.CONFIRMED
    page = browser.get(f"/bookings/{booking.id}")
    assert "Your place is now Cam" in words(page.text)
    assert "You gave this place to Cam" in words(page.text)


def test_giving_to_an_address_without_an_account_offers_it(app, booking):
    browser = signed_in_as(app, booking.user)

    answer = submit(browser, give_url(booking), {"email": "new@police.example.org"})

    assert answer.status_code == 302
    page = browser.get(f"/bookings/{booking.id}")
    assert "We have emailed new@police.example.org" in words(page.text)
    assert "You offered this place to new@police.example.org" in words(page.text)
    assert "Give this place to a colleague" not in page.text


def test_a_refusal_is_shown_at_the_field_and_keeps_what_was_typed(app, booking):
    make_user(email="pat@health.example.org", agency_id=make_agency().id)
    browser = signed_in_as(app, booking.user)

    page = submit(browser, give_url(booking), {"email": "pat@health.example.org"})

    assert page.status_code == 400
    assert "not registered with South Yorkshire Police" in field_errors(page.text)["email"]
    assert 'value="pat@health.example.org"' in page.text
    assert db.session.scalar(select(BookingTransfer.id)) is None


def test_an_address_not_an_email_is_refused_at_the_field(app, booking):
    page = submit(signed_in_as(app, booking.user), give_url(booking), {"email": "cam at police"})
    assert page.status_code == 400
    assert "correct format" in field_errors(page.text)["email"]


def test_withdrawing_the_offer_keeps_the_place(app, booking):
    transfer = offer(booking)
    browser = signed_in_as(app, booking.user)

    answer = press(browser, f"/bookings/{booking.id}", f"{give_url(booking)}/withdraw")

    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(BookingTransfer, transfer.id).withdrawn_at is not None
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED


# Claiming


def test_a_forged_or_foreign_token_answers_404(client, booking):
    assert client.get("/transfers/not-a-token").status_code == 404
    # Signed by the app, but for another purpose.
    assert client.get(f"/transfers/{approval_token(booking)}").status_code == 404


def test_signed_out_the_offer_says_how_to_register_or_sign_in(client, booking):
    transfer = offer(booking)
    token = transfer_token(transfer)

    page = client.get(f"/transfers/{token}")

    assert page.status_code == 200
    assert "Register with new@police.example.org" in words(page.text)
    assert f"/account/sign-in?next=/transfers/{token}" in page.text
    assert client.post(f"/transfers/{token}").status_code == 400
    db.session.expire_all()
    assert db.session.get(BookingTransfer, transfer.id).is_open


def test_the_colleague_signed_in_claims_the_place(app, booking, agency):
    transfer = offer(booking)
    newcomer = make_user(email="new@police.example.org", password=PASSWORD, agency_id=agency.id)
    browser = signed_in_as(app, newcomer)
    url = f"/transfers/{transfer_token(transfer)}"

    assert "Take this place" in browser.get(url).text
    answer = press(browser, url, url)

    (theirs,) = bookings_of(newcomer)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/bookings/{theirs.id}"
    assert theirs.status is BookingStatus.CONFIRMED
    assert db.session.get(Booking, booking.id).status is BookingStatus.CANCELLED
    # Claimed once: the link now says so.
    assert "already been claimed" in browser.get(url).text


def test_someone_else_signed_in_cannot_claim(app, booking, agency):
    transfer = offer(booking)
    other = make_user(email="other@police.example.org", password=PASSWORD, agency_id=agency.id)
    browser = signed_in_as(app, other)
    url = f"/transfers/{transfer_token(transfer)}"

    page = browser.get(url)
    assert "offered to new@police.example.org" in page.text
    assert "Take this place" not in page.text
    assert press(browser, url, url).status_code == 400
    assert bookings_of(other) == []
    db.session.expire_all()
    assert db.session.get(BookingTransfer, transfer.id).is_open


def test_a_transfer_is_in_the_audit_log_with_who_made_it(app, booking, agency):
    colleague = make_user(email="cam@police.example.org", agency_id=agency.id)
    submit(signed_in_as(app, booking.user), give_url(booking), {"email": colleague.email})

    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    logged = {(entry.record_type, entry.action, entry.actor_id) for entry in entries}
    assert ("booking transfer", "created", booking.user_id) in logged
    assert ("booking", "changed", booking.user_id) in logged
    assert ("booking", "created", booking.user_id) in logged
