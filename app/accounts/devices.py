"""Browsers a person has signed in from before, kept in a signed cookie of their own.

Guesses at an address from many clients close it to every browser but these, so that
nobody can lock an account's owner out of the browsers they use.
"""

import hashlib

from flask import Response, request

from app.accounts.tokens import TokenExpired, TokenInvalid, read_token, serializer
from app.safety import cookies_are_secure

COOKIE = "signed_in_before"
PURPOSE = "signed-in-before"
LASTS = 365 * 24 * 60 * 60
#: Accounts a shared browser remembers, the latest first.
KEPT = 5


def digest(email: str) -> str:
    """The cookie names accounts by a digest, not by their addresses."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def remembered() -> list[str]:
    try:
        digests = read_token(PURPOSE, request.cookies.get(COOKIE, ""), LASTS)
    except (TokenExpired, TokenInvalid):
        return []
    return digests if isinstance(digests, list) else []


def signed_in_before(email: str) -> bool:
    """Whether this browser has signed in to the account at `email` within the year."""
    return digest(email) in remembered()


def remember(response: Response, email: str) -> None:
    """Mark this browser as one the account at `email` signed in from."""
    mine = digest(email)
    digests = [mine, *(other for other in remembered() if other != mine)][:KEPT]
    response.set_cookie(
        COOKIE,
        serializer(PURPOSE).dumps(digests),
        max_age=LASTS,
        secure=cookies_are_secure(),
        httponly=True,
        samesite="Lax",
    )
