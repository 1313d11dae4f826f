"""Key findings as rows, tied to the lesson links that teach them; what a briefing prints

A case review's key findings were lines of one text field; each becomes a row of its own,
in the order the lines came, so that a lesson link can say which findings its course
teaches (and a finding no course teaches can be seen). Reviews also gain what their
7-minute briefing prints besides: what the findings mean for practice and the questions
it asks, one a line each.

Downgrading joins the findings back into lines, in order, and loses which links teach
them and the briefing's text: the old schema has nowhere to keep either.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 16:00:00.000000

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

case_review = sa.table(
    "case_review",
    sa.column("id", sa.Integer),
    sa.column("key_findings", sa.Text),
)
key_finding = sa.table(
    "key_finding",
    sa.column("id", sa.Integer),
    sa.column("case_review_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("text", sa.Text),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)


def lines_of(text: str | None) -> list[str]:
    """Each line's words, tidied as the app tidies a finding typed in."""
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def upgrade():
    op.create_table(
        "key_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_review_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_review_id"],
            ["case_review.id"],
            name=op.f("fk_key_finding_case_review_id_case_review"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_finding")),
    )
    with op.batch_alter_table("key_finding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_key_finding_case_review_id"), ["case_review_id"], unique=False
        )

    op.create_table(
        "lesson_link_finding",
        sa.Column("lesson_link_id", sa.Integer(), nullable=False),
        sa.Column("key_finding_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_finding_id"],
            ["key_finding.id"],
            name=op.f("fk_lesson_link_finding_key_finding_id_key_finding"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_link_id"],
            ["lesson_link.id"],
            name=op.f("fk_lesson_link_finding_lesson_link_id_lesson_link"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "lesson_link_id", "key_finding_id", name=op.f("pk_lesson_link_finding")
        ),
    )
    with op.batch_alter_table("lesson_link_finding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lesson_link_finding_key_finding_id"), ["key_finding_id"], unique=False
        )

    connection = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {
            "case_review_id": review_id,
            "position": position,
            "text": line,
            "created_at": now,
            "updated_at": now,
        }
        for review_id, text in connection.execute(
            sa.select(case_review.c.id, case_review.c.key_findings).order_by(case_review.c.id)
        )
        for position, line in enumerate(lines_of(text), start=1)
    ]
    if rows:
        connection.execute(key_finding.insert(), rows)

    with op.batch_alter_table("case_review", schema=None) as batch_op:
        batch_op.drop_column("key_findings")
        batch_op.add_column(
            sa.Column("practice_points", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("reflection_questions", sa.Text(), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("case_review", schema=None) as batch_op:
        batch_op.drop_column("reflection_questions")
        batch_op.drop_column("practice_points")
        batch_op.add_column(sa.Column("key_findings", sa.Text(), nullable=False, server_default=""))
    connection = op.get_bind()
    texts: dict[int, list[str]] = {}
    for review_id, text in connection.execute(
        sa.select(key_finding.c.case_review_id, key_finding.c.text).order_by(
            key_finding.c.case_review_id, key_finding.c.position
        )
    ):
        # One line each, whatever spaces a finding holds.
        texts.setdefault(review_id, []).append(" ".join(text.split()))
    for review_id, lines in texts.items():
        connection.execute(
            case_review.update()
            .where(case_review.c.id == review_id)
            .values(key_findings="\n".join(lines))
        )

    with op.batch_alter_table("lesson_link_finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lesson_link_finding_key_finding_id"))
    op.drop_table("lesson_link_finding")
    with op.batch_alter_table("key_finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_finding_case_review_id"))
    op.drop_table("key_finding")
