"""Everything held about a person, as plain data for them to download (UK GDPR article 15).

One query a kind of record, whatever the person has done: the columns of each row are
copied as they are, so a column added later is in the download without a change here.
"""

from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session, joinedload

from app.audit import REDACTED, as_json
from app.models import (
    AuditEntry,
    Booking,
    BookingEvent,
    BookingTransfer,
    Certificate,
    Charge,
    CourseInterest,
    CourseSession,
    Evaluation,
    ExternalTraining,
    FollowUp,
    InterestNoticeSent,
    OutboxMessage,
    OutcomeConfidence,
    User,
)


def columns_of(record) -> dict[str, Any]:
    """A row's columns as JSON values; secrets (a password's hash) are left out."""
    return {
        attribute.key: as_json(getattr(record, attribute.key))
        for attribute in inspect(record).mapper.column_attrs
        if attribute.key not in REDACTED
    }


def personal_data(db_session: Session, user: User) -> dict[str, Any]:
    """Every record held about the person, by kind."""
    booking_ids = select(Booking.id).where(Booking.user_id == user.id)

    def of_their_bookings(model):
        return select(model).where(model.booking_id.in_(booking_ids))

    return {
        "profile": profile(db_session, user),
        "bookings": bookings_with_sessions(db_session, user),
        "booking_history": rows(
            db_session, of_their_bookings(BookingEvent).order_by(BookingEvent.id)
        ),
        "evaluations": rows(db_session, of_their_bookings(Evaluation)),
        "follow_ups": rows(db_session, of_their_bookings(FollowUp)),
        "confidence_ratings": rows(db_session, of_their_bookings(OutcomeConfidence)),
        "certificates": rows(db_session, of_their_bookings(Certificate)),
        "charges": rows(db_session, select(Charge).where(Charge.user_id == user.id)),
        "places_handed_on": rows(
            db_session,
            select(BookingTransfer).where(
                or_(
                    BookingTransfer.from_user_id == user.id,
                    BookingTransfer.to_user_id == user.id,
                    BookingTransfer.to_email == user.email,
                )
            ),
        ),
        "training_done_elsewhere": rows(
            db_session, select(ExternalTraining).where(ExternalTraining.user_id == user.id)
        ),
        "interest_lists": rows(
            db_session, select(CourseInterest).where(CourseInterest.user_id == user.id)
        ),
        "dates_told_of": rows(
            db_session, select(InterestNoticeSent).where(InterestNoticeSent.user_id == user.id)
        ),
        "mail_sent_to_you": rows(
            db_session,
            select(OutboxMessage)
            .where(OutboxMessage.to_address == user.email)
            .order_by(OutboxMessage.id),
        ),
        "audit_log": rows(db_session, audit_entries_about(user, booking_ids)),
    }


def rows(db_session: Session, query) -> list[dict[str, Any]]:
    return [columns_of(record) for record in db_session.scalars(query)]


def profile(db_session: Session, user: User) -> dict[str, Any]:
    found = db_session.scalars(
        select(User).options(joinedload(User.agency)).where(User.id == user.id)
    ).one()
    return {
        **columns_of(found),
        "agency": found.agency.name if found.agency else None,
        "sessions_you_train": trained_session_ids(db_session, user),
    }


def trained_session_ids(db_session: Session, user: User) -> list[int]:
    return list(
        db_session.scalars(
            select(CourseSession.id)
            .where(CourseSession.trainers.any(User.id == user.id))
            .order_by(CourseSession.id)
        )
    )


def bookings_with_sessions(db_session: Session, user: User) -> list[dict[str, Any]]:
    """Each booking with the course and the session it is for, in words."""
    found = db_session.scalars(
        select(Booking)
        .options(joinedload(Booking.session).joinedload(CourseSession.course))
        .where(Booking.user_id == user.id)
        .order_by(Booking.id)
    )
    return [
        {
            **columns_of(booking),
            "course": booking.session.course.title,
            "session_starts_at": as_json(booking.session.starts_at),
        }
        for booking in found
    ]


def audit_entries_about(user: User, booking_ids):
    """Changes to the person's account and bookings, and changes they made themselves."""
    return (
        select(AuditEntry)
        .where(
            or_(
                (AuditEntry.record_type == "person") & (AuditEntry.record_id == user.id),
                (AuditEntry.record_type == "booking") & AuditEntry.record_id.in_(booking_ids),
                AuditEntry.actor_id == user.id,
            )
        )
        .order_by(AuditEntry.id)
    )
