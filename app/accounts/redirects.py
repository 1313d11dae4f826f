"""Where signing in leads: the `next` address when it is a path on this site, else the
person's own starting page."""

from urllib.parse import unquote, urlsplit

from app.models import User


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


def landing_endpoint(user: User) -> str:
    """The page a person starts from when no `next` is asked for: the area of their work."""
    if user.is_coordinator:
        return "admin.index"
    if user.is_trainer:
        return "trainer.index"
    return "accounts.bookings"
