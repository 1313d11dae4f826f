"""What a change has to tell people, as plain data.

The rules return notices with what they did; the mail layer (app/notify.py) turns them
into messages once the rules have run, in the same transaction, so a change that is
rolled back tells nobody anything.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from app.models import Booking, BookingTransfer, CourseSession, ExternalTraining, User

T = TypeVar("T")


class NoticeKind(StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    PROMOTED = "promoted"
    APPROVAL_REQUESTED = "approval-requested"
    APPROVED = "approved"
    DECLINED = "declined"
    APPROVAL_EXPIRED = "approval-expired"
    COORDINATOR_ASKED = "coordinator-asked"
    COORDINATOR_APPROVED = "coordinator-approved"
    COORDINATOR_DECLINED = "coordinator-declined"
    COORDINATOR_EXPIRED = "coordinator-expired"
    LAST_MINUTE_OFFER = "last-minute-offer"
    LAST_MINUTE_OFFER_DECLINED = "last-minute-offer-declined"
    LAST_MINUTE_OFFER_LAPSED = "last-minute-offer-lapsed"
    CANCELLED = "cancelled"
    SESSION_CHANGED = "session-changed"
    SESSION_CHANGED_WHILE_WAITING = "session-changed-while-waiting"
    SESSION_CANCELLED = "session-cancelled"
    REMINDER = "reminder"
    EVALUATION_REQUEST = "evaluation-request"
    FOLLOW_UP = "follow-up"
    MANAGER_VIEW_REQUESTED = "manager-view-requested"
    REFRESHER_DUE = "refresher-due"
    MESSAGE_FROM_TRAINER = "message-from-trainer"
    ALREADY_REGISTERED = "already-registered"
    CONFIRM_EMAIL = "confirm-email"
    EMAIL_CHANGED = "email-changed"
    CONFIRM_NEW_EMAIL = "confirm-new-email"
    ADDRESS_IN_USE = "address-in-use"
    RESET_PASSWORD = "reset-password"
    NO_ACCOUNT_TO_RESET = "no-account-to-reset"
    PLACE_GIVEN = "place-given"
    PLACE_RECEIVED = "place-received"
    PLACE_OFFERED = "place-offered"
    OFFER_RETURNED = "offer-returned"
    CHARGE_RAISED = "charge-raised"
    CHARGE_CANCELLED = "charge-cancelled"
    CHARGE_WAIVED = "charge-waived"
    INTEREST_DATE_PUBLISHED = "interest-date-published"
    EXTERNAL_TRAINING_ACCEPTED = "external-training-accepted"
    EXTERNAL_TRAINING_REJECTED = "external-training-rejected"


@dataclass(frozen=True)
class Notice:
    """One thing to tell someone: the person a booking belongs to (or their line manager),
    the owner of an account, of a record of training done elsewhere, or a person on a
    course's interest list of one of its sessions."""

    kind: NoticeKind
    booking: Booking | None = None
    #: The account a notice about an account is for.
    person: User | None = None
    #: Where a notice of a changed address goes: the address it replaced.
    old_email: str = ""
    #: An address a notice goes to that is not the account's own: a new one to confirm,
    #: or one no account can sign in with.
    address: str = ""
    #: A cancellation of a booking that held a place also cancels its calendar event.
    held_a_place: bool = False
    #: A trainer's message: its subject, its text and who sent it.
    subject: str = ""
    message: str = ""
    sender: User | None = None
    #: A place handed on to a colleague, or offered to them.
    transfer: BookingTransfer | None = None
    #: A session a person is told of without a booking: a date of a course they asked about.
    session: CourseSession | None = None
    #: Training done elsewhere that a coordinator decided on.
    external_training: ExternalTraining | None = None


@dataclass
class Done(Generic[T]):
    """What a change did: its result, and the notices it has to send."""

    value: T
    notices: list[Notice] = field(default_factory=list)
