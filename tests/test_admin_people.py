"""The coordinator's people pages and audit log: finding people, their record, their role,
closing accounts, and reading who changed what.
"""

from datetime import timedelta

from sqlalchemy import select

from app.admin.users import service
from app.extensions import db
from app.models import (
    Attendance,
    AuditEntry,
    Booking,
    BookingStatus,
    Role,
    User,
    utcnow,
)
from app.transactions import saved
from tests.conftest import press, sign_in
from tests.factories import (
    PASSWORD,
    make_agency,
    make_course,
    make_prospectus,
    make_session,
    make_user,
)
from tests.test_booking_lock import lock_held_elsewhere


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# Finding people ----------------------------------------------------------------------------


def test_search_finds_people_by_part_of_their_name_or_email(as_coordinator):
    make_user(name="Alex Morgan", email="alex.morgan@nhs.example.org")
    make_user(name="Sam Patel", email="sam.patel@police.example.org")

    by_name = as_coordinator.get("/admin/users?q=morgan")
    by_email = as_coordinator.get("/admin/users?q=POLICE")

    assert by_name.status_code == 200
    assert "Alex Morgan" in by_name.text and "Sam Patel" not in by_name.text
    assert "Sam Patel" in by_email.text and "Alex Morgan" not in by_email.text
    assert 'value="morgan"' in by_name.text


def test_search_by_role(as_coordinator):
    make_user(name="Tess Trainer", role=Role.TRAINER)
    make_user(name="Paul Professional")

    page = as_coordinator.get("/admin/users?role=trainer")

    assert "Tess Trainer" in page.text
    assert "Paul Professional" not in page.text


def test_a_role_that_does_not_exist_is_an_error_not_a_crash(as_coordinator):
    page = as_coordinator.get("/admin/users?role=superuser")

    assert page.status_code == 400
    assert "There is a problem" in page.text


def test_a_search_that_cannot_be_read_lists_nobody(as_coordinator):
    make_user(name="Alex Morgan")

    page = as_coordinator.get("/admin/users?q=" + "morgan" * 40)

    assert page.status_code == 400
    assert "Search must be 200 characters or fewer" in page.text
    assert "Alex Morgan" not in page.text
    assert "morgan" * 40 in page.text


def test_the_list_of_people_costs_the_same_queries_for_5_or_60(as_coordinator, count_queries):
    def queries_for_people(number: int) -> int:
        agency = make_agency()
        for _ in range(number):
            make_user(agency=agency)
        db.session.commit()
        with count_queries() as counted:
            assert as_coordinator.get("/admin/users").status_code == 200
        return len(counted)

    few = queries_for_people(5)
    many = queries_for_people(55)

    assert few == many


# A person's record -------------------------------------------------------------------------


def test_a_persons_page_shows_their_bookings_and_attendance(as_coordinator, count_queries):
    person = make_user(name="Alex Morgan", agency=make_agency(name="Rotherham NHS"))
    prospectus = make_prospectus()
    for title, days, attendance in (
        ("Neglect", -20, Attendance.ATTENDED),
        ("Child exploitation", -10, Attendance.DID_NOT_ATTEND),
        ("Working together", 10, None),
    ):
        session = make_session(
            make_course(prospectus, title=title), starts_at=utcnow() + timedelta(days=days)
        )
        db.session.add(
            Booking(session=session, user=person, status=BookingStatus.CONFIRMED,
                    attendance=attendance)
        )  # fmt: skip
    db.session.commit()

    with count_queries() as counted:
        page = as_coordinator.get(f"/admin/users/{person.id}")

    assert page.status_code == 200
    assert "Rotherham NHS" in page.text
    for text in ("Neglect", "Attended", "Child exploitation", "Did not attend", "Working together"):
        assert text in page.text
    assert len(counted) <= 6


def test_a_missing_person_is_404(as_coordinator):
    assert as_coordinator.get("/admin/users/999").status_code == 404


# Roles -------------------------------------------------------------------------------------


def test_a_coordinator_makes_someone_a_trainer(as_coordinator, coordinator):
    person = make_user(name="Tess")
    url = f"/admin/users/{person.id}"

    answer = press(as_coordinator, url, f"{url}/role", {"role": "trainer"})

    assert answer.status_code == 302
    assert fresh(person).role is Role.TRAINER
    assert "Tess is now a trainer" in as_coordinator.get(url).text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.record_type == "person"))
    assert entry.actor_id == coordinator.id
    assert entry.changes == {"role": ["professional", "trainer"]}


def test_the_only_coordinator_cannot_step_down(as_coordinator, coordinator):
    url = f"/admin/users/{coordinator.id}"

    answer = press(as_coordinator, url, f"{url}/role", {"role": "professional"})

    assert answer.status_code == 400
    assert "Cora Ordinator is the only coordinator" in answer.text
    assert fresh(coordinator).role is Role.COORDINATOR


def test_a_trainer_with_sessions_to_come_stays_a_trainer(as_coordinator):
    trainer = make_user(name="Tess", role=Role.TRAINER)
    session = make_session(make_course(make_prospectus()))
    session.trainers = [trainer]
    url = f"/admin/users/{trainer.id}"

    answer = press(as_coordinator, url, f"{url}/role", {"role": "professional"})

    assert answer.status_code == 400
    assert "Tess is a trainer of 1 session still to come" in answer.text
    assert fresh(trainer).role is Role.TRAINER


def test_a_role_form_with_a_made_up_role_is_refused(as_coordinator):
    person = make_user()
    url = f"/admin/users/{person.id}"

    answer = press(as_coordinator, url, f"{url}/role", {"role": "owner"})

    assert answer.status_code == 400
    assert fresh(person).role is Role.PROFESSIONAL


# Closing an account ------------------------------------------------------------------------


def test_deactivating_signs_the_person_out_and_frees_their_places(app, as_coordinator):
    person = make_user(email="leaver@example.org", password=PASSWORD)
    waiting_person = make_user()
    session = make_session(make_course(make_prospectus()), capacity=1)
    db.session.add_all(
        [
            Booking(session=session, user=person, status=BookingStatus.CONFIRMED),
            Booking(session=session, user=waiting_person, status=BookingStatus.WAITING),
        ]
    )
    db.session.commit()
    their_browser = app.test_client()
    sign_in(their_browser, person.email, PASSWORD)
    url = f"/admin/users/{person.id}"

    answer = press(as_coordinator, url, f"{url}/deactivate")

    assert answer.status_code == 302
    assert (
        "account is deactivated and 1 upcoming bookings cancelled" in as_coordinator.get(url).text
    )
    assert not fresh(person).active
    statuses = dict(db.session.execute(select(Booking.user_id, Booking.status)).tuples().all())
    assert statuses == {person.id: BookingStatus.CANCELLED,
                        waiting_person.id: BookingStatus.CONFIRMED}  # fmt: skip
    assert their_browser.get("/account/bookings").status_code == 302
    assert "problem" in sign_in(their_browser, person.email, PASSWORD).text


def test_closing_an_account_while_a_session_is_busy_asks_to_try_again(app, as_coordinator):
    person = make_user()
    session = make_session(make_course(make_prospectus()))
    db.session.add(Booking(session=session, user=person, status=BookingStatus.CONFIRMED))
    db.session.commit()
    url = f"/admin/users/{person.id}"

    with lock_held_elsewhere(app, session.id):
        answer = press(as_coordinator, url, f"{url}/deactivate")

    assert answer.status_code == 503
    assert "Try again in a moment" in answer.text
    assert fresh(person).active
    assert db.session.scalar(select(Booking.status)) is BookingStatus.CONFIRMED


def test_a_coordinator_cannot_deactivate_their_own_account(as_coordinator, coordinator):
    make_user(role=Role.COORDINATOR)
    url = f"/admin/users/{coordinator.id}"

    answer = press(as_coordinator, url, f"{url}/deactivate")

    assert answer.status_code == 400
    assert "You cannot deactivate your own account" in answer.text
    assert fresh(coordinator).active


def test_a_deactivated_account_can_be_reactivated(as_coordinator):
    person = make_user(active=False)
    url = f"/admin/users/{person.id}"

    answer = press(as_coordinator, url, f"{url}/reactivate")

    assert answer.status_code == 302
    assert fresh(person).active


def test_past_bookings_are_kept_when_an_account_is_closed(app, coordinator):
    person = make_user()
    past = make_session(make_course(make_prospectus()), starts_at=utcnow() - timedelta(days=3))
    db.session.add(Booking(session=past, user=person, status=BookingStatus.CONFIRMED))

    cancelled = saved(service.deactivate, db.session, person, coordinator, utcnow())

    assert cancelled == 0
    assert db.session.scalar(select(Booking.status)) is BookingStatus.CONFIRMED


# The audit log page ------------------------------------------------------------------------


def log_change(actor: User | None, record_type: str, record_id: int, label: str, changes: dict):
    db.session.add(
        AuditEntry(actor=actor, action="changed", record_type=record_type, record_id=record_id,
                   record_label=label, changes=changes)
    )  # fmt: skip


def test_the_audit_log_shows_who_changed_what_before_and_after(as_coordinator):
    trainer = make_user(name="Tess Trainer", role=Role.TRAINER)
    log_change(trainer, "session", 7, "session 7", {"capacity": [20, 24]})
    log_change(None, "person", 3, "kim@example.org", {"role": ["professional", "trainer"]})

    page = as_coordinator.get("/admin/audit")

    assert page.status_code == 200
    assert "Tess Trainer" in page.text and "Command line" in page.text
    assert "Capacity" in page.text
    assert "was </span>20" in page.text and "now </span>24" in page.text


def test_the_audit_log_filters_by_person_and_by_record(as_coordinator):
    trainer = make_user(name="Tess Trainer", role=Role.TRAINER)
    other = make_user(name="Oli Other", role=Role.TRAINER)
    log_change(trainer, "session", 7, "session 7", {"capacity": [20, 24]})
    log_change(other, "session", 8, "session 8", {"capacity": [10, 12]})
    log_change(other, "venue", 7, "Riverside House", {"postcode": ["S60", "S61"]})
    db.session.commit()

    by_person = as_coordinator.get(f"/admin/audit?actor={trainer.id}")
    by_record = as_coordinator.get("/admin/audit?record_type=session&record_id=8")

    assert "session 7" in by_person.text and "session 8" not in by_person.text
    assert "session 8" in by_record.text
    assert "session 7" not in by_record.text and "Riverside House" not in by_record.text
    assert f'<option value="{trainer.id}" selected>' in by_person.text


def test_a_bad_audit_filter_is_explained(as_coordinator):
    page = as_coordinator.get("/admin/audit?record_id=first")

    assert page.status_code == 400
    assert "There is a problem" in page.text


def test_the_audit_log_costs_the_same_queries_for_5_or_80_entries(as_coordinator, count_queries):
    def queries_for_entries(number: int) -> int:
        for index in range(number):
            log_change(make_user(role=Role.TRAINER), "course", index, f"Course {index}", {})
        db.session.commit()
        with count_queries() as counted:
            assert as_coordinator.get("/admin/audit").status_code == 200
        return len(counted)

    assert queries_for_entries(5) == queries_for_entries(75)
