"""Passwords: Argon2id hashes, and the rules a new password must meet."""

import hashlib
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MINIMUM_LENGTH = 10

# argon2-cffi's defaults (Argon2id, RFC 9106's low-memory profile) unless configured.
hasher = PasswordHasher()


def configure(time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Set today's parameters; hashes made with others are replaced at the next sign-in."""
    global hasher
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    nobody_hash.cache_clear()


@cache
def nobody_hash() -> str:
    """Checked when no account has the address, so that answering takes as long."""
    return hasher.hash("no account has this address")


def digest_of_hash(password_hash: str | None) -> str:
    """A short digest of a password's hash: a reset link carries it, and is good only
    until the password changes."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def hash_password(password: str) -> str:
    return hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    try:
        matches = hasher.verify(password_hash or nobody_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and password_hash is not None


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
