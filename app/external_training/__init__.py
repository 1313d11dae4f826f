"""Training done elsewhere: a person records a course completed outside the partnership
with its certificate (routes.py, forms.py), kept as a file (files.py); a coordinator
accepts or rejects it (service.py, and the pages in app/admin/external_training); an
accepted one counts on the training record."""

from flask import Blueprint

bp = Blueprint("external_training", __name__)

from app.external_training import routes  # noqa: E402, F401
