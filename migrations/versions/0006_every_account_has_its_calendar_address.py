"""Every account has its calendar address

The secret part of a person's calendar feed address is made with the account, so the
page that shows it only reads. Accounts made before now are given theirs here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 06:40:00.000000

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

user = sa.table("user", sa.column("id", sa.Integer), sa.column("calendar_token", sa.String))


def upgrade():
    connection = op.get_bind()
    without = connection.scalars(sa.select(user.c.id).where(user.c.calendar_token.is_(None)))
    for user_id in list(without):
        connection.execute(
            user.update()
            .where(user.c.id == user_id)
            .values(calendar_token=secrets.token_urlsafe(32))
        )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("calendar_token", existing_type=sa.String(length=64), nullable=False)


def downgrade():
    # The addresses given stay: they were already the accounts' own, only made later.
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("calendar_token", existing_type=sa.String(length=64), nullable=True)
