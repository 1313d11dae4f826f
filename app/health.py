"""Health checks for monitors and load balancers.

- `/livez`: the process answers; touches nothing else, so a restart is never triggered
  by a database that is down.
- `/readyz`: this server can do its work: the database answers, its schema is the one
  the code expects (the migrations' head), and mail is leaving (the oldest unsent message
  is younger than MAIL_STUCK_AFTER). 503 with the reason otherwise, so a load balancer
  sends visitors elsewhere.
- `/healthz`: the app and its database answer.
"""

from datetime import timedelta
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from app.display import in_london
from app.extensions import db
from app.models import OutboxMessage, OutboxStatus, utcnow

bp = Blueprint("health", __name__)

#: Mail older than this still unsent means the outbox is stuck (cron's `tick` not running,
#: or the mail server refusing); `tick` runs every five minutes.
MAIL_STUCK_AFTER = timedelta(minutes=15)
UNSENT = (OutboxStatus.QUEUED, OutboxStatus.SENDING)


@bp.get("/livez")
def livez():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    try:
        problem = schema_problem() or outbox_problem()
    except SQLAlchemyError:
        db.session.rollback()
        problem = "the database does not answer"
    if problem:
        return jsonify(status="not ready", reason=problem), 503
    return jsonify(status="ok")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", app="ok", database="unavailable"), 503
    return jsonify(status="ok", app="ok", database="ok")


@cache
def migration_heads(directory: str) -> frozenset[str]:
    """The revisions the code's migrations end at (read from disk once per process)."""
    return frozenset(ScriptDirectory(directory).get_heads())


def schema_problem() -> str | None:
    """Why the database's schema is not the one the code expects, or None."""
    expected = migration_heads(current_app.extensions["migrate"].directory)
    connection = db.session.connection()
    found = frozenset(MigrationContext.configure(connection).get_current_heads())
    if found == expected:
        return None
    return (
        f"the database schema is at {', '.join(sorted(found)) or 'no revision'}, "
        f"not {', '.join(sorted(expected))}: run `flask --app wsgi db upgrade`"
    )


def outbox_problem() -> str | None:
    """Why mail is not leaving, or None."""
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(UNSENT))
    )
    if oldest is None or utcnow() - oldest < MAIL_STUCK_AFTER:
        return None
    return (
        f"mail queued at {in_london(oldest):%H:%M on %d %B %Y} is still unsent: check that "
        "`flask --app wsgi tick` runs and the mail server answers"
    )
