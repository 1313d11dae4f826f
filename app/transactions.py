"""A request's change, saved whole or not at all: services flush, and this commits."""

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from app.extensions import db

P = ParamSpec("P")
T = TypeVar("T")


def saved(change: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Make the change and commit it; if it raises, roll back what it did and raise again,
    so a refused change leaves nothing behind, nor holds a lock while its page is shown."""
    try:
        result = change(*args, **kwargs)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result
