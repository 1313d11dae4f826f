"""Places per sector: at most so many of a session's places for a sector, or so many held
for it until some days before the start

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 15:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

SECTORS = (
    "health", "police", "education", "social-care", "early-years", "voluntary", "housing", "other",
)  # fmt: skip


def upgrade():
    op.create_table(
        "sector_places",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column(
            "sector",
            sa.Enum(*SECTORS, name="sector", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("most", sa.Integer(), nullable=True),
        sa.Column("held", sa.Integer(), nullable=True),
        sa.Column("held_until_days", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(held IS NULL) = (held_until_days IS NULL)",
            name=op.f("ck_sector_places_held_with_its_days"),
        ),
        sa.CheckConstraint("held >= 1", name=op.f("ck_sector_places_held_positive")),
        sa.CheckConstraint(
            "held IS NULL OR most IS NULL OR held <= most",
            name=op.f("ck_sector_places_held_within_most"),
        ),
        sa.CheckConstraint(
            "held_until_days BETWEEN 0 AND 365",
            name=op.f("ck_sector_places_held_until_days_range"),
        ),
        sa.CheckConstraint("most >= 0", name=op.f("ck_sector_places_most_not_negative")),
        sa.CheckConstraint(
            "most IS NOT NULL OR held IS NOT NULL", name=op.f("ck_sector_places_most_or_held")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_session.id"],
            name=op.f("fk_sector_places_session_id_course_session"),
        ),
        sa.PrimaryKeyConstraint("session_id", "sector", name=op.f("pk_sector_places")),
    )


def downgrade():
    op.drop_table("sector_places")
