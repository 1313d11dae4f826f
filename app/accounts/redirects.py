"""The `next` address after signing in: followed only when it is a path on this site."""

from urllib.parse import unquote, urlsplit


def safe_next_path(target: str | None) -> str | None:
    """`target` when it is a plain path here, such as /courses/neglect?x=1; else None.

    Browsers read `//host`, `/\\host` and `\\\\host` as other sites, and some decode
    `%2F` or `%5C` first, so each is refused, as are schemes and control characters.
    """
    if not target:
        return None
    for candidate in (target, unquote(target)):
        if not candidate.startswith("/") or candidate.startswith("//"):
            return None
        if "\\" in candidate or any(ord(char) < 32 or ord(char) == 127 for char in candidate):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target
