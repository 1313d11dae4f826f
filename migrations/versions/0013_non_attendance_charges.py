"""Charges for places wasted: agencies' charging bands, courses' own amounts, charges

Agencies already in the database were entered by the coordinator (or the demo), so they
become partner agencies, never charged; an agency typed in from now on is chargeable
until a coordinator says otherwise. A course may set its own charge for a no-show or a
late cancellation (0 for none); without one the partnership's usual charge applies.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 13:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

STANDING = sa.text("cancelled_at IS NULL")


def upgrade():
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "charging_band",
                sa.Enum(
                    "partner",
                    "voluntary",
                    "chargeable",
                    name="chargingband",
                    native_enum=False,
                    create_constraint=True,
                    length=20,
                ),
                server_default="partner",
                nullable=False,
            )
        )
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.alter_column("charging_band", server_default=None)

    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.add_column(sa.Column("non_attendance_charge_pence", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("late_cancellation_charge_pence", sa.Integer(), nullable=True)
        )
        batch_op.create_check_constraint(
            op.f("ck_course_non_attendance_charge_range"), "non_attendance_charge_pence >= 0"
        )
        batch_op.create_check_constraint(
            op.f("ck_course_late_cancellation_charge_range"),
            "late_cancellation_charge_pence >= 0",
        )

    op.create_table(
        "charge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "did-not-attend",
                "late-cancellation",
                name="chargereason",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("waived_at", sa.DateTime(), nullable=True),
        sa.Column("waived_by_id", sa.Integer(), nullable=True),
        sa.Column("waive_reason", sa.String(length=500), nullable=False),
        sa.CheckConstraint("amount_pence > 0", name=op.f("ck_charge_amount_positive")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_charge_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_charge_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_charge_user_id_user")),
        sa.ForeignKeyConstraint(
            ["waived_by_id"], ["user.id"], name=op.f("fk_charge_waived_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charge")),
    )
    with op.batch_alter_table("charge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charge_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_charge_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_charge_raised_at"), ["raised_at"], unique=False)
        batch_op.create_index("ix_charge_user_id_raised_at", ["user_id", "raised_at"], unique=False)
        batch_op.create_index(
            "uq_charge_one_standing_per_booking",
            ["booking_id"],
            unique=True,
            sqlite_where=STANDING,
            postgresql_where=STANDING,
        )


def downgrade():
    op.drop_table("charge")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_course_late_cancellation_charge_range"), type_="check")
        batch_op.drop_constraint(op.f("ck_course_non_attendance_charge_range"), type_="check")
        batch_op.drop_column("late_cancellation_charge_pence")
        batch_op.drop_column("non_attendance_charge_pence")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_agency_chargingband"), type_="check")
        batch_op.drop_column("charging_band")
