"""Booking notices sent once

Scheduled work (reminders first) claims each message it sends of a booking with a row
here, unique for the booking and the kind of message, so it is never sent twice.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 07:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "booking_notice_sent",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_booking_notice_sent_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("booking_id", "kind", name=op.f("pk_booking_notice_sent")),
    )


def downgrade():
    op.drop_table("booking_notice_sent")
