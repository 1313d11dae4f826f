"""The confidence a person gives against each learning outcome when they book: optional,
from 1 to 5, kept with the booking against the outcome itself."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.admin.courses import outcomes
from app.bookings import service
from app.extensions import db
from app.models import Booking, OutcomeConfidence, Stage, utcnow
from app.transactions import saved
from tests.conftest import csrf_token, field_errors, signed_in_as, words
from tests.factories import PASSWORD, make_course, make_prospectus, make_session, make_user


@pytest.fixture
def session(app):
    course = make_course(make_prospectus(), learning_outcomes="Spot neglect\nKnow who to tell")
    return make_session(course, starts_at=utcnow() + timedelta(days=20))


@pytest.fixture
def person(app):
    return make_user(password=PASSWORD)


def outcome_ids(session) -> list[int]:
    return [outcome.id for outcome in session.course.outcomes]


def confidence_of(db_session, booking: Booking, stage: Stage) -> dict[int, int]:
    """The booking's answers at this stage, by outcome id."""
    return dict(
        db_session.execute(
            select(OutcomeConfidence.outcome_id, OutcomeConfidence.confidence).where(
                OutcomeConfidence.booking_id == booking.id, OutcomeConfidence.stage == stage
            )
        ).all()
    )


def booking_of(person) -> Booking:
    db.session.expire_all()
    return db.session.scalar(select(Booking).where(Booking.user_id == person.id))


def test_the_booking_page_asks_confidence_against_each_outcome(app, session, person):
    page = signed_in_as(app, person).get(f"/sessions/{session.id}/book").text
    first, second = outcome_ids(session)

    text = words(page)
    assert "Before the course: how confident are you? (optional)" in text
    assert text.index("Spot neglect") < text.index("Know who to tell")
    for outcome_id in (first, second):
        assert page.count(f'name="confidence-{outcome_id}"') == 5
    assert "Not at all confident" in text and "Very confident" in text


def test_confidence_given_at_booking_is_kept_against_each_outcome(app, session, person):
    browser = signed_in_as(app, person)
    url = f"/sessions/{session.id}/book"
    first, _ = outcome_ids(session)

    answer = browser.post(
        url,
        data={"csrf_token": csrf_token(browser.get(url).text), f"confidence-{first}": "2"},
    )

    assert answer.status_code == 302
    booking = booking_of(person)
    # An outcome left unanswered is left out, not stored as nothing.
    assert confidence_of(db.session, booking, Stage.BEFORE) == {first: 2}


def test_booking_without_any_confidence_is_a_booking_all_the_same(app, session, person):
    browser = signed_in_as(app, person)
    url = f"/sessions/{session.id}/book"

    answer = browser.post(url, data={"csrf_token": csrf_token(browser.get(url).text)})

    assert answer.status_code == 302
    assert confidence_of(db.session, booking_of(person), Stage.BEFORE) == {}


def test_a_confidence_outside_the_scale_is_refused_and_nothing_is_booked(app, session, person):
    browser = signed_in_as(app, person)
    url = f"/sessions/{session.id}/book"
    first, second = outcome_ids(session)

    answer = browser.post(
        url,
        data={
            "csrf_token": csrf_token(browser.get(url).text),
            f"confidence-{first}": "3",
            f"confidence-{second}": "9",
            "access_needs": "A hearing loop",
        },
    )

    assert answer.status_code == 400
    assert field_errors(answer.text) == {
        f"confidence-{second}": "Choose how confident you are from the list"
    }
    # What was chosen and typed is shown again.
    chosen = re.search(rf'<input[^>]*name="confidence-{first}"[^>]*checked[^>]*>', answer.text)
    assert chosen and 'value="3"' in chosen.group(0)
    assert "A hearing loop" in answer.text
    assert booking_of(person) is None
    assert db.session.scalar(select(OutcomeConfidence)) is None


def test_an_answer_against_an_outcome_of_another_course_is_not_kept(app, session, person):
    other = make_course(session.course.prospectus, learning_outcomes="Something else")
    db.session.commit()
    first = outcome_ids(session)[0]

    booking = saved(
        service.book,
        db.session,
        session.id,
        person,
        "",
        utcnow(),
        {first: 4, other.outcomes[0].id: 5},
    )

    assert confidence_of(db.session, booking, Stage.BEFORE) == {first: 4}


def test_an_outcome_removed_while_the_form_was_open_is_left_out(app, session, person):
    first, second = session.course.outcomes
    outcomes.remove_outcome(db.session, session.course, second, utcnow())
    db.session.commit()

    booking = saved(
        service.book, db.session, session.id, person, "", utcnow(), {first.id: 1, second.id: 5}
    )

    assert confidence_of(db.session, booking, Stage.BEFORE) == {first.id: 1}


def test_answers_to_outcomes_the_course_does_not_have_are_ignored_not_refused(app, session, person):
    browser = signed_in_as(app, person)
    url = f"/sessions/{session.id}/book"
    first, _ = outcome_ids(session)

    answer = browser.post(
        url,
        data={
            "csrf_token": csrf_token(browser.get(url).text),
            f"confidence-{first}": "5",
            "confidence-999999": "not a number",
        },
    )

    assert answer.status_code == 302
    assert confidence_of(db.session, booking_of(person), Stage.BEFORE) == {first: 5}
