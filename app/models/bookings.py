"""Bookings: places and waiting-list turns on sessions, their history and attendance."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, and_, func, select, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.extensions import db
from app.models.base import Timestamped, UTCDateTime, enum_column
from app.models.catalogue import CourseSession
from app.models.people import Agency, User

if TYPE_CHECKING:
    from app.models.certificates import Certificate
    from app.models.charges import Charge


class BookingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    AWAITING_APPROVAL = "awaiting-approval"
    #: The person missed too many places lately: a coordinator decides whether it is theirs.
    AWAITING_COORDINATOR = "awaiting-coordinator"
    #: A place freed close to the session, offered to the first person waiting, held for
    #: them until they accept it or their time to answer runs out.
    OFFERED = "offered"
    CANCELLED = "cancelled"
    DECLINED = "declined"


class OfferAnswer(enum.StrEnum):
    """What became of a place offered at the last minute."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    #: Not answered by its deadline: the place went to the next person waiting.
    LAPSED = "lapsed"


#: Bookings that hold one of a session's places.
PLACE_HOLDING_STATUSES = (
    BookingStatus.CONFIRMED,
    BookingStatus.AWAITING_APPROVAL,
    BookingStatus.AWAITING_COORDINATOR,
    BookingStatus.OFFERED,
)

#: Bookings holding a place until an answer comes by the booking's deadline
#: (approval_expires_at): a line manager's, a coordinator's, or, for a place offered at the
#: last minute, the person's own. Left unanswered, the place is released.
DECISION_STATUSES = (
    BookingStatus.AWAITING_APPROVAL,
    BookingStatus.AWAITING_COORDINATOR,
    BookingStatus.OFFERED,
)

#: Bookings a person can hold only one of per session.
ACTIVE_STATUSES = (
    BookingStatus.CONFIRMED,
    BookingStatus.AWAITING_APPROVAL,
    BookingStatus.AWAITING_COORDINATOR,
    BookingStatus.OFFERED,
    BookingStatus.WAITING,
)


class Attendance(enum.StrEnum):
    """What the trainer's register says of a confirmed place, from the session's start."""

    ATTENDED = "attended"
    DID_NOT_ATTEND = "did-not-attend"
    LEFT_EARLY = "left-early"

    @property
    def label(self) -> str:
        return ATTENDANCE_LABELS[self]


ATTENDANCE_LABELS = {
    Attendance.ATTENDED: "Attended",
    Attendance.DID_NOT_ATTEND: "Did not attend",
    Attendance.LEFT_EARLY: "Left early",
}


def _active_statuses_sql() -> str:
    return "status IN ({})".format(", ".join(f"'{status.value}'" for status in ACTIVE_STATUSES))


class Booking(Timestamped, db.Model):
    """One person's place on one session, or their turn in its waiting list."""

    __table_args__ = (
        # The database itself refuses a second active booking by one person for one session.
        Index(
            "uq_booking_one_active_per_person",
            "session_id",
            "user_id",
            unique=True,
            sqlite_where=text(_active_statuses_sql()),
            postgresql_where=text(_active_statuses_sql()),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # The agency the person was in when the booking was made: reports count people in the
    # agency they were in at the time, whichever they have moved to since.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    status: Mapped[BookingStatus] = mapped_column(enum_column(BookingStatus))
    access_needs: Mapped[str] = mapped_column(Text, default="")
    manager_email: Mapped[str | None] = mapped_column(String(254))
    # The deadline of the answer a place is held for (DECISION_STATUSES): the line
    # manager's, a coordinator's, or the person's own to a place offered at the last minute.
    approval_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    manager_comment: Mapped[str] = mapped_column(Text, default="")
    # Declined because that answer did not come by its deadline, rather than as an answer.
    approval_expired: Mapped[bool] = mapped_column(default=False)
    # Offered a place at the last minute: what became of the offer (None if never offered).
    offer_answer: Mapped[OfferAnswer | None] = mapped_column(enum_column(OfferAnswer))
    # The person had missed too many places when they booked (app/bookings/service.py):
    # a coordinator decides before the place is theirs, now or when it frees for them.
    needs_coordinator: Mapped[bool] = mapped_column(default=False)
    # The coordinator's answer (None until given) and their reason, which the person is told.
    coordinator_approved: Mapped[bool | None]
    coordinator_reason: Mapped[str] = mapped_column(Text, default="")
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_cancellation: Mapped[bool] = mapped_column(default=False)
    # Added to the register by the trainer when the person turned up without a place;
    # it takes none of the session's places.
    walk_in: Mapped[bool] = mapped_column(default=False)
    attendance: Mapped[Attendance | None] = mapped_column(enum_column(Attendance))
    attendance_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Booked for the person by a coordinator, who passes over the rules a person booking
    # for themselves must meet (prerequisites, a coordinator's decision after repeated
    # non-attendance); why is kept here and in the booking's history.
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    override_reason: Mapped[str] = mapped_column(Text, default="")
    # The coordinator who booked it said the place is never charged, whatever the band of
    # the person's agency.
    exempt_from_charges: Mapped[bool] = mapped_column(default=False)

    session: Mapped[CourseSession] = relationship(back_populates="bookings")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    agency: Mapped[Agency | None] = relationship()
    attendance_marked_by: Mapped[User | None] = relationship(foreign_keys=[attendance_marked_by_id])
    booked_by: Mapped[User | None] = relationship(foreign_keys=[booked_by_id])
    history: Mapped[list[BookingEvent]] = relationship(
        back_populates="booking", order_by="BookingEvent.id", cascade="all, delete-orphan"
    )
    certificate: Mapped[Certificate | None] = relationship(back_populates="booking")
    #: Every charge raised against it, cancelled ones too, oldest first.
    charges: Mapped[list[Charge]] = relationship(back_populates="booking", order_by="Charge.id")

    @property
    def standing_charge(self) -> Charge | None:
        return next((charge for charge in self.charges if charge.is_standing), None)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def holds_its_own_place(self) -> bool:
        """The place is the person's to waste: cancelling late wastes it. A place offered at
        the last minute is not theirs until they accept it, and a walk-in takes none."""
        return (
            self.status in PLACE_HOLDING_STATUSES
            and self.status is not BookingStatus.OFFERED
            and not self.walk_in
        )

    @property
    def offer_lapsed(self) -> bool:
        return self.offer_answer is OfferAnswer.LAPSED

    @property
    def declined_the_offer(self) -> bool:
        return self.offer_answer is OfferAnswer.DECLINED

    @property
    def declined_by_coordinator(self) -> bool:
        return self.status is BookingStatus.DECLINED and self.coordinator_approved is False

    @property
    def coordinator_did_not_decide(self) -> bool:
        """Released because no coordinator decided in time, rather than a manager."""
        return (
            self.approval_expired and self.coordinator_approved is None and self.needs_coordinator
        )

    @property
    def earns_certificate(self) -> bool:
        """A confirmed place marked attended; leaving early earns no certificate."""
        return self.status is BookingStatus.CONFIRMED and self.attendance is Attendance.ATTENDED


def holds_a_place():
    """SQL: the booking takes one of its session's places (people who walked in do not)."""
    return and_(Booking.status.in_(PLACE_HOLDING_STATUSES), Booking.walk_in.is_(False))


def attended_the_whole_course():
    """SQL: Booking.earns_certificate, a confirmed place marked attended."""
    return and_(
        Booking.status == BookingStatus.CONFIRMED, Booking.attendance == Attendance.ATTENDED
    )


class BookingEvent(db.Model):
    """One change of a booking's state: when, who, from, to and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    from_status: Mapped[BookingStatus | None] = mapped_column(
        enum_column(BookingStatus, name="from_status")
    )
    to_status: Mapped[BookingStatus] = mapped_column(enum_column(BookingStatus, name="to_status"))
    reason: Mapped[str] = mapped_column(String(200))

    booking: Mapped[Booking] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class BookingNoticeSent(db.Model):
    """A message sent once of a booking, whenever the time came (a reminder, say): its row,
    written in the transaction that writes the message, claims it, so that two runs of the
    scheduled work at once cannot both send it."""

    __tablename__ = "booking_notice_sent"

    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


# A session's places_taken is a query over Booking, so it is attached here rather than in
# catalogue.py, which cannot import bookings without a cycle.
# Loaded only where a query asks for it (undefer), so listing sessions never costs a
# query per row; touching it unasked raises instead of quietly querying.
CourseSession.places_taken = column_property(
    select(func.count(Booking.id))
    .where(Booking.session_id == CourseSession.id, holds_a_place())
    .correlate_except(Booking)
    .scalar_subquery(),
    deferred=True,
    raiseload=True,
)
