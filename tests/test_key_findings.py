"""A case review's key findings as rows: added, reworded, reordered and removed by the
coordinator, and tied to the lesson links whose courses teach them."""

import pytest
from sqlalchemy import select

from app.admin.case_reviews import findings, lesson_links
from app.audit import record_changes_by
from app.extensions import db
from app.models import AuditEntry, KeyFinding, LessonLink, lesson_link_finding, utcnow
from tests.conftest import count
from tests.factories import link, make_case_review, make_course, make_prospectus, make_user


@pytest.fixture
def review(app):
    return make_case_review(key_findings="Enquiries were late\nRoles were unclear")


def listed(review) -> list[str]:
    db.session.expire_all()
    return review.findings


def taught_by(found: LessonLink) -> list[str]:
    db.session.expire_all()
    return [finding.text for finding in found.key_findings]


# Adding, rewording, moving


def test_a_finding_is_added_at_the_end_with_its_words_tidied(review):
    findings.add_finding(db.session, review, "  Records were  not shared ", utcnow())

    assert listed(review) == [
        "Enquiries were late",
        "Roles were unclear",
        "Records were not shared",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Enter the key finding"),
        ("x" * 501, "The key finding must be 500 characters or fewer"),
        ("roles were UNCLEAR", "The review already has this key finding"),
    ],
)
def test_a_finding_that_cannot_be_added_is_refused_and_nothing_changes(review, text, message):
    with pytest.raises(findings.FindingError, match=message) as refused:
        findings.add_finding(db.session, review, text, utcnow())

    assert refused.value.field == "text"
    assert listed(review) == ["Enquiries were late", "Roles were unclear"]


def test_a_review_has_at_most_ten_findings(review):
    for number in range(8):
        findings.add_finding(db.session, review, f"Finding {number}", utcnow())

    with pytest.raises(findings.FindingError, match="at most 10 key findings"):
        findings.add_finding(db.session, review, "One too many", utcnow())
    assert len(listed(review)) == 10


def test_a_reworded_finding_keeps_its_row_and_the_courses_teaching_it(review):
    first = review.key_findings[0]
    tied = link(make_course(make_prospectus()), review, teaches=(first,))

    changed = findings.change_finding(
        db.session, review, first, "Section 47 enquiries were late", utcnow()
    )

    assert changed is True
    assert listed(review) == ["Section 47 enquiries were late", "Roles were unclear"]
    assert [finding.id for finding in tied.key_findings] == [first.id]


def test_rewording_to_the_same_words_changes_nothing_and_to_another_findings_is_refused(review):
    first = review.key_findings[0]

    assert (
        findings.change_finding(db.session, review, first, " Enquiries  were late", utcnow())
        is False
    )
    with pytest.raises(findings.FindingError, match="already has this key finding"):
        findings.change_finding(db.session, review, first, "Roles were unclear", utcnow())
    assert listed(review) == ["Enquiries were late", "Roles were unclear"]


def test_findings_move_up_and_down_but_not_past_either_end(review):
    first, second = review.key_findings

    assert findings.move_finding(db.session, review, second, -1, utcnow()) is True
    assert listed(review) == ["Roles were unclear", "Enquiries were late"]
    assert findings.move_finding(db.session, review, second, -1, utcnow()) is False
    assert findings.move_finding(db.session, review, first, 1, utcnow()) is False
    assert findings.move_finding(db.session, review, first, -1, utcnow()) is True
    assert listed(review) == ["Enquiries were late", "Roles were unclear"]


def test_a_finding_of_another_review_is_not_found_through_this_one(review):
    other = make_case_review(key_findings="Something else")

    assert findings.get_finding(db.session, review, other.key_findings[0].id) is None
    assert findings.get_finding(db.session, review, review.key_findings[0].id) is not None


# Removing


def test_a_removed_finding_is_deleted_and_untied_from_the_links_that_taught_it(review):
    first, second = review.key_findings
    prospectus = make_prospectus()
    neglect = link(make_course(prospectus, title="Neglect"), review, teaches=(first, second))
    abuse = link(make_course(prospectus, title="Abuse"), review, teaches=(first,))
    untouched = link(make_course(prospectus, title="Drift"), review, teaches=(second,))

    untied = findings.remove_finding(db.session, review, first, utcnow())

    assert untied == ["Abuse", "Neglect"]
    assert listed(review) == ["Roles were unclear"]
    assert taught_by(neglect) == ["Roles were unclear"]
    assert taught_by(abuse) == []
    assert taught_by(untouched) == ["Roles were unclear"]
    assert count(LessonLink) == 3
    assert count(KeyFinding) == 1
    assert len(db.session.execute(select(lesson_link_finding)).all()) == 2


def test_a_finding_no_course_taught_is_removed_untying_nothing(review):
    assert findings.remove_finding(db.session, review, review.key_findings[1], utcnow()) == []
    assert listed(review) == ["Enquiries were late"]


def test_a_removed_link_leaves_the_findings_it_taught(review):
    first = review.key_findings[0]
    tied = link(make_course(make_prospectus()), review, teaches=(first,))

    lesson_links.remove_link(db.session, tied)
    db.session.flush()

    assert listed(review) == ["Enquiries were late", "Roles were unclear"]
    assert db.session.execute(select(lesson_link_finding)).all() == []


def test_a_deleted_review_takes_its_findings_with_it(review):
    db.session.delete(review)
    db.session.flush()

    assert count(KeyFinding) == 0


# Ticking the findings a link's course teaches


def test_a_link_saves_its_note_and_the_findings_ticked_in_the_reviews_order(review):
    first, second = review.key_findings
    tied = link(make_course(make_prospectus()), review)

    lesson_links.change_link(db.session, tied, "Joint enquiries.", [second.id, first.id], utcnow())

    assert tied.note == "Joint enquiries."
    assert taught_by(tied) == ["Enquiries were late", "Roles were unclear"]

    lesson_links.change_link(db.session, tied, "Joint enquiries.", [second.id], utcnow())
    assert taught_by(tied) == ["Roles were unclear"]
    lesson_links.change_link(db.session, tied, "Joint enquiries.", [], utcnow())
    assert taught_by(tied) == []


def test_ticking_findings_alone_changes_the_links_time(review):
    tied = link(make_course(make_prospectus()), review, note="Joint enquiries.")
    db.session.commit()
    before = tied.updated_at

    lesson_links.change_link(
        db.session, tied, "Joint enquiries.", [review.key_findings[0].id], utcnow()
    )
    db.session.commit()

    assert tied.updated_at > before


def test_a_finding_of_another_review_cannot_be_ticked_and_nothing_changes(review):
    other = make_case_review(key_findings="Something else")
    tied = link(
        make_course(make_prospectus()), review, note="Old note.", teaches=(review.key_findings[0],)
    )

    with pytest.raises(lesson_links.LessonLinkError, match="this review's list") as refused:
        lesson_links.change_link(
            db.session, tied, "New note.", [other.key_findings[0].id], utcnow()
        )

    assert refused.value.field == "key_findings"
    assert tied.note == "Old note."
    assert taught_by(tied) == ["Enquiries were late"]


def test_an_empty_note_is_refused_before_any_finding_is_ticked(review):
    tied = link(make_course(make_prospectus()), review, note="Old note.")

    with pytest.raises(lesson_links.LessonLinkError, match="Say how the course uses"):
        lesson_links.change_link(db.session, tied, " ", [review.key_findings[0].id], utcnow())

    assert taught_by(tied) == []


# The audit log


def audit_entries(record_type: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.record_type == record_type).order_by(AuditEntry.id)
        )
    )


def test_findings_and_the_ticks_of_links_are_in_the_audit_log(review):
    coordinator = make_user()
    tied = link(make_course(make_prospectus()), review)
    record_changes_by(db.session, coordinator.id)

    added = findings.add_finding(db.session, review, "Records were not shared", utcnow())
    lesson_links.change_link(db.session, tied, tied.note, [added.id], utcnow())
    findings.change_finding(db.session, review, added, "Records were never shared", utcnow())
    findings.remove_finding(db.session, review, added, utcnow())

    created, reworded, deleted = audit_entries("key finding")
    assert created.changes["text"] == [None, "Records were not shared"]
    assert reworded.changes == {"text": ["Records were not shared", "Records were never shared"]}
    assert deleted.action == "deleted"
    ticked, untied = audit_entries("lesson link")
    assert ticked.changes == {"key_findings": [[], ["Records were not shared"]]}
    assert untied.changes == {"key_findings": [["Records were never shared"], []]}
    assert {entry.actor_id for entry in (created, ticked, untied)} == {coordinator.id}
