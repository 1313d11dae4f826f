"""The people who use the site, their roles and the agencies that employ them."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.extensions import db
from app.models.base import Timestamped, UTCDateTime, enum_column
from app.models.catalogue import Sector


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class Role(enum.StrEnum):
    """What an account may do beyond booking: every account is a professional."""

    PROFESSIONAL = "professional"
    TRAINER = "trainer"
    COORDINATOR = "coordinator"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ChargingBand(enum.StrEnum):
    """Whether an agency is charged for places its people waste."""

    PARTNER = "partner"
    VOLUNTARY = "voluntary"
    CHARGEABLE = "chargeable"

    @property
    def label(self) -> str:
        return CHARGING_BAND_LABELS[self]

    @property
    def is_charged(self) -> bool:
        return self is ChargingBand.CHARGEABLE


CHARGING_BAND_LABELS = {
    ChargingBand.PARTNER: "Partner agency (never charged)",
    ChargingBand.VOLUNTARY: "Voluntary or community group (never charged)",
    ChargingBand.CHARGEABLE: "Chargeable",
}


#: The largest headcount an agency may be given: more is surely a slip of the keyboard.
HEADCOUNT_MOST = 200_000


class Agency(Timestamped, db.Model):
    """The employer of a professional, in a sector; reports group by it."""

    __table_args__ = (CheckConstraint("headcount > 0", name="headcount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[Sector] = mapped_column(enum_column(Sector))
    # False for a name a professional typed in because theirs was not on the list:
    # coordinators check it, then list it or merge it into an existing agency.
    listed: Mapped[bool] = mapped_column(default=True)
    # Chosen by a coordinator; one a professional typed in is chargeable until checked.
    charging_band: Mapped[ChargingBand] = mapped_column(
        enum_column(ChargingBand), default=ChargingBand.CHARGEABLE
    )
    #: How many people the agency has in the children's workforce, as a coordinator was
    #: told it; reports set the people trained against it. None until someone enters it.
    headcount: Mapped[int | None]


class User(UserMixin, Timestamped, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    line_manager_name: Mapped[str] = mapped_column(String(200), default="")
    line_manager_email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The secret part of the address of the person's calendar feed, made with the account;
    # replacing it retires the old address.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_calendar_token)
    # Part of the id kept in the session cookie: raising it signs the person out everywhere.
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.PROFESSIONAL)
    # Retention erases accounts with no activity for years, signing in among it.
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the person's details were replaced by a pseudonym (app/privacy/erasure.py).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency | None] = relationship()

    @validates("email", "line_manager_email")
    def normalise_email(self, key: str, address: str | None) -> str | None:
        """Addresses compare case-insensitively, so they are kept in lower case."""
        return address.strip().lower() if address else None

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_coordinator(self) -> bool:
        return self.role is Role.COORDINATOR

    @property
    def is_trainer(self) -> bool:
        """Trainers and coordinators both have the trainer's screens."""
        return self.role in (Role.TRAINER, Role.COORDINATOR)
