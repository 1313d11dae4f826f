"""The prospectus as a PDF, made from the live catalogue and kept until the catalogue changes."""

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app, render_template

from app.catalogue import queries
from app.display import in_london
from app.extensions import db
from app.models import Prospectus
from app.prerequisites.service import prerequisites_of_courses

STYLESHEET = Path(__file__).resolve().parent.parent.parent / "static" / "pdf" / "prospectus.css"


@dataclass(frozen=True)
class CachedDocument:
    content: bytes
    etag: str


def cached_prospectus_pdf(prospectus: Prospectus, now: datetime) -> CachedDocument:
    """The PDF for today's catalogue, built only when no copy for it is on disk yet.

    The copy is keyed by everything it shows: the catalogue's state and the day,
    since "upcoming" moves on by itself. Files are shared by all worker processes;
    the bytes are returned rather than the path, so a copy another process removes
    as stale can never be lost half-way through a response.
    """
    key = cache_key(prospectus, now)
    folder = Path(current_app.config["PDF_CACHE_DIR"])
    path = folder / f"{prospectus.slug}-{key}.pdf"
    try:
        return CachedDocument(content=path.read_bytes(), etag=key)
    except FileNotFoundError:
        content = render_prospectus_pdf(prospectus, now)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(path, content)
    remove_stale_copies(folder, prospectus.slug, keep=path)
    return CachedDocument(content=content, etag=key)


def cache_key(prospectus: Prospectus, now: datetime) -> str:
    fingerprint = queries.catalogue_fingerprint(db.session, now)
    state = f"{prospectus.slug}|{in_london(now).date()}|{fingerprint}"
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def render_prospectus_pdf(prospectus: Prospectus, now: datetime) -> bytes:
    from weasyprint import CSS, HTML  # slow to import; only the PDF needs it

    courses = queries.published_courses(db.session, prospectus)
    course_ids = [course.id for course in courses]
    sessions = queries.upcoming_sessions(db.session, course_ids, now)
    html = render_template(
        "catalogue/prospectus_pdf.html",
        prospectus=prospectus,
        courses=courses,
        sessions={
            course_id: [session for session in found if not session.is_cancelled]
            for course_id, found in sessions.items()
        },
        lesson_links=queries.lesson_links_for_courses(db.session, course_ids),
        prerequisites=prerequisites_of_courses(db.session, course_ids),
        printed_on=now,
    )
    document = HTML(string=html, base_url=current_app.config["BASE_URL"])
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def write_atomically(path: Path, content: bytes) -> None:
    """Write beside the target and rename, so no reader ever sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as file:
        file.write(content)
    os.replace(temporary, path)


def remove_stale_copies(folder: Path, slug: str, keep: Path) -> None:
    for old in folder.glob(f"{slug}-{'[0-9a-f]' * 32}.pdf"):
        if old != keep:
            old.unlink(missing_ok=True)
