"""What the person's pages and the coordinator's share: the upload folder as set, and a
certificate sent as a download."""

import logging
from pathlib import Path

from flask import Response, abort, current_app, send_file

from app.external_training import files
from app.models import ExternalTraining

logger = logging.getLogger(__name__)


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def certificate_download(training: ExternalTraining) -> Response:
    """The certificate as an attachment of the type its content showed, which no browser
    may take for another (nosniff) and no cache may keep; 404 if its file is missing."""
    path = files.stored_path(upload_folder(), training.certificate_path)
    if not path.is_file():
        logger.error("Certificate file %s of external training %s is missing", path, training.id)
        abort(404)
    response = send_file(
        path,
        mimetype=training.certificate_type,
        as_attachment=True,
        download_name=training.download_name,
        conditional=False,
        etag=False,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
