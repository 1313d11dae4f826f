"""Calendar feeds, trainers and session changes

People get the secret token of their calendar feed; sessions get trainers, an online
joining link, and when and why they were cancelled; courses say what to bring.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 11:59:20.733627

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "session_trainer",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_session.id"],
            name=op.f("fk_session_trainer_session_id_course_session"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_session_trainer_user_id_user")
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id", name=op.f("pk_session_trainer")),
    )
    with op.batch_alter_table("session_trainer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_trainer_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("what_to_bring", sa.Text(), nullable=False, server_default="")
        )

    with op.batch_alter_table("course_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("online_join_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("cancellation_reason", sa.Text(), nullable=False, server_default="")
        )

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_user_calendar_token"), ["calendar_token"])


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_calendar_token"), type_="unique")
        batch_op.drop_column("calendar_token")

    with op.batch_alter_table("course_session", schema=None) as batch_op:
        batch_op.drop_column("cancellation_reason")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("online_join_url")

    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_column("what_to_bring")

    with op.batch_alter_table("session_trainer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_trainer_user_id"))

    op.drop_table("session_trainer")
