"""Last-minute offers: a place freed close to a session is offered to the first person
waiting, who accepts or declines it, or lets it lapse to the next. Through the service,
with no HTTP, on a clock given to each call."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import func, select

import config
from app import tick
from app.admin.users import service as users
from app.bookings import integrity
from app.bookings import service as bookings
from app.bookings.service import LastMinute, last_minute_from
from app.calendar import feeds
from app.charges import service as charges
from app.display import clock_time, long_date
from app.extensions import db
from app.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    Charge,
    ChargingBand,
    OfferAnswer,
    OutboxMessage,
    utcnow,
)
from app.refusals import Refused
from app.sessions import service as sessions
from app.transactions import saved
from app.transfers import service as transfers
from tests.factories import make_agency, make_course, make_prospectus, make_session, make_user

HOURS = timedelta(hours=1)


@dataclass
class Eve:
    """A full session soon to start: the person holding its one place and two waiting."""

    session_id: int
    held: Booking
    first: Booking
    second: Booking
    now: datetime


def fresh(booking: Booking) -> Booking:
    db.session.expire_all()
    return db.session.get(Booking, booking.id)


def book(session_id: int, person, now: datetime) -> Booking:
    booked = saved(bookings.book, db.session, session_id, person, "", now)
    return db.session.get(Booking, booked.id)


def cancel(booking: Booking, now: datetime, **options) -> Booking:
    saved(bookings.cancel, db.session, booking.id, booking.user, now, **options)
    return fresh(booking)


def accept(booking: Booking, now: datetime) -> Booking:
    saved(bookings.accept_offer, db.session, booking.id, now)
    return fresh(booking)


def decline(booking: Booking, now: datetime) -> Booking:
    saved(bookings.decline_offer, db.session, booking.id, now)
    return fresh(booking)


def release(session_id: int, now: datetime) -> int:
    return saved(bookings.release_session_approvals, db.session, session_id, now)


MANAGER = "boss@example.org"


def mail_to(person) -> list[OutboxMessage]:
    """The mail to a person, or to an address."""
    address = person if isinstance(person, str) else person.email
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == address)
            .order_by(OutboxMessage.id)
        )
    )


def subjects_to(person) -> list[str]:
    return [message.subject for message in mail_to(person)]


def history_of(booking: Booking) -> list[tuple]:
    return [
        (event.from_status, event.to_status, event.reason)
        for event in db.session.scalars(
            select(BookingEvent).filter_by(booking_id=booking.id).order_by(BookingEvent.id)
        )
    ]


def places_held(session_id: int) -> int:
    return bookings.places_held(db.session, session_id)


def make_eve(starts_in: timedelta = 30 * HOURS, requires_approval: bool = False, **people) -> Eve:
    now = utcnow().replace(microsecond=0)
    course = make_course(make_prospectus(), title="Neglect", requires_approval=requires_approval)
    session = make_session(course, starts_at=now + starts_in, capacity=1)
    manager = {"line_manager_email": MANAGER}
    held = book(session.id, make_user(name="Hana Holder", **manager, **people), now - 72 * HOURS)
    first = book(session.id, make_user(name="Fay First", **manager), now - 71 * HOURS)
    second = book(session.id, make_user(name="Sol Second", **manager), now - 70 * HOURS)
    return Eve(session.id, held, first, second, now)


@pytest.fixture
def eve(app) -> Eve:
    return make_eve()


@pytest.fixture
def offered(eve) -> Booking:
    """The first person waiting, offered the place its holder has just cancelled."""
    cancel(eve.held, eve.now)
    return fresh(eve.first)


# When a freed place is offered


def test_a_place_freed_on_the_eve_of_a_session_is_offered_to_the_first_person_waiting(eve):
    cancel(eve.held, eve.now)

    first, second = fresh(eve.first), fresh(eve.second)
    assert first.status is BookingStatus.OFFERED
    assert first.approval_expires_at == eve.now + 4 * HOURS
    assert second.status is BookingStatus.WAITING
    # The place is held while it is offered: no one else can take it.
    assert places_held(eve.session_id) == 1
    assert history_of(first)[-1] == (
        BookingStatus.WAITING,
        BookingStatus.OFFERED,
        "offered a place at the last minute",
    )
    waited, offer = mail_to(first.user)
    assert (waited.subject, offer.subject) == (
        "On the waiting list: Neglect",
        "A place is offered to you: Neglect",
    )
    deadline = f"{clock_time(first.approval_expires_at)} on {long_date(first.approval_expires_at)}"
    assert f"You have until {deadline} (UK time) to accept the place" in offer.text_body
    assert "/offers/" in offer.text_body and "Accept the place: " in offer.text_body
    assert "Decline: " in offer.text_body
    assert offer.calendar is None
    assert subjects_to(second.user) == ["On the waiting list: Neglect"]
    assert integrity.breaches(db.session, eve.now) == []


def test_a_place_freed_earlier_is_theirs_at_once_as_before(app):
    eve = make_eve(starts_in=48 * HOURS + timedelta(seconds=1))

    cancel(eve.held, eve.now)

    first = fresh(eve.first)
    assert first.status is BookingStatus.CONFIRMED
    assert first.offer_answer is None
    assert subjects_to(first.user)[-1] == "A place is yours: Neglect"


def test_the_window_starts_48_hours_before_the_session(app):
    eve = make_eve(starts_in=48 * HOURS)

    cancel(eve.held, eve.now)

    assert fresh(eve.first).status is BookingStatus.OFFERED


def test_an_offer_never_runs_past_the_start_of_the_session(app):
    eve = make_eve(starts_in=90 * timedelta(minutes=1))

    cancel(eve.held, eve.now)

    first = fresh(eve.first)
    assert first.approval_expires_at == first.session.starts_at


def test_the_settings_set_the_window_and_the_time_to_answer(app):
    eve = make_eve(starts_in=60 * HOURS)
    settings = {"LAST_MINUTE_HOURS": 72, "OFFER_HOURS": 0.1}

    cancel(eve.held, eve.now, last_minute=last_minute_from(settings))

    first = fresh(eve.first)
    assert first.status is BookingStatus.OFFERED
    assert first.approval_expires_at == eve.now + timedelta(minutes=6)


def test_with_no_window_a_place_is_always_theirs_at_once(app):
    eve = make_eve(starts_in=2 * HOURS)

    never = last_minute_from({"LAST_MINUTE_HOURS": 0, "OFFER_HOURS": 4})

    cancel(eve.held, eve.now, last_minute=never)

    assert fresh(eve.first).status is BookingStatus.CONFIRMED


def test_a_window_or_a_time_to_answer_that_makes_no_sense_is_refused():
    with pytest.raises(ValueError):
        LastMinute(window=-HOURS)
    with pytest.raises(ValueError):
        LastMinute(time_to_answer=timedelta(0))


def test_two_places_freed_are_offered_to_two_people_never_one_twice(app):
    eve = make_eve()
    third = book(eve.session_id, make_user(), eve.now - 69 * HOURS)

    saved(sessions.change_capacity, db.session, eve.session_id, 3, eve.now)

    assert [fresh(b).status for b in (eve.first, eve.second, third)] == [
        BookingStatus.OFFERED,
        BookingStatus.OFFERED,
        BookingStatus.WAITING,
    ]
    assert places_held(eve.session_id) == 3
    assert integrity.breaches(db.session, eve.now) == []


def test_someone_booking_while_a_place_is_offered_joins_the_waiting_list(eve, offered):
    newcomer = book(eve.session_id, make_user(), eve.now + HOURS)

    assert newcomer.status is BookingStatus.WAITING
    assert fresh(offered).status is BookingStatus.OFFERED


def test_the_waiting_list_explains_offers_before_anyone_joins(eve):
    offer = bookings.offer(
        db.session, fresh(eve.held).session, make_user(), eve.now, last_minute=LastMinute()
    )

    assert "In the last 48 hours before the session, it is offered to them instead, and they " \
        "have 4 hours to accept it." in offer.explanation  # fmt: skip


# Accepting


def test_accepting_confirms_the_place_with_its_calendar_invite(eve, offered):
    accepted = accept(offered, eve.now + HOURS)

    assert accepted.status is BookingStatus.CONFIRMED
    assert accepted.offer_answer is OfferAnswer.ACCEPTED
    assert history_of(accepted) == [
        (None, BookingStatus.WAITING, "joined the waiting list"),
        (BookingStatus.WAITING, BookingStatus.OFFERED, "offered a place at the last minute"),
        (BookingStatus.OFFERED, BookingStatus.CONFIRMED, "accepted the offer"),
    ]
    confirmed = mail_to(accepted.user)[-1]
    assert confirmed.subject == "Place confirmed: Neglect"
    assert Calendar.from_ical(confirmed.calendar)["METHOD"] == "REQUEST"
    assert fresh(eve.second).status is BookingStatus.WAITING
    assert integrity.breaches(db.session, eve.now + HOURS) == []


def test_on_a_course_needing_approval_accepting_asks_the_line_manager(app):
    eve = make_eve(requires_approval=True)
    cancel(eve.held, eve.now)
    first = fresh(eve.first)
    assert first.status is BookingStatus.OFFERED

    accepted = accept(first, eve.now + HOURS)

    assert accepted.status is BookingStatus.AWAITING_APPROVAL
    assert accepted.approval_expires_at == accepted.session.starts_at
    assert history_of(accepted)[-1][2] == "accepted the offer, then asked for approval"
    assert subjects_to(MANAGER)[-1] == "Please approve training for Fay First"
    assert places_held(eve.session_id) == 1


# Declining


def test_declining_passes_the_place_to_the_next_person_waiting(eve, offered):
    later = eve.now + HOURS

    declined = decline(offered, later)

    assert declined.status is BookingStatus.DECLINED
    assert declined.offer_answer is OfferAnswer.DECLINED
    assert history_of(declined)[-1] == (
        BookingStatus.OFFERED,
        BookingStatus.DECLINED,
        "declined the offer",
    )
    assert subjects_to(declined.user)[-1] == "Place declined: Neglect"
    second = fresh(eve.second)
    assert second.status is BookingStatus.OFFERED
    assert second.approval_expires_at == later + 4 * HOURS
    assert subjects_to(second.user)[-1] == "A place is offered to you: Neglect"
    assert places_held(eve.session_id) == 1


def test_cancelling_an_offered_place_declines_it_and_is_never_charged(app):
    chargeable = make_agency(charging_band=ChargingBand.CHARGEABLE)
    eve = make_eve(agency=chargeable)
    cancel(eve.held, eve.now)
    first = fresh(eve.first)
    first.user.agency = chargeable
    db.session.commit()
    # After the cut-off: cancelling a place of one's own now would be charged.
    assert eve.now >= first.session.cancellation_cutoff
    assert charges.charge_if_cancelled_late(first, charges.USUAL_RATES) is None

    cancelled = cancel(first, eve.now + HOURS)

    assert cancelled.status is BookingStatus.DECLINED
    assert cancelled.declined_the_offer
    assert cancelled.late_cancellation is False
    assert db.session.scalar(select(func.count(Charge.id)).filter_by(booking_id=first.id)) == 0
    assert charges.non_attendances(db.session, first.user_id, eve.now - 400 * 24 * HOURS) == 0
    assert fresh(eve.second).status is BookingStatus.OFFERED


def test_cancelling_an_offer_whose_time_ran_out_is_refused_and_changes_nothing(eve, offered):
    before = (fresh(offered).status, fresh(eve.second).status)

    with pytest.raises(Refused, match="The time to accept this place ran out"):
        cancel(offered, offered.approval_expires_at)

    assert (fresh(offered).status, fresh(eve.second).status) == before
    assert fresh(offered).offer_answer is None


def test_a_coordinator_closing_the_account_ends_the_offer_without_a_late_cancellation(eve, offered):
    coordinator = make_user()

    saved(users.deactivate, db.session, offered.user, coordinator, eve.now + HOURS)

    ended = fresh(offered)
    assert ended.status is BookingStatus.CANCELLED
    assert ended.late_cancellation is False
    assert mail_to(ended.user)[-1].calendar is None
    assert fresh(eve.second).status is BookingStatus.OFFERED


# Not answered in time


def test_an_offer_not_answered_in_time_passes_to_the_next_person(eve, offered):
    deadline = offered.approval_expires_at

    assert release(eve.session_id, deadline - timedelta(seconds=1)) == 0
    assert release(eve.session_id, deadline) == 1

    lapsed = fresh(offered)
    assert lapsed.status is BookingStatus.DECLINED
    assert lapsed.offer_lapsed and lapsed.approval_expired
    assert history_of(lapsed)[-1] == (
        BookingStatus.OFFERED,
        BookingStatus.DECLINED,
        "offer not answered in time",
    )
    told = mail_to(lapsed.user)[-1]
    assert told.subject == "Offer not answered in time: Neglect"
    assert "it has gone to the next person on the waiting list" in told.text_body
    assert "You can book again if places remain" in told.text_body
    second = fresh(eve.second)
    assert second.status is BookingStatus.OFFERED
    assert second.approval_expires_at == deadline + 4 * HOURS
    assert integrity.breaches(db.session, deadline) == []


def test_booking_releases_a_lapsed_offer_first_and_the_newcomer_waits_behind(eve, offered):
    after = offered.approval_expires_at + timedelta(minutes=1)

    newcomer = book(eve.session_id, make_user(), after)

    assert fresh(offered).offer_lapsed
    assert fresh(eve.second).status is BookingStatus.OFFERED
    assert newcomer.status is BookingStatus.WAITING


def test_tick_lets_offers_lapse_and_offers_the_places_on(eve, offered):
    later = offered.approval_expires_at + timedelta(minutes=5)

    with time_machine.travel(later, tick=False):
        first, again = tick.expire_approvals(later), tick.expire_approvals(later)

    assert (first, again) == (1, 0)
    assert fresh(offered).offer_lapsed
    assert fresh(eve.second).status is BookingStatus.OFFERED


def test_the_expire_approvals_command_lets_offers_lapse(runner, eve, offered):
    offered.approval_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    result = runner.invoke(args=["expire-approvals"])

    assert "Released 1 places" in result.output
    assert fresh(offered).offer_lapsed


# Answers that come too late, or twice


@pytest.mark.parametrize("answer", [accept, decline])
def test_an_answer_after_the_deadline_is_refused_and_changes_nothing(eve, offered, answer):
    deadline = offered.approval_expires_at
    mail_before = len(mail_to(offered.user))

    with pytest.raises(Refused, match="The time to accept this place ran out at"):
        answer(offered, deadline)

    assert fresh(offered).status is BookingStatus.OFFERED
    assert fresh(eve.second).status is BookingStatus.WAITING
    assert len(mail_to(offered.user)) == mail_before


@pytest.mark.parametrize(
    ("first_answer", "second_answer", "message"),
    [
        (accept, accept, "You have already accepted this place"),
        (accept, decline, "You have already accepted this place"),
        (decline, accept, "You have already declined this place"),
        (decline, decline, "You have already declined this place"),
    ],
)
def test_an_offer_is_answered_once(eve, offered, first_answer, second_answer, message):
    answered = first_answer(offered, eve.now + HOURS)
    status = answered.status

    with pytest.raises(Refused, match=message):
        second_answer(answered, eve.now + 2 * HOURS)

    assert fresh(answered).status is status


def test_an_offer_that_lapsed_cannot_be_answered(eve, offered):
    release(eve.session_id, offered.approval_expires_at)

    with pytest.raises(Refused, match="so it is no longer held for you"):
        accept(offered, offered.approval_expires_at + HOURS)


def test_only_a_place_offered_can_be_accepted(eve):
    with pytest.raises(Refused, match="This place is not offered to you"):
        accept(eve.second, eve.now)
    with pytest.raises(bookings.NotOffered):
        saved(bookings.accept_offer, db.session, eve.second.id + 1000, eve.now)


def test_an_offer_on_a_session_since_cancelled_cannot_be_accepted(eve, offered):
    saved(sessions.cancel, db.session, eve.session_id, "Trainer unwell", eve.now + HOURS)

    with pytest.raises(Refused, match="This session has been cancelled"):
        accept(offered, eve.now + 2 * HOURS)


# Who keeps their own path


def test_a_repeat_no_show_first_in_line_still_waits_for_a_coordinator(eve):
    db.session.get(Booking, eve.first.id).needs_coordinator = True
    db.session.commit()

    cancel(eve.held, eve.now)

    assert fresh(eve.first).status is BookingStatus.AWAITING_COORDINATOR


# Everywhere else a place offered is not (yet) a place


def test_an_offered_place_is_not_in_the_calendar_until_accepted(eve, offered):
    feed = feeds.person_feed(db.session, offered.user, eve.now)
    assert b"Neglect" not in feed.body

    accept(offered, eve.now + HOURS)
    assert b"Neglect" in feeds.person_feed(db.session, offered.user, eve.now).body


def test_an_offered_place_cannot_be_given_to_a_colleague(eve, offered):
    reason = transfers.why_not_given(offered, eve.now, None)

    assert reason == "Only a confirmed place can be given to a colleague"


def test_someone_offered_a_place_who_turns_up_is_added_as_a_walk_in(app):
    eve = make_eve(starts_in=HOURS)
    cancel(eve.held, eve.now)
    started = eve.now + 2 * HOURS
    trainer = make_user()

    saved(
        sessions.add_walk_in,
        db.session,
        eve.session_id,
        sessions.WalkIn(email=eve.first.user.email),
        trainer,
        started,
    )

    walked_in = fresh(eve.first)
    assert walked_in.status is BookingStatus.CONFIRMED and walked_in.walk_in
    assert history_of(walked_in)[-1][2] == "walked in while offered a place"


def test_moving_a_session_earlier_cuts_its_offers_short(eve, offered):
    session = offered.session
    earlier = sessions.SessionTimes(
        starts_at=eve.now + 2 * HOURS, ends_at=eve.now + 5 * HOURS, venue_id=session.venue_id
    )
    session.online_join_url = "https://meet.example.org/neglect"
    db.session.commit()

    saved(sessions.move, db.session, eve.session_id, earlier, eve.now)

    assert fresh(offered).approval_expires_at == eve.now + 2 * HOURS
    assert "still offered to you until" in mail_to(offered.user)[-1].text_body
    assert integrity.breaches(db.session, eve.now) == []


def test_the_integrity_audit_finds_offers_out_of_time(eve, offered):
    starts = offered.session.starts_at
    offered.approval_expires_at = starts + HOURS
    db.session.commit()
    assert integrity.breaches(db.session, eve.now) == [
        f"booking {offered.id} is offered until {starts + HOURS}, after its session starts"
    ]

    offered.approval_expires_at = starts
    db.session.commit()
    assert integrity.breaches(db.session, starts + HOURS - timedelta(seconds=1)) == []
    assert integrity.breaches(db.session, starts + 2 * HOURS) == [
        f"booking {offered.id} is still offered, though its session started at {starts}"
    ]


# The settings, read at start-up


@pytest.mark.parametrize(
    ("window", "time_to_answer", "expected"),
    [
        (None, None, LastMinute(timedelta(hours=48), timedelta(hours=4))),
        ("24", "0.1", LastMinute(timedelta(hours=24), timedelta(minutes=6))),
        (" 0 ", "1.5", LastMinute(timedelta(0), timedelta(minutes=90))),
    ],
)
def test_the_settings_are_read_from_the_environment(monkeypatch, window, time_to_answer, expected):
    for name, value in (("LAST_MINUTE_HOURS", window), ("OFFER_HOURS", time_to_answer)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    settings = {
        "LAST_MINUTE_HOURS": config.whole_hours("LAST_MINUTE_HOURS", "48"),
        "OFFER_HOURS": config.hours("OFFER_HOURS", "4"),
    }

    assert last_minute_from(settings) == expected


@pytest.mark.parametrize("value", ["-1", "1.5", "two days", ""])
def test_a_window_not_in_whole_hours_stops_the_app_starting(monkeypatch, value):
    monkeypatch.setenv("LAST_MINUTE_HOURS", value)

    with pytest.raises(RuntimeError, match="LAST_MINUTE_HOURS must be a whole number of hours"):
        config.whole_hours("LAST_MINUTE_HOURS", "48")


@pytest.mark.parametrize("value", ["0", "-4", "nan", "inf", "four", ""])
def test_a_time_to_answer_of_no_time_stops_the_app_starting(monkeypatch, value):
    monkeypatch.setenv("OFFER_HOURS", value)

    with pytest.raises(RuntimeError, match="OFFER_HOURS must be a number of hours more than 0"):
        config.hours("OFFER_HOURS", "4")
