"""The catalogue's version, which public pages are kept by

One row, whose value every change to the catalogue replaces, in the same transaction:
pages kept rendered by it are kept until the catalogue changes, in every worker.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 18:00:00.000000

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": secrets.token_hex(16)}])


def downgrade():
    op.drop_table("catalogue_version")
