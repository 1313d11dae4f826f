"""Interest lists, tested on the services: joining and leaving a course's list, and the
people on it told once of each session that becomes a date to book, however it does.
The pages are tested in test_interest_web.py."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.admin.courses import service as courses
from app.admin.prospectuses import service as prospectuses
from app.admin.sessions import service as sessions
from app.bookings import service as bookings
from app.display import LONDON
from app.extensions import db
from app.interest import service as interest
from app.models import (
    Booking,
    BookingStatus,
    Course,
    CourseInterest,
    CourseSession,
    Delivery,
    InterestNoticeSent,
    OutboxMessage,
    SessionStatus,
    User,
    utcnow,
)
from app.notices import NoticeKind
from app.refusals import Refused
from app.transactions import saved
from tests.conftest import count, link_in
from tests.factories import (
    make_booking,
    make_course,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
    put_on_list,
)
from tests.test_admin_catalogue_rules import course_details

#: A Tuesday in British Summer Time: 09:30 in London is 08:30 UTC.
SUMMER_MORNING = datetime(2037, 6, 9, 8, 30, tzinfo=UTC)


@pytest.fixture
def course(app) -> Course:
    return make_course(make_prospectus(), title="Neglect")


def draft_session(course: Course, **fields) -> CourseSession:
    return make_session(course, starts_at=SUMMER_MORNING, **({"published": False} | fields))


def booked(session: CourseSession, person: User, status=BookingStatus.CONFIRMED) -> None:
    db.session.add(Booking(session=session, user=person, status=status))
    db.session.flush()


def on_list(course: Course) -> set[int]:
    return set(
        db.session.scalars(
            select(CourseInterest.user_id).where(CourseInterest.course_id == course.id)
        )
    )


def publish(session: CourseSession) -> int:
    """Publish the session as the coordinator does; how many people were told of it."""
    return saved(sessions.publish, db.session, session, utcnow())


def unpublish(session: CourseSession) -> None:
    saved(sessions.unpublish, db.session, session)


def told_of(session: CourseSession) -> set[int]:
    return set(
        db.session.scalars(
            select(InterestNoticeSent.user_id).where(InterestNoticeSent.session_id == session.id)
        )
    )


def mail_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address))
    )


# Joining and leaving ------------------------------------------------------------------------


def test_a_person_joins_the_list_of_a_course_with_no_date(course):
    person = make_user()

    assert saved(interest.join_or_leave, db.session, course, person, utcnow()) is True

    assert on_list(course) == {person.id}
    assert interest.interest_in(db.session, course, person, utcnow()) == interest.Interest(
        offered=True, on_list=True
    )


def test_asking_again_leaves_the_list_and_a_third_time_joins_it_again(course):
    person = make_user()
    put_on_list(course, person)

    assert saved(interest.join_or_leave, db.session, course, person, utcnow()) is False
    assert on_list(course) == set()
    assert saved(interest.join_or_leave, db.session, course, person, utcnow()) is True
    assert on_list(course) == {person.id}


def test_joining_twice_keeps_one_place_on_the_list(course):
    person = make_user()

    interest.join(db.session, course, person, utcnow())
    interest.join(db.session, course, person, utcnow())

    assert count(CourseInterest) == 1


def test_leaving_takes_only_that_person_off_that_courses_list(course):
    other_course = make_course(course.prospectus)
    person, colleague = make_user(), make_user()
    put_on_list(course, person, colleague)
    put_on_list(other_course, person)

    assert interest.leave(db.session, course.id, person.id) is True
    assert interest.leave(db.session, course.id, person.id) is False

    assert on_list(course) == {colleague.id}
    assert on_list(other_course) == {person.id}


def test_a_visitor_is_offered_the_list_but_is_on_none(course):
    assert interest.interest_in(db.session, course, None, utcnow()) == interest.Interest(
        offered=True, on_list=False
    )


def test_a_course_with_a_date_to_book_offers_no_list_and_refuses_to_join(course):
    make_session(course)
    person = make_user()
    db.session.commit()

    with pytest.raises(Refused, match="Neglect already has a date"):
        saved(interest.join_or_leave, db.session, course, person, utcnow())

    assert on_list(course) == set()
    assert interest.interest_in(db.session, course, person, utcnow()).offered is False


def test_someone_on_the_list_may_leave_it_once_the_course_has_a_date(course):
    person = make_user()
    put_on_list(course, person)
    make_session(course)

    assert interest.interest_in(db.session, course, person, utcnow()) == interest.Interest(
        offered=False, on_list=True
    )
    assert saved(interest.join_or_leave, db.session, course, person, utcnow()) is False
    assert on_list(course) == set()


@pytest.mark.parametrize(
    "session",
    [
        {"published": False},
        {"status": SessionStatus.CANCELLED},
        {"starts_at": datetime(2020, 1, 7, 9, 30, tzinfo=UTC)},
        {"booking_closes_at": datetime(2020, 1, 1, tzinfo=UTC)},
    ],
    ids=["draft", "cancelled", "past", "booking closed"],
)
def test_a_session_nobody_can_book_is_no_date(course, session):
    make_session(course, **session)

    assert interest.interest_in(db.session, course, None, utcnow()).offered is True
    interest.join(db.session, course, make_user(), utcnow())
    assert count(CourseInterest) == 1


def test_a_session_whose_booking_opens_later_is_a_date(course):
    make_session(course, booking_opens_at=utcnow() + timedelta(days=3))

    assert interest.interest_in(db.session, course, None, utcnow()).offered is False


def test_e_learning_hosted_elsewhere_has_no_list(course):
    course.delivery = Delivery.E_LEARNING
    course.external_url = "https://www.virtual-college.co.uk/"

    assert interest.interest_in(db.session, course, None, utcnow()) == interest.Interest(
        offered=False, on_list=False
    )
    with pytest.raises(Refused, match="e-learning you can start at any time"):
        interest.join(db.session, course, make_user(), utcnow())
    assert count(CourseInterest) == 0


def test_someone_who_has_not_confirmed_their_address_cannot_join(course):
    with pytest.raises(Refused, match="Confirm your email address"):
        interest.join(db.session, course, make_user(verified=False), utcnow())

    assert count(CourseInterest) == 0


# Booking takes a person off the list ------------------------------------------------------


def test_booking_any_session_of_the_course_takes_the_person_off_its_list(course):
    other_course = make_course(course.prospectus)
    person, colleague = make_user(), make_user()
    put_on_list(course, person, colleague)
    put_on_list(other_course, person)
    session = make_session(course)
    db.session.commit()

    saved(bookings.book, db.session, session.id, person, "", utcnow())

    assert on_list(course) == {colleague.id}
    assert on_list(other_course) == {person.id}


def test_joining_the_waiting_list_is_booking_too(course):
    person = make_user()
    put_on_list(course, person)
    session = make_session(course, capacity=1)
    make_booking(session)
    db.session.commit()

    booking = saved(bookings.book, db.session, session.id, person, "", utcnow())

    assert booking.status is BookingStatus.WAITING
    assert on_list(course) == set()


def test_a_booking_refused_leaves_the_person_on_the_list(course):
    person = make_user()
    put_on_list(course, person)
    session = make_session(course, booking_opens_at=utcnow() + timedelta(days=3))
    db.session.commit()

    with pytest.raises(Refused, match="has not opened yet"):
        saved(bookings.book, db.session, session.id, person, "", utcnow())

    assert on_list(course) == {person.id}


# Telling the people on the list ------------------------------------------------------------


def test_publishing_a_session_mails_everyone_on_the_list_once_with_a_link_to_book(course, mailbox):
    sarah, daniel = make_user(name="Sarah Whitworth"), make_user(name="Daniel Okafor")
    put_on_list(course, sarah, daniel)
    venue = make_venue(name="Riverside House", address="Main Street\nRotherham")
    session = draft_session(course, venue=venue)

    assert publish(session) == 2

    mail = mailbox.last_to(sarah.email)
    assert mail["Subject"] == "A new date for Neglect"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Dear Sarah Whitworth" in text
    assert "Date: Tuesday 9 June 2037" in text
    assert "Time: 9:30am to 12:30pm (UK time)" in text
    assert "Where: Riverside House, Main Street, Rotherham" in text
    assert link_in(mail) == f"/sessions/{session.id}/book"
    assert f"https://training.example.org/courses/{course.slug}" in text
    assert "Leave the list" in text
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert f'href="https://training.example.org/sessions/{session.id}/book"' in html
    assert len(mailbox.to(daniel.email)) == 1
    assert told_of(session) == {sarah.id, daniel.id}


def test_the_list_is_kept_after_a_date_is_told_and_the_next_date_is_told_too(course):
    person = make_user()
    put_on_list(course, person)
    first, second = draft_session(course), draft_session(course)

    publish(first)
    publish(second)

    assert on_list(course) == {person.id}
    assert len(mail_to(person.email)) == 2


def test_nobody_is_told_of_a_session_twice_however_often_it_is_published(course):
    person = make_user()
    put_on_list(course, person)
    session = draft_session(course)

    assert publish(session) == 1
    unpublish(session)
    assert publish(session) == 0
    assert publish(session) == 0

    assert len(mail_to(person.email)) == 1


def test_someone_who_joins_after_a_publication_is_told_when_it_is_published_again(course):
    session = draft_session(course)
    publish(session)
    unpublish(session)
    person = make_user()
    put_on_list(course, person)

    assert publish(session) == 1
    assert len(mail_to(person.email)) == 1


def test_someone_already_booked_on_the_session_is_not_told_of_it(course):
    holder, waiting, cancelled = make_user(), make_user(), make_user()
    put_on_list(course, holder, waiting, cancelled)
    session = draft_session(course)
    booked(session, holder)
    booked(session, waiting, BookingStatus.WAITING)
    booked(session, cancelled, BookingStatus.CANCELLED)

    assert publish(session) == 1

    assert told_of(session) == {cancelled.id}
    assert mail_to(holder.email) == [] and mail_to(waiting.email) == []


def test_closed_accounts_and_unconfirmed_addresses_are_not_told(course):
    closed, unconfirmed = make_user(active=False), make_user(verified=False)
    put_on_list(course, closed, unconfirmed)

    assert publish(draft_session(course)) == 0
    assert count(OutboxMessage) == 0


def test_people_on_other_courses_lists_are_not_told(course):
    person = make_user()
    put_on_list(make_course(course.prospectus), person)

    assert publish(draft_session(course)) == 0


@pytest.mark.parametrize(
    "session",
    [
        {"status": SessionStatus.CANCELLED},
        {"starts_at": utcnow().replace(microsecond=0) - timedelta(days=1)},
        {"booking_closes_at": utcnow().replace(microsecond=0) - timedelta(hours=1)},
    ],
    ids=["cancelled", "past", "booking closed"],
)
def test_publishing_a_session_nobody_can_book_tells_nobody(course, session):
    put_on_list(course, make_user())
    fields = {"starts_at": SUMMER_MORNING} | session
    found = make_session(course, published=False, **fields)

    assert publish(found) == 0
    assert told_of(found) == set()


def test_a_session_whose_booking_opens_later_is_told_with_the_day_booking_opens(course, mailbox):
    person = make_user()
    put_on_list(course, person)
    opens = datetime(2037, 5, 1, 8, 0, tzinfo=LONDON)

    publish(draft_session(course, booking_opens_at=opens))

    text = mailbox.last_to(person.email).get_body(preferencelist=("plain",)).get_content()
    assert "Booking opens on Friday 1 May 2037 at 8am (UK time)." in text


def test_a_session_of_a_draft_course_is_told_of_when_the_course_is_published(course):
    person = make_user()
    put_on_list(course, person)
    course.published = False
    first, second = draft_session(course), draft_session(course)

    assert publish(first) == 0
    assert publish(second) == 0
    assert saved(courses.publish, db.session, course, utcnow()) == 1

    assert told_of(first) == told_of(second) == {person.id}
    assert len(mail_to(person.email)) == 2
    assert saved(courses.publish, db.session, course, utcnow()) == 0


def test_sessions_in_a_draft_prospectus_are_told_of_when_it_is_published(course):
    person = make_user()
    put_on_list(course, person)
    prospectus = course.prospectus
    prospectus.published = False
    session = draft_session(course)
    publish(session)
    draft_course = make_course(prospectus, published=False)
    put_on_list(draft_course, person)
    draft_session(draft_course, published=True)

    assert saved(prospectuses.publish, db.session, prospectus, utcnow()) == 1

    assert told_of(session) == {person.id}
    assert len(mail_to(person.email)) == 1


def test_a_course_moved_into_a_published_prospectus_tells_of_its_sessions(course):
    person = make_user()
    draft = make_prospectus("early-help", published=False)
    moved = make_course(draft, title="Early help assessment")
    put_on_list(moved, person)
    session = draft_session(moved, published=True)

    details = course_details(course.prospectus, slug=moved.slug, title=moved.title)
    assert saved(courses.update_course, db.session, moved, details, utcnow()) == 1

    assert told_of(session) == {person.id}


def test_telling_the_interested_returns_a_notice_for_each_person(course):
    people = [make_user(), make_user()]
    put_on_list(course, *people)
    session = draft_session(course)
    session.published = True

    notices = interest.tell_the_interested(db.session, session, utcnow())

    assert [notice.kind for notice in notices] == [NoticeKind.INTEREST_DATE_PUBLISHED] * 2
    assert {notice.person.id for notice in notices} == {person.id for person in people}
    assert {notice.session.id for notice in notices} == {session.id}
    assert interest.tell_the_interested(db.session, session, utcnow()) == []


@pytest.mark.parametrize("how_many", [2, 30])
def test_telling_costs_the_same_statements_for_2_or_30_people(course, count_queries, how_many):
    put_on_list(course, *[make_user() for _ in range(how_many)])
    session = draft_session(course)
    session.published = True
    db.session.flush()

    with count_queries() as counted:
        notices = interest.tell_the_interested(db.session, session, utcnow())

    assert len(notices) == how_many
    # The claims, in one statement; the session with its course and venue; the people.
    assert len(counted) == 3


# What the coordinator sees ----------------------------------------------------------------


def test_counts_of_each_courses_list_are_read_in_one_statement(course, count_queries):
    other, empty = make_course(course.prospectus), make_course(course.prospectus)
    put_on_list(course, make_user(), make_user(), make_user())
    put_on_list(other, make_user())

    with count_queries() as counted:
        counts = interest.interest_counts(db.session, [course.id, other.id, empty.id])

    assert counts == {course.id: 3, other.id: 1}
    assert len(counted) == 1


# Deleting what the lists name --------------------------------------------------------------


def test_a_draft_session_people_were_told_of_can_still_be_deleted(course):
    put_on_list(course, make_user())
    session = draft_session(course)
    publish(session)
    unpublish(session)

    saved(sessions.delete_session, db.session, session)

    assert count(InterestNoticeSent) == 0
    assert count(CourseInterest) == 1


def test_a_draft_course_with_a_list_can_still_be_deleted(course):
    put_on_list(course, make_user())
    session = draft_session(course)
    publish(session)
    course.published = False
    db.session.commit()

    saved(courses.delete_course, db.session, course)

    assert count(InterestNoticeSent) == 0
    assert count(CourseInterest) == 0
