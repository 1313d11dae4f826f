"""Refresher reminders: mailed once, 8 weeks before a course's refresher falls due.

A refresher falls due so many years (the course's refresh_years) after the day of the
last session of the course the person attended. Its reminder is claimed in
booking_notice_sent by that last attended booking, so a later attendance (the refresher
itself) starts the count again with a claim of its own. Nobody is reminded who already
has a place, or a turn in a waiting list, on a session of the course still to come, nor
once the refresher is past due: putting the system live, or giving a course a refresher,
must not mail everyone whose training lapsed long ago (their record says it is overdue).
Nor is anyone reminded by a session that training done elsewhere and accepted, on a
later day, has taken the place of: their refresher falls due later, from that day, and
(with no booking to claim it by) nothing reminds them of it.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.claims import already_sent, claim_bookings, notices_of_claimed
from app.database import write_transaction
from app.models import (
    ACTIVE_STATUSES,
    REFRESH_YEARS_LEAST,
    REFRESH_YEARS_MOST,
    Attendance,
    Booking,
    BookingStatus,
    Course,
    CourseSession,
    ExternalTraining,
    SessionStatus,
    User,
    attended_the_whole_course,
)
from app.notices import Done, NoticeKind
from app.records.queries import REMINDER_BEFORE, is_due_soon, london_day, years_after

#: The kind of message a refresher reminder's claim names.
REFRESHER = "refresher"
#: The most reminders one run writes; the rest wait for the next.
BATCH = 200
#: Sessions are looked for by their UTC start with this margin around London's days.
MARGIN = timedelta(days=2)


def reminder_is_due(last_attended: date, years: int, today: date) -> bool:
    """While the refresher is due soon, as the training record says it (is_due_soon)."""
    return is_due_soon(years_after(last_attended, years), today)


def send_refresher_reminders(db_session: Session, now: datetime, limit: int = BATCH) -> Done[int]:
    """Claim the refresher reminders due (up to `limit`) and return one notice each; how
    many were claimed.

    Takes the write lock (SQLite) first, so claims are decided one run at a time; raises
    TryAgain when another run holds it, or (PostgreSQL) the claims, too long.
    """
    write_transaction(db_session)
    today = london_day(now)
    candidates = db_session.execute(due_candidates(now, today))
    due = [
        booking_id
        for booking_id, starts_at, years in candidates
        if reminder_is_due(london_day(starts_at), years, today)
    ][:limit]
    claimed = claim_bookings(db_session, due, REFRESHER, now)
    return notices_of_claimed(db_session, claimed, NoticeKind.REFRESHER_DUE)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def due_candidates(now: datetime, today: date):
    """SQL: (booking id, session start, years) of each person's last attended session of a
    course with a refresher, not followed by accepted training elsewhere, whose day is
    about right for its reminder now, not reminded yet, with nothing booked on the course
    to come; the exact day is checked in Python."""
    in_window = or_(
        false(),
        *(
            and_(
                Course.refresh_years == years,
                CourseSession.starts_at > midnight(years_after(today, -years)) - MARGIN,
                CourseSession.starts_at
                < midnight(years_after(today + REMINDER_BEFORE, -years)) + MARGIN,
            )
            for years in range(REFRESH_YEARS_LEAST, REFRESH_YEARS_MOST + 1)
        ),
    )
    later, later_session = aliased(Booking), aliased(CourseSession)
    attended_later = (
        select(later.id)
        .join(later_session, later_session.id == later.session_id)
        .where(
            later.user_id == Booking.user_id,
            later.status == BookingStatus.CONFIRMED,
            later.attendance == Attendance.ATTENDED,
            later_session.course_id == CourseSession.course_id,
            later_session.starts_at > CourseSession.starts_at,
        )
        .exists()
    )
    done_elsewhere_later = (
        select(ExternalTraining.id)
        .where(
            ExternalTraining.user_id == Booking.user_id,
            ExternalTraining.course_id == CourseSession.course_id,
            ExternalTraining.accepted(),
            ExternalTraining.completed_on > func.date(CourseSession.starts_at),
        )
        .exists()
    )
    booked, booked_session = aliased(Booking), aliased(CourseSession)
    booked_again = (
        select(booked.id)
        .join(booked_session, booked_session.id == booked.session_id)
        .where(
            booked.user_id == Booking.user_id,
            booked.status.in_(ACTIVE_STATUSES),
            booked_session.course_id == CourseSession.course_id,
            booked_session.status == SessionStatus.SCHEDULED,
            booked_session.starts_at > now,
        )
        .exists()
    )
    return (
        select(Booking.id, CourseSession.starts_at, Course.refresh_years)
        .join(Booking.session)
        .join(CourseSession.course)
        .join(Booking.user)
        .where(
            attended_the_whole_course(),
            User.active.is_(True),
            in_window,
            ~attended_later,
            ~done_elsewhere_later,
            ~booked_again,
            ~already_sent(REFRESHER),
        )
        .order_by(CourseSession.starts_at, Booking.id)
    )
