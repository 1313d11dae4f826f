"""A course's learning outcomes as rows: added, reworded, reordered and removed by the
coordinator, each keeping its identity, so that confidence given against one stays with it."""

import pytest
from sqlalchemy import select

from app.admin.courses import outcomes
from app.extensions import db
from app.models import LearningOutcome, OutcomeConfidence, Stage, utcnow
from tests.conftest import field_errors, press, submit, words
from tests.factories import make_booking, make_course, make_prospectus, make_session


@pytest.fixture
def course(app):
    return make_course(make_prospectus(), learning_outcomes="Spot neglect\nKnow who to tell")


def taught(course) -> list[str]:
    db.session.expire_all()
    return [outcome.text for outcome in course.outcomes]


def test_an_outcome_is_added_at_the_end_with_its_words_tidied(course):
    outcomes.add_outcome(db.session, course, "  Use the  graded care profile ", utcnow())

    assert taught(course) == ["Spot neglect", "Know who to tell", "Use the graded care profile"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Enter the learning outcome"),
        ("x" * 301, "The learning outcome must be 300 characters or fewer"),
        ("spot NEGLECT", "The course already has this learning outcome"),
    ],
)
def test_an_outcome_that_cannot_be_added_is_refused_and_nothing_changes(course, text, message):
    with pytest.raises(outcomes.OutcomeError, match=message):
        outcomes.add_outcome(db.session, course, text, utcnow())

    assert taught(course) == ["Spot neglect", "Know who to tell"]


def test_a_course_has_at_most_twelve_outcomes(course):
    for number in range(10):
        outcomes.add_outcome(db.session, course, f"Outcome {number}", utcnow())

    with pytest.raises(outcomes.OutcomeError, match="at most 12"):
        outcomes.add_outcome(db.session, course, "One too many", utcnow())


def test_confidence_given_against_an_outcome_stays_with_it_when_it_is_reworded(course):
    booking = make_booking(make_session(course))
    first = course.outcomes[0]
    db.session.add(
        OutcomeConfidence(
            booking=booking, outcome=first, stage=Stage.BEFORE, confidence=2, answered_at=utcnow()
        )
    )
    outcomes.change_outcome(db.session, course, first, "Spot the signs of neglect", utcnow())
    outcomes.move_outcome(db.session, course, first, 1, utcnow())

    assert taught(course) == ["Know who to tell", "Spot the signs of neglect"]
    answer = db.session.scalar(select(OutcomeConfidence))
    assert answer.outcome.text == "Spot the signs of neglect"


def test_a_removed_outcome_leaves_the_course_but_keeps_its_answers(course):
    booking = make_booking(make_session(course))
    first = course.outcomes[0]
    db.session.add(
        OutcomeConfidence(
            booking=booking, outcome=first, stage=Stage.BEFORE, confidence=4, answered_at=utcnow()
        )
    )
    outcomes.remove_outcome(db.session, course, first, utcnow())

    assert taught(course) == ["Know who to tell"]
    assert db.session.scalar(select(OutcomeConfidence)).outcome.text == "Spot neglect"
    # Its words may be used again, as a new outcome.
    outcomes.add_outcome(db.session, course, "Spot neglect", utcnow())
    assert taught(course) == ["Know who to tell", "Spot neglect"]


def test_moving_past_either_end_changes_nothing(course):
    first, last = course.outcomes

    assert outcomes.move_outcome(db.session, course, first, -1, utcnow()) is False
    assert outcomes.move_outcome(db.session, course, last, 1, utcnow()) is False
    assert taught(course) == ["Spot neglect", "Know who to tell"]


def test_replacing_keeps_the_rows_of_outcomes_still_taught(course):
    kept_id = course.outcomes[1].id
    outcomes.replace_outcomes(
        db.session, course, ["Know who to tell", "Record what you see"], utcnow()
    )

    assert taught(course) == ["Know who to tell", "Record what you see"]
    assert course.outcomes[0].id == kept_id
    removed = db.session.scalars(
        select(LearningOutcome.text).where(LearningOutcome.removed_at.is_not(None))
    ).all()
    assert removed == ["Spot neglect"]


# The coordinator's pages


def outcomes_page(course) -> str:
    return f"/admin/courses/{course.id}/outcomes"


def test_the_coordinator_adds_an_outcome_and_the_public_course_page_shows_it(
    as_coordinator, client, course
):
    answer = submit(as_coordinator, outcomes_page(course), {"text": "Record what you see"})

    assert answer.status_code == 302
    page = words(as_coordinator.get(outcomes_page(course)).text)
    assert page.index("Spot neglect") < page.index("Know who to tell") < page.index("Record")
    assert "Record what you see" in words(client.get(f"/courses/{course.slug}").text)


def test_a_refused_outcome_is_shown_again_with_its_error(as_coordinator, course):
    answer = submit(as_coordinator, outcomes_page(course), {"text": "Know who to TELL"})

    assert answer.status_code == 400
    assert field_errors(answer.text) == {"text": "The course already has this learning outcome"}
    assert 'value="Know who to TELL"' in answer.text
    assert taught(course) == ["Spot neglect", "Know who to tell"]


def test_the_coordinator_rewords_moves_and_removes_outcomes(as_coordinator, course):
    first, second = course.outcomes
    base = outcomes_page(course)

    edit = f"{base}/{first.id}/edit"
    assert 'value="Spot neglect"' in as_coordinator.get(edit).text
    assert submit(as_coordinator, edit, {"text": "Spot the signs of neglect"}).status_code == 302
    assert press(as_coordinator, base, f"{base}/{second.id}/up").status_code == 302
    assert taught(course) == ["Know who to tell", "Spot the signs of neglect"]

    assert press(as_coordinator, base, f"{base}/{second.id}/remove").status_code == 302
    assert taught(course) == ["Spot the signs of neglect"]
    # A removed outcome can no longer be changed.
    assert as_coordinator.get(f"{base}/{second.id}/edit").status_code == 404


def test_an_outcome_of_another_course_is_not_found_through_this_one(as_coordinator, course):
    other = make_course(course.prospectus, learning_outcomes="Something else")
    db.session.commit()
    base = outcomes_page(course)

    assert as_coordinator.get(f"{base}/{other.outcomes[0].id}/edit").status_code == 404
    answer = press(as_coordinator, base, f"{base}/{other.outcomes[0].id}/remove")
    assert answer.status_code == 404
    assert taught(other) == ["Something else"]


def test_the_course_page_links_to_its_outcomes(as_coordinator, course):
    page = as_coordinator.get(f"/admin/courses/{course.id}").text

    assert f'href="{outcomes_page(course)}"' in page


def test_replacing_with_the_outcomes_already_taught_changes_nothing(course):
    before = [(outcome.id, outcome.position) for outcome in course.outcomes]

    outcomes.replace_outcomes(db.session, course, ["Spot neglect", "Know who to tell"], utcnow())

    db.session.expire_all()
    assert [(outcome.id, outcome.position) for outcome in course.outcomes] == before
