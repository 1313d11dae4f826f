"""How a session's places are shared between the sectors of the workforce.

A coordinator may say that at most so many of a session's places go to one sector ("at
most 4 police places"), or that so many are held for a sector until some days before
the start ("6 places held for health until 14 days before"), so that every room mixes
the agencies that must learn how each other work. The booking rules, the waiting list,
the pages and the integrity audit all ask `Allocation` what is left for whom, so the
sharing is worked out in one place.

A person's sector is their agency's; someone with no agency is counted as "other".
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, literal, select
from sqlalchemy.orm import Session

from app.display import in_london, long_date
from app.models import (
    Agency,
    Booking,
    BookingStatus,
    CourseSession,
    Sector,
    SectorPlaces,
    User,
    holds_a_place,
)


def sector_of(person: User) -> Sector:
    return person.agency.sector if person.agency is not None else Sector.OTHER


def sector_of_person_sql(user_id):
    """SQL: the sector of the person with this id (a value or a bound parameter)."""
    return (
        select(person_sector())
        .select_from(User)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .where(User.id == user_id)
        .scalar_subquery()
    )


def person_sector():
    """SQL, of a User outer-joined to their Agency: the person's sector."""
    return func.coalesce(Agency.sector, literal(Sector.OTHER.value))


@dataclass(frozen=True)
class SectorShare:
    """One sector's share of a session's places, and how it stands."""

    sector: Sector
    most: int | None
    held: int | None
    #: When the places held for the sector are let go to everyone.
    held_until: datetime | None
    #: Places the sector's people hold now, and how many of them are waiting.
    taken: int = 0
    waiting: int = 0

    @property
    def terms(self) -> str:
        """The share in words: at most 4 places, 6 places held until a day, or both."""
        parts = []
        if self.most is not None:
            parts.append(f"at most {places_words(self.most)}")
        if self.held is not None:
            parts.append(f"{places_words(self.held)} held until {long_date(self.held_until)}")
        words = " and ".join(parts)
        return f"{words[0].upper()}{words[1:]}"

    @property
    def description(self) -> str:
        """The terms and whose they are: at most 4 places for police."""
        return f"{self.terms} for {sector_words(self.sector)}"

    def holds_back(self, now: datetime) -> int:
        """Places kept from everyone else now: those held and not yet taken."""
        if self.held is None or now >= self.held_until:
            return 0
        return max(self.held - self.taken, 0)


@dataclass(frozen=True)
class Allocation:
    """A session's places as its sectors' shares divide them, at one moment."""

    capacity: int
    #: Places held in all, and people waiting in all.
    taken: int
    waiting: int
    shares: tuple[SectorShare, ...]
    now: datetime

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)

    def share_of(self, sector: Sector | None) -> SectorShare | None:
        return next((share for share in self.shares if share.sector == sector), None)

    def held_for_others(self, sector: Sector | None) -> int:
        return sum(share.holds_back(self.now) for share in self.shares if share.sector != sector)

    def room_for(self, sector: Sector | None) -> int:
        """The places a person of this sector could have now (None: a sector with no share
        of its own)."""
        room = self.free - self.held_for_others(sector)
        share = self.share_of(sector)
        if share is not None and share.most is not None:
            room = min(room, share.most - share.taken)
        return max(room, 0)

    def why_no_room_for(self, sector: Sector | None) -> str | None:
        """Why a person of this sector can have no place now, in their words; None when
        they can."""
        if self.room_for(sector) > 0:
            return None
        if self.free == 0:
            return "This session is full"
        share = self.share_of(sector)
        if share is not None and share.most is not None and share.taken >= share.most:
            if share.most == 0:
                return f"This session has no places for {sector_words(sector)}"
            are, they = ("is", "it is") if share.most == 1 else ("are", "they are")
            return (
                f"At most {places_words(share.most)} on this session {are} for "
                f"{sector_words(sector)}, and {they} taken"
            )
        holding = [share for share in self.shares if share.sector != sector]
        return places_held_words(share for share in holding if share.holds_back(self.now))

    @property
    def someone_waiting_could_take_a_place(self) -> bool:
        """Whether a place is free that a person already waiting could have: theirs first."""
        shared = [share for share in self.shares if share.waiting]
        if any(self.room_for(share.sector) > 0 for share in shared):
            return True
        unshared_waiting = self.waiting - sum(share.waiting for share in self.shares)
        return unshared_waiting > 0 and self.room_for(None) > 0

    def taking(self, sector: Sector, was_waiting: bool = False) -> "Allocation":
        """As it would be once a person of this sector took a place."""
        shares = tuple(
            replace(
                share,
                taken=share.taken + 1,
                waiting=share.waiting - (1 if was_waiting else 0),
            )
            if share.sector == sector
            else share
            for share in self.shares
        )
        waiting = self.waiting - (1 if was_waiting else 0)
        return replace(self, taken=self.taken + 1, waiting=waiting, shares=shares)


def held_until(starts_at: datetime, days_before: int | None) -> datetime | None:
    """When places held for a sector until so many days before a session are let go: at
    the session's time of day on London's clocks, whichever side of a clock change."""
    if days_before is None:
        return None
    return (in_london(starts_at) - timedelta(days=days_before)).astimezone(UTC)


def sector_words(sector: Sector | None) -> str:
    """A sector as a sentence names it: police, health, voluntary and community."""
    return sector.label.lower() if sector is not None else "other sectors"


def places_words(count: int) -> str:
    return "1 place" if count == 1 else f"{count} places"


def places_held_words(shares: Iterable[SectorShare]) -> str:
    """The places left are held for health until a day (and for police until another)."""
    held = " and ".join(
        f"for {sector_words(share.sector)} until {long_date(share.held_until)}" for share in shares
    )
    return f"The places left are held {held}"


# Reading


def counted_in(share_sector, *condition):
    return (
        select(func.count(Booking.id))
        .join(User, User.id == Booking.user_id)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .where(
            Booking.session_id == SectorPlaces.session_id,
            person_sector() == share_sector,
            *condition,
        )
        .scalar_subquery()
    )


# Built once, as the booking path's other statements are.
SHARES_OF = (
    select(
        SectorPlaces.sector,
        SectorPlaces.most,
        SectorPlaces.held,
        SectorPlaces.held_until_days,
        counted_in(SectorPlaces.sector, holds_a_place()),
        counted_in(SectorPlaces.sector, Booking.status == BookingStatus.WAITING),
    )
    .where(SectorPlaces.session_id == bindparam("session_id"))
    .order_by(SectorPlaces.sector)
)


def shares_of(db_session: Session, session: CourseSession) -> tuple[SectorShare, ...]:
    """The session's shares with the places each sector holds and its people waiting, in
    one statement, made only for a session whose places are shared."""
    if not session.sector_places:
        return ()
    rows = db_session.execute(SHARES_OF, {"session_id": session.id})
    return tuple(
        SectorShare(
            sector=Sector(sector),
            most=most,
            held=held,
            held_until=held_until(session.starts_at, days),
            taken=taken,
            waiting=waiting,
        )
        for sector, most, held, days, taken, waiting in rows
    )


TOTALS_OF = select(
    func.count(Booking.id).filter(holds_a_place()),
    func.count(Booking.id).filter(Booking.status == BookingStatus.WAITING),
).where(Booking.session_id == bindparam("session_id"))


def allocation_of(db_session: Session, session: CourseSession, now: datetime) -> Allocation:
    """The session's places as they are shared now: two statements."""
    taken, waiting = db_session.execute(TOTALS_OF, {"session_id": session.id}).one()
    return Allocation(session.capacity, taken, waiting, shares_of(db_session, session), now)


@dataclass(frozen=True)
class Sharing:
    """A session's shares as its page shows them, and for a person signed in, what is
    left for their sector."""

    shares: tuple[SectorShare, ...] = ()
    sector: Sector | None = None
    #: The places the person could have, and if none, why.
    room: int | None = None
    why_no_room: str | None = None


def sharing_for(
    db_session: Session, session: CourseSession, person: User | None, now: datetime
) -> Sharing:
    """Nothing to show for a session whose places are not shared."""
    if not session.sector_places:
        return Sharing()
    allocation = allocation_of(db_session, session, now)
    if person is None:
        return Sharing(allocation.shares)
    sector = sector_of(person)
    return Sharing(
        allocation.shares, sector, allocation.room_for(sector), allocation.why_no_room_for(sector)
    )


def why_waiting(db_session: Session, booking: Booking, now: datetime) -> str | None:
    """Why a person waiting has no place, where the session's places are shared between
    sectors and their sector's are what keeps them out; None otherwise."""
    session = booking.session
    if booking.status is not BookingStatus.WAITING or not session.sector_places:
        return None
    return allocation_of(db_session, session, now).why_no_room_for(sector_of(booking.user))
