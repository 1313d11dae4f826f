"""The rules of interest lists: who may ask to be told when a course has a date, leaving
the list (by asking again, or by booking one of its sessions), and telling everyone on
it, once a session, when one becomes a date to book.

A session is a date to book once it, its course and its prospectus are all published,
while it is still to come and its booking has not closed. It can become one when any of
the three is published (or a course moves into a published prospectus), so each of those
changes tells the people on the lists of the sessions it opened, in one statement for
them all. Each person told of a session is claimed by a row of interest_notice_sent,
written with the message: nobody is told of one session twice, even when it is
unpublished and published again. The list is kept after a date is told of, for the next.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Exists, Row, delete, false, func, literal, or_, select
from sqlalchemy.orm import Session, joinedload

from app.catalogue.queries import bookable_session, visible_course
from app.claims import claim_rows, insert_new
from app.models import (
    ACTIVE_STATUSES,
    Booking,
    Course,
    CourseInterest,
    CourseSession,
    InterestNoticeSent,
    Prospectus,
    User,
)
from app.notices import Done, Notice, NoticeKind
from app.refusals import Refused


@dataclass(frozen=True)
class Interest:
    """What a course's page offers a person about its interest list."""

    #: The course has no date to book: the page offers to tell people of one.
    offered: bool
    #: The person is on its list, which they may leave whether or not it has a date now.
    on_list: bool


# Reading


def a_date_to_book(now: datetime) -> list[ColumnElement[bool]]:
    """SQL: the session is public and still to be booked, now or once its booking opens
    (in a query that joins its course and prospectus)."""
    return [
        *bookable_session(now),
        *visible_course(),
        or_(CourseSession.booking_closes_at.is_(None), CourseSession.booking_closes_at > now),
    ]


def has_a_date(course_id: int, now: datetime) -> Exists:
    """SQL: the course has a date to book."""
    return (
        select(CourseSession.id)
        .join(CourseSession.course)
        .join(Course.prospectus)
        .where(CourseSession.course_id == course_id, *a_date_to_book(now))
        .exists()
    )


def on_the_list(course_id: int, user_id: int) -> Exists:
    """SQL: the person is on the course's interest list."""
    return (
        select(CourseInterest.user_id)
        .where(CourseInterest.course_id == course_id, CourseInterest.user_id == user_id)
        .exists()
    )


def interest_in(
    db_session: Session, course: Course, person: User | None, now: datetime
) -> Interest:
    """Whether the course's page offers its list, and whether the person (None: a visitor
    not signed in) is on it, in one statement. E-learning hosted elsewhere has no dates."""
    if course.is_elsewhere:
        return Interest(offered=False, on_list=False)
    listed = on_the_list(course.id, person.id) if person is not None else false()
    dated, on_list = db_session.execute(select(has_a_date(course.id, now), listed)).one()
    return Interest(offered=not dated, on_list=bool(on_list))


def interest_counts(db_session: Session, course_ids: list[int]) -> dict[int, int]:
    """How many people are on each course's list, in one statement; a course with nobody
    on it is left out."""
    if not course_ids:
        return {}
    rows = db_session.execute(
        select(CourseInterest.course_id, func.count())
        .where(CourseInterest.course_id.in_(course_ids))
        .group_by(CourseInterest.course_id)
    )
    return {course_id: count for course_id, count in rows}


# Joining and leaving


def join_or_leave(db_session: Session, course: Course, person: User, now: datetime) -> bool:
    """Leave the course's list when on it, or join it; whether the person is on it now."""
    if leave(db_session, course.id, person.id):
        return False
    join(db_session, course, person, now)
    return True


def join(db_session: Session, course: Course, person: User, now: datetime) -> None:
    """Join the list of a course with no date to book. Asking twice at once joins once."""
    if course.is_elsewhere:
        raise Refused(
            f"{course.title} is e-learning you can start at any time: it has no dates to wait for"
        )
    if not person.is_verified:
        raise Refused("Confirm your email address before you ask to be told of a date")
    if db_session.scalar(select(has_a_date(course.id, now))):
        raise Refused(f"{course.title} already has a date: see its sessions below")
    db_session.execute(
        insert_new(db_session, CourseInterest.__table__).values(
            course_id=course.id, user_id=person.id, created_at=now
        )
    )


def leave(db_session: Session, course_id: int, user_id: int) -> bool:
    """Take the person off the course's list, in one statement; whether they were on it.
    Booking any session of the course does this, in the booking's transaction."""
    removed = db_session.execute(
        delete(CourseInterest)
        .where(CourseInterest.course_id == course_id, CourseInterest.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    return removed.rowcount > 0


# Telling the people on the list


def tell_the_interested(db_session: Session, session: CourseSession, now: datetime) -> list[Notice]:
    """When a session is published: a notice for each person on its course's list not yet
    told of it, if it is now a date to book."""
    return tell_of_dates(db_session, now, CourseSession.id == session.id)


def tell_of_course_dates(db_session: Session, course: Course, now: datetime) -> list[Notice]:
    """When a course is published, or moved into another prospectus: its sessions may have
    become dates to book."""
    return tell_of_dates(db_session, now, CourseSession.course_id == course.id)


def tell_of_prospectus_dates(
    db_session: Session, prospectus: Prospectus, now: datetime
) -> list[Notice]:
    """When a prospectus is published: the sessions of its courses may have become dates."""
    return tell_of_dates(db_session, now, Course.prospectus_id == prospectus.id)


def tell_of_dates(
    db_session: Session, now: datetime, *sessions: ColumnElement[bool]
) -> list[Notice]:
    """Claim, in one statement, the telling of each of the `sessions` that is a date to
    book to each person on its course's list not told of it yet; a notice of each claimed.

    Only people whose account is open and whose address is confirmed are told, and not
    anyone who already holds a booking on the session."""
    # What the caller just published is read back by a statement the ORM does not flush for.
    db_session.flush()
    table = InterestNoticeSent.__table__
    due = (
        select(
            CourseInterest.user_id,
            CourseSession.id,
            literal(now, InterestNoticeSent.sent_at.type),
        )
        .join(CourseSession, CourseSession.course_id == CourseInterest.course_id)
        .join(CourseSession.course)
        .join(Course.prospectus)
        .join(User, User.id == CourseInterest.user_id)
        .where(
            *sessions,
            *a_date_to_book(now),
            User.active.is_(True),
            User.email_verified_at.is_not(None),
            ~booked_on_the_session(),
        )
    )
    columns = ["user_id", "session_id", "sent_at"]
    claimed = claim_rows(db_session, table, columns, due, table.c.user_id, table.c.session_id)
    return notices_of(db_session, claimed)


def told(notices: list[Notice]) -> Done[int]:
    """What publishing did for the interest lists: how many people it told, and the notices."""
    return Done(len({notice.person.id for notice in notices}), notices)


def booked_on_the_session() -> Exists:
    """SQL: the person on the list holds an active booking on the session."""
    return (
        select(Booking.id)
        .where(
            Booking.session_id == CourseSession.id,
            Booking.user_id == CourseInterest.user_id,
            Booking.status.in_(ACTIVE_STATUSES),
        )
        .exists()
    )


def notices_of(db_session: Session, claimed: list[Row]) -> list[Notice]:
    """A notice for each (person, session) claimed, loaded with what the message shows, in
    two statements; by session, then by person."""
    if not claimed:
        return []
    sessions = {
        session.id: session
        for session in db_session.scalars(
            select(CourseSession)
            .where(CourseSession.id.in_({session_id for _, session_id in claimed}))
            .options(
                joinedload(CourseSession.course).joinedload(Course.prospectus),
                joinedload(CourseSession.venue),
            )
        )
    }
    people = {
        person.id: person
        for person in db_session.scalars(
            select(User).where(User.id.in_({user_id for user_id, _ in claimed}))
        )
    }
    return [
        Notice(
            NoticeKind.INTEREST_DATE_PUBLISHED, person=people[user_id], session=sessions[session_id]
        )
        for user_id, session_id in sorted(claimed, key=lambda row: (row[1], row[0]))
    ]


# Deleting what the lists name


def forget_session(db_session: Session, session_id: int) -> None:
    """Before a session is deleted: who was told of it."""
    db_session.execute(
        delete(InterestNoticeSent)
        .where(InterestNoticeSent.session_id == session_id)
        .execution_options(synchronize_session=False)
    )


def forget_course(db_session: Session, course_id: int) -> None:
    """Before a course is deleted with its sessions: its list, and who was told of them."""
    db_session.execute(
        delete(InterestNoticeSent)
        .where(
            InterestNoticeSent.session_id.in_(
                select(CourseSession.id).where(CourseSession.course_id == course_id)
            )
        )
        .execution_options(synchronize_session=False)
    )
    db_session.execute(
        delete(CourseInterest)
        .where(CourseInterest.course_id == course_id)
        .execution_options(synchronize_session=False)
    )
