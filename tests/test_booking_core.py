"""The shape the booking core keeps: rules as plain functions over a context, changes that
return their notices as data, and services that know nothing of Flask."""

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.bookings import service
from app.bookings.service import BookingContext, Outcome, Places
from app.extensions import db
from app.models import (
    BookingStatus,
    Course,
    CourseSession,
    OutboxMessage,
    Prospectus,
    SessionStatus,
    User,
)
from app.notices import NoticeKind
from app.refusals import Refused
from app.sessions import service as sessions
from app.transactions import saved
from tests.factories import make_course, make_prospectus, make_session, make_user

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
APP = Path(__file__).resolve().parent.parent / "app"


def context(
    held: int = 0,
    waiting: int = 0,
    own_booking_id: int | None = None,
    capacity: int = 10,
    requires_approval: bool = False,
    verified: bool = True,
    line_manager_email: str | None = "manager@example.org",
    **session_fields,
) -> BookingContext:
    """A context built by hand, as a rule sees it: no database is needed to ask the rules."""
    prospectus = Prospectus(slug="multi-agency", title="Multi-agency", year=2027, published=True)
    course = Course(
        prospectus=prospectus, title="Neglect", published=True, requires_approval=requires_approval
    )
    session = CourseSession(
        course=course,
        starts_at=NOW + timedelta(days=10),
        ends_at=NOW + timedelta(days=10, hours=3),
        capacity=capacity,
        published=True,
        **({"status": SessionStatus.SCHEDULED} | session_fields),
    )
    person = User(
        email="sam@example.org",
        name="Sam Taylor",
        line_manager_name="Alex Manager",
        line_manager_email=line_manager_email,
        email_verified_at=NOW if verified else None,
    )
    return BookingContext(session, person, Places(held, waiting, 0, own_booking_id), NOW)


@pytest.mark.parametrize(
    ("situation", "outcome", "status"),
    [
        ({}, Outcome.CONFIRM, BookingStatus.CONFIRMED),
        ({"held": 10}, Outcome.WAIT, BookingStatus.WAITING),
        ({"held": 3, "waiting": 1}, Outcome.WAIT, BookingStatus.WAITING),
        ({"requires_approval": True}, Outcome.APPROVAL, BookingStatus.AWAITING_APPROVAL),
        ({"requires_approval": True, "held": 10}, Outcome.WAIT, BookingStatus.WAITING),
    ],
)
def test_the_rules_decide_what_booking_does(situation, outcome, status):
    decision = service.decision_for(context(**situation))

    assert (decision.outcome, decision.status) == (outcome, status)


@pytest.mark.parametrize(
    ("situation", "message", "field"),
    [
        ({"verified": False}, "Confirm your email address", service.DETAILS),
        ({"status": SessionStatus.CANCELLED}, "has been cancelled", None),
        ({"booking_opens_at": NOW + timedelta(days=1)}, "has not opened yet", None),
        ({"booking_closes_at": NOW}, "has closed", None),
        (
            {"requires_approval": True, "line_manager_email": None},
            "line manager's approval",
            service.DETAILS,
        ),
        ({"own_booking_id": 7}, "already have a booking", None),
    ],
)
def test_the_first_rule_that_refuses_says_why_and_what_to_mend(situation, message, field):
    with pytest.raises(Refused, match=message) as refused:
        service.decision_for(context(**situation))

    assert refused.value.field == field


def test_a_refusal_comes_before_a_decision_in_the_order_of_the_rules():
    with pytest.raises(Refused, match="Confirm your email address"):
        service.decision_for(context(verified=False, held=10))


def test_a_rule_is_one_more_entry_in_the_list(monkeypatch):
    def no_more_than_three_places_for_anyone(context: BookingContext) -> Refused | None:
        return Refused("Three places at most") if context.places.held >= 3 else None

    rules = (no_more_than_three_places_for_anyone, *service.BOOKING_RULES)
    monkeypatch.setattr(service, "BOOKING_RULES", rules)

    with pytest.raises(Refused, match="Three places at most"):
        service.decision_for(context(held=3))
    assert service.decision_for(context(held=2)).outcome is Outcome.CONFIRM


def test_the_offer_speaks_in_its_own_words():
    explanations = {
        outcome: service.EXPLANATIONS[outcome](context(waiting=2)) for outcome in Outcome
    }

    assert "behind 2 people" in explanations[Outcome.WAIT]
    assert "up to 7 days" in explanations[Outcome.APPROVAL]
    assert "Alex Manager at manager@example.org" in explanations[Outcome.APPROVAL]
    assert "Your place is confirmed as soon as you book" in explanations[Outcome.CONFIRM]


@pytest.fixture
def session(app):
    return make_session(make_course(make_prospectus()), capacity=1)


def test_a_change_returns_its_notices_and_sends_nothing_itself(session):
    person = make_user()
    db.session.commit()

    done = service.book(db.session, session.id, person, "", datetime.now(UTC))

    assert done.value.status is BookingStatus.CONFIRMED
    assert [notice.kind for notice in done.notices] == [NoticeKind.CONFIRMED]
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_saving_a_change_mails_its_notices_with_it(session):
    first, second = make_user(), make_user()
    db.session.commit()
    held = saved(service.book, db.session, session.id, first, "", datetime.now(UTC))
    saved(service.book, db.session, session.id, second, "", datetime.now(UTC))

    cancelled = service.cancel(db.session, held.id, first, datetime.now(UTC))

    assert [notice.kind for notice in cancelled.notices] == [
        NoticeKind.CANCELLED,
        NoticeKind.PROMOTED,
    ]
    assert cancelled.notices[0].held_a_place is True
    subjects = sorted(
        message.subject.split(":")[0] for message in db.session.scalars(select(OutboxMessage))
    )
    assert subjects == ["On the waiting list", "Place confirmed"]


def test_trainers_and_coordinators_change_a_session_within_the_same_limits(session):
    trainer_or_coordinator_limits = [
        (sessions.change_capacity, (session.id, 0, NOW), "between 1 and 500"),
        (sessions.change_capacity, (session.id, 501, NOW), "between 1 and 500"),
        (sessions.cancel, (session.id, " ", NOW), "Enter why"),
    ]
    db.session.commit()
    for change, arguments, message in trainer_or_coordinator_limits:
        with pytest.raises(Refused, match=message):
            change(db.session, *arguments)
        db.session.rollback()


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Name) and node.id == "current_app":
            names.add("current_app")
    return names


SERVICES = sorted(
    [*APP.rglob("service.py"), *APP.rglob("queries.py"), APP / "notices.py", APP / "refusals.py"],
    key=str,
)


@pytest.mark.parametrize("path", SERVICES, ids=lambda path: str(path.relative_to(APP)))
def test_no_service_nor_query_knows_of_flask_or_the_global_database_session(path):
    imported = imported_modules(path)

    assert not {name for name in imported if name.split(".")[0].startswith("flask")}
    assert "current_app" not in imported
    assert "app.extensions.db" not in imported
    assert "app.mail" not in imported
