"""Booking a place, seeing and cancelling it, and a line manager's approval, as people use
the pages.

Forms are sent with their CSRF tokens, as a browser sends them; mail goes through a real
SMTP server on loopback, and its calendar invites are read back with icalendar. The rules
themselves are tested one by one, without HTTP, in test_booking_rules.py.
"""

import re
from datetime import timedelta
from email.message import EmailMessage
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import func, select

from app.bookings import service
from app.extensions import db
from app.models import (
    Booking,
    BookingStatus,
    CourseSession,
    OutboxMessage,
    OutboxStatus,
    Role,
    SessionStatus,
    User,
    utcnow,
)
from app.transactions import saved
from tests.conftest import csrf_token, free_port, link_in, sign_in, submit
from tests.factories import (
    PASSWORD,
    fill,
    make_course,
    make_prospectus,
    make_session,
    make_user,
    make_venue,
)

TITLE = "Working together to safeguard children"
MANAGER = "jo.manager@example.org"


# Browsers ---------------------------------------------------------------------------------


def new_browser(app):
    return app.test_client()


@pytest.fixture
def client(app):
    return new_browser(app)


def signed_in(app, **fields) -> tuple[User, FlaskClient]:
    """A new person with an account, and a browser they have signed in with."""
    person = make_user(password=PASSWORD, **fields)
    browser = new_browser(app)
    assert sign_in(browser, person.email, PASSWORD).status_code == 302
    return person, browser


# The things booked ------------------------------------------------------------------------


@pytest.fixture
def course(app):
    return make_course(make_prospectus(), title=TITLE)


@pytest.fixture
def session(course) -> CourseSession:
    return make_session(course, capacity=2, venue=make_venue(name="Riverside House"))


def book_url(session: CourseSession) -> str:
    return f"/sessions/{session.id}/book"


def book(browser, session: CourseSession, access_needs: str = ""):
    return submit(browser, book_url(session), {"access_needs": access_needs})


def booked(person: User, session: CourseSession) -> Booking:
    """Someone else's booking, made without the pages, for a test to start from."""
    booking = saved(service.book, db.session, session.id, person, "", utcnow())
    db.session.commit()
    return booking


def bookings_on(session: CourseSession) -> list[Booking]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Booking).filter_by(session_id=session.id).order_by(Booking.id))
    )


def only_booking(person: User, session: CourseSession) -> Booking:
    db.session.expire_all()
    return db.session.scalars(
        select(Booking).filter_by(session_id=session.id, user_id=person.id)
    ).one()


def status_of(booking: Booking) -> BookingStatus:
    db.session.expire_all()
    return db.session.get(Booking, booking.id).status


def booking_count() -> int:
    return db.session.scalar(select(func.count(Booking.id)))


# Reading pages and mail -------------------------------------------------------------------


def words(response) -> str:
    """The page's text as a person reads it, without tags."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def sign_in_redirect(response) -> str:
    """Where a redirect to the sign-in page sends the person afterwards."""
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/account/sign-in"
    return parse_qs(location.query)["next"][0]


def sign_out_token(page) -> str:
    """The CSRF token of the "Sign out" button every page has for a signed-in person."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no sign-out form"
    return found.group(1)


def mail_to(mailbox, address: str, subject: str) -> list[EmailMessage]:
    # Python folds a long subject with an apostrophe onto the next line, and reads it back
    # with the fold's space in front.
    return [m for m in mailbox.to(address) if m["Subject"].strip() == subject]


def one_mail(mailbox, address: str, subject: str) -> EmailMessage:
    found = mail_to(mailbox, address, subject)
    assert len(found) == 1, [message["Subject"] for message in mailbox.to(address)]
    return found[0]


def calendar_parts(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


def invite_in(message: EmailMessage) -> tuple[str, Calendar]:
    """The inline calendar part's method, and its calendar, parsed."""
    (part,) = calendar_parts(message)
    return part.get_param("method"), Calendar.from_ical(part.get_content())


def ics_attachment(message: EmailMessage) -> EmailMessage:
    (attachment,) = [
        part for part in message.iter_attachments() if part.get_filename().endswith(".ics")
    ]
    return attachment


def event_of(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def place_uid(session: CourseSession, person: User) -> str:
    return f"session-{session.id}-person-{person.id}@training.example.org"


# Before booking ---------------------------------------------------------------------------


def test_booking_needs_signing_in_and_comes_back_to_the_session_after(client, session):
    person = make_user(password=PASSWORD)

    assert sign_in_redirect(client.get(book_url(session))) == book_url(session)
    signed = sign_in(client, person.email, PASSWORD, next_path=book_url(session))

    assert signed.headers["Location"] == book_url(session)


def test_the_confirmation_page_asks_for_access_needs_and_books_nothing_yet(app, session):
    _, browser = signed_in(app)

    page = browser.get(book_url(session))

    assert page.status_code == 200
    assert "Book a place" in words(page)
    assert "2 places left" in words(page)
    assert "Access needs or reasonable adjustments (optional)" in words(page)
    assert '<textarea class="govuk-textarea" id="access_needs" name="access_needs"' in page.text
    assert "Confirm booking" in page.text
    assert booking_count() == 0


def test_a_full_session_offers_the_waiting_list_and_says_how_many_are_ahead(app, session):
    fill(session, 2)
    fill(session, 1, BookingStatus.WAITING)
    _, browser = signed_in(app)

    page = browser.get(book_url(session))

    assert page.status_code == 200
    assert "This session is full. You will join the waiting list, behind 1 person." in words(page)
    assert re.search(r"<button[^>]*>\s*Join the waiting list\s*</button>", page.text)
    assert "Confirm booking" not in page.text


def test_an_unverified_account_is_told_why_it_cannot_book_and_books_nothing(app, session):
    _, browser = signed_in(app, verified=False)

    page = browser.get(book_url(session))
    token = sign_out_token(page)
    posted = browser.post(book_url(session), data={"csrf_token": token, "access_needs": ""})

    assert page.status_code == 200
    assert "You cannot book this session" in words(page)
    assert "Confirm your email address before you book a place." in words(page)
    assert "Confirm booking" not in page.text
    assert posted.status_code == 400
    assert booking_count() == 0


@pytest.mark.parametrize("hidden", ["unknown", "session", "course", "prospectus"])
def test_an_unknown_or_unpublished_session_cannot_be_booked(app, session, hidden):
    _, browser = signed_in(app)
    if hidden == "session":
        session.published = False
    elif hidden == "course":
        session.course.published = False
    elif hidden == "prospectus":
        session.course.prospectus.published = False
    url = "/sessions/999999/book" if hidden == "unknown" else book_url(session)

    assert browser.get(url).status_code == 404
    token = sign_out_token(browser.get("/account/bookings"))
    assert browser.post(url, data={"csrf_token": token}).status_code == 404
    assert booking_count() == 0


def test_someone_already_booked_is_taken_to_their_booking(app, session):
    person, browser = signed_in(app)
    booking = booked(person, session)

    again = browser.get(book_url(session))

    assert again.status_code == 302
    assert again.headers["Location"] == f"/bookings/{booking.id}"
    assert "You already have a booking for this session." in words(browser.get(again.location))


# Booking ----------------------------------------------------------------------------------


def test_booking_confirms_the_place_and_shows_it_with_the_access_needs(app, session):
    person, browser = signed_in(app)

    done = book(browser, session, "A hearing loop, and the slides in advance")

    booking = only_booking(person, session)
    assert done.status_code == 302
    assert done.headers["Location"] == f"/bookings/{booking.id}"
    page = words(browser.get(done.location))
    assert "Confirmed" in page
    assert "Your place is confirmed." in page
    assert "Your access needs A hearing loop, and the slides in advance" in page
    assert booking.status is BookingStatus.CONFIRMED


def test_a_confirmed_place_is_mailed_with_a_calendar_invite(app, session, mailbox):
    person, browser = signed_in(app)

    book(browser, session)

    message = one_mail(mailbox, person.email, f"Place confirmed: {TITLE}")
    method, calendar = invite_in(message)
    event = event_of(calendar)
    assert method == "REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == place_uid(session, person)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTSTART") == session.starts_at
    assert event["STATUS"] == "CONFIRMED"
    attachment = ics_attachment(message)
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "application/ics"
    attached = Calendar.from_ical(attachment.get_content())
    assert str(event_of(attached)["UID"]) == place_uid(session, person)


def rows_read_or_written(counted) -> list[str]:
    """The statements that read or write rows, leaving out those that set a connection up."""
    return [
        statement
        for statement in counted.statements
        if statement.lstrip().startswith(("SELECT", "INSERT", "UPDATE", "DELETE"))
    ]


def test_the_booking_page_and_booking_take_a_fixed_number_of_statements(
    app, session, count_queries, mailbox
):
    fill(session, 1)
    _, browser = signed_in(app)
    url = book_url(session)

    with count_queries() as page:
        token = csrf_token(browser.get(url).text)
    with count_queries() as booking:
        done = browser.post(url, data={"csrf_token": token, "access_needs": ""})

    assert done.status_code == 302
    # The person; the session (with whether its course has prerequisites and its places
    # are shared between sectors: here, neither); places, the queue, overdue approvals and
    # their own booking.
    assert len(rows_read_or_written(page)) == 3
    # The person (not read again under the lock); under the lock the session, places, the
    # queue, overdue approvals, their own booking and whether they are on the course's
    # interest list (not here, so nothing is deleted from it), the new booking and its
    # history, the invite's sequence and the mail; after the commit, the mail recorded as
    # sent.
    statements = rows_read_or_written(booking)
    assert len(statements) == 8
    assert [statement.split()[0] for statement in statements].count("SELECT") == 4


def test_joining_the_waiting_list_is_shown_and_mailed_without_a_calendar(app, session, mailbox):
    fill(session, 2)
    person, browser = signed_in(app)

    page = words(browser.get(book(browser, session).location))

    assert "On the waiting list" in page
    assert "You are number 1 in the waiting list." in page
    message = one_mail(mailbox, person.email, f"On the waiting list: {TITLE}")
    assert calendar_parts(message) == []
    assert list(message.iter_attachments()) == []


# Cancelling -------------------------------------------------------------------------------


def cancel_booking(browser, booking_id: int):
    """Press "Cancel this booking" on the booking's page."""
    page = browser.get(f"/bookings/{booking_id}")
    return browser.post(
        f"/bookings/{booking_id}/cancel", data={"csrf_token": csrf_token(page.text)}
    )


def test_cancelling_shows_the_booking_cancelled(app, session):
    person, browser = signed_in(app)
    booking = booked(person, session)
    before = words(browser.get(f"/bookings/{booking.id}"))

    done = cancel_booking(browser, booking.id)

    assert "You can cancel until" in before
    assert done.status_code == 302
    assert done.headers["Location"] == f"/bookings/{booking.id}"
    page = browser.get(done.location)
    assert "Your booking is cancelled." in words(page)
    assert "This booking was cancelled." in words(page)
    assert "late cancellation" not in words(page)
    assert "Cancel this booking" not in page.text
    assert status_of(booking) is BookingStatus.CANCELLED


def test_a_cancellation_withdraws_the_same_calendar_event_with_a_higher_sequence(
    app, session, mailbox
):
    person, browser = signed_in(app)
    book(browser, session)
    booking = only_booking(person, session)

    cancel_booking(browser, booking.id)

    _, invite = invite_in(one_mail(mailbox, person.email, f"Place confirmed: {TITLE}"))
    message = one_mail(mailbox, person.email, f"Booking cancelled: {TITLE}")
    method, withdrawal = invite_in(message)
    assert method == "CANCEL"
    assert withdrawal["METHOD"] == "CANCEL"
    assert event_of(withdrawal)["UID"] == event_of(invite)["UID"] == place_uid(session, person)
    assert event_of(withdrawal)["SEQUENCE"] > event_of(invite)["SEQUENCE"]
    assert event_of(withdrawal)["STATUS"] == "CANCELLED"
    assert ics_attachment(message).get_filename() == "cancel.ics"


def test_cancelling_twice_cancels_and_mails_once(app, session, mailbox):
    person, browser = signed_in(app)
    booking = booked(person, session)
    token = csrf_token(browser.get(f"/bookings/{booking.id}").text)
    url = f"/bookings/{booking.id}/cancel"

    browser.post(url, data={"csrf_token": token})
    again = browser.post(url, data={"csrf_token": token}, follow_redirects=True)

    assert "This booking is already cancelled" in words(again)
    assert len(mail_to(mailbox, person.email, f"Booking cancelled: {TITLE}")) == 1


def test_a_cancelled_place_goes_to_the_first_person_waiting_who_is_mailed_once(
    app, course, mailbox
):
    session = make_session(course, capacity=1)
    person, browser = signed_in(app)
    booking = booked(person, session)
    first, second = make_user(), make_user()
    first_waiting, second_waiting = booked(first, session), booked(second, session)

    cancel_booking(browser, booking.id)

    assert status_of(first_waiting) is BookingStatus.CONFIRMED
    assert status_of(second_waiting) is BookingStatus.WAITING
    message = one_mail(mailbox, first.email, f"A place is yours: {TITLE}")
    method, invite = invite_in(message)
    assert method == "REQUEST"
    assert invite["METHOD"] == "REQUEST"
    assert str(event_of(invite)["UID"]) == place_uid(session, first)
    assert mail_to(mailbox, second.email, f"A place is yours: {TITLE}") == []


def test_cancelling_within_72_hours_of_the_start_is_said_to_be_late(app, course, mailbox):
    session = make_session(course, starts_at=utcnow() + timedelta(hours=48))
    person, browser = signed_in(app)
    booking = booked(person, session)
    before = words(browser.get(f"/bookings/{booking.id}"))

    page = words(browser.get(cancel_booking(browser, booking.id).location))

    assert "The cancellation cut-off has passed" in before
    assert "As that was after the cut-off, it is recorded as a late cancellation." in page
    assert "cancelled after the cancellation cut-off" in page
    message = one_mail(mailbox, person.email, f"Booking cancelled: {TITLE}")
    assert "recorded as a late cancellation" in message.get_body(("plain",)).get_content()


# A line manager's approval ----------------------------------------------------------------


class TestApproval:
    @pytest.fixture
    def session(self, app):
        course = make_course(make_prospectus(), title=TITLE, requires_approval=True)
        return make_session(course, capacity=1)

    @pytest.fixture
    def person(self, app):
        return signed_in(app, line_manager_email=MANAGER, line_manager_name="Jo Manager")

    @pytest.fixture
    def requested(self, session, person, mailbox) -> tuple[Booking, str]:
        """The person has booked; the booking, and the link mailed to their manager."""
        someone, browser = person
        book(browser, session)
        request = one_mail(mailbox, MANAGER, f"Please approve training for {someone.name}")
        return only_booking(someone, session), link_in(request)

    def test_booking_asks_the_line_manager_and_holds_the_place(self, session, person, mailbox):
        someone, browser = person
        offer = words(browser.get(book_url(session)))

        page = words(browser.get(book(browser, session).location))

        assert "This course needs your line manager's approval" in offer
        assert f"We will email Jo Manager at {MANAGER}" in offer
        assert "Waiting for your manager's approval" in page
        assert "We have asked your line manager to approve your place" in page
        assert only_booking(someone, session).status is BookingStatus.AWAITING_APPROVAL
        one_mail(mailbox, someone.email, f"Waiting for your manager's approval: {TITLE}")
        request = one_mail(mailbox, MANAGER, f"Please approve training for {someone.name}")
        assert link_in(request).startswith("/approvals/")

    def test_the_manager_sees_the_request_without_an_account(self, app, person, requested):
        someone, _ = person
        _, link = requested

        page = new_browser(app).get(link)

        assert page.status_code == 200
        assert f"Approve training for {someone.name}" in words(page)
        assert TITLE in words(page)
        assert "Comment (optional)" in words(page)
        assert '<textarea class="govuk-textarea" id="comment" name="comment"' in page.text
        assert re.search(r'<button[^>]*name="approve"[^>]*>\s*Approve\s*</button>', page.text)
        assert re.search(r'<button[^>]*name="decline"[^>]*>\s*Decline\s*</button>', page.text)

    def test_approving_confirms_the_place_and_mails_an_invite(
        self, app, session, person, requested, mailbox
    ):
        someone, browser = person
        booking, link = requested

        done = submit(new_browser(app), link, {"approve": "Approve", "comment": "Good idea"})

        assert done.status_code == 200
        assert "Place approved" in words(done)
        assert status_of(booking) is BookingStatus.CONFIRMED
        assert db.session.get(Booking, booking.id).manager_comment == "Good idea"
        message = one_mail(mailbox, someone.email, f"Approved: place confirmed: {TITLE}")
        method, invite = invite_in(message)
        assert method == "REQUEST"
        assert str(event_of(invite)["UID"]) == place_uid(session, someone)
        assert "Confirmed" in words(browser.get(f"/bookings/{booking.id}"))

    def test_an_approval_link_is_used_once(self, app, person, requested, mailbox):
        someone, _ = person
        booking, link = requested
        manager = new_browser(app)
        token = csrf_token(manager.get(link).text)
        manager.post(link, data={"csrf_token": token, "approve": "Approve"})

        again = manager.get(link)
        changed_mind = manager.post(link, data={"csrf_token": token, "decline": "Decline"})

        assert again.status_code == 200
        assert "there is nothing more to do" in words(again)
        assert 'name="approve"' not in again.text
        assert changed_mind.status_code == 400
        assert "This booking has already been decided" in words(changed_mind)
        assert status_of(booking) is BookingStatus.CONFIRMED
        assert mail_to(mailbox, someone.email, f"Not approved: {TITLE}") == []

    def test_declining_releases_the_place_to_the_first_person_waiting(
        self, app, session, person, requested, mailbox
    ):
        someone, browser = person
        booking, link = requested
        waiting = booked(make_user(line_manager_email="sam.manager@example.org"), session)

        done = submit(new_browser(app), link, {"decline": "Decline", "comment": "Not this term"})

        assert done.status_code == 200
        assert "Place declined" in words(done)
        assert status_of(booking) is BookingStatus.DECLINED
        assert status_of(waiting) is BookingStatus.AWAITING_APPROVAL
        one_mail(mailbox, someone.email, f"Not approved: {TITLE}")
        assert mailbox.to("sam.manager@example.org")
        page = words(browser.get(f"/bookings/{booking.id}"))
        assert "Declined by your manager" in page
        assert "Not this term" in page

    @pytest.mark.parametrize("spoil", [lambda link: link[:-2], lambda link: link + "x"])
    def test_a_tampered_link_is_not_found(self, app, requested, spoil):
        booking, link = requested

        page = new_browser(app).get(spoil(link))

        assert page.status_code == 404
        assert "That link cannot be used" in words(page)
        assert status_of(booking) is BookingStatus.AWAITING_APPROVAL

    def expire(self, booking: Booking) -> None:
        db.session.get(Booking, booking.id).approval_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()

    def test_an_expired_approval_is_released_when_its_owner_looks_at_it(
        self, session, person, requested, mailbox
    ):
        someone, browser = person
        booking, _ = requested
        waiting = booked(make_user(line_manager_email="sam.manager@example.org"), session)
        self.expire(booking)

        page = browser.get(f"/bookings/{booking.id}")

        assert page.status_code == 200
        assert status_of(booking) is BookingStatus.DECLINED
        assert status_of(waiting) is BookingStatus.AWAITING_APPROVAL
        one_mail(mailbox, someone.email, f"Approval not given in time: {TITLE}")
        assert mailbox.to("sam.manager@example.org")

    def test_an_expired_approval_is_released_when_someone_opens_the_booking_page(
        self, app, session, person, requested, mailbox
    ):
        someone, _ = person
        booking, _ = requested
        self.expire(booking)
        _, browser = signed_in(app, line_manager_email="sam.manager@example.org")

        page = browser.get(book_url(session))

        assert page.status_code == 200
        assert "Join the waiting list" not in words(page)
        assert "needs your line manager's approval" in words(page)
        assert status_of(booking) is BookingStatus.DECLINED
        one_mail(mailbox, someone.email, f"Approval not given in time: {TITLE}")

    def test_an_expired_approval_is_released_when_someone_books_and_the_place_is_theirs(
        self, app, session, requested
    ):
        booking, _ = requested
        self.expire(booking)
        newcomer, browser = signed_in(app, line_manager_email="sam.manager@example.org")

        book(browser, session)

        assert status_of(booking) is BookingStatus.DECLINED
        assert status_of(only_booking(newcomer, session)) is BookingStatus.AWAITING_APPROVAL

    @pytest.mark.parametrize(
        ("role", "path", "shown"),
        [
            (Role.PROFESSIONAL, "/sessions/{session}", "1 place left"),
            (Role.TRAINER, "/trainer/sessions/{session}", "0 of 1 taken"),
            (Role.TRAINER, "/trainer/sessions/{session}/register.csv", "Email"),
            (Role.COORDINATOR, "/admin/sessions/{session}", "0 of 1 taken"),
        ],
    )
    def test_an_expired_approval_is_released_when_anyone_looks_at_the_session(
        self, app, session, requested, mailbox, role, path, shown
    ):
        booking, _ = requested
        someone = booking.user
        self.expire(booking)
        viewer, browser = signed_in(app, role=role)
        session.trainers.append(viewer)
        db.session.commit()

        page = browser.get(path.format(session=session.id))

        assert page.status_code == 200
        assert shown in words(page)
        assert someone.email not in page.text
        assert status_of(booking) is BookingStatus.DECLINED
        one_mail(mailbox, someone.email, f"Approval not given in time: {TITLE}")

    def test_an_expired_approval_link_says_nothing_can_be_done(self, app, requested):
        booking, link = requested
        self.expire(booking)

        page = new_browser(app).get(link)

        assert page.status_code == 200
        assert "has expired" in words(page)
        assert "there is nothing more to do" in words(page)
        assert 'name="approve"' not in page.text

    def test_an_expired_approval_is_released_when_the_manager_opens_the_link(
        self, app, session, requested
    ):
        booking, link = requested
        waiting = booked(make_user(line_manager_email="sam.manager@example.org"), session)
        self.expire(booking)

        new_browser(app).get(link)

        assert status_of(booking) is BookingStatus.DECLINED
        assert status_of(waiting) is BookingStatus.AWAITING_APPROVAL

    def test_answering_after_the_approval_expired_is_refused_and_releases_the_place(
        self, app, session, requested
    ):
        booking, link = requested
        waiting = booked(make_user(line_manager_email="sam.manager@example.org"), session)
        manager = new_browser(app)
        token = csrf_token(manager.get(link).text)
        self.expire(booking)

        late = manager.post(link, data={"csrf_token": token, "approve": "Approve"})

        assert late.status_code == 400
        assert "has expired" in words(late)
        assert status_of(booking) is BookingStatus.DECLINED
        assert status_of(waiting) is BookingStatus.AWAITING_APPROVAL

    def test_an_expired_approval_does_not_say_the_manager_declined(self, person, requested):
        _, browser = person
        booking, _ = requested
        self.expire(booking)

        page = words(browser.get(f"/bookings/{booking.id}"))

        assert "Declined by your manager" not in page
        assert "did not approve" not in page


# Whose booking ----------------------------------------------------------------------------


def test_another_person_cannot_see_or_cancel_a_booking(app, session):
    owner, _ = signed_in(app)
    booking = booked(owner, session)
    _, browser = signed_in(app)
    token = sign_out_token(browser.get("/account/bookings"))

    seen = browser.get(f"/bookings/{booking.id}")
    cancelled = browser.post(f"/bookings/{booking.id}/cancel", data={"csrf_token": token})

    assert seen.status_code == 404
    assert owner.name not in seen.text
    assert cancelled.status_code == 404
    assert status_of(booking) is BookingStatus.CONFIRMED


def test_without_signing_in_a_booking_can_be_neither_seen_nor_cancelled(app, session, client):
    booking = booked(make_user(), session)
    token = csrf_token(client.get("/account/sign-in").text)

    seen = client.get(f"/bookings/{booking.id}")
    cancelled = client.post(f"/bookings/{booking.id}/cancel", data={"csrf_token": token})

    assert sign_in_redirect(seen) == f"/bookings/{booking.id}"
    assert sign_in_redirect(cancelled) == f"/bookings/{booking.id}/cancel"
    assert status_of(booking) is BookingStatus.CONFIRMED


def test_cancelling_without_the_form_token_is_refused(app, session, mailbox):
    person, browser = signed_in(app)
    booking = booked(person, session)

    refused = browser.post(f"/bookings/{booking.id}/cancel")

    assert refused.status_code == 400
    assert status_of(booking) is BookingStatus.CONFIRMED
    assert mail_to(mailbox, person.email, f"Booking cancelled: {TITLE}") == []


# The session's page -----------------------------------------------------------------------


def book_button(page) -> str | None:
    found = re.search(
        r'<a href="/sessions/\d+/book"[^>]*class="govuk-button"[^>]*>\s*(.*?)\s*</a>', page.text
    )
    return found.group(1) if found else None


def test_the_session_page_offers_a_place_while_booking_is_open(client, session):
    page = client.get(f"/sessions/{session.id}")

    assert book_button(page) == "Book a place"
    assert f'href="{book_url(session)}"' in page.text


def test_the_session_page_offers_the_waiting_list_when_full(client, session):
    fill(session, 2)

    assert book_button(client.get(f"/sessions/{session.id}")) == "Join the waiting list"


def test_the_session_page_leads_someone_booked_to_their_booking_not_to_book_again(app, session):
    person, browser = signed_in(app)
    booking = Booking(session=session, user=person, status=BookingStatus.WAITING)
    db.session.add(booking)
    db.session.commit()

    page = browser.get(f"/sessions/{session.id}")

    assert book_button(page) is None
    assert "You have a booking for this session: see your booking" in words(page)
    assert f'href="/bookings/{booking.id}"' in page.text


@pytest.mark.parametrize(
    "change",
    [
        {"booking_closes_at": utcnow() - timedelta(minutes=1)},
        {"booking_opens_at": utcnow() + timedelta(days=1)},
        {"status": SessionStatus.CANCELLED},
    ],
    ids=["booking closed", "booking not yet open", "session cancelled"],
)
def test_the_session_page_offers_no_booking_when_booking_is_not_open(client, session, change):
    for name, value in change.items():
        setattr(session, name, value)

    page = client.get(f"/sessions/{session.id}")

    assert page.status_code == 200
    assert book_button(page) is None
    assert book_url(session) not in page.text


# Your bookings ----------------------------------------------------------------------------


def test_your_bookings_list_each_booking_with_its_status_and_place_in_the_queue(app, course):
    soon = make_session(course, starts_at=utcnow() + timedelta(days=7))
    full = make_session(course, starts_at=utcnow() + timedelta(days=21), capacity=1)
    fill(full, 1)
    fill(full, 1, BookingStatus.WAITING)
    _, browser = signed_in(app)
    book(browser, soon)
    book(browser, full)

    page = words(browser.get("/account/bookings"))

    assert page.count(TITLE) == 2
    assert "Confirmed" in page
    assert "On the waiting list Number 2 in the queue" in page


# When things go wrong ---------------------------------------------------------------------


def test_with_the_mail_server_down_booking_succeeds_and_its_mail_waits(app, session, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    person, browser = signed_in(app)

    done = book(browser, session)

    booking = only_booking(person, session)
    assert done.headers["Location"] == f"/bookings/{booking.id}"
    assert booking.status is BookingStatus.CONFIRMED
    message = db.session.scalars(
        select(OutboxMessage).filter_by(subject=f"Place confirmed: {TITLE}")
    ).one()
    assert message.to_address == person.email
    assert message.status is OutboxStatus.QUEUED
    assert message.attempts == 1
    assert message.last_error
    assert message.calendar_method == "REQUEST"


def test_access_needs_over_2000_characters_are_refused_at_the_field_and_kept(app, session):
    _, browser = signed_in(app)
    too_long = "Step-free access. " * 112  # 2,016 characters

    page = book(browser, session, too_long)

    assert page.status_code == 400
    message = "Access needs must be 2,000 characters or fewer"
    assert re.search(
        rf'<p id="access_needs-error" class="govuk-error-message">.*?{message}', page.text, re.S
    )
    assert f'<a href="#access_needs">{message}</a>' in page.text
    assert f">{too_long}</textarea>" in page.text
    assert booking_count() == 0
