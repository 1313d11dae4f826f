"""Erasure at /account/delete: a person who used every feature is erased, and then no
table and no column of the database (read from the models' metadata, so a table added
later is searched too) holds their name, address, job title or words."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from app.audit import record_changes_by, stop_recording
from app.bookings import service as bookings
from app.extensions import db
from app.models import (
    Attendance,
    Booking,
    BookingEvent,
    BookingStatus,
    BookingTransfer,
    Certificate,
    ChangedPractice,
    Evaluation,
    FollowUp,
    InterestNoticeSent,
    OutboxMessage,
    OutboxStatus,
    User,
    utcnow,
)
from app.trainer.service import email_everyone_booked
from app.transactions import saved
from tests.conftest import PASSWORD, csrf_token, field_errors, sign_in, signed_in_as, words
from tests.factories import (
    charge_on,
    make_agency,
    make_course,
    make_external_training,
    make_prospectus,
    make_session,
    make_user,
    put_on_list,
)

NAME = "Zelda Quarterfield"
EMAIL = "zelda.quarterfield@example.org"
JOB = "Xylophone therapist"
ACCESS_NEEDS = "A hearing loop, please: Zelda hears little"
MANAGER = "Mona Overseer"
WORDS = "I will share the Quarterfield method with my team"
MANAGER_VIEW = "Zelda Quarterfield now leads our strategy meetings"
SECRETS = (NAME, EMAIL, JOB, ACCESS_NEEDS, WORDS, MANAGER_VIEW, "Quarterfield")


class Scenario:
    """Zelda uses every feature: an attended course with an evaluation, a follow-up and
    her manager's view, a certificate, a charge, training done elsewhere, an interest
    list, a place on a future session with someone waiting for it, a turn on a full
    session's waiting list, a place a colleague offered her, mail to her and about her,
    and a coordinator's change to her details in the audit log."""

    def __init__(self, trainer: User, coordinator: User) -> None:
        now = utcnow()
        self.agency = make_agency(name="Rotherham Hospital")
        self.person = make_user(
            password=PASSWORD,
            name=NAME,
            email=EMAIL,
            job_title=JOB,
            agency=self.agency,
            line_manager_name=MANAGER,
            line_manager_email="mona.overseer@example.org",
        )
        prospectus = make_prospectus()
        self.course = make_course(prospectus, title="Working together")
        past = make_session(self.course, starts_at=now - timedelta(days=60), trainers=[trainer])
        attended = Booking(
            session=past,
            user=self.person,
            agency=self.agency,
            status=BookingStatus.CONFIRMED,
            access_needs=ACCESS_NEEDS,
            manager_email="mona.overseer@example.org",
            attendance=Attendance.ATTENDED,
            override_reason=f"{NAME} was booked by phone",
        )
        db.session.add(attended)
        db.session.add(
            BookingEvent(
                booking=attended,
                at=now - timedelta(days=70),
                to_status=BookingStatus.CONFIRMED,
                reason=f"booked for {NAME}",
            )
        )
        db.session.add(Certificate(booking=attended, code="ABCD1234EFGH5678", issued_at=now))
        db.session.add(
            Evaluation(booking=attended, overall_rating=5, do_differently=WORDS, submitted_at=now)
        )
        db.session.add(
            FollowUp(
                booking=attended,
                changed_practice=ChangedPractice.YES,
                how=WORDS,
                submitted_at=now,
                manager_email="mona.overseer@example.org",
                manager_view=MANAGER_VIEW,
                manager_answered_at=now,
            )
        )
        missed = Booking(
            session=make_session(self.course, starts_at=now - timedelta(days=30)),
            user=self.person,
            agency=self.agency,
            status=BookingStatus.CONFIRMED,
            attendance=Attendance.DID_NOT_ATTEND,
        )
        db.session.add(missed)
        db.session.flush()
        charge_on(missed, waive_reason=f"{NAME} was in hospital", waived_at=now)
        self.certificate = make_external_training(self.person, self.course)
        put_on_list(make_course(prospectus, title="Neglect"), self.person)
        db.session.add(InterestNoticeSent(user_id=self.person.id, session_id=past.id, sent_at=now))

        self.future = make_session(self.course, capacity=1, trainers=[trainer])
        self.full = make_session(self.course, capacity=1)
        self.other = make_user(password=PASSWORD, name="Walter Waiting", agency=self.agency)
        self.holder = make_user(name="Hana Holder", agency=self.agency)
        db.session.commit()
        current_app.config["COPY_LINE_MANAGER"] = True
        self.place = saved(bookings.book, db.session, self.future.id, self.person, "", now)
        current_app.config["COPY_LINE_MANAGER"] = False
        saved(bookings.book, db.session, self.full.id, self.holder, "", now)
        saved(bookings.book, db.session, self.future.id, self.other, "", now)
        self.turn = saved(bookings.book, db.session, self.full.id, self.person, ACCESS_NEEDS, now)
        saved(
            email_everyone_booked,
            db.session,
            self.future.id,
            "Parking",
            f"Dear {NAME}, park at the back.",
            trainer,
        )
        colleague_place = Booking(
            session=make_session(self.course), user=self.holder, status=BookingStatus.CONFIRMED
        )
        db.session.add(colleague_place)
        db.session.flush()
        db.session.add(
            BookingTransfer(
                booking=colleague_place,
                from_user=self.holder,
                by=self.holder,
                to_email=EMAIL,
                created_at=now,
                expires_at=now + timedelta(days=2),
            )
        )
        record_changes_by(db.session, coordinator.id)
        self.person.job_title = JOB + " (senior)"
        db.session.commit()
        stop_recording(db.session)
        self.person_id = self.person.id


@pytest.fixture
def scenario(app, trainer, coordinator) -> Scenario:
    return Scenario(trainer, coordinator)


def erase_through_the_page(app, person_email: str):
    browser = app.test_client()
    assert sign_in(browser, person_email, PASSWORD).status_code == 302
    page = browser.get("/account/delete")
    response = browser.post(
        "/account/delete", data={"csrf_token": csrf_token(page.text), "password": PASSWORD}
    )
    return browser, response


def every_value_in_the_database() -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every value of every table the models define."""
    found = []
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(table.select()).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    text = (
                        json.dumps(value, ensure_ascii=False)
                        if isinstance(value, dict | list)
                        else str(value)
                    )
                    found.append((table.name, column, text))
    return found


def test_an_erased_person_is_found_in_no_table_and_no_column(app, scenario):
    before = every_value_in_the_database()
    assert any(EMAIL in text for _, _, text in before), "the scenario wrote nothing to find"
    assert {table for table, _, text in before if NAME in text or EMAIL in text} >= {
        "user", "outbox_message", "audit_entry", "booking_event", "charge", "follow_up",
        "booking_transfer",
    }  # fmt: skip

    _, response = erase_through_the_page(app, EMAIL)

    assert response.status_code == 302
    assert response.location.endswith("/account/erased")
    db.session.expire_all()
    leaks = [
        (table, column, secret)
        for table, column, text in every_value_in_the_database()
        for secret in SECRETS
        if secret.lower() in text.lower()
    ]
    assert leaks == []
    # Mail sent to the line manager is the manager's: it stays addressed to them, but
    # nothing of the person's own record names their manager any more.
    assert {table for table, _, text in every_value_in_the_database() if MANAGER in text} == {
        "outbox_message"
    }


def test_erasure_deletes_uploaded_certificates_and_signs_the_person_out(app, scenario):
    path = Path(app.config["UPLOAD_FOLDER"]) / scenario.certificate.certificate_path
    assert path.is_file()

    browser, _ = erase_through_the_page(app, EMAIL)

    assert not path.exists()
    assert browser.get("/account/profile").status_code == 302
    assert sign_in(app.test_client(), EMAIL, PASSWORD).status_code == 400
    erased = db.session.get(User, scenario.person_id)
    assert erased.name == f"Erased person {erased.id}"
    assert erased.is_erased and not erased.active


def test_future_places_pass_to_the_waiting_list_and_only_others_are_mailed(app, scenario):
    mail_before = set(db.session.scalars(select(OutboxMessage.id)))

    erase_through_the_page(app, EMAIL)

    db.session.expire_all()
    place = db.session.get(Booking, scenario.place.id)
    turn = db.session.get(Booking, scenario.turn.id)
    assert place.status is BookingStatus.CANCELLED
    assert turn.status is BookingStatus.CANCELLED
    promoted = db.session.scalars(select(Booking).where(Booking.user_id == scenario.other.id)).one()
    assert promoted.status is BookingStatus.CONFIRMED
    new_mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.not_in(mail_before))
    ).all()
    assert [message.to_address for message in new_mail] == [scenario.other.email]
    assert place.late_cancellation is False
    assert db.session.get(Booking, scenario.place.id).charges == []


def test_mail_to_the_person_not_yet_sent_is_never_sent(app, scenario, trainer):
    app.config["MAIL_SEND_AFTER_COMMIT"] = False
    try:
        saved(email_everyone_booked, db.session, scenario.future.id, "Room", "Room 2.", trainer)
    finally:
        app.config["MAIL_SEND_AFTER_COMMIT"] = True
    erase_through_the_page(app, EMAIL)

    db.session.expire_all()
    to_them = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.to_address == f"erased-{scenario.person_id}@erased.invalid"
        )
    ).all()
    assert to_them
    assert all(message.status is not OutboxStatus.QUEUED for message in to_them)
    assert all(message.text_body == "(erased)" for message in to_them)


def test_erasure_needs_the_right_password_and_changes_nothing_without_it(app, scenario):
    browser = signed_in_as(app, scenario.person)
    page = browser.get("/account/delete")
    assert "Erase your account" in words(page.text)

    response = browser.post(
        "/account/delete", data={"csrf_token": csrf_token(page.text), "password": "wrong"}
    )

    assert response.status_code == 400
    assert field_errors(response.text) == {"password": "The password is not right"}
    db.session.expire_all()
    assert db.session.get(User, scenario.person_id).email == EMAIL


def test_erasure_without_a_csrf_token_is_refused(app, scenario):
    browser = signed_in_as(app, scenario.person)

    response = browser.post("/account/delete", data={"password": PASSWORD})

    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, scenario.person_id).email == EMAIL


def test_erasure_asks_a_signed_out_person_to_sign_in(client):
    assert client.get("/account/delete").status_code == 302
    assert client.post("/account/delete").status_code in (302, 400)


def test_a_coordinator_must_become_a_professional_before_being_erased(app, as_coordinator):
    page = as_coordinator.get("/account/delete")

    assert "ask a coordinator to make it a professional" in words(page.text)
    assert 'name="password"' not in page.text
