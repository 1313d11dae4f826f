"""The whole round, through the pages, on the demo data: a coordinator makes a course in the
Early Help prospectus, links it to the Child R review and schedules a session with a
trainer; a professional books it; on the day the trainer finds them on the register, marks
them attended and exports the register; and every step the staff took is in the audit log.
"""

import csv
import io
from datetime import timedelta

from sqlalchemy import select, update

from app.demo import read_demo_file
from app.display import in_london
from app.extensions import db
from app.models import (
    Attendance,
    AuditEntry,
    Booking,
    BookingStatus,
    CaseReview,
    Course,
    CourseSession,
    Prospectus,
    User,
    Venue,
    utcnow,
)
from tests.conftest import csrf_token, sign_in, submit

DEMO = read_demo_file()
COORDINATOR = "joanne.kelsall@example.org"
TRAINER = "lisa.dyson@example.org"
PROFESSIONAL = "kirsty.barraclough@example.org"
TITLE = "Lessons from Child R for Early Help practitioners"


def browser_of(app, email: str):
    browser = app.test_client()
    assert sign_in(browser, email, DEMO["demo_password"]).status_code == 302
    return browser


def one(model, **where):
    db.session.expire_all()
    return db.session.scalars(select(model).filter_by(**where)).one()


def press(browser, page: str, action: str, data: dict | None = None):
    """A button on a page: its form sent with the page's CSRF token."""
    token = csrf_token(browser.get(page).text)
    return browser.post(action, data={"csrf_token": token, **(data or {})})


def coordinator_makes_the_course(coordinator) -> Course:
    early_help = one(Prospectus, slug="early-help")
    made = submit(
        coordinator,
        f"/admin/courses/new?prospectus={early_help.id}",
        {
            "prospectus": str(early_help.id),
            "title": TITLE,
            "slug": "",
            "summary": "What the Child R review asks of practitioners who support families.",
            "description": "Working through the **findings** of the Child R review.",
            "audience": "Early Help practitioners and family support workers.",
            "sectors": ["social-care", "early-years"],
            "level": "2",
            "duration": "Half day",
            "cpd_hours": "3",
            "delivery": "in-person",
            "external_url": "",
            "charges_policy": "Free to Rotherham practitioners.",
            "what_to_bring": "",
        },
    )
    assert made.status_code == 302, made.text
    return one(Course, title=TITLE)


def coordinator_links_child_r(coordinator, course: Course) -> None:
    child_r = one(CaseReview, slug="child-r")
    page = f"/admin/courses/{course.id}/case-reviews"
    linked = submit(
        coordinator,
        page,
        {"case_review": str(child_r.id), "note": "Works through the review's findings."},
    )
    assert linked.status_code == 302, linked.text
    assert "Works through the review&#39;s findings." in coordinator.get(page).text


def coordinator_schedules_a_session(coordinator, course: Course) -> CourseSession:
    trainer = one(User, email=TRAINER)
    venue = one(Venue, name="Clifton Family Hub")
    day = in_london(utcnow()).date() + timedelta(days=21)
    scheduled = submit(
        coordinator,
        f"/admin/courses/{course.id}/sessions/new",
        {
            "date": [str(day.day), str(day.month), str(day.year)],
            "start_time": "9:30am",
            "end_time": "12:30pm",
            "venue": str(venue.id),
            "online_join_url": "",
            "capacity": "12",
            "trainers": [str(trainer.id)],
            "opens_date": ["", "", ""],
            "opens_time": "",
            "closes_date": ["", "", ""],
            "closes_time": "",
            "cutoff_hours": "72",
        },
    )
    assert scheduled.status_code == 302, scheduled.text
    session = one(CourseSession, course_id=course.id)
    for action in (f"/admin/sessions/{session.id}/publish", f"/admin/courses/{course.id}/publish"):
        assert press(coordinator, f"/admin/sessions/{session.id}", action).status_code == 302
    return session


def the_day_comes(session: CourseSession) -> None:
    """The session starts an hour ago: the register opens for marking."""
    starts_at = utcnow() - timedelta(hours=1)
    db.session.execute(
        update(CourseSession)
        .where(CourseSession.id == session.id)
        .values(starts_at=starts_at, ends_at=starts_at + timedelta(hours=3))
    )
    db.session.commit()


def test_a_course_goes_from_the_coordinator_to_the_register(app, runner):
    runner.invoke(args=["seed", "--demo"])
    coordinator = browser_of(app, COORDINATOR)

    course = coordinator_makes_the_course(coordinator)
    coordinator_links_child_r(coordinator, course)
    session = coordinator_schedules_a_session(coordinator, course)

    public = app.test_client().get(f"/courses/{course.slug}")
    assert public.status_code == 200
    assert TITLE in public.text and "Child R" in public.text

    professional = browser_of(app, PROFESSIONAL)
    booked = submit(professional, f"/sessions/{session.id}/book", {"access_needs": ""})
    assert booked.status_code == 302
    booking = one(Booking, session_id=session.id)
    assert booking.status is BookingStatus.CONFIRMED

    the_day_comes(session)
    trainer = browser_of(app, TRAINER)
    register_page = f"/trainer/sessions/{session.id}"
    register = trainer.get(register_page)
    assert register.status_code == 200
    assert "Kirsty Barraclough" in register.text and TITLE in register.text

    marked = press(
        trainer,
        register_page,
        f"/trainer/sessions/{session.id}/bookings/{booking.id}/attendance",
        {"attendance": "attended"},
    )
    assert marked.status_code == 302
    assert one(Booking, id=booking.id).attendance is Attendance.ATTENDED

    exported = trainer.get(f"/trainer/sessions/{session.id}/register.csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    [kirsty] = [row for row in rows if "Kirsty Barraclough" in row]
    assert "Attended" in kirsty

    coordinator_id = one(User, email=COORDINATOR).id
    trainer_id = one(User, email=TRAINER).id
    steps = {
        (entry.actor_id, entry.action, entry.record_type)
        for entry in db.session.scalars(select(AuditEntry))
    }
    assert {
        (coordinator_id, "created", "course"),
        (coordinator_id, "created", "lesson link"),
        (coordinator_id, "created", "session"),
        (coordinator_id, "changed", "session"),
        (coordinator_id, "changed", "course"),
        (trainer_id, "changed", "booking"),
    } <= steps
    log = coordinator.get(f"/admin/audit?actor={trainer_id}")
    assert "Lisa Dyson" in log.text and "Attendance" in log.text
