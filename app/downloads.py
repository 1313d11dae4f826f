"""Files made for one person (registers, sign-in sheets, certificates), sent so that no
cache keeps a copy."""

import io

from flask import Response, send_file


def private_download(content: bytes, mimetype: str, name: str) -> Response:
    response = send_file(
        io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name
    )
    # Names, access needs, attendance: no shared cache, nor the browser's, may keep a copy.
    response.headers["Cache-Control"] = "private, no-store"
    return response
