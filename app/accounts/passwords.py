"""Passwords: Argon2id hashes, and the rules a new password must meet."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MINIMUM_LENGTH = 10

hasher = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106's low-memory profile

# A hash to check against when no account has the address, so that answering
# takes as long for an unknown address as for a known one.
_NOBODY = hasher.hash("no account has this address")


def hash_password(password: str) -> str:
    return hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    try:
        return hasher.verify(password_hash or _NOBODY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    return hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords from breaches, as zxcvbn ships them."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, email: str = "") -> str | None:
    """What is wrong with a new password, in words for the person choosing it."""
    if len(password) < MINIMUM_LENGTH:
        return f"Password must be {MINIMUM_LENGTH} characters or more"
    lowered = password.lower()
    if lowered in common_passwords() or (email and lowered == email.lower()):
        return "That password is too easy to guess: choose one that is not commonly used"
    return None
