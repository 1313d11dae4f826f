"""Signed links mailed to people: verify an email address, reset a password."""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.models import User

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


def reset_password_token(user: User) -> str:
    """Single use: it carries a digest of the current password, which using it changes."""
    return serializer("reset-password").dumps({"user": user.id, "password": password_digest(user)})


def password_digest(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def read_token(purpose: str, token: str, max_age: int) -> dict:
    try:
        return serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenExpired from error
    except BadSignature as error:
        raise TokenInvalid from error
