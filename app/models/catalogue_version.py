"""The catalogue's version: one row, given a new value by every change to what the public
pages, the printed prospectus and the feeds show (app.catalogue.version)."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class CatalogueVersion(db.Model):
    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[str] = mapped_column(String(32))
