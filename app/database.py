"""How the database is driven: SQLite's write lock up front, PostgreSQL's row locks.

SQLite allows one writer. A transaction that reads and only then writes can find
another writer got there first, and fail at once. So a request that may write (any
but GET, HEAD and OPTIONS) begins its transaction with BEGIN IMMEDIATE, taking the
write lock before it reads and waiting for it (the busy timeout), as does
write_transaction(); other transactions begin plainly and read a snapshot. On
PostgreSQL a write transaction locks the rows it decides on with SELECT ... FOR UPDATE.

Every commit waits until it is on disk, except those begun by
begin_without_waiting_for_disk(), kept for records a power cut may cost.
"""

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.refusals import TryAgain


def configure_engine(engine: Engine, lock_timeout: float) -> None:
    """`lock_timeout`: seconds a statement waits for a lock before it gives up."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", take_over_sqlite_transactions(lock_timeout))
        event.listen(engine, "begin", begin_sqlite_transaction)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", limit_postgresql_lock_waits(lock_timeout))


def limit_postgresql_lock_waits(lock_timeout: float):
    def on_connect(dbapi_connection, connection_record) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(lock_timeout * 1000)}")
        dbapi_connection.commit()

    return on_connect


def take_over_sqlite_transactions(lock_timeout: float):
    def on_connect(dbapi_connection, connection_record) -> None:
        # pysqlite would otherwise begin transactions itself, lazily, only before writes.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(lock_timeout * 1000)}")
        # Readers then never wait for the writer, nor it for them.
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = FULL")
        connection_record.info["synchronous"] = "FULL"

    return on_connect


def begin_sqlite_transaction(connection) -> None:
    options = connection.get_execution_options()
    # Set per transaction: the connection goes back to the pool for others to use.
    synchronous = "FULL" if options.get("wait_for_disk", True) else "NORMAL"
    if connection.info["synchronous"] != synchronous:
        connection.exec_driver_sql(f"PRAGMA synchronous = {synchronous}")
        connection.info["synchronous"] = synchronous
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("write_lock") else "BEGIN")


def begin_without_waiting_for_disk(db_session: Session) -> None:
    """Begin a transaction whose commit returns before it reaches the disk.

    Only for records whose loss in a power cut or a crash of the machine costs nothing
    but work done again (which mail was sent), never for bookings: the database stays
    consistent and loses at most its last few such commits. SQLite's WAL writes the
    commit without syncing (`synchronous = NORMAL`), so the lock it holds is released
    at once; PostgreSQL flushes it a moment later (`synchronous_commit = off`).
    """
    connection = db_session.connection(execution_options={"wait_for_disk": False})
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")


def locks_for_itself(view):
    """Marks a view whose service takes the lock it needs (or whose reads must not wait
    for it, as a password check), so its request does not take SQLite's lock up front."""
    view.locks_for_itself = True
    return view


def begin_requests_that_write_with_the_lock() -> None:
    """Registered before each request: writing requests take SQLite's write lock first."""
    from flask import current_app, request
    from werkzeug.exceptions import ServiceUnavailable

    from app.extensions import db

    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "locks_for_itself", False):
        return
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            db.session.connection(execution_options={"write_lock": True})
        except OperationalError as error:
            if not is_lock_failure(error):
                raise
            db.session.rollback()
            raise ServiceUnavailable("The service is busy: nothing has been saved.") from error


def write_transaction(db_session: Session, keep: object | None = None) -> None:
    """Start the transaction in which a rule is checked and acted on under lock.

    Any transaction already open must hold no changes; it is ended so the new one
    can begin with the write lock (SQLite); on PostgreSQL every connection has a lock timeout.
    Ending it expires what was loaded, except `keep`: an object whose state as read before
    the lock is good enough, so that it is not read again while the lock is held.
    """
    if db_session.new or db_session.dirty or db_session.deleted:
        raise RuntimeError("write_transaction() needs a session with no pending changes")
    if keep is None:
        db_session.commit()
    else:
        db_session.expunge(keep)
        try:
            db_session.commit()
        finally:
            db_session.add(keep)
    try:
        db_session.connection(execution_options={"write_lock": True})
    except OperationalError as error:
        db_session.rollback()
        raise TryAgain from error


def is_lock_failure(error: OperationalError) -> bool:
    """Whether an error means a lock could not be had in time (SQLite busy, PostgreSQL 55P03)."""
    code = getattr(error.orig, "sqlstate", None)
    return code == "55P03" or "database is locked" in str(error.orig)
