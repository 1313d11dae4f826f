"""CPD hours for courses, and certificates of attendance

Courses carry their CPD hours as a number. Courses made before now have theirs read from
the duration text where it says them: "3 hours" or "2.5 hours" as written, "Half day" as
3, "Full day" or "1 day" as 6 (a number of days as 6 each); any other text is given the
default of 3 hours, a half day, which a coordinator can correct on the course's form.

Certificates, one for each booking marked attended, carry the random code that an
employer or inspector checks on the public verification page. Bookings already marked
attended are given theirs here, issued when their mark was given.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 07:30:00.000000

"""

import re
import secrets
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

DEFAULT_HOURS = Decimal("3")
HALF_DAY = Decimal("3")
FULL_DAY = Decimal("6")
LEAST, MOST = Decimal("0.5"), Decimal("40")

HOURS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:hours?|hrs?)\b")
DAYS = re.compile(r"\b(\d+|one|two|three|four|five)\s*(?:full\s+)?days?\b")
DAY_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}

#: As app/certificates/service.py makes them: 16 characters without 0/O or 1/I, 80 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 16

booking = sa.table(
    "booking",
    sa.column("id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("attendance", sa.String),
    sa.column("attendance_marked_at", sa.DateTime),
)
certificate = sa.table(
    "certificate",
    sa.column("booking_id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("issued_at", sa.DateTime),
)

course = sa.table(
    "course",
    sa.column("id", sa.Integer),
    sa.column("duration", sa.String),
    sa.column("cpd_hours", sa.Numeric(4, 1)),
)


def hours_from(duration: str | None) -> Decimal:
    """The CPD hours a course's duration text says, to the nearest half hour."""
    text = (duration or "").lower()
    if found := HOURS.search(text):
        hours = Decimal(found.group(1))
    elif "half day" in text or "half-day" in text:
        hours = HALF_DAY
    elif "full day" in text or "full-day" in text or "all day" in text:
        hours = FULL_DAY
    elif found := DAYS.search(text):
        number = found.group(1)
        hours = FULL_DAY * int(DAY_WORDS.get(number, number))
    else:
        return DEFAULT_HOURS
    halves = (hours * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return min(max(halves / 2, LEAST), MOST)


def upgrade():
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cpd_hours", sa.Numeric(precision=4, scale=1), nullable=True))
    connection = op.get_bind()
    for course_id, duration in list(connection.execute(sa.select(course.c.id, course.c.duration))):
        connection.execute(
            course.update().where(course.c.id == course_id).values(cpd_hours=hours_from(duration))
        )
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.alter_column(
            "cpd_hours", existing_type=sa.Numeric(precision=4, scale=1), nullable=False
        )
        batch_op.create_check_constraint(
            op.f("ck_course_cpd_hours_range"), "cpd_hours BETWEEN 0.5 AND 40"
        )

    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_certificate_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_certificate_booking_id")),
        sa.UniqueConstraint("code", name=op.f("uq_certificate_code")),
    )
    attended = connection.execute(
        sa.select(booking.c.id, booking.c.attendance_marked_at).where(
            booking.c.status == "confirmed", booking.c.attendance == "attended"
        )
    )
    for booking_id, marked_at in list(attended):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        connection.execute(
            certificate.insert().values(
                booking_id=booking_id,
                code=code,
                issued_at=marked_at or datetime.now(UTC).replace(tzinfo=None),
            )
        )


def downgrade():
    op.drop_table("certificate")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_course_cpd_hours_range"), type_="check")
        batch_op.drop_column("cpd_hours")
