"""Repeat non-attendance: a person who missed too many places books through a
coordinator, who approves or declines with a reason. Through the service, with no HTTP."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from app.bookings import integrity
from app.bookings import service as bookings
from app.bookings.service import RepeatLimit
from app.extensions import db
from app.models import (
    Attendance,
    Booking,
    BookingEvent,
    BookingStatus,
    OutboxMessage,
    holds_a_place,
    utcnow,
)
from app.refusals import Refused
from app.transactions import saved
from app.transfers import service as transfers
from tests.factories import (
    charge_on,
    make_agency,
    make_course,
    make_prospectus,
    make_session,
    make_user,
)


@pytest.fixture
def course(app):
    return make_course(make_prospectus(), title="Neglect")


@pytest.fixture
def session(course):
    return make_session(course, capacity=2)


@pytest.fixture
def police(app):
    return make_agency(name="South Yorkshire Police")


def missed(person, course, times: int, days_ago: int = 30) -> list[Booking]:
    """Bookings of past sessions the person did not attend."""
    made = []
    for number in range(times):
        past = make_session(course, starts_at=utcnow() - timedelta(days=days_ago + number))
        booking = Booking(
            session=past,
            user=person,
            status=BookingStatus.CONFIRMED,
            attendance=Attendance.DID_NOT_ATTEND,
        )
        db.session.add(booking)
        made.append(booking)
    db.session.commit()
    return made


@pytest.fixture
def no_show(course, police):
    """An officer who did not come twice in the last few months."""
    person = make_user(
        name="Olive Officer", email="olive@police.example.org", agency=police,
        line_manager_email="olives.boss@police.example.org",
    )  # fmt: skip
    missed(person, course, 2)
    return person


def book(session, person, now=None, limit=bookings.USUAL_LIMIT):
    booked = saved(bookings.book, db.session, session.id, person, "", now or utcnow(), limit=limit)
    return db.session.get(Booking, booked.id)


def decide(booking, approve, reason="Spoke to them: a sick child both times", actor=None, now=None):
    actor = actor or make_user(name="Cora Coordinator")
    decided = saved(
        bookings.coordinator_decides,
        db.session,
        booking.id,
        approve,
        reason,
        actor,
        now or utcnow(),
    )
    db.session.expire_all()
    return db.session.get(Booking, decided.id)


def places_left(session) -> int:
    held = select(func.count(Booking.id)).where(Booking.session_id == session.id, holds_a_place())
    return session.capacity - db.session.scalar(held)


def mail_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == address)
            .order_by(OutboxMessage.id)
        )
    )


def subjects_to(address: str) -> list[str]:
    return [message.subject for message in mail_to(address)]


def history_of(booking) -> list[tuple]:
    return [
        (event.from_status, event.to_status, event.reason)
        for event in db.session.scalars(
            select(BookingEvent).filter_by(booking_id=booking.id).order_by(BookingEvent.id)
        )
    ]


# Who books through a coordinator


def test_two_missed_places_send_the_next_booking_to_a_coordinator_holding_its_place(
    session, no_show
):
    booking = book(session, no_show)

    assert booking.status is BookingStatus.AWAITING_COORDINATOR
    assert booking.needs_coordinator is True
    assert booking.approval_expires_at > utcnow()
    assert places_left(session) == 1
    (told,) = mail_to(no_show.email)
    assert "coordinator" in told.subject
    assert "more than once in recent months" in told.text_body
    assert "decides whether this place is yours" in told.text_body
    assert told.calendar is None


def test_the_offer_says_why_before_the_person_books(session, no_show):
    offer = bookings.offer(db.session, session, no_show, utcnow())

    assert offer.outcome is bookings.Outcome.COORDINATOR
    assert offer.warning is True
    assert "You have missed 2 places in the last 12 months" in offer.explanation
    assert "A training coordinator will decide whether this place is yours" in offer.explanation


def test_late_cancellations_count_as_missed_places(session, course):
    person = make_user()
    missed(person, course, 1)
    late = make_session(course, starts_at=utcnow() + timedelta(days=30))
    db.session.add(
        Booking(
            session=late,
            user=person,
            status=BookingStatus.CANCELLED,
            late_cancellation=True,
            cancelled_at=utcnow() - timedelta(days=3),
        )
    )
    db.session.commit()

    assert book(session, person).status is BookingStatus.AWAITING_COORDINATOR


def test_one_missed_place_a_waived_one_and_an_old_one_leave_booking_as_usual(session, course):
    person = make_user()
    _, waived = missed(person, course, 2)
    charge_on(waived, waived_at=utcnow(), waive_reason="Snowed in")
    missed(person, course, 3, days_ago=400)

    assert book(session, person).status is BookingStatus.CONFIRMED


def test_attended_and_left_early_places_are_not_missed(session, course):
    person = make_user()
    attended, left = missed(person, course, 2)
    attended.attendance, left.attendance = Attendance.ATTENDED, Attendance.LEFT_EARLY
    db.session.commit()

    assert book(session, person).status is BookingStatus.CONFIRMED


def test_the_settings_set_how_many_missed_places_in_how_many_months(session, course):
    person = make_user()
    missed(person, course, 2, days_ago=100)

    for limit, waits in [
        (RepeatLimit(count=3), False),
        (RepeatLimit(months=2), False),
        (RepeatLimit(count=1, months=12), True),
    ]:
        booking = book(session, person, limit=limit)
        assert booking.needs_coordinator is waits
        saved(bookings.cancel, db.session, booking.id, person, utcnow())


def test_a_full_session_puts_them_on_the_waiting_list_and_a_freed_place_waits_for_a_coordinator(
    session, no_show
):
    first, _ = book(session, make_user()), book(session, make_user())
    waiting = book(session, no_show)
    assert waiting.status is BookingStatus.WAITING
    assert "a training coordinator then decides" in mail_to(no_show.email)[0].text_body

    saved(bookings.cancel, db.session, first.id, first.user, utcnow())

    db.session.expire_all()
    asked = db.session.get(Booking, waiting.id)
    assert asked.status is BookingStatus.AWAITING_COORDINATOR
    assert asked.approval_expires_at is not None
    assert "coordinator" in subjects_to(no_show.email)[-1]
    assert integrity.breaches(db.session, utcnow()) == []


# The coordinator's decision


def test_an_approved_place_is_confirmed_with_its_invite_and_the_reason(session, no_show):
    coordinator = make_user(name="Cora Coordinator")
    booking = decide(book(session, no_show), approve=True, actor=coordinator)

    assert booking.status is BookingStatus.CONFIRMED
    assert booking.coordinator_approved is True
    assert booking.coordinator_reason == "Spoke to them: a sick child both times"
    last = db.session.scalars(
        select(BookingEvent).filter_by(booking_id=booking.id).order_by(BookingEvent.id.desc())
    ).first()
    assert (last.to_status, last.actor_id) == (BookingStatus.CONFIRMED, coordinator.id)
    approved = mail_to(no_show.email)[-1]
    assert approved.subject.startswith("Approved")
    assert "Spoke to them: a sick child both times" in approved.text_body
    assert Calendar.from_ical(approved.calendar)["METHOD"] == "REQUEST"
    assert integrity.breaches(db.session, utcnow()) == []


def test_approved_on_a_course_that_needs_approval_then_asks_the_line_manager(session, no_show):
    session.course.requires_approval = True
    db.session.commit()

    booking = decide(book(session, no_show), approve=True)

    assert booking.status is BookingStatus.AWAITING_APPROVAL
    assert places_left(session) == 1
    assert "approve" in " ".join(subjects_to("olives.boss@police.example.org")).lower()
    assert mail_to(no_show.email)[-1].calendar is None
    manager_approves = saved(bookings.decide, db.session, booking.id, True, "", utcnow())
    assert manager_approves.status is BookingStatus.CONFIRMED


def test_a_declined_place_goes_to_the_first_person_waiting(session, no_show):
    book(session, make_user())
    asked = book(session, no_show)
    next_in_line = book(session, make_user(email="next@example.org"))
    assert next_in_line.status is BookingStatus.WAITING

    declined = decide(asked, approve=False, reason="Third time this year")

    assert declined.status is BookingStatus.DECLINED
    assert declined.coordinator_approved is False
    assert db.session.get(Booking, next_in_line.id).status is BookingStatus.CONFIRMED
    told = mail_to(no_show.email)[-1]
    assert told.subject == "Not approved: Neglect"
    assert "Third time this year" in told.text_body
    assert told.calendar is None
    assert subjects_to("next@example.org")[-1] == "A place is yours: Neglect"
    assert integrity.breaches(db.session, utcnow()) == []


@pytest.mark.parametrize(
    ("reason", "message"),
    [("  ", "Enter the reason for your decision"), ("x" * 501, "500 characters or fewer")],
)
def test_a_decision_needs_a_reason_and_changes_nothing_without_one(
    session, no_show, reason, message
):
    booking = book(session, no_show)
    mail_before = len(mail_to(no_show.email))

    with pytest.raises(Refused, match=message) as refused:
        decide(booking, approve=False, reason=reason)

    assert refused.value.field == "reason"
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.AWAITING_COORDINATOR
    assert len(mail_to(no_show.email)) == mail_before


def test_a_booking_is_decided_once(session, no_show):
    booking = decide(book(session, no_show), approve=True)

    with pytest.raises(Refused, match="already been decided"):
        decide(booking, approve=False)
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED


def test_only_bookings_waiting_for_a_coordinator_are_decided_by_one(session):
    usual = book(session, make_user())

    with pytest.raises(Refused, match="already been decided"):
        decide(usual, approve=False)
    with pytest.raises(bookings.NotOffered):
        decide(Booking(id=usual.id + 1000), approve=True)


def test_a_place_nobody_decided_on_in_time_is_released_and_the_person_told(session, no_show):
    booking = book(session, no_show)
    waiting = book(session, make_user()), book(session, make_user())
    later = booking.approval_expires_at + timedelta(minutes=1)

    with pytest.raises(Refused, match="expired"):
        decide(booking, approve=True, now=later)
    saved(bookings.release_session_approvals, db.session, session.id, later)

    db.session.expire_all()
    released = db.session.get(Booking, booking.id)
    assert released.status is BookingStatus.DECLINED
    assert released.coordinator_did_not_decide
    assert mail_to(no_show.email)[-1].subject.startswith("Decision not made in time")
    assert db.session.get(Booking, waiting[1].id).status is BookingStatus.CONFIRMED


def test_the_history_says_who_asked_and_who_decided(session, no_show):
    booking = decide(book(session, no_show), approve=True)

    assert history_of(booking) == [
        (None, BookingStatus.AWAITING_COORDINATOR, "asked a coordinator"),
        (BookingStatus.AWAITING_COORDINATOR, BookingStatus.CONFIRMED, "approved by a coordinator"),
    ]


# Handing a place to someone who books through a coordinator


def test_a_place_cannot_be_given_to_a_colleague_who_books_through_a_coordinator(
    session, no_show, police
):
    giver = make_user(email="gill@police.example.org", agency=police)
    given = book(session, giver)
    before = db.session.scalar(select(func.count(OutboxMessage.id)))

    with pytest.raises(Refused) as refused:
        saved(transfers.give, db.session, given.id, giver, no_show.email, utcnow())

    assert "they can book a place themselves" in str(refused.value)
    assert "attend" not in str(refused.value)
    db.session.expire_all()
    assert db.session.get(Booking, given.id).user_id == giver.id
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before


def test_an_offered_place_cannot_be_claimed_by_someone_who_books_through_a_coordinator(
    session, course, police
):
    giver = make_user(email="gill@police.example.org", agency=police)
    given = book(session, giver)
    transfer = saved(
        transfers.give, db.session, given.id, giver, "new@police.example.org", utcnow()
    )
    newcomer = make_user(email="new@police.example.org", agency=police)
    missed(newcomer, course, 2)

    with pytest.raises(Refused, match="a coordinator decides on your bookings"):
        saved(transfers.claim, db.session, transfer.id, newcomer, utcnow())

    db.session.expire_all()
    assert db.session.get(Booking, given.id).status is BookingStatus.CONFIRMED


def test_expire_approvals_releases_a_decision_left_too_long(runner, session, no_show):
    booking = book(session, no_show)
    booking.approval_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    result = runner.invoke(args=["expire-approvals"])

    assert "Released 1 places" in result.output
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).coordinator_did_not_decide
    assert subjects_to(no_show.email)[-1].startswith("Decision not made in time")
