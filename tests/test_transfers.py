"""Handing a place to a colleague, through the service with no HTTP: one test a rule."""

from datetime import timedelta

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import tick
from app.bookings import integrity
from app.bookings import service as bookings
from app.extensions import db
from app.models import (
    AuditEntry,
    Booking,
    BookingEvent,
    BookingStatus,
    BookingTransfer,
    CourseInterest,
    OutboxMessage,
    Prerequisite,
    utcnow,
)
from app.prerequisites.service import PrerequisitesMissing
from app.refusals import Refused
from app.transactions import saved
from app.transfers import service
from tests.factories import (
    make_agency,
    make_course,
    make_prospectus,
    make_session,
    make_user,
    put_on_list,
)


@pytest.fixture
def agency(app):
    return make_agency(name="South Yorkshire Police")


@pytest.fixture
def session(app):
    return make_session(make_course(make_prospectus()), capacity=2)


@pytest.fixture
def giver(agency):
    return make_user(
        name="Sam Giver", email="sam@police.example.org", agency_id=agency.id,
        line_manager_email="sams.boss@police.example.org",
    )  # fmt: skip


@pytest.fixture
def colleague(agency):
    return make_user(
        name="Cam Colleague", email="cam@police.example.org", agency_id=agency.id,
        line_manager_email="cams.boss@police.example.org",
    )  # fmt: skip


@pytest.fixture
def booking(session, giver):
    booked = saved(bookings.book, db.session, session.id, giver, "A hearing loop", utcnow())
    return db.session.get(Booking, booked.id)


def give(booking, email, person=None, now=None):
    return saved(
        service.give, db.session, booking.id, person or booking.user, email, now or utcnow()
    )


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def event_of(message: OutboxMessage):
    calendar = Calendar.from_ical(message.calendar)
    assert calendar["METHOD"] == message.calendar_method
    (event,) = calendar.walk("VEVENT")
    return event


def the_state() -> tuple:
    """Everything a refusal must leave as it was."""
    db.session.expire_all()
    return (
        [(b.id, b.user_id, b.status) for b in db.session.scalars(select(Booking))],
        db.session.scalar(select(func.count(BookingEvent.id))),
        db.session.scalar(select(func.count(BookingTransfer.id))),
        db.session.scalar(select(func.count(OutboxMessage.id))),
    )  # fmt: skip


# Given at once


def test_a_colleague_with_an_account_in_the_agency_gets_the_place_at_once(booking, colleague):
    transfer = give(booking, "Cam@Police.example.org ")

    db.session.expire_all()
    given = db.session.get(Booking, booking.id)
    assert given.status is BookingStatus.CANCELLED
    assert given.late_cancellation is False
    received = db.session.get(BookingTransfer, transfer.id).to_booking
    assert received.user_id == colleague.id
    assert received.status is BookingStatus.CONFIRMED
    assert received.session_id == booking.session_id
    # The access needs were the giver's; the manager told is the colleague's.
    assert received.access_needs == ""
    assert received.manager_email == "cams.boss@police.example.org"
    assert bookings.places_held(db.session, booking.session_id) == 1


def test_a_colleague_given_a_place_leaves_the_courses_interest_list(booking, colleague):
    put_on_list(booking.session.course, colleague)

    give(booking, colleague.email)

    assert db.session.scalars(select(CourseInterest)).all() == []


def test_the_history_of_both_bookings_says_from_whom_to_whom_and_by_whom(booking, colleague):
    transfer = give(booking, colleague.email)

    db.session.expire_all()
    giver_last = db.session.get(Booking, booking.id).history[-1]
    assert giver_last.reason == "transferred to Cam Colleague (cam@police.example.org)"
    assert giver_last.actor_id == booking.user_id
    (first,) = db.session.get(BookingTransfer, transfer.id).to_booking.history
    assert first.reason == "transferred from Sam Giver (sam@police.example.org)"
    assert first.actor_id == booking.user_id
    row = db.session.get(BookingTransfer, transfer.id)
    assert (row.from_user_id, row.to_user_id, row.by_id) == (
        booking.user_id,
        colleague.id,
        booking.user_id,
    )


def test_the_giver_gets_a_cancel_and_the_colleague_a_request_each_with_their_uid(
    booking, colleague
):
    first_invite = event_of(outbox()[-1])
    give(booking, colleague.email)

    messages = {message.to_address: message for message in outbox()}
    cancel = messages["sam@police.example.org"]
    request = messages["cam@police.example.org"]
    assert cancel.calendar_method == "CANCEL"
    assert request.calendar_method == "REQUEST"
    cancelled, invited = event_of(cancel), event_of(request)
    session_id = booking.session_id
    assert (
        str(cancelled["UID"])
        == f"session-{session_id}-person-{booking.user_id}@training.example.org"
    )
    assert str(invited["UID"]) == f"session-{session_id}-person-{colleague.id}@training.example.org"
    assert str(cancelled["UID"]) == str(first_invite["UID"])
    # A calendar takes a CANCEL only if its SEQUENCE is at least the invite's.
    assert cancelled["SEQUENCE"] > first_invite["SEQUENCE"]
    assert cancelled["STATUS"] == "CANCELLED"
    assert "Cam Colleague" in cancel.subject
    assert "Sam Giver has given you their place" in request.text_body


def test_the_colleagues_invite_comes_later_than_their_own_cancelled_one(booking, colleague):
    # Cam booked and cancelled before: their calendar has that event, cancelled.
    theirs = saved(bookings.book, db.session, booking.session_id, colleague, "", utcnow())
    saved(bookings.cancel, db.session, theirs.id, colleague, utcnow())
    cancelled_before = event_of(outbox()[-1])

    give(booking, colleague.email)

    request = [m for m in outbox() if m.to_address == colleague.email][-1]
    assert event_of(request)["UID"] == cancelled_before["UID"]
    assert event_of(request)["SEQUENCE"] > cancelled_before["SEQUENCE"]


def test_the_colleagues_manager_is_copied_when_the_partnership_asks(app, booking, colleague):
    app.config["COPY_LINE_MANAGER"] = True
    give(booking, colleague.email)
    assert "cams.boss@police.example.org" in {m.to_address for m in outbox()}


def test_nobody_waiting_is_offered_the_place_given(session, booking, colleague):
    saved(bookings.book, db.session, session.id, make_user(), "", utcnow())
    waiting = saved(bookings.book, db.session, session.id, make_user(), "", utcnow())
    assert waiting.status is BookingStatus.WAITING

    give(booking, colleague.email)

    db.session.expire_all()
    assert db.session.get(Booking, waiting.id).status is BookingStatus.WAITING
    assert integrity.breaches(db.session, utcnow()) == []


# Offered to an address with no account yet


def test_a_colleague_without_an_account_is_offered_the_place_by_mail(booking):
    now = utcnow()
    transfer = give(booking, "new.starter@police.example.org", now=now)

    db.session.expire_all()
    transfer = db.session.get(BookingTransfer, transfer.id)
    assert transfer.is_open
    assert transfer.expires_at == (now + timedelta(hours=48)).replace(microsecond=now.microsecond)
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED
    message = outbox()[-1]
    assert message.to_address == "new.starter@police.example.org"
    assert "/transfers/" in message.text_body
    assert message.calendar is None


def test_an_offer_never_lasts_past_the_cut_off(app, agency):
    session = make_session(make_course(make_prospectus()), starts_at=utcnow() + timedelta(hours=90))
    person = make_user(agency_id=agency.id)
    booking = saved(bookings.book, db.session, session.id, person, "", utcnow())

    transfer = give(db.session.get(Booking, booking.id), "new@police.example.org")

    assert transfer.expires_at == session.cancellation_cutoff


def test_a_colleague_who_registers_in_the_agency_claims_the_place(booking, agency):
    transfer = give(booking, "new@police.example.org")
    newcomer = make_user(email="new@police.example.org", agency_id=agency.id)

    received = saved(service.claim, db.session, transfer.id, newcomer, utcnow())

    db.session.expire_all()
    assert db.session.get(Booking, received.id).user_id == newcomer.id
    assert db.session.get(Booking, booking.id).status is BookingStatus.CANCELLED
    assert not db.session.get(BookingTransfer, transfer.id).is_open
    methods = {m.to_address: m.calendar_method for m in outbox()[-2:]}
    assert methods == {booking.user.email: "CANCEL", "new@police.example.org": "REQUEST"}


@pytest.mark.parametrize(
    "who, message",
    [
        (dict(email="someone.else@police.example.org"), "offered to new@police.example.org"),
        (dict(email="new@police.example.org", verified=False), "Confirm your email address"),
        (dict(email="new@police.example.org", agency=False), "only go to a colleague from"),
    ],
)
def test_only_the_address_offered_confirmed_and_in_the_agency_can_claim(
    booking, agency, who, message
):
    transfer = give(booking, "new@police.example.org")
    in_agency = who.pop("agency", True)
    person = make_user(agency_id=agency.id if in_agency else make_agency().id, **who)
    before = the_state()

    with pytest.raises(Refused, match=message):
        saved(service.claim, db.session, transfer.id, person, utcnow())

    assert the_state() == before


def test_an_offer_cannot_be_claimed_after_it_runs_out(booking, agency):
    transfer = give(booking, "new@police.example.org")
    newcomer = make_user(email="new@police.example.org", agency_id=agency.id)

    with pytest.raises(Refused, match="ran out"):
        saved(service.claim, db.session, transfer.id, newcomer, utcnow() + timedelta(hours=49))


def test_an_offer_cannot_be_claimed_once_the_giver_has_cancelled(booking, agency):
    transfer = give(booking, "new@police.example.org")
    saved(bookings.cancel, db.session, booking.id, booking.user, utcnow())
    newcomer = make_user(email="new@police.example.org", agency_id=agency.id)

    with pytest.raises(Refused, match="no longer has this place"):
        saved(service.claim, db.session, transfer.id, newcomer, utcnow())
    # The offer was withdrawn with the place: nothing is left for the scheduled work.
    db.session.expire_all()
    assert db.session.get(BookingTransfer, transfer.id).withdrawn_at is not None
    assert service.open_offer(db.session, booking.id) is None


def test_a_withdrawn_offer_cannot_be_claimed_and_the_place_can_be_offered_again(booking, agency):
    transfer = give(booking, "new@police.example.org")
    saved(service.withdraw, db.session, booking.id, booking.user, utcnow())
    newcomer = make_user(email="new@police.example.org", agency_id=agency.id)

    with pytest.raises(Refused, match="withdrew"):
        saved(service.claim, db.session, transfer.id, newcomer, utcnow())
    assert give(db.session.get(Booking, booking.id), "other@police.example.org").is_open


def test_an_unclaimed_offer_returns_to_the_giver_who_is_told_once(app, booking):
    transfer = give(booking, "new@police.example.org")
    later = utcnow() + timedelta(hours=48, minutes=1)

    with time_machine.travel(later, tick=False):
        first = tick.return_unclaimed_transfers(later)
        second = tick.return_unclaimed_transfers(later)

    assert (first, second) == (1, 0)
    db.session.expire_all()
    assert db.session.get(BookingTransfer, transfer.id).returned_at is not None
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED
    told = [m for m in outbox() if m.subject.startswith("Your place is still yours")]
    assert [m.to_address for m in told] == [booking.user.email]


def test_an_offer_not_yet_run_out_is_left_open(booking):
    transfer = give(booking, "new@police.example.org")

    assert tick.return_unclaimed_transfers(utcnow() + timedelta(hours=47)) == 0
    db.session.expire_all()
    assert db.session.get(BookingTransfer, transfer.id).is_open


# Refused, and nothing changes


def refused(booking, email, match, person=None, now=None):
    before = the_state()
    with pytest.raises(Refused, match=match):
        give(booking, email, person=person, now=now)
    assert the_state() == before


def test_a_colleague_already_booked_on_the_session_is_refused(session, booking, colleague):
    saved(bookings.book, db.session, session.id, colleague, "", utcnow())
    refused(booking, colleague.email, "already has a booking for this session")


def test_a_colleague_waiting_for_a_place_on_the_session_is_refused(session, booking, colleague):
    saved(bookings.book, db.session, session.id, make_user(), "", utcnow())
    saved(bookings.book, db.session, session.id, colleague, "", utcnow())
    refused(booking, colleague.email, "already has a booking for this session")


def test_a_course_needing_approval_is_refused(app, agency, colleague):
    course = make_course(make_prospectus(), requires_approval=True)
    session = make_session(course)
    booking = make_booking_confirmed(session, agency)
    refused(booking, colleague.email, "would need a manager's or coordinator's approval")


def a_course_requiring_another(agency):
    """A session of a course that requires another, and a confirmed place on it."""
    prospectus = make_prospectus()
    course = make_course(prospectus, title="Level 2")
    course.prerequisites.append(
        Prerequisite(required_course=make_course(prospectus, title="Basics"))
    )
    return make_booking_confirmed(make_session(course), agency)


def test_a_colleague_who_has_not_met_the_prerequisites_is_refused(app, agency, colleague):
    booking = a_course_requiring_another(agency)

    refused(booking, colleague.email, f"cannot be given to {colleague.email}: they can book")


def test_an_offer_cannot_be_claimed_by_someone_without_the_prerequisites(app, agency):
    transfer = give(a_course_requiring_another(agency), "new@police.example.org")
    newcomer = make_user(email="new@police.example.org", agency_id=agency.id)
    before = the_state()

    with pytest.raises(PrerequisitesMissing, match="need to have attended Basics"):
        saved(service.claim, db.session, transfer.id, newcomer, utcnow())

    assert the_state() == before


def make_booking_confirmed(session, agency):
    person = make_user(agency_id=agency.id, line_manager_email="boss@police.example.org")
    booking = Booking(session=session, user=person, status=BookingStatus.CONFIRMED)
    db.session.add(booking)
    db.session.commit()
    return booking


def test_giving_the_place_to_oneself_is_refused(booking):
    refused(booking, "SAM@police.example.org", "your own email address")


def test_a_colleague_from_another_agency_is_refused(booking):
    other = make_user(email="pat@health.example.org", agency_id=make_agency().id)
    refused(booking, other.email, "not registered with South Yorkshire Police")


def test_a_colleague_with_no_agency_is_refused(booking):
    make_user(email="pat@example.org")
    refused(booking, "pat@example.org", "same agency")


def test_after_the_cut_off_is_refused(booking, colleague):
    after = booking.session.cancellation_cutoff + timedelta(minutes=1)
    refused(booking, colleague.email, "cut-off has passed", now=after)


@pytest.mark.parametrize("status", [BookingStatus.WAITING, BookingStatus.CANCELLED])
def test_a_place_not_confirmed_is_refused(booking, colleague, status):
    db.session.get(Booking, booking.id).status = status
    db.session.commit()
    refused(db.session.get(Booking, booking.id), colleague.email, "Only a confirmed place")


def test_a_place_already_offered_is_refused(booking, colleague):
    give(booking, "new@police.example.org")
    refused(db.session.get(Booking, booking.id), colleague.email, "already offered to new@")


def test_someone_elses_booking_is_refused(booking, colleague):
    refused(booking, "x@police.example.org", "no such booking", person=colleague)


def test_the_database_refuses_a_second_open_offer_of_one_booking(booking):
    give(booking, "new@police.example.org")
    db.session.add(
        BookingTransfer(
            booking_id=booking.id, from_user_id=booking.user_id, by_id=booking.user_id,
            to_email="two@police.example.org", created_at=utcnow(), expires_at=utcnow(),
        )
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_check_integrity_finds_a_booking_given_away_twice(booking, colleague):
    give(booking, colleague.email)
    now = utcnow()
    db.session.add(
        BookingTransfer(
            booking_id=booking.id, from_user_id=booking.user_id, by_id=booking.user_id,
            to_email="two@police.example.org", created_at=now, expires_at=now, claimed_at=now,
        )
    )  # fmt: skip
    db.session.commit()

    assert integrity.breaches(db.session, utcnow()) == [
        f"booking {booking.id} was given away 2 times"
    ]


# What the booking page is told


def test_the_page_may_offer_giving_a_confirmed_place_before_the_cut_off(booking):
    assert service.giving(db.session, booking, utcnow()).can_give


def test_the_page_does_not_offer_giving_after_the_cut_off(booking):
    after = booking.session.cancellation_cutoff
    assert not service.giving(db.session, booking, after).can_give


def test_the_page_shows_the_open_offer_instead(booking):
    give(booking, "new@police.example.org")
    giving = service.giving(db.session, db.session.get(Booking, booking.id), utcnow())
    assert not giving.can_give
    assert giving.offer.to_email == "new@police.example.org"


def test_an_offer_run_out_is_in_the_audit_log_as_the_systems_change(app, booking):
    transfer = give(booking, "new@police.example.org")

    tick.return_unclaimed_transfers(utcnow() + timedelta(hours=49))

    (entry,) = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.record_type == "booking transfer", AuditEntry.record_id == transfer.id
        )
    )
    assert (entry.action, entry.actor_id) == ("changed", None)
    assert "returned_at" in entry.changes


def test_an_offer_cannot_be_claimed_once_a_moved_session_has_passed_its_cut_off(booking, agency):
    transfer = give(booking, "new@police.example.org")
    newcomer = make_user(email="new@police.example.org", agency_id=agency.id)
    session = db.session.get(Booking, booking.id).session
    session.cancellation_cutoff_hours = 24 * 30
    db.session.commit()

    with pytest.raises(Refused, match="ran out"):
        saved(service.claim, db.session, transfer.id, newcomer, utcnow())


def test_the_page_shows_no_offer_of_a_place_cancelled_since(booking):
    give(booking, "new@police.example.org")
    saved(bookings.cancel, db.session, booking.id, booking.user, utcnow())
    giving = service.giving(db.session, db.session.get(Booking, booking.id), utcnow())
    assert (giving.can_give, giving.offer, giving.given) == (False, None, None)
