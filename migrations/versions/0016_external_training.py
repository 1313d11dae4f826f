"""Training done elsewhere, recorded by the person with its certificate

A person records a course they completed outside the partnership (the Virtual College
e-learning, say): the catalogue's course it stands for, where it was done, when, and the
certificate's file, kept in the upload folder under a random name. A coordinator accepts
or rejects it; an accepted one counts on the training record.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "external_training",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("certificate_path", sa.String(length=100), nullable=False),
        sa.Column("certificate_name", sa.String(length=255), nullable=False),
        sa.Column("certificate_type", sa.String(length=100), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "accepted",
                "rejected",
                name="externaltrainingstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_external_training_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_external_training_decided_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_external_training_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_training")),
        sa.UniqueConstraint("certificate_path", name=op.f("uq_external_training_certificate_path")),
    )
    with op.batch_alter_table("external_training", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_external_training_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_external_training_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_external_training_user_id"), ["user_id"], unique=False)


def downgrade():
    op.drop_table("external_training")
