"""Create the public catalogue

Revision ID: 0001
Revises:
Create Date: 2026-11-26 11:07:28.851597

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "sector",
            sa.Enum(
                "health",
                "police",
                "education",
                "social-care",
                "early-years",
                "voluntary",
                "housing",
                "other",
                name="sector",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency")),
        sa.UniqueConstraint("name", name=op.f("uq_agency_name")),
    )
    op.create_table(
        "case_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("key_findings", sa.Text(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_review")),
        sa.UniqueConstraint("slug", name=op.f("uq_case_review_slug")),
    )
    op.create_table(
        "prospectus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("introduction", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospectus")),
        sa.UniqueConstraint("slug", name=op.f("uq_prospectus_slug")),
    )
    op.create_table(
        "venue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("access_information", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue")),
        sa.UniqueConstraint("name", name=op.f("uq_venue_name")),
    )
    op.create_table(
        "case_review_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_review_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_review_id"],
            ["case_review.id"],
            name=op.f("fk_case_review_report_case_review_id_case_review"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_review_report")),
    )
    with op.batch_alter_table("case_review_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_review_report_case_review_id"), ["case_review_id"], unique=False
        )

    op.create_table(
        "course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prospectus_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("learning_outcomes", sa.Text(), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("duration", sa.String(length=100), nullable=False),
        sa.Column(
            "delivery",
            sa.Enum(
                "in-person",
                "live-online",
                "e-learning",
                name="delivery",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("charges_policy", sa.Text(), nullable=False),
        sa.Column("external_url", sa.String(length=500), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name=op.f("ck_course_level_range")),
        sa.ForeignKeyConstraint(
            ["prospectus_id"], ["prospectus.id"], name=op.f("fk_course_prospectus_id_prospectus")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course")),
        sa.UniqueConstraint("slug", name=op.f("uq_course_slug")),
    )
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_prospectus_id"), ["prospectus_id"], unique=False
        )

    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_user_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "course_audience",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column(
            "sector",
            sa.Enum(
                "health",
                "police",
                "education",
                "social-care",
                "early-years",
                "voluntary",
                "housing",
                "other",
                name="sector",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_course_audience_course_id_course")
        ),
        sa.PrimaryKeyConstraint("course_id", "sector", name=op.f("pk_course_audience")),
    )
    op.create_table(
        "course_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "cancelled",
                name="sessionstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_course_session_capacity_not_negative")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_course_session_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_course_session_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venue.id"], name=op.f("fk_course_session_venue_id_venue")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_session")),
    )
    with op.batch_alter_table("course_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_course_session_course_starts", ["course_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_course_session_starts_at"), ["starts_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_course_session_venue_id"), ["venue_id"], unique=False)

    op.create_table(
        "lesson_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("case_review_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_review_id"],
            ["case_review.id"],
            name=op.f("fk_lesson_link_case_review_id_case_review"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_lesson_link_course_id_course")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_link")),
        sa.UniqueConstraint(
            "course_id", "case_review_id", name=op.f("uq_lesson_link_course_id_case_review_id")
        ),
    )
    with op.batch_alter_table("lesson_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lesson_link_case_review_id"), ["case_review_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_lesson_link_course_id"), ["course_id"], unique=False)

    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "confirmed",
                "waiting",
                "awaiting-approval",
                "cancelled",
                "declined",
                name="bookingstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["course_session.id"], name=op.f("fk_booking_session_id_course_session")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_booking_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking")),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_booking_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_user_id"))
        batch_op.drop_index(batch_op.f("ix_booking_session_id"))

    op.drop_table("booking")
    with op.batch_alter_table("lesson_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lesson_link_course_id"))
        batch_op.drop_index(batch_op.f("ix_lesson_link_case_review_id"))

    op.drop_table("lesson_link")
    with op.batch_alter_table("course_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_session_venue_id"))
        batch_op.drop_index(batch_op.f("ix_course_session_starts_at"))
        batch_op.drop_index("ix_course_session_course_starts")

    op.drop_table("course_session")
    op.drop_table("course_audience")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_agency_id"))

    op.drop_table("user")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_prospectus_id"))

    op.drop_table("course")
    with op.batch_alter_table("case_review_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_review_report_case_review_id"))

    op.drop_table("case_review_report")
    op.drop_table("venue")
    op.drop_table("prospectus")
    op.drop_table("case_review")
    op.drop_table("agency")
