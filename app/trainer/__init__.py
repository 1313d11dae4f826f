"""The trainer's screens: the sessions they deliver, registers and attendance."""

from flask import Blueprint

from app.admin import name_the_actor

bp = Blueprint("trainer", __name__)
bp.before_request(name_the_actor)

from app.trainer import routes  # noqa: E402, F401
