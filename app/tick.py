"""Scheduled work: `flask --app wsgi tick`, from cron every five minutes, does all that
time brings, as a list of named jobs each returning how much it did.

Every job is safe to run twice, or on two servers at once: what it does is claimed in
the database (a reminder's row in booking_notice_sent, a session's lock, an outbox
message's conditional UPDATE), never remembered in a process. A job that raises is
reported and the others still run; mail that cannot be sent now is the outbox's to
retry, not a failure. Adding a kind of work is adding a job.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from app.audit import record_changes_by, stop_recording
from app.bookings.overdue import release_every_overdue_approval
from app.bookings.service import last_minute_from
from app.charges import service as charges
from app.evaluations import service as evaluations
from app.extensions import db
from app.mail import deliver_due
from app.notices import Done
from app.records import service as refreshers
from app.refusals import TryAgain
from app.reminders import service as reminders
from app.sessions import service as sessions
from app.transactions import saved
from app.transfers import service as transfers

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    #: What the count counts, as the command prints it: "Reminders sent: 3".
    label: str
    run: Callable[[datetime], int]


@dataclass(frozen=True)
class Outcome:
    label: str
    count: int = 0
    error: str | None = None


def expire_approvals(now: datetime) -> int:
    return release_every_overdue_approval()


def claimed(what: str, send: Callable[..., Done[int]], *arguments) -> int:
    """How many `send` claimed and wrote, saved; none when another run holds the lock,
    since it is sending them, or the next run will."""
    try:
        return saved(send, db.session, *arguments)
    except TryAgain:
        logger.warning("%s left for the next run: the database was busy", what)
        return 0


def send_reminders(now: datetime) -> int:
    working_days = current_app.config["REMINDER_WORKING_DAYS"]
    return claimed("Reminders", reminders.send_reminders, now, working_days)


def send_evaluation_requests(now: datetime) -> int:
    return claimed("Evaluation requests", evaluations.send_evaluation_requests, now)


def send_follow_ups(now: datetime) -> int:
    weeks = current_app.config["FOLLOW_UP_WEEKS"]
    return claimed("Follow-ups", evaluations.send_follow_ups, now, weeks)


def send_refresher_reminders(now: datetime) -> int:
    return claimed("Refresher reminders", refreshers.send_refresher_reminders, now)


def return_unclaimed_transfers(now: datetime) -> int:
    """Offers of places left unclaimed past their time, closed one session at a time under
    its lock (which is their claim), each person who offered theirs told it stays theirs;
    in the audit log as the system's change."""
    record_changes_by(db.session, None)
    try:
        return sum(
            claimed("Transfers returned", transfers.return_offers_run_out, session_id, now)
            for session_id in transfers.sessions_with_offers_run_out(db.session, now)
        )
    finally:
        stop_recording(db.session)


def let_go_held_places(now: datetime) -> int:
    """Places held for a sector until a day now past go to those waiting, a session at a
    time under its lock."""
    last_minute = last_minute_from(current_app.config)
    return sum(
        claimed("Held places", sessions.let_in_after_held_places, session_id, now, last_minute)
        for session_id in sessions.sessions_with_held_places_let_go(db.session, now)
    )


def raise_due_charges(now: datetime) -> int:
    rates = charges.rates_from(current_app.config)
    return claimed("Charges", charges.raise_due_charges, now, rates)


def send_mail(now: datetime) -> int:
    # Due as of now rather than the run's start: the jobs above stamp their mail as they
    # write it, after `now`, and it must not wait for the next run.
    return deliver_due().sent


JOBS = (
    # First, so the places they free (and the people offered them) are mailed below.
    Job("Approvals expired", expire_approvals),
    Job("Held places let go", let_go_held_places),
    Job("Reminders sent", send_reminders),
    Job("Evaluation requests sent", send_evaluation_requests),
    Job("Follow-ups sent", send_follow_ups),
    Job("Refresher reminders sent", send_refresher_reminders),
    Job("Transfers returned", return_unclaimed_transfers),
    Job("No-shows charged", raise_due_charges),
    # Last: it sends what the jobs above wrote, and whatever waited to be tried again.
    Job("Mail sent", send_mail),
)


def run(jobs: Iterable[Job], now: datetime) -> list[Outcome]:
    """Run each job in turn; a job that raises is rolled back and reported."""
    outcomes = []
    for job in jobs:
        try:
            outcomes.append(Outcome(job.label, job.run(now)))
        except Exception as error:
            db.session.rollback()
            logger.exception("Scheduled job %r failed", job.label)
            outcomes.append(Outcome(job.label, error=f"{type(error).__name__}: {error}"))
    return outcomes
