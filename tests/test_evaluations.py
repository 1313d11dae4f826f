"""Evaluation after a session, as rules without HTTP: who is asked and when (once, however
often the scheduled work runs), one evaluation and one follow-up a booking, the line
manager's view, and the certificate that waits for the evaluation where the course asks."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.certificates import service as certificates
from app.evaluations import service as evaluations
from app.extensions import db
from app.models import (
    Attendance,
    Booking,
    BookingNoticeSent,
    BookingStatus,
    ChangedPractice,
    Evaluation,
    FollowUp,
    OutcomeConfidence,
    Role,
    SessionStatus,
    Stage,
)
from app.refusals import Refused
from app.sessions import service as changes
from app.transactions import saved
from tests.conftest import count
from tests.factories import (
    make_booking,
    make_course,
    make_prospectus,
    make_session,
    make_user,
)

#: A session from 9:30 to 12:30 in London (GMT) on Tuesday 10 November 2026.
STARTS = datetime(2026, 11, 10, 9, 30, tzinfo=UTC)
ENDS = STARTS + timedelta(hours=3)


@pytest.fixture
def session(app):
    course = make_course(make_prospectus(), title="Understanding neglect")
    return make_session(course, starts_at=STARTS, hours=3)


def there(session, attendance=Attendance.ATTENDED, **person) -> Booking:
    booking = make_booking(session, **person)
    booking.attendance = attendance
    db.session.commit()
    return booking


def request(now: datetime) -> int:
    return saved(evaluations.send_evaluation_requests, db.session, now)


def follow_ups(now: datetime, weeks: int = 6) -> int:
    return saved(evaluations.send_follow_ups, db.session, now, weeks)


def answers(booking: Booking, **changed) -> evaluations.Answers:
    outcomes = booking.session.course.outcomes
    fields = dict(
        overall_rating=4,
        do_differently="Ask about the child's lived experience at every visit.",
        anything_else="",
        confidence={outcome.id: 4 for outcome in outcomes},
    )
    return evaluations.Answers(**(fields | changed))


def evaluate(booking: Booking, now: datetime = ENDS + timedelta(days=1), **changed):
    return saved(evaluations.evaluate, db.session, booking.id, answers(booking, **changed), now)


def claims(kind: str) -> list[int]:
    return list(
        db.session.scalars(
            select(BookingNoticeSent.booking_id).where(BookingNoticeSent.kind == kind)
        )
    )


# Who is asked for an evaluation, and when ---------------------------------------------------


def test_people_who_attended_are_asked_once_the_session_has_ended(session):
    booking = there(session)

    assert request(ENDS - timedelta(minutes=1)) == 0
    assert request(ENDS) == 1
    assert claims(evaluations.EVALUATION) == [booking.id]


def test_asking_again_asks_nobody_twice(session):
    there(session)
    there(session)

    assert request(ENDS + timedelta(hours=1)) == 2
    assert request(ENDS + timedelta(hours=1, minutes=5)) == 0
    assert request(ENDS + timedelta(days=2)) == 0


def test_people_who_left_early_are_asked_as_they_were_at_part_of_it(session):
    there(session, Attendance.LEFT_EARLY)

    assert request(ENDS) == 1


@pytest.mark.parametrize("attendance", [None, Attendance.DID_NOT_ATTEND])
def test_nobody_unmarked_or_absent_is_asked(session, attendance):
    there(session, attendance)

    assert request(ENDS) == 0


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.WAITING])
def test_only_confirmed_places_are_asked(session, status):
    booking = there(session)
    booking.status = status
    db.session.commit()

    assert request(ENDS) == 0


def test_people_who_walked_in_are_asked_too(session, trainer):
    make_user(email="walked@example.org")
    walk_in = changes.WalkIn(email="walked@example.org")
    walked = saved(changes.add_walk_in, db.session, session.id, walk_in, trainer, ENDS)
    assert walked.walk_in

    assert request(ENDS) == 1


def test_only_sessions_that_ended_in_the_last_14_days_are_asked(session):
    there(session)

    assert request(ENDS + timedelta(days=14)) == 0
    assert request(ENDS + timedelta(days=14) - timedelta(seconds=1)) == 1


def test_a_cancelled_session_asks_nobody(session):
    there(session)
    session.status = SessionStatus.CANCELLED
    db.session.commit()

    assert request(ENDS) == 0


def test_someone_who_has_evaluated_already_is_not_asked(session):
    booking = there(session)
    evaluate(booking, ENDS + timedelta(minutes=1))

    assert request(ENDS + timedelta(minutes=2)) == 0


# The evaluation ----------------------------------------------------------------------------


def test_an_evaluation_keeps_the_rating_the_answers_and_confidence_after(session):
    booking = there(session)
    outcomes = booking.session.course.outcomes
    when = ENDS + timedelta(days=1)

    evaluate(booking, when, confidence={outcomes[0].id: 5, outcomes[1].id: 2}, anything_else="X")

    evaluation = db.session.scalar(select(Evaluation))
    assert (evaluation.booking_id, evaluation.overall_rating, evaluation.submitted_at) == (
        booking.id,
        4,
        when,
    )
    assert evaluation.anything_else == "X"
    after = db.session.scalars(select(OutcomeConfidence).order_by(OutcomeConfidence.id)).all()
    assert [(a.outcome_id, a.stage, a.confidence) for a in after] == [
        (outcomes[0].id, Stage.AFTER, 5),
        (outcomes[1].id, Stage.AFTER, 2),
    ]


def test_one_evaluation_a_booking(session):
    booking = there(session)
    evaluate(booking)

    with pytest.raises(evaluations.AlreadySent):
        evaluate(booking, overall_rating=1)

    assert count(Evaluation) == 1
    assert db.session.scalar(select(Evaluation.overall_rating)) == 4


def test_the_database_refuses_a_second_evaluation_sent_at_the_same_moment(session):
    booking = there(session)
    evaluate(booking)

    db.session.add(
        Evaluation(booking_id=booking.id, overall_rating=2, do_differently="x", submitted_at=ENDS)
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_missing_answers_are_refused_at_their_fields_and_nothing_is_saved(session):
    booking = there(session)
    first = booking.session.course.outcomes[0]

    with pytest.raises(Refused) as refused:
        evaluate(booking, overall_rating=None, do_differently="  ", confidence={first.id: 9})

    assert set(refused.value.problems) == {
        f"confidence-{first.id}",
        f"confidence-{booking.session.course.outcomes[1].id}",
        "overall_rating",
        "do_differently",
    }
    assert count(Evaluation) == 0 and count(OutcomeConfidence) == 0


def test_answers_too_long_are_refused(session):
    booking = there(session)

    with pytest.raises(Refused) as refused:
        evaluate(booking, anything_else="x" * 5001)

    assert refused.value.problems == {
        "anything_else": "Anything else must be 5,000 characters or fewer"
    }


def test_only_people_who_were_there_can_evaluate(session):
    booking = there(session, Attendance.DID_NOT_ATTEND)

    with pytest.raises(evaluations.NotAsked, match="register does not show"):
        evaluate(booking)


def test_nobody_can_evaluate_before_the_session_ends(session):
    booking = there(session)

    with pytest.raises(evaluations.NotAsked, match="once the session has ended, at 12:30pm"):
        evaluate(booking, ENDS - timedelta(minutes=1))


def test_the_page_shows_what_was_sent_once_it_was(session):
    booking = there(session)
    page = evaluations.evaluation_page(db.session, booking.id, ENDS)
    assert page.evaluation is None and page.refusal is None
    assert [o.text for o in page.outcomes] == [
        "Recognise the signs of abuse",
        "Know how to make a referral",
    ]

    evaluate(booking)

    page = evaluations.evaluation_page(db.session, booking.id, ENDS + timedelta(days=2))
    assert page.evaluation.overall_rating == 4
    assert [a.outcome.text for a in page.confidence] == [
        "Recognise the signs of abuse",
        "Know how to make a referral",
    ]


# The follow-up -----------------------------------------------------------------------------


SIX_WEEKS = ENDS + timedelta(weeks=6)


def test_the_follow_up_goes_six_weeks_on_only_to_those_who_evaluated(session):
    evaluated = there(session)
    there(session)
    evaluate(evaluated)

    assert follow_ups(SIX_WEEKS - timedelta(minutes=1)) == 0
    assert follow_ups(SIX_WEEKS) == 1
    assert claims(evaluations.FOLLOW_UP) == [evaluated.id]
    assert follow_ups(SIX_WEEKS + timedelta(days=1)) == 0


def test_the_weeks_are_a_setting(session):
    evaluate(there(session))

    assert follow_ups(ENDS + timedelta(weeks=3), weeks=4) == 0
    assert follow_ups(ENDS + timedelta(weeks=4), weeks=4) == 1


def test_no_follow_up_for_sessions_that_ended_more_than_two_weeks_before_it_was_due(session):
    evaluate(there(session))

    assert follow_ups(SIX_WEEKS + timedelta(weeks=2)) == 0
    assert follow_ups(SIX_WEEKS + timedelta(weeks=2) - timedelta(seconds=1)) == 1


def test_someone_who_evaluates_late_is_followed_up_after_their_evaluation(session):
    for late in (there(session), there(session)):
        evaluate(late, now=SIX_WEEKS + timedelta(weeks=3))

    # Evaluated in the last two weeks, long after the session: followed up once.
    assert follow_ups(SIX_WEEKS + timedelta(weeks=3, days=1)) == 2
    assert follow_ups(SIX_WEEKS + timedelta(weeks=3, days=2)) == 0


def test_an_old_evaluation_of_an_old_session_is_not_followed_up(session):
    evaluate(there(session), now=ENDS + timedelta(days=1))

    assert follow_ups(SIX_WEEKS + timedelta(weeks=3)) == 0


def follow_up(booking: Booking, **changed):
    fields = dict(changed_practice=ChangedPractice.YES, how="I ask about neglect at every visit.")
    return saved(
        evaluations.follow_up,
        db.session,
        booking.id,
        evaluations.FollowUpAnswers(**(fields | changed)),
        SIX_WEEKS + timedelta(days=1),
    )


def test_a_follow_up_is_kept_once(session):
    booking = there(session)
    evaluate(booking)
    follow_up(booking)

    with pytest.raises(evaluations.AlreadySent):
        follow_up(booking, changed_practice=ChangedPractice.NO)

    answer = db.session.scalar(select(FollowUp))
    assert (answer.changed_practice, answer.manager_email) == (ChangedPractice.YES, None)


def test_the_follow_up_is_only_for_those_who_evaluated(session):
    booking = there(session)

    with pytest.raises(evaluations.NotAsked, match="sent their evaluation"):
        follow_up(booking)


def test_saying_it_changed_practice_needs_how(session):
    booking = there(session)
    evaluate(booking)

    with pytest.raises(Refused) as refused:
        follow_up(booking, how="")
    assert refused.value.problems == {"how": "Enter how the training has changed your practice"}

    follow_up(booking, changed_practice=ChangedPractice.NOT_YET, how="")
    assert count(FollowUp) == 1


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("", "Enter your line manager's email address"),
        ("not an address", "Enter an email address in the correct format, like name@example.org"),
        ("PAT@example.org", "Enter your line manager's email address, not your own"),
    ],
)
def test_the_line_managers_address_must_be_theirs(session, address, message):
    booking = there(session, email="pat@example.org")
    evaluate(booking)

    with pytest.raises(Refused) as refused:
        follow_up(booking, ask_manager=True, manager_email=address)

    assert refused.value.problems == {"manager_email": message}
    assert count(FollowUp) == 0


def test_the_line_manager_gives_their_view_once(session):
    booking = there(session)
    evaluate(booking)
    follow_up(booking, ask_manager=True, manager_email="Boss@Example.org")
    answer = db.session.scalar(select(FollowUp))
    assert answer.manager_email == "boss@example.org"
    when = SIX_WEEKS + timedelta(days=3)

    saved(evaluations.give_manager_view, db.session, booking.id, "Much more curious.", when)
    with pytest.raises(evaluations.AlreadySent):
        saved(evaluations.give_manager_view, db.session, booking.id, "Changed my mind", when)

    answer = db.session.scalar(select(FollowUp))
    assert (answer.manager_view, answer.manager_answered_at) == ("Much more curious.", when)


def test_no_view_is_taken_where_none_was_asked(session):
    booking = there(session)
    evaluate(booking)
    follow_up(booking)

    assert evaluations.manager_page(db.session, booking.id) is None
    with pytest.raises(evaluations.NotAsked):
        saved(evaluations.give_manager_view, db.session, booking.id, "Hm", SIX_WEEKS)


# The certificate that waits for the evaluation ----------------------------------------------


@pytest.fixture
def evaluated_first(app, trainer):
    course = make_course(make_prospectus(), certificate_after_evaluation=True)
    return make_session(course, starts_at=STARTS, hours=3, trainers=[trainer])


def marked(session, trainer, attendance=Attendance.ATTENDED) -> Booking:
    booking = make_booking(session)
    changes.mark_attendance(db.session, session.id, booking.id, attendance, trainer, ENDS)
    db.session.commit()
    return booking


def test_where_the_course_asks_the_certificate_waits_for_the_evaluation(evaluated_first, trainer):
    booking = marked(evaluated_first, trainer)
    person = booking.user

    assert certificates.certificate_for(db.session, booking.id, person) is None
    after = evaluations.after_the_session(db.session, booking, ENDS)
    assert (after.certificate, after.certificate_waits, after.evaluation_open) == (
        False,
        True,
        True,
    )

    evaluate(booking)

    assert certificates.certificate_for(db.session, booking.id, person) is not None
    after = evaluations.after_the_session(db.session, booking, ENDS)
    assert (after.certificate, after.certificate_waits, after.evaluated) == (True, False, True)


def test_coordinators_have_the_certificate_before_the_evaluation(evaluated_first, trainer):
    booking = marked(evaluated_first, trainer)
    coordinator = make_user(role=Role.COORDINATOR)

    assert certificates.certificate_for(db.session, booking.id, coordinator) is not None


def test_courses_that_do_not_ask_give_the_certificate_at_once(session, trainer):
    session.trainers = [trainer]
    booking = marked(session, trainer)

    assert certificates.certificate_for(db.session, booking.id, booking.user) is not None


def test_an_evaluation_earns_no_certificate_without_the_mark_attended(evaluated_first, trainer):
    booking = marked(evaluated_first, trainer, Attendance.LEFT_EARLY)
    evaluate(booking)

    assert certificates.certificate_for(db.session, booking.id, booking.user) is None
    after = evaluations.after_the_session(db.session, booking, ENDS)
    assert (after.certificate, after.certificate_waits, after.evaluated) == (False, False, True)
