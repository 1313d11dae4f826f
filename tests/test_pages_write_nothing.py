"""Opening a page writes nothing to the database: every page of the trainer's and the
coordinator's areas, found in the URL map, and every page a visitor or a professional
opens. The one write a page may make, releasing approvals left too long, happens only
when there are some, and there are none here."""

from datetime import timedelta

from sqlalchemy import select

from app.accounts import tokens
from app.bookings.tokens import approval_token, offer_token
from app.evaluations.tokens import evaluation_token, follow_up_token, manager_view_token
from app.extensions import db
from app.models import (
    Attendance,
    Booking,
    BookingStatus,
    BookingTransfer,
    CourseSession,
    User,
    utcnow,
)
from app.transfers.tokens import transfer_token
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_course, make_external_training, make_user, put_on_list
from tests.test_permission_matrix import (  # noqa: F401 (world, ..._booking: fixtures)
    COORDINATOR,
    address,
    browser_for,
    evaluated_booking,
    offered_booking,
    staff_routes,
    world,
)

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes_while_opening(app, count_queries, browser, path: str) -> list[str]:
    with count_queries() as counted:
        answer = browser.get(path)
    assert answer.status_code in (200, 302), f"{path}: {answer.status}"
    return [
        statement.split("\n")[0]
        for statement in counted.statements
        if statement.lstrip().upper().startswith(WRITES)
    ]


def test_no_page_of_the_staff_areas_writes(app, world, count_queries):  # noqa: F811
    coordinator = browser_for(app, world, COORDINATOR)
    pages = [(rule, endpoint) for rule, method, endpoint in staff_routes(app) if method == "GET"]

    written = {}
    for rule, endpoint in pages:
        with app.test_request_context():
            path = address(app, world, rule, endpoint)
        if writes := writes_while_opening(app, count_queries, coordinator, path):
            written[path] = writes

    assert len(pages) > 25
    assert written == {}


def test_no_page_a_visitor_or_a_professional_opens_writes(app, world, count_queries):  # noqa: F811
    session = db.session.get(CourseSession, world.ids["session_id"])
    course = session.course
    person = make_user(
        email="pat@example.org", password=PASSWORD, line_manager_email="boss@example.org"
    )
    unverified = make_user(verified=False)
    mine = Booking(
        session=session,
        user=person,
        status=BookingStatus.AWAITING_APPROVAL,
        manager_email=person.line_manager_email,
        approval_expires_at=utcnow() + timedelta(days=3),
    )
    db.session.add(mine)
    offered = BookingTransfer(
        booking=mine, from_user=person, by=person, to_email="new@example.org",
        created_at=utcnow(), expires_at=utcnow() + timedelta(hours=48),
    )  # fmt: skip
    db.session.add(offered)
    # Courses with and without a date, the person on the list of one.
    undated = make_course(course.prospectus, slug="no-date-yet")
    put_on_list(undated, person)
    elsewhere = make_external_training(person, course)
    db.session.commit()
    visitor_pages = [
        "/",
        "/prospectuses",
        f"/prospectuses/{course.prospectus.slug}",
        f"/courses/{course.slug}",
        "/courses/no-date-yet",
        f"/sessions/{session.id}",
        "/case-reviews",
        f"/search?q={course.title}",
        f"/account/verify/{tokens.verify_email_token(unverified)}",
        f"/account/reset-password/{tokens.reset_password_token(person)}",
        f"/approvals/{approval_token(mine)}",
        f"/calendar/{person.calendar_token}.ics",
        f"/transfers/{transfer_token(offered)}",
    ]
    professional_pages = [
        "/account/profile",
        "/account/bookings",
        "/account/record",
        "/account/record.pdf",
        "/account/record.csv",
        "/account/calendar",
        f"/bookings/{mine.id}",
        f"/bookings/{mine.id}/calendar.ics",
        f"/bookings/{mine.id}/transfer",
        f"/transfers/{transfer_token(offered)}",
        f"/sessions/{session.id}/book",
        f"/courses/{course.slug}",
        "/courses/no-date-yet",
        "/account/external-training",
        "/account/external-training/new",
        f"/account/external-training/{elsewhere.id}/certificate",
        f"/account/external-training/{elsewhere.id}/withdraw",
    ]
    visitor = app.test_client()
    professional = app.test_client()
    assert sign_in(professional, person.email, PASSWORD).status_code == 302

    written = {
        path: writes
        for browser, paths in ((visitor, visitor_pages), (professional, professional_pages))
        for path in paths
        if (writes := writes_while_opening(app, count_queries, browser, path))
    }

    assert written == {}
    assert db.session.scalar(select(User.email_verified_at).where(User.id == unverified.id)) is None
    assert db.session.get(Booking, mine.id).status is BookingStatus.AWAITING_APPROVAL


def test_no_page_of_the_links_mailed_after_a_session_writes(
    app,
    world,  # noqa: F811
    evaluated_booking,  # noqa: F811
    count_queries,
):
    not_yet_evaluated = Booking(
        session=evaluated_booking.session,
        user=make_user(),
        status=BookingStatus.CONFIRMED,
        attendance=Attendance.ATTENDED,
    )
    db.session.add(not_yet_evaluated)
    db.session.commit()
    pages = [
        f"/evaluations/{evaluation_token(evaluated_booking)}",
        f"/evaluations/{evaluation_token(not_yet_evaluated)}",
        f"/evaluations/{follow_up_token(evaluated_booking)}/follow-up",
        f"/evaluations/{follow_up_token(not_yet_evaluated)}/follow-up",
        f"/evaluations/{manager_view_token(evaluated_booking)}/manager",
    ]
    visitor = app.test_client()

    written = {
        path: writes
        for path in pages
        if (writes := writes_while_opening(app, count_queries, visitor, path))
    }

    assert written == {}


def test_no_page_showing_a_place_offered_at_the_last_minute_writes(
    app,
    world,  # noqa: F811
    offered_booking,  # noqa: F811
    count_queries,
):
    token = offer_token(offered_booking)
    owner = app.test_client()
    assert sign_in(owner, offered_booking.user.email, PASSWORD).status_code == 302
    coordinator = browser_for(app, world, COORDINATOR)
    pages = [
        (app.test_client(), f"/offers/{token}/accept"),
        (app.test_client(), f"/offers/{token}/decline"),
        (owner, f"/offers/{token}/accept"),
        (owner, f"/bookings/{offered_booking.id}"),
        (owner, "/account/bookings"),
        (coordinator, f"/trainer/sessions/{offered_booking.session_id}"),
        (coordinator, f"/admin/sessions/{offered_booking.session_id}"),
    ]

    written = {
        path: writes
        for browser, path in pages
        if (writes := writes_while_opening(app, count_queries, browser, path))
    }

    assert written == {}
    db.session.expire_all()
    assert db.session.get(Booking, offered_booking.id).status is BookingStatus.OFFERED
