"""Audits the booking invariants; `flask --app wsgi check-integrity` reports any breach."""

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.bookings.sectors import allocation_of, person_sector, sector_words
from app.models import (
    ACTIVE_STATUSES,
    PLACE_HOLDING_STATUSES,
    Agency,
    Attendance,
    Booking,
    BookingEvent,
    BookingStatus,
    BookingTransfer,
    Charge,
    ChargingBand,
    CourseSession,
    Sector,
    SectorPlaces,
    SessionStatus,
    User,
    holds_a_place,
)

#: How long past its session's start an offer may stay open before it counts as left
#: behind: `tick` (every five minutes) releases it well within that.
OFFER_LEFT_AFTER_THE_START = timedelta(hours=1)


def count_where(*conditions):
    return func.count(Booking.id).filter(and_(*conditions))


def breaches(db_session: Session, now: datetime) -> list[str]:
    """Each broken invariant, in words; an empty list when all hold."""
    return [
        *overbooked_sessions(db_session),
        *double_bookings(db_session),
        *waiting_beside_free_places(db_session, now),
        *beyond_sector_limits(db_session),
        *promoted_twice(db_session),
        *offers_out_of_time(db_session, now),
        *transferred_twice_at_once(db_session),
        *charged_but_never_chargeable(db_session),
        *charged_but_attended(db_session),
    ]


def overbooked_sessions(db_session: Session) -> list[str]:
    held = count_where(holds_a_place())
    rows = db_session.execute(
        select(CourseSession.id, CourseSession.capacity, held)
        .join(Booking, Booking.session_id == CourseSession.id)
        .group_by(CourseSession.id, CourseSession.capacity)
        .having(held > CourseSession.capacity)
    )
    return [f"session {sid}: {taken} places held of {capacity}" for sid, capacity, taken in rows]


def double_bookings(db_session: Session) -> list[str]:
    rows = db_session.execute(
        select(Booking.session_id, Booking.user_id, func.count(Booking.id))
        .where(Booking.status.in_(ACTIVE_STATUSES))
        .group_by(Booking.session_id, Booking.user_id)
        .having(func.count(Booking.id) > 1)
    )
    return [f"session {sid}: person {uid} has {n} active bookings" for sid, uid, n in rows]


def waiting_beside_free_places(db_session: Session, now: datetime) -> list[str]:
    """People waiting while a place is free that one of them could have (where the places
    are shared between sectors, a free place may be for nobody waiting)."""
    held = count_where(holds_a_place())
    waiting = count_where(Booking.status == BookingStatus.WAITING)
    rows = db_session.execute(
        select(CourseSession.id, CourseSession.capacity, held, waiting)
        .join(Booking, Booking.session_id == CourseSession.id)
        .where(CourseSession.status == SessionStatus.SCHEDULED, CourseSession.starts_at > now)
        .group_by(CourseSession.id, CourseSession.capacity)
        .having(and_(waiting > 0, held < CourseSession.capacity))
    )
    return [
        f"session {sid}: {w} waiting while {capacity - h} of {capacity} places are free"
        for sid, capacity, h, w in rows
        if could_take_a_place(db_session, sid, now)
    ]


def could_take_a_place(db_session: Session, session_id: int, now: datetime) -> bool:
    session = db_session.get(CourseSession, session_id)
    return allocation_of(db_session, session, now).someone_waiting_could_take_a_place


def beyond_sector_limits(db_session: Session) -> list[str]:
    """A sector holding more of a session's places than it may, or a session holding more
    places for sectors than it has."""
    taken = func.count(Booking.id)
    over = db_session.execute(
        select(SectorPlaces.session_id, SectorPlaces.sector, SectorPlaces.most, taken)
        .join(Booking, Booking.session_id == SectorPlaces.session_id)
        .join(User, User.id == Booking.user_id)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .where(
            holds_a_place(), SectorPlaces.most.is_not(None), person_sector() == SectorPlaces.sector
        )
        .group_by(SectorPlaces.session_id, SectorPlaces.sector, SectorPlaces.most)
        .having(taken > SectorPlaces.most)
    )
    kept = func.sum(SectorPlaces.held)
    overheld = db_session.execute(
        select(CourseSession.id, CourseSession.capacity, kept)
        .join(SectorPlaces, SectorPlaces.session_id == CourseSession.id)
        .group_by(CourseSession.id, CourseSession.capacity)
        .having(kept > CourseSession.capacity)
    )
    return [
        f"session {sid}: {n} places held by {sector_words(Sector(sector))}, at most {most}"
        for sid, sector, most, n in over
    ] + [
        f"session {sid}: {n} places held for sectors, of {capacity}"
        for sid, capacity, n in overheld
    ]


def promoted_twice(db_session: Session) -> list[str]:
    promotions = func.count(BookingEvent.id)
    rows = db_session.execute(
        select(BookingEvent.booking_id, promotions)
        .where(
            BookingEvent.from_status == BookingStatus.WAITING,
            BookingEvent.to_status.in_(PLACE_HOLDING_STATUSES),
        )
        .group_by(BookingEvent.booking_id)
        .having(promotions > 1)
    )
    return [f"booking {bid} was promoted {n} times" for bid, n in rows]


def offers_out_of_time(db_session: Session, now: datetime) -> list[str]:
    """A place offered at the last minute with no deadline, or one after its session
    starts; or still offered long after the start, when nobody can accept it any more."""
    rows = db_session.execute(
        select(Booking.id, Booking.approval_expires_at, CourseSession.starts_at)
        .join(Booking.session)
        .where(
            Booking.status == BookingStatus.OFFERED,
            or_(
                Booking.approval_expires_at.is_(None),
                Booking.approval_expires_at > CourseSession.starts_at,
                CourseSession.starts_at < now - OFFER_LEFT_AFTER_THE_START,
            ),
        )
        .order_by(Booking.id)
    )
    return [offer_out_of_time(*row) for row in rows]


def offer_out_of_time(booking_id: int, deadline: datetime | None, starts: datetime) -> str:
    if deadline is None:
        return f"booking {booking_id} is offered with no time to answer by"
    if deadline > starts:
        return f"booking {booking_id} is offered until {deadline}, after its session starts"
    return f"booking {booking_id} is still offered, though its session started at {starts}"


def transferred_twice_at_once(db_session: Session) -> list[str]:
    """A booking offered to two colleagues at once, or given away more than once."""
    is_open = and_(
        BookingTransfer.claimed_at.is_(None),
        BookingTransfer.returned_at.is_(None),
        BookingTransfer.withdrawn_at.is_(None),
    )
    open_offers = func.count(BookingTransfer.id).filter(is_open)
    given = func.count(BookingTransfer.id).filter(BookingTransfer.claimed_at.is_not(None))
    rows = db_session.execute(
        select(BookingTransfer.booking_id, open_offers, given)
        .group_by(BookingTransfer.booking_id)
        .having((open_offers > 1) | (given > 1))
    )
    return [
        f"booking {bid} is offered {n} times at once"
        if n > 1
        else f"booking {bid} was given away {g} times"
        for bid, n, g in rows
    ]


def charged_but_never_chargeable(db_session: Session) -> list[str]:
    """A charge still owed by a partner agency or a voluntary or community group (moving an
    agency into those bands cancels what it owes; waived charges stay as history)."""
    rows = db_session.execute(
        select(Charge.id, Agency.name, Agency.charging_band)
        .join(Charge.agency)
        .where(
            Charge.cancelled_at.is_(None),
            Charge.waived_at.is_(None),
            Agency.charging_band != ChargingBand.CHARGEABLE,
        )
        .order_by(Charge.id)
    )
    return [f"charge {cid}: {name} is in the band {band.label}" for cid, name, band in rows]


def charged_but_attended(db_session: Session) -> list[str]:
    """A standing charge on a booking whose register says the person attended."""
    rows = db_session.execute(
        select(Charge.id, Charge.booking_id)
        .join(Booking, Booking.id == Charge.booking_id)
        .where(Charge.cancelled_at.is_(None), Booking.attendance == Attendance.ATTENDED)
        .order_by(Charge.id)
    )
    return [f"charge {cid}: booking {bid} is marked attended" for cid, bid in rows]
