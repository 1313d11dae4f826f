"""Roles, attendance, people who walked in and the audit log

Accounts get a role (professional, trainer or coordinator); bookings get the register's
attendance mark and whether the person walked in without a place; trainers' and
coordinators' changes are kept in an audit log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 14:04:10.521929

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("record_type", sa.String(length=50), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("record_label", sa.String(length=300), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_audit_entry_actor_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_entry_record", ["record_type", "record_id"], unique=False)

    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("walk_in", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "attendance",
                sa.Enum(
                    "attended",
                    "did-not-attend",
                    "left-early",
                    name="attendance",
                    native_enum=False,
                    create_constraint=True,
                    length=20,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("attendance_marked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("attendance_marked_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_booking_attendance_marked_by_id_user"),
            "user",
            ["attendance_marked_by_id"],
            ["id"],
        )

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "role",
                sa.Enum(
                    "professional",
                    "trainer",
                    "coordinator",
                    name="role",
                    native_enum=False,
                    create_constraint=True,
                    length=20,
                ),
                server_default="professional",
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_role"), type_="check")
        batch_op.drop_column("role")

    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_booking_attendance_marked_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("ck_booking_attendance"), type_="check")
        batch_op.drop_column("attendance_marked_by_id")
        batch_op.drop_column("attendance_marked_at")
        batch_op.drop_column("attendance")
        batch_op.drop_column("walk_in")

    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_record")
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_actor_id"))

    op.drop_table("audit_entry")
