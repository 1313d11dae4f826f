"""A change saved whole or not at all (app/transactions.py): refused, or finding the session
busy, it leaves nothing behind. Two coordinators saving the same web address or lesson link
at the same instant: the second is told why, in the words the rules would have used a
moment later, at the same field, and nothing of theirs is saved.

The instant is made on PostgreSQL by another connection that saves the other coordinator's
row after the rules have checked and before this request writes. SQLite lets one request
write at a time, so there the same moment is made by a check that does not see the row.
"""

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.admin.prospectuses import service as prospectuses
from app.bookings import service as bookings
from app.extensions import db
from app.models import (
    CaseReview,
    Course,
    CourseSession,
    Delivery,
    LessonLink,
    Prospectus,
    SessionStatus,
    Venue,
)
from app.refusals import TryAgain
from app.transactions import saved
from tests.conftest import TEST_DATABASE_URL, count, field_errors, submit
from tests.factories import make_case_review, make_course, make_prospectus, make_session

TAKEN = "The web address /prospectuses/early-help is already used by Early Help 2027"

EARLY_HELP = {
    "title": "Early Help learning and development prospectus",
    "slug": "early-help",
    "year": "2027",
    "introduction": "",
    "position": "1",
}


def prospectus_details(slug: str) -> prospectuses.ProspectusDetails:
    return prospectuses.ProspectusDetails(
        title="Early Help learning and development prospectus",
        slug=slug,
        year=2027,
        introduction="",
        position=1,
    )


# Both databases ---------------------------------------------------------------------------


def test_a_change_that_lost_the_race_for_a_web_address_is_refused_in_the_rules_words(
    app, monkeypatch
):
    make_prospectus("early-help", title="Early Help 2027")
    db.session.commit()
    checked = prospectuses.checked_slug
    checks = []

    def checked_before_theirs_was_saved(db_session, prospectus, typed, title):
        checks.append(typed)
        return typed if len(checks) == 1 else checked(db_session, prospectus, typed, title)

    monkeypatch.setattr(prospectuses, "checked_slug", checked_before_theirs_was_saved)

    with pytest.raises(prospectuses.ProspectusError, match=TAKEN) as refused:
        saved(prospectuses.create_prospectus, db.session, prospectus_details("early-help"))

    assert refused.value.field == "slug"
    assert len(checks) == 2
    assert count(Prospectus) == 1


def test_a_change_that_breaks_another_constraint_is_not_made_again(app):
    tries = []

    def nameless_venue() -> None:
        tries.append(1)
        db.session.add(Venue(name=None))
        db.session.flush()

    with pytest.raises(IntegrityError):
        saved(nameless_venue)

    assert len(tries) == 1
    assert count(Venue) == 0


def test_a_refused_change_leaves_nothing_behind(app):
    def refused_after_adding() -> None:
        db.session.add(Venue(name="Riverside House"))
        db.session.flush()
        raise prospectuses.ProspectusError("Refused after a write")

    with pytest.raises(prospectuses.ProspectusError):
        saved(refused_after_adding)

    assert count(Venue) == 0


@pytest.mark.parametrize("page", ["/admin/sessions/{id}/cancel", "/trainer/sessions/{id}/cancel"])
def test_a_change_that_finds_the_session_busy_asks_to_try_again_and_changes_nothing(
    as_coordinator, monkeypatch, page
):
    session = make_session(make_course(make_prospectus()))
    db.session.commit()

    def busy(*args) -> None:
        raise TryAgain()

    monkeypatch.setattr(bookings, "lock_session", busy)

    response = submit(as_coordinator, page.format(id=session.id), {"reason": "The trainer is ill."})

    assert response.status_code == 503
    assert "Try again in a moment" in response.text
    db.session.expire_all()
    assert db.session.get(CourseSession, session.id).status is SessionStatus.SCHEDULED


# PostgreSQL: another coordinator's request, at the same instant ---------------------------

only_on_postgresql = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="SQLite lets one request write at a time"
)


@pytest.fixture
def saved_first_by_another(app) -> Iterator[Callable[[object], None]]:
    """`saved_first_by_another(row)`: when this request is about to write a row of the same
    kind, another coordinator's request saves `row` in a connection of its own and commits."""
    ours = db.session()
    listeners = []

    def arrange(row) -> None:
        done = []

        def between_check_and_write(session, flush_context, instances) -> None:
            if done or not any(isinstance(record, type(row)) for record in session.new):
                return
            done.append(row)
            with Session(db.engine) as theirs:
                theirs.add(row)
                theirs.commit()

        event.listen(ours, "before_flush", between_check_and_write)
        listeners.append(between_check_and_write)

    yield arrange
    for listener in listeners:
        event.remove(ours, "before_flush", listener)


@pytest.mark.postgres
@only_on_postgresql
def test_a_prospectus_s_address_saved_by_another_first_is_refused_at_the_field(
    as_coordinator, saved_first_by_another
):
    saved_first_by_another(Prospectus(slug="early-help", title="Early Help 2027", year=2027))

    response = submit(as_coordinator, "/admin/prospectuses/new", EARLY_HELP)

    assert response.status_code == 400
    assert field_errors(response.text)["slug"].startswith(TAKEN)
    assert db.session.scalars(select(Prospectus.title)).all() == ["Early Help 2027"]


@pytest.mark.postgres
@only_on_postgresql
def test_a_course_s_address_saved_by_another_first_is_refused_at_the_title(
    as_coordinator, saved_first_by_another
):
    prospectus = make_prospectus()
    db.session.commit()
    saved_first_by_another(
        Course(
            prospectus_id=prospectus.id,
            slug="understanding-neglect",
            title="Neglect: the basics",
            level=1,
            delivery=Delivery.IN_PERSON,
        )
    )

    response = submit(
        as_coordinator,
        "/admin/courses/new",
        {
            "prospectus": str(prospectus.id),
            "title": "Understanding neglect",
            "summary": "Recognising neglect.",
            "description": "The signs of neglect.",
            "audience": "Anyone who works with families.",
            "level": "2",
            "cpd_hours": "3",
            "delivery": "in-person",
        },
    )

    assert response.status_code == 400
    assert field_errors(response.text)["title"] == (
        "The web address /courses/understanding-neglect is already used by Neglect: the "
        "basics: change the title, or type a web address"
    )
    assert db.session.scalars(select(Course.title)).all() == ["Neglect: the basics"]


@pytest.mark.postgres
@only_on_postgresql
def test_a_case_review_s_address_saved_by_another_first_is_numbered(
    as_coordinator, saved_first_by_another
):
    saved_first_by_another(CaseReview(slug="child-t-serious-case-review", title="Child T"))

    response = submit(
        as_coordinator,
        "/admin/case-reviews/new",
        {"title": "Child T - Serious Case Review", "summary": "What happened to Child T."},
    )

    assert response.status_code == 302
    assert set(db.session.scalars(select(CaseReview.slug))) == {
        "child-t-serious-case-review",
        "child-t-serious-case-review-2",
    }


@pytest.mark.postgres
@only_on_postgresql
def test_a_lesson_link_saved_by_another_first_is_refused_at_the_choice(
    as_coordinator, saved_first_by_another
):
    course = make_course(make_prospectus(), title="Understanding neglect")
    review = make_case_review(title="Child R - Serious Case Review")
    db.session.commit()
    saved_first_by_another(
        LessonLink(course_id=course.id, case_review_id=review.id, note="Their note.")
    )

    response = submit(
        as_coordinator,
        f"/admin/courses/{course.id}/case-reviews",
        {"case_review": str(review.id), "note": "Our note."},
    )

    assert response.status_code == 400
    assert field_errors(response.text)["case_review"] == (
        "Understanding neglect already draws on Child R - Serious Case Review: change the "
        "note of that link instead"
    )
    assert db.session.scalars(select(LessonLink.note)).all() == ["Their note."]
