"""A confirmed place given by its holder to a colleague from the same agency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime
from app.models.bookings import Booking
from app.models.people import User

#: SQL: the offer is still open: neither claimed, returned nor withdrawn.
OPEN_TRANSFER_SQL = "claimed_at IS NULL AND returned_at IS NULL AND withdrawn_at IS NULL"


def open_transfer():
    """SQL: the transfer is an open offer (as OPEN_TRANSFER_SQL, which its index uses)."""
    return (
        BookingTransfer.claimed_at.is_(None)
        & BookingTransfer.returned_at.is_(None)
        & BookingTransfer.withdrawn_at.is_(None)
    )


class BookingTransfer(db.Model):
    """A place handed on: at once to a colleague with an account (claimed as it is made),
    or offered to a colleague's address until they claim it, it is withdrawn, or it runs
    out and stays with the person who offered it.

    The booking given ends; the colleague's place is a booking of their own
    (`to_booking`), so each person's calendar event keeps its own UID and SEQUENCE.
    """

    __tablename__ = "booking_transfer"
    __table_args__ = (
        # No booking is offered twice at once.
        Index(
            "uq_booking_transfer_one_open_per_booking",
            "booking_id",
            unique=True,
            sqlite_where=text(OPEN_TRANSFER_SQL),
            postgresql_where=text(OPEN_TRANSFER_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    from_user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    to_email: Mapped[str] = mapped_column(String(254))
    #: Who handed the place on (the person who held it, so far).
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    to_booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))

    booking: Mapped[Booking] = relationship(foreign_keys=[booking_id])
    from_user: Mapped[User] = relationship(foreign_keys=[from_user_id])
    by: Mapped[User] = relationship(foreign_keys=[by_id])
    to_user: Mapped[User | None] = relationship(foreign_keys=[to_user_id])
    to_booking: Mapped[Booking | None] = relationship(foreign_keys=[to_booking_id])

    @property
    def is_open(self) -> bool:
        return self.claimed_at is None and self.returned_at is None and self.withdrawn_at is None
