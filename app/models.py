"""The partnership's catalogue, people and bookings as typed SQLAlchemy models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    event,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship, validates

from app.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime, stored naive so SQLite and PostgreSQL behave alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Datetimes stored in the database must be timezone-aware.")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


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


class BookingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    AWAITING_APPROVAL = "awaiting-approval"
    CANCELLED = "cancelled"
    DECLINED = "declined"


#: Bookings that hold one of a session's places.
PLACE_HOLDING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.AWAITING_APPROVAL)


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


class Role(enum.StrEnum):
    """What an account may do beyond booking: every account is a professional."""

    PROFESSIONAL = "professional"
    TRAINER = "trainer"
    COORDINATOR = "coordinator"

    @property
    def label(self) -> str:
        return self.value.capitalize()


LEVELS = (1, 2, 3, 4)


def enum_column(enum_class: type[enum.StrEnum], length: int = 20, name: str | None = None):
    """A string column holding an enum's values, checked by a named constraint.

    Two such columns of one enum in one table need a `name` each for their constraints.
    """
    return db.Enum(
        enum_class,
        values_callable=lambda members: [member.value for member in members],
        native_enum=False,
        length=length,
        create_constraint=True,
        name=name or enum_class.__name__.lower(),
        validate_strings=True,
    )


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


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
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prospectus_id: Mapped[int] = mapped_column(ForeignKey("prospectus.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    learning_outcomes: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[int]
    duration: Mapped[str] = mapped_column(String(100), default="")
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery))
    charges_policy: Mapped[str] = mapped_column(Text, default="")
    what_to_bring: Mapped[str] = mapped_column(Text, default="")
    external_url: Mapped[str | None] = mapped_column(String(500))
    # A place is held while the professional's line manager is asked to approve it.
    requires_approval: Mapped[bool] = mapped_column(default=False)
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

    @validates("external_url")
    def validate_external_url(self, key: str, url: str | None) -> str | None:
        """Only web addresses: a `javascript:` link must never reach a page or a PDF."""
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("The e-learning address must start with http:// or https://")
        return url or None

    @property
    def outcomes(self) -> list[str]:
        return split_lines(self.learning_outcomes)

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


class Agency(Timestamped, db.Model):
    """The employer of a professional, in a sector; reports group by it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[Sector] = mapped_column(enum_column(Sector))
    # False for a name a professional typed in because theirs was not on the list:
    # coordinators check it, then list it or merge it into an existing agency.
    listed: Mapped[bool] = mapped_column(default=True)


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
    # The secret part of the address of the person's calendar feed; replacing it retires
    # the old address.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Part of the id kept in the session cookie: raising it signs the person out everywhere.
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.PROFESSIONAL)

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
    def is_coordinator(self) -> bool:
        return self.role is Role.COORDINATOR

    @property
    def is_trainer(self) -> bool:
        """Trainers and coordinators both have the trainer's screens."""
        return self.role in (Role.TRAINER, Role.COORDINATOR)


#: Bookings a person can hold only one of per session.
ACTIVE_STATUSES = (
    BookingStatus.CONFIRMED,
    BookingStatus.AWAITING_APPROVAL,
    BookingStatus.WAITING,
)


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
    status: Mapped[BookingStatus] = mapped_column(enum_column(BookingStatus))
    access_needs: Mapped[str] = mapped_column(Text, default="")
    manager_email: Mapped[str | None] = mapped_column(String(254))
    approval_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    manager_comment: Mapped[str] = mapped_column(Text, default="")
    # Declined because the manager did not answer in time, rather than by the manager.
    approval_expired: Mapped[bool] = mapped_column(default=False)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_cancellation: Mapped[bool] = mapped_column(default=False)
    # Added to the register by the trainer when the person turned up without a place;
    # it takes none of the session's places.
    walk_in: Mapped[bool] = mapped_column(default=False)
    attendance: Mapped[Attendance | None] = mapped_column(enum_column(Attendance))
    attendance_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    session: Mapped[CourseSession] = relationship(back_populates="bookings")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    attendance_marked_by: Mapped[User | None] = relationship(foreign_keys=[attendance_marked_by_id])
    history: Mapped[list[BookingEvent]] = relationship(
        back_populates="booking", order_by="BookingEvent.id", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


def holds_a_place():
    """SQL: the booking takes one of its session's places (people who walked in do not)."""
    return and_(Booking.status.in_(PLACE_HOLDING_STATUSES), Booking.walk_in.is_(False))


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

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.places_left == 0

    def has_started(self, now: datetime) -> bool:
        return self.starts_at <= now

    @property
    def booking_closes(self) -> datetime:
        return self.booking_closes_at or self.starts_at

    def booking_is_open(self, now: datetime) -> bool:
        opened = self.booking_opens_at is None or self.booking_opens_at <= now
        return opened and now < self.booking_closes

    @property
    def cancellation_cutoff(self) -> datetime:
        return self.starts_at - timedelta(hours=self.cancellation_cutoff_hours)


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


@event.listens_for(CourseSession.trainers, "append")
@event.listens_for(CourseSession.trainers, "remove")
def touch_session_when_trainers_change(session: CourseSession, *args) -> None:
    """Feeds show a trainer's sessions: a change of trainers is a change of the session."""
    session.updated_at = utcnow()


class CaseReview(Timestamped, db.Model):
    """A published serious case review (child safeguarding practice review)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    key_findings: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(default=False)

    reports: Mapped[list[CaseReviewReport]] = relationship(
        back_populates="case_review",
        cascade="all, delete-orphan",
        order_by="CaseReviewReport.position",
    )
    lesson_links: Mapped[list[LessonLink]] = relationship(
        back_populates="case_review", cascade="all, delete-orphan"
    )

    @property
    def findings(self) -> list[str]:
        return split_lines(self.key_findings)


class CaseReviewReport(Timestamped, db.Model):
    """A published document of a case review: an overview report or a summary."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_review_id: Mapped[int] = mapped_column(ForeignKey("case_review.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)

    case_review: Mapped[CaseReview] = relationship(back_populates="reports")


class LessonLink(Timestamped, db.Model):
    """A course draws on a case review; the note says how the course uses it."""

    __table_args__ = (UniqueConstraint("course_id", "case_review_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    case_review_id: Mapped[int] = mapped_column(ForeignKey("case_review.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Course] = relationship(back_populates="lesson_links")
    case_review: Mapped[CaseReview] = relationship(back_populates="lesson_links")


class AuditEntry(db.Model):
    """One change a trainer or coordinator made to a record: who, when, what, before, after."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # None for a change made from the command line.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    record_type: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[int]
    record_label: Mapped[str] = mapped_column(String(300), default="")
    # {field: [before, after]}, values as JSON (dates in ISO 8601).
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """An email waiting to go, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # An iCalendar invite or cancellation sent with the message, and its METHOD.
    calendar: Mapped[str | None] = mapped_column(Text)
    calendar_method: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
