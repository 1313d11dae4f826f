"""Erasure: a person's name, address and words replaced everywhere by a pseudonym.

The account's row stays, as do its bookings, attendance, evaluations' ratings and
charges, each with the agency of its time (Booking.agency_id), so every count the reports
make by agency, sector and course is the same after an erasure as before it. What is
gone is what says who the person was: their name, email address, job title, line
manager, access needs, everything they or others wrote about them, their uploaded
certificates and the mail sent to them.

Places the person holds or waits for on sessions yet to start are cancelled through the
booking rules, so they pass to the waiting list with the usual mail to those promoted,
and without a charge: nothing is sent to the person erased.
"""

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

from markupsafe import escape
from sqlalchemy import String, cast, delete, or_, select
from sqlalchemy.orm import Session

from app.audit import stop_recording
from app.bookings import service as bookings
from app.database import write_transaction
from app.external_training import files
from app.models import (
    AuditEntry,
    Booking,
    BookingEvent,
    BookingTransfer,
    Charge,
    CourseInterest,
    Evaluation,
    ExternalTraining,
    FollowUp,
    InterestNoticeSent,
    OutboxMessage,
    OutboxStatus,
    Role,
    User,
)
from app.models.people import new_calendar_token
from app.notices import Done, Notice
from app.refusals import Refused

#: Where the pseudonymous addresses point: a domain that can never receive mail (RFC 2606).
ERASED_DOMAIN = "erased.invalid"
ERASED_TEXT = "(erased)"
#: Fields of the audit log's changes that hold a person's details or words about them.
PERSONAL_FIELDS = {
    "name",
    "email",
    "job_title",
    "line_manager_name",
    "line_manager_email",
    "access_needs",
    "manager_email",
    "manager_comment",
    "coordinator_reason",
    "override_reason",
    "certificate_name",
    "decision_reason",
    "waive_reason",
    "to_email",
}


class ErasureRefused(Refused):
    """This account cannot be erased; the message says why."""


def pseudonym(user_id: int) -> str:
    return f"Erased person {user_id}"


def pseudonymous_email(user_id: int) -> str:
    return f"erased-{user_id}@{ERASED_DOMAIN}"


def why_not_erasable(user: User) -> str | None:
    """Trainers and coordinators are named on sessions and in the audit log as the people
    who ran them: a coordinator makes their account a professional's first."""
    if user.is_erased:
        return "This account has already been erased"
    if user.role is not Role.PROFESSIONAL:
        return (
            f"A {user.role.value}'s account cannot be erased: ask a coordinator to make it "
            "a professional's account first"
        )
    return None


@dataclass(frozen=True)
class Identity:
    """What is searched for and replaced in text: the person's name and address, as typed
    and as escaped in HTML mail."""

    user_id: int
    name: str
    email: str

    @cached_property
    def replacements(self) -> list[tuple[re.Pattern, str]]:
        pairs = {}
        for form in {self.email, html.escape(self.email), str(escape(self.email))}:
            pairs[form] = pseudonymous_email(self.user_id)
        for form in {self.name, html.escape(self.name), str(escape(self.name))}:
            if form.strip():
                pairs[form] = pseudonym(self.user_id)
        # Longest first, so an address containing the name is replaced whole.
        return [
            (re.compile(rf"(?<!\w){re.escape(found)}(?!\w)", re.IGNORECASE), replacement)
            for found, replacement in sorted(pairs.items(), key=lambda pair: -len(pair[0]))
        ]

    def scrub(self, text: str | None) -> str | None:
        if not text:
            return text
        for pattern, replacement in self.replacements:
            text = pattern.sub(replacement, text)
        return text

    def scrub_json(self, value):
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub_json(item) for key, item in value.items()}
        return value


def erase(db_session: Session, user_id: int, now: datetime, upload_folder: Path) -> Done[User]:
    """Erase the person's details everywhere, in one transaction; the notices are those of
    the people given the places the person held."""
    # The log would otherwise keep the details being erased, as each change's "before".
    stop_recording(db_session)
    write_transaction(db_session)
    user = db_session.get(User, user_id, populate_existing=True)
    if problem := why_not_erasable(user):
        raise ErasureRefused(problem)
    identity = Identity(user.id, user.name, user.email)
    notices = bookings.cancel_places_to_come(db_session, user, user, now, "account erased").notices
    booking_ids = select(Booking.id).where(Booking.user_id == user.id)
    scrub_bookings(db_session, identity, booking_ids)
    scrub_evaluations(db_session, booking_ids)
    scrub_external_training(db_session, identity, upload_folder)
    leave_interest_lists(db_session, user.id)
    scrub_outbox(db_session, identity)
    scrub_audit_log(db_session, identity, booking_ids)
    scrub_account(user, now)
    log_the_erasure(db_session, user, now)
    db_session.flush()
    return Done(user, [notice for notice in notices if not is_for(notice, user)])


def is_for(notice: Notice, user: User) -> bool:
    booking_user = notice.booking.user_id if notice.booking is not None else None
    person = notice.person.id if notice.person is not None else None
    return user.id in (booking_user, person)


def scrub_bookings(db_session: Session, identity: Identity, booking_ids) -> None:
    for booking in db_session.scalars(select(Booking).where(Booking.id.in_(booking_ids))):
        booking.access_needs = ""
        booking.manager_email = None
        booking.manager_comment = ""
        booking.coordinator_reason = ""
        booking.override_reason = ""
    for event in db_session.scalars(
        select(BookingEvent).where(BookingEvent.booking_id.in_(booking_ids))
    ):
        event.reason = identity.scrub(event.reason)
    for charge in db_session.scalars(select(Charge).where(Charge.user_id == identity.user_id)):
        charge.waive_reason = identity.scrub(charge.waive_reason)
    for transfer in db_session.scalars(
        select(BookingTransfer).where(
            or_(
                BookingTransfer.booking_id.in_(booking_ids),
                BookingTransfer.to_booking_id.in_(booking_ids),
                BookingTransfer.to_email == identity.email,
            )
        )
    ):
        transfer.to_email = identity.scrub(transfer.to_email)


def scrub_evaluations(db_session: Session, booking_ids) -> None:
    """Ratings stay for the reports; words, which could say who wrote them, go."""
    for evaluation in db_session.scalars(
        select(Evaluation).where(Evaluation.booking_id.in_(booking_ids))
    ):
        evaluation.do_differently = ERASED_TEXT
        evaluation.anything_else = ""
    for follow_up in db_session.scalars(
        select(FollowUp).where(FollowUp.booking_id.in_(booking_ids))
    ):
        follow_up.how = ""
        follow_up.manager_email = None if follow_up.manager_email is None else ERASED_TEXT
        if follow_up.manager_view is not None:
            follow_up.manager_view = ERASED_TEXT


def scrub_external_training(db_session: Session, identity: Identity, upload_folder: Path) -> None:
    """The records stay (they met prerequisites); their certificates' files go."""
    for training in db_session.scalars(
        select(ExternalTraining).where(ExternalTraining.user_id == identity.user_id)
    ):
        files.remove_when_committed(db_session, upload_folder, training.certificate_path)
        training.certificate_name = ERASED_TEXT
        training.decision_reason = identity.scrub(training.decision_reason)


def leave_interest_lists(db_session: Session, user_id: int) -> None:
    db_session.execute(delete(CourseInterest).where(CourseInterest.user_id == user_id))
    db_session.execute(delete(InterestNoticeSent).where(InterestNoticeSent.user_id == user_id))


def mentions(column, identity: Identity):
    """SQL: the text column mentions the person's address or name (a first sieve; the
    scrub itself decides what is replaced)."""
    return or_(
        column.ilike(f"%{identity.email}%"),
        *(column.ilike(f"%{form}%") for form in {identity.name, html.escape(identity.name)}),
    )


def scrub_outbox(db_session: Session, identity: Identity) -> None:
    """Mail to the person loses its words and its calendar file, and any not yet sent is
    given up; mail about them (to their line manager, say) loses their name."""
    to_them = OutboxMessage.to_address == identity.email
    for message in db_session.scalars(
        select(OutboxMessage).where(
            or_(
                to_them,
                mentions(OutboxMessage.subject, identity),
                mentions(OutboxMessage.text_body, identity),
                mentions(OutboxMessage.html_body, identity),
            )
        )
    ):
        if message.to_address == identity.email:
            message.to_address = pseudonymous_email(identity.user_id)
            message.text_body = ERASED_TEXT
            message.html_body = ERASED_TEXT
            message.calendar = None
            message.calendar_method = None
            if message.status in (OutboxStatus.QUEUED, OutboxStatus.SENDING):
                message.status = OutboxStatus.FAILED
                message.last_error = "Not sent: the person's account was erased."
                message.claimed_at = None
        message.subject = identity.scrub(message.subject)
        message.text_body = identity.scrub(message.text_body)
        message.html_body = identity.scrub(message.html_body)
        message.calendar = identity.scrub(message.calendar)


def scrub_audit_log(db_session: Session, identity: Identity, booking_ids) -> None:
    """Entries about the person, their bookings and records lose the personal fields'
    values; any entry naming them loses their name."""
    about_them = or_(
        (AuditEntry.record_type == "person") & (AuditEntry.record_id == identity.user_id),
        (AuditEntry.record_type == "booking") & AuditEntry.record_id.in_(booking_ids),
        (AuditEntry.record_type == "charge")
        & AuditEntry.record_id.in_(select(Charge.id).where(Charge.user_id == identity.user_id)),
        (AuditEntry.record_type == "external training")
        & AuditEntry.record_id.in_(
            select(ExternalTraining.id).where(ExternalTraining.user_id == identity.user_id)
        ),
    )
    for entry in db_session.scalars(select(AuditEntry).where(about_them)):
        entry.changes = {
            field: erased_values(values) if field in PERSONAL_FIELDS else values
            for field, values in entry.changes.items()
        }
    naming_them = or_(
        mentions(AuditEntry.record_label, identity),
        mentions(cast(AuditEntry.changes, String), identity),
    )
    for entry in db_session.scalars(select(AuditEntry).where(naming_them)):
        entry.record_label = identity.scrub(entry.record_label)
        entry.changes = identity.scrub_json(entry.changes)


def erased_values(values: Iterable) -> list:
    return [ERASED_TEXT if value not in (None, "") else value for value in values]


def log_the_erasure(db_session: Session, user: User, now: datetime) -> None:
    """That the account was erased, and when, without a word of what it held."""
    db_session.add(
        AuditEntry(
            at=now,
            actor_id=None,
            action="erased",
            record_type="person",
            record_id=user.id,
            record_label=user.email,
            changes={},
        )
    )


def scrub_account(user: User, now: datetime) -> None:
    """The row stays, with its agency and role, for the reports; the person is gone from
    it, signed out everywhere and unable to sign in again."""
    user.name = pseudonym(user.id)
    user.email = pseudonymous_email(user.id)
    user.job_title = ""
    user.line_manager_name = ""
    user.line_manager_email = None
    user.password_hash = None
    user.calendar_token = new_calendar_token()
    user.session_version += 1
    user.active = False
    user.erased_at = now
