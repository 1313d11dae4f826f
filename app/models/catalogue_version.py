"""The catalogue's version: one row, given a new value by every change to what the public
pages, the printed prospectus and the feeds show (app.catalogue.version reads it).

Every flush that adds, changes or removes anything of the catalogue (prospectuses,
courses, their audiences, outcomes and prerequisites, sessions and their places shared
between sectors, venues, case reviews, their findings and reports, the links between
courses and reviews), and every statement sent to those tables through a session, gives
the version a new value in the same transaction, so whoever reads the new version reads
the new catalogue too, in every worker process. A random value rather than a count: a
database emptied and filled again never repeats one. The listeners are set when the
models are imported, so every program writing through them (the app, its commands, a
script) moves the version on.
"""

import secrets
from functools import cache

from sqlalchemy import String, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from app.extensions import db

CATALOGUE_VERSION_ROW = 1


class CatalogueVersion(db.Model):
    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[str] = mapped_column(String(32))


@cache
def catalogue_models() -> tuple[type, ...]:
    from app import models  # every model is mapped by the time anything is flushed

    return (
        models.Prospectus,
        models.Course,
        models.CourseAudience,
        models.LearningOutcome,
        models.Prerequisite,
        models.CourseSession,
        models.SectorPlaces,
        models.Venue,
        models.CaseReview,
        models.KeyFinding,
        models.CaseReviewReport,
        models.LessonLink,
    )


def move_on(db_session: Session) -> None:
    """Give the catalogue a new version, in the transaction under way."""
    value = secrets.token_hex(16)
    connection = db_session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(CatalogueVersion).values(id=CATALOGUE_VERSION_ROW, version=value)
    connection.execute(
        statement.on_conflict_do_update(index_elements=["id"], set_={"version": value})
    )


def move_on_after_catalogue_changes(db_session: Session, context: UOWTransaction) -> None:
    changed = [*db_session.new, *db_session.deleted] + [
        thing for thing in db_session.dirty if db_session.is_modified(thing)
    ]
    if any(isinstance(thing, catalogue_models()) for thing in changed):
        move_on(db_session)


def move_on_after_catalogue_statements(state):
    """`INSERT`s, `UPDATE`s and `DELETE`s of the catalogue sent as statements, outside the
    unit of work."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return None
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, catalogue_models()):
        return None
    result = state.invoke_statement()
    move_on(state.session)
    return result


LISTENERS = (
    ("after_flush", move_on_after_catalogue_changes),
    ("do_orm_execute", move_on_after_catalogue_statements),
)
for name, listener in LISTENERS:
    if not event.contains(Session, name, listener):
        event.listen(Session, name, listener)
