"""The rules of evaluation after a session: who is asked, when, and what they may send.

Everyone with a confirmed place whom the register marks as there (attended, or left
early: they were at part of it, and their view of that part counts) is asked for an
evaluation once the session has ended; people who walked in are asked too, as every
walk-in has an account with an email address. Requests go only for sessions that ended
in the last REQUEST_WINDOW, so putting the system live does not mail years of past
courses. Those who send their evaluation are asked, FOLLOW_UP_WEEKS after the session,
whether the training changed their practice, and may ask their line manager's view.

Each request is claimed once, with its mail, by a row in booking_notice_sent
(app/claims.py). One evaluation, one follow-up and one manager's view a booking: the
database's unique keys stop a second, even one sent at the same moment.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, or_, select, update
from sqlalchemy.orm import Session

from app.accounts.roles import checked_email
from app.accounts.service import manager_address_problem
from app.certificates import service as certificates
from app.claims import claim_once, notices_of_claimed
from app.confidence.service import field_name, is_confidence, record_confidence
from app.database import write_transaction
from app.display import clock_time, long_date
from app.evaluations import queries
from app.models import (
    ANSWER_LENGTH,
    Attendance,
    Booking,
    BookingStatus,
    ChangedPractice,
    CourseSession,
    Evaluation,
    FollowUp,
    LearningOutcome,
    OutcomeConfidence,
    SessionStatus,
    Stage,
)
from app.notices import Done, Notice, NoticeKind
from app.refusals import Refused

#: The kinds of message claimed in booking_notice_sent.
EVALUATION = "evaluation"
FOLLOW_UP = "follow-up"
#: Sessions that ended longer ago than this are not asked for an evaluation.
REQUEST_WINDOW = timedelta(days=14)
#: Follow-ups go for sessions that ended FOLLOW_UP_WEEKS ago, and up to this much later.
FOLLOW_UP_WINDOW = timedelta(weeks=2)
#: The most requests of one kind one run writes; the rest go with the next run.
BATCH = 200
#: The marks of people asked for an evaluation.
WERE_THERE = (Attendance.ATTENDED, Attendance.LEFT_EARLY)


class AlreadySent(Refused):
    """The evaluation (or follow-up, or manager's view) was sent before: it is shown as sent."""


class NotAsked(Refused):
    """This booking is not, or not yet, asked for what was sent."""


def were_there() -> list[ColumnElement[bool]]:
    """SQL: the booking is a confirmed place the register marks as there."""
    return [Booking.status == BookingStatus.CONFIRMED, Booking.attendance.in_(WERE_THERE)]


# Asking: the scheduled work ---------------------------------------------------------------


def send_evaluation_requests(db_session: Session, now: datetime, limit: int = BATCH) -> Done[int]:
    """Claim the evaluation requests due (up to `limit`), one notice each; how many.

    Takes the write lock (SQLite) first, so the claims are decided one run at a time;
    raises TryAgain when another run holds it, or (PostgreSQL) the claims, too long.
    """
    write_transaction(db_session)
    ended = select(CourseSession.id).where(
        CourseSession.status != SessionStatus.CANCELLED,
        CourseSession.ends_at <= now,
        CourseSession.ends_at > now - REQUEST_WINDOW,
    )
    claimed = claim_once(
        db_session,
        EVALUATION,
        now,
        limit,
        *were_there(),
        Booking.session_id.in_(ended),
        # Sent already from the booking's page, before the request went.
        ~queries.evaluated(),
    )
    return notices_of_claimed(db_session, claimed, NoticeKind.EVALUATION_REQUEST)


def send_follow_ups(
    db_session: Session, now: datetime, weeks: int, limit: int = BATCH
) -> Done[int]:
    """Claim the follow-ups due `weeks` after their session (up to `limit`), only for
    bookings evaluated, one notice each; how many. Locks as send_evaluation_requests.

    Due for sessions that ended up to FOLLOW_UP_WINDOW before that, or for evaluations
    sent in the last FOLLOW_UP_WINDOW, however long after the session: someone who
    evaluates late is followed up too, and going live mails no one about old courses.
    """
    write_transaction(db_session)
    due_from = now - timedelta(weeks=weeks)
    ended = select(CourseSession.id).where(
        CourseSession.status != SessionStatus.CANCELLED, CourseSession.ends_at <= due_from
    )
    ended_lately = select(CourseSession.id).where(
        CourseSession.ends_at > due_from - FOLLOW_UP_WINDOW
    )
    evaluated_lately = exists().where(
        Evaluation.booking_id == Booking.id,
        or_(
            Booking.session_id.in_(ended_lately),
            Evaluation.submitted_at > now - FOLLOW_UP_WINDOW,
        ),
    )
    answered = exists().where(FollowUp.booking_id == Booking.id)
    claimed = claim_once(
        db_session,
        FOLLOW_UP,
        now,
        limit,
        *were_there(),
        Booking.session_id.in_(ended),
        evaluated_lately,
        ~answered,
    )
    return notices_of_claimed(db_session, claimed, NoticeKind.FOLLOW_UP)


# The evaluation ----------------------------------------------------------------------------


def evaluation_refusal(booking: Booking, now: datetime) -> str | None:
    """Why this booking cannot be evaluated (now); None when it can."""
    if booking.status is not BookingStatus.CONFIRMED or booking.attendance not in WERE_THERE:
        return (
            "The evaluation is for people who attended the session, and the register does "
            "not show that you did. If that is wrong, contact the training team"
        )
    session = booking.session
    if session.ends_at > now:
        return (
            "You can send your evaluation once the session has ended, at "
            f"{clock_time(session.ends_at)} on {long_date(session.ends_at)}"
        )
    return None


@dataclass
class EvaluationPage:
    """What the evaluation's page shows: the form, what was sent, or why neither."""

    booking: Booking
    #: The outcomes to rate confidence against: the course's current ones.
    outcomes: list[LearningOutcome]
    evaluation: Evaluation | None = None
    #: What was sent against each outcome, once sent.
    confidence: list[OutcomeConfidence] = field(default_factory=list)
    refusal: str | None = None


def evaluation_page(db_session: Session, booking_id: int, now: datetime) -> EvaluationPage | None:
    """The page of the booking's evaluation; None when there is no such booking."""
    booking = queries.booking_to_evaluate(db_session, booking_id)
    if booking is None:
        return None
    page = EvaluationPage(booking, list(booking.session.course.outcomes))
    page.evaluation = queries.evaluation_of(db_session, booking_id)
    if page.evaluation is not None:
        page.confidence = queries.confidence_after(db_session, booking_id)
    else:
        page.refusal = evaluation_refusal(booking, now)
    return page


@dataclass(frozen=True)
class Answers:
    """An evaluation as typed: confidence by outcome id, each 1 to 5; a rating 1 to 5."""

    overall_rating: int | None
    do_differently: str
    anything_else: str = ""
    confidence: dict[int, int | None] = field(default_factory=dict)


def answer_problems(outcomes: list[LearningOutcome], answers: Answers) -> dict[str, str]:
    problems = {}
    for outcome in outcomes:
        if not is_confidence(answers.confidence.get(outcome.id)):
            problems[field_name(outcome.id)] = f"Choose how confident you now feel: {outcome.text}"
    if answers.overall_rating not in range(1, 6):
        problems["overall_rating"] = "Choose your overall rating of the course"
    do_differently = answers.do_differently.strip()
    if not do_differently:
        problems["do_differently"] = "Enter what you will do differently in your practice"
    elif len(do_differently) > ANSWER_LENGTH:
        problems["do_differently"] = (
            f"What you will do differently must be {ANSWER_LENGTH:,} characters or fewer"
        )
    if len(answers.anything_else.strip()) > ANSWER_LENGTH:
        problems["anything_else"] = f"Anything else must be {ANSWER_LENGTH:,} characters or fewer"
    return problems


def evaluate(
    db_session: Session, booking_id: int, answers: Answers, now: datetime
) -> Done[Evaluation]:
    """Save the booking's evaluation and the confidence given against each current outcome.

    Raises AlreadySent when it was sent before (or, on PostgreSQL, by another request a
    moment ago: the unique key stops this one, and saved() asks again); NotAsked when the
    booking did not attend or its session has not ended; Refused at the fields when an
    answer is missing or too long.
    """
    booking = queries.booking_to_evaluate(db_session, booking_id)
    if booking is None:
        raise NotAsked("There is no booking for that evaluation")
    if queries.evaluation_of(db_session, booking_id) is not None:
        raise AlreadySent("You have already sent your evaluation of this course")
    if refusal := evaluation_refusal(booking, now):
        raise NotAsked(refusal)
    outcomes = list(booking.session.course.outcomes)
    if problems := answer_problems(outcomes, answers):
        raise Refused.at_fields(problems)
    evaluation = Evaluation(
        booking=booking,
        overall_rating=answers.overall_rating,
        do_differently=answers.do_differently.strip(),
        anything_else=answers.anything_else.strip(),
        submitted_at=now,
    )
    db_session.add(evaluation)
    db_session.flush()
    record_confidence(db_session, booking, answers.confidence, Stage.AFTER, now)
    return Done(evaluation)


# The follow-up -----------------------------------------------------------------------------


@dataclass
class FollowUpPage:
    booking: Booking
    follow_up: FollowUp | None = None
    refusal: str | None = None
    #: The address the form offers for the line manager: the one the person's account has.
    manager_email: str = ""


def follow_up_refusal(db_session: Session, booking: Booking) -> str | None:
    if not queries.is_evaluated(db_session, booking.id):
        return "The follow-up is for people who sent their evaluation of the course"
    return None


def follow_up_page(db_session: Session, booking_id: int) -> FollowUpPage | None:
    booking = queries.booking_to_evaluate(db_session, booking_id)
    if booking is None:
        return None
    page = FollowUpPage(booking, manager_email=booking.user.line_manager_email or "")
    page.follow_up = queries.follow_up_of(db_session, booking_id)
    if page.follow_up is None:
        page.refusal = follow_up_refusal(db_session, booking)
    return page


@dataclass(frozen=True)
class FollowUpAnswers:
    changed_practice: ChangedPractice | None
    how: str
    ask_manager: bool = False
    manager_email: str = ""


def follow_up_problems(booking: Booking, answers: FollowUpAnswers) -> dict[str, str]:
    problems = {}
    how = answers.how.strip()
    if answers.changed_practice is None:
        problems["changed_practice"] = "Choose whether the training has changed your practice"
    elif answers.changed_practice is ChangedPractice.YES and not how:
        problems["how"] = "Enter how the training has changed your practice"
    if len(how) > ANSWER_LENGTH:
        problems["how"] = (
            f"How it changed your practice must be {ANSWER_LENGTH:,} characters or fewer"
        )
    if answers.ask_manager:
        if not answers.manager_email.strip():
            problems["manager_email"] = "Enter your line manager's email address"
        else:
            try:
                address = checked_email(answers.manager_email)
            except Refused as refusal:
                problems["manager_email"] = str(refusal)
            else:
                if problem := manager_address_problem(address, booking.user.email):
                    problems["manager_email"] = problem
    return problems


def follow_up(
    db_session: Session, booking_id: int, answers: FollowUpAnswers, now: datetime
) -> Done[FollowUp]:
    """Save the follow-up; with the line manager asked, a notice to them.

    Raises AlreadySent, NotAsked (not evaluated) or Refused at the fields, as evaluate().
    """
    booking = queries.booking_to_evaluate(db_session, booking_id)
    if booking is None:
        raise NotAsked("There is no booking for that follow-up")
    if queries.follow_up_of(db_session, booking_id) is not None:
        raise AlreadySent("You have already answered the follow-up")
    if refusal := follow_up_refusal(db_session, booking):
        raise NotAsked(refusal)
    if problems := follow_up_problems(booking, answers):
        raise Refused.at_fields(problems)
    answer = FollowUp(
        booking=booking,
        changed_practice=answers.changed_practice,
        how=answers.how.strip(),
        submitted_at=now,
        manager_email=checked_email(answers.manager_email) if answers.ask_manager else None,
    )
    db_session.add(answer)
    db_session.flush()
    notices = [Notice(NoticeKind.MANAGER_VIEW_REQUESTED, booking)] if answers.ask_manager else []
    return Done(answer, notices)


# The line manager's view -------------------------------------------------------------------


@dataclass
class ManagerPage:
    booking: Booking
    follow_up: FollowUp


def manager_page(db_session: Session, booking_id: int) -> ManagerPage | None:
    """The page asking the manager's view; None unless the person asked for it."""
    booking = queries.booking_to_evaluate(db_session, booking_id)
    if booking is None:
        return None
    answer = queries.follow_up_of(db_session, booking_id)
    if answer is None or not answer.asks_manager:
        return None
    return ManagerPage(booking, answer)


def manager_view_problems(view: str) -> dict[str, str]:
    view = view.strip()
    if not view:
        return {"view": "Enter your view of whether the training changed their practice"}
    if len(view) > ANSWER_LENGTH:
        return {"view": f"Your view must be {ANSWER_LENGTH:,} characters or fewer"}
    return {}


def give_manager_view(
    db_session: Session, booking_id: int, view: str, now: datetime
) -> Done[FollowUp]:
    """Save the line manager's view, once: a second answer raises AlreadySent."""
    answer = queries.follow_up_of(db_session, booking_id)
    if answer is None or not answer.asks_manager:
        raise NotAsked("Nobody asked for your view of this training")
    if answer.manager_has_answered:
        raise AlreadySent("You have already given your view of this training")
    if problems := manager_view_problems(view):
        raise Refused.at_fields(problems)
    # Conditional, so that of two answers sent at once only the first is kept.
    written = db_session.execute(
        update(FollowUp)
        .where(FollowUp.id == answer.id, FollowUp.manager_answered_at.is_(None))
        .values(manager_view=view.strip(), manager_answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:
        raise AlreadySent("You have already given your view of this training")
    db_session.refresh(answer)
    return Done(answer)


# On the booking's page ---------------------------------------------------------------------


@dataclass(frozen=True)
class AfterTheSession:
    """What the booking's page offers its owner once the session is done."""

    #: The evaluation can be sent now.
    evaluation_open: bool = False
    evaluated: bool = False
    #: The certificate can be downloaded now.
    certificate: bool = False
    #: A certificate was earned, but the course asks for the evaluation first.
    certificate_waits: bool = False

    @property
    def evaluation_invited(self) -> bool:
        """The evaluation is offered for its own sake, not as the way to the certificate."""
        return self.evaluation_open and not self.certificate_waits


def after_the_session(db_session: Session, booking: Booking, now: datetime) -> AfterTheSession:
    if booking.status is not BookingStatus.CONFIRMED or booking.attendance not in WERE_THERE:
        return AfterTheSession()
    evaluated = queries.is_evaluated(db_session, booking.id)
    waits = booking.earns_certificate and certificates.waits_for_evaluation(
        booking, lambda: evaluated
    )
    return AfterTheSession(
        evaluation_open=not evaluated and evaluation_refusal(booking, now) is None,
        evaluated=evaluated,
        certificate=booking.earns_certificate and not waits,
        certificate_waits=waits,
    )
