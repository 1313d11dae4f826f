"""How the database is driven: SQLite's write lock up front, PostgreSQL's row locks.

SQLite allows one writer. A transaction that reads and only then writes can find
another writer got there first, and fail at once. So a request that may write (any
but GET, HEAD and OPTIONS) begins its transaction with BEGIN IMMEDIATE, taking the
write lock before it reads and waiting for it (the busy timeout), as does
write_transaction(); other transactions begin plainly and read a snapshot. On
PostgreSQL a write transaction locks the rows it decides on with SELECT ... FOR UPDATE.
"""

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

#: How long a request waits for a lock before it gives up and writes nothing.
LOCK_TIMEOUT_SECONDS = 5


class LockUnavailable(Exception):
    """The lock could not be had in time: nothing was written; try again."""


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", take_over_sqlite_transactions)
        event.listen(engine, "begin", begin_sqlite_transaction)


def take_over_sqlite_transactions(dbapi_connection, connection_record) -> None:
    # pysqlite would otherwise begin transactions itself, lazily, only before writes.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute(f"PRAGMA busy_timeout = {LOCK_TIMEOUT_SECONDS * 1000}")
    # Readers then never wait for the writer, nor it for them.
    dbapi_connection.execute("PRAGMA journal_mode = WAL")


def begin_sqlite_transaction(connection) -> None:
    immediate = connection.get_execution_options().get("write_lock", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_requests_that_write_with_the_lock() -> None:
    """Registered before each request: writing requests take SQLite's write lock first."""
    from flask import request

    from app.extensions import db

    if request.method not in ("GET", "HEAD", "OPTIONS"):
        db.session.connection(execution_options={"write_lock": True})


def write_transaction(db_session: Session) -> None:
    """Start the transaction in which a rule is checked and acted on under lock.

    Any transaction already open must hold no changes; it is ended so the new one
    can begin with the write lock (SQLite) or a lock timeout (PostgreSQL).
    """
    if db_session.new or db_session.dirty or db_session.deleted:
        raise RuntimeError("write_transaction() needs a session with no pending changes")
    db_session.commit()
    try:
        connection = db_session.connection(execution_options={"write_lock": True})
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_SECONDS}s'"))
    except OperationalError as error:
        db_session.rollback()
        raise LockUnavailable from error


def is_lock_failure(error: OperationalError) -> bool:
    """Whether an error means a lock could not be had in time (SQLite busy, PostgreSQL 55P03)."""
    code = getattr(error.orig, "sqlstate", None)
    return code == "55P03" or "database is locked" in str(error.orig)
