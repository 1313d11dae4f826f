"""The booking rules, one test each, through the service with no HTTP."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.bookings import integrity, service
from app.extensions import db
from app.models import Booking, BookingEvent, BookingStatus, SessionStatus, utcnow
from app.refusals import Refused
from app.sessions import service as changes
from app.transactions import saved
from tests.factories import fill, make_course, make_prospectus, make_session, make_user


@pytest.fixture
def course(app):
    return make_course(make_prospectus())


@pytest.fixture
def session(course):
    return make_session(course, capacity=2)


def book(session, person=None, now=None):
    booking = saved(
        service.book, db.session, session.id, person or make_user(), "", now or utcnow()
    )
    db.session.commit()
    return booking


def statuses(session) -> list[BookingStatus]:
    db.session.expire_all()
    return [
        booking.status
        for booking in db.session.scalars(
            select(Booking).filter_by(session_id=session.id).order_by(Booking.id)
        )
    ]


def test_a_place_is_confirmed_while_there_is_room(session):
    assert book(session).status is BookingStatus.CONFIRMED


def test_a_full_session_puts_people_on_the_waiting_list_in_order(session):
    book(session)
    book(session)
    third, fourth = book(session), book(session)

    assert statuses(session) == [BookingStatus.CONFIRMED] * 2 + [BookingStatus.WAITING] * 2
    assert third.id < fourth.id


def test_only_a_verified_account_books(session):
    with pytest.raises(Refused, match="Confirm your email address"):
        book(session, make_user(verified=False))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"published": False}, "not open for booking"),
        ({"status": SessionStatus.CANCELLED}, "has been cancelled"),
        ({"starts_at": utcnow() - timedelta(minutes=5)}, "already started"),
        ({"booking_opens_at": utcnow() + timedelta(days=1)}, "has not opened yet"),
        ({"booking_closes_at": utcnow() - timedelta(minutes=1)}, "has closed"),
    ],
)
def test_only_a_published_scheduled_session_with_booking_open_can_be_booked(
    course, change, message
):
    session = make_session(course)
    for name, value in change.items():
        setattr(session, name, value)
    if "starts_at" in change:
        session.ends_at = session.starts_at + timedelta(hours=3)
    db.session.commit()

    with pytest.raises(Refused, match=message):
        book(session)


def test_booking_again_gives_the_existing_booking(session):
    person = make_user()
    first = book(session, person)

    with pytest.raises(service.AlreadyBooked) as refused:
        book(session, person)

    assert refused.value.booking_id == first.id


def test_the_database_refuses_a_second_active_booking_for_one_person(session):
    person = make_user()
    book(session, person)
    db.session.add(Booking(session_id=session.id, user_id=person.id, status=BookingStatus.WAITING))

    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_after_cancelling_a_person_can_book_again(session):
    person = make_user()
    first = book(session, person)
    saved(service.cancel, db.session, first.id, person, utcnow())
    db.session.commit()

    assert book(session, person).status is BookingStatus.CONFIRMED


def test_cancelling_a_place_confirms_the_first_person_waiting(session):
    first = book(session)
    book(session)
    waiting_first, waiting_second = book(session), book(session)

    saved(service.cancel, db.session, first.id, first.user, utcnow())
    db.session.commit()

    db.session.refresh(waiting_first)
    db.session.refresh(waiting_second)
    assert waiting_first.status is BookingStatus.CONFIRMED
    assert waiting_first.promoted_at is not None
    assert waiting_second.status is BookingStatus.WAITING


def test_the_waiting_list_keeps_the_order_bookings_were_made_in_not_of_the_clock_read(session):
    place = book(session)
    book(session)
    now = utcnow()
    # The second request read the clock first, but took the lock after the first.
    first_in, second_in = book(session, now=now), book(session, now=now - timedelta(seconds=1))

    saved(service.cancel, db.session, place.id, place.user, utcnow())
    db.session.commit()

    db.session.refresh(first_in)
    db.session.refresh(second_in)
    assert (first_in.status, second_in.status) == (BookingStatus.CONFIRMED, BookingStatus.WAITING)


def test_cancelling_after_the_cut_off_is_recorded_as_late(course):
    session = make_session(course, starts_at=utcnow() + timedelta(hours=48))
    booking = book(session)

    cancelled = saved(service.cancel, db.session, booking.id, booking.user, utcnow())

    assert cancelled.late_cancellation


def test_cancelling_before_the_cut_off_is_not_late(session):
    booking = book(session)

    assert not saved(
        service.cancel, db.session, booking.id, booking.user, utcnow()
    ).late_cancellation


def test_a_waiting_booking_cancelled_frees_no_place_and_is_not_late(course):
    session = make_session(course, capacity=1, starts_at=utcnow() + timedelta(hours=2))
    book(session)
    waiting = book(session)

    cancelled = saved(service.cancel, db.session, waiting.id, waiting.user, utcnow())
    db.session.commit()

    assert not cancelled.late_cancellation
    assert statuses(session) == [BookingStatus.CONFIRMED, BookingStatus.CANCELLED]


def test_raising_capacity_confirms_people_waiting_and_says_who(session):
    book(session)
    book(session)
    first_waiting = book(session).id
    book(session)

    promoted = saved(changes.change_capacity, db.session, session.id, 3, utcnow())
    db.session.commit()

    assert statuses(session).count(BookingStatus.CONFIRMED) == 3
    assert [booking.id for booking in promoted] == [first_waiting]


def test_capacity_cannot_go_below_the_places_held(session):
    book(session)
    book(session)

    with pytest.raises(Refused, match="cannot be less than 2"):
        saved(changes.change_capacity, db.session, session.id, 1, utcnow())


def test_every_change_is_kept_in_the_history(session):
    person = make_user()
    booking = book(session, person)
    saved(service.cancel, db.session, booking.id, person, utcnow(), reason="cannot come")
    db.session.commit()

    history = db.session.scalars(select(BookingEvent).filter_by(booking_id=booking.id)).all()

    assert [(e.from_status, e.to_status, e.reason, e.actor_id) for e in history] == [
        (None, BookingStatus.CONFIRMED, "booked", person.id),
        (BookingStatus.CONFIRMED, BookingStatus.CANCELLED, "cannot come", person.id),
    ]
    assert all(event.at is not None for event in history)


def managed():
    return make_user(line_manager_email="boss@example.org")


class TestApproval:
    @pytest.fixture
    def session(self, app):
        course = make_course(make_prospectus(), requires_approval=True)
        return make_session(course, capacity=1)

    @pytest.fixture
    def person(self, app):
        return make_user(line_manager_email="Manager@Example.org", line_manager_name="Jo Manager")

    def test_the_place_is_held_while_awaiting_approval(self, session, person):
        booking = book(session, person)

        assert booking.status is BookingStatus.AWAITING_APPROVAL
        assert booking.manager_email == "manager@example.org"
        assert book(session, managed()).status is BookingStatus.WAITING

    def test_approval_expires_after_seven_days_or_when_booking_closes(self, session, person):
        now = utcnow()
        assert book(session, person, now).approval_expires_at == now + timedelta(days=7)

        soon = make_session(
            session.course,
            booking_closes_at=now + timedelta(days=2),
            starts_at=now + timedelta(days=5),
        )
        assert book(soon, person, now).approval_expires_at == now + timedelta(days=2)

    def test_without_a_line_manager_the_course_cannot_be_booked(self, session):
        with pytest.raises(Refused, match="line manager's approval"):
            book(session, make_user())

    def test_approval_confirms_the_place(self, session, person):
        booking = book(session, person)

        decided = saved(service.decide, db.session, booking.id, True, "Good idea", utcnow())

        assert decided.status is BookingStatus.CONFIRMED
        assert decided.manager_comment == "Good idea"

    def test_a_decline_releases_the_place_to_the_first_person_waiting(self, session, person):
        booking = book(session, person)
        book(session, managed())

        saved(service.decide, db.session, booking.id, False, "", utcnow())
        db.session.commit()

        assert statuses(session) == [BookingStatus.DECLINED, BookingStatus.AWAITING_APPROVAL]

    def test_a_decision_is_taken_once(self, session, person):
        booking = book(session, person)
        saved(service.decide, db.session, booking.id, True, "", utcnow())
        db.session.commit()

        with pytest.raises(Refused, match="already been decided"):
            saved(service.decide, db.session, booking.id, False, "", utcnow())

    def test_expiry_releases_the_place(self, session, person, runner):
        booking = book(session, person)
        book(session, managed())
        booking.approval_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()

        result = runner.invoke(args=["expire-approvals"])

        assert "Released 1 places" in result.output
        assert statuses(session) == [BookingStatus.DECLINED, BookingStatus.AWAITING_APPROVAL]


def test_check_integrity_passes_when_the_rules_hold(session, runner):
    book(session)
    book(session)
    book(session)

    result = runner.invoke(args=["check-integrity"])

    assert result.exit_code == 0, result.output
    assert integrity.breaches(db.session, utcnow()) == []


def test_check_integrity_reports_each_broken_invariant(course, runner):
    over = make_session(course, capacity=1)
    fill(over, 2)
    beside = make_session(course, capacity=3)
    fill(beside, 1, BookingStatus.WAITING)
    twice = make_session(course, capacity=5)
    person = make_user()
    for _ in range(2):
        db.session.add(Booking(session=twice, user=person, status=BookingStatus.CANCELLED))
    db.session.flush()
    promoted = db.session.scalars(select(Booking).filter_by(session_id=twice.id)).first()
    for _ in range(2):
        db.session.add(
            BookingEvent(booking=promoted, at=utcnow(), from_status=BookingStatus.WAITING,
                         to_status=BookingStatus.CONFIRMED, reason="promoted")
        )  # fmt: skip
    db.session.commit()

    result = runner.invoke(args=["check-integrity"])

    assert result.exit_code == 1
    assert f"session {over.id}: 2 places held of 1" in result.output
    assert f"session {beside.id}: 1 waiting while 3 of 3 places are free" in result.output
    assert f"booking {promoted.id} was promoted 2 times" in result.output
