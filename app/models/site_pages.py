"""Pages of the site a coordinator edits: the privacy notice, the accessibility statement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class SitePage(db.Model):
    """A page's Markdown once a coordinator has changed it; until then the app's own text
    (app/privacy/pages/<slug>.md) is shown."""

    __tablename__ = "site_page"

    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
