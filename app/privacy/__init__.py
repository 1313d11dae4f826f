"""Data protection: the privacy notice and accessibility statement, a person's download
of their data, erasure of their account, and retention's erasure of old accounts."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from app.privacy import routes  # noqa: E402, F401
