"""Courses that are attended again every so many years

A course may say it is refreshed every 1 to 10 years; the training record shows when each
refresher falls due and the scheduled work mails a reminder before it does. Courses made
before now have none, so nobody is told of a refresher until a coordinator sets one.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 11:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refresh_years", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_course_refresh_years_range"), "refresh_years BETWEEN 1 AND 10"
        )


def downgrade():
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_course_refresh_years_range"), type_="check")
        batch_op.drop_column("refresh_years")
