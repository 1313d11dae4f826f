"""Prerequisites of courses, and bookings a coordinator makes for a person

A course may require others to have been attended first, each within a number of years
or at any time. A coordinator may book a person onto a session passing over those
requirements, with a reason kept on the booking, and may say the place is never charged.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "prerequisite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("required_course_id", sa.Integer(), nullable=False),
        sa.Column("within_years", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "course_id <> required_course_id", name=op.f("ck_prerequisite_not_itself")
        ),
        sa.CheckConstraint(
            "within_years BETWEEN 1 AND 10", name=op.f("ck_prerequisite_within_years_range")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_prerequisite_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["required_course_id"],
            ["course.id"],
            name=op.f("fk_prerequisite_required_course_id_course"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prerequisite")),
        sa.UniqueConstraint(
            "course_id",
            "required_course_id",
            name=op.f("uq_prerequisite_course_id_required_course_id"),
        ),
    )
    with op.batch_alter_table("prerequisite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prerequisite_required_course_id"), ["required_course_id"], unique=False
        )

    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booked_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("override_reason", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "exempt_from_charges", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_booking_booked_by_id_user"), "user", ["booked_by_id"], ["id"]
        )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.alter_column("override_reason", server_default=None)
        batch_op.alter_column("exempt_from_charges", server_default=None)


def downgrade():
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_booking_booked_by_id_user"), type_="foreignkey")
        batch_op.drop_column("exempt_from_charges")
        batch_op.drop_column("override_reason")
        batch_op.drop_column("booked_by_id")

    with op.batch_alter_table("prerequisite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prerequisite_required_course_id"))
    op.drop_table("prerequisite")
