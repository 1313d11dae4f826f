"""Bookings, their history and approval

A booking keeps access needs, its manager's decision and when it was promoted or
cancelled; every change of its state is kept in booking_event. A partial unique index
allows one active booking per person per session. Sessions get booking windows, a
cancellation cut-off (72 hours unless set) and a calendar sequence number; courses say
whether a line manager must approve a place; mail can carry a calendar invite.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 11:41:20.134176

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "booking_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column(
            "from_status",
            sa.Enum(
                "confirmed",
                "waiting",
                "awaiting-approval",
                "cancelled",
                "declined",
                name="from_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "confirmed",
                "waiting",
                "awaiting-approval",
                "cancelled",
                "declined",
                name="to_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_booking_event_actor_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_booking_event_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_event")),
    )
    with op.batch_alter_table("booking_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booking_event_booking_id"), ["booking_id"], unique=False
        )

    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("access_needs", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("manager_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("approval_expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("manager_comment", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("approval_expired", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("promoted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("late_cancellation", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(
            "uq_booking_one_active_per_person",
            ["session_id", "user_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('confirmed', 'awaiting-approval', 'waiting')"),
            postgresql_where=sa.text("status IN ('confirmed', 'awaiting-approval', 'waiting')"),
        )

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("calendar_method", sa.String(length=10), nullable=True))

    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("requires_approval", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("course_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booking_opens_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("booking_closes_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "cancellation_cutoff_hours", sa.Integer(), nullable=False, server_default="72"
            )
        )
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("course_session", schema=None) as batch_op:
        batch_op.drop_column("sequence")
        batch_op.drop_column("cancellation_cutoff_hours")
        batch_op.drop_column("booking_closes_at")
        batch_op.drop_column("booking_opens_at")

    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_column("requires_approval")

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("calendar_method")
        batch_op.drop_column("calendar")

    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_booking_one_active_per_person",
            sqlite_where=sa.text("status IN ('confirmed', 'awaiting-approval', 'waiting')"),
            postgresql_where=sa.text("status IN ('confirmed', 'awaiting-approval', 'waiting')"),
        )
        batch_op.drop_column("late_cancellation")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("promoted_at")
        batch_op.drop_column("approval_expired")
        batch_op.drop_column("manager_comment")
        batch_op.drop_column("approval_expires_at")
        batch_op.drop_column("manager_email")
        batch_op.drop_column("access_needs")

    with op.batch_alter_table("booking_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_event_booking_id"))

    op.drop_table("booking_event")
