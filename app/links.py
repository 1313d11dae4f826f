"""Absolute links for documents read away from the site, built from the configured BASE_URL.

They never come from the request's Host header, which a client controls, and they work
outside a request too (mail sent by a cron job, for instance).
"""

from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    base = current_app.config["BASE_URL"]
    adapter = current_app.url_map.bind(urlsplit(base).netloc)
    return base + adapter.build(endpoint, values)
