"""Professionals' accounts: register, verify an email address, sign in, reset a password."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from app.accounts import routes  # noqa: E402, F401
