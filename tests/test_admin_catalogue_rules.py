"""The rules of the coordinator's prospectuses, courses and sessions, tested on the services
themselves, without HTTP. The pages are tested in test_admin_catalogue_pages.py."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.admin.courses import service as courses
from app.admin.prospectuses import service as prospectuses
from app.admin.sessions import service as sessions
from app.admin.slugs import slugify
from app.extensions import db
from app.models import (
    Booking,
    BookingStatus,
    Course,
    CourseAudience,
    CourseSession,
    Delivery,
    LessonLink,
    OutboxMessage,
    Prospectus,
    Role,
    Sector,
    SessionStatus,
    session_trainer,
    utcnow,
)
from app.refusals import Refused
from app.sessions import service as changes
from app.sessions.service import SessionTimes
from app.transactions import saved
from tests.conftest import count
from tests.factories import (
    fill,
    link,
    make_case_review,
    make_course,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
)

START = datetime(2037, 6, 11, 8, 30, tzinfo=UTC)


# Slugs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Understanding neglect", "understanding-neglect"),
        ("Children's services & schools", "childrens-services-and-schools"),
        ("Café — the basics: level 2", "cafe-the-basics-level-2"),
        ("  Child R / Child S  ", "child-r-child-s"),
        ("***", ""),
    ],
)
def test_slugs_are_plain_lower_case_words_joined_by_hyphens(title, slug):
    assert slugify(title, 120) == slug


def test_a_long_slug_is_cut_between_words():
    assert slugify("Working together to safeguard children", 20) == "working-together-to"
    assert slugify("x" * 50, 20) == "x" * 20


# Prospectuses -----------------------------------------------------------------------------


def prospectus_details(**changes) -> prospectuses.ProspectusDetails:
    details = prospectuses.ProspectusDetails(
        title="Early Help learning and development prospectus",
        slug="",
        year=2026,
        introduction="Courses for practitioners who support families early.",
        position=1,
    )
    return replace(details, **changes)


def test_a_new_prospectus_is_a_draft_with_a_web_address_made_from_its_title(app):
    made = prospectuses.create_prospectus(db.session, prospectus_details())

    assert made.published is False
    assert made.slug == "early-help-learning-and-development-prospectus"
    assert made.year == 2026


def test_a_typed_web_address_is_tidied(app):
    made = prospectuses.create_prospectus(db.session, prospectus_details(slug=" Early Help "))

    assert made.slug == "early-help"


def test_a_web_address_in_use_is_refused_where_it_came_from(app):
    make_prospectus("early-help", title="Early Help prospectus")

    with pytest.raises(prospectuses.ProspectusError) as typed:
        prospectuses.create_prospectus(db.session, prospectus_details(slug="early-help"))
    with pytest.raises(prospectuses.ProspectusError) as from_title:
        prospectuses.create_prospectus(db.session, prospectus_details(title="Early help"))

    assert typed.value.field == "slug"
    assert "/prospectuses/early-help is already used by Early Help prospectus" in str(typed.value)
    assert from_title.value.field == "title"
    assert count(Prospectus) == 1


def test_a_refused_edit_changes_nothing(app):
    make_prospectus("early-help")
    mine = make_prospectus("multi-agency", title="Multi-agency", year=2026)

    with pytest.raises(prospectuses.ProspectusError):
        prospectuses.update_prospectus(
            db.session, mine, prospectus_details(title="Renamed", slug="early-help")
        )

    assert (mine.title, mine.slug) == ("Multi-agency", "multi-agency")


def test_an_edit_keeps_the_web_address_given(app):
    mine = make_prospectus("multi-agency", title="Multi-agency")

    prospectuses.update_prospectus(
        db.session, mine, prospectus_details(title="Multi-agency 2027", slug="multi-agency")
    )

    assert (mine.title, mine.slug) == ("Multi-agency 2027", "multi-agency")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"year": 1999}, "year"),
        ({"position": 1000}, "position"),
        ({"slug": "!!!"}, "slug"),
    ],
)
def test_what_a_prospectus_must_be(app, changes, field):
    with pytest.raises(prospectuses.ProspectusError) as refused:
        prospectuses.create_prospectus(db.session, prospectus_details(**changes))

    assert refused.value.field == field
    assert count(Prospectus) == 0


def test_publishing_and_unpublishing_a_prospectus(app):
    made = make_prospectus(published=False)

    prospectuses.publish(db.session, made, utcnow())
    assert made.published is True
    prospectuses.unpublish(db.session, made)
    assert made.published is False


def test_only_an_empty_draft_prospectus_can_be_deleted(app):
    published = make_prospectus("published", published=True)
    with_a_course = make_prospectus("with-a-course", published=False)
    make_course(with_a_course, published=False)
    empty = make_prospectus("empty", published=False)

    with pytest.raises(prospectuses.ProspectusError, match="Unpublish it first"):
        prospectuses.delete_prospectus(db.session, published)
    with pytest.raises(prospectuses.ProspectusError, match="it holds 1 course"):
        prospectuses.delete_prospectus(db.session, with_a_course)
    prospectuses.delete_prospectus(db.session, empty)

    assert {prospectus.slug for prospectus in db.session.scalars(select(Prospectus))} == {
        "published",
        "with-a-course",
    }


# Courses ----------------------------------------------------------------------------------


@pytest.fixture
def prospectus(app) -> Prospectus:
    return make_prospectus("early-help", title="Early Help prospectus")


def course_details(prospectus: Prospectus, **changes) -> courses.CourseDetails:
    details = courses.CourseDetails(
        prospectus_id=prospectus.id,
        title="Understanding neglect",
        slug="",
        summary="Recognising neglect and acting on it.",
        description="## What it covers\n\nThe *signs* of neglect.",
        audience="Anyone who works with families.",
        sectors=(Sector.HEALTH, Sector.EDUCATION),
        level=2,
        duration="Half day",
        cpd_hours=Decimal("3"),
        delivery=Delivery.IN_PERSON,
        charges_policy="Free to partner agencies.",
        what_to_bring="A pen.",
        pre_course_reading="  Read *the neglect strategy*.  ",
        external_url="",
        requires_approval=True,
        certificate_after_evaluation=True,
        refresh_years=None,
    )
    return replace(details, **changes)


def test_a_new_course_is_a_draft_with_everything_it_was_given(prospectus):
    made = courses.create_course(db.session, course_details(prospectus), utcnow())

    assert made.published is False
    assert made.slug == "understanding-neglect"
    assert made.prospectus is prospectus
    assert set(made.sectors) == {Sector.HEALTH, Sector.EDUCATION}
    assert made.pre_course_reading == "Read *the neglect strategy*."
    assert made.certificate_after_evaluation is True
    assert made.description == "## What it covers\n\nThe *signs* of neglect."
    assert (made.level, made.delivery, made.requires_approval) == (2, Delivery.IN_PERSON, True)
    assert made.external_url is None
    assert made.cpd_hours == Decimal("3")


@pytest.mark.parametrize("hours", ["0", "0.4", "40.5", "1.25"])
def test_a_course_cannot_carry_cpd_hours_outside_the_half_hours_allowed(prospectus, hours):
    with pytest.raises(courses.CourseError) as refusal:
        courses.create_course(
            db.session, course_details(prospectus, cpd_hours=Decimal(hours)), utcnow()
        )

    assert refusal.value.field == "cpd_hours"


def test_a_course_title_already_in_use_is_refused_at_the_title(prospectus):
    make_course(prospectus, slug="understanding-neglect", title="Understanding neglect (old)")

    with pytest.raises(courses.CourseError) as refused:
        courses.create_course(db.session, course_details(prospectus), utcnow())

    assert refused.value.field == "title"
    assert "/courses/understanding-neglect" in str(refused.value)
    assert count(Course) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"prospectus_id": 999_999}, "prospectus", "Choose a prospectus"),
        ({"title": " "}, "title", "Enter the course's title"),
        ({"summary": ""}, "summary", "Enter a summary"),
        ({"description": "\n"}, "description", "Enter a description"),
        ({"audience": ""}, "audience", "Enter who the course is for"),
        ({"level": 5}, "level", "Choose the course's level"),
        ({"delivery": Delivery.E_LEARNING}, "external_url", "Enter the web address"),
        (
            {"delivery": Delivery.E_LEARNING, "external_url": "javascript:alert(1)"},
            "external_url",
            "starting with https://",
        ),
        ({"external_url": "https://example.org"}, "external_url", "Leave the e-learning"),
    ],
)
def test_what_a_course_must_say(prospectus, changes, field, message):
    with pytest.raises(courses.CourseError, match=message) as refused:
        courses.create_course(db.session, course_details(prospectus, **changes), utcnow())

    assert refused.value.field == field
    assert count(Course) == 0


def test_e_learning_hosted_elsewhere_keeps_its_address(prospectus):
    url = "https://www.virtual-college.co.uk/courses/cse"
    made = courses.create_course(
        db.session,
        course_details(prospectus, delivery=Delivery.E_LEARNING, external_url=url),
        utcnow(),
    )

    assert made.is_elsewhere and made.external_url == url


def test_a_course_with_sessions_to_come_cannot_become_e_learning(prospectus):
    course = make_course(prospectus, title="Neglect")
    make_session(course, starts_at=START)
    change = course_details(
        prospectus, delivery=Delivery.E_LEARNING, external_url="https://example.org/e"
    )

    with pytest.raises(courses.CourseError, match="sessions still to come") as refused:
        courses.update_course(db.session, course, change, utcnow())

    assert refused.value.field == "delivery"
    assert course.delivery is Delivery.IN_PERSON


def test_a_refused_course_edit_changes_nothing(prospectus):
    course = make_course(prospectus, title="Neglect", sectors=(Sector.POLICE,))
    make_course(prospectus, slug="taken", title="Taken")

    with pytest.raises(courses.CourseError):
        courses.update_course(
            db.session, course, course_details(prospectus, slug="taken"), utcnow()
        )

    assert course.title == "Neglect"
    assert course.sectors == [Sector.POLICE]


def test_changing_sectors_touches_only_those_added_and_removed(prospectus):
    course = make_course(prospectus, sectors=(Sector.HEALTH, Sector.POLICE))
    kept = next(row for row in course.audience_sectors if row.sector is Sector.HEALTH)

    courses.update_course(
        db.session,
        course,
        course_details(prospectus, slug=course.slug, sectors=(Sector.HEALTH, Sector.HOUSING)),
        utcnow(),
    )

    rows = db.session.scalars(select(CourseAudience).where(CourseAudience.course_id == course.id))
    assert {row.sector for row in rows} == {Sector.HEALTH, Sector.HOUSING}
    assert kept in course.audience_sectors


def test_a_course_can_move_to_another_prospectus(prospectus):
    other = make_prospectus("multi-agency")
    course = make_course(prospectus)

    courses.update_course(db.session, course, course_details(other, slug=course.slug), utcnow())

    assert course.prospectus is other


def test_publishing_and_unpublishing_a_course(prospectus):
    course = make_course(prospectus, published=False)

    courses.publish(db.session, course, utcnow())
    assert course.published is True
    courses.unpublish(db.session, course)
    assert course.published is False


def test_a_published_course_is_not_deleted(prospectus):
    course = make_course(prospectus, published=True)

    with pytest.raises(courses.CourseError, match="Unpublish it first"):
        courses.delete_course(db.session, course)


def test_a_course_anyone_has_booked_is_not_deleted_even_when_the_booking_was_cancelled(
    prospectus,
):
    course = make_course(prospectus, published=False)
    make_session(course, starts_at=START)
    booked = make_session(course, starts_at=START + timedelta(days=7))
    fill(booked, 1, status=BookingStatus.CANCELLED)

    with pytest.raises(courses.CourseError, match="its sessions have 1 booking"):
        courses.delete_course(db.session, course)

    assert count(Course) == 1 and count(CourseSession) == 2


def test_a_draft_nobody_booked_goes_with_its_sessions_sectors_and_lesson_links(prospectus):
    course = make_course(prospectus, published=False, sectors=(Sector.HEALTH,))
    trainer = make_user(role=Role.TRAINER)
    make_session(course, starts_at=START, trainers=[trainer])
    link(course, make_case_review())

    courses.delete_course(db.session, course)

    assert count(Course) == 0
    assert count(CourseSession) == 0
    assert count(CourseAudience) == 0
    assert count(LessonLink) == 0
    assert count(session_trainer) == 0


# Sessions ---------------------------------------------------------------------------------


@pytest.fixture
def course(prospectus) -> Course:
    return make_course(prospectus, title="Understanding neglect")


@pytest.fixture
def trainer(app):
    return make_user(name="Tara Trainer", role=Role.TRAINER)


def times(venue_id: int | None = None, starts_at: datetime = START, hours: int = 3):
    return SessionTimes(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), venue_id=venue_id
    )


def session_details(**changes) -> sessions.SessionDetails:
    details = sessions.SessionDetails(
        trainer_ids=(),
        online_join_url="",
        booking_opens_at=None,
        booking_closes_at=None,
        cancellation_cutoff_hours=72,
    )
    return replace(details, **changes)


def test_a_new_session_is_a_draft_with_its_trainers_place_and_booking_window(course, trainer):
    venue = make_venue()
    opens, closes = START - timedelta(days=30), START - timedelta(days=2)

    made = sessions.create_session(
        db.session,
        course,
        times(venue.id),
        12,
        session_details(
            trainer_ids=(trainer.id,),
            booking_opens_at=opens,
            booking_closes_at=closes,
            cancellation_cutoff_hours=48,
        ),
        utcnow(),
    )

    assert made.published is False and made.status is SessionStatus.SCHEDULED
    assert (made.starts_at, made.ends_at) == (START, START + timedelta(hours=3))
    assert made.venue is venue and made.capacity == 12
    assert made.trainers == [trainer]
    assert (made.booking_opens_at, made.booking_closes_at) == (opens, closes)
    assert made.cancellation_cutoff_hours == 48


def test_an_online_session_keeps_its_joining_link(course):
    made = sessions.create_session(
        db.session,
        course,
        times(None),
        30,
        session_details(online_join_url=" https://meet.example.org/j/1 "),
        utcnow(),
    )

    assert made.is_online and made.online_join_url == "https://meet.example.org/j/1"


@pytest.mark.parametrize(
    ("when", "capacity", "changes", "field", "message"),
    [
        (times(hours=0), 10, {}, "end_time", "must end after it starts"),
        (times(starts_at=datetime(2020, 1, 1, tzinfo=UTC)), 10, {}, "date", "in the future"),
        (times(venue_id=999_999), 10, {}, "venue", "Choose a venue"),
        (times(), 0, {}, "capacity", "between 1 and 500"),
        (times(), 501, {}, "capacity", "between 1 and 500"),
        (times(), 10, {"online_join_url": "meet.example.org"}, "online_join_url", "https://"),
        (times(), 10, {"cancellation_cutoff_hours": 721}, "cutoff_hours", "between 0 and 720"),
        (
            times(),
            10,
            {"booking_closes_at": START + timedelta(minutes=1)},
            "closes_date",
            "Booking must close by the time the session starts, 9:30am on Thursday 11 June 2037",
        ),
        (
            times(),
            10,
            {
                "booking_opens_at": START - timedelta(days=1),
                "booking_closes_at": START - timedelta(days=2),
            },
            "opens_date",
            "Booking must open before it closes",
        ),
        (times(), 10, {"booking_opens_at": START}, "opens_date", "open before the session starts"),
        (times(), 10, {"trainer_ids": (999_999,)}, "trainers", "Choose trainers from the list"),
    ],
)
def test_what_a_new_session_must_be(course, when, capacity, changes, field, message):
    with pytest.raises(Refused, match=message) as refused:
        sessions.create_session(
            db.session, course, when, capacity, session_details(**changes), utcnow()
        )

    assert refused.value.field == field
    assert count(CourseSession) == 0


def test_only_trainers_and_coordinators_deliver_sessions(course):
    professional = make_user(role=Role.PROFESSIONAL)
    coordinator = make_user(role=Role.COORDINATOR)

    with pytest.raises(Refused, match="only trainers and coordinators"):
        sessions.create_session(
            db.session,
            course,
            times(),
            10,
            session_details(trainer_ids=(professional.id,)),
            utcnow(),
        )
    made = sessions.create_session(
        db.session, course, times(), 10, session_details(trainer_ids=(coordinator.id,)), utcnow()
    )

    assert made.trainers == [coordinator]


def test_someone_who_is_no_longer_a_trainer_can_stay_on_their_session(course, trainer):
    session = make_session(course, starts_at=START, trainers=[trainer])
    trainer.role = Role.PROFESSIONAL
    db.session.flush()

    assert trainer in sessions.trainer_choices(db.session, session)
    assert trainer not in sessions.trainer_choices(db.session)
    sessions.update_details(db.session, session, session_details(trainer_ids=(trainer.id,)))
    assert session.trainers == [trainer]


def test_e_learning_hosted_elsewhere_has_no_sessions(prospectus):
    elsewhere = make_course(
        prospectus, delivery=Delivery.E_LEARNING, external_url="https://example.org/e"
    )

    with pytest.raises(Refused, match="has no sessions"):
        sessions.create_session(db.session, elsewhere, times(), 10, session_details(), utcnow())


def test_a_refused_change_of_details_changes_nothing(course, trainer):
    session = make_session(course, starts_at=START, trainers=[trainer])

    with pytest.raises(Refused):
        sessions.update_details(
            db.session,
            session,
            session_details(trainer_ids=(), cancellation_cutoff_hours=10_000),
        )

    assert session.trainers == [trainer]
    assert session.cancellation_cutoff_hours == 72


def test_moving_a_session_tells_everyone_with_a_place(course):
    session = make_session(course, starts_at=START)
    fill(session, 2)
    db.session.commit()
    venue = make_venue()
    db.session.commit()

    moved = saved(
        changes.move,
        db.session,
        session.id,
        times(venue.id, starts_at=START + timedelta(days=1)),
        utcnow(),
    )

    assert moved is True
    session = db.session.get(CourseSession, session.id)
    assert session.starts_at == START + timedelta(days=1)
    assert session.venue_id == venue.id
    assert session.sequence == 1
    assert count(OutboxMessage) == 2


def test_a_move_that_leaves_booking_closing_after_the_start_is_refused(course):
    session = make_session(course, starts_at=START, booking_closes_at=START - timedelta(days=1))
    db.session.commit()

    with pytest.raises(Refused, match="Booking must close") as refused:
        saved(
            changes.move,
            db.session,
            session.id,
            times(starts_at=START - timedelta(days=3)),
            utcnow(),
        )

    assert refused.value.field == "closes_date"


def test_a_cancelled_session_cannot_be_moved(course):
    session = make_session(course, starts_at=START, status=SessionStatus.CANCELLED)
    db.session.commit()

    with pytest.raises(
        Refused, match="This session has been cancelled, so it can no longer be changed"
    ):
        saved(changes.move, db.session, session.id, times(), utcnow())


def test_fewer_places_than_are_taken_is_refused_at_the_capacity(course):
    session = make_session(course, starts_at=START, capacity=5)
    fill(session, 3)
    db.session.commit()

    with pytest.raises(Refused, match="3 places are taken") as refused:
        saved(changes.change_capacity, db.session, session.id, 2, utcnow())

    assert refused.value.field == "capacity"


def test_more_places_go_to_people_waiting(course):
    session = make_session(course, starts_at=START, capacity=1)
    fill(session, 1)
    fill(session, 2, status=BookingStatus.WAITING)
    db.session.commit()

    saved(changes.change_capacity, db.session, session.id, 2, utcnow())

    statuses = db.session.scalars(
        select(Booking.status).where(Booking.session_id == session.id).order_by(Booking.id)
    ).all()
    assert statuses == [BookingStatus.CONFIRMED, BookingStatus.CONFIRMED, BookingStatus.WAITING]


def test_a_session_needs_a_place_count_in_range(course):
    with pytest.raises(Refused, match="between 1 and 500"):
        saved(changes.change_capacity, db.session, 1, 0, utcnow())


def test_cancelling_needs_a_reason_and_tells_everyone_booked(course):
    session = make_session(course, starts_at=START)
    fill(session, 1)
    fill(session, 1, status=BookingStatus.WAITING)
    db.session.commit()

    with pytest.raises(Refused, match="Enter why") as refused:
        saved(changes.cancel, db.session, session.id, "  ", utcnow())
    told = saved(changes.cancel, db.session, session.id, "The trainer is ill", utcnow())

    assert refused.value.field == "reason"
    cancelled = db.session.get(CourseSession, session.id)
    assert cancelled.is_cancelled and cancelled.cancellation_reason == "The trainer is ill"
    assert told == 2
    assert count(OutboxMessage) == 2
    with pytest.raises(Refused, match="has been cancelled, so it can no longer be changed"):
        saved(changes.cancel, db.session, session.id, "Again", utcnow())


def test_publishing_and_unpublishing_a_session(course):
    session = make_session(course, starts_at=START, published=False)

    sessions.publish(db.session, session, utcnow())
    assert session.published is True
    sessions.unpublish(db.session, session)
    assert session.published is False


def test_only_a_draft_session_nobody_booked_can_be_deleted(course, trainer):
    published = make_session(course, starts_at=START, published=True)
    booked = make_session(course, starts_at=START, published=False)
    fill(booked, 1, status=BookingStatus.DECLINED)
    empty = make_session(course, starts_at=START, published=False, trainers=[trainer])

    with pytest.raises(Refused, match="Unpublish it first"):
        sessions.delete_session(db.session, published)
    with pytest.raises(Refused, match=r"it has 1 booking\. Cancel it instead"):
        sessions.delete_session(db.session, booked)
    sessions.delete_session(db.session, empty)

    assert set(db.session.scalars(select(CourseSession.id))) == {published.id, booked.id}
    assert count(session_trainer) == 0


def test_booking_counts_by_status(course):
    session = make_session(course, starts_at=START)
    fill(session, 2)
    fill(session, 1, status=BookingStatus.WAITING)
    fill(session, 1, status=BookingStatus.CANCELLED)

    counts = sessions.booking_counts(db.session, session)

    assert counts["confirmed"] == 2
    assert counts["waiting"] == 1
    assert counts["cancelled"] == 1
    assert counts["awaiting-approval"] == 0
