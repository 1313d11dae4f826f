"""The public catalogue: the prospectuses, their courses and sessions, and the PDF prospectus."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from app.catalogue import routes  # noqa: E402, F401
