"""The audit log: every change a trainer or coordinator makes, recorded as it is flushed.

Changes are caught at the session, not in each view, so none can be missed: a request
in the trainer's or coordinator's area names its actor with `record_changes_by`, and
from then on every insert, update and delete of the records below is written to
`audit_entry` in the same transaction as the change itself.
"""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import History

from app.models import (
    Agency,
    AuditEntry,
    Booking,
    BookingTransfer,
    CaseReview,
    CaseReviewReport,
    Charge,
    Course,
    CourseAudience,
    CourseSession,
    ExternalTraining,
    KeyFinding,
    LearningOutcome,
    LessonLink,
    Prerequisite,
    Prospectus,
    SectorPlaces,
    User,
    Venue,
    utcnow,
)

ACTOR_KEY = "audit_actor"
# Old values read from the database before a flush, for fields changed without being loaded.
UNLOADED_KEY = "audit_unloaded_before"

#: What each record is called in the log, and how one is named there.
AUDITED = {
    Prospectus: ("prospectus", lambda record: record.title),
    Course: ("course", lambda record: record.title),
    CourseAudience: ("course audience", lambda record: f"course {record.course_id}"),
    LearningOutcome: (
        "learning outcome",
        lambda record: f"course {record.course_id}: {record.text[:60]}",
    ),
    CourseSession: ("session", lambda record: f"session {record.id}"),
    SectorPlaces: (
        "places per sector",
        lambda record: f"session {record.session_id}: {record.sector.label}",
    ),
    Venue: ("venue", lambda record: record.name),
    Agency: ("agency", lambda record: record.name),
    CaseReview: ("case review", lambda record: record.title),
    CaseReviewReport: ("case review report", lambda record: record.title),
    KeyFinding: (
        "key finding",
        lambda record: f"review {record.case_review_id}: {record.text[:60]}",
    ),
    LessonLink: (
        "lesson link",
        lambda record: f"course {record.course_id}, review {record.case_review_id}",
    ),
    Prerequisite: (
        "prerequisite",
        lambda record: f"course {record.course_id} requires course {record.required_course_id}",
    ),
    User: ("person", lambda record: record.email),
    Booking: ("booking", lambda record: f"booking {record.id}"),
    BookingTransfer: ("booking transfer", lambda record: f"booking {record.booking_id}"),
    Charge: ("charge", lambda record: f"charge {record.id}, booking {record.booking_id}"),
    ExternalTraining: (
        "external training",
        lambda record: (
            f"person {record.user_id}, course {record.course_id}, "
            f"completed {record.completed_on.isoformat()}"
        ),
    ),
}

#: Lists of other records logged as a field of the record holding them: (field, name of one).
AUDITED_LISTS = {
    CourseSession: ("trainers", lambda trainer: trainer.name),
    LessonLink: ("key_findings", lambda finding: finding.text),
}

#: Secrets are never copied into the log; that they changed is enough.
REDACTED = {"password_hash", "calendar_token"}
#: Bookkeeping every change touches, which says nothing of its own.
IGNORED = {"updated_at", "created_at"}

RECORD_TYPES = sorted(name for name, _ in AUDITED.values())


def record_changes_by(db_session: Session, actor_id: int | None) -> None:
    """From now on, log this session's changes as made by this person (None: the CLI)."""
    db_session.info[ACTOR_KEY] = actor_id


def stop_recording(db_session: Session) -> None:
    db_session.info.pop(ACTOR_KEY, None)


def as_json(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # As text, as typed: 2.5 hours stays 2.5, which a float need not.
        return str(value)
    return value


def column_changes(
    record, unloaded_before: dict, *, created: bool = False, deleted: bool = False
) -> dict:
    """{field: [before, after]} for each column, and each list in AUDITED_LISTS, that changed."""
    changes = {}
    state = inspect(record)
    unloaded = unloaded_before.get(id(record), {})
    for attribute in state.mapper.column_attrs:
        key = attribute.key
        if key in IGNORED or key == "id":
            continue
        if key in state.unloaded:
            continue
        history: History = state.attrs[key].history
        current = getattr(record, key)
        if created:
            if current is None or current == "":
                continue
            before, after = None, current
        elif deleted:
            before, after = current, None
        elif history.has_changes():
            before = history.deleted[0] if history.deleted else unloaded.get(key)
            after = current
            if before == after:
                continue
        else:
            continue
        if key in REDACTED:
            before, after = ("(hidden)" if before else None), ("(hidden)" if after else None)
        changes[key] = [as_json(before), as_json(after)]
    listed = AUDITED_LISTS.get(type(record))
    if listed is not None and listed[0] not in state.unloaded:
        key, name = listed
        history = state.attrs[key].history
        if history.has_changes() or (created and getattr(record, key)):
            before = sorted(name(item) for item in history.unchanged + history.deleted)
            after = sorted(name(item) for item in getattr(record, key))
            changes[key] = [None if created else before, after]
    return changes


def record_id_of(record) -> int:
    """A course's audience rows and a session's places per sector have no id of their own:
    they are logged under their course and their session."""
    if isinstance(record, CourseAudience):
        return record.course_id
    if isinstance(record, SectorPlaces):
        return record.session_id
    return record.id


def entries_for_flush(db_session: Session) -> list[dict]:
    actor_id = db_session.info.get(ACTOR_KEY)
    now = utcnow()
    rows = []
    for action, records in (
        ("created", db_session.new),
        ("changed", db_session.dirty),
        ("deleted", db_session.deleted),
    ):
        for record in records:
            described = AUDITED.get(type(record))
            if described is None:
                continue
            changes = column_changes(
                record,
                db_session.info.get(UNLOADED_KEY, {}),
                created=action == "created",
                deleted=action == "deleted",
            )
            if action == "changed" and not changes:
                continue
            record_type, label = described
            rows.append(
                {
                    "at": now,
                    "actor_id": actor_id,
                    "action": action,
                    "record_type": record_type,
                    "record_id": record_id_of(record),
                    "record_label": str(label(record))[:300],
                    "changes": changes,
                }
            )
    return rows


def fields_set_without_loading(record) -> list[str]:
    """Fields given a new value while expired (after a commit, say): their old value is
    not in memory, only in the database."""
    state = inspect(record)
    return [
        attribute.key
        for attribute in state.mapper.column_attrs
        if attribute.key not in IGNORED
        and state.attrs[attribute.key].history.added
        and not state.attrs[attribute.key].history.deleted
    ]


def read_unloaded_old_values(db_session: Session, flush_context, instances) -> None:
    """Before the flush writes them over, read the old values the log would otherwise miss."""
    if ACTOR_KEY not in db_session.info:
        return
    found = {}
    for record in db_session.dirty:
        if type(record) not in AUDITED or not (keys := fields_set_without_loading(record)):
            continue
        table = inspect(record).mapper.local_table
        row = db_session.execute(
            select(*(table.c[key] for key in keys)).where(table.c.id == record.id)
        ).one()
        found[id(record)] = dict(zip(keys, row, strict=True))
    db_session.info[UNLOADED_KEY] = found


def write_audit_entries(db_session: Session, flush_context) -> None:
    """Runs inside the flush, so the log is committed, or rolled back, with the change."""
    if ACTOR_KEY not in db_session.info:
        return
    if rows := entries_for_flush(db_session):
        db_session.connection().execute(AuditEntry.__table__.insert(), rows)
    db_session.info.pop(UNLOADED_KEY, None)


def init_app() -> None:
    """Listen to every session's flushes; they are logged only once an actor is named."""
    if not event.contains(Session, "after_flush", write_audit_entries):
        event.listen(Session, "before_flush", read_unloaded_old_values)
        event.listen(Session, "after_flush", write_audit_entries)
