"""Places shared between sectors: at most so many for one sector, so many held for another
until some days before. Through the services, with no HTTP."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.bookings import integrity
from app.bookings import service as bookings
from app.bookings.sectors import Allocation, SectorShare, held_until
from app.extensions import db
from app.models import (
    Booking,
    BookingStatus,
    OutboxMessage,
    Sector,
    SectorPlaces,
    utcnow,
)
from app.refusals import Refused
from app.sessions import service as sessions
from app.sessions.service import Share
from app.tick import let_go_held_places
from app.transactions import saved
from tests.factories import make_agency, make_course, make_prospectus, make_session, make_user

NOW = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
STARTS = NOW + timedelta(days=30)
POLICE, HEALTH, EDUCATION = Sector.POLICE, Sector.HEALTH, Sector.EDUCATION


def allocation(capacity=10, taken=0, waiting=0, shares=(), now=NOW) -> Allocation:
    return Allocation(capacity, taken, waiting, tuple(shares), now)


def share(sector, most=None, held=None, until=STARTS - timedelta(days=14), taken=0, waiting=0):
    return SectorShare(sector, most, held, until if held else None, taken, waiting)


# How the places are shared


def test_a_sector_at_its_most_has_no_room_and_is_told_why():
    shared = allocation(taken=4, shares=[share(POLICE, most=4, taken=4)])

    assert shared.room_for(POLICE) == 0
    assert shared.why_no_room_for(POLICE) == (
        "At most 4 places on this session are for police, and they are taken"
    )
    assert shared.room_for(HEALTH) == 6
    assert shared.why_no_room_for(HEALTH) is None


def test_a_sector_with_no_places_is_told_so():
    shared = allocation(shares=[share(POLICE, most=0)])

    assert shared.why_no_room_for(POLICE) == "This session has no places for police"


def test_places_held_for_a_sector_are_kept_from_others_until_the_day():
    shared = allocation(taken=4, shares=[share(HEALTH, held=6, taken=0)])

    assert shared.room_for(POLICE) == 0
    assert shared.room_for(HEALTH) == 6
    assert shared.why_no_room_for(POLICE) == (
        "The places left are held for health until Wednesday 27 January 2027"
    )
    let_go = allocation(taken=4, shares=[share(HEALTH, held=6)], now=STARTS - timedelta(days=14))
    assert let_go.room_for(POLICE) == 6


def test_places_held_and_taken_by_their_sector_hold_nothing_back():
    shared = allocation(taken=8, shares=[share(HEALTH, held=6, taken=5)])

    assert shared.room_for(POLICE) == 1
    assert shared.room_for(HEALTH) == 2


def test_a_full_session_is_full_for_everyone():
    shared = allocation(taken=10, shares=[share(POLICE, most=4, taken=1)])

    assert shared.why_no_room_for(POLICE) == "This session is full"
    assert shared.why_no_room_for(None) == "This session is full"


def test_someone_waiting_could_take_a_place_only_if_their_sector_has_room():
    police_waiting = allocation(
        taken=5, waiting=2, shares=[share(POLICE, most=4, taken=4, waiting=2)]
    )
    assert not police_waiting.someone_waiting_could_take_a_place

    others_waiting = allocation(
        taken=5, waiting=3, shares=[share(POLICE, most=4, taken=4, waiting=2)]
    )
    assert others_waiting.someone_waiting_could_take_a_place

    assert allocation(taken=9, waiting=1).someone_waiting_could_take_a_place
    assert not allocation(taken=10, waiting=1).someone_waiting_could_take_a_place


def test_taking_a_place_counts_it_for_the_sector():
    shared = allocation(taken=3, waiting=1, shares=[share(POLICE, most=4, taken=3, waiting=1)])

    after = shared.taking(POLICE, was_waiting=True)

    assert (after.taken, after.waiting, after.room_for(POLICE)) == (4, 0, 0)
    assert after.share_of(POLICE).taken == 4


def test_each_share_says_what_it_is():
    assert share(POLICE, most=4).description == "At most 4 places for police"
    assert share(HEALTH, held=1).description == (
        "1 place held until Wednesday 27 January 2027 for health"
    )
    assert share(HEALTH, most=8, held=6).description == (
        "At most 8 places and 6 places held until Wednesday 27 January 2027 for health"
    )


# Booking


@pytest.fixture
def session(app):
    found = make_session(make_course(make_prospectus()), starts_at=STARTS, capacity=10)
    return found


@pytest.fixture
def agencies(app):
    return {sector: make_agency(sector=sector) for sector in (POLICE, HEALTH, EDUCATION)}


def person(agencies, sector):
    return make_user(agency=agencies[sector]) if sector else make_user()


def book(session, someone, now=NOW) -> Booking:
    booked = saved(bookings.book, db.session, session.id, someone, "", now)
    return db.session.get(Booking, booked.id)


def set_share(session, now=NOW, **fields):
    return saved(sessions.share_places, db.session, session.id, Share(**fields), now)


def statuses(session) -> list[tuple[str, BookingStatus]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(Booking).where(Booking.session_id == session.id).order_by(Booking.id)
    )
    return [
        (booking.user.agency.sector if booking.user.agency else None, booking.status)
        for booking in rows
    ]


def test_an_officer_beyond_the_police_places_waits_and_is_told_why(session, agencies):
    set_share(session, sector=POLICE, most=2)
    for _ in range(2):
        assert book(session, person(agencies, POLICE)).status is BookingStatus.CONFIRMED

    third = book(session, person(agencies, POLICE))

    assert third.status is BookingStatus.WAITING
    assert third.history[0].reason == (
        "joined the waiting list: at most 2 places on this session are for police, and "
        "they are taken"
    )
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == third.user.email)
    ).one()
    assert mail.subject.startswith("On the waiting list")
    assert (
        "At most 2 places on this session are for police, and they are taken, so you are "
        "on the waiting list." in mail.text_body
    )
    assert "If a place frees that you could have" in mail.text_body


def test_others_book_the_places_the_waiting_officers_cannot_have(session, agencies):
    set_share(session, sector=POLICE, most=1)
    book(session, person(agencies, POLICE))
    book(session, person(agencies, POLICE))

    visitor = book(session, person(agencies, HEALTH))
    nobody = book(session, make_user())

    assert visitor.status is BookingStatus.CONFIRMED
    assert nobody.status is BookingStatus.CONFIRMED


def test_the_offer_page_says_why_before_booking(session, agencies):
    set_share(session, sector=POLICE, most=0)

    offer = bookings.offer(db.session, session, person(agencies, POLICE), NOW)

    assert offer.outcome is bookings.Outcome.WAIT
    assert offer.explanation.startswith(
        "This session has no places for police. You will join the waiting list."
    )
    assert "If a place frees that you could have" in offer.explanation


def test_places_held_for_health_are_theirs_until_the_day_then_anyones(session, agencies):
    set_share(session, sector=HEALTH, held=6, held_until_days=14)
    for _ in range(4):
        book(session, person(agencies, EDUCATION))

    kept_out = book(session, person(agencies, EDUCATION))
    assert kept_out.status is BookingStatus.WAITING
    assert "held for health until Wednesday 27 January 2027" in kept_out.history[0].reason
    assert book(session, person(agencies, HEALTH)).status is BookingStatus.CONFIRMED

    # Once the day comes, the next booking first gives the place to the person waiting.
    later = STARTS - timedelta(days=14)
    latecomer = book(session, person(agencies, EDUCATION), now=later)

    db.session.expire_all()
    assert db.session.get(Booking, kept_out.id).status is BookingStatus.CONFIRMED
    assert latecomer.status is BookingStatus.CONFIRMED


def test_a_freed_place_goes_to_the_first_waiting_whom_the_sectors_allow(session, agencies):
    set_share(session, sector=POLICE, most=2)
    places = [book(session, person(agencies, sector)) for sector in [POLICE] * 2 + [HEALTH] * 8]
    officer = book(session, person(agencies, POLICE))
    teacher = book(session, person(agencies, EDUCATION))
    assert (officer.status, teacher.status) == (BookingStatus.WAITING, BookingStatus.WAITING)

    saved(bookings.cancel, db.session, places[-1].id, places[-1].user, NOW)

    db.session.expire_all()
    assert db.session.get(Booking, officer.id).status is BookingStatus.WAITING
    assert db.session.get(Booking, teacher.id).status is BookingStatus.CONFIRMED
    assert integrity.breaches(db.session, NOW) == []

    saved(bookings.cancel, db.session, places[0].id, places[0].user, NOW)

    db.session.expire_all()
    assert db.session.get(Booking, officer.id).status is BookingStatus.CONFIRMED


# What a coordinator may set


def test_a_share_needs_a_most_or_places_held(session):
    with pytest.raises(Refused, match="Enter the most places the sector may have") as refused:
        set_share(session, sector=POLICE)
    assert refused.value.field == "most"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"held": 3}, "held_until_days", "Enter until how many days before"),
        ({"most": 4, "held_until_days": 3}, "held", "Enter how many places are held"),
        ({"most": 11}, "most", "cannot be more than the session's 10"),
        ({"most": 3, "held": 4, "held_until_days": 1}, "held", "cannot be more than the most"),
    ],
)
def test_a_share_that_makes_no_sense_is_refused(session, fields, field, message):
    with pytest.raises(Refused, match=message) as refused:
        set_share(session, sector=POLICE, **fields)

    assert refused.value.field == field
    assert db.session.scalars(select(SectorPlaces)).all() == []


def test_places_held_for_all_sectors_cannot_be_more_than_the_session_has(session):
    set_share(session, sector=HEALTH, held=6, held_until_days=14)

    with pytest.raises(Refused, match="That would hold 11 places for sectors, more than"):
        set_share(session, sector=POLICE, held=5, held_until_days=7)

    with pytest.raises(Refused, match="6 places are held for sectors"):
        saved(sessions.change_capacity, db.session, session.id, 5, NOW)


def test_the_most_cannot_be_less_than_the_sector_already_has(session, agencies):
    for _ in range(3):
        book(session, person(agencies, POLICE))

    with pytest.raises(Refused, match="3 places are taken by police already"):
        set_share(session, sector=POLICE, most=2)

    assert db.session.scalars(select(SectorPlaces)).all() == []


def test_raising_or_removing_a_share_lets_in_those_it_kept_out(session, agencies):
    set_share(session, sector=POLICE, most=1)
    book(session, person(agencies, POLICE))
    waiting = [book(session, person(agencies, POLICE)) for _ in range(2)]

    raised = set_share(session, sector=POLICE, most=2)
    assert [booking.id for booking in raised] == [waiting[0].id]

    removed = saved(sessions.stop_sharing, db.session, session.id, POLICE, NOW)
    assert [booking.id for booking in removed] == [waiting[1].id]
    assert db.session.scalars(select(SectorPlaces)).all() == []


def test_a_share_replaces_the_sectors_last(session):
    set_share(session, sector=POLICE, most=4)
    set_share(session, sector=POLICE, held=2, held_until_days=3)

    [row] = db.session.scalars(select(SectorPlaces)).all()
    assert (row.most, row.held, row.held_until_days) == (None, 2, 3)


def test_a_session_that_started_or_was_cancelled_keeps_its_shares(session):
    with pytest.raises(Refused, match="has started"):
        set_share(session, now=STARTS + timedelta(minutes=1), sector=POLICE, most=1)


# Time, and the audit


def test_tick_gives_places_let_go_to_those_waiting(app, session, agencies):
    set_share(session, sector=HEALTH, held=6, held_until_days=14)
    for _ in range(4):
        book(session, person(agencies, EDUCATION))
    waiting = book(session, person(agencies, EDUCATION))

    assert let_go_held_places(STARTS - timedelta(days=15)) == 0
    assert let_go_held_places(STARTS - timedelta(days=14)) == 1
    assert let_go_held_places(STARTS - timedelta(days=13)) == 0

    db.session.expire_all()
    assert db.session.get(Booking, waiting.id).status is BookingStatus.CONFIRMED


def test_places_are_held_until_the_sessions_time_of_day_across_a_clock_change():
    # 9:30am GMT on Tuesday 2 November 2027; a fortnight before, London kept summer time.
    starts = datetime(2027, 11, 2, 9, 30, tzinfo=UTC)

    assert held_until(starts, 14) == datetime(2027, 10, 19, 8, 30, tzinfo=UTC)
    assert held_until(starts, None) is None


def test_tick_leaves_alone_a_session_whose_waiting_people_still_cannot_have_a_place(
    session, agencies
):
    set_share(session, sector=HEALTH, held=2, held_until_days=14)
    set_share(session, sector=POLICE, most=1)
    book(session, person(agencies, POLICE))
    book(session, person(agencies, POLICE))
    let_go = STARTS - timedelta(days=13)

    assert sessions.sessions_with_held_places_let_go(db.session, let_go) == []
    assert let_go_held_places(let_go) == 0


def test_check_integrity_finds_a_sector_beyond_its_places(session, agencies):
    set_share(session, sector=POLICE, most=1)
    for _ in range(2):
        db.session.add(
            Booking(session=session, user=person(agencies, POLICE), status=BookingStatus.CONFIRMED)
        )
    db.session.commit()

    assert integrity.breaches(db.session, NOW) == [
        f"session {session.id}: 2 places held by police, at most 1"
    ]


def test_check_integrity_accepts_people_waiting_whom_the_sectors_keep_out(session, agencies):
    set_share(session, sector=POLICE, most=1)
    book(session, person(agencies, POLICE))
    book(session, person(agencies, POLICE))

    assert integrity.breaches(db.session, NOW) == []

    saved(sessions.stop_sharing, db.session, session.id, POLICE, NOW)
    db.session.execute(
        SectorPlaces.__table__.insert(),
        {
            "session_id": session.id,
            "sector": "police",
            "most": 5,
            "created_at": NOW,
            "updated_at": NOW,
        },
    )
    db.session.add(
        Booking(session=session, user=person(agencies, HEALTH), status=BookingStatus.WAITING)
    )
    db.session.commit()
    assert integrity.breaches(db.session, NOW) == [
        f"session {session.id}: 1 waiting while 8 of 10 places are free"
    ]


def test_a_persons_sector_is_their_agencys_or_other(session, agencies):
    set_share(session, sector=Sector.OTHER, most=1)

    assert book(session, make_user()).status is BookingStatus.CONFIRMED
    assert book(session, make_user()).status is BookingStatus.WAITING
    assert book(session, person(agencies, HEALTH)).status is BookingStatus.CONFIRMED


def test_with_time_the_page_shows_the_held_places_let_go(session, agencies):
    set_share(session, sector=HEALTH, held=10, held_until_days=14)
    with time_machine.travel(NOW, tick=False):
        assert bookings.offer(db.session, session, person(agencies, POLICE), utcnow()).outcome is (
            bookings.Outcome.WAIT
        )
    with time_machine.travel(STARTS - timedelta(days=13), tick=False):
        assert bookings.offer(db.session, session, person(agencies, POLICE), utcnow()).outcome is (
            bookings.Outcome.CONFIRM
        )
