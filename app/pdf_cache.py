"""PDFs made from the live data, each kept on disk until what it shows changes.

A document is keyed by a fingerprint of everything it prints: while the fingerprint is
the same, the copy on disk is served; when it changes, a new copy is made and the old
one removed. Files are shared by all worker processes; the bytes are returned rather
than the path, so a copy another process removes as stale can never be lost half-way
through a response. The key is the document's ETag too.
"""

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

KEY = "[0-9a-f]" * 32


@dataclass(frozen=True)
class CachedDocument:
    content: bytes
    etag: str


def cached_pdf(shelf: str, name: str, state: str, render: Callable[[], bytes]) -> CachedDocument:
    """The PDF `name` (a slug) of the kind `shelf` ("prospectuses", "briefings") as it is
    for `state`, made by `render` only when no copy for that state is on disk yet."""
    key = hashlib.sha256(f"{name}|{state}".encode()).hexdigest()[:32]
    folder = Path(current_app.config["PDF_CACHE_DIR"]) / shelf
    path = folder / f"{name}-{key}.pdf"
    try:
        return CachedDocument(content=path.read_bytes(), etag=key)
    except FileNotFoundError:
        content = render()
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(path, content)
    remove_stale_copies(folder, name, keep=path)
    return CachedDocument(content=content, etag=key)


def write_atomically(path: Path, content: bytes) -> None:
    """Write beside the target and rename, so no reader ever sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as file:
        file.write(content)
    os.replace(temporary, path)


def remove_stale_copies(folder: Path, name: str, keep: Path) -> None:
    for old in folder.glob(f"{name}-{KEY}.pdf"):
        if old != keep:
            old.unlink(missing_ok=True)
