"""The rules of charges: when one is raised, for how much, when it is cancelled, waived.

A charge follows the booking's state, as a certificate follows its mark: the register's
`give_mark` (app/sessions/service.py) and the cancellation of a booking
(app/bookings/service.py) call these functions under the session's lock, so a charge is
saved with the mark or the cancellation that raised it, or not at all.

- A "did not attend" mark raises one once the session has ended. Trainers may mark
  no-shows from the start, so the register can be done during the session; a mark given
  before the end raises its charge when the session ends (`raise_due_charges`, a job of
  `flask tick`), unless the mark has changed by then.
- A cancellation after the session's cut-off by the person (or for them) raises one; the
  bookings cancelled because a coordinator closed the account raise none, nor does
  turning down a place offered at the last minute, which was never the person's.
- Only an agency in the chargeable band is charged, and nothing when the amount (the
  course's own, else the partnership's usual one) is £0; a person with no agency is
  charged nothing, as there is nobody to invoice; nor is a place a coordinator booked
  saying it is never charged.
- Any mark other than "did not attend" cancels a no-show charge, and says so in the
  booking's history; the cancelled charge is kept.
- A coordinator may waive a charge with a reason; it stays, with who and why.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload, object_session, selectinload

from app.display import pounds
from app.models import (
    Agency,
    Attendance,
    Booking,
    BookingEvent,
    BookingStatus,
    Charge,
    ChargeReason,
    ChargingBand,
    Course,
    CourseSession,
    SessionStatus,
    User,
)
from app.notices import Done, Notice, NoticeKind
from app.refusals import Refused, reason_given

#: The partnership's usual charges, when no setting says otherwise: £50 each.
USUAL_CHARGE_PENCE = 5000
WAIVE_REASON_LENGTH = 500
#: A no-show marked during a session is charged when it ends, by the scheduled work,
#: within this long: after it the register is locked to trainers (MARKS_LOCK_AFTER).
DUE_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class ChargeRates:
    """The partnership's usual charges, in pence (settings NON_ATTENDANCE_CHARGE and
    LATE_CANCELLATION_CHARGE)."""

    non_attendance_pence: int = USUAL_CHARGE_PENCE
    late_cancellation_pence: int = USUAL_CHARGE_PENCE


USUAL_RATES = ChargeRates()


def rates_from(settings: Mapping) -> ChargeRates:
    return ChargeRates(
        non_attendance_pence=settings["NON_ATTENDANCE_CHARGE"],
        late_cancellation_pence=settings["LATE_CANCELLATION_CHARGE"],
    )


def amount_for(course: Course, reason: ChargeReason, rates: ChargeRates) -> int:
    """The course's own charge where it sets one (0 included), else the usual one."""
    if reason is ChargeReason.DID_NOT_ATTEND:
        own, usual = course.non_attendance_charge_pence, rates.non_attendance_pence
    else:
        own, usual = course.late_cancellation_charge_pence, rates.late_cancellation_pence
    return usual if own is None else own


def amount_charged(
    agency: Agency | None, course: Course, reason: ChargeReason, rates: ChargeRates
) -> int | None:
    """What an agency would be charged for this on the course, in pence; None for
    nothing: there is no agency to invoice, it is never charged, or the amount is £0."""
    if agency is None or not agency.charging_band.is_charged:
        return None
    amount = amount_for(course, reason, rates)
    return amount if amount > 0 else None


def amount_owed(booking: Booking, reason: ChargeReason, rates: ChargeRates) -> int | None:
    """What the booking's agency would be charged for this, in pence; None for nothing,
    as for `amount_charged`, or when the place is never charged."""
    if booking.exempt_from_charges:
        return None
    return amount_charged(booking.user.agency, booking.session.course, reason, rates)


@dataclass(frozen=True)
class ChargesOfCourse:
    """What a place wasted on a course costs, in pence (0: nothing), for one agency when
    the person looking has one, else for a chargeable agency."""

    non_attendance_pence: int
    late_cancellation_pence: int
    agency: Agency | None = None

    @property
    def charges_anything(self) -> bool:
        return bool(self.non_attendance_pence or self.late_cancellation_pence)


def charges_of_course(course: Course, agency: Agency | None, rates: ChargeRates) -> ChargesOfCourse:
    """What wasting a place would cost `agency` (or, without one, an agency that is
    charged): for the person to know before they book."""
    if agency is None:
        return ChargesOfCourse(
            amount_for(course, ChargeReason.DID_NOT_ATTEND, rates),
            amount_for(course, ChargeReason.LATE_CANCELLATION, rates),
        )
    return ChargesOfCourse(
        amount_charged(agency, course, ChargeReason.DID_NOT_ATTEND, rates) or 0,
        amount_charged(agency, course, ChargeReason.LATE_CANCELLATION, rates) or 0,
        agency,
    )


def charge_if_cancelled_late(booking: Booking, rates: ChargeRates) -> int | None:
    """What cancelling this booking after its cut-off would cost its agency, for the
    person to know before they cancel; None when it would cost nothing."""
    if not booking.holds_its_own_place:
        return None
    return amount_owed(booking, ChargeReason.LATE_CANCELLATION, rates)


def raise_charge(
    booking: Booking,
    reason: ChargeReason,
    rates: ChargeRates,
    now: datetime,
    actor: User | None = None,
) -> Charge | None:
    """A new charge against the booking, its person and their agency; None when the
    agency is not charged, the amount is £0, or the booking has a standing charge."""
    amount = amount_owed(booking, reason, rates)
    if amount is None or booking.standing_charge is not None:
        return None
    agency = booking.user.agency
    charge = Charge(
        user=booking.user, agency=agency, amount_pence=amount, reason=reason, raised_at=now
    )
    booking.charges.append(charge)
    note(booking, f"Charged {pounds(amount)} to {agency.name}: {reason.label.lower()}", now, actor)
    return charge


def manager_told(booking: Booking) -> str | None:
    """The line manager's address told of the booking's charges, where there is one."""
    return booking.user.line_manager_email or booking.manager_email


def note(booking: Booking, what: str, now: datetime, actor: User | None = None) -> None:
    """A line in the booking's history that leaves its status as it is."""
    object_session(booking).add(
        BookingEvent(
            booking=booking,
            at=now,
            actor=actor,
            from_status=booking.status,
            to_status=booking.status,
            reason=what[:200],
        )
    )


def follow_mark(
    booking: Booking, actor: User, rates: ChargeRates | None, now: datetime
) -> list[Notice]:
    """Raise or cancel the booking's no-show charge to match its mark, just given; what
    the person (and their manager) are to be told. `rates` None: raise none."""
    session = booking.session
    if booking.attendance is Attendance.DID_NOT_ATTEND:
        if rates is None or not session.has_ended(now):
            return []
        charge = raise_charge(booking, ChargeReason.DID_NOT_ATTEND, rates, now, actor)
        return [Notice(NoticeKind.CHARGE_RAISED, booking)] if charge else []
    charge = booking.standing_charge
    if charge is None or charge.reason is not ChargeReason.DID_NOT_ATTEND:
        return []
    charge.cancelled_at = now
    mark = booking.attendance.label.lower() if booking.attendance else "unmarked"
    note(booking, f"Charge of {pounds(charge.amount_pence)} cancelled: marked {mark}", now, actor)
    return [Notice(NoticeKind.CHARGE_CANCELLED, booking)]


def follow_cancellation(
    booking: Booking, actor: User, rates: ChargeRates | None, now: datetime
) -> list[Notice]:
    """Raise the late cancellation charge of a booking just cancelled after the cut-off;
    `rates` None: raise none."""
    if rates is None or not booking.late_cancellation:
        return []
    charge = raise_charge(booking, ChargeReason.LATE_CANCELLATION, rates, now, actor)
    return [Notice(NoticeKind.CHARGE_RAISED, booking)] if charge else []


def raise_due_charges(db_session: Session, now: datetime, rates: ChargeRates) -> Done[int]:
    """Charge the no-shows marked before their session ended, now that it has: under each
    session's lock, so two runs at once charge nobody twice. How many were charged."""
    # Imported here: the booking rules import this module to charge late cancellations.
    from app.bookings import service as bookings

    session_ids = db_session.scalars(
        select(Booking.session_id).distinct().join(Booking.session).where(*due_for_a_charge(now))
    ).all()
    notices: list[Notice] = []
    for position, session_id in enumerate(session_ids):
        lock = bookings.lock_session if position == 0 else bookings.lock_another_session
        lock(db_session, session_id)
        due = db_session.scalars(
            select(Booking)
            .join(Booking.session)
            .where(Booking.session_id == session_id, *due_for_a_charge(now))
            .options(
                joinedload(Booking.user).joinedload(User.agency),
                joinedload(Booking.session).joinedload(CourseSession.course),
                selectinload(Booking.charges),
            )
            .execution_options(populate_existing=True)
        ).all()
        for booking in due:
            if raise_charge(booking, ChargeReason.DID_NOT_ATTEND, rates, now):
                notices.append(Notice(NoticeKind.CHARGE_RAISED, booking))
    db_session.flush()
    return Done(len(notices), notices)


def due_for_a_charge(now: datetime) -> tuple:
    """SQL: a no-show marked during the session, with no standing charge, at a chargeable
    agency, on a session that ended recently enough to be charged by the scheduled work."""
    standing = select(Charge.id).where(
        Charge.booking_id == Booking.id, Charge.cancelled_at.is_(None)
    )
    chargeable = (
        select(Agency.id)
        .join(User, User.agency_id == Agency.id)
        .where(User.id == Booking.user_id, Agency.charging_band == ChargingBand.CHARGEABLE)
    )
    return (
        Booking.status == BookingStatus.CONFIRMED,
        Booking.attendance == Attendance.DID_NOT_ATTEND,
        Booking.exempt_from_charges.is_(False),
        # Marks given after the end were charged as they were given, or not at all.
        Booking.attendance_marked_at < CourseSession.ends_at,
        CourseSession.status == SessionStatus.SCHEDULED,
        CourseSession.ends_at <= now,
        CourseSession.ends_at > now - DUE_WITHIN,
        ~standing.exists(),
        chargeable.exists(),
    )


def waive(
    db_session: Session, charge_id: int, reason: str, actor: User, now: datetime
) -> Done[Charge]:
    """Waive a standing charge, with the coordinator's reason; it stays on the record."""
    charge = db_session.get(Charge, charge_id)
    if charge is None:
        raise Refused("There is no such charge")
    reason = reason_given(reason, WAIVE_REASON_LENGTH, "Enter why the charge is waived")
    if not charge.is_standing:
        raise Refused("This charge was cancelled when the mark was changed: nothing is owed")
    if charge.is_waived:
        raise Refused(f"This charge was already waived by {charge.waived_by.name}")
    charge.waived_at, charge.waived_by, charge.waive_reason = now, actor, reason
    note(charge.booking, f"Charge of {pounds(charge.amount_pence)} waived: {reason}", now, actor)
    db_session.flush()
    return Done(charge, [Notice(NoticeKind.CHARGE_WAIVED, charge.booking)])


def wasted_places(user_id, since):
    """SQL: how many places the person wasted since then (see wasted_a_place). `user_id`
    and `since` are values or bound parameters."""
    return (
        select(func.count(Booking.id))
        .join(Booking.session)
        .where(Booking.user_id == user_id, wasted_a_place(since))
    )


def wasted_a_place(since):
    """SQL, of a booking joined to its session: a no-show of a session that ended since
    then, or a cancellation after the cut-off since then, whose charge (if any) was not
    waived.

    Read from the bookings rather than the charges, since a partner agency's people waste
    places too, though their agency is never charged.
    """
    return and_(
        or_(
            and_(
                Booking.status == BookingStatus.CONFIRMED,
                Booking.attendance == Attendance.DID_NOT_ATTEND,
                CourseSession.ends_at >= since,
            ),
            and_(Booking.late_cancellation.is_(True), Booking.cancelled_at >= since),
        ),
        ~charge_waived().exists(),
    )


def charge_waived():
    """SQL: the booking's standing charge that a coordinator waived."""
    return select(Charge.id).where(
        Charge.booking_id == Booking.id,
        Charge.cancelled_at.is_(None),
        Charge.waived_at.is_not(None),
    )


def non_attendances(db_session: Session, user_id: int, since: datetime) -> int:
    return db_session.scalar(wasted_places(user_id, since))
