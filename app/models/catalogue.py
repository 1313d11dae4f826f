"""The catalogue: prospectuses, courses, their audiences, venues and dated sessions."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.extensions import db
from app.models.base import Timestamped, UTCDateTime, enum_column, split_lines, utcnow

if TYPE_CHECKING:
    from app.models.bookings import Booking
    from app.models.outcomes import LearningOutcome
    from app.models.people import User
    from app.models.prerequisites import Prerequisite
    from app.models.reviews import LessonLink
    from app.models.sector_places import SectorPlaces


class Sector(enum.StrEnum):
    """The part of the children's workforce an agency, or a course's audience, belongs to."""

    HEALTH = "health"
    POLICE = "police"
    EDUCATION = "education"
    SOCIAL_CARE = "social-care"
    EARLY_YEARS = "early-years"
    VOLUNTARY = "voluntary"
    HOUSING = "housing"
    OTHER = "other"

    @property
    def label(self) -> str:
        return SECTOR_LABELS[self]


SECTOR_LABELS = {
    Sector.HEALTH: "Health",
    Sector.POLICE: "Police",
    Sector.EDUCATION: "Education",
    Sector.SOCIAL_CARE: "Social care",
    Sector.EARLY_YEARS: "Early years",
    Sector.VOLUNTARY: "Voluntary and community",
    Sector.HOUSING: "Housing",
    Sector.OTHER: "Other",
}


class Delivery(enum.StrEnum):
    IN_PERSON = "in-person"
    LIVE_ONLINE = "live-online"
    E_LEARNING = "e-learning"

    @property
    def label(self) -> str:
        return DELIVERY_LABELS[self]


DELIVERY_LABELS = {
    Delivery.IN_PERSON: "In person",
    Delivery.LIVE_ONLINE: "Live online",
    Delivery.E_LEARNING: "E-learning (hosted elsewhere)",
}


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


LEVELS = (1, 2, 3, 4)

#: The CPD hours a course may carry, in half hours: a week of full days at most.
CPD_HOURS_LEAST = Decimal("0.5")
CPD_HOURS_MOST = Decimal("40")
#: A half day, the commonest length, for a course whose hours nobody has given.
DEFAULT_CPD_HOURS = Decimal("3")
#: How often a course may ask to be attended again, in years.
REFRESH_YEARS_LEAST = 1
REFRESH_YEARS_MOST = 10


class Prospectus(Timestamped, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    published: Mapped[bool] = mapped_column(default=False)

    courses: Mapped[list[Course]] = relationship(back_populates="prospectus")


class Course(Timestamped, db.Model):
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
        CheckConstraint("cpd_hours BETWEEN 0.5 AND 40", name="cpd_hours_range"),
        CheckConstraint("refresh_years BETWEEN 1 AND 10", name="refresh_years_range"),
        CheckConstraint("non_attendance_charge_pence >= 0", name="non_attendance_charge_range"),
        CheckConstraint(
            "late_cancellation_charge_pence >= 0", name="late_cancellation_charge_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prospectus_id: Mapped[int] = mapped_column(ForeignKey("prospectus.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[int]
    #: How long it takes, as people read it ("Half day (9:30am to 12:30pm)").
    duration: Mapped[str] = mapped_column(String(100), default="")
    #: What attending counts for in continuing professional development, in hours.
    cpd_hours: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=DEFAULT_CPD_HOURS)
    #: Attended again every so many years (safeguarding training goes out of date); None
    #: for a course attended once.
    refresh_years: Mapped[int | None]
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery))
    charges_policy: Mapped[str] = mapped_column(Text, default="")
    #: What a no-show or a late cancellation costs on this course, in pence, when it is not
    #: the partnership's usual charge (None); 0 charges nothing.
    non_attendance_charge_pence: Mapped[int | None]
    late_cancellation_charge_pence: Mapped[int | None]
    what_to_bring: Mapped[str] = mapped_column(Text, default="")
    #: What to read before the session, sent with the reminder (Markdown).
    pre_course_reading: Mapped[str] = mapped_column(Text, default="")
    external_url: Mapped[str | None] = mapped_column(String(500))
    # A place is held while the professional's line manager is asked to approve it.
    requires_approval: Mapped[bool] = mapped_column(default=False)
    # The coordinator's choice: a certificate waits for the person's evaluation.
    certificate_after_evaluation: Mapped[bool] = mapped_column(default=False)
    published: Mapped[bool] = mapped_column(default=False)

    prospectus: Mapped[Prospectus] = relationship(back_populates="courses")
    sessions: Mapped[list[CourseSession]] = relationship(
        back_populates="course", order_by="CourseSession.starts_at"
    )
    audience_sectors: Mapped[list[CourseAudience]] = relationship(
        back_populates="course",
        cascade="all, delete-orphan",
        order_by="CourseAudience.sector",
    )
    lesson_links: Mapped[list[LessonLink]] = relationship(
        back_populates="course", cascade="all, delete-orphan"
    )
    #: The courses to attend before this one, in the order the coordinator added them.
    prerequisites: Mapped[list[Prerequisite]] = relationship(
        back_populates="course",
        cascade="all, delete-orphan",
        foreign_keys="Prerequisite.course_id",
        order_by="Prerequisite.id",
    )
    #: Every outcome the course has had, removed ones too, in their order.
    all_outcomes: Mapped[list[LearningOutcome]] = relationship(
        back_populates="course",
        cascade="all, delete-orphan",
        order_by="LearningOutcome.position",
    )
    #: The outcomes the course teaches now, in their order.
    outcomes: Mapped[list[LearningOutcome]] = relationship(
        primaryjoin="and_(LearningOutcome.course_id == Course.id, "
        "LearningOutcome.removed_at.is_(None))",
        order_by="LearningOutcome.position",
        viewonly=True,
    )

    @validates("external_url")
    def validate_external_url(self, key: str, url: str | None) -> str | None:
        """Only web addresses: a `javascript:` link must never reach a page or a PDF."""
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("The e-learning address must start with http:// or https://")
        return url or None

    @property
    def is_public(self) -> bool:
        """Published in a published prospectus: its page is open to everyone."""
        return self.published and self.prospectus.published

    @property
    def is_elsewhere(self) -> bool:
        """An e-learning course hosted elsewhere: it has a link instead of sessions."""
        return self.delivery is Delivery.E_LEARNING

    @property
    def sectors(self) -> list[Sector]:
        return [row.sector for row in self.audience_sectors]


class CourseAudience(Timestamped, db.Model):
    """A sector of the workforce a course is meant for; filters the prospectus."""

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), primary_key=True)
    sector: Mapped[Sector] = mapped_column(enum_column(Sector), primary_key=True)

    course: Mapped[Course] = relationship(back_populates="audience_sectors")


class Venue(Timestamped, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    access_information: Mapped[str] = mapped_column(Text, default="")

    @property
    def address_lines(self) -> list[str]:
        return split_lines(self.address)


session_trainer = db.Table(
    "session_trainer",
    db.Column("session_id", ForeignKey("course_session.id"), primary_key=True),
    db.Column("user_id", ForeignKey("user.id"), primary_key=True, index=True),
)


#: The most places a session may have: more is surely a slip of the keyboard.
MAX_CAPACITY = 500


class CourseSession(Timestamped, db.Model):
    """One dated delivery of a course."""

    __tablename__ = "course_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        Index("ix_course_session_course_starts", "course_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"), index=True)
    # For online sessions: given only to people with a confirmed place, never published.
    online_join_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int]
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus), default=SessionStatus.SCHEDULED
    )
    published: Mapped[bool] = mapped_column(default=False)
    # Booking is open from booking_opens_at (or at once) until booking_closes_at (or the start).
    booking_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    booking_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Cancelling later than this many hours before the start is a late cancellation.
    cancellation_cutoff_hours: Mapped[int] = mapped_column(default=72)
    # Rises whenever the time, venue or status changes, so calendars take the update.
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancellation_reason: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Course] = relationship(back_populates="sessions")
    venue: Mapped[Venue | None] = relationship()
    bookings: Mapped[list[Booking]] = relationship(back_populates="session")
    trainers: Mapped[list[User]] = relationship(secondary="session_trainer", order_by="User.name")
    #: How its places are shared between sectors, where the coordinator says so.
    sector_places: Mapped[list[SectorPlaces]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SectorPlaces.sector"
    )

    @validates("online_join_url")
    def validate_online_join_url(self, key: str, url: str | None) -> str | None:
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("The joining link must start with http:// or https://")
        return url or None

    @property
    def is_online(self) -> bool:
        return self.venue_id is None

    @property
    def is_cancelled(self) -> bool:
        return self.status is SessionStatus.CANCELLED

    # places_taken counts the session's bookings, so it is defined after Booking, in
    # bookings.py.
    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.places_left == 0

    def has_started(self, now: datetime) -> bool:
        return self.starts_at <= now

    def has_ended(self, now: datetime) -> bool:
        return self.ends_at <= now

    @property
    def booking_closes(self) -> datetime:
        return self.booking_closes_at or self.starts_at

    def booking_is_open(self, now: datetime) -> bool:
        opened = self.booking_opens_at is None or self.booking_opens_at <= now
        return opened and now < self.booking_closes

    @property
    def cancellation_cutoff(self) -> datetime:
        return self.starts_at - timedelta(hours=self.cancellation_cutoff_hours)


@event.listens_for(CourseSession.trainers, "append")
@event.listens_for(CourseSession.trainers, "remove")
def touch_session_when_trainers_change(session: CourseSession, *args) -> None:
    """Feeds show a trainer's sessions: a change of trainers is a change of the session."""
    session.updated_at = utcnow()
