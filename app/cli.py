"""Flask commands: `flask --app wsgi seed --demo`, ..."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app import tick as scheduled
from app.accounts.roles import create_account, parse_role, set_role
from app.accounts.service import AccountError
from app.audit import record_changes_by
from app.backup import BackupFailed, back_up
from app.bookings import integrity
from app.bookings.overdue import release_every_overdue_approval
from app.charges.service import rates_from
from app.demo import load_demo_data, read_demo_file
from app.display import in_london
from app.extensions import db
from app.mail import deliver_due
from app.models import utcnow
from app.privacy.erasure import erase
from app.privacy.retention import DEFAULT_YEARS, inactive_accounts
from app.transactions import saved


@click.command("seed")
@click.option("--demo", is_flag=True, help="Load the demonstration catalogue.")
@with_appcontext
def seed(demo: bool) -> None:
    """Load data into the database (run `flask db upgrade` first)."""
    if not demo:
        raise click.UsageError("Say what to load: --demo loads the demonstration catalogue.")
    summary = load_demo_data(
        db.session,
        read_demo_file(),
        in_london(utcnow()).date(),
        Path(current_app.config["UPLOAD_FOLDER"]),
        rates_from(current_app.config),
    )
    db.session.commit()
    click.echo(
        f"Demo data loaded: {summary.prospectuses} prospectuses, {summary.courses} courses, "
        f"{summary.case_reviews} case reviews, {summary.sessions_created} new sessions."
    )


@click.command("send-mail")
@with_appcontext
def send_mail() -> None:
    """Send the mail that is due in the outbox; safe to run from cron, several at once."""
    report = deliver_due()
    click.echo(
        f"Sent {report.sent}; {report.retrying} to try again later; {report.failed} given up on."
    )


@click.command("expire-approvals")
@with_appcontext
def expire_approvals() -> None:
    """Release places whose approval (a manager's or a coordinator's) was not given in
    time, or whose last-minute offer was not accepted in time; for cron."""
    released = release_every_overdue_approval()
    click.echo(f"Released {released} places held for approvals or offers not answered in time.")


@click.command("tick")
@with_appcontext
def tick() -> None:
    """Do all the work that time brings (reminders, expired approvals, the outbox); for cron
    every five minutes, safe to run twice or on several servers at once. Exits non-zero
    when a piece of work failed."""
    failed = False
    for outcome in scheduled.run(scheduled.JOBS, utcnow()):
        if outcome.error is None:
            click.echo(f"{outcome.label}: {outcome.count}")
        else:
            failed = True
            click.echo(f"{outcome.label}: FAILED: {outcome.error}", err=True)
    if failed:
        raise SystemExit(1)


@click.command("check-integrity")
@with_appcontext
def check_integrity() -> None:
    """Audit the booking invariants; exits non-zero when any is broken."""
    found = integrity.breaches(db.session, utcnow())
    for breach in found:
        click.echo(f"BREACH: {breach}", err=True)
    if found:
        raise SystemExit(1)
    click.echo("All booking invariants hold.")


users = AppGroup("users", help="Make accounts and change what they may do.")

ROLE_CHOICE = click.Choice(["professional", "trainer", "coordinator"], case_sensitive=False)


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def fail_with(error: AccountError) -> None:
    db.session.rollback()
    raise click.ClickException(str(error))


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--role", type=ROLE_CHOICE, default="professional", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Make a verified account; the password is asked for unless read from standard input."""
    password = read_password(password_stdin)
    record_changes_by(db.session, None)
    try:
        user = create_account(db.session, email, name, parse_role(role), password)
    except AccountError as error:
        fail_with(error)
    db.session.commit()
    click.echo(f"Made an account for {user.email} ({user.role.label}).")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
def change_role(email: str, role: str) -> None:
    """Make an account a professional, a trainer or a coordinator."""
    record_changes_by(db.session, None)
    try:
        user = set_role(db.session, email, parse_role(role))
    except AccountError as error:
        fail_with(error)
    db.session.commit()
    click.echo(f"{user.email} is now a {user.role.value}.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(path: Path) -> None:
    """Write a consistent copy of the database to PATH while the app serves (SQLite's
    backup API, or pg_dump's custom format); docs/backup.md says how to restore it."""
    try:
        back_up(db.engine, path)
    except BackupFailed as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up the database to {path}.")


@click.command("retention")
@click.option(
    "--years",
    type=click.IntRange(min=1),
    default=DEFAULT_YEARS,
    show_default=True,
    help="Erase accounts with no activity in this many years.",
)
@click.option("--dry-run", is_flag=True, help="List the accounts that would be erased; erase none.")
@with_appcontext
def retention(years: int, dry_run: bool) -> None:
    """Erase the accounts of professionals with no activity in N years (app/privacy)."""
    now = utcnow()
    found = inactive_accounts(db.session, now, years)
    db.session.rollback()
    for account in found:
        last = in_london(account.last_activity).date().isoformat()
        if dry_run:
            click.echo(
                f"Would erase person {account.user_id} <{account.email}>, last active {last}"
            )
            continue
        saved(erase, db.session, account.user_id, now, Path(current_app.config["UPLOAD_FOLDER"]))
        click.echo(f"Erased person {account.user_id}, last active {last}")
    verb = "would be erased" if dry_run else "erased"
    click.echo(f"{len(found)} accounts with no activity in {years} years {verb}.")
