"""Absolute links for documents read away from the site, built from the configured BASE_URL."""

from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)
