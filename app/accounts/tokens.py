"""Signed links mailed to people: verify an email address, reset a password."""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.accounts.passwords import digest_of_hash
from app.models import User
from app.refusals import Refused

VERIFY_EMAIL_MAX_AGE = 24 * 60 * 60
RESET_PASSWORD_MAX_AGE = 60 * 60


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def verify_email_token(user: User) -> str:
    """Good for the address it was made for: a later change of address voids it."""
    return serializer("verify-email").dumps({"user": user.id, "email": user.email})


def change_email_token(user: User, new_email: str) -> str:
    """Confirms a new address for the account, until its address changes otherwise."""
    claims = {"user": user.id, "email": new_email, "from": user.email}
    return serializer("verify-email").dumps(claims)


def reset_password_token(user: User) -> str:
    """Single use: it carries a digest of the current password, which using it changes."""
    return serializer("reset-password").dumps({"user": user.id, "password": password_digest(user)})


def password_digest(user: User) -> str:
    return digest_of_hash(user.password_hash)


def read_token(purpose: str, token: str, max_age: int) -> dict:
    try:
        return serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenExpired from error
    except BadSignature as error:
        raise TokenInvalid from error


def read_link(purpose: str, token: str, max_age: int, lasts: str) -> dict:
    """What a mailed link says, or a refusal saying why it cannot be used."""
    try:
        return read_token(purpose, token, max_age)
    except TokenExpired:
        raise Refused(f"That link has expired: {lasts}") from None
    except TokenInvalid:
        raise Refused("That link is not valid: check you copied all of it") from None


def confirmation_link(token: str) -> dict:
    return read_link(
        "verify-email",
        token,
        VERIFY_EMAIL_MAX_AGE,
        "links to confirm an email address last 24 hours",
    )


def reset_link(token: str) -> dict:
    return read_link("reset-password", token, RESET_PASSWORD_MAX_AGE, "reset links last an hour")
