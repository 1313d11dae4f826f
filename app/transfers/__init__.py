"""Handing a confirmed place to a colleague from the same agency."""

from flask import Blueprint

bp = Blueprint("transfers", __name__)

from app.transfers import routes  # noqa: E402, F401
