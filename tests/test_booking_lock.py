"""A booking that cannot have the session's lock in time fails closed, writing nothing."""

import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, func, select, text

from app.extensions import db
from app.models import Booking
from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD, make_course, make_prospectus, make_session, make_user


@contextmanager
def lock_held_elsewhere(app, session_id: int):
    """Another connection holds the lock a booking needs; yields a function releasing it."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    if engine.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")
        connection.execute(
            text("SELECT id FROM course_session WHERE id = :id FOR UPDATE"), {"id": session_id}
        )
    released = threading.Event()

    def release() -> None:
        if not released.is_set():
            released.set()
            connection.exec_driver_sql("ROLLBACK")

    try:
        yield release
    finally:
        release()
        connection.close()
        engine.dispose()


@pytest.fixture
def ready_to_book(app, client):
    """A signed-in person on the booking page of a session, with its form's token."""
    session = make_session(make_course(make_prospectus()))
    person = make_user(password=PASSWORD)
    sign_in(client, person.email, PASSWORD)
    url = f"/sessions/{session.id}/book"
    return session, url, csrf_token(client.get(url).text)


def bookings() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Booking.id)))


def test_a_booking_that_cannot_get_the_lock_asks_to_try_again_and_writes_nothing(
    app, client, ready_to_book
):
    session, url, token = ready_to_book
    with lock_held_elsewhere(app, session.id):
        response = client.post(url, data={"csrf_token": token})

    assert response.status_code == 503
    assert "Try again in a moment" in response.text
    assert "Nothing has been saved" in response.text
    assert bookings() == 0


def test_a_booking_waits_for_a_lock_released_within_the_timeout(app, client, ready_to_book):
    session, url, token = ready_to_book
    with lock_held_elsewhere(app, session.id) as release:
        threading.Timer(0.3, release).start()
        response = client.post(url, data={"csrf_token": token})

    assert response.status_code == 302
    assert bookings() == 1
