"""The training record: what a person attended, their CPD hours, certificates and the
refreshers due (queries.py), as a page, a PDF and a CSV (routes.py, document.py), and the
reminder mailed before a refresher falls due (service.py)."""

from flask import Blueprint

bp = Blueprint("records", __name__)

from app.records import routes  # noqa: E402, F401
