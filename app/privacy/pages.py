"""The privacy notice and the accessibility statement: the app's own text until a
coordinator changes it, then theirs. Both are Markdown, shown through render_markdown."""

from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from sqlalchemy.orm import Session

from app.models import SitePage, utcnow

TEXTS = Path(__file__).parent / "texts"
#: The longest page a coordinator may save, in characters.
PAGE_LENGTH = 50_000


@dataclass(frozen=True)
class PageKind:
    slug: str
    title: str


PAGES = {
    "privacy": PageKind("privacy", "Privacy notice"),
    "accessibility": PageKind("accessibility", "Accessibility statement"),
}


def default_text(slug: str, mail_from: str) -> str:
    """The text the app ships, addressed to the partnership's own mailbox."""
    text = (TEXTS / f"{slug}.md").read_text(encoding="utf-8")
    return text.replace("CONTACT_EMAIL", parseaddr(mail_from)[1])


def page_text(db_session: Session, slug: str, mail_from: str) -> str:
    saved = db_session.get(SitePage, slug)
    return saved.body if saved is not None else default_text(slug, mail_from)


def save_page(db_session: Session, slug: str, body: str) -> SitePage:
    page = db_session.get(SitePage, slug)
    if page is None:
        page = SitePage(slug=slug, body=body)
        db_session.add(page)
    page.body = body
    page.updated_at = utcnow()
    db_session.flush()
    return page
