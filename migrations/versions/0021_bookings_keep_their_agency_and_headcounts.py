"""Bookings keep the agency of their time, and agencies a headcount

A booking remembers the agency its person was in when it was made, so that reports count
people who have since moved in the agency they were in at the time. Bookings already made
take their person's agency now, the best that is known of them.

An agency may have a headcount (how many of its people work with children), which a
coordinator enters and reports set the people trained against.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_booking_agency_id_agency"), "agency", ["agency_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_booking_agency_id"), ["agency_id"], unique=False)
    op.execute(
        'UPDATE booking SET agency_id = (SELECT "user".agency_id FROM "user" '
        'WHERE "user".id = booking.user_id)'
    )
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("headcount", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_agency_headcount_positive"), "headcount > 0"
        )


def downgrade():
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_agency_headcount_positive"), type_="check")
        batch_op.drop_column("headcount")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_agency_id"))
        batch_op.drop_constraint(batch_op.f("fk_booking_agency_id_agency"), type_="foreignkey")
        batch_op.drop_column("agency_id")
