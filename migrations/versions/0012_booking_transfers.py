"""Booking transfers

A confirmed place handed on to a colleague from the same agency: at once to a colleague
with an account, or offered to their address for 48 hours. The partial unique index
keeps a booking from being offered twice at once.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 12:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OPEN = "claimed_at IS NULL AND returned_at IS NULL AND withdrawn_at IS NULL"


def upgrade():
    op.create_table(
        "booking_transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("from_user_id", sa.Integer(), nullable=False),
        sa.Column("to_email", sa.String(length=254), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("to_user_id", sa.Integer(), nullable=True),
        sa.Column("to_booking_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_booking_transfer_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["user.id"], name=op.f("fk_booking_transfer_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["from_user_id"], ["user.id"], name=op.f("fk_booking_transfer_from_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["to_booking_id"],
            ["booking.id"],
            name=op.f("fk_booking_transfer_to_booking_id_booking"),
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"], ["user.id"], name=op.f("fk_booking_transfer_to_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_transfer")),
    )
    op.create_index(
        op.f("ix_booking_transfer_booking_id"), "booking_transfer", ["booking_id"], unique=False
    )
    op.create_index(
        "uq_booking_transfer_one_open_per_booking",
        "booking_transfer",
        ["booking_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade():
    op.drop_index("uq_booking_transfer_one_open_per_booking", table_name="booking_transfer")
    op.drop_index(op.f("ix_booking_transfer_booking_id"), table_name="booking_transfer")
    op.drop_table("booking_transfer")
