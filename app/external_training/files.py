"""Certificates of training done elsewhere, as files: what a file is, read from its
content; where it is kept (the upload folder, outside the web root, under a random name);
and keeping or removing it with the transaction that records it.

A file written while its record is saved is removed again if that transaction rolls back,
and one whose record is deleted is removed only once that deletion is committed, so the
folder and the database never disagree for long: no file without its record, no record
without its file.
"""

import io
import os
import re
import secrets
from pathlib import Path

import filetype
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.models import CERTIFICATE_EXTENSIONS, CERTIFICATE_KINDS
from app.refusals import Refused

#: The largest certificate taken, in bytes.
MOST_BYTES = 5 * 1024 * 1024
MOST_SIZE_WORDS = "5 MB"
#: The most pixels a picture of a certificate may have: a page scanned at 600 dots an inch
#: has 35 million; more is no certificate, and would take too much memory to check.
MOST_PIXELS = 40_000_000
#: Pillow's name for each kind of picture.
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
FIELD = "certificate"
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(pdf|png|jpg)")

WRITTEN = "certificate_files_written"
TO_REMOVE = "certificate_files_to_remove"


def refused(message: str) -> Refused:
    return Refused(message, field=FIELD)


def certificate_type(content: bytes) -> str:
    """The MIME type of a certificate, read from its content: a PDF, PNG or JPEG file
    that opens whole. Raises Refused (at "certificate") for anything else."""
    if not content:
        raise refused("The file you chose is empty. Choose the file of your certificate")
    if len(content) > MOST_BYTES:
        raise refused(f"The certificate must be {MOST_SIZE_WORDS} or smaller")
    found = filetype.guess(content)
    mime = found.mime if found else None
    if mime not in CERTIFICATE_EXTENSIONS:
        raise refused("The certificate must be a PDF, PNG or JPEG file")
    if mime == "application/pdf":
        check_pdf(content)
    else:
        check_picture(content, mime)
    return mime


def check_pdf(content: bytes) -> None:
    """The PDF opens and has a page: a file cut short, or only dressed as a PDF, does not;
    nor does one that opens only with a password, which nobody checking it would have."""
    try:
        pages = len(PdfReader(io.BytesIO(content)).pages)
    except FileNotDecryptedError:
        raise refused(
            "The certificate's PDF file is protected by a password. Choose a copy without one"
        ) from None
    except (PyPdfError, DependencyError, ValueError, KeyError, TypeError, RecursionError):
        pages = 0
    if not pages:
        raise unreadable("PDF")


def check_picture(content: bytes, mime: str) -> None:
    """The picture is what its first bytes say, of a sensible size, and decodes to its end."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != IMAGE_FORMATS[mime]:
                raise unreadable(CERTIFICATE_KINDS[mime])
            width, height = image.size
            if width * height > MOST_PIXELS:
                raise too_many_pixels()
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()
        if mime == "image/jpeg" and not jpeg_runs_to_its_end(content):
            raise unreadable(CERTIFICATE_KINDS[mime])
    except Image.DecompressionBombError:
        raise too_many_pixels() from None
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
        raise unreadable(CERTIFICATE_KINDS[mime]) from None


def jpeg_runs_to_its_end(content: bytes) -> bool:
    """Whether a JPEG's segments and scans run whole to its end-of-image marker (what
    may follow it is not the picture's).

    Pillow finds a JPEG cut short only while its LOAD_TRUNCATED_IMAGES is off, and that
    switch is the whole process's: WeasyPrint turns it on when it is imported. So the
    end is looked for here: walking the segments by their lengths, past each scan's
    coded data (where 0xFF is only ever followed by 0x00 or a restart marker), to 0xFFD9.
    """
    position = 2  # past the start-of-image marker
    while position + 1 < len(content):
        if content[position] != 0xFF:
            return False
        marker = content[position + 1]
        if marker == 0xFF:  # a fill byte before a marker
            position += 1
        elif marker == 0xD9:
            return True
        elif marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            position += 2
        else:
            position += 2 + int.from_bytes(content[position + 2 : position + 4], "big")
            if marker == 0xDA:
                position = end_of_scan(content, position)
    return False


def end_of_scan(content: bytes, position: int) -> int:
    """Where the marker after a scan's coded data is (the content's length if none is)."""
    while (found := content.find(b"\xff", position)) != -1 and found + 1 < len(content):
        following = content[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position = found + 2
        else:
            return found
    return len(content)


def too_many_pixels() -> Refused:
    return refused(
        "The picture of the certificate is too large: scan or photograph it at a lower resolution"
    )


def unreadable(kind: str) -> Refused:
    return refused(
        f"The certificate could not be opened as a {kind} file: it may be damaged or not "
        "fully downloaded. Choose another copy"
    )


def stored_path(folder: Path, name: str) -> Path:
    """Where a stored certificate is; only ever a name this module made."""
    if not STORED_NAME.fullmatch(name):
        raise ValueError(f"not a stored certificate's name: {name[:40]!r}")
    return folder / name


def keep(db_session: Session, folder: Path, content: bytes, mime: str) -> str:
    """Write the certificate to the folder under a new random name, on disk before the
    record naming it is committed; the name. Removed again if the transaction rolls back."""
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + CERTIFICATE_EXTENSIONS[mime]
    path = stored_path(folder, name)
    with path.open("xb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    db_session.info.setdefault(WRITTEN, []).append(path)
    return name


def remove_when_committed(db_session: Session, folder: Path, name: str) -> None:
    """Remove the certificate once the deletion of its record is committed."""
    db_session.info.setdefault(TO_REMOVE, []).append(stored_path(folder, name))


def forget_written(db_session: Session) -> None:
    db_session.info.pop(WRITTEN, None)


def remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def after_commit(db_session: Session) -> None:
    forget_written(db_session)
    remove(db_session.info.pop(TO_REMOVE, []))


def after_rollback(db_session: Session, previous: SessionTransaction) -> None:
    """A rollback of the whole transaction takes back the files it wrote and keeps the
    ones it would have removed."""
    if previous.nested:
        return
    remove(db_session.info.pop(WRITTEN, []))
    db_session.info.pop(TO_REMOVE, None)


def init_app() -> None:
    """Follow every session's commits and rollbacks; only those that wrote or removed a
    certificate have anything to do."""
    if not event.contains(Session, "after_commit", after_commit):
        event.listen(Session, "after_commit", after_commit)
        event.listen(Session, "after_soft_rollback", after_rollback)
