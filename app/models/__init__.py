"""The partnership's catalogue, people and bookings as typed SQLAlchemy models, by area."""

# Every module is imported here, so each model is mapped before the first query configures
# the mappers and resolves relationships named by string across modules.
from app.models.audit import AuditEntry
from app.models.base import Timestamped, UTCDateTime, enum_column, split_lines, utcnow
from app.models.bookings import (
    ACTIVE_STATUSES,
    ATTENDANCE_LABELS,
    PLACE_HOLDING_STATUSES,
    Attendance,
    Booking,
    BookingEvent,
    BookingNoticeSent,
    BookingStatus,
    holds_a_place,
)
from app.models.catalogue import (
    CPD_HOURS_LEAST,
    CPD_HOURS_MOST,
    DEFAULT_CPD_HOURS,
    DELIVERY_LABELS,
    LEVELS,
    MAX_CAPACITY,
    REFRESH_YEARS_LEAST,
    REFRESH_YEARS_MOST,
    SECTOR_LABELS,
    Course,
    CourseAudience,
    CourseSession,
    Delivery,
    Prospectus,
    Sector,
    SessionStatus,
    Venue,
    session_trainer,
    touch_session_when_trainers_change,
)
from app.models.certificates import Certificate
from app.models.outbox import OutboxMessage, OutboxStatus
from app.models.people import Agency, Role, User
from app.models.reviews import CaseReview, CaseReviewReport, LessonLink

__all__ = [
    "ACTIVE_STATUSES",
    "ATTENDANCE_LABELS",
    "CPD_HOURS_LEAST",
    "CPD_HOURS_MOST",
    "DEFAULT_CPD_HOURS",
    "DELIVERY_LABELS",
    "LEVELS",
    "MAX_CAPACITY",
    "PLACE_HOLDING_STATUSES",
    "REFRESH_YEARS_LEAST",
    "REFRESH_YEARS_MOST",
    "SECTOR_LABELS",
    "Agency",
    "Attendance",
    "AuditEntry",
    "Booking",
    "BookingEvent",
    "BookingNoticeSent",
    "BookingStatus",
    "CaseReview",
    "CaseReviewReport",
    "Certificate",
    "Course",
    "CourseAudience",
    "CourseSession",
    "Delivery",
    "LessonLink",
    "OutboxMessage",
    "OutboxStatus",
    "Prospectus",
    "Role",
    "Sector",
    "SessionStatus",
    "Timestamped",
    "UTCDateTime",
    "User",
    "Venue",
    "enum_column",
    "holds_a_place",
    "session_trainer",
    "split_lines",
    "touch_session_when_trainers_change",
    "utcnow",
]
