"""Learning outcomes as rows, confidence against them, pre-course reading

A course's learning outcomes were lines of one text field; each becomes a row of its own,
in the order the lines came, so that the confidence people give against an outcome (at
booking, and in the evaluation after the course) keeps pointing at it however the course
is edited. Courses also gain their pre-course reading, sent with the reminder, and the
choice to give certificates only once the evaluation is done. An outcome longer than 300
characters (a sentence the old field never needed) is cut to fit.

Downgrading puts the outcomes still taught back as lines, and loses the confidence given
against them and the outcomes removed: the old schema has nowhere to keep either.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 12:00:00.000000

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: As app/models/outcomes.py keeps them: a longer line is cut to fit.
OUTCOME_LENGTH = 300

course = sa.table(
    "course",
    sa.column("id", sa.Integer),
    sa.column("learning_outcomes", sa.Text),
)
learning_outcome = sa.table(
    "learning_outcome",
    sa.column("id", sa.Integer),
    sa.column("course_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("text", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
    sa.column("removed_at", sa.DateTime),
)


def lines_of(text: str | None) -> list[str]:
    return [line.strip()[:OUTCOME_LENGTH] for line in (text or "").splitlines() if line.strip()]


def upgrade():
    op.create_table(
        "learning_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=OUTCOME_LENGTH), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_learning_outcome_course_id_course")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_outcome")),
    )
    with op.batch_alter_table("learning_outcome", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_outcome_course_id"), ["course_id"], unique=False
        )

    op.create_table(
        "outcome_confidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "before",
                "after",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "confidence BETWEEN 1 AND 5", name=op.f("ck_outcome_confidence_confidence_range")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_outcome_confidence_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["learning_outcome.id"],
            name=op.f("fk_outcome_confidence_outcome_id_learning_outcome"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_confidence")),
        sa.UniqueConstraint(
            "booking_id",
            "outcome_id",
            "stage",
            name=op.f("uq_outcome_confidence_booking_id_outcome_id_stage"),
        ),
    )
    with op.batch_alter_table("outcome_confidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outcome_confidence_booking_id"), ["booking_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outcome_confidence_outcome_id"), ["outcome_id"], unique=False
        )

    connection = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {
            "course_id": course_id,
            "position": position,
            "text": line,
            "created_at": now,
            "updated_at": now,
        }
        for course_id, text in connection.execute(
            sa.select(course.c.id, course.c.learning_outcomes).order_by(course.c.id)
        )
        for position, line in enumerate(lines_of(text), start=1)
    ]
    if rows:
        connection.execute(learning_outcome.insert(), rows)

    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_column("learning_outcomes")
        batch_op.add_column(
            sa.Column("pre_course_reading", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "certificate_after_evaluation",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade():
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_column("certificate_after_evaluation")
        batch_op.drop_column("pre_course_reading")
        batch_op.add_column(
            sa.Column("learning_outcomes", sa.Text(), nullable=False, server_default="")
        )
    connection = op.get_bind()
    texts: dict[int, list[str]] = {}
    for course_id, text in connection.execute(
        sa.select(learning_outcome.c.course_id, learning_outcome.c.text)
        .where(learning_outcome.c.removed_at.is_(None))
        .order_by(learning_outcome.c.course_id, learning_outcome.c.position)
    ):
        texts.setdefault(course_id, []).append(text)
    for course_id, lines in texts.items():
        connection.execute(
            course.update()
            .where(course.c.id == course_id)
            .values(learning_outcomes="\n".join(lines))
        )
    op.drop_table("outcome_confidence")
    op.drop_table("learning_outcome")
