"""Names that must be unique whatever their case: venues' and agencies'."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Agency, Venue


def name_in_use(
    db_session: Session, model: type[Agency | Venue], name: str, except_id: int | None
) -> bool:
    """Whether another record already has this name, compared without regard to case, as
    professionals' typed-in agency names are matched."""
    query = select(model.id).where(func.lower(model.name) == name.lower())
    if except_id is not None:
        query = query.where(model.id != except_id)
    return db_session.scalar(query) is not None
