"""The rules of booking a place: who may book, capacity, waiting lists, manager approval,
last-minute offers, cancellation.

Every function that changes bookings first takes the session's lock (lock_session),
then reads availability inside it, never from a cache; so places are never given
twice, whatever the load. Functions flush, leave the commit to their caller, and return
what they did with the notices it sends (app/notices.py): the mail goes out only if
that commit happens.

Whether a person may book, and what booking does, is decided by BOOKING_RULES: an
ordered list of small functions over one BookingContext, each refusing, deciding or
passing the question on. A new rule is one more function in that list.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.service import manager_address_problem
from app.bookings.sectors import (
    Allocation,
    SectorShare,
    allocation_of,
    sector_of,
    sector_of_person_sql,
    shares_of,
)
from app.charges import service as charges
from app.charges.service import USUAL_RATES, ChargeRates, wasted_places
from app.confidence.service import record_confidence
from app.database import is_lock_failure, write_transaction
from app.display import clock_time, count_of_people, duration_text, long_date, places_text
from app.interest import service as interest
from app.models import (
    ACTIVE_STATUSES,
    DECISION_STATUSES,
    Booking,
    BookingEvent,
    BookingStatus,
    BookingTransfer,
    Course,
    CourseSession,
    OfferAnswer,
    Sector,
    SessionStatus,
    Stage,
    User,
    holds_a_place,
    open_transfer,
)
from app.notices import Done, Notice, NoticeKind
from app.prerequisites.service import (
    PrerequisitesMissing,
    Requirement,
    missing,
    requirements_for,
)
from app.refusals import Refused, TryAgain, reason_given

APPROVAL_TIME = timedelta(days=7)
#: The longest reason a coordinator may give for a decision.
DECISION_REASON_LENGTH = 500
#: The longest reason a coordinator may give for booking a person: it is kept whole in
#: the booking's history, whose lines hold 200 characters, after at most 68 of its own
#: ("joined the waiting list by a coordinator without the prerequisites: ").
OVERRIDE_REASON_LENGTH = 120


class NotOffered(Refused):
    """There is no such session, or it is not published: to the public it does not exist."""

    def __init__(self) -> None:
        super().__init__("This session is not open for booking")


class AlreadyBooked(Refused):
    def __init__(self, booking_id: int) -> None:
        super().__init__("You already have a booking for this session")
        self.booking_id = booking_id


#: The field of a refusal that the person mends on their details page.
DETAILS = "details"


class Outcome(StrEnum):
    """What booking now would do, shown to the person before they confirm."""

    CONFIRM = "confirm"
    APPROVAL = "approval"
    COORDINATOR = "coordinator"
    WAIT = "wait"


@dataclass(frozen=True)
class RepeatLimit:
    """After this many places wasted (no-shows and late cancellations, less waived ones)
    within this many months, a coordinator decides on the person's next booking: settings
    REPEAT_NON_ATTENDANCE_COUNT and REPEAT_NON_ATTENDANCE_MONTHS."""

    count: int = 2
    months: int = 12

    def since(self, now: datetime) -> datetime:
        return now - relativedelta(months=self.months)

    def reached_by(self, wasted: int) -> bool:
        return wasted >= self.count


USUAL_LIMIT = RepeatLimit()


def limit_from(settings: Mapping) -> RepeatLimit:
    return RepeatLimit(
        count=settings["REPEAT_NON_ATTENDANCE_COUNT"],
        months=settings["REPEAT_NON_ATTENDANCE_MONTHS"],
    )


@dataclass(frozen=True)
class Override:
    """A coordinator booking a person: they pass over the person's prerequisites and the
    coordinator's decision that repeated non-attendance would ask for, with a reason, and
    may say the place is never charged."""

    by: User
    reason: str
    exempt_from_charges: bool = False


@dataclass(frozen=True)
class LastMinute:
    """Within `window` of a session's start, a place that frees is offered to the first
    person waiting rather than given: they have `time_to_answer` to accept it, never past
    the start, before it passes to the next. Settings LAST_MINUTE_HOURS and OFFER_HOURS."""

    window: timedelta = timedelta(hours=48)
    time_to_answer: timedelta = timedelta(hours=4)

    def __post_init__(self) -> None:
        if self.window < timedelta(0) or self.time_to_answer <= timedelta(0):
            raise ValueError("The window must not be negative, nor the time to answer nothing")

    def applies_to(self, session: CourseSession, now: datetime) -> bool:
        return now >= session.starts_at - self.window

    def deadline(self, session: CourseSession, now: datetime) -> datetime:
        return min(now + self.time_to_answer, session.starts_at)


USUAL_LAST_MINUTE = LastMinute()


def last_minute_from(settings: Mapping) -> LastMinute:
    return LastMinute(
        window=timedelta(hours=settings["LAST_MINUTE_HOURS"]),
        time_to_answer=timedelta(hours=settings["OFFER_HOURS"]),
    )


@dataclass(frozen=True)
class Places:
    """A session's places held, people waiting and approvals overdue, and one person's
    active booking on it and places wasted lately."""

    held: int
    waiting: int
    approvals_overdue: int
    own_booking_id: int | None
    #: The person's no-shows and late cancellations within the RepeatLimit's months.
    wasted: int = 0
    #: The person's sector, which the session's places may be shared by.
    sector: Sector = Sector.OTHER
    #: The person asked to be told of the course's dates (booking takes them off the list).
    on_interest_list: bool = False


@dataclass(frozen=True)
class BookingContext:
    """Everything the booking rules look at, loaded once: under the session's lock when
    booking, as it stands when showing what booking would do."""

    session: CourseSession
    person: User
    places: Places
    now: datetime
    limit: RepeatLimit = USUAL_LIMIT
    last_minute: LastMinute = USUAL_LAST_MINUTE
    #: What the course requires first, with when the person last attended each.
    requirements: tuple[Requirement, ...] = ()
    override: Override | None = None
    #: How the session's places are shared between sectors, if they are.
    shares: tuple[SectorShare, ...] = ()

    @property
    def course(self) -> Course:
        return self.session.course

    @property
    def needs_coordinator(self) -> bool:
        """The person wasted too many places lately for this one to be theirs unasked; a
        coordinator booking them has decided already."""
        return self.override is None and self.limit.reached_by(self.places.wasted)

    @property
    def missing_prerequisites(self) -> tuple[Requirement, ...]:
        return missing(self.requirements, self.session.starts_at)

    @property
    def allocation(self) -> Allocation:
        places = self.places
        return Allocation(self.session.capacity, places.held, places.waiting, self.shares, self.now)

    @property
    def places_left(self) -> int:
        """The places the person could have, as the session's sectors share them."""
        return self.allocation.room_for(self.places.sector)

    @property
    def why_waiting(self) -> str | None:
        """Why the person would wait rather than have a place; None when they would not."""
        allocation = self.allocation
        if reason := allocation.why_no_room_for(self.places.sector):
            return reason
        if allocation.someone_waiting_could_take_a_place:
            return "The places left are for people already on the waiting list"
        return None


@dataclass(frozen=True)
class Decision:
    """What booking does: the booking's status and the words its history keeps, with why
    where the rule says more (the sector whose places are taken, say)."""

    outcome: Outcome
    status: BookingStatus
    reason: str
    why: str = ""


#: A booking rule: a refusal, a decision, or None to leave it to the rules after it.
Rule = Callable[[BookingContext], Refused | Decision | None]


# The rules, in the order they are asked


def must_be_offered(context: BookingContext) -> Refused | None:
    session, course = context.session, context.course
    if not (session.published and course.is_public):
        return NotOffered()
    return None


def one_booking_each(context: BookingContext) -> Refused | None:
    if context.places.own_booking_id is not None:
        return AlreadyBooked(context.places.own_booking_id)
    return None


def must_be_verified(context: BookingContext) -> Refused | None:
    if not context.person.is_verified:
        return Refused("Confirm your email address before you book a place", field=DETAILS)
    return None


def must_not_be_cancelled(context: BookingContext) -> Refused | None:
    if context.session.status is SessionStatus.CANCELLED:
        return Refused("This session has been cancelled")
    return None


def must_not_have_started(context: BookingContext) -> Refused | None:
    if context.session.has_started(context.now):
        return Refused("This session has already started")
    return None


def booking_must_have_opened(context: BookingContext) -> Refused | None:
    opens_at = context.session.booking_opens_at
    if opens_at is not None and context.now < opens_at:
        return Refused("Booking for this session has not opened yet")
    return None


def booking_must_not_have_closed(context: BookingContext) -> Refused | None:
    if context.now >= context.session.booking_closes:
        return Refused("Booking for this session has closed")
    return None


def approval_needs_a_manager(context: BookingContext) -> Refused | None:
    person = context.person
    if not context.course.requires_approval:
        return None
    if not person.line_manager_email:
        return Refused(
            "This course needs your line manager's approval: add their email address "
            "to your details first",
            field=DETAILS,
        )
    if manager_address_problem(person.line_manager_email, person.email):
        return Refused(
            "This course needs your line manager's approval, and your details give your own "
            "email address as theirs: change it to your line manager's first",
            field=DETAILS,
        )
    return None


def must_meet_prerequisites(context: BookingContext) -> Refused | None:
    if context.override is None and (lacking := context.missing_prerequisites):
        return PrerequisitesMissing(lacking)
    return None


def wait_when_full_or_queued(context: BookingContext) -> Decision | None:
    # Someone already waiting keeps their turn, even if a place has just freed, unless the
    # sectors' shares keep them from it.
    if (why := context.why_waiting) is None:
        return None
    told = f"{why[0].lower()}{why[1:]}" if context.shares else ""
    return Decision(Outcome.WAIT, BookingStatus.WAITING, "joined the waiting list", told)


def ask_a_coordinator_after_repeated_non_attendance(context: BookingContext) -> Decision | None:
    if context.needs_coordinator:
        return Decision(
            Outcome.COORDINATOR, BookingStatus.AWAITING_COORDINATOR, "asked a coordinator"
        )
    return None


def ask_for_approval_when_required(context: BookingContext) -> Decision | None:
    if context.course.requires_approval:
        return Decision(Outcome.APPROVAL, BookingStatus.AWAITING_APPROVAL, "asked for approval")
    return None


def confirm_the_place(context: BookingContext) -> Decision:
    return Decision(Outcome.CONFIRM, BookingStatus.CONFIRMED, "booked")


BOOKING_RULES: tuple[Rule, ...] = (
    must_be_offered,
    must_be_verified,
    must_not_be_cancelled,
    must_not_have_started,
    booking_must_have_opened,
    booking_must_not_have_closed,
    approval_needs_a_manager,
    one_booking_each,
    must_meet_prerequisites,
    wait_when_full_or_queued,
    ask_a_coordinator_after_repeated_non_attendance,
    ask_for_approval_when_required,
    confirm_the_place,
)


def needs_coordinator(
    db_session: Session, person: User, now: datetime, limit: RepeatLimit = USUAL_LIMIT
) -> bool:
    """Whether a booking by this person now would wait for a coordinator's decision."""
    return limit.reached_by(charges.non_attendances(db_session, person.id, limit.since(now)))


def decision_for(context: BookingContext) -> Decision:
    """The first rule with an answer gives it; raises that answer when it is a refusal."""
    for rule in BOOKING_RULES:
        answer = rule(context)
        if isinstance(answer, Refused):
            raise answer
        if answer is not None:
            return answer
    raise AssertionError("confirm_the_place always decides")


# Reading


def places_held(db_session: Session, session_id: int) -> int:
    return db_session.scalar(
        select(func.count(Booking.id)).where(Booking.session_id == session_id, holds_a_place())
    )


# Built once: on the booking path, building a statement costs several times more than
# running it.
PLACES_FOR = select(
    func.count(Booking.id).filter(holds_a_place()),
    func.count(Booking.id).filter(Booking.status == BookingStatus.WAITING),
    func.count(Booking.id).filter(
        Booking.status.in_(DECISION_STATUSES), Booking.approval_expires_at <= bindparam("now")
    ),
    func.max(Booking.id).filter(
        Booking.user_id == bindparam("user_id"), Booking.status.in_(ACTIVE_STATUSES)
    ),
    # Over all the person's bookings, not this session's.
    wasted_places(bindparam("user_id"), bindparam("since")).scalar_subquery().correlate(None),
    sector_of_person_sql(bindparam("user_id")).correlate(None),
    interest.on_the_list(bindparam("course_id"), bindparam("user_id")).correlate(None),
).where(Booking.session_id == bindparam("session_id"))


def places_for(
    db_session: Session, session: CourseSession, user: User, now: datetime, limit: RepeatLimit
) -> Places:
    """Places held, people waiting, approvals overdue, the person's own active booking,
    their places wasted lately, their sector and whether they are on the course's interest
    list, in one statement."""
    parameters = {
        "session_id": session.id,
        "course_id": session.course_id,
        "user_id": user.id,
        "now": now,
    }
    row = db_session.execute(PLACES_FOR, parameters | {"since": limit.since(now)}).one()
    return Places(*row)


def booking_context(
    db_session: Session,
    session: CourseSession,
    user: User,
    now: datetime,
    limit: RepeatLimit = USUAL_LIMIT,
    last_minute: LastMinute = USUAL_LAST_MINUTE,
    override: Override | None = None,
) -> BookingContext:
    places = places_for(db_session, session, user, now, limit)
    requirements = ()
    if session.course.prerequisites:
        requirements = requirements_for(db_session, session.course_id, user.id, now)
    return BookingContext(
        session,
        user,
        places,
        now,
        limit,
        last_minute,
        requirements=requirements,
        override=override,
        shares=shares_of(db_session, session),
    )


@dataclass(frozen=True)
class Offer:
    """What booking would do now, in the words the confirmation page shows; the decision
    made under the lock, in book(), is the one that counts."""

    outcome: Outcome
    heading: str
    explanation: str
    button: str
    #: The explanation is a warning: the person is not getting a place yet.
    warning: bool
    #: Approvals were found overdue: the caller releases them (app/bookings/overdue.py)
    #: and asks again.
    approvals_overdue: bool


def offer(
    db_session: Session,
    session: CourseSession,
    user: User,
    now: datetime,
    limit: RepeatLimit = USUAL_LIMIT,
    last_minute: LastMinute = USUAL_LAST_MINUTE,
) -> Offer:
    """Raises the refusal of the first rule that refuses (AlreadyBooked with the booking)."""
    context = booking_context(db_session, session, user, now, limit, last_minute)
    decision = decision_for(context)
    return Offer(
        outcome=decision.outcome,
        heading="Join the waiting list" if decision.outcome is Outcome.WAIT else "Book a place",
        explanation=EXPLANATIONS[decision.outcome](context),
        button="Join the waiting list" if decision.outcome is Outcome.WAIT else "Confirm booking",
        warning=decision.outcome in (Outcome.WAIT, Outcome.COORDINATOR),
        approvals_overdue=context.places.approvals_overdue > 0,
    )


def book_button(
    session: CourseSession, now: datetime, prerequisites_missing: bool, room: int | None
) -> str | None:
    """What the session's page offers to do: book a place, join the waiting list, or
    nothing (`room`: the places the person's sector could have, where the session shares
    its places; the booking page then says why and what booking would do)."""
    if session.is_cancelled or not session.booking_is_open(now) or prerequisites_missing:
        return None
    return "Join the waiting list" if session.is_full or room == 0 else "Book a place"


def waiting_explanation(context: BookingContext) -> str:
    waiting = context.places.waiting
    behind = f", behind {count_of_people(waiting)}" if waiting else ""
    then = (
        f" {missed_places(context)}, so a training coordinator will decide whether it is "
        "yours when one frees for you."
        if context.needs_coordinator
        else ""
    )
    frees = (
        "If a place frees that you could have, the first person waiting who could have it "
        "gets it and is emailed."
        if context.shares
        else "If a place frees, the first person waiting gets it and is emailed."
    )
    last_minute = context.last_minute
    offered = (
        f" In the last {duration_text(last_minute.window)} before the session, it is offered "
        f"to them instead, and they have {duration_text(last_minute.time_to_answer)} to "
        "accept it."
        if last_minute.window
        else ""
    )
    return f"{context.why_waiting}. You will join the waiting list{behind}. {frees}{offered}{then}"


def missed_places(context: BookingContext) -> str:
    wasted, months = context.places.wasted, context.limit.months
    places = "1 place" if wasted == 1 else f"{wasted} places"
    return (
        f"You have missed {places} in the last {months} months, by not attending or cancelling late"
    )


def coordinator_explanation(context: BookingContext) -> str:
    return (
        f"{missed_places(context)}. A training coordinator will decide whether this place is "
        f"yours: we hold it for you for up to {APPROVAL_TIME.days} days while they decide, "
        "and email you their decision."
    )


def approval_explanation(context: BookingContext) -> str:
    person = context.person
    return (
        "This course needs your line manager's approval. We will email "
        f"{person.line_manager_name or 'your line manager'} at {person.line_manager_email} "
        f"and hold your place for up to {APPROVAL_TIME.days} days while they decide."
    )


def confirm_explanation(context: BookingContext) -> str:
    return (
        f"{places_text(context.places_left)}. Your place is confirmed as soon as you book, "
        "and we email you a calendar invite."
    )


EXPLANATIONS = {
    Outcome.WAIT: waiting_explanation,
    Outcome.APPROVAL: approval_explanation,
    Outcome.COORDINATOR: coordinator_explanation,
    Outcome.CONFIRM: confirm_explanation,
}


# Locking


LOCKED_SESSION = (
    select(CourseSession)
    .where(CourseSession.id == bindparam("session_id"))
    .options(
        joinedload(CourseSession.course).joinedload(Course.prospectus),
        # Whether there are any, so the rules read them only for courses that have some.
        joinedload(CourseSession.course).joinedload(Course.prerequisites),
        # Mail about a booking says where the session is held.
        joinedload(CourseSession.venue),
        # As for prerequisites: most sessions share their places with nobody in particular.
        joinedload(CourseSession.sector_places),
    )
    .with_for_update(of=CourseSession)
    .execution_options(populate_existing=True)
)


def lock_session(db_session: Session, session_id: int, keep: User | None = None) -> CourseSession:
    """Begin a write transaction holding the session's lock, and load the session in it.

    `keep`: a person whose details, as read before the lock, are good enough. Raises
    TryAgain when the lock is busy, NotOffered when there is no such session.
    """
    write_transaction(db_session, keep)
    return lock_another_session(db_session, session_id)


def lock_another_session(db_session: Session, session_id: int) -> CourseSession:
    """Lock one more session in the write transaction already begun, and load it.

    Only for a change of several sessions at once, locked in the order of their ids.
    """
    try:
        found = db_session.scalars(LOCKED_SESSION, {"session_id": session_id})
        session = found.unique().one_or_none()
    except OperationalError as error:
        if not is_lock_failure(error):
            raise
        db_session.rollback()
        raise TryAgain from None
    if session is None:
        raise NotOffered
    return session


# Changing


def record(
    db_session: Session,
    booking: Booking,
    to_status: BookingStatus,
    now: datetime,
    reason: str,
    actor: User | None = None,
) -> None:
    """Move a booking to a new status and keep the change in its history."""
    db_session.add(
        BookingEvent(
            booking=booking,
            at=now,
            actor=actor,
            from_status=booking.status,
            to_status=to_status,
            reason=reason,
        )
    )
    booking.status = to_status


def book(
    db_session: Session,
    session_id: int,
    user: User,
    access_needs: str,
    now: datetime,
    confidence: Mapping[int, int] | None = None,
    limit: RepeatLimit = USUAL_LIMIT,
    last_minute: LastMinute = USUAL_LAST_MINUTE,
    override: Override | None = None,
) -> Done[Booking]:
    """Book a place, or a turn in the waiting list when the session is full, as
    BOOKING_RULES decide under the session's lock, with the person's confidence against
    the course's outcomes (by outcome id) if they gave it.

    A person who wasted places beyond the `limit` waits for a coordinator's decision, now
    or when a place frees for them. A coordinator booking the person (`override`) passes
    over that and the course's prerequisites.

    Approvals and offers left too long are released first (their places offered as
    `last_minute` says); the person leaves the course's interest list, if on it. Raises
    the first rule's refusal (AlreadyBooked, NotOffered, or a Refused), or TryAgain.
    """
    # The person's details are not what the lock protects: they are checked as read.
    session = lock_session(db_session, session_id, keep=user)
    notices: list[Notice] = []
    context = booking_context(db_session, session, user, now, limit, last_minute, override)
    if context.places.approvals_overdue:
        release_overdue_approvals(db_session, session, now, notices, last_minute)
        context = booking_context(db_session, session, user, now, limit, last_minute, override)
    if context.allocation.someone_waiting_could_take_a_place:
        # Places held for a sector let go since anything last changed: those waiting first.
        promote_from_waiting_list(db_session, session, now, notices, last_minute)
        context = booking_context(db_session, session, user, now, limit, last_minute, override)
    decision = decision_for(context)
    booking = add_booking(db_session, context, access_needs, decision)
    record_confidence(db_session, booking, confidence or {}, Stage.BEFORE, now)
    if context.places.on_interest_list:
        interest.leave(db_session, session.course_id, user.id)
    # Where the sectors' shares kept them waiting, the mail says how.
    why = context.why_waiting if context.shares else None
    notices.append(Notice(NOTICE_OF_NEW_BOOKING[decision.status], booking, message=why or ""))
    return Done(booking, notices)


# The ORM's INSERT ... RETURNING gives the booking back as a loaded Booking, at a fraction
# of the unit of work's cost, which was the largest part of a booking's time under the
# lock; its history's first row, which nothing reads back, is a plain INSERT.
INSERT_BOOKING = insert(Booking).returning(Booking)
INSERT_HISTORY = insert(BookingEvent.__table__)


def add_booking(
    db_session: Session, context: BookingContext, access_needs: str, decision: Decision
) -> Booking:
    """Write a new booking and the first entry of its history.

    Its created_at is the moment of writing: the waiting list's order is the order in
    which bookings took the lock.
    """
    session, user, now, override = context.session, context.person, context.now, context.override
    approval_expires_at = None
    if decision.status in DECISION_STATUSES:
        approval_expires_at = approval_deadline(session, now)
    values = {
        "session_id": session.id,
        "user_id": user.id,
        "agency_id": user.agency_id,
        "status": decision.status,
        "access_needs": access_needs.strip(),
        "manager_email": user.line_manager_email,
        "approval_expires_at": approval_expires_at,
        "needs_coordinator": context.needs_coordinator,
    }
    if override is None:
        booking = db_session.scalars(INSERT_BOOKING, [values]).one()
    else:
        booking = add_booking_for(db_session, values, override)
    # As a query loading it with its session and person would leave it: the mail about it
    # reads them, and the session could otherwise be let go and read again.
    set_committed_value(booking, "session", session)
    set_committed_value(booking, "user", user)
    db_session.connection().execute(
        INSERT_HISTORY,
        {
            "booking_id": booking.id,
            "at": now,
            "actor_id": (override.by if override else user).id,
            "to_status": decision.status,
            "reason": history_reason(context, decision),
        },
    )
    return booking


def add_booking_for(db_session: Session, values: dict, override: Override) -> Booking:
    """A booking a coordinator makes, through the unit of work so the audit log keeps it
    with its reason (the person's own bookings take the quicker way)."""
    booking = Booking(
        **values,
        booked_by_id=override.by.id,
        override_reason=override.reason,
        exempt_from_charges=override.exempt_from_charges,
    )
    db_session.add(booking)
    db_session.flush()
    return booking


def history_reason(context: BookingContext, decision: Decision) -> str:
    """The decision's words, and why where it says; for a coordinator's booking (whose
    name the history's actor gives), what it passed over and the coordinator's reason."""
    override = context.override
    if override is None:
        return f"{decision.reason}: {decision.why}"[:200] if decision.why else decision.reason
    passed_over = " without the prerequisites" if context.missing_prerequisites else ""
    return f"{decision.reason} by a coordinator{passed_over}: {override.reason}"


def book_for(
    db_session: Session,
    session_id: int,
    person: User,
    override: Override,
    now: datetime,
    limit: RepeatLimit = USUAL_LIMIT,
    last_minute: LastMinute = USUAL_LAST_MINUTE,
) -> Done[Booking]:
    """A coordinator books the person: as book(), passing over what `override` says, with
    its reason required. Refused, in the coordinator's words, for the coordinator
    themselves, and for a person whose account is closed or not yet confirmed, or who has
    no line manager for a course needing one."""
    reason = reason_given(
        override.reason, OVERRIDE_REASON_LENGTH, "Enter why you are booking this person"
    )
    if person.id == override.by.id:
        raise Refused("You cannot book yourself past the rules: ask another coordinator")
    if not person.active:
        raise Refused(f"{person.name}'s account is deactivated, so they cannot be booked")
    if not person.is_verified:
        raise Refused(
            f"{person.name} has not confirmed their email address yet, so they cannot be booked"
        )
    override = Override(override.by, reason, override.exempt_from_charges)
    try:
        return book(
            db_session,
            session_id,
            person,
            "",
            now,
            limit=limit,
            last_minute=last_minute,
            override=override,
        )
    except Refused as refusal:
        if refusal.field != DETAILS:
            raise
        # The only rule of the person's details left: a course needing their manager.
        raise Refused(
            f"This course needs {person.name}'s line manager's approval, and their details "
            "give no line manager's email address"
        ) from None


NOTICE_OF_NEW_BOOKING = {
    BookingStatus.WAITING: NoticeKind.WAITING,
    BookingStatus.AWAITING_APPROVAL: NoticeKind.APPROVAL_REQUESTED,
    BookingStatus.AWAITING_COORDINATOR: NoticeKind.COORDINATOR_ASKED,
    BookingStatus.CONFIRMED: NoticeKind.CONFIRMED,
}


def approval_deadline(session: CourseSession, now: datetime) -> datetime:
    """Seven days, until booking closes; a place offered from the waiting list after that
    still gives the manager until the session starts."""
    deadline = session.booking_closes if now < session.booking_closes else session.starts_at
    return min(now + APPROVAL_TIME, deadline)


def cancel(
    db_session: Session,
    booking_id: int,
    actor: User,
    now: datetime,
    reason: str = "cancelled",
    rates: ChargeRates = USUAL_RATES,
    last_minute: LastMinute = USUAL_LAST_MINUTE,
) -> Done[Booking]:
    """Cancel a booking; its place goes to the first person waiting.

    After the session's cut-off the cancellation is recorded as late, and charged at
    these rates (app/charges/service.py). A person cancelling a place offered to them at
    the last minute declines it: that wastes nothing.
    """
    session_id = db_session.scalar(select(Booking.session_id).where(Booking.id == booking_id))
    session = lock_session(db_session, session_id)
    notices: list[Notice] = []
    booking = cancel_under_lock(
        db_session, session, booking_id, actor, now, reason, notices, rates, last_minute
    )
    return Done(booking, notices)


def cancel_under_lock(
    db_session: Session,
    session: CourseSession,
    booking_id: int,
    actor: User,
    now: datetime,
    reason: str,
    notices: list[Notice],
    rates: ChargeRates | None = None,
    last_minute: LastMinute = USUAL_LAST_MINUTE,
) -> Booking:
    """cancel(), with the booking's session already locked by the caller; a late
    cancellation is charged only when `rates` are given."""
    booking = db_session.get(Booking, booking_id, populate_existing=True)
    if not booking.is_active:
        raise Refused("This booking is already cancelled")
    if session.has_started(now):
        raise Refused("This session has started, so the booking can no longer be cancelled")
    if booking.status is BookingStatus.OFFERED and actor.id == booking.user_id:
        # An offer whose time ran out is not theirs to decline: the next look passes it on.
        if reason := why_offer_closed(booking, now):
            raise Refused(reason)
        decline_the_offer(db_session, session, booking, now, notices, last_minute)
        return booking
    # Only a place that was the person's own is wasted by cancelling late, or was sent to
    # their calendar to be taken out again.
    held_a_place = booking.holds_its_own_place
    record(db_session, booking, BookingStatus.CANCELLED, now, reason, actor=actor)
    booking.cancelled_at = now
    booking.late_cancellation = held_a_place and now >= session.cancellation_cutoff
    withdraw_offers(db_session, booking, now)
    db_session.flush()
    notices.append(Notice(NoticeKind.CANCELLED, booking, held_a_place=held_a_place))
    notices += charges.follow_cancellation(booking, actor, rates, now)
    promote_from_waiting_list(db_session, session, now, notices, last_minute)
    return booking


def cancel_places_to_come(
    db_session: Session,
    user: User,
    actor: User,
    now: datetime,
    reason: str,
    last_minute: LastMinute = USUAL_LAST_MINUTE,
) -> Done[int]:
    """Cancel a person's places and turns on sessions still to come, as their account
    closes, so the places go to people waiting: each session locked in turn, in the order
    of their ids (as every change of several sessions locks them). An offer whose time ran
    out is left to the next look at its session, which passes it on. Returns how many were
    cancelled."""
    upcoming = db_session.execute(
        select(Booking.id, Booking.session_id)
        .join(Booking.session)
        .where(
            Booking.user_id == user.id,
            Booking.status.in_(ACTIVE_STATUSES),
            CourseSession.starts_at > now,
        )
        .order_by(Booking.session_id, Booking.id)
    ).all()
    notices: list[Notice] = []
    cancelled = 0
    for booking_id, session_id in upcoming:
        session = lock_another_session(db_session, session_id)
        try:
            cancel_under_lock(
                db_session, session, booking_id, actor, now, reason, notices,
                last_minute=last_minute,
            )  # fmt: skip
        except Refused:
            continue
        cancelled += 1
    return Done(cancelled, notices)


def withdraw_offers(db_session: Session, booking: Booking, now: datetime) -> None:
    """A place cancelled is no longer anyone's to give: its open offer to a colleague, if
    it has one, is withdrawn with it."""
    db_session.execute(
        update(BookingTransfer)
        .where(BookingTransfer.booking_id == booking.id, open_transfer())
        .values(withdrawn_at=now)
    )


def promote_from_waiting_list(
    db_session: Session,
    session: CourseSession,
    now: datetime,
    notices: list[Notice],
    last_minute: LastMinute = USUAL_LAST_MINUTE,
) -> list[Booking]:
    """Give free places to the people waiting, first come first served (or, at the last
    minute, offer them), adding the notices they are sent; returns their bookings. Call
    under lock."""
    promoted = []
    if session.status is SessionStatus.CANCELLED or session.has_started(now):
        return promoted
    allocation = allocation_of(db_session, session, now)
    if allocation.free <= 0 or not allocation.waiting:
        return promoted
    for booking in waiting_in_turn(db_session, session, allocation):
        sector = sector_of(booking.user)
        # Those the sectors' shares keep from a place keep their turn for the next.
        if allocation.room_for(sector) <= 0:
            continue
        allocation = allocation.taking(sector, was_waiting=True)
        if booking.needs_coordinator:
            ask_a_coordinator(db_session, session, booking, now, notices)
        else:
            give_the_place(db_session, session, booking, now, notices, last_minute)
        promoted.append(booking)
        if allocation.free <= 0:
            break
    db_session.flush()
    return promoted


def waiting_in_turn(
    db_session: Session, session: CourseSession, allocation: Allocation
) -> list[Booking]:
    """The people waiting, first come first; with no sharing between sectors, only as many
    as there are places free."""
    query = (
        select(Booking)
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.WAITING)
        .options(joinedload(Booking.user).joinedload(User.agency))
        .order_by(Booking.created_at, Booking.id)
    )
    if not allocation.shares:
        query = query.limit(allocation.free)
    return list(db_session.scalars(query))


def ask_a_coordinator(
    db_session: Session,
    session: CourseSession,
    booking: Booking,
    now: datetime,
    notices: list[Notice],
) -> None:
    hold_for_a_decision(
        db_session, session, booking, BookingStatus.AWAITING_COORDINATOR, now, "asked a coordinator"
    )
    notices.append(Notice(NoticeKind.COORDINATOR_ASKED, booking))


def hold_for_a_decision(
    db_session: Session,
    session: CourseSession,
    booking: Booking,
    status: BookingStatus,
    now: datetime,
    reason: str,
    actor: User | None = None,
) -> None:
    """The place is held for a manager's or a coordinator's decision, until its deadline."""
    record(db_session, booking, status, now, reason, actor)
    booking.approval_expires_at = approval_deadline(session, now)


def needs_a_manager(session: CourseSession, booking: Booking) -> bool:
    """The place waits for the line manager's approval before it is confirmed."""
    return session.course.requires_approval and bool(booking.manager_email)


def give_the_place(
    db_session: Session,
    session: CourseSession,
    booking: Booking,
    now: datetime,
    notices: list[Notice],
    last_minute: LastMinute = USUAL_LAST_MINUTE,
) -> None:
    """A place freed for someone waiting: at the last minute, offered to them until their
    time to answer runs out; else confirmed, or held while their line manager is asked
    when the course needs it."""
    if last_minute.applies_to(session, now):
        offer_the_place(db_session, session, booking, now, notices, last_minute)
    elif needs_a_manager(session, booking):
        hold_for_a_decision(
            db_session, session, booking, BookingStatus.AWAITING_APPROVAL, now, "asked for approval"
        )
        notices.append(Notice(NoticeKind.APPROVAL_REQUESTED, booking))
    else:
        record(db_session, booking, BookingStatus.CONFIRMED, now, "promoted from waiting list")
        booking.promoted_at = now
        notices.append(Notice(NoticeKind.PROMOTED, booking))


def offer_the_place(
    db_session: Session,
    session: CourseSession,
    booking: Booking,
    now: datetime,
    notices: list[Notice],
    last_minute: LastMinute,
) -> None:
    """Held for them, with its deadline in the booking's approval_expires_at, as a decision
    is: left unanswered, it is released like one (release_overdue_approvals)."""
    reason = "offered a place at the last minute"
    record(db_session, booking, BookingStatus.OFFERED, now, reason)
    booking.approval_expires_at = last_minute.deadline(session, now)
    notices.append(Notice(NoticeKind.LAST_MINUTE_OFFER, booking))


def decide(
    db_session: Session,
    booking_id: int,
    approve: bool,
    comment: str,
    now: datetime,
    last_minute: LastMinute = USUAL_LAST_MINUTE,
) -> Done[Booking]:
    """The line manager's answer; a decline, like an expiry, frees the place."""
    session_id = db_session.scalar(select(Booking.session_id).where(Booking.id == booking_id))
    if session_id is None:
        raise Refused("This approval link is not valid")
    session = lock_session(db_session, session_id)
    booking = db_session.get(Booking, booking_id, populate_existing=True)
    notices: list[Notice] = []
    release_overdue_approvals(db_session, session, now, notices, last_minute)
    if booking.status is not BookingStatus.AWAITING_APPROVAL:
        raise Refused("This booking has already been decided, or has expired or been cancelled")
    booking.manager_comment = comment.strip()
    if approve:
        record(db_session, booking, BookingStatus.CONFIRMED, now, "approved by line manager")
        db_session.flush()
        notices.append(Notice(NoticeKind.APPROVED, booking))
    else:
        record(db_session, booking, BookingStatus.DECLINED, now, "declined by line manager")
        db_session.flush()
        notices.append(Notice(NoticeKind.DECLINED, booking))
        promote_from_waiting_list(db_session, session, now, notices, last_minute)
    return Done(booking, notices)


def coordinator_decides(
    db_session: Session,
    booking_id: int,
    approve: bool,
    reason: str,
    actor: User,
    now: datetime,
    last_minute: LastMinute = USUAL_LAST_MINUTE,
) -> Done[Booking]:
    """A coordinator's decision on the booking of someone who missed too many places, with
    their reason, which the person is told. Approved, the place is theirs (or waits for
    their manager's approval, where the course asks for it); declined, it goes to the
    first person waiting."""
    reason = reason_given(reason, DECISION_REASON_LENGTH, "Enter the reason for your decision")
    session_id = db_session.scalar(select(Booking.session_id).where(Booking.id == booking_id))
    if session_id is None:
        raise NotOffered
    session = lock_session(db_session, session_id)
    booking = db_session.get(Booking, booking_id, populate_existing=True)
    notices: list[Notice] = []
    release_overdue_approvals(db_session, session, now, notices, last_minute)
    if booking.status is not BookingStatus.AWAITING_COORDINATOR:
        raise Refused("This booking has already been decided, or has expired or been cancelled")
    booking.coordinator_approved, booking.coordinator_reason = approve, reason
    if not approve:
        record(db_session, booking, BookingStatus.DECLINED, now, "declined by a coordinator", actor)
        db_session.flush()
        notices.append(Notice(NoticeKind.COORDINATOR_DECLINED, booking))
        promote_from_waiting_list(db_session, session, now, notices, last_minute)
    elif needs_a_manager(session, booking):
        hold_for_a_decision(
            db_session,
            session,
            booking,
            BookingStatus.AWAITING_APPROVAL,
            now,
            "approved by a coordinator, then asked for approval",
            actor,
        )
        notices.append(Notice(NoticeKind.COORDINATOR_APPROVED, booking))
    else:
        record(
            db_session, booking, BookingStatus.CONFIRMED, now, "approved by a coordinator", actor
        )
        notices.append(Notice(NoticeKind.COORDINATOR_APPROVED, booking))
    db_session.flush()
    return Done(booking, notices)


# Last-minute offers


def why_offer_closed(booking: Booking, now: datetime) -> str | None:
    """Why the place offered can no longer be accepted or declined; None while it can."""
    if booking.offer_answer is OfferAnswer.ACCEPTED:
        return "You have already accepted this place"
    if booking.offer_answer is OfferAnswer.DECLINED:
        return "You have already declined this place"
    if booking.offer_lapsed or (
        booking.status is BookingStatus.OFFERED and now >= booking.approval_expires_at
    ):
        deadline = booking.approval_expires_at
        return (
            f"The time to accept this place ran out at {clock_time(deadline)} on "
            f"{long_date(deadline)}, so it is no longer held for you. You can book again if "
            "places remain"
        )
    if booking.status is not BookingStatus.OFFERED:
        return "This place is not offered to you"
    if booking.session.is_cancelled:
        return "This session has been cancelled"
    return None


def locked_offer(
    db_session: Session, booking_id: int, now: datetime
) -> tuple[CourseSession, Booking]:
    """The session under its lock, and the booking whose offer is still open; raises
    NotOffered for no such booking, Refused (why_offer_closed) for an offer closed."""
    session_id = db_session.scalar(select(Booking.session_id).where(Booking.id == booking_id))
    if session_id is None:
        raise NotOffered
    session = lock_session(db_session, session_id)
    booking = db_session.get(Booking, booking_id, populate_existing=True)
    if reason := why_offer_closed(booking, now):
        raise Refused(reason)
    return session, booking


def accept_offer(db_session: Session, booking_id: int, now: datetime) -> Done[Booking]:
    """The person takes the place offered to them: it is confirmed, with its calendar
    invite, or held while their line manager is asked, where the course needs it.

    Refused, changing nothing, once the offer has been answered or its time has run out.
    """
    session, booking = locked_offer(db_session, booking_id, now)
    booking.offer_answer = OfferAnswer.ACCEPTED
    if needs_a_manager(session, booking):
        hold_for_a_decision(
            db_session,
            session,
            booking,
            BookingStatus.AWAITING_APPROVAL,
            now,
            "accepted the offer, then asked for approval",
            booking.user,
        )
        notice = Notice(NoticeKind.APPROVAL_REQUESTED, booking)
    else:
        person = booking.user
        record(db_session, booking, BookingStatus.CONFIRMED, now, "accepted the offer", person)
        booking.promoted_at = now
        notice = Notice(NoticeKind.CONFIRMED, booking)
    db_session.flush()
    return Done(booking, [notice])


def decline_offer(
    db_session: Session,
    booking_id: int,
    now: datetime,
    last_minute: LastMinute = USUAL_LAST_MINUTE,
) -> Done[Booking]:
    """The person turns down the place offered to them: it goes to the next person
    waiting. Refused, changing nothing, once the offer has been answered or its time has
    run out."""
    session, booking = locked_offer(db_session, booking_id, now)
    notices: list[Notice] = []
    decline_the_offer(db_session, session, booking, now, notices, last_minute)
    return Done(booking, notices)


def decline_the_offer(
    db_session: Session,
    session: CourseSession,
    booking: Booking,
    now: datetime,
    notices: list[Notice],
    last_minute: LastMinute,
) -> None:
    """The person turns down the place offered, under the session's lock: it was never
    theirs, so nothing is wasted (no late cancellation, no charge); it goes to the next
    person waiting."""
    booking.offer_answer = OfferAnswer.DECLINED
    record(db_session, booking, BookingStatus.DECLINED, now, "declined the offer", booking.user)
    db_session.flush()
    notices.append(Notice(NoticeKind.LAST_MINUTE_OFFER_DECLINED, booking))
    promote_from_waiting_list(db_session, session, now, notices, last_minute)


def keep_offers_before_the_start(db_session: Session, session: CourseSession) -> None:
    """A session moved earlier cuts short the time to answer its offers: an offer never
    runs past the start."""
    db_session.execute(
        update(Booking)
        .where(
            Booking.session_id == session.id,
            Booking.status == BookingStatus.OFFERED,
            Booking.approval_expires_at > session.starts_at,
        )
        .values(approval_expires_at=session.starts_at)
    )


# Approvals and offers left unanswered too long


def release_overdue_approvals(
    db_session: Session,
    session: CourseSession,
    now: datetime,
    notices: list[Notice],
    last_minute: LastMinute = USUAL_LAST_MINUTE,
) -> int:
    """Release the places held for answers that did not come by their deadline (a
    manager's or a coordinator's approval, or a last-minute offer), and give them to people
    waiting; how many were released. Call under lock."""
    overdue = db_session.scalars(
        select(Booking).where(
            Booking.session_id == session.id,
            Booking.status.in_(DECISION_STATUSES),
            Booking.approval_expires_at <= now,
        )
    ).all()
    for booking in overdue:
        kind, reason = EXPIRY_NOTICES[booking.status], EXPIRY_REASONS[booking.status]
        if booking.status is BookingStatus.OFFERED:
            booking.offer_answer = OfferAnswer.LAPSED
        record(db_session, booking, BookingStatus.DECLINED, now, reason)
        booking.approval_expired = True
        notices.append(Notice(kind, booking))
    db_session.flush()
    if overdue:
        promote_from_waiting_list(db_session, session, now, notices, last_minute)
    return len(overdue)


EXPIRY_NOTICES = {
    BookingStatus.AWAITING_APPROVAL: NoticeKind.APPROVAL_EXPIRED,
    BookingStatus.AWAITING_COORDINATOR: NoticeKind.COORDINATOR_EXPIRED,
    BookingStatus.OFFERED: NoticeKind.LAST_MINUTE_OFFER_LAPSED,
}

#: What the booking's history says of each, once its place is released.
EXPIRY_REASONS = {
    BookingStatus.AWAITING_APPROVAL: "approval expired",
    BookingStatus.AWAITING_COORDINATOR: "approval expired",
    BookingStatus.OFFERED: "offer not answered in time",
}


def sessions_with_overdue_approvals(
    db_session: Session, now: datetime, session_id: int | None = None
) -> list[int]:
    """The sessions holding places for approvals or offers left unanswered too long (or
    whether this one is)."""
    query = select(Booking.session_id).where(
        Booking.status.in_(DECISION_STATUSES), Booking.approval_expires_at <= now
    )
    if session_id is not None:
        query = query.where(Booking.session_id == session_id)
    return list(db_session.scalars(query.distinct()))


def release_session_approvals(
    db_session: Session,
    session_id: int,
    now: datetime,
    last_minute: LastMinute = USUAL_LAST_MINUTE,
) -> Done[int]:
    """Release one session's overdue approvals and offers, under its lock, in a
    transaction of its own."""
    session = lock_session(db_session, session_id)
    notices: list[Notice] = []
    released = release_overdue_approvals(db_session, session, now, notices, last_minute)
    return Done(released, notices)


# Reading bookings


def active_booking(db_session: Session, session_id: int, user: User) -> Booking | None:
    return db_session.scalar(
        select(Booking).where(
            Booking.session_id == session_id,
            Booking.user_id == user.id,
            Booking.status.in_(ACTIVE_STATUSES),
        )
    )


def confirmed_bookings(db_session: Session, session_id: int) -> list[Booking]:
    return list(
        db_session.scalars(
            select(Booking)
            .where(Booking.session_id == session_id, Booking.status == BookingStatus.CONFIRMED)
            .options(joinedload(Booking.user))
            .order_by(Booking.id)
        )
    )


def still_waiting(db_session: Session, session_id: int) -> list[Booking]:
    """Bookings waiting for a place, or holding one for an answer (a manager's, a
    coordinator's, or their own to a place offered), in the order they came."""
    return list(
        db_session.scalars(
            select(Booking)
            .where(
                Booking.session_id == session_id,
                Booking.status.in_((BookingStatus.WAITING, *DECISION_STATUSES)),
            )
            .options(joinedload(Booking.user))
            .order_by(Booking.id)
        )
    )


def active_bookings(db_session: Session, session_id: int) -> list[Booking]:
    """Everyone booked or waiting, with their accounts."""
    return list(
        db_session.scalars(
            select(Booking)
            .where(Booking.session_id == session_id, Booking.status.in_(ACTIVE_STATUSES))
            .options(joinedload(Booking.user))
            .order_by(Booking.id)
        )
    )
