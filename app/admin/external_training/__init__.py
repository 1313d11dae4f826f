"""Training done elsewhere: people's records of training done elsewhere, waiting for a
coordinator to check the certificate and accept or reject them."""

from app.admin.external_training import routes  # noqa: F401
