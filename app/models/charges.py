"""Charges: money an agency owes for a place wasted, by a no-show or a late cancellation."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, enum_column
from app.models.bookings import Booking
from app.models.people import Agency, User


class ChargeReason(enum.StrEnum):
    DID_NOT_ATTEND = "did-not-attend"
    LATE_CANCELLATION = "late-cancellation"

    @property
    def label(self) -> str:
        return CHARGE_REASON_LABELS[self]


CHARGE_REASON_LABELS = {
    ChargeReason.DID_NOT_ATTEND: "Did not attend",
    ChargeReason.LATE_CANCELLATION: "Late cancellation",
}

#: A charge stands until the mark it followed is changed back (cancelled_at).
STANDING_SQL = "cancelled_at IS NULL"


class Charge(db.Model):
    """A charge against a booking, its person and their agency at the time it was raised.

    A booking has at most one standing charge (the index below); one cancelled because its
    mark was changed back stays, and a new one is raised if the mark is given again. A
    waived charge still stands, with who waived it and why, but is owed by nobody: counting
    a person's non-attendances is the standing, unwaived charges raised since a date.
    """

    __table_args__ = (
        Index(
            "uq_charge_one_standing_per_booking",
            "booking_id",
            unique=True,
            sqlite_where=text(STANDING_SQL),
            postgresql_where=text(STANDING_SQL),
        ),
        Index("ix_charge_user_id_raised_at", "user_id", "raised_at"),
        CheckConstraint("amount_pence > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    amount_pence: Mapped[int]
    reason: Mapped[ChargeReason] = mapped_column(enum_column(ChargeReason))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    waive_reason: Mapped[str] = mapped_column(String(500), default="")

    booking: Mapped[Booking] = relationship(back_populates="charges")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    agency: Mapped[Agency] = relationship()
    waived_by: Mapped[User | None] = relationship(foreign_keys=[waived_by_id])

    @property
    def is_standing(self) -> bool:
        return self.cancelled_at is None

    @property
    def is_waived(self) -> bool:
        return self.waived_at is not None

    @property
    def is_owed(self) -> bool:
        return self.is_standing and not self.is_waived

    @property
    def status_label(self) -> str:
        if not self.is_standing:
            return "Cancelled"
        return "Waived" if self.is_waived else "Charged"
