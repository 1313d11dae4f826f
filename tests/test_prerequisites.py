"""Prerequisites: a course that must have been attended (recently enough) before another is
booked, what coordinators may require, and a coordinator booking a person past them.
Through the services, with no HTTP."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from app.admin.courses import service as courses
from app.bookings import service as bookings
from app.extensions import db
from app.models import (
    Attendance,
    AuditEntry,
    Booking,
    BookingEvent,
    BookingStatus,
    ChargingBand,
    ExternalTrainingStatus,
    OutboxMessage,
    Prerequisite,
    Role,
    utcnow,
)
from app.prerequisites import service as prerequisites
from app.prerequisites.service import PrerequisiteError, PrerequisitesMissing
from app.refusals import Refused
from app.sessions import service as sessions
from app.transactions import saved
from tests.factories import (
    make_agency,
    make_course,
    make_external_training,
    make_prospectus,
    make_session,
    make_user,
)


@pytest.fixture
def prospectus(app):
    return make_prospectus()


@pytest.fixture
def level_1(prospectus):
    return make_course(prospectus, title="Safeguarding children: an introduction", level=1)


@pytest.fixture
def level_2(prospectus, level_1):
    course = make_course(prospectus, title="Working together to safeguard children", level=2)
    requires(course, level_1, within_years=3)
    return course


@pytest.fixture
def session(level_2):
    return make_session(level_2, starts_at=utcnow().replace(microsecond=0) + timedelta(days=20))


@pytest.fixture
def person(app):
    return make_user(name="Priya Sharma")


def requires(course, required, within_years=None) -> None:
    saved(prerequisites.add_prerequisite, db.session, course, required.id, within_years)


def attended(person, course, ended_ago: timedelta, mark=Attendance.ATTENDED) -> Booking:
    """A booking of a past session of the course, marked."""
    ends_at = utcnow().replace(microsecond=0) - ended_ago
    past = make_session(course, starts_at=ends_at - timedelta(hours=3))
    booking = Booking(session=past, user=person, status=BookingStatus.CONFIRMED, attendance=mark)
    db.session.add(booking)
    db.session.commit()
    return booking


def book(session, person, now=None):
    booked = saved(bookings.book, db.session, session.id, person, "", now or utcnow())
    return db.session.get(Booking, booked.id)


def bookings_of(session) -> int:
    return db.session.scalar(select(func.count(Booking.id)).where(Booking.session_id == session.id))


def outbox_size() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


# Meeting them


def test_someone_who_never_attended_the_required_course_is_refused_and_nothing_is_written(
    session, person
):
    with pytest.raises(PrerequisitesMissing) as refused:
        book(session, person)

    assert str(refused.value) == (
        "Before booking this course you need to have attended Safeguarding children: an "
        "introduction (level 1) in the last 3 years"
    )
    [missing] = refused.value.missing
    assert missing.title == "Safeguarding children: an introduction"
    assert missing.shortfall == "You have not attended it"
    assert bookings_of(session) == 0
    assert outbox_size() == 0


def test_someone_who_attended_it_within_the_years_books_a_place(session, person, level_1):
    attended(person, level_1, ended_ago=timedelta(days=400))

    assert book(session, person).status is BookingStatus.CONFIRMED


def test_the_years_are_counted_back_from_the_session_being_booked(session, person, level_1):
    """Attended 3 years before the session starts, to the minute, is still within 3 years;
    a minute earlier is not."""
    just_in = session.starts_at - relativedelta(years=3)
    requirement = prerequisites.requirements_for(db.session, session.course_id, None, utcnow())[0]

    assert prerequisites.Requirement(**{**vars(requirement), "last_attended": just_in}).met_by(
        session.starts_at
    )
    assert not prerequisites.Requirement(
        **{**vars(requirement), "last_attended": just_in - timedelta(minutes=1)}
    ).met_by(session.starts_at)


def test_attendance_too_long_ago_is_refused_with_when_it_was(session, person, level_1):
    old = attended(person, level_1, ended_ago=timedelta(days=4 * 366))

    with pytest.raises(PrerequisitesMissing) as refused:
        book(session, person)

    [missing] = refused.value.missing
    day = old.session.ends_at
    assert missing.shortfall == (
        f"You last did it on {day.day} {day:%B %Y}: it must be within 3 years of the "
        "session you book"
    )


def test_a_requirement_without_years_is_met_by_attending_at_any_time(prospectus, person, level_1):
    advanced = make_course(prospectus, title="Advanced practice", level=3)
    requires(advanced, level_1)
    attended(person, level_1, ended_ago=timedelta(days=20 * 365))

    assert book(make_session(advanced), person).status is BookingStatus.CONFIRMED


@pytest.mark.parametrize("mark", [Attendance.LEFT_EARLY, Attendance.DID_NOT_ATTEND, None])
def test_only_attending_the_whole_course_counts(session, person, level_1, mark):
    attended(person, level_1, ended_ago=timedelta(days=30), mark=mark)

    with pytest.raises(PrerequisitesMissing):
        book(session, person)


def test_a_session_still_under_way_does_not_count_yet(session, person, level_1):
    attended(person, level_1, ended_ago=-timedelta(hours=1))

    with pytest.raises(PrerequisitesMissing):
        book(session, person)


def test_a_cancelled_booking_marked_attended_does_not_count(session, person, level_1):
    booking = attended(person, level_1, ended_ago=timedelta(days=30))
    booking.status = BookingStatus.CANCELLED
    db.session.commit()

    with pytest.raises(PrerequisitesMissing):
        book(session, person)


@pytest.mark.parametrize(
    ("status", "years_ago", "books"),
    [
        (ExternalTrainingStatus.ACCEPTED, 1, True),
        (ExternalTrainingStatus.ACCEPTED, 4, False),
        (ExternalTrainingStatus.SUBMITTED, 1, False),
        (ExternalTrainingStatus.REJECTED, 1, False),
    ],
)
def test_training_elsewhere_counts_once_a_coordinator_accepts_it(
    session, person, level_1, status, years_ago, books
):
    completed = (session.starts_at - relativedelta(years=years_ago, days=1)).date()
    make_external_training(person, level_1, status=status, completed_on=completed)
    db.session.commit()

    if books:
        assert book(session, person).status is BookingStatus.CONFIRMED
    else:
        with pytest.raises(PrerequisitesMissing):
            book(session, person)


def test_the_later_of_attending_and_completing_elsewhere_counts(session, person, level_1):
    attended(person, level_1, ended_ago=timedelta(days=5 * 365))
    make_external_training(
        person,
        level_1,
        status=ExternalTrainingStatus.ACCEPTED,
        completed_on=(utcnow() - timedelta(days=200)).date(),
    )
    db.session.commit()

    [requirement] = prerequisites.requirements_for(
        db.session, session.course_id, person.id, utcnow()
    )

    assert requirement.last_done.date() == (utcnow() - timedelta(days=200)).date()
    assert requirement.met_by(session.starts_at)


def test_only_the_requirements_not_met_are_named_in_the_order_they_were_added(
    prospectus, person, level_1
):
    first = make_course(prospectus, title="First")
    second = make_course(prospectus, title="Second", level=2)
    third = make_course(prospectus, title="Third")
    course = make_course(prospectus, title="The course", level=3)
    for required in (first, second, third):
        requires(course, required)
    attended(person, second, ended_ago=timedelta(days=10))

    with pytest.raises(PrerequisitesMissing) as refused:
        book(make_session(course), person)

    assert [missing.title for missing in refused.value.missing] == ["First", "Third"]
    assert "First (level 1); Third (level 1)" in str(refused.value)


def test_the_confirmation_page_is_refused_the_same_way(session, person):
    with pytest.raises(PrerequisitesMissing) as refused:
        bookings.offer(db.session, session, person, utcnow())

    assert "Safeguarding children: an introduction" in str(refused.value)


def test_someone_already_booked_is_shown_their_booking_rather_than_the_requirements(
    session, person
):
    booking = Booking(session=session, user=person, status=BookingStatus.CONFIRMED)
    db.session.add(booking)
    db.session.commit()

    with pytest.raises(bookings.AlreadyBooked):
        book(session, person)


def test_each_requirement_says_where_its_sessions_are(session, person, level_1, prospectus):
    next_one = make_session(level_1, starts_at=utcnow().replace(microsecond=0) + timedelta(days=9))
    make_session(level_1, starts_at=utcnow() + timedelta(days=30))
    make_session(level_1, starts_at=utcnow() + timedelta(days=5), published=False)
    hidden = make_course(prospectus, title="Draft course", published=False)
    requires(session.course, hidden)

    listed = prerequisites.standing(db.session, session.course_id, person, utcnow(), utcnow())

    shown, draft = listed.requirements
    assert shown.public and shown.slug == level_1.slug
    assert shown.next_starts_at == next_one.starts_at
    assert shown.next_session_text.startswith("Next session ")
    assert not draft.public
    assert draft.next_session_text == "Not in the prospectuses at the moment"
    assert [row[1] for row in listed.rows] == ["You have not attended it"] * 2


def test_nobody_signed_in_is_shown_the_requirements_without_a_verdict(session):
    listed = prerequisites.standing(db.session, session.course_id, None, utcnow(), utcnow())

    assert listed.rows == [(listed.requirements[0], None)]
    assert not listed.missing


def test_requirements_are_read_in_one_statement_however_many_there_are(
    prospectus, person, count_queries
):
    course = make_course(prospectus, title="Many")
    course_id, person_id = course.id, person.id
    for number in range(6):
        requires(course, make_course(prospectus, title=f"Before {number}"))
        with count_queries() as counted:
            found = prerequisites.requirements_for(db.session, course_id, person_id, utcnow())
        assert len(found) == number + 1
        assert len(counted) == 1, counted.statements


# What a coordinator may require


def test_a_course_cannot_require_itself(level_1):
    with pytest.raises(PrerequisiteError, match="A course cannot require itself"):
        requires(level_1, level_1)


def test_a_course_cannot_require_one_that_requires_it(level_1, level_2):
    with pytest.raises(PrerequisiteError) as refused:
        requires(level_1, level_2)

    assert str(refused.value) == (
        "Working together to safeguard children already requires Safeguarding children: an "
        "introduction, so Safeguarding children: an introduction cannot require Working "
        "together to safeguard children: nobody could book either"
    )
    assert refused.value.field == "course"
    assert db.session.scalar(select(func.count(Prerequisite.id))) == 1


def test_nor_one_that_requires_it_through_others(prospectus, level_1, level_2):
    level_3 = make_course(prospectus, title="Level 3", level=3)
    requires(level_3, level_2)

    with pytest.raises(PrerequisiteError) as refused:
        requires(level_1, level_3)

    assert "Level 3 already requires Safeguarding children: an introduction (through Working " in (
        str(refused.value)
    )


def test_a_course_already_required_is_not_required_twice(level_1, level_2):
    with pytest.raises(PrerequisiteError, match="already requires"):
        requires(level_2, level_1)


@pytest.mark.parametrize("years", [0, 11, -1])
def test_the_years_must_be_sensible(prospectus, level_1, years):
    course = make_course(prospectus)

    with pytest.raises(PrerequisiteError, match="between 1 and 10") as refused:
        requires(course, level_1, within_years=years)
    assert refused.value.field == "within_years"


def test_an_unknown_course_is_refused(level_2):
    with pytest.raises(PrerequisiteError, match="Choose a course from the list"):
        saved(prerequisites.add_prerequisite, db.session, level_2, 999_999, None)


def test_removing_a_prerequisite_lets_people_book(session, person, level_2):
    saved(prerequisites.remove_prerequisite, db.session, level_2.prerequisites[0])

    assert book(session, person).status is BookingStatus.CONFIRMED


def test_a_course_others_require_cannot_be_deleted(level_1, level_2):
    level_1.published = False
    db.session.commit()

    with pytest.raises(Refused, match="Working together to safeguard children requires it"):
        saved(courses.delete_course, db.session, level_1)


def test_a_course_that_requires_others_can_be_deleted_with_its_prerequisites(level_2):
    level_2.published = False
    db.session.commit()

    saved(courses.delete_course, db.session, level_2)

    assert db.session.scalar(select(func.count(Prerequisite.id))) == 0


# A coordinator booking a person


@pytest.fixture
def coordinator(app):
    return make_user(name="Joanne Kelsall", role=Role.COORDINATOR)


def book_for(session, person, coordinator, reason="Level 1 done at Sheffield", exempt=False):
    override = bookings.Override(coordinator, reason, exempt)
    booked = saved(bookings.book_for, db.session, session.id, person, override, utcnow())
    return db.session.get(Booking, booked.id)


def test_a_coordinator_books_a_person_past_the_prerequisites_with_a_reason(
    session, person, coordinator
):
    booking = book_for(session, person, coordinator)

    assert booking.status is BookingStatus.CONFIRMED
    assert booking.booked_by_id == coordinator.id
    assert booking.override_reason == "Level 1 done at Sheffield"
    [event] = db.session.scalars(select(BookingEvent).where(BookingEvent.booking_id == booking.id))
    assert event.actor_id == coordinator.id
    assert event.reason == (
        "booked by a coordinator without the prerequisites: Level 1 done at Sheffield"
    )
    [message] = db.session.scalars(select(OutboxMessage))
    assert message.to_address == person.email
    assert "A training coordinator made this booking for you." in message.text_body


def test_the_coordinators_booking_is_in_the_audit_log_with_its_reason(session, person, coordinator):
    from app.audit import record_changes_by, stop_recording

    record_changes_by(db.session, coordinator.id)
    try:
        booking = book_for(session, person, coordinator)
    finally:
        stop_recording(db.session)

    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.record_type == "booking", AuditEntry.record_id == booking.id
        )
    )
    assert entry.actor_id == coordinator.id
    assert entry.action == "created"
    assert entry.changes["override_reason"] == [None, "Level 1 done at Sheffield"]


def test_a_coordinator_must_say_why(session, person, coordinator):
    for reason in ("", "   ", "x" * 121):
        with pytest.raises(Refused) as refused:
            book_for(session, person, coordinator, reason=reason)
        assert refused.value.field == "reason"
    assert bookings_of(session) == 0


def test_a_coordinator_booking_someone_who_meets_them_says_only_why(
    session, person, coordinator, level_1
):
    attended(person, level_1, ended_ago=timedelta(days=30))

    booking = book_for(session, person, coordinator, reason="Asked by their manager")

    assert booking.history[0].reason == "booked by a coordinator: Asked by their manager"


def test_a_coordinator_booking_still_counts_places(session, person, coordinator):
    session.capacity = 1
    db.session.add(Booking(session=session, user=make_user(), status=BookingStatus.CONFIRMED))
    db.session.commit()

    assert book_for(session, person, coordinator).status is BookingStatus.WAITING


def test_a_coordinator_cannot_book_someone_twice_nor_a_closed_account(session, person, coordinator):
    book_for(session, person, coordinator)
    with pytest.raises(bookings.AlreadyBooked):
        book_for(session, person, coordinator)

    person.active = False
    db.session.commit()
    with pytest.raises(Refused, match="deactivated"):
        book_for(make_session(session.course), person, coordinator)


def test_a_coordinator_cannot_book_themselves_past_the_rules(session, coordinator):
    with pytest.raises(Refused, match="You cannot book yourself past the rules"):
        book_for(session, coordinator, coordinator)


def test_a_coordinator_is_told_in_their_own_words_what_the_persons_details_lack(
    prospectus, person, coordinator
):
    person.email_verified_at = None
    db.session.commit()
    with pytest.raises(Refused, match="Priya Sharma has not confirmed their email address"):
        book_for(make_session(make_course(prospectus)), person, coordinator)

    person.email_verified_at = utcnow()
    approval = make_course(prospectus, requires_approval=True)
    db.session.commit()
    with pytest.raises(Refused, match="needs Priya Sharma's line manager's approval"):
        book_for(make_session(approval), person, coordinator)


def test_a_coordinators_booking_needs_no_further_coordinators_decision(
    session, person, coordinator, level_2
):
    for days in (10, 20):
        attended(person, level_2, ended_ago=timedelta(days=days), mark=Attendance.DID_NOT_ATTEND)

    assert book_for(session, person, coordinator).status is BookingStatus.CONFIRMED


def test_a_place_a_coordinator_says_is_never_charged_is_not_charged(session, person, coordinator):
    person.agency = make_agency(charging_band=ChargingBand.CHARGEABLE)
    db.session.commit()
    booking = book_for(session, person, coordinator, exempt=True)

    saved(
        sessions.mark_attendance,
        db.session,
        session.id,
        booking.id,
        Attendance.DID_NOT_ATTEND,
        coordinator,
        session.ends_at + timedelta(hours=1),
    )

    db.session.expire_all()
    booking = db.session.get(Booking, booking.id)
    assert booking.attendance is Attendance.DID_NOT_ATTEND
    assert booking.charges == []
    assert booking.exempt_from_charges
