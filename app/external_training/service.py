"""The rules of training done elsewhere: recording it with its certificate, withdrawing it
while it waits, and a coordinator accepting or rejecting it.

Which course it stands for is any public course of the catalogue (the e-learning hosted
elsewhere, or the equivalent of another course); it was completed on a day neither in the
future nor more than OLDEST_YEARS ago; its certificate is a PDF, PNG or JPEG file of at
most 5 MB, judged by its content (files.py). Only a record still submitted can be
decided or withdrawn, and a coordinator decides on other people's only.
"""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import write_transaction
from app.display import in_london, long_date
from app.external_training import files
from app.external_training.queries import is_recordable
from app.models import (
    CERTIFICATE_NAME_LENGTH,
    PROVIDER_LENGTH,
    Course,
    ExternalTraining,
    ExternalTrainingStatus,
    User,
)
from app.notices import Done, Notice, NoticeKind
from app.records.queries import years_after
from app.refusals import Refused

#: How far back a completion may be recorded; an older date is surely a slip.
OLDEST_YEARS = 20
REASON_LENGTH = 500


class NoSuchRecord(Refused):
    """No such record, or not one this person may act on: answered as not found."""

    def __init__(self) -> None:
        super().__init__("There is no such record of training")


@dataclass(frozen=True)
class Completion:
    """What the person says they did: the course it stands for, where and when."""

    course_id: int
    provider: str
    completed_on: date


@dataclass(frozen=True)
class Upload:
    """The certificate's file as it arrived: its content and the name it had."""

    content: bytes
    name: str


def record(
    db_session: Session,
    folder: Path,
    person: User,
    completion: Completion,
    upload: Upload,
    now: datetime,
) -> ExternalTraining:
    """Record training the person did elsewhere, with its certificate kept in `folder`,
    for a coordinator to decide on. Refuses, at each field concerned, a course that is not
    in the catalogue, a date out of range, a file that is not a certificate, and the same
    completion recorded twice; nothing is written then, neither record nor file.

    The file is read before the write lock (SQLite) is taken, which raises TryAgain if
    it cannot be had in time.
    """
    problems: dict[str, str] = {}
    try:
        mime = files.certificate_type(upload.content)
    except Refused as refusal:
        problems[files.FIELD] = str(refusal)
    provider = " ".join(completion.provider.split())
    if problem := provider_problem(provider):
        problems["provider"] = problem
    if problem := completion_date_problem(completion.completed_on, in_london(now).date()):
        problems["completed_on"] = problem
    write_transaction(db_session, keep=person)
    course = db_session.get(Course, completion.course_id)
    if course is None or not is_recordable(course):
        problems["course"] = "Choose a course from the list"
    elif recorded_already(db_session, person, course, completion.completed_on):
        problems["course"] = (
            f"You have already recorded {course.title} completed on "
            f"{long_date(completion.completed_on)}"
        )
    if problems:
        raise Refused.at_fields(problems)
    training = ExternalTraining(
        user=person,
        course=course,
        provider=provider,
        completed_on=completion.completed_on,
        certificate_path=files.keep(db_session, folder, upload.content, mime),
        certificate_name=shown_file_name(upload.name),
        certificate_type=mime,
    )
    db_session.add(training)
    db_session.flush()
    return training


def provider_problem(provider: str) -> str | None:
    if not provider:
        return "Enter where you did the training"
    if len(provider) > PROVIDER_LENGTH:
        return f"Where you did it must be {PROVIDER_LENGTH} characters or fewer"
    return None


def completion_date_problem(completed_on: date, today: date) -> str | None:
    if completed_on > today:
        return "The date you completed it must be today or in the past"
    if completed_on < years_after(today, -OLDEST_YEARS):
        return f"The date you completed it must be within the last {OLDEST_YEARS} years"
    return None


def recorded_already(db_session: Session, person: User, course: Course, completed_on: date) -> bool:
    """The person recorded this course completed that day, and it was not rejected."""
    return (
        db_session.scalar(
            select(ExternalTraining.id).where(
                ExternalTraining.user_id == person.id,
                ExternalTraining.course_id == course.id,
                ExternalTraining.completed_on == completed_on,
                ExternalTraining.status != ExternalTrainingStatus.REJECTED,
            )
        )
        is not None
    )


def shown_file_name(name: str) -> str:
    """The name of the person's file, without any folder or control characters, short
    enough to keep; only ever shown, or given to a download."""
    name = PurePath(name.replace("\\", "/")).name
    name = "".join(character for character in name if character.isprintable()).strip()
    if len(name) > CERTIFICATE_NAME_LENGTH:
        suffix = PurePath(name).suffix[:10]
        name = name[: CERTIFICATE_NAME_LENGTH - len(suffix)] + suffix
    return name or "certificate"


def locked_record(db_session: Session, training_id: int) -> ExternalTraining | None:
    """The record, locked (PostgreSQL) until the transaction ends, so a decision and a
    withdrawal cannot both be made; SQLite's writing requests hold its lock already."""
    return db_session.scalar(
        select(ExternalTraining)
        .where(ExternalTraining.id == training_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def withdraw(db_session: Session, folder: Path, person: User, training_id: int) -> ExternalTraining:
    """Delete the person's own record while it still waits for a coordinator; its file is
    removed from `folder` once that is committed. NoSuchRecord for anyone else's."""
    training = locked_record(db_session, training_id)
    if training is None or training.user_id != person.id:
        raise NoSuchRecord
    if not training.is_waiting:
        raise Refused(
            f"A coordinator has already {decided_words(training)} this training, so it "
            "cannot be withdrawn"
        )
    files.remove_when_committed(db_session, folder, training.certificate_path)
    db_session.delete(training)
    db_session.flush()
    return training


def decided_words(training: ExternalTraining) -> str:
    return "accepted" if training.is_accepted else "not accepted"


def decide(
    db_session: Session,
    training_id: int,
    accept: bool,
    reason: str,
    actor: User,
    now: datetime,
) -> Done[ExternalTraining]:
    """A coordinator accepts the record, so it counts, or rejects it; the reason is
    needed to reject and optional to accept. The person is mailed the decision."""
    training = locked_record(db_session, training_id)
    if training is None:
        raise NoSuchRecord
    reason = decision_reason(reason, accept)
    if why := why_not_decided(training, actor):
        raise Refused(why)
    training.status = ExternalTrainingStatus.ACCEPTED if accept else ExternalTrainingStatus.REJECTED
    training.decided_by, training.decided_at, training.decision_reason = actor, now, reason
    db_session.flush()
    kind = (
        NoticeKind.EXTERNAL_TRAINING_ACCEPTED if accept else NoticeKind.EXTERNAL_TRAINING_REJECTED
    )
    return Done(training, [Notice(kind, person=training.user, external_training=training)])


def why_not_decided(training: ExternalTraining, actor: User) -> str | None:
    """Why this coordinator cannot decide on the record (None when they can): it was
    decided already, or it is their own. The record's page asks it too, before it offers
    the decision."""
    if not training.is_waiting:
        who = training.decided_by.name if training.decided_by else "A coordinator"
        return f"{who} has already {decided_words(training)} this training"
    if training.user_id == actor.id:
        return "This is your own training: another coordinator decides on it"
    return None


def decision_reason(reason: str, accept: bool) -> str:
    """On one line; refused (as "reason") when missing from a rejection, or too long."""
    reason = " ".join(reason.split())
    if not reason and not accept:
        raise Refused("Enter why the training is not accepted", field="reason")
    if len(reason) > REASON_LENGTH:
        raise Refused(f"The reason must be {REASON_LENGTH} characters or fewer", field="reason")
    return reason
