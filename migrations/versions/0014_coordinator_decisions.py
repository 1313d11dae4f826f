"""A coordinator's decision on the bookings of people who missed too many places

A booking made by someone with repeated non-attendances waits, holding its place, for a
coordinator to approve or decline it ("awaiting-coordinator"): the status joins the
enumerations of bookings and their history, and the index allowing one active booking
per person and session counts it as active.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BEFORE = ("confirmed", "waiting", "awaiting-approval", "cancelled", "declined")
AFTER = (*BEFORE[:3], "awaiting-coordinator", *BEFORE[3:])
ACTIVE_BEFORE = ("confirmed", "awaiting-approval", "waiting")
ACTIVE_AFTER = ("confirmed", "awaiting-approval", "awaiting-coordinator", "waiting")
ONE_ACTIVE = "uq_booking_one_active_per_person"


def status_in(column: str, statuses: tuple[str, ...]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{status}'" for status in statuses))


def allow_statuses(statuses: tuple[str, ...]) -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_booking_bookingstatus"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_booking_bookingstatus"), status_in("status", statuses)
        )
    with op.batch_alter_table("booking_event", schema=None) as batch_op:
        for column in ("from_status", "to_status"):
            name = batch_op.f(f"ck_booking_event_{column}")
            batch_op.drop_constraint(name, type_="check")
            batch_op.create_check_constraint(name, status_in(column, statuses))


def index_active(statuses: tuple[str, ...]) -> None:
    """Made after the table's batch operations, which on SQLite would copy the index
    without its WHERE clause."""
    where = sa.text(status_in("status", statuses))
    op.create_index(
        ONE_ACTIVE,
        "booking",
        ["session_id", "user_id"],
        unique=True,
        sqlite_where=where,
        postgresql_where=where,
    )


def upgrade():
    op.drop_index(ONE_ACTIVE, table_name="booking")
    allow_statuses(AFTER)
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("needs_coordinator", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("coordinator_approved", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("coordinator_reason", sa.Text(), server_default="", nullable=False)
        )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.alter_column("needs_coordinator", server_default=None)
        batch_op.alter_column("coordinator_reason", server_default=None)
    index_active(ACTIVE_AFTER)


def downgrade():
    op.execute("UPDATE booking SET status = 'declined' WHERE status = 'awaiting-coordinator'")
    op.execute(
        "UPDATE booking_event SET to_status = 'declined' WHERE to_status = 'awaiting-coordinator'"
    )
    op.execute(
        "UPDATE booking_event SET from_status = 'declined' "
        "WHERE from_status = 'awaiting-coordinator'"
    )
    op.drop_index(ONE_ACTIVE, table_name="booking")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_column("coordinator_reason")
        batch_op.drop_column("coordinator_approved")
        batch_op.drop_column("needs_coordinator")
    allow_statuses(BEFORE)
    index_active(ACTIVE_BEFORE)
