"""Last-minute offers: a place freed close to a session, offered to the first person waiting

The place is held for them ("offered") until they accept it or their time to answer runs
out: the status joins the enumerations of bookings and their history, and the index
allowing one active booking per person and session counts it as active. What became of
the offer (accepted, declined, lapsed) is kept on the booking.

Going down, a place still offered goes back to its person's turn at the head of the
waiting list, as it was before it was offered.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BEFORE = (
    "confirmed",
    "waiting",
    "awaiting-approval",
    "awaiting-coordinator",
    "cancelled",
    "declined",
)
AFTER = (*BEFORE[:4], "offered", *BEFORE[4:])
ACTIVE_BEFORE = ("confirmed", "awaiting-approval", "awaiting-coordinator", "waiting")
ACTIVE_AFTER = ("confirmed", "awaiting-approval", "awaiting-coordinator", "offered", "waiting")
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
            sa.Column(
                "offer_answer",
                sa.Enum(
                    "accepted",
                    "declined",
                    "lapsed",
                    name="offeranswer",
                    native_enum=False,
                    create_constraint=True,
                    length=20,
                ),
                nullable=True,
            )
        )
    index_active(ACTIVE_AFTER)


def downgrade():
    op.execute(
        "UPDATE booking SET status = 'waiting', approval_expires_at = NULL WHERE status = 'offered'"
    )
    op.execute("UPDATE booking_event SET to_status = 'waiting' WHERE to_status = 'offered'")
    op.execute("UPDATE booking_event SET from_status = 'waiting' WHERE from_status = 'offered'")
    op.drop_index(ONE_ACTIVE, table_name="booking")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_booking_offeranswer"), type_="check")
        batch_op.drop_column("offer_answer")
    allow_statuses(BEFORE)
    index_active(ACTIVE_BEFORE)
