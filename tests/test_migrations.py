"""The schema is made by the migrations alone, up from empty and back down, on both databases."""

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from tests.conftest import TEST_DATABASE_URL, make_app, throwaway_postgres_database


def migrate_up_and_down(app: Flask) -> None:
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert compare_metadata(context, db.metadata) == []

        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

        upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_sqlite_migrates_from_empty_to_head_and_back(tmp_path):
    migrate_up_and_down(make_app(f"sqlite:///{tmp_path / 'fresh.sqlite'}", tmp_path))


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL, reason="TEST_DATABASE_URL names no PostgreSQL server")
def test_postgresql_migrates_from_empty_to_head_and_back(tmp_path):
    with throwaway_postgres_database(TEST_DATABASE_URL) as url:
        migrate_up_and_down(make_app(url, tmp_path))


def test_every_constraint_in_the_migrated_schema_has_a_name(app):
    inspector = inspect(db.engine)
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        constraints = [
            inspector.get_pk_constraint(table),
            *inspector.get_foreign_keys(table),
            *inspector.get_unique_constraints(table),
            *inspector.get_check_constraints(table),
        ]
        for constraint in constraints:
            assert constraint["name"], f"{table} has an unnamed constraint: {constraint}"


def test_accounts_made_before_calendar_addresses_were_given_get_one(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite'}", tmp_path)
    with app.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as connection:
            for number in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO user (email, name, job_title, line_manager_name, "
                        "session_version, active, role, created_at, updated_at) VALUES "
                        "(:email, 'Old account', '', '', 1, 1, 'professional', :now, :now)"
                    ),
                    {"email": f"old{number}@example.org", "now": datetime(2026, 11, 1)},
                )
        upgrade()
        with db.engine.connect() as connection:
            tokens = connection.scalars(text("SELECT calendar_token FROM user")).all()
        db.engine.dispose()

    assert len(tokens) == 2
    assert all(len(token) >= 40 for token in tokens)
    assert tokens[0] != tokens[1]


@pytest.mark.parametrize(
    ("duration", "hours"),
    [
        ("Half day (3 hours)", "3.0"),
        ("Full day (9.30am to 4pm)", "6.0"),
        ("2 hours (live online)", "2.0"),
        ("2.5 hours", "2.5"),
        ("1 day", "6.0"),
        ("Two days", "12.0"),
        ("Half day", "3.0"),
        ("Self-paced online learning", "3.0"),
        ("", "3.0"),
    ],
)
def test_courses_made_before_cpd_hours_have_theirs_read_from_their_duration(
    tmp_path, duration, hours
):
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite'}", tmp_path)
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as connection:
            now = datetime(2026, 11, 1)
            connection.execute(
                text(
                    "INSERT INTO prospectus (slug, title, introduction, year, position, "
                    "published, created_at, updated_at) VALUES "
                    "('multi-agency', 'Multi-agency', '', 2026, 0, 1, :now, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO course (prospectus_id, slug, title, summary, description, "
                    "learning_outcomes, audience, level, duration, delivery, charges_policy, "
                    "what_to_bring, requires_approval, published, created_at, updated_at) "
                    "VALUES (1, 'old', 'Old course', '', '', '', '', 1, :duration, "
                    "'in-person', '', '', 0, 1, :now, :now)"
                ),
                {"duration": duration, "now": now},
            )
        upgrade()
        with db.engine.connect() as connection:
            found = connection.scalar(text("SELECT cpd_hours FROM course"))
        db.engine.dispose()

    assert f"{float(found):.1f}" == hours


def test_bookings_marked_attended_before_certificates_get_one(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite'}", tmp_path)
    marked = datetime(2026, 11, 2, 12)
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as connection:
            run = lambda sql, **values: connection.execute(text(sql), values)  # noqa: E731
            now = datetime(2026, 11, 1)
            run(
                "INSERT INTO prospectus (slug, title, introduction, year, position, published, "
                "created_at, updated_at) VALUES ('p', 'P', '', 2026, 0, 1, :now, :now)",
                now=now,
            )
            run(
                "INSERT INTO course (prospectus_id, slug, title, summary, description, "
                "learning_outcomes, audience, level, duration, delivery, charges_policy, "
                "what_to_bring, requires_approval, published, created_at, updated_at) VALUES "
                "(1, 'c', 'C', '', '', '', '', 1, '3 hours', 'in-person', '', '', 0, 1, "
                ":now, :now)",
                now=now,
            )
            run(
                "INSERT INTO course_session (course_id, starts_at, ends_at, capacity, status, "
                "published, cancellation_cutoff_hours, sequence, cancellation_reason, "
                "created_at, updated_at) VALUES (1, :start, :end, 20, 'scheduled', 1, 72, 0, "
                "'', :now, :now)",
                start=datetime(2026, 11, 2, 9),
                end=datetime(2026, 11, 2, 12),
                now=now,
            )
            for number, attendance in enumerate(("attended", "left-early", None), start=1):
                run(
                    "INSERT INTO user (email, name, job_title, line_manager_name, "
                    "session_version, active, role, calendar_token, created_at, updated_at) "
                    "VALUES (:email, 'Old account', '', '', 1, 1, 'professional', :token, "
                    ":now, :now)",
                    email=f"old{number}@example.org",
                    token=f"token-{number}",
                    now=now,
                )
                run(
                    "INSERT INTO booking (session_id, user_id, status, access_needs, "
                    "manager_comment, approval_expired, late_cancellation, walk_in, attendance, "
                    "attendance_marked_at, created_at, updated_at) VALUES (1, :user, "
                    "'confirmed', '', '', 0, 0, 0, :attendance, :marked, :now, :now)",
                    user=number,
                    attendance=attendance,
                    marked=marked if attendance else None,
                    now=now,
                )
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT booking_id, code, issued_at, revoked_at FROM certificate")
            ).all()
        db.engine.dispose()

    assert len(rows) == 1
    booking_id, code, issued_at, revoked_at = rows[0]
    assert booking_id == 1 and revoked_at is None
    assert str(issued_at).startswith("2026-11-02 12:00:00")
    assert len(code) == 16 and not set(code) & set("01OI")


def test_learning_outcomes_written_as_lines_become_rows_in_their_order(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite'}", tmp_path)
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as connection:
            now = datetime(2026, 11, 1)
            connection.execute(
                text(
                    "INSERT INTO prospectus (slug, title, introduction, year, position, "
                    "published, created_at, updated_at) VALUES "
                    "('p', 'P', '', 2026, 0, 1, :now, :now)"
                ),
                {"now": now},
            )
            for slug, outcomes in (
                ("two", "  Spot neglect early \n\nKnow who to tell\n"),
                ("none", ""),
            ):
                connection.execute(
                    text(
                        "INSERT INTO course (prospectus_id, slug, title, summary, description, "
                        "learning_outcomes, audience, level, duration, cpd_hours, delivery, "
                        "charges_policy, what_to_bring, requires_approval, published, "
                        "created_at, updated_at) VALUES (1, :slug, :slug, '', '', :outcomes, "
                        "'', 1, '', 3, 'in-person', '', '', 0, 1, :now, :now)"
                    ),
                    {"slug": slug, "outcomes": outcomes, "now": now},
                )
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT course.slug, position, text, removed_at FROM learning_outcome "
                    "JOIN course ON course.id = course_id ORDER BY course.slug, position"
                )
            ).all()
            reading = connection.scalars(text("SELECT pre_course_reading FROM course")).all()
        db.engine.dispose()

    assert rows == [("two", 1, "Spot neglect early", None), ("two", 2, "Know who to tell", None)]
    assert reading == ["", ""]


def test_courses_made_before_refreshers_have_none_and_intervals_stay_in_range(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite'}", tmp_path)
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as connection:
            now = datetime(2026, 11, 1)
            connection.execute(
                text(
                    "INSERT INTO prospectus (slug, title, introduction, year, position, "
                    "published, created_at, updated_at) VALUES "
                    "('multi-agency', 'Multi-agency', '', 2026, 0, 1, :now, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO course (prospectus_id, slug, title, summary, description, "
                    "learning_outcomes, audience, level, duration, cpd_hours, delivery, "
                    "charges_policy, what_to_bring, requires_approval, published, created_at, "
                    "updated_at) VALUES (1, 'old', 'Old course', '', '', '', '', 1, '', 3, "
                    "'in-person', '', '', 0, 1, :now, :now)"
                ),
                {"now": now},
            )
        upgrade()
        with db.engine.begin() as connection:
            before = connection.scalar(text("SELECT refresh_years FROM course"))
            connection.execute(text("UPDATE course SET refresh_years = 10"))
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE course SET refresh_years = 11"))
        downgrade(revision="0008")
        with db.engine.connect() as connection:
            kept = connection.scalar(text("SELECT slug FROM course"))
        db.engine.dispose()

    assert before is None
    assert kept == "old"


def test_agencies_made_before_charges_are_partner_agencies_and_new_ones_chargeable(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite'}", tmp_path)
    with app.app_context():
        upgrade(revision="0011")
        now = datetime(2026, 11, 1)
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO agency (name, sector, listed, created_at, updated_at) "
                    "VALUES ('South Yorkshire Police', 'police', 1, :now, :now)"
                ),
                {"now": now},
            )
        upgrade()
        with db.engine.begin() as connection:
            band = connection.scalar(text("SELECT charging_band FROM agency"))
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE agency SET charging_band = 'sometimes'"))
        with app.test_request_context():
            from app.models import Agency, ChargingBand, Sector

            db.session.add(Agency(name="Typed in", sector=Sector.OTHER, listed=False))
            db.session.commit()
            typed_in = db.session.scalar(
                text("SELECT charging_band FROM agency WHERE name = 'Typed in'")
            )
            db.session.remove()
        downgrade(revision="0011")
        with db.engine.connect() as connection:
            kept = connection.scalar(text("SELECT count(*) FROM agency"))
        db.engine.dispose()

    assert band == "partner"
    assert typed_in == ChargingBand.CHARGEABLE.value
    assert kept == 2


def test_places_offered_at_the_last_minute_are_active_and_go_back_to_their_turn_going_down(
    tmp_path,
):
    app = make_app(f"sqlite:///{tmp_path / 'offers.sqlite'}", tmp_path)
    with app.app_context():
        upgrade()
        with app.test_request_context():
            from app.models import Booking, BookingEvent, BookingStatus, OfferAnswer, utcnow
            from tests.factories import make_course, make_prospectus, make_session, make_user

            session = make_session(make_course(make_prospectus()), capacity=1)
            person, other = make_user(), make_user()
            offered = Booking(
                session=session,
                user=person,
                status=BookingStatus.OFFERED,
                approval_expires_at=utcnow(),
            )
            offered.history = [
                BookingEvent(at=utcnow(), to_status=BookingStatus.WAITING, reason="joined"),
                BookingEvent(
                    at=utcnow(),
                    from_status=BookingStatus.WAITING,
                    to_status=BookingStatus.OFFERED,
                    reason="offered a place at the last minute",
                ),
            ]
            lapsed = Booking(
                session=session,
                user=other,
                status=BookingStatus.DECLINED,
                offer_answer=OfferAnswer.LAPSED,
            )
            db.session.add_all([offered, lapsed])
            db.session.commit()
            # One active booking a person and session: an offer is one.
            twice = Booking(session_id=session.id, user_id=person.id, status=BookingStatus.WAITING)
            db.session.add(twice)
            with pytest.raises(IntegrityError):
                db.session.commit()
            db.session.rollback()
            db.session.remove()
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE booking SET offer_answer = 'maybe'"))

        downgrade(revision="0014")
        with db.engine.connect() as connection:
            status, deadline = connection.execute(
                text("SELECT status, approval_expires_at FROM booking ORDER BY id")
            ).first()
            history = connection.execute(
                text("SELECT from_status, to_status FROM booking_event ORDER BY id")
            ).all()
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE booking SET status = 'offered'"))
        upgrade()
        db.engine.dispose()

    assert (status, deadline) == ("waiting", None)
    assert history == [(None, "waiting"), ("waiting", "waiting")]


def key_findings_up_and_down(app: Flask) -> tuple[list, list, list]:
    """Reviews with findings as lines, taken up to rows, tied to a link, and back down."""
    with app.app_context():
        upgrade(revision="0019")
        now = datetime(2026, 12, 1)
        with db.engine.begin() as connection:
            for slug, findings in (
                ("child-r", "  Enquiries were late \n\nRoles  were unclear\n"),
                ("child-s", ""),
            ):
                connection.execute(
                    text(
                        "INSERT INTO case_review (slug, title, summary, key_findings, published, "
                        "created_at, updated_at) VALUES (:slug, :slug, '', :findings, :yes, "
                        ":now, :now)"
                    ),
                    {"slug": slug, "findings": findings, "yes": True, "now": now},
                )
            connection.execute(
                text(
                    "INSERT INTO prospectus (slug, title, introduction, year, position, "
                    "published, created_at, updated_at) VALUES "
                    "('p', 'P', '', 2026, 0, :yes, :now, :now)"
                ),
                {"yes": True, "now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO course (prospectus_id, slug, title, summary, description, "
                    "audience, level, duration, cpd_hours, delivery, charges_policy, "
                    "what_to_bring, requires_approval, published, pre_course_reading, "
                    "certificate_after_evaluation, created_at, updated_at) "
                    "SELECT id, 'c', 'C', '', '', '', 1, '', 3, 'in-person', '', '', :no, :yes, "
                    "'', :no, :now, :now FROM prospectus"
                ),
                {"yes": True, "no": False, "now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO lesson_link (course_id, case_review_id, note, created_at, "
                    "updated_at) SELECT course.id, case_review.id, 'Note', :now, :now "
                    "FROM course, case_review WHERE case_review.slug = 'child-r'"
                ),
                {"now": now},
            )
        upgrade()
        with db.engine.begin() as connection:
            rows = connection.execute(
                text(
                    "SELECT case_review.slug, position, text FROM key_finding JOIN case_review "
                    "ON case_review.id = case_review_id ORDER BY case_review.slug, position"
                )
            ).all()
            extra = connection.execute(
                text("SELECT practice_points, reflection_questions FROM case_review")
            ).all()
            connection.execute(
                text(
                    "INSERT INTO lesson_link_finding (lesson_link_id, key_finding_id) "
                    "SELECT lesson_link.id, key_finding.id FROM lesson_link, key_finding "
                    "WHERE key_finding.position = 2"
                )
            )
        downgrade(revision="0019")
        with db.engine.connect() as connection:
            down = connection.execute(
                text("SELECT slug, key_findings FROM case_review ORDER BY slug")
            ).all()
        upgrade()
        db.engine.dispose()
    return rows, extra, down


def assert_findings_went_up_and_down(rows: list, extra: list, down: list) -> None:
    assert rows == [("child-r", 1, "Enquiries were late"), ("child-r", 2, "Roles were unclear")]
    assert extra == [("", ""), ("", "")]
    assert down == [("child-r", "Enquiries were late\nRoles were unclear"), ("child-s", "")]


def test_key_findings_written_as_lines_become_rows_and_lines_again_going_down(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'findings.sqlite'}", tmp_path)
    assert_findings_went_up_and_down(*key_findings_up_and_down(app))


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL, reason="TEST_DATABASE_URL names no PostgreSQL server")
def test_key_findings_become_rows_and_lines_again_on_postgresql(tmp_path):
    with throwaway_postgres_database(TEST_DATABASE_URL) as url:
        assert_findings_went_up_and_down(*key_findings_up_and_down(make_app(url, tmp_path)))
