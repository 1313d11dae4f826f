"""Evaluations after a session, and the follow-up weeks later

Each booking that attended can have one evaluation (an overall rating, what the person
will do differently, anything else; their confidence afterwards is kept in
outcome_confidence), and, once evaluated, one follow-up saying whether the training
changed their practice, with their line manager's view when they asked for it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("overall_rating", sa.Integer(), nullable=False),
        sa.Column("do_differently", sa.Text(), nullable=False),
        sa.Column("anything_else", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "overall_rating BETWEEN 1 AND 5", name=op.f("ck_evaluation_overall_rating_range")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_evaluation_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_evaluation_booking_id")),
    )
    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column(
            "changed_practice",
            sa.Enum(
                "yes",
                "not-yet",
                "no",
                name="changedpractice",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("how", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("manager_email", sa.String(length=254), nullable=True),
        sa.Column("manager_view", sa.Text(), nullable=True),
        sa.Column("manager_answered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_follow_up_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_follow_up_booking_id")),
    )


def downgrade():
    op.drop_table("follow_up")
    op.drop_table("evaluation")
