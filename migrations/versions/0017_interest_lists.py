"""Interest lists

People ask to be told when a course has a date (course_interest, one row a person and
course), and are told once of each session published (interest_notice_sent, one row a
person and session, written with the message), even if it is unpublished and published
again.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "course_interest",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_course_interest_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_course_interest_user_id_user")
        ),
        sa.PrimaryKeyConstraint("course_id", "user_id", name=op.f("pk_course_interest")),
    )
    op.create_table(
        "interest_notice_sent",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_session.id"],
            name=op.f("fk_interest_notice_sent_session_id_course_session"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_interest_notice_sent_user_id_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "session_id", name=op.f("pk_interest_notice_sent")),
    )


def downgrade():
    op.drop_table("interest_notice_sent")
    op.drop_table("course_interest")
