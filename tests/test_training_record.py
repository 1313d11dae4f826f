"""The training record: what a person attended, their CPD hours this year (London's
calendar year) and in all, their certificates and the refreshers due, as a page, a PDF and
a CSV for the person, and the same from the person's page in /admin for a coordinator."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from pypdf import PdfReader

from app.certificates import service as certificates
from app.display import LONDON
from app.extensions import db
from app.models import (
    Attendance,
    Booking,
    BookingStatus,
    Course,
    ExternalTrainingStatus,
    Role,
    User,
)
from app.records import queries
from tests.conftest import signed_in_as, words
from tests.factories import (
    PASSWORD,
    make_course,
    make_external_training,
    make_prospectus,
    make_session,
    make_user,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
SIGN_IN = "/account/sign-in"


def attended(
    person: User, course: Course, starts_at: datetime, attendance=Attendance.ATTENDED, **fields
) -> Booking:
    """A confirmed place on a new session of the course, marked, with its certificate."""
    session = make_session(course, starts_at=starts_at)
    booking = Booking(
        session=session,
        user=person,
        status=fields.pop("status", BookingStatus.CONFIRMED),
        attendance=attendance,
        **fields,
    )
    db.session.add(booking)
    db.session.flush()
    certificates.follow_mark(booking, starts_at)
    db.session.flush()
    return booking


def record_of(person: User, now: datetime = NOW, viewer: User | None = None):
    return queries.training_record(db.session, person, viewer or person, now)


@pytest.fixture
def prospectus(app):
    return make_prospectus()


@pytest.fixture
def person(app):
    return make_user(password=PASSWORD, name="Zoë Ní Bhriain", email="zoe@example.org")


# The record's rules ------------------------------------------------------------------------


def test_only_sessions_attended_are_in_the_record_newest_first(prospectus, person):
    course = make_course(prospectus, title="Neglect", cpd_hours=Decimal("3"))
    older = attended(person, course, datetime(2025, 3, 1, 9, 30, tzinfo=UTC))
    newer = attended(person, course, datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    attended(person, course, datetime(2026, 4, 1, 9, 30, tzinfo=UTC), Attendance.LEFT_EARLY)
    attended(person, course, datetime(2026, 5, 1, 9, 30, tzinfo=UTC), Attendance.DID_NOT_ATTEND)
    attended(person, course, datetime(2026, 6, 1, 9, 30, tzinfo=UTC), None)
    make_session(course)  # someone else's sessions are none of theirs
    other = make_user()
    attended(other, course, datetime(2026, 7, 1, 9, 30, tzinfo=UTC))

    record = record_of(person)

    assert [entry.booking.id for entry in record.attended] == [newer.id, older.id]


def test_hours_this_year_follow_the_calendar_year_in_london(prospectus, person):
    course = make_course(prospectus, cpd_hours=Decimal("6.5"))
    short = make_course(prospectus, cpd_hours=Decimal("1.5"))
    # 11:30pm on 31 December in London (GMT) is still last year...
    attended(person, course, datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    # ...and half past midnight on 1 January is this year.
    attended(person, short, datetime(2026, 1, 1, 0, 30, tzinfo=UTC))
    attended(person, course, datetime(2026, 6, 30, 23, 30, tzinfo=UTC))

    record = record_of(person)

    assert record.year == 2026
    assert record.hours_this_year == Decimal("8.0")
    assert record.hours_all_time == Decimal("14.5")


def test_the_year_turns_at_midnight_in_london_not_in_utc(prospectus, person):
    course = make_course(prospectus, cpd_hours=Decimal("3"))
    attended(person, course, datetime(2026, 6, 1, 9, 30, tzinfo=UTC))

    new_years_eve = record_of(person, datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    new_year = record_of(person, datetime(2027, 1, 1, 0, 0, tzinfo=UTC))

    assert (new_years_eve.year, new_years_eve.hours_this_year) == (2026, Decimal("3"))
    assert (new_year.year, new_year.hours_this_year) == (2027, Decimal("0"))
    assert new_year.hours_all_time == Decimal("3")


def test_a_record_with_nothing_attended_has_no_hours(person):
    record = record_of(person)

    assert (record.attended, record.refreshers) == ([], [])
    assert record.hours_this_year == record.hours_all_time == 0


def test_a_refresher_is_due_years_after_the_last_session_attended(prospectus, person):
    course = make_course(prospectus, title="Child protection", refresh_years=3)
    attended(person, course, datetime(2022, 1, 10, 9, 30, tzinfo=UTC))
    attended(person, course, datetime(2024, 5, 20, 9, 30, tzinfo=UTC))
    make_course(prospectus, refresh_years=None)

    (refresher,) = record_of(person).refreshers

    assert refresher.course.id == course.id
    assert refresher.last_attended == date(2024, 5, 20)
    assert refresher.due == date(2027, 5, 20)
    assert (refresher.overdue, refresher.due_soon, refresher.booked) == (False, False, None)
    assert refresher.offered is True


def elsewhere(person: User, course: Course, day: date, status=ExternalTrainingStatus.ACCEPTED):
    return make_external_training(person, course, status=status, completed_on=day)


def test_training_elsewhere_is_listed_once_accepted_and_counts_no_hours(prospectus, person):
    course = make_course(prospectus, title="CSE e-learning", cpd_hours=Decimal("2"))
    accepted = elsewhere(person, course, date(2026, 4, 1))
    elsewhere(person, course, date(2026, 5, 1), ExternalTrainingStatus.SUBMITTED)
    elsewhere(person, course, date(2026, 6, 1), ExternalTrainingStatus.REJECTED)

    record = record_of(person)

    assert record.elsewhere == [accepted]
    assert record.attended == [] and record.refreshers == []
    assert record.hours_this_year == record.hours_all_time == 0


@pytest.mark.parametrize(
    ("done_elsewhere", "last", "is_elsewhere"),
    [
        (date(2025, 3, 1), date(2025, 3, 1), True),
        (date(2023, 3, 1), date(2024, 5, 20), False),
        (date(2024, 5, 20), date(2024, 5, 20), False),
    ],
    ids=["later", "earlier", "same-day"],
)
def test_a_refresher_falls_due_from_the_last_time_attended_or_done_elsewhere(
    prospectus, person, done_elsewhere, last, is_elsewhere
):
    course = make_course(prospectus, title="Child protection", refresh_years=3)
    attended(person, course, datetime(2024, 5, 20, 9, 30, tzinfo=UTC))
    elsewhere(person, course, done_elsewhere)
    elsewhere(person, course, date(2026, 1, 1), ExternalTrainingStatus.SUBMITTED)

    (refresher,) = record_of(person).refreshers

    assert (refresher.last_attended, refresher.elsewhere) == (last, is_elsewhere)
    assert refresher.due == date(last.year + 3, last.month, last.day)


def test_training_elsewhere_alone_has_its_refresher(prospectus, person):
    course = make_course(prospectus, refresh_years=1)
    elsewhere(person, course, date(2025, 11, 1))

    (refresher,) = record_of(person).refreshers

    assert refresher.due == date(2026, 11, 1)
    assert refresher.overdue and refresher.elsewhere


def test_a_refresher_past_its_day_is_overdue_and_one_within_8_weeks_is_due_soon(prospectus, person):
    lapsed = make_course(prospectus, title="Lapsed", refresh_years=1)
    soon = make_course(prospectus, title="Soon", refresh_years=2)
    attended(person, lapsed, datetime(2025, 12, 2, 9, 30, tzinfo=UTC))
    attended(person, soon, datetime(2025, 1, 20, 9, 30, tzinfo=UTC))

    overdue, due_soon = record_of(person).refreshers

    assert (overdue.course.id, overdue.due, overdue.overdue) == (lapsed.id, date(2026, 12, 2), True)
    assert (due_soon.course.id, due_soon.due_soon, due_soon.overdue) == (soon.id, True, False)


def test_a_refresher_already_booked_says_so(prospectus, person):
    course = make_course(prospectus, refresh_years=3)
    attended(person, course, datetime(2023, 6, 1, 9, 30, tzinfo=UTC))
    next_one = make_session(course, starts_at=NOW + timedelta(days=30))
    db.session.add(Booking(session=next_one, user=person, status=BookingStatus.WAITING))
    db.session.flush()

    (refresher,) = record_of(person).refreshers

    assert refresher.booked.session_id == next_one.id


def test_29_february_refreshers_fall_on_the_28th():
    assert queries.years_after(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert queries.years_after(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_certificates_follow_the_certificates_rule(prospectus, person):
    course = make_course(prospectus)
    standing = attended(person, course, datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    revoked = attended(person, course, datetime(2026, 2, 1, 9, 30, tzinfo=UTC))
    revoked.certificate.revoked_at = NOW
    db.session.flush()
    coordinator = make_user(role=Role.COORDINATOR)
    stranger = make_user()

    def has_certificates(viewer: User) -> dict[int, bool]:
        return {e.booking.id: e.has_certificate for e in record_of(person, viewer=viewer).attended}

    assert has_certificates(person) == {standing.id: True, revoked.id: False}
    assert has_certificates(coordinator) == {standing.id: True, revoked.id: False}
    assert has_certificates(stranger) == {standing.id: False, revoked.id: False}


# The page, the PDF and the CSV -----------------------------------------------------------


@pytest.fixture
def history(prospectus, person):
    """Two courses attended, one with a refresher overdue."""
    neglect = make_course(
        prospectus, title="Understanding neglect", slug="neglect", cpd_hours=Decimal("6.5")
    )
    protection = make_course(
        prospectus, title="Child protection", slug="protection", refresh_years=1
    )
    return [
        attended(person, neglect, datetime(2026, 6, 11, 8, 30, tzinfo=UTC)),
        attended(person, protection, datetime(2025, 3, 2, 9, 30, tzinfo=UTC)),
    ]


def test_the_person_sees_their_record(app, person, history):
    with time_machine.travel(NOW, tick=False):
        browser = signed_in_as(app, person)
        page = browser.get("/account/record")

    assert page.status_code == 200
    text = words(page.text)
    assert "Your training record" in text
    assert "This year (2026) 6.5 hours" in text and "All time 9.5 hours" in text
    assert "calendar year 2026, from 1 January to 31 December" in text
    assert text.index("11 June 2026 Understanding neglect") < text.index(
        "2 March 2025 Child protection"
    )
    assert f"/bookings/{history[0].id}/certificate.pdf" in page.text
    assert "Child protection Refreshed every year 2 March 2025 2 March 2026 Overdue" in text
    assert 'href="/courses/protection"' in page.text
    assert 'href="/account/record"' in page.text and "Your training record" in text


def test_the_record_is_in_the_accounts_menu(app, person):
    page = signed_in_as(app, person).get("/account/bookings").text

    assert 'href="/account/record"' in page


def test_the_record_as_a_csv_is_formula_safe(app, prospectus, person):
    person.name = "=cmd|' /C calc'!A0"
    course = make_course(prospectus, title='=HYPERLINK("http://evil")', cpd_hours=Decimal("3"))
    booking = attended(person, course, datetime(2026, 6, 11, 8, 30, tzinfo=UTC))
    make_external_training(
        person,
        course,
        status=ExternalTrainingStatus.ACCEPTED,
        provider="@SUM(1+1)",
        completed_on=date(2026, 1, 5),
    )
    with time_machine.travel(NOW, tick=False):
        browser = signed_in_as(app, person)
        response = browser.get("/account/record.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == [
        "Date",
        "Course",
        "Prospectus",
        "CPD hours",
        "Certificate code",
        "Recorded elsewhere",
    ]
    assert rows[1][:4] == ["2026-06-11", '\'=HYPERLINK("http://evil")', prospectus.title, "3"]
    assert rows[1][4:] == [certificates.shown_code(booking.certificate.code), ""]
    assert rows[2] == [
        "2026-01-05",
        '\'=HYPERLINK("http://evil")',
        prospectus.title,
        "",
        "",
        "'@SUM(1+1)",
    ]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_record_as_a_pdf(app, person, history):
    with time_machine.travel(NOW, tick=False):
        browser = signed_in_as(app, person)
        response = browser.get("/account/record.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "training-record-2026-12-03.pdf" in response.headers["Content-Disposition"]
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split()
    )
    assert "Zoë Ní Bhriain" in text
    assert "Understanding neglect" in text and "Child protection" in text
    assert "6.5 hours" in text and "9.5 hours" in text
    assert certificates.shown_code(history[0].certificate.code) in text
    assert "overdue" in text


def test_a_long_record_runs_to_pages(app, prospectus, person):
    course = make_course(prospectus, cpd_hours=Decimal("1"))
    for day in range(80):
        attended(person, course, datetime(2020, 1, 1, 9, 30, tzinfo=UTC) + timedelta(days=day))
    browser = signed_in_as(app, person)

    response = browser.get("/account/record.pdf")

    assert len(PdfReader(io.BytesIO(response.data)).pages) >= 2


# Who may see it -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/account/record", "/account/record.pdf", "/account/record.csv"])
def test_signed_out_people_are_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.location.startswith(SIGN_IN)


def test_each_person_sees_only_their_own_record(app, prospectus, person, history):
    other = make_user(password=PASSWORD, name="Other Person")
    attended(
        other,
        make_course(prospectus, title="Another course"),
        datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
    )

    page = words(signed_in_as(app, other).get("/account/record").text)

    assert "Another course" in page
    assert "Understanding neglect" not in page and "Child protection" not in page


@pytest.mark.parametrize("suffix", ["", ".pdf", ".csv"])
def test_a_coordinator_sees_anyones_record_from_their_page(
    app, as_coordinator, person, history, suffix
):
    response = as_coordinator.get(f"/admin/users/{person.id}/record{suffix}")

    assert response.status_code == 200
    if suffix == "":
        text = words(response.text)
        assert "Zoë Ní Bhriain Training record" in text
        assert "Understanding neglect" in text and "All time 9.5 hours" in text
        assert f"/bookings/{history[0].id}/certificate.pdf" in response.text
    else:
        disposition = response.headers["Content-Disposition"]
        assert "training-record-zoe-ni-bhriain-" in disposition
        assert disposition.endswith(suffix)
    if suffix == ".csv":
        assert "Understanding neglect" in response.data.decode("utf-8-sig")


def test_the_persons_page_in_admin_links_to_their_record(as_coordinator, person):
    page = as_coordinator.get(f"/admin/users/{person.id}").text

    assert f'href="/admin/users/{person.id}/record"' in page


def test_nobody_has_a_record_in_admin_when_they_do_not_exist(as_coordinator):
    assert as_coordinator.get("/admin/users/999999/record").status_code == 404


@pytest.mark.parametrize("suffix", ["", ".pdf", ".csv"])
def test_trainers_and_professionals_cannot_open_someone_elses_record(
    app, as_trainer, person, history, suffix
):
    professional = signed_in_as(app, make_user(password=PASSWORD))

    assert as_trainer.get(f"/admin/users/{person.id}/record{suffix}").status_code == 403
    assert professional.get(f"/admin/users/{person.id}/record{suffix}").status_code == 403


# Queries -----------------------------------------------------------------------------------


def test_the_record_issues_a_fixed_number_of_queries_at_5_and_500_attendances(
    app, prospectus, person, count_queries
):
    courses = [
        make_course(prospectus, refresh_years=(number % 3) or None, cpd_hours=Decimal("3"))
        for number in range(10)
    ]
    make_session(courses[1], starts_at=NOW + timedelta(days=20))
    start = datetime(2015, 1, 5, 9, 30, tzinfo=LONDON)

    def attend_up_to(total: int, already: int) -> None:
        for number in range(already, total):
            attended(person, courses[number % 10], start + timedelta(days=7 * number))
        db.session.commit()

    browser = signed_in_as(app, person)
    pages = ["/account/record", f"/admin/users/{person.id}/record"]
    coordinator = signed_in_as(app, make_user(password=PASSWORD, role=Role.COORDINATOR))

    def statements() -> list[int]:
        counts = []
        for path, viewer in zip(pages, (browser, coordinator), strict=True):
            with count_queries() as counted:
                assert viewer.get(path).status_code == 200
            counts.append(len(counted))
        return counts

    attend_up_to(5, 0)
    small = statements()
    attend_up_to(500, 5)
    large = statements()

    assert large == small
    assert max(small) <= 6, small
