"""The trainer's sessions and registers."""

from flask import render_template

from app.permissions import trainer_required
from app.trainer import bp


@bp.get("")
@trainer_required
def index():
    return render_template("trainer/index.html")
