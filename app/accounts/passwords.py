"""Passwords: Argon2id hashes, and the rules a new password must meet."""

import hashlib
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MINIMUM_LENGTH = 10
#: zxcvbn's score from 0 to 4: 3 is "safely unguessable", about 10^8 guesses or more.
MINIMUM_SCORE = 3
#: zxcvbn reads no more than this; a longer password is judged by its start.
ZXCVBN_LONGEST = 72
A_FEW_WORDS = "Add another word or two. Uncommon words are better."

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


def password_problem(password: str, email: str = "") -> str | None:
    """What is wrong with a new password, in words for the person choosing it: too short,
    or too easy to guess, with zxcvbn's hints on choosing a better one."""
    if len(password) < MINIMUM_LENGTH:
        return f"Password must be {MINIMUM_LENGTH} characters or more"
    guess = zxcvbn(password[:ZXCVBN_LONGEST], user_inputs=[email, email.partition("@")[0]])
    if guess["score"] >= MINIMUM_SCORE:
        return None
    feedback = guess["feedback"]
    hints = [hint for hint in (feedback["warning"], *feedback["suggestions"]) if hint]
    sentences = ["That password is too easy to guess.", *(hints or [A_FEW_WORDS])]
    return " ".join(sentences).rstrip(".")
