"""/account/data: a person downloads everything held about them, and nobody else's, in a
fixed number of statements however much they have done."""

import json
from datetime import timedelta

from app.accounts.service import request_password_reset
from app.audit import record_changes_by, stop_recording
from app.extensions import db
from app.models import Attendance, Booking, BookingStatus, Evaluation, utcnow
from app.transactions import saved
from tests.conftest import PASSWORD, signed_in_as
from tests.factories import (
    charge_on,
    make_course,
    make_external_training,
    make_prospectus,
    make_session,
    make_user,
    put_on_list,
)


def attended(course, person, words: str) -> Booking:
    session = make_session(course, starts_at=utcnow() - timedelta(days=40))
    booking = Booking(
        session=session,
        user=person,
        status=BookingStatus.CONFIRMED,
        attendance=Attendance.ATTENDED,
        access_needs="Step-free access",
    )
    db.session.add(booking)
    db.session.flush()
    db.session.add(
        Evaluation(booking=booking, overall_rating=4, do_differently=words, submitted_at=utcnow())
    )
    return booking


def download(app, person) -> dict:
    response = signed_in_as(app, person).get("/account/data")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    return json.loads(response.text)


def test_the_download_holds_the_persons_records_of_every_kind(app):
    person = make_user(password=PASSWORD, name="Ada Lovelace", job_title="Midwife")
    other = make_user(name="Someone Else")
    course = make_course(make_prospectus(), title="Working together")
    booking = attended(course, person, "Ask sooner")
    attended(course, other, "Not mine")
    charge_on(booking)
    make_external_training(person, course)
    put_on_list(course, person)

    data = download(app, person)

    assert data["profile"]["name"] == "Ada Lovelace"
    assert data["profile"]["job_title"] == "Midwife"
    assert "password_hash" not in data["profile"]
    assert [b["course"] for b in data["bookings"]] == ["Working together"]
    assert data["bookings"][0]["access_needs"] == "Step-free access"
    assert [e["do_differently"] for e in data["evaluations"]] == ["Ask sooner"]
    assert len(data["charges"]) == 1
    assert data["training_done_elsewhere"][0]["provider"] == "Virtual College"
    assert data["interest_lists"][0]["course_id"] == course.id
    assert data["mail_sent_to_you"] == []
    assert "Not mine" not in json.dumps(data)
    assert "Someone Else" not in json.dumps(data)


def test_the_download_holds_mail_sent_to_the_person_and_audit_entries_about_them(app):
    person = make_user(password=PASSWORD)
    record_changes_by(db.session, None)
    person.job_title = "Team leader"
    db.session.commit()
    stop_recording(db.session)
    saved(request_password_reset, db.session, person.email)

    data = download(app, person)

    assert [entry["changes"]["job_title"][1] for entry in data["audit_log"]] == ["Team leader"]
    assert [mail["to_address"] for mail in data["mail_sent_to_you"]] == [person.email]
    assert "reset" in data["mail_sent_to_you"][0]["subject"].lower()


def test_the_download_takes_the_same_statements_however_much_was_done(app, count_queries):
    person = make_user(password=PASSWORD)
    course = make_course(make_prospectus())
    browser = signed_in_as(app, person)
    attended(course, person, "First")
    db.session.commit()

    with count_queries() as few:
        browser.get("/account/data")
    for number in range(5):
        booking = attended(course, person, f"Answer {number}")
        charge_on(booking)
        make_external_training(person, course, completed_on=utcnow().date() - timedelta(number))
    db.session.commit()
    with count_queries() as many:
        response = browser.get("/account/data")

    assert len(json.loads(response.text)["bookings"]) == 6
    assert len(many) == len(few)


def test_the_download_asks_a_signed_out_person_to_sign_in(client):
    response = client.get("/account/data")

    assert response.status_code == 302
    assert "/account/sign-in" in response.location
