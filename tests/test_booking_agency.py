"""A booking keeps the agency its person was in when it was made, whichever way it was made
(booking, a coordinator's booking, a place handed on, a walk-in), so that reports count
people who have moved in the agency they were in at the time."""

from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import insert, text

from app.admin.agencies import service as agencies
from app.bookings import service as bookings
from app.charges.queries import date_range
from app.display import in_london
from app.extensions import db
from app.models import (
    Agency,
    Attendance,
    Booking,
    BookingTransfer,
    Course,
    CourseSession,
    Prospectus,
    Role,
    User,
    utcnow,
)
from app.reports import queries, tables
from app.sessions import service as sessions
from app.transactions import saved
from app.transfers import service as transfers
from tests.conftest import make_app
from tests.factories import (
    make_agency,
    make_booking,
    make_course,
    make_prospectus,
    make_session,
    make_user,
)


@pytest.fixture
def police(app):
    return make_agency(name="South Yorkshire Police")


@pytest.fixture
def hospital(app):
    return make_agency(name="Rotherham Hospital")


@pytest.fixture
def course(app):
    return make_course(make_prospectus())


def booked(booking) -> Booking:
    db.session.commit()
    return db.session.get(Booking, booking.id)


def test_a_booking_keeps_the_agency_of_its_time_when_the_person_moves(course, police, hospital):
    person = make_user(agency=police)
    first = booked(saved(bookings.book, db.session, make_session(course).id, person, "", utcnow()))

    person.agency = hospital
    second = booked(saved(bookings.book, db.session, make_session(course).id, person, "", utcnow()))

    assert (first.agency_id, second.agency_id) == (police.id, hospital.id)


def test_a_coordinators_booking_keeps_the_persons_agency(course, police):
    person = make_user(agency=police)
    coordinator = make_user(role=Role.COORDINATOR)
    override = bookings.Override(coordinator, "Agreed with their manager")

    booking = booked(
        saved(bookings.book_for, db.session, make_session(course).id, person, override, utcnow())
    )

    assert booking.agency_id == police.id


def test_a_place_handed_on_is_the_colleagues_agencys(course, police):
    giver = make_user(agency=police)
    colleague = make_user(email="cam@police.example.org", agency=police)
    booking = booked(saved(bookings.book, db.session, make_session(course).id, giver, "", utcnow()))

    transfer = saved(transfers.give, db.session, booking.id, giver, colleague.email, utcnow())
    db.session.commit()

    received = db.session.get(BookingTransfer, transfer.id).to_booking
    assert received.user_id == colleague.id
    assert received.agency_id == police.id


def test_someone_who_walks_in_is_counted_in_their_agency_new_or_not(course, police, hospital):
    trainer = make_user(role=Role.TRAINER)
    session = make_session(course, starts_at=utcnow() - timedelta(hours=1), trainers=[trainer])
    known = make_user(agency=hospital)

    def walk_in(**fields) -> Booking:
        return booked(
            saved(
                sessions.add_walk_in,
                db.session,
                session.id,
                sessions.WalkIn(**fields),
                trainer,
                utcnow(),
            )
        )

    theirs = walk_in(email=known.email)
    new = walk_in(email="new@example.org", name="New Person", new_agency_name="Kids First CIC")

    assert theirs.agency_id == hospital.id
    assert new.agency.name == "Kids First CIC"
    assert new.agency_id == new.user.agency_id


def test_the_report_counts_a_person_who_moved_in_the_agency_they_booked_from(
    course, police, hospital
):
    person = make_user(agency=police)
    trainer = make_user(role=Role.TRAINER)
    session = make_session(course, trainers=[trainer])
    booking = booked(saved(bookings.book, db.session, session.id, person, "", utcnow()))
    person.agency = hospital
    session.starts_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    saved(
        sessions.mark_attendance,
        db.session,
        session.id,
        booking.id,
        Attendance.ATTENDED,
        trainer,
        utcnow(),
    )

    # The session's own day: in the first two hours after midnight it was yesterday.
    held_on = in_london(session.starts_at).date()
    report = queries.report(
        db.session, queries.ReportFilters(date_range(held_on, held_on)), utcnow()
    )

    assert [row.cells[:3] for row in tables.activity_by_agency(report).rows] == [
        ("South Yorkshire Police", "Health", 1)
    ]


def test_merging_an_agency_moves_its_bookings_with_its_people(course, police):
    duplicate = make_agency(name="S Yorks Police", listed=False)
    booking = make_booking(make_session(course), agency=duplicate)

    agencies.merge_agency(db.session, duplicate, police.id)
    db.session.commit()

    assert db.session.get(Booking, booking.id).agency_id == police.id


def test_bookings_made_before_take_their_persons_agency_of_now(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite'}", tmp_path)
    with app.app_context():
        upgrade(revision="0020")
        with db.engine.begin() as connection:
            rows = (
                (Agency, {"id": 7, "name": "Police", "sector": "police"}),
                (User, {"id": 3, "email": "a@example.org", "name": "A", "agency_id": 7}),
                (User, {"id": 4, "email": "b@example.org", "name": "B"}),
                (Prospectus, {"id": 1, "slug": "p", "title": "P", "year": 2026}),
                (Course, {"id": 1, "prospectus_id": 1, "slug": "c", "title": "C", "level": 1,
                          "delivery": "in-person"}),
                (CourseSession, {"id": 1, "course_id": 1, "starts_at": utcnow(),
                                 "ends_at": utcnow() + timedelta(hours=1), "capacity": 9}),
                (Booking, {"id": 1, "session_id": 1, "user_id": 3, "status": "confirmed"}),
                (Booking, {"id": 2, "session_id": 1, "user_id": 4, "status": "confirmed"}),
            )  # fmt: skip
            for model, values in rows:
                connection.execute(insert(model.__table__).values(values))
        upgrade()
        with db.engine.connect() as connection:
            found = connection.execute(text("SELECT id, agency_id FROM booking ORDER BY id")).all()
        db.engine.dispose()

    assert found == [(1, 7), (2, None)]
