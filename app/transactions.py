"""A request's change, saved whole or not at all: services flush, and this commits.

A change that returns what it did as `Done` has its notices turned into mail here, after
its rules have run and before the commit, so the mail is saved with the change.
"""

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.notices import Done

P = ParamSpec("P")
T = TypeVar("T")

#: PostgreSQL's SQLSTATE for a row that breaks a unique constraint or index.
UNIQUE_VIOLATION = "23505"


def saved(change: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Make the change and commit it; if it raises, roll back what it did and raise again,
    so a refused change leaves nothing behind, nor holds a lock while its page is shown.

    The rules check that a web address, a name or a lesson link is free before they write,
    but on PostgreSQL another request can take it between that check and this commit, and
    the unique constraint then stops this one. Made once more, the change meets the rules
    with the other's row in sight: they refuse it in their own words, at the field it
    concerns, or (as a case review's numbered address) find a free one.
    """
    try:
        return committed(change, *args, **kwargs)
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
    return committed(change, *args, **kwargs)


def committed(change: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """The change's result (a Done's value), once it is committed with its mail."""
    # Imported here: the mail layer reaches the blueprints' packages, which import this.
    from app import notify

    try:
        result = change(*args, **kwargs)
        if isinstance(result, Done):
            notify.send(db.session, result.notices)
            result = result.value
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def is_unique_violation(error: IntegrityError) -> bool:
    cause = error.orig
    return (
        getattr(cause, "sqlstate", None) == UNIQUE_VIOLATION
        or getattr(cause, "sqlite_errorname", None) == "SQLITE_CONSTRAINT_UNIQUE"
    )


def id_of(instance: object) -> int:
    """The id of an instance that a commit has expired, read without loading it again."""
    return inspect(instance).identity[0]
