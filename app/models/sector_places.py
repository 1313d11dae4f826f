"""How a session shares its places between the sectors of the workforce."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Timestamped, enum_column
from app.models.catalogue import CourseSession, Sector

#: The most days before a session that places may be held for a sector until.
HELD_UNTIL_DAYS_MOST = 365


class SectorPlaces(Timestamped, db.Model):
    """One sector's share of a session's places: at most `most` of them ("at most 4 police
    places"), and `held` of them kept for the sector until `held_until_days` before the
    start ("at least 6 places held for health until 14 days before"), so that every room
    mixes the agencies that must learn to work together."""

    __tablename__ = "sector_places"
    __table_args__ = (
        CheckConstraint("most >= 0", name="most_not_negative"),
        CheckConstraint("held >= 1", name="held_positive"),
        CheckConstraint(
            f"held_until_days BETWEEN 0 AND {HELD_UNTIL_DAYS_MOST}", name="held_until_days_range"
        ),
        CheckConstraint("most IS NOT NULL OR held IS NOT NULL", name="most_or_held"),
        CheckConstraint("(held IS NULL) = (held_until_days IS NULL)", name="held_with_its_days"),
        CheckConstraint("held IS NULL OR most IS NULL OR held <= most", name="held_within_most"),
    )

    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id"), primary_key=True)
    sector: Mapped[Sector] = mapped_column(enum_column(Sector), primary_key=True)
    most: Mapped[int | None]
    held: Mapped[int | None]
    #: Days before the start when the places held are let go to everyone (0: the start).
    held_until_days: Mapped[int | None]

    session: Mapped[CourseSession] = relationship(back_populates="sector_places")
