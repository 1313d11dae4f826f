"""Repeat non-attendance on the pages: what the person is told when they book, and the
coordinator's /admin/approvals with each person's history, approved or declined with a
reason."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Attendance,
    AuditEntry,
    Booking,
    BookingStatus,
    ChargeReason,
    OutboxMessage,
    utcnow,
)
from tests.conftest import csrf_token, field_errors, signed_in_as, summary_errors, words
from tests.factories import (
    PASSWORD,
    charge_on,
    make_agency,
    make_course,
    make_prospectus,
    make_session,
    make_user,
)


@pytest.fixture
def police(app):
    return make_agency(name="South Yorkshire Police")


@pytest.fixture
def course(app):
    return make_course(make_prospectus(), title="Neglect")


@pytest.fixture
def session(course):
    return make_session(course, capacity=3, starts_at=utcnow() + timedelta(days=20))


def person_who_missed(course, police, name="Olive Officer", times=2, attended=1) -> object:
    """A person with `times` no-shows in the last months and `attended` places attended."""
    email = "".join(filter(str.isalnum, name.lower())) + "@police.example.org"
    person = make_user(password=PASSWORD, name=name, email=email, agency=police)
    marks = [Attendance.DID_NOT_ATTEND] * times + [Attendance.ATTENDED] * attended
    for days_ago, attendance in enumerate(marks, start=10):
        past = make_session(course, starts_at=utcnow() - timedelta(days=days_ago))
        db.session.add(
            Booking(
                session=past, user=person, status=BookingStatus.CONFIRMED, attendance=attendance
            )
        )
    db.session.commit()
    return person


def book_as(app, person, session):
    browser = signed_in_as(app, person)
    url = f"/sessions/{session.id}/book"
    confirm = browser.get(url)
    booked = browser.post(url, data={"csrf_token": csrf_token(confirm.text)})
    assert booked.status_code == 302
    db.session.expire_all()
    booking = db.session.scalars(
        select(Booking).filter_by(user_id=person.id, session_id=session.id)
    ).one()
    return confirm, browser.get(booked.headers["Location"]), booking


def test_the_person_is_told_before_and_after_booking_that_a_coordinator_decides(
    app, session, course, police
):
    person = person_who_missed(course, police)

    confirm, page, booking = book_as(app, person, session)

    assert "You have missed 2 places in the last 12 months" in words(confirm.text)
    assert booking.status is BookingStatus.AWAITING_COORDINATOR
    assert "Waiting for a coordinator's decision" in words(page.text)
    assert "a training coordinator decides whether this place is yours" in words(page.text)


def test_the_settings_decide_how_many_missed_places_count(
    app, session, course, police, monkeypatch
):
    monkeypatch.setitem(app.config, "REPEAT_NON_ATTENDANCE_COUNT", 3)
    person = person_who_missed(course, police)

    _, _, booking = book_as(app, person, session)

    assert booking.status is BookingStatus.CONFIRMED


def test_the_list_shows_each_booking_with_the_persons_history(
    app, as_coordinator, session, course, police
):
    person = person_who_missed(course, police, times=3, attended=2)
    late = make_session(course, starts_at=utcnow() + timedelta(days=2))
    cancelled_late = Booking(
        session=late,
        user=person,
        status=BookingStatus.CANCELLED,
        late_cancellation=True,
        cancelled_at=utcnow() - timedelta(days=1),
    )
    db.session.add(cancelled_late)
    db.session.commit()
    charge_on(cancelled_late, reason=ChargeReason.LATE_CANCELLATION, waived_at=utcnow())
    _, _, booking = book_as(app, person, session)

    page = words(as_coordinator.get("/admin/approvals").text)

    assert "1 booking waiting for a decision" in page
    assert "Olive Officer South Yorkshire Police" in page
    assert "Neglect" in page
    assert "2 attended, 3 did not attend, 1 cancelled late (1 of these waived)" in page
    assert "3 counted in the last 12 months" in page
    assert f'href="/admin/approvals/{booking.id}"' in as_coordinator.get("/admin/approvals").text


def test_the_list_issues_a_fixed_number_of_queries(
    app, as_coordinator, session, course, police, count_queries
):
    book_as(app, person_who_missed(course, police, name="First Person"), session)
    with count_queries() as few:
        as_coordinator.get("/admin/approvals")
    bigger = make_session(course, capacity=10, starts_at=utcnow() + timedelta(days=30))
    for number in range(4):
        book_as(app, person_who_missed(course, police, name=f"Person {number}"), bigger)
    with count_queries() as many:
        page = as_coordinator.get("/admin/approvals")

    assert "5 bookings waiting for a decision" in words(page.text)
    assert len(many) == len(few)


def test_nothing_waiting_says_so(as_coordinator):
    assert "No booking is waiting for a decision" in words(
        as_coordinator.get("/admin/approvals").text
    )


def test_a_coordinator_approves_with_a_reason_and_the_person_is_told(
    app, as_coordinator, coordinator, session, course, police
):
    person = person_who_missed(course, police)
    _, _, booking = book_as(app, person, session)
    url = f"/admin/approvals/{booking.id}"
    page = as_coordinator.get(url)
    assert "Olive Officer's place on Neglect" in words(page.text)
    assert "Bookings and attendance" in words(page.text)

    answer = as_coordinator.post(
        url,
        data={
            "csrf_token": csrf_token(page.text),
            "decision": "approve",
            "reason": "Agreed with their sergeant",
        },
    )

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/admin/approvals"
    listed = words(as_coordinator.get("/admin/approvals").text)
    assert "Approved: Olive Officer's place is confirmed" in listed
    db.session.expire_all()
    decided = db.session.get(Booking, booking.id)
    assert decided.status is BookingStatus.CONFIRMED
    assert decided.coordinator_reason == "Agreed with their sergeant"
    told = db.session.scalars(
        select(OutboxMessage).filter_by(to_address=person.email).order_by(OutboxMessage.id.desc())
    ).first()
    assert "Agreed with their sergeant" in told.text_body
    assert db.session.scalars(
        select(AuditEntry).filter_by(actor_id=coordinator.id, record_type="booking")
    ).first()
    again = words(as_coordinator.get(url).text)
    assert "This booking is not waiting for a decision any more" in again
    assert "Save decision" not in again


def test_a_decline_frees_the_place_for_the_first_person_waiting(
    app, as_coordinator, course, police
):
    full = make_session(course, capacity=1, starts_at=utcnow() + timedelta(days=9))
    _, _, booking = book_as(app, person_who_missed(course, police), full)
    _, _, waiting = book_as(app, make_user(password=PASSWORD, name="Next Person"), full)
    assert waiting.status is BookingStatus.WAITING
    url = f"/admin/approvals/{booking.id}"

    answer = as_coordinator.post(
        url,
        data={
            "csrf_token": csrf_token(as_coordinator.get(url).text),
            "decision": "decline",
            "reason": "Third no-show this term",
        },
        follow_redirects=True,
    )

    assert "Declined: Olive Officer's place goes to the next person waiting" in words(answer.text)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.DECLINED
    assert db.session.get(Booking, waiting.id).status is BookingStatus.CONFIRMED


def test_a_decision_without_its_parts_is_shown_again_with_what_was_typed(
    app, as_coordinator, session, course, police
):
    _, _, booking = book_as(app, person_who_missed(course, police), session)
    url = f"/admin/approvals/{booking.id}"
    token = csrf_token(as_coordinator.get(url).text)

    no_choice = as_coordinator.post(url, data={"csrf_token": token, "reason": "Kept <b>typed</b>"})
    no_reason = as_coordinator.post(url, data={"csrf_token": token, "decision": "approve"})
    made_up = as_coordinator.post(
        url, data={"csrf_token": token, "decision": "maybe", "reason": "Hmm"}
    )

    assert no_choice.status_code == no_reason.status_code == made_up.status_code == 400
    assert summary_errors(no_choice.text) == {
        "decision": "Choose whether to approve or decline the booking"
    }
    assert "Kept &lt;b&gt;typed&lt;/b&gt;" in no_choice.text
    assert field_errors(no_reason.text) == {"reason": "Enter the reason for your decision"}
    assert 'value="approve" checked' in no_reason.text
    assert "Choose whether to approve or decline" in words(made_up.text)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.AWAITING_COORDINATOR


def test_a_decision_without_its_token_changes_nothing(app, as_coordinator, session, course, police):
    _, _, booking = book_as(app, person_who_missed(course, police), session)

    answer = as_coordinator.post(
        f"/admin/approvals/{booking.id}", data={"decision": "decline", "reason": "No"}
    )

    assert answer.status_code == 400
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.AWAITING_COORDINATOR


def test_a_booking_no_coordinator_was_asked_about_is_not_found(as_coordinator, session):
    usual = Booking(session=session, user=make_user(), status=BookingStatus.CONFIRMED)
    db.session.add(usual)
    db.session.commit()

    assert as_coordinator.get(f"/admin/approvals/{usual.id}").status_code == 404
    assert as_coordinator.get(f"/admin/approvals/{usual.id + 99}").status_code == 404


def test_an_undecided_booking_past_its_deadline_is_released_when_opened(
    app, as_coordinator, session, course, police
):
    _, _, booking = book_as(app, person_who_missed(course, police), session)
    booking.approval_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    page = words(as_coordinator.get(f"/admin/approvals/{booking.id}").text)

    assert "Not approved in time" in page
    assert "No booking is waiting" in words(as_coordinator.get("/admin/approvals").text)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.DECLINED


def test_the_session_page_in_admin_counts_and_links_the_decisions_waiting(
    app, as_coordinator, session, course, police
):
    book_as(app, person_who_missed(course, police), session)

    page = as_coordinator.get(f"/admin/sessions/{session.id}").text

    assert "Waiting for a coordinator's decision: 1" in words(page)
    assert 'href="/admin/approvals"' in page


def test_the_person_cannot_decide_on_their_own_booking(app, session, course, police):
    person = person_who_missed(course, police)
    _, _, booking = book_as(app, person, session)
    browser = signed_in_as(app, person)
    token = csrf_token(browser.get(f"/bookings/{booking.id}").text)

    assert browser.get("/admin/approvals").status_code == 403
    answer = browser.post(
        f"/admin/approvals/{booking.id}",
        data={"csrf_token": token, "decision": "approve", "reason": "Me"},
    )
    assert answer.status_code == 403
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.AWAITING_COORDINATOR


def test_names_are_shown_as_typed_never_as_markup(app, as_coordinator, session, course, police):
    person = person_who_missed(course, police, name="Ann <b>Bold</b>")
    _, _, booking = book_as(app, person, session)
    url = f"/admin/approvals/{booking.id}"

    listed = as_coordinator.get("/admin/approvals").text
    page = as_coordinator.get(url).text

    assert f'<a class="govuk-link" href="/admin/users/{person.id}">Ann &lt;b&gt;Bold' in page
    assert "<b>Bold</b>" not in listed + page
    assert "Ann &lt;b&gt;Bold&lt;/b&gt;" in listed
