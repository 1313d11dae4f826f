"""The rules of running a session (app/sessions/service.py, app/trainer/service.py),
without HTTP: attendance, people who walk in, messages to everyone booked, and changes to
the session."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts import service as accounts
from app.accounts import tokens
from app.bookings import service as bookings
from app.extensions import db
from app.models import (
    Agency,
    Attendance,
    Booking,
    BookingStatus,
    OutboxMessage,
    Role,
    SessionStatus,
    User,
    utcnow,
)
from app.refusals import Refused
from app.sessions import service
from app.sessions.service import SessionTimes, WalkIn
from app.trainer import service as trainer_service
from app.transactions import saved
from tests.conftest import count
from tests.factories import (
    make_agency,
    make_booking,
    make_course,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
)

TITLE = "Working together to safeguard children"


@pytest.fixture
def course(app):
    return make_course(make_prospectus(), title=TITLE)


@pytest.fixture
def under_way(course, trainer):
    """A session that began an hour ago."""
    return make_session(course, starts_at=utcnow() - timedelta(hours=1), trainers=[trainer])


@pytest.fixture
def to_come(course, trainer):
    return make_session(course, capacity=2, venue=make_venue(), trainers=[trainer])


def reloaded(booking: Booking) -> Booking:
    db.session.expire_all()
    return db.session.get(Booking, booking.id)


def move_session(db_session, session_id, starts_at, ends_at, venue_id, now):
    return service.move(db_session, session_id, SessionTimes(starts_at, ends_at, venue_id), now)


def refusal(call, *args, **kwargs) -> Refused:
    """The refusal a rule raises, after which its transaction is rolled back as a route's is.

    What the test made is committed first, so the rollback undoes only what the rule did.
    """
    db.session.commit()
    with pytest.raises(Refused) as raised:
        call(db.session, *args, **kwargs)
    db.session.rollback()
    return raised.value


def outbox(subject: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.subject == subject).order_by(OutboxMessage.id)
        )
    )


# Attendance -------------------------------------------------------------------------------


@pytest.mark.parametrize("attendance", list(Attendance))
def test_a_confirmed_place_can_be_marked(under_way, trainer, attendance):
    booking = make_booking(under_way)
    now = utcnow()

    saved(service.mark_attendance, db.session, under_way.id, booking.id, attendance, trainer, now)
    db.session.commit()

    marked = reloaded(booking)
    assert marked.attendance is attendance
    assert marked.attendance_marked_at == now
    assert marked.attendance_marked_by_id == trainer.id


def test_a_mark_can_be_changed(under_way, trainer):
    booking = make_booking(under_way)
    saved(
        service.mark_attendance,
        db.session,
        under_way.id,
        booking.id,
        Attendance.ATTENDED,
        trainer,
        utcnow(),
    )

    saved(
        service.mark_attendance,
        db.session,
        under_way.id,
        booking.id,
        Attendance.LEFT_EARLY,
        trainer,
        utcnow(),
    )
    db.session.commit()

    assert reloaded(booking).attendance is Attendance.LEFT_EARLY


def test_giving_the_same_mark_again_keeps_who_gave_it_and_when(under_way, trainer, coordinator):
    booking = make_booking(under_way)
    first = utcnow()
    saved(
        service.mark_attendance,
        db.session,
        under_way.id,
        booking.id,
        Attendance.ATTENDED,
        trainer,
        first,
    )

    saved(
        service.mark_attendance,
        db.session,
        under_way.id,
        booking.id,
        Attendance.ATTENDED,
        coordinator,
        utcnow(),
    )
    db.session.commit()

    assert reloaded(booking).attendance_marked_by_id == trainer.id
    assert reloaded(booking).attendance_marked_at == first


def test_attendance_cannot_be_marked_before_the_session_starts(to_come, trainer):
    booking = make_booking(to_come)

    error = refusal(
        service.mark_attendance, to_come.id, booking.id, Attendance.ATTENDED, trainer, utcnow()
    )

    assert str(error).startswith("You can mark attendance from the start of the session, at ")
    assert reloaded(booking).attendance is None


def test_attendance_can_be_marked_from_the_very_start(course, trainer):
    starts_at = utcnow().replace(microsecond=0) + timedelta(minutes=5)
    session = make_session(course, starts_at=starts_at, trainers=[trainer])
    booking = make_booking(session)

    saved(
        service.mark_attendance,
        db.session,
        session.id,
        booking.id,
        Attendance.ATTENDED,
        trainer,
        starts_at,
    )

    assert reloaded(booking).attendance is Attendance.ATTENDED


@pytest.mark.parametrize(
    "status", [BookingStatus.WAITING, BookingStatus.AWAITING_APPROVAL, BookingStatus.CANCELLED]
)
def test_only_confirmed_places_can_be_marked(under_way, trainer, status):
    booking = make_booking(under_way, status, name="Jo Waiting")

    error = refusal(
        service.mark_attendance, under_way.id, booking.id, Attendance.ATTENDED, trainer, utcnow()
    )

    assert str(error) == (
        "Only people with a confirmed place can be marked, and Jo Waiting does not have one"
    )
    assert reloaded(booking).attendance is None


def test_a_booking_of_another_session_cannot_be_marked_through_this_one(course, under_way, trainer):
    other = make_booking(make_session(course, starts_at=utcnow() - timedelta(hours=2)))

    error = refusal(
        service.mark_attendance, under_way.id, other.id, Attendance.ATTENDED, trainer, utcnow()
    )

    assert str(error) == "That person is not on this session's register"


def test_a_cancelled_session_has_no_attendance_to_mark(under_way, trainer):
    booking = make_booking(under_way)
    under_way.status = SessionStatus.CANCELLED
    db.session.flush()

    error = refusal(
        service.mark_attendance, under_way.id, booking.id, Attendance.ATTENDED, trainer, utcnow()
    )

    assert str(error) == "This session was cancelled, so there is no attendance to mark"


def test_marks_lock_30_days_after_the_session_ends_for_trainers(under_way, trainer):
    booking = make_booking(under_way)
    locks_at = under_way.ends_at + timedelta(days=30)

    saved(
        service.mark_attendance,
        db.session,
        under_way.id,
        booking.id,
        Attendance.ATTENDED,
        trainer,
        locks_at - timedelta(seconds=1),
    )
    db.session.commit()
    error = refusal(
        service.mark_attendance, under_way.id, booking.id, Attendance.LEFT_EARLY, trainer, locks_at
    )

    assert "Attendance was locked on" in str(error)
    assert "Ask a coordinator" in str(error)
    assert reloaded(booking).attendance is Attendance.ATTENDED


def test_coordinators_can_change_a_mark_after_it_locks(under_way, coordinator):
    booking = make_booking(under_way)
    long_after = under_way.ends_at + timedelta(days=400)

    saved(
        service.mark_attendance,
        db.session,
        under_way.id,
        booking.id,
        Attendance.DID_NOT_ATTEND,
        coordinator,
        long_after,
    )

    assert reloaded(booking).attendance is Attendance.DID_NOT_ATTEND


def test_marking_everyone_marks_only_confirmed_places_without_a_mark(under_way, trainer):
    absent = make_booking(under_way)
    saved(
        service.mark_attendance,
        db.session,
        under_way.id,
        absent.id,
        Attendance.DID_NOT_ATTEND,
        trainer,
        utcnow(),
    )
    first, second = make_booking(under_way), make_booking(under_way)
    waiting = make_booking(under_way, BookingStatus.WAITING)

    marked = saved(service.mark_everyone_attended, db.session, under_way.id, trainer, utcnow())
    db.session.commit()

    assert {booking.id for booking in marked} == {first.id, second.id}
    assert reloaded(first).attendance is reloaded(second).attendance is Attendance.ATTENDED
    assert reloaded(absent).attendance is Attendance.DID_NOT_ATTEND
    assert reloaded(waiting).attendance is None


def test_marking_everyone_before_the_start_is_refused(to_come, trainer):
    booking = make_booking(to_come)

    refusal(service.mark_everyone_attended, to_come.id, trainer, utcnow())

    assert reloaded(booking).attendance is None


# People who walk in -----------------------------------------------------------------------


def walk_in_of(session, trainer, **fields) -> Booking:
    booking = saved(
        service.add_walk_in, db.session, session.id, WalkIn(**fields), trainer, utcnow()
    )
    db.session.commit()
    return reloaded(booking)


def test_someone_with_an_account_walks_in_by_email_and_takes_no_place(under_way, trainer):
    person = make_user(email="jo.bloggs@example.org")
    make_booking(under_way)

    booking = walk_in_of(under_way, trainer, email="  Jo.Bloggs@Example.org ")

    assert booking.user_id == person.id
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.walk_in is True
    assert booking.attendance is Attendance.ATTENDED
    assert booking.attendance_marked_by_id == trainer.id
    assert bookings.places_held(db.session, under_way.id) == 1
    (event,) = booking.history
    assert (event.from_status, event.to_status) == (None, BookingStatus.CONFIRMED)
    assert event.reason == "walked in"
    assert event.actor_id == trainer.id


def test_someone_without_an_account_gets_one_without_a_password(under_way, trainer):
    agency = make_agency(name="Rotherham Hospital")

    booking = walk_in_of(
        under_way,
        trainer,
        email="new.person@example.org",
        name="  New   Person ",
        job_title="Midwife",
        agency_id=agency.id,
    )

    person = booking.user
    assert (person.email, person.name, person.job_title) == (
        "new.person@example.org",
        "New Person",
        "Midwife",
    )
    assert person.agency_id == agency.id
    assert person.password_hash is None
    assert person.is_verified is False
    assert person.role is Role.PROFESSIONAL


def test_a_walk_in_account_can_set_its_password_by_resetting_it(under_way, trainer):
    booking = walk_in_of(
        under_way,
        trainer,
        email="new.person@example.org",
        name="New Person",
        agency_id=make_agency().id,
    )
    saved(accounts.request_password_reset, db.session, "new.person@example.org")
    assert outbox("Reset your password")[0].to_address == "new.person@example.org"

    token = tokens.reset_password_token(booking.user)
    accounts.reset_password(db.session, tokens.reset_link(token), "a long and unusual passphrase")
    db.session.commit()

    signed_in = accounts.authenticate(
        db.session, "new.person@example.org", "a long and unusual passphrase"
    )
    assert signed_in.id == booking.user_id
    assert signed_in.is_verified


def test_an_agency_typed_in_is_matched_or_added_for_coordinators_to_check(under_way, trainer):
    make_agency(name="Rotherham Hospital")

    matched = walk_in_of(
        under_way, trainer, email="a@example.org", name="A", new_agency_name="rotherham hospital"
    )
    added = walk_in_of(
        under_way, trainer, email="b@example.org", name="B", new_agency_name="Small  Charity"
    )

    assert matched.user.agency.name == "Rotherham Hospital"
    assert added.user.agency.name == "Small Charity"
    assert added.user.agency.listed is False


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"email": "new@example.org", "agency_id": None, "new_agency_name": "X"},
            "name",
            "No account uses that email address: enter the person's full name",
        ),
        (
            {"email": "new@example.org", "name": "New Person"},
            "agency",
            "Choose their agency, or choose \u201cTheir agency is not listed\u201d and enter "
            "its name",
        ),
        (
            {"email": "new@example.org", "name": "New Person", "agency_id": 999999},
            "agency",
            "Choose their agency from the list",
        ),
        (
            {"email": "not an address", "name": "New Person", "new_agency_name": "X"},
            "email",
            "Enter an email address in the correct format, like name@example.org",
        ),
    ],
)
def test_a_new_walk_in_needs_a_name_an_agency_and_a_real_address(
    under_way, trainer, fields, field, message
):
    people, agencies = count(User), count(Agency)

    error = refusal(service.add_walk_in, under_way.id, WalkIn(**fields), trainer, utcnow())

    assert (error.field, str(error)) == (field, message)
    assert (count(User), count(Agency), count(Booking)) == (people, agencies, 0)


def test_a_new_walk_in_missing_both_name_and_agency_is_told_of_both(under_way, trainer):
    error = refusal(
        service.add_walk_in, under_way.id, WalkIn(email="new@example.org"), trainer, utcnow()
    )

    assert list(error.problems) == ["name", "agency"]


def test_someone_with_a_confirmed_place_cannot_walk_in(under_way, trainer):
    booking = make_booking(under_way, name="Jo Bloggs", email="jo@example.org")

    error = refusal(
        service.add_walk_in, under_way.id, WalkIn(email="jo@example.org"), trainer, utcnow()
    )

    assert error.field == "email"
    assert str(error) == (
        "Jo Bloggs already has a place on this session: mark their attendance on the register "
        "instead"
    )
    assert reloaded(booking).walk_in is False
    assert count(Booking) == 1


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (BookingStatus.WAITING, "walked in from the waiting list"),
        (BookingStatus.AWAITING_APPROVAL, "walked in while waiting for approval"),
    ],
)
def test_someone_waiting_who_walks_in_has_their_booking_changed(under_way, trainer, status, reason):
    waiting = make_booking(under_way, status, email="jo@example.org")

    booking = walk_in_of(under_way, trainer, email="jo@example.org")

    assert booking.id == waiting.id
    assert count(Booking) == 1
    assert (booking.status, booking.walk_in, booking.attendance) == (
        BookingStatus.CONFIRMED,
        True,
        Attendance.ATTENDED,
    )
    assert booking.history[-1].from_status is status
    assert booking.history[-1].reason == reason


def test_someone_who_had_cancelled_walks_in_with_a_new_booking(under_way, trainer):
    cancelled = make_booking(under_way, BookingStatus.CANCELLED, email="jo@example.org")

    booking = walk_in_of(under_way, trainer, email="jo@example.org")

    assert booking.id != cancelled.id
    assert reloaded(cancelled).status is BookingStatus.CANCELLED


def test_nobody_can_walk_in_before_the_session_starts(to_come, trainer):
    make_user(email="jo@example.org")

    error = refusal(
        service.add_walk_in, to_come.id, WalkIn(email="jo@example.org"), trainer, utcnow()
    )

    assert str(error).startswith("You can mark attendance from the start of the session")
    assert count(Booking) == 0


# Email to everyone booked -----------------------------------------------------------------


def test_everyone_with_a_confirmed_place_gets_their_own_message(to_come, trainer):
    first = make_booking(to_come, name="Ann")
    second = make_booking(to_come, name="Bob")
    make_booking(to_come, BookingStatus.WAITING)
    make_booking(to_come, BookingStatus.AWAITING_APPROVAL)

    sent_to = saved(
        trainer_service.email_everyone_booked,
        db.session,
        to_come.id,
        "  Bring   your ID ",
        "Please bring photo ID.\n\nThanks",
        trainer,
    )
    db.session.commit()

    messages = outbox("Bring your ID")
    assert {person.id for person in sent_to} == {first.user_id, second.user_id}
    assert sorted(message.to_address for message in messages) == sorted(
        [first.user.email, second.user.email]
    )
    text = messages[0].text_body
    assert "Please bring photo ID." in text
    assert "Sam Trainer, who runs this session" in text
    assert TITLE in text
    assert messages[0].calendar is None


def test_a_message_from_a_coordinator_comes_from_the_training_team(to_come, coordinator):
    make_booking(to_come)

    saved(
        trainer_service.email_everyone_booked,
        db.session,
        to_come.id,
        "Hello",
        "A change of room.",
        coordinator,
    )

    (message,) = outbox("Hello")
    assert "Cora Ordinator, of the training team, has sent you this message" in message.text_body


@pytest.mark.parametrize(
    ("subject", "message", "field"), [("  ", "Hello", "subject"), ("Hello", " \n ", "message")]
)
def test_a_message_needs_a_subject_and_a_body(to_come, trainer, subject, message, field):
    make_booking(to_come)

    error = refusal(trainer_service.email_everyone_booked, to_come.id, subject, message, trainer)

    assert error.field == field
    assert count(OutboxMessage) == 0


def test_with_nobody_confirmed_there_is_nobody_to_email(to_come, trainer):
    make_booking(to_come, BookingStatus.WAITING)

    error = refusal(trainer_service.email_everyone_booked, to_come.id, "Hello", "Hello", trainer)

    assert "nobody to email" in str(error)
    assert count(OutboxMessage) == 0


# Changing the session ---------------------------------------------------------------------


def test_moving_the_session_tells_everyone_and_updates_the_calendars_of_those_with_places(
    to_come,
):
    confirmed = make_booking(to_come)
    waiting = make_booking(to_come, BookingStatus.WAITING)
    approval = make_booking(to_come, BookingStatus.AWAITING_APPROVAL)
    make_booking(to_come, BookingStatus.CANCELLED)
    sequence = to_come.sequence
    starts_at = to_come.starts_at + timedelta(days=7)

    moved = saved(
        move_session,
        db.session,
        to_come.id,
        starts_at,
        starts_at + timedelta(hours=2),
        to_come.venue_id,
        utcnow(),
    )
    db.session.commit()

    assert moved is True
    assert to_come.starts_at == starts_at
    assert to_come.sequence == sequence + 1
    told = {message.to_address: message for message in outbox(f"Session changed: {TITLE}")}
    assert set(told) == {confirmed.user.email, waiting.user.email, approval.user.email}
    assert told[confirmed.user.email].calendar_method == "REQUEST"
    assert told[waiting.user.email].calendar is None
    assert "You keep your turn in the waiting list." in told[waiting.user.email].text_body
    assert told[approval.user.email].calendar is None
    assert "while your manager decides" in told[approval.user.email].text_body


def test_moving_to_the_same_time_and_place_changes_nothing(to_come):
    make_booking(to_come)

    moved = saved(
        move_session,
        db.session,
        to_come.id,
        to_come.starts_at,
        to_come.ends_at,
        to_come.venue_id,
        utcnow(),
    )

    assert moved is False
    assert count(OutboxMessage) == 0


def test_a_session_can_move_to_a_new_venue(to_come):
    venue = make_venue(name="Town Hall")

    saved(
        move_session, db.session, to_come.id, to_come.starts_at, to_come.ends_at, venue.id, utcnow()
    )
    db.session.commit()

    assert to_come.venue.name == "Town Hall"


def test_a_session_moves_online_only_with_its_joining_link(to_come):
    error = refusal(move_session, to_come.id, to_come.starts_at, to_come.ends_at, None, utcnow())
    to_come.online_join_url = "https://meet.example.org/safeguarding"
    db.session.flush()
    saved(move_session, db.session, to_come.id, to_come.starts_at, to_come.ends_at, None, utcnow())
    db.session.commit()

    assert error.field == "venue"
    assert "no joining link" in str(error)
    assert to_come.is_online


@pytest.mark.parametrize(
    ("starts_in", "hours", "field", "message"),
    [
        (timedelta(hours=-1), 2, "date", "The new start must be in the future"),
        (timedelta(days=3), 0, "end_time", "The session must end after it starts"),
    ],
)
def test_a_session_moves_only_to_a_future_time_that_ends_after_it_starts(
    to_come, starts_in, hours, field, message
):
    starts_at = utcnow() + starts_in
    before = to_come.starts_at

    error = refusal(
        move_session,
        to_come.id,
        starts_at,
        starts_at + timedelta(hours=hours),
        to_come.venue_id,
        utcnow(),
    )

    assert (error.field, str(error)) == (field, message)
    assert reloaded_session_start(to_come) == before


def reloaded_session_start(session):
    db.session.expire_all()
    return session.starts_at


def test_a_session_that_has_started_or_is_cancelled_cannot_change(under_way, to_come):
    started = refusal(service.change_capacity, under_way.id, 50, utcnow())
    to_come.status = SessionStatus.CANCELLED
    db.session.flush()
    cancelled = refusal(
        move_session,
        to_come.id,
        to_come.starts_at + timedelta(days=1),
        to_come.ends_at + timedelta(days=1),
        to_come.venue_id,
        utcnow(),
    )

    assert str(started) == "This session has started, so it can no longer be changed"
    assert str(cancelled) == "This session has been cancelled, so it can no longer be changed"


def test_raising_the_capacity_offers_places_to_the_people_waiting_in_turn(to_come, trainer):
    make_booking(to_come)
    make_booking(to_come)
    first = make_booking(to_come, BookingStatus.WAITING)
    second = make_booking(to_come, BookingStatus.WAITING)
    third = make_booking(to_come, BookingStatus.WAITING)

    offered = saved(service.change_capacity, db.session, to_come.id, 4, utcnow())
    db.session.commit()

    assert len(offered) == 2
    assert reloaded(first).status is reloaded(second).status is BookingStatus.CONFIRMED
    assert reloaded(third).status is BookingStatus.WAITING
    assert len(outbox(f"A place is yours: {TITLE}")) == 2


def test_the_capacity_cannot_go_below_the_places_taken(to_come, trainer):
    make_booking(to_come)
    make_booking(to_come)

    error = refusal(service.change_capacity, to_come.id, 1, utcnow())

    assert error.field == "capacity"
    assert str(error) == "2 places are taken, so the capacity cannot be less than 2"
    db.session.expire_all()
    assert to_come.capacity == 2


def test_cancelling_tells_everyone_booked_or_waiting(to_come):
    confirmed = make_booking(to_come)
    waiting = make_booking(to_come, BookingStatus.WAITING)

    told = saved(service.cancel, db.session, to_come.id, "  The trainer is ill. ", utcnow())
    db.session.commit()

    assert told == 2
    assert to_come.status is SessionStatus.CANCELLED
    assert to_come.cancellation_reason == "The trainer is ill."
    messages = {m.to_address: m for m in outbox(f"Session cancelled: {TITLE}")}
    assert messages[confirmed.user.email].calendar_method == "CANCEL"
    assert messages[waiting.user.email].calendar is None
    assert "The trainer is ill." in messages[waiting.user.email].text_body


def test_cancelling_needs_a_reason(to_come):
    error = refusal(service.cancel, to_come.id, "   ", utcnow())

    assert error.field == "reason"
    db.session.expire_all()
    assert to_come.status is SessionStatus.SCHEDULED


def test_marking_everyone_reads_a_fixed_number_of_times_however_many_are_booked(app, count_queries):
    reads = []
    for places in (2, 20):
        session = make_session(
            make_course(make_prospectus(f"reads-{places}")),
            starts_at=utcnow() - timedelta(hours=1),
            capacity=places,
        )
        for _ in range(places):
            make_booking(session)
        coordinator = make_user(role=Role.COORDINATOR)
        db.session.commit()
        with count_queries() as counted:
            saved(service.mark_everyone_attended, db.session, session.id, coordinator, utcnow())
        reads.append(
            sum(statement.lstrip().startswith("SELECT") for statement in counted.statements)
        )

    assert reads[0] == reads[1]
