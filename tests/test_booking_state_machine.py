"""The booking rules under any sequence of actions, found by a Hypothesis state machine.

Hypothesis books (as the person, or as a coordinator passing over prerequisites),
cancels, approves, declines, lets approvals expire, accepts and declines places offered at
the last minute and lets offers lapse, lets time pass (past the time booking closes, in
some runs, and into the last-minute window of some sessions) and changes capacities in
whatever order it likes, through the service with no HTTP, on one course (needing approval
in some runs, requiring another course in some, which some people attended) with 1-3
small sessions (some giving police at most a few places) and 2-8 police officers and
health visitors, on a clock of its own. A small model predicts each outcome; after every
step the database must agree with it, and the rules must hold whatever the model says:
the integrity audit finds nothing, no session gives more places than it has (a place
offered is held) nor police more than theirs, no one books twice, no one waits beside a
free place they could have, the waiting list is first come first served within each
sector, each booking's history runs unbroken to its status, and a refused action changes
nothing.
"""

import os
from collections import defaultdict
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import NamedTuple

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from app.bookings import integrity, service
from app.extensions import db
from app.models import (
    ACTIVE_STATUSES,
    PLACE_HOLDING_STATUSES,
    Agency,
    Attendance,
    Booking,
    BookingEvent,
    BookingStatus,
    CourseSession,
    Prerequisite,
    Sector,
    SectorPlaces,
    User,
)
from app.refusals import Refused, TryAgain
from app.sessions import service as sessions
from app.transactions import saved
from tests.conftest import empty_every_table
from tests.factories import make_course, make_prospectus, make_session, make_user

#: The machine's clock starts here; the expire and time_passes rules move it on, a week at
#: most a step, so it may pass the time a session's booking closes, but never a session starts.
BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
#: Far enough ahead that no run reaches a session's start.
STARTS = BASE + timedelta(days=3 * 365)
MAX_CAPACITY = 4
ENDED = (BookingStatus.CANCELLED, BookingStatus.DECLINED)
NOT_AWAITING_APPROVAL = (
    BookingStatus.CONFIRMED,
    BookingStatus.WAITING,
    BookingStatus.OFFERED,
    *ENDED,
)
#: Bookings holding a place until a deadline, which the model knows.
WITH_DEADLINES = (BookingStatus.AWAITING_APPROVAL, BookingStatus.OFFERED)
NOT_OFFERED = (
    BookingStatus.CONFIRMED,
    BookingStatus.WAITING,
    BookingStatus.AWAITING_APPROVAL,
    *ENDED,
)
#: When each run's last-minute window opens, in days after the clock starts, for the first
#: session (the others start a day apart, and their windows open a day apart too); None:
#: no window, places freed are given at once, as before offers.
WINDOW_OPENS = (-3, 1, None, 7)
#: How long a person offered a place has to accept it.
TIMES_TO_ANSWER = (timedelta(hours=1), timedelta(days=1), timedelta(days=5))
#: How far past (or, at -1s, just short of) a booking's approval expiry the clock moves.
EXPIRY_STEPS = (timedelta(seconds=-1), timedelta(0), timedelta(seconds=1), timedelta(days=2))
#: How far the time_passes rule moves the clock on, with no expiry run.
WAITS = (timedelta(hours=1), timedelta(days=1), timedelta(days=3), timedelta(days=7))


@dataclass
class Place:
    """The model of one booking."""

    session: int
    person: int
    status: BookingStatus
    expires_at: datetime | None = None


@dataclass
class Model:
    """What the bookings should be: the service's rules, written out plainly."""

    requires_approval: bool
    capacity: dict[int, int]
    closes: dict[int, datetime]
    starts: dict[int, datetime]
    has_manager: dict[int, bool]
    #: Each person's sector, and each session's most police places (None: no most).
    sector: dict[int, Sector]
    police_most: dict[int, int | None]
    #: Whether each person attended the course this one requires (all do when it requires none).
    prepared: dict[int, bool]
    last_minute: service.LastMinute
    bookings: dict[int, Place] = field(default_factory=dict)

    def of(self, session: int, *statuses: BookingStatus) -> list[int]:
        return sorted(
            booking_id
            for booking_id, place in self.bookings.items()
            if place.session == session and place.status in statuses
        )

    def active_booking(self, person: int, session: int) -> int | None:
        mine = [
            booking_id
            for booking_id in self.of(session, *ACTIVE_STATUSES)
            if self.bookings[booking_id].person == person
        ]
        return mine[0] if mine else None

    def refusal(
        self, person: int, session: int, now: datetime, by_coordinator: bool = False
    ) -> str | None:
        """Why booking would be refused, in the order the service checks; None if it is not.
        A coordinator booking the person passes over prerequisites."""
        if now >= self.closes[session]:
            return "closed"
        if self.requires_approval and not self.has_manager[person]:
            return "no line manager"
        if self.active_booking(person, session) is not None:
            return "already booked"
        if not (self.prepared[person] or by_coordinator):
            return "prerequisites"
        return None

    def held(self, session: int, sector: Sector | None = None) -> int:
        return sum(
            sector is None or self.sector[self.bookings[booking_id].person] is sector
            for booking_id in self.of(session, *PLACE_HOLDING_STATUSES)
        )

    def room(self, session: int, sector: Sector) -> int:
        """The places a person of this sector could have."""
        room = self.capacity[session] - self.held(session)
        most = self.police_most[session]
        if sector is Sector.POLICE and most is not None:
            room = min(room, most - self.held(session, Sector.POLICE))
        return max(room, 0)

    def someone_waiting_could_have_a_place(self, session: int) -> bool:
        return any(
            self.room(session, self.sector[self.bookings[booking_id].person]) > 0
            for booking_id in self.of(session, BookingStatus.WAITING)
        )

    def hold(self, booking_id: int, now: datetime) -> None:
        """A place for the booking: confirmed, or held while the line manager is asked.

        (Everyone booking a course that needs approval has a line manager's address.) The
        approval lasts 7 days, or until booking closes, or, for a place offered after that,
        until the session starts.
        """
        place = self.bookings[booking_id]
        if self.requires_approval:
            place.status = BookingStatus.AWAITING_APPROVAL
            closes = self.closes[place.session]
            deadline = closes if now < closes else self.starts[place.session]
            place.expires_at = min(now + service.APPROVAL_TIME, deadline)
        else:
            place.status = BookingStatus.CONFIRMED

    def give(self, booking_id: int, now: datetime) -> None:
        """A place freed for someone waiting: from its session's last-minute window on,
        offered until they answer, for the time to answer but never past the start;
        before it, held as for a new booking."""
        place = self.bookings[booking_id]
        starts = self.starts[place.session]
        if now >= starts - self.last_minute.window:
            place.status = BookingStatus.OFFERED
            place.expires_at = min(now + self.last_minute.time_to_answer, starts)
        else:
            self.hold(booking_id, now)

    def promote(self, session: int, now: datetime) -> None:
        """In turn, each person waiting whose sector has room; the others keep their turn."""
        for booking_id in self.of(session, BookingStatus.WAITING):
            if self.room(session, self.sector[self.bookings[booking_id].person]) > 0:
                self.give(booking_id, now)

    def open_offer(self, booking_id: int, now: datetime) -> bool:
        place = self.bookings[booking_id]
        return place.status is BookingStatus.OFFERED and now < place.expires_at

    def expire(self, session: int, now: datetime) -> list[int]:
        """Approvals and offers whose deadline has come are released, their places given."""
        overdue = [
            booking_id
            for booking_id in self.of(session, *WITH_DEADLINES)
            if self.bookings[booking_id].expires_at <= now
        ]
        for booking_id in overdue:
            self.bookings[booking_id].status = BookingStatus.DECLINED
        if overdue:
            self.promote(session, now)
        return overdue


class Row(NamedTuple):
    """A booking as stored."""

    id: int
    session: int
    person: int
    status: BookingStatus
    expires_at: datetime | None


class Stored(NamedTuple):
    """Everything an action could change, as stored."""

    bookings: tuple[Row, ...]
    capacity: tuple[tuple[int, int], ...]
    events: tuple[tuple[int, int, BookingStatus | None, BookingStatus], ...]

    def sessions(self):
        """Each session's id, capacity and bookings."""
        for session_id, capacity in self.capacity:
            yield session_id, capacity, [row for row in self.bookings if row.session == session_id]


def read_database(session_ids: list[int]) -> Stored:
    """The machine's sessions and their bookings (not the past ones people attended)."""
    bookings = db.session.execute(
        select(
            Booking.id,
            Booking.session_id,
            Booking.user_id,
            Booking.status,
            Booking.approval_expires_at,
        )
        .where(Booking.session_id.in_(session_ids))
        .order_by(Booking.id)
    )
    capacities = db.session.execute(
        select(CourseSession.id, CourseSession.capacity)
        .where(CourseSession.id.in_(session_ids))
        .order_by(CourseSession.id)
    )
    events = db.session.execute(
        select(
            BookingEvent.id,
            BookingEvent.booking_id,
            BookingEvent.from_status,
            BookingEvent.to_status,
        )
        .join(Booking, Booking.id == BookingEvent.booking_id)
        .where(Booking.session_id.in_(session_ids))
        .order_by(BookingEvent.id)
    )
    return Stored(
        tuple(Row(*row) for row in bookings),
        tuple(map(tuple, capacities)),
        tuple(map(tuple, events)),
    )


class BookingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = BASE
        self.model: Model
        self.cached: Stored | None = None

    # Setting up

    @initialize(
        requires_approval=st.booleans(),
        # Each session's capacity, the days until its booking closes (None: at the start),
        # and the most police places (None: no most).
        sessions=st.lists(
            st.tuples(
                st.integers(0, MAX_CAPACITY),
                st.none() | st.integers(1, 21),
                st.none() | st.integers(0, MAX_CAPACITY),
            ),
            min_size=1,
            max_size=3,
        ),
        # Each person: a police officer or not.
        officers=st.lists(st.booleans(), min_size=2, max_size=8),
        # The first few people have no line manager's address, the rest have one.
        unmanaged=st.integers(0, 2),
        # Whether the course requires another, and how many people (the last) attended it.
        requires_another=st.booleans(),
        prepared=st.integers(0, 8),
        window_opens=st.sampled_from(WINDOW_OPENS),
        time_to_answer=st.sampled_from(TIMES_TO_ANSWER),
        # How many people book the first session before the first step, in turn: enough,
        # in some runs, to fill it and queue the rest.
        queued=st.integers(0, 8),
    )
    def set_up(
        self,
        requires_approval,
        sessions,
        officers,
        unmanaged,
        requires_another,
        prepared,
        window_opens,
        time_to_answer,
        queued,
    ):
        prospectus = make_prospectus()
        course = make_course(prospectus, requires_approval=requires_approval)
        sessions = [
            make_session(
                course,
                starts_at=STARTS + timedelta(days=n),
                capacity=capacity,
                booking_closes_at=None if closes is None else BASE + timedelta(days=closes),
                sector_places=[]
                if most is None
                else [SectorPlaces(sector=Sector.POLICE, most=min(most, capacity))],
            )
            for n, (capacity, closes, most) in enumerate(sessions)
        ]
        police = Agency(name="Police", sector=Sector.POLICE)
        health = Agency(name="Health", sector=Sector.HEALTH)
        people = [
            make_user(
                line_manager_email=None if n < unmanaged else f"manager{n}@example.org",
                agency=police if officer else health,
            )
            for n, officer in enumerate(officers)
        ]
        attended = people[len(people) - prepared :] if prepared else []
        if requires_another:
            first = make_course(prospectus, title="To attend first")
            course.prerequisites.append(Prerequisite(required_course=first))
            past = make_session(first, starts_at=BASE - timedelta(days=30))
            for person in attended:
                db.session.add(
                    Booking(
                        session=past,
                        user=person,
                        status=BookingStatus.CONFIRMED,
                        attendance=Attendance.ATTENDED,
                    )
                )
        self.coordinator_id = make_user().id
        db.session.commit()
        self.session_ids = [session.id for session in sessions]
        self.person_ids = [person.id for person in people]
        window = timedelta(0)
        if window_opens is not None:
            window = STARTS - (BASE + timedelta(days=window_opens))
        self.last_minute = service.LastMinute(window=window, time_to_answer=time_to_answer)
        self.model = Model(
            requires_approval=requires_approval,
            capacity={session.id: session.capacity for session in sessions},
            closes={session.id: session.booking_closes for session in sessions},
            starts={session.id: session.starts_at for session in sessions},
            has_manager={person.id: person.line_manager_email is not None for person in people},
            sector={person.id: person.agency.sector for person in people},
            police_most={
                session.id: session.sector_places[0].most if session.sector_places else None
                for session in sessions
            },
            prepared={person.id: not requires_another or person in attended for person in people},
            last_minute=self.last_minute,
        )
        for person in self.person_ids[:queued]:
            self.try_to_book(person, self.session_ids[0])

    def teardown(self) -> None:
        db.session.remove()
        empty_every_table()

    # Acting

    def stored(self) -> Stored:
        """The database as the last step left it (read once a step: queries are slow)."""
        if self.cached is None:
            self.cached = read_database(self.session_ids)
        return self.cached

    def attempt(self, action, expected: Model | None):
        """Run an action; commit if it succeeds, roll back if it is refused.

        `expected` is the model after the action, or None when the model refuses it.
        """
        before = self.stored()
        self.cached = None
        try:
            result = action()
        except TryAgain:
            raise
        except Refused as error:
            db.session.rollback()
            assert self.stored() == before, f"the refusal {error!r} changed something"
            assert expected is None, f"refused with {error!r}, but the rules allow it"
            return error
        db.session.commit()
        assert expected is not None, f"allowed ({result!r}), but the rules refuse it"
        check_first_come_first_served(before, self.stored(), self.model.sector)
        self.model = expected
        return result

    # Choices, from the model

    def pairs(self, allowed: bool, by_coordinator: bool = False) -> list[tuple[int, int]]:
        """(person, session) pairs that may book, or that must be refused."""
        return [
            (person, session)
            for session in self.session_ids
            for person in self.person_ids
            if (self.model.refusal(person, session, self.now, by_coordinator) is None) is allowed
        ]

    def bookings(self, *statuses: BookingStatus) -> list[int]:
        return sorted(
            booking_id
            for booking_id, place in self.model.bookings.items()
            if place.status in statuses
        )

    def draw(self, data, choices: list, label: str):
        return data.draw(st.sampled_from(choices), label=label)

    # Rules

    def try_to_book(self, person: int, session: int, by_coordinator: bool = False) -> None:
        expected = deepcopy(self.model)
        refusal = expected.refusal(person, session, self.now, by_coordinator)
        if refusal in (None, "already booked", "prerequisites"):
            # Once the session may be booked, its overdue approvals are released first.
            expected.expire(session, self.now)
            refusal = expected.refusal(person, session, self.now, by_coordinator)
        expected_mine = expected.active_booking(person, session)
        if refusal is None:
            gets_place = expected.room(
                session, expected.sector[person]
            ) > 0 and not expected.someone_waiting_could_have_a_place(session)
        else:
            expected = None
        user = db.session.get(User, person)
        if by_coordinator:
            override = service.Override(db.session.get(User, self.coordinator_id), "Asked to")
            action = partial(
                saved,
                service.book_for,
                db.session,
                session,
                user,
                override,
                self.now,
                last_minute=self.last_minute,
            )
        else:
            action = partial(
                saved,
                service.book,
                db.session,
                session,
                user,
                "",
                self.now,
                last_minute=self.last_minute,
            )
        outcome = self.attempt(action, expected)
        if refusal == "already booked":
            assert isinstance(outcome, service.AlreadyBooked)
            assert outcome.booking_id == expected_mine
        elif refusal is not None:
            assert not isinstance(outcome, service.AlreadyBooked), outcome
        if expected is not None:
            expected.bookings[outcome.id] = Place(session, person, BookingStatus.WAITING)
            if gets_place:
                expected.hold(outcome.id, self.now)

    @precondition(lambda self: self.pairs(allowed=True))
    @rule(data=st.data())
    def book(self, data):
        self.try_to_book(*self.draw(data, self.pairs(allowed=True), "person, session"))

    @precondition(lambda self: self.pairs(allowed=False))
    @rule(data=st.data())
    def book_when_it_must_be_refused(self, data):
        self.try_to_book(*self.draw(data, self.pairs(allowed=False), "person, session"))

    @precondition(lambda self: self.pairs(allowed=True, by_coordinator=True))
    @rule(data=st.data())
    def a_coordinator_books_someone(self, data):
        pairs = self.pairs(allowed=True, by_coordinator=True)
        self.try_to_book(*self.draw(data, pairs, "person, session"), by_coordinator=True)

    def try_to_cancel(self, booking_id: int) -> None:
        expected = deepcopy(self.model)
        place = expected.bookings[booking_id]
        offered = place.status is BookingStatus.OFFERED
        if offered and not expected.open_offer(booking_id, self.now):
            # Its time ran out: not theirs to decline, though not yet passed on.
            expected = None
        elif place.status in ACTIVE_STATUSES:
            # Cancelling a place offered declines it.
            place.status = BookingStatus.DECLINED if offered else BookingStatus.CANCELLED
            expected.promote(place.session, self.now)
        else:
            expected = None
        owner = db.session.get(User, place.person)
        self.attempt(
            lambda: saved(
                service.cancel,
                db.session,
                booking_id,
                owner,
                self.now,
                last_minute=self.last_minute,
            ),
            expected,
        )

    @precondition(lambda self: self.bookings(*ACTIVE_STATUSES))
    @rule(data=st.data())
    def cancel(self, data):
        self.try_to_cancel(self.draw(data, self.bookings(*ACTIVE_STATUSES), "booking"))

    @precondition(lambda self: self.bookings(*ENDED))
    @rule(data=st.data())
    def cancel_an_ended_booking(self, data):
        self.try_to_cancel(self.draw(data, self.bookings(*ENDED), "booking"))

    def try_to_decide(self, booking_id: int, approve: bool) -> None:
        expected = deepcopy(self.model)
        place = expected.bookings[booking_id]
        expected.expire(place.session, self.now)
        if place.status is not BookingStatus.AWAITING_APPROVAL:
            # Settled before, or expired just now: refused, and the expiries roll back too.
            expected = None
        elif approve:
            place.status = BookingStatus.CONFIRMED
        else:
            place.status = BookingStatus.DECLINED
            expected.promote(place.session, self.now)
        self.attempt(
            lambda: saved(
                service.decide, db.session, booking_id, approve, "", self.now, self.last_minute
            ),
            expected,
        )

    @precondition(lambda self: self.bookings(BookingStatus.AWAITING_APPROVAL))
    @rule(data=st.data(), approve=st.booleans())
    def approve_or_decline(self, data, approve):
        awaiting = self.bookings(BookingStatus.AWAITING_APPROVAL)
        self.try_to_decide(self.draw(data, awaiting, "booking"), approve)

    @precondition(lambda self: self.bookings(*NOT_AWAITING_APPROVAL))
    @rule(data=st.data(), approve=st.booleans())
    def decide_a_booking_not_awaiting_approval(self, data, approve):
        settled = self.bookings(*NOT_AWAITING_APPROVAL)
        self.try_to_decide(self.draw(data, settled, "booking"), approve)

    @precondition(lambda self: self.bookings(*WITH_DEADLINES))
    @rule(data=st.data(), step=st.sampled_from(EXPIRY_STEPS))
    def expire(self, data, step):
        awaiting = self.bookings(*WITH_DEADLINES)
        place = self.model.bookings[self.draw(data, awaiting, "booking")]
        self.now = max(self.now, place.expires_at + step)
        expected = deepcopy(self.model)
        overdue = expected.expire(place.session, self.now)
        released = self.attempt(
            lambda: saved(
                service.release_session_approvals,
                db.session,
                place.session,
                self.now,
                self.last_minute,
            ),
            expected,
        )
        assert released == len(overdue)

    def try_to_answer(self, booking_id: int, accept: bool) -> None:
        """Accept or decline a place offered, as its owner; refused, changing nothing, for a
        booking not offered one or an offer whose time has run out (even if not released)."""
        expected = deepcopy(self.model)
        place = expected.bookings[booking_id]
        if not expected.open_offer(booking_id, self.now):
            expected = None
        elif accept:
            expected.hold(booking_id, self.now)
        else:
            place.status = BookingStatus.DECLINED
            expected.promote(place.session, self.now)
        if accept:
            action = lambda: saved(service.accept_offer, db.session, booking_id, self.now)  # noqa: E731
        else:
            action = lambda: saved(  # noqa: E731
                service.decline_offer, db.session, booking_id, self.now, self.last_minute
            )
        self.attempt(action, expected)

    @precondition(lambda self: self.bookings(BookingStatus.OFFERED))
    @rule(data=st.data(), accept=st.booleans())
    def answer_an_offer(self, data, accept):
        offered = self.bookings(BookingStatus.OFFERED)
        self.try_to_answer(self.draw(data, offered, "booking"), accept)

    @precondition(lambda self: self.bookings(*NOT_OFFERED))
    @rule(data=st.data(), accept=st.booleans())
    def answer_a_booking_not_offered_a_place(self, data, accept):
        self.try_to_answer(self.draw(data, self.bookings(*NOT_OFFERED), "booking"), accept)

    @rule(wait=st.sampled_from(WAITS))
    def time_passes(self, wait):
        """Time passes; approvals left too long wait for the next expiry run, as in the app."""
        self.now += wait

    def try_to_change_capacity(self, session: int, capacity: int) -> None:
        expected = deepcopy(self.model)
        if capacity < max(expected.held(session), 1):
            expected = None
        else:
            expected.capacity[session] = capacity
            expected.promote(session, self.now)
        self.attempt(
            lambda: saved(
                sessions.change_capacity, db.session, session, capacity, self.now, self.last_minute
            ),
            expected,
        )

    @rule(data=st.data())
    def change_capacity(self, data):
        session = self.draw(data, self.session_ids, "session")
        capacity = data.draw(st.integers(self.model.held(session), MAX_CAPACITY), label="capacity")
        self.try_to_change_capacity(session, capacity)

    @precondition(lambda self: any(self.model.held(session) for session in self.session_ids))
    @rule(data=st.data())
    def lower_capacity_below_the_places_held(self, data):
        held = [session for session in self.session_ids if self.model.held(session)]
        session = self.draw(data, held, "session")
        capacity = data.draw(st.integers(0, self.model.held(session) - 1), label="capacity")
        self.try_to_change_capacity(session, capacity)

    # Invariants, checked after every step

    @invariant()
    def the_integrity_audit_finds_nothing(self):
        assert integrity.breaches(db.session, self.now) == []

    @invariant()
    def the_database_agrees_with_the_model(self):
        stored = self.stored()
        found = {
            row.id: (
                row.session,
                row.person,
                row.status,
                row.expires_at if row.status in WITH_DEADLINES else None,
            )
            for row in stored.bookings
        }
        expected = {
            booking_id: (
                place.session,
                place.person,
                place.status,
                place.expires_at if place.status in WITH_DEADLINES else None,
            )
            for booking_id, place in self.model.bookings.items()
        }
        assert found == expected
        assert dict(stored.capacity) == self.model.capacity

    @invariant()
    def no_session_gives_more_places_than_it_has(self):
        for session_id, capacity, bookings in self.stored().sessions():
            held = sum(row.status in PLACE_HOLDING_STATUSES for row in bookings)
            assert held <= capacity, f"session {session_id}: {held} places held of {capacity}"

    @invariant()
    def no_one_has_two_active_bookings_for_a_session(self):
        for session_id, _, bookings in self.stored().sessions():
            active = [row.person for row in bookings if row.status in ACTIVE_STATUSES]
            assert len(active) == len(set(active)), f"session {session_id}: {sorted(active)}"

    @invariant()
    def no_one_waits_beside_a_free_place_they_could_have(self):
        for session_id, _, _ in self.stored().sessions():
            waiting = self.model.of(session_id, BookingStatus.WAITING)
            assert not self.model.someone_waiting_could_have_a_place(session_id), (
                f"session {session_id}: {waiting} waiting beside a place one of them could have"
            )

    @invariant()
    def police_never_hold_more_than_their_places(self):
        sector = self.model.sector
        for session_id, _, bookings in self.stored().sessions():
            most = self.model.police_most[session_id]
            held = sum(
                row.status in PLACE_HOLDING_STATUSES and sector[row.person] is Sector.POLICE
                for row in bookings
            )
            assert most is None or held <= most, f"session {session_id}: {held} police of {most}"

    @invariant()
    def every_history_runs_unbroken_to_the_current_status(self):
        stored = self.stored()
        history = defaultdict(list)
        for _, booking_id, from_status, to_status in stored.events:
            history[booking_id].append((from_status, to_status))
        statuses = {row.id: row.status for row in stored.bookings}
        assert set(history) == set(statuses), "a booking without history, or history without one"
        for booking_id, events in history.items():
            previous = None
            for from_status, to_status in events:
                assert from_status == previous, f"booking {booking_id}: {events}"
                previous = to_status
            assert previous == statuses[booking_id], f"booking {booking_id}: {events}"


def check_first_come_first_served(before: Stored, after: Stored, sector: dict[int, Sector]) -> None:
    """Whoever left a waiting list for a place had waited longer than all of their sector
    still waiting (a place a sector may not have goes to the next who may)."""
    status_after = {row.id: row.status for row in after.bookings}
    promoted, still_waiting = defaultdict(list), defaultdict(list)
    for row in before.bookings:
        if row.status is not BookingStatus.WAITING:
            continue
        queue = (row.session, sector[row.person])
        if status_after[row.id] in PLACE_HOLDING_STATUSES:
            promoted[queue].append(row.id)
        elif status_after[row.id] is BookingStatus.WAITING:
            still_waiting[queue].append(row.id)
    for queue, ids in promoted.items():
        later = still_waiting[queue]
        assert not later or max(ids) < min(later), (
            f"session and sector {queue}: promoted {ids} ahead of {later}, who waited longer"
        )


def test_the_booking_rules_hold_whatever_happens(app, monkeypatch):
    """About 20 seconds on SQLite; STATE_MACHINE_EXAMPLES=500 searches harder."""
    # The mail is queued as ever, but not sent after each commit: that is slow, and not tested here.
    monkeypatch.setitem(app.config, "MAIL_SEND_AFTER_COMMIT", False)
    run_state_machine_as_test(
        BookingMachine,
        settings=settings(
            max_examples=int(os.environ.get("STATE_MACHINE_EXAMPLES", 35)),
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


def test_a_place_offered_after_booking_closed_leaves_time_for_approval(app):
    course = make_course(make_prospectus(), requires_approval=True)
    session = make_session(
        course, starts_at=STARTS, capacity=1, booking_closes_at=BASE + timedelta(days=3)
    )
    first = make_user(line_manager_email="manager1@example.org")
    second = make_user(line_manager_email="manager2@example.org")
    db.session.commit()
    held = saved(service.book, db.session, session.id, first, "", BASE)
    db.session.commit()
    waiting = saved(service.book, db.session, session.id, second, "", BASE)
    db.session.commit()
    after_booking_closed = BASE + timedelta(days=4)

    saved(service.cancel, db.session, held.id, first, after_booking_closed)
    db.session.commit()

    db.session.refresh(waiting)
    assert waiting.status is BookingStatus.AWAITING_APPROVAL
    assert waiting.approval_expires_at == after_booking_closed + service.APPROVAL_TIME
