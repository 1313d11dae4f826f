"""Editable site pages, and what erasure and retention need of accounts

The privacy notice and the accessibility statement are pages a coordinator edits: a
row holds a page's Markdown once it has been changed from the text the app ships.

An account remembers when it last signed in (retention erases accounts with no activity
for years) and when it was erased, if it was, so it is never erased twice.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 17:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "site_page",
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_site_page")),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_signed_in_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
        batch_op.drop_column("last_signed_in_at")
    op.drop_table("site_page")
