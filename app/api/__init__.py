"""Read-only JSON of the public catalogue, described by an OpenAPI 3 document."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import routes  # noqa: E402, F401
