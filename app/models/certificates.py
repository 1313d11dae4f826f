"""Certificates: proof that a person attended a session, checked by a public code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime
from app.models.bookings import Booking


class Certificate(db.Model):
    """Issued when a booking is marked attended; revoked if that mark is taken back.

    One a booking: marking it attended again after a revocation restores the same
    certificate, code and all, since the mark it proves was only corrected.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), unique=True)
    #: Random, not derived from any id: four groups of four, stored without the dashes.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship(back_populates="certificate")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
