"""Reading the audit log, filtered by the person who made the changes and by record."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.models import AuditEntry, User
from app.pagination import Pagination, page_of

PER_PAGE = 50


@dataclass(frozen=True)
class Filters:
    actor_id: int | None = None
    record_type: str | None = None
    record_id: int | None = None


def find_entries(db_session: Session, filters: Filters, page: int) -> Pagination:
    """Newest first, a page at a time, each with the person who made it."""
    query = (
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if filters.actor_id is not None:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.record_type:
        query = query.where(AuditEntry.record_type == filters.record_type)
    if filters.record_id is not None:
        query = query.where(AuditEntry.record_id == filters.record_id)
    return page_of(db_session, query, page, PER_PAGE)


def people_with_entries(db_session: Session) -> list[User]:
    """Everyone who has changed something, for the filter's list."""
    actors = select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()
    return list(db_session.scalars(select(User).where(User.id.in_(actors)).order_by(User.name)))
