"""Outgoing mail through an outbox table.

A message is written to the outbox in the same transaction as the change that caused
it, so a rolled-back change sends nothing and a committed one cannot lose its mail.
Each message is claimed by one sender at a time, so none is sent twice. The request
that writes a message claims it in that same write and sends it right after the
commit, from what it wrote, without reading it back; whatever fails is queued again,
and `flask --app wsgi send-mail` (safe to run from cron, several at once) retries it
with backoff, claiming each message with a conditional UPDATE. A message whose sender
died mid-way is sent by send-mail once its claim's lease runs out.
"""

import logging
import secrets
import smtplib
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from email.charset import QP, Charset
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import bindparam, event, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.database import begin_without_waiting_for_disk
from app.models import OutboxMessage, OutboxStatus, utcnow

logger = logging.getLogger(__name__)

#: Minutes to wait after each failed attempt; the last figure repeats.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360)
#: After this many attempts a message is marked failed and left for a person to look at.
MAX_ATTEMPTS = 15
#: The longest line SMTP carries (RFC 5322).
MAX_LINE = 998
US_ASCII = Charset("us-ascii")
UTF8_QUOTED_PRINTABLE = Charset("utf-8")
UTF8_QUOTED_PRINTABLE.body_encoding = QP
#: A claim older than this is taken to belong to a sender that died mid-way.
CLAIM_LEASE = timedelta(minutes=15)


class Transport(Protocol):
    def send(self, message: Message) -> None: ...


@dataclass(frozen=True)
class Letter:
    """What an outbox message says: enough to build its email without reading it back."""

    message_id: str
    to_address: str
    subject: str
    text_body: str
    html_body: str
    calendar: str | None
    calendar_method: str | None
    created_at: datetime


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    timeout: float = 10

    def send(self, message: Message) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.use_tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


@dataclass(frozen=True)
class FolderTransport:
    """For development without a mail server: each message becomes an .eml file."""

    folder: Path

    def send(self, message: Message) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_at_")
        path = self.folder / f"{name}.eml"
        path.write_bytes(bytes(message))
        logger.info("Mail written to %s", path)


def configured_transport() -> Transport:
    config = current_app.config
    if config.get("MAIL_SERVER"):
        return SmtpTransport(
            host=config["MAIL_SERVER"],
            port=int(config["MAIL_PORT"]),
            username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
            use_tls=bool(config.get("MAIL_USE_TLS")),
        )
    return FolderTransport(Path(config["MAIL_FOLDER"]))


#: A plain INSERT, at once: it is often written under a lock, where the unit of work's
#: flush cost more than the write.
INSERT_MESSAGE = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)


def queue_mail(
    db_session: Session,
    to: str,
    subject: str,
    template: str,
    calendar: tuple[str, bytes] | None = None,
    **context,
) -> int:
    """Write a message to the outbox, from `mail/<template>.txt` and `.html`; its id.

    `calendar` is an iCalendar METHOD and file, sent as an invite or cancellation.
    """
    method, ics = calendar or (None, None)
    # A header is one line: a new line typed into a course title must not end it.
    subject = " ".join(subject.split())
    now = utcnow()
    letter = Letter(
        message_id=make_msgid(domain=urlsplit(current_app.config["BASE_URL"]).hostname),
        to_address=to,
        subject=subject,
        text_body=render_template(f"mail/{template}.txt", subject=subject, **context),
        html_body=render_template(f"mail/{template}.html", subject=subject, **context),
        calendar=ics.decode() if ics else None,
        calendar_method=method,
        created_at=now,
    )
    send_after_commit = current_app.config["MAIL_SEND_AFTER_COMMIT"]
    # Claimed in the write that makes it, so sending it after the commit needs no write of
    # its own before the one recording how it went.
    claim = {"status": OutboxStatus.SENDING, "claimed_at": now, "attempts": 1}
    message_id = (
        db_session.connection()
        .execute(
            INSERT_MESSAGE,
            {**asdict(letter), "next_attempt_at": now, **(claim if send_after_commit else {})},
        )
        .scalar_one()
    )
    if send_after_commit:
        db_session.info.setdefault("outbox_queued", []).append((message_id, letter))
    return message_id


def build_email(message: OutboxMessage | Letter, sender: str) -> Message:
    """The email, built with the plain MIME classes: EmailMessage, which parses every
    header it is given, took most of a booking's time to send its mail."""
    body = MIMEMultipart("alternative", boundary())
    body.attach(MIMEText(message.text_body, "plain", text_charset(message.text_body)))
    body.attach(MIMEText(message.html_body, "html", text_charset(message.html_body)))
    email = body
    if message.calendar:
        # Outlook and Google act on the inline text/calendar part; the attachment is for
        # everyone else, who can open it to add the session.
        invite = MIMEText(message.calendar, "calendar", "utf-8")
        invite.set_param("method", message.calendar_method)
        body.attach(invite)
        attachment = MIMEApplication(message.calendar.encode(), "ics")
        name = "invite.ics" if message.calendar_method == "REQUEST" else "cancel.ics"
        attachment.add_header("Content-Disposition", "attachment", filename=name)
        email = MIMEMultipart("mixed", boundary(), [body, attachment])
    email["From"] = formataddr(parseaddr(sender), "utf-8")
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    return email


def boundary() -> str:
    """128 random bits, which no part will contain: given a boundary, writing the message
    skips searching every part for a clash, which cost a third of writing it."""
    return f"=_{secrets.token_hex(16)}"


def text_charset(text: str) -> Charset:
    """7-bit text as it is; other text in quoted-printable UTF-8, still readable as source."""
    if text.isascii() and all(len(line) <= MAX_LINE for line in text.splitlines()):
        return US_ASCII
    return UTF8_QUOTED_PRINTABLE


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver(
    db_session: Session, message_ids: list[int], transport: Transport, sender: str, now: datetime
) -> DeliveryReport:
    """Send each message this process manages to claim; commits after each step."""
    report = DeliveryReport()
    for message_id in message_ids:
        try:
            deliver_one(db_session, message_id, transport, sender, now, report)
        except SQLAlchemyError:
            # The database was busy: this message stays queued (or claimed, until its lease
            # ends) for send-mail; the others are still tried.
            db_session.rollback()
            logger.exception("Mail %s not sent now; left for send-mail", message_id)
    return report


def deliver_one(
    db_session: Session,
    message_id: int,
    transport: Transport,
    sender: str,
    now: datetime,
    report: DeliveryReport,
) -> None:
    message = claim(db_session, message_id, now)
    if message is None:
        return
    try:
        transport.send(build_email(message, sender))
    except (OSError, smtplib.SMTPException, ValueError) as error:
        record_failure(message, error, now)
        report.failed += message.status is OutboxStatus.FAILED
        report.retrying += message.status is OutboxStatus.QUEUED
    else:
        message.status = OutboxStatus.SENT
        message.sent_at = now
        report.sent += 1
    db_session.commit()


def claim(db_session: Session, message_id: int, now: datetime) -> OutboxMessage | None:
    """Mark a due message as being sent by us; None when it is not due or someone else has it."""
    claimed = db_session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, is_due(now))
        .values(
            status=OutboxStatus.SENDING,
            claimed_at=now,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db_session.commit()
    if claimed.rowcount != 1:
        return None
    message = db_session.get(OutboxMessage, message_id)
    # End the read, so the write that records the outcome starts a transaction of its
    # own (on SQLite a write inside an older read fails if another process wrote since).
    db_session.commit()
    return message


def is_due(now: datetime):
    return or_(
        (OutboxMessage.status == OutboxStatus.QUEUED) & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == OutboxStatus.SENDING)
        & (OutboxMessage.claimed_at < now - CLAIM_LEASE),
    )


def record_failure(message: OutboxMessage, error: Exception, now: datetime) -> None:
    for name, value in after_failure(message.attempts, error, now).items():
        setattr(message, name, value)
    log_failure(message.id, message.attempts, error)


def after_failure(attempts: int, error: Exception, now: datetime) -> dict:
    """What a failed attempt leaves: queued again after a backoff, or given up on."""
    outcome = {"last_error": f"{type(error).__name__}: {error}"[:2000], "claimed_at": None}
    if attempts >= MAX_ATTEMPTS:
        return {**outcome, "status": OutboxStatus.FAILED}
    retry_at = now + timedelta(minutes=backoff_minutes(attempts))
    return {**outcome, "status": OutboxStatus.QUEUED, "next_attempt_at": retry_at}


def backoff_minutes(attempts: int) -> int:
    return BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]


def log_failure(message_id: int, attempts: int, error: Exception) -> None:
    """The message by its id, the error by its kind: a mail server's refusal quotes the
    addresses refused, and those stay in the outbox (its last_error), out of the logs."""
    if attempts >= MAX_ATTEMPTS:
        logger.error("Gave up on mail %s: %s", message_id, kind_of(error))
        return
    logger.warning(
        "Mail %s not sent, retrying in %s min: %s",
        message_id,
        backoff_minutes(attempts),
        kind_of(error),
    )


def kind_of(error: Exception) -> str:
    """An error's class, with the SMTP reply code or system error number it carries."""
    code = getattr(error, "smtp_code", None) or getattr(error, "errno", None)
    return type(error).__name__ + (f" {code}" if code else "")


def due_message_ids(db_session: Session, now: datetime, limit: int = 500) -> list[int]:
    query = select(OutboxMessage.id).where(is_due(now)).order_by(OutboxMessage.id).limit(limit)
    return list(db_session.scalars(query))


def deliver_due(now: datetime | None = None) -> DeliveryReport:
    """Send everything due: what `flask send-mail` runs."""
    now = now or utcnow()
    with new_session() as db_session:
        ids = due_message_ids(db_session, now)
        return deliver(
            db_session, ids, configured_transport(), current_app.config["MAIL_FROM"], now
        )


def new_session() -> Session:
    """A session of its own, apart from the request's, for sending."""
    from app.extensions import db

    return Session(db.engine, expire_on_commit=False)


def send_queued_after_commit(db_session: Session) -> None:
    """Send at once what this transaction queued (and claimed); failures wait for `send-mail`."""
    queued = db_session.info.pop("outbox_queued", [])
    if not queued:
        return
    ids = [message_id for message_id, _ in queued]
    try:
        send_claimed(queued, configured_transport(), current_app.config["MAIL_FROM"])
    except (smtplib.SMTPException, OSError) as error:
        # The change is committed and its mail safe in the outbox, where send-mail will
        # find it: a failure here must not turn the person's success into an error page.
        logger.warning("Mail %s not sent after commit; left for send-mail: %s", ids, kind_of(error))
    except Exception:
        logger.exception("Mail %s not sent after commit; left for send-mail", ids)


#: Built once: it runs after every request that sends mail.
RECORD_SENT = (
    update(OutboxMessage)
    .where(
        OutboxMessage.id == bindparam("outbox_id"),
        OutboxMessage.status == OutboxStatus.SENDING,
    )
    .values(status=OutboxStatus.SENT, sent_at=bindparam("at"))
)


def send_claimed(claimed: list[tuple[int, Letter]], transport: Transport, sender: str) -> None:
    """Send messages claimed when they were written, then record how each went at once."""
    sent, failed = [], []
    for message_id, letter in claimed:
        now = utcnow()
        try:
            transport.send(build_email(letter, sender))
        except (OSError, smtplib.SMTPException, ValueError) as error:
            failed.append((message_id, after_failure(1, error, now)))
            log_failure(message_id, 1, error)
        else:
            sent.append({"outbox_id": message_id, "at": now})
    with new_session() as db_session:
        # Lost to a power cut, this record would only have a message sent twice.
        begin_without_waiting_for_disk(db_session)
        if sent:
            db_session.connection().execute(RECORD_SENT, sent)
        for message_id, outcome in failed:
            db_session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING)
                .values(**outcome)
                .execution_options(synchronize_session=False)
            )
        db_session.commit()


def forget_queued(db_session: Session, *args) -> None:
    db_session.info.pop("outbox_queued", None)


def init_app(app) -> None:
    from flask_sqlalchemy.session import Session as FlaskSession

    if not event.contains(FlaskSession, "after_commit", send_queued_after_commit):
        event.listen(FlaskSession, "after_commit", send_queued_after_commit)
        event.listen(FlaskSession, "after_rollback", forget_queued)
