"""Mail goes through the outbox: sent after commit, kept when it fails, sent once when retried."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from app import mail
from app.extensions import db
from app.models import OutboxMessage, OutboxStatus, User, utcnow
from tests.conftest import free_port, submit
from tests.factories import make_agency

NEWCOMER = {
    "name": "Sam Patel",
    "email": "sam.patel@example.org",
    "job_title": "School nurse",
    "password": "a long and unusual passphrase",
}


def register(client, agency_id: int):
    return submit(client, "/account/register", {**NEWCOMER, "agency": str(agency_id)})


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def make_everything_due() -> None:
    """As if the backoff had passed."""
    db.session.execute(
        update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def test_mail_is_sent_right_after_the_commit(client, mailbox):
    response = register(client, make_agency().id)

    assert response.status_code == 302
    message = mailbox.last_to(NEWCOMER["email"])
    assert message["Subject"] == "Confirm your email address"
    assert message["From"] == "Safeguarding training <training@example.org>"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    [sent] = outbox()
    assert (sent.status, sent.attempts) == (OutboxStatus.SENT, 1)


def test_names_and_subjects_beyond_ascii_arrive_as_written(app, mailbox):
    subject = "Zo\u00eb\u2019s course \u2013 changed"  # curly apostrophe, en dash
    queue_notice("sian@example.org", subject, name="Siân Llŷr")
    db.session.commit()

    message = mailbox.last_to("sian@example.org")
    assert message["Subject"] == subject
    assert "Dear Siân Llŷr," in message.get_body(preferencelist=("plain",)).get_content()
    assert "Dear Siân Llŷr," in message.get_body(preferencelist=("html",)).get_content()


def test_with_the_mail_server_down_registering_succeeds_and_the_mail_waits(app, client):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())

    response = register(client, make_agency().id)

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/register/check-email"
    assert db.session.scalar(select(User).filter_by(email=NEWCOMER["email"])) is not None
    [waiting] = outbox()
    assert waiting.status is OutboxStatus.QUEUED
    assert waiting.attempts == 1
    assert waiting.next_attempt_at > utcnow()
    assert "ConnectionRefusedError" in waiting.last_error


def test_send_mail_sends_what_waited_exactly_once_when_the_server_is_back(
    app, client, runner, mailbox
):
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()
    register(client, make_agency().id)
    app.config["MAIL_PORT"] = port
    make_everything_due()

    first = runner.invoke(args=["send-mail"])
    second = runner.invoke(args=["send-mail"])

    assert "Sent 1;" in first.output
    assert "Sent 0;" in second.output
    assert len(mailbox.to(NEWCOMER["email"])) == 1
    assert [row.status for row in outbox()] == [OutboxStatus.SENT]


def test_a_message_not_yet_due_is_left_for_later(app, client, runner, mailbox):
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()
    register(client, make_agency().id)
    app.config["MAIL_PORT"] = port

    result = runner.invoke(args=["send-mail"])

    assert "Sent 0;" in result.output
    assert mailbox.received == []


def test_a_rolled_back_change_sends_nothing(app, mailbox):
    queue_notice("someone@example.org")
    db.session.rollback()
    db.session.commit()

    assert mailbox.received == []
    assert outbox() == []


def test_a_message_claimed_by_another_sender_is_not_sent_again(app, mailbox):
    message = queue_for_later("claimed@example.org")
    assert mail.claim(db.session, message.id, utcnow()) is not None

    with mail.new_session() as other_sender:
        report = mail.deliver(
            other_sender, [message.id], mail.configured_transport(), "x@example.org", utcnow()
        )

    assert report.sent == 0
    assert mailbox.received == []


def test_a_claim_left_by_a_sender_that_died_is_taken_up_after_its_lease(app, runner, mailbox):
    message = queue_for_later("stuck@example.org")
    message.status = OutboxStatus.SENDING
    message.claimed_at = utcnow() - mail.CLAIM_LEASE - timedelta(minutes=1)
    db.session.commit()

    result = runner.invoke(args=["send-mail"])

    assert "Sent 1;" in result.output
    assert len(mailbox.to("stuck@example.org")) == 1


def test_mail_whose_sender_died_after_the_commit_waits_for_its_claim_to_run_out(
    app, runner, mailbox
):
    queue_notice("orphan@example.org")
    db.session.info.pop("outbox_queued")  # as if the process stopped before sending
    db.session.commit()

    while_claimed = runner.invoke(args=["send-mail"])
    [message] = outbox()
    message.claimed_at = utcnow() - mail.CLAIM_LEASE - timedelta(minutes=1)
    db.session.commit()
    after_the_lease = runner.invoke(args=["send-mail"])

    assert "Sent 0;" in while_claimed.output
    assert "Sent 1;" in after_the_lease.output
    assert len(mailbox.to("orphan@example.org")) == 1


def test_failures_back_off_then_give_up_and_keep_the_message(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    message_id = queue_for_later("unlucky@example.org").id
    waits = []
    for _ in range(mail.MAX_ATTEMPTS):
        now = utcnow()
        make_everything_due()
        with mail.new_session() as sender:
            mail.deliver(sender, [message_id], mail.configured_transport(), "x@example.org", now)
        message = db.session.get(OutboxMessage, message_id)
        waits.append(round((message.next_attempt_at - now).total_seconds() / 60))

    assert waits[:6] == [1, 5, 15, 60, 180, 360]
    assert message.status is OutboxStatus.FAILED
    assert message.attempts == mail.MAX_ATTEMPTS


def test_without_a_mail_server_messages_are_written_to_files(app, client, tmp_path):
    app.config["MAIL_FOLDER"] = str(tmp_path / "mail")

    register(client, make_agency().id)

    [written] = (tmp_path / "mail").glob("*.eml")
    text = written.read_text()
    assert "To: sam.patel@example.org" in text
    assert "Confirm your email address" in text


def queue_for_later(address: str) -> OutboxMessage:
    """A message written to the outbox by an app that leaves the sending to send-mail."""
    current_app.config["MAIL_SEND_AFTER_COMMIT"] = False
    try:
        message_id = queue_notice(address)
    finally:
        current_app.config["MAIL_SEND_AFTER_COMMIT"] = True
    db.session.commit()
    return db.session.get(OutboxMessage, message_id)


def queue_notice(
    address: str, subject: str = "Your email address was changed", name: str = "Someone"
) -> int:
    return mail.queue_mail(
        db.session,
        address,
        subject,
        "email_changed",
        user=User(name=name, email=address),
        old_email="old@example.org",
    )
