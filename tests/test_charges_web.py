"""The coordinator's charges: the list by period and agency with its totals, the CSV and
Excel exports (formula-safe), and waiving a charge with a reason."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.charges import queries
from app.extensions import db
from app.models import (
    Attendance,
    AuditEntry,
    Booking,
    BookingStatus,
    Charge,
    ChargeReason,
    ChargingBand,
    OutboxMessage,
)
from tests.conftest import csrf_token, field_errors, signed_in_as, submit, summary_errors, words
from tests.factories import (
    PASSWORD,
    charge_on,
    make_agency,
    make_booking,
    make_course,
    make_prospectus,
    make_session,
    make_user,
)

#: In the third quarter (October to December) of the financial year 2026 to 2027.
RAISED = datetime(2026, 11, 10, 17, 0, tzinfo=UTC)


@pytest.fixture
def police(app):
    return make_agency(name="South Yorkshire Police", charging_band=ChargingBand.CHARGEABLE)


@pytest.fixture
def school(app):
    return make_agency(name="=cmd|' /C calc'!A0", charging_band=ChargingBand.CHARGEABLE)


def charge(agency, raised_at=RAISED, amount=5000, name="Olive Officer", title="Neglect", **fields):
    course = make_course(make_prospectus(f"p-{agency.id}-{raised_at:%s}-{name}"), title=title)
    session = make_session(course, starts_at=raised_at - timedelta(hours=4))
    booking = make_booking(session, name=name, agency=agency, **fields)
    made = Charge(
        booking=booking,
        user=booking.user,
        agency=agency,
        amount_pence=amount,
        reason=ChargeReason.DID_NOT_ATTEND,
        raised_at=raised_at,
    )
    db.session.add(made)
    db.session.commit()
    return made


QUARTER_3 = "/admin/charges?year=2026&quarter=3"


def test_charges_of_a_quarter_with_their_totals(as_coordinator, police, coordinator):
    charge(police)
    waived = charge(police, amount=2500, name="Wes Waived")
    waived.waived_at, waived.waived_by, waived.waive_reason = RAISED, coordinator, "Was ill"
    charge(police, raised_at=datetime(2026, 10, 1, 9, tzinfo=UTC), name="Quinn Quarter")
    charge(police, raised_at=datetime(2026, 9, 30, 23, 30, tzinfo=UTC), name="Lotte London")
    charge(police, raised_at=datetime(2027, 1, 1, 0, 30, tzinfo=UTC), name="Nell Nextquarter")
    cancelled = charge(police, name="Cass Cancelled")
    cancelled.cancelled_at = RAISED
    db.session.commit()

    page = words(as_coordinator.get(QUARTER_3).text)

    # 30 September 23:30 UTC is 1 October in London; cancelled ones are not charges.
    assert "4 charges: Quarter 3 of 2026 to 2027 (October to December 2026)" in page
    for name in ("Olive Officer", "Wes Waived", "Quinn Quarter", "Lotte London"):
        assert name in page
    assert "Nell Nextquarter" not in page and "Cass Cancelled" not in page
    assert "Raised £175 Waived £25 Total owed £150" in page
    assert "Waived By Cora Ordinator on 10 November 2026: Was ill" in page


def test_charges_of_a_financial_year_a_date_range_and_an_agency(as_coordinator, police, school):
    charge(police, raised_at=datetime(2026, 4, 1, 9, tzinfo=UTC), name="April First")
    charge(police, raised_at=datetime(2027, 3, 31, 9, tzinfo=UTC), name="March Last")
    charge(police, raised_at=datetime(2027, 4, 1, 9, tzinfo=UTC), name="Next Year")
    charge(school, name="Sam School")

    year = words(as_coordinator.get("/admin/charges?year=2026&quarter=").text)
    ranged = words(
        as_coordinator.get("/admin/charges?year=2026&first_day=2027-03-31&last_day=1/4/2027").text
    )
    by_agency = words(
        as_coordinator.get(f"/admin/charges?year=2026&quarter=&agency={school.id}").text
    )

    assert "3 charges: April 2026 to March 2027" in year and "Next Year" not in year
    assert "2 charges: 31 March 2027 to 1 April 2027" in ranged
    assert "March Last" in ranged and "Next Year" in ranged
    assert "1 charge: April 2026 to March 2027" in by_agency and "Sam School" in by_agency


def test_the_list_starts_at_this_quarter(as_coordinator):
    today = date.today()
    page = words(as_coordinator.get("/admin/charges").text)
    assert (
        queries.financial_quarter(queries.financial_year_of(today), queries.quarter_of(today)).label
        in page
    )


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        ("first_day=31/2/2026&last_day=1/3/2026", "first_day", "Enter the first day as a date"),
        ("first_day=1/3/2026", "last_day", "Enter the last day too"),
        ("first_day=2/3/2026&last_day=1/3/2026", "last_day", "The last day must be"),
        ("year=1999", "year", "Choose a financial year from the list"),
        ("agency=99999", "agency", "Choose an agency from the list"),
    ],
)
def test_filters_that_name_no_period_say_so(as_coordinator, arguments, field, message):
    response = as_coordinator.get(f"/admin/charges?{arguments}")

    assert response.status_code == 400
    assert field_errors(response.text)[field].startswith(message)
    assert summary_errors(response.text)[field].startswith(message)
    assert as_coordinator.get(f"/admin/charges/export.csv?{arguments}").status_code == 400


def test_the_csv_is_one_line_a_charge_and_formula_safe(as_coordinator, school, coordinator):
    charge(school, name='=HYPERLINK("http://evil")', title="+SUM(A1)")
    waived = charge(school, name="@Wes", amount=1250)
    waived.waived_at, waived.waived_by, waived.waive_reason = RAISED, coordinator, "-1+1"
    db.session.commit()

    response = as_coordinator.get("/admin/charges/export.csv?year=2026&quarter=3")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "charges-2026-10-01-to-2026-12-31.csv" in response.headers["Content-Disposition"]
    header, *rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header[:8] == [
        "Agency",
        "Person",
        "Email",
        "Course",
        "Session date",
        "Reason",
        "Amount (£)",
        "Status",
    ]
    by_person = {row[1]: row for row in rows}
    first = by_person['\'=HYPERLINK("http://evil")']
    assert first[0] == "'=cmd|' /C calc'!A0"
    assert first[3:8] == ["'+SUM(A1)", "10 November 2026", "Did not attend", "50.00", "Charged"]
    assert by_person["'@Wes"][6:8] == ["12.50", "Waived"]
    assert by_person["'@Wes"][-1] == "'-1+1"
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_the_excel_file_has_no_formula_and_its_totals(as_coordinator, school):
    charge(school, name="=cmd", title="=1+1")
    charge(school, name="Plain Name", amount=1250)

    response = as_coordinator.get("/admin/charges/export.xlsx?year=2026&quarter=3")

    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Agency"
    people = {row[1]: row for row in values[1:3]}
    assert people["'=cmd"][0] == "'=cmd|' /C calc'!A0"
    assert people["'=cmd"][3] == "'=1+1"
    assert people["'=cmd"][6] == 50 and people["Plain Name"][6] == 12.5
    assert [row[0] for row in values[-3:]] == ["Raised", "Waived", "Total owed"]
    assert [row[6] for row in values[-3:]] == [62.5, 0, 62.5]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_coordinator_waives_a_charge_with_a_reason(as_coordinator, police):
    made = charge(
        police,
        email="olive@police.example.org",
        line_manager_email="mo@police.example.org",
        raised_at=datetime.now(UTC),
    )
    url = f"/admin/charges/{made.id}/waive"

    missing = submit(as_coordinator, url, {"reason": "  "})
    response = submit(as_coordinator, url, {"reason": "Stuck on the M1, told us at 9am"})

    assert missing.status_code == 400
    assert field_errors(missing.text)["reason"] == "Enter why the charge is waived"
    assert response.status_code == 302
    page = words(as_coordinator.get(response.headers["Location"]).text)
    assert (
        "The charge of £50 to South Yorkshire Police for Olive Officer is waived; they and "
        "their line manager have been emailed." in page
    )
    assert "Stuck on the M1, told us at 9am" in page
    db.session.expire_all()
    waived = db.session.get(Charge, made.id)
    assert waived.is_waived and waived.waive_reason == "Stuck on the M1, told us at 9am"
    told = db.session.scalars(select(OutboxMessage.to_address)).all()
    assert sorted(told) == ["mo@police.example.org", "olive@police.example.org"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "charge")).one()
    assert entry.changes["waive_reason"][1] == "Stuck on the M1, told us at 9am"
    again = as_coordinator.get(url)
    assert "Nothing is owed on this charge" in words(again.text)


def test_waiving_the_charge_of_someone_with_no_line_manager_says_only_they_were_told(
    as_coordinator, police
):
    made = charge(police, email="nomanager@police.example.org", raised_at=datetime.now(UTC))

    response = submit(as_coordinator, f"/admin/charges/{made.id}/waive", {"reason": "Snow"})

    page = words(as_coordinator.get(response.headers["Location"]).text)
    assert "for Olive Officer is waived; they have been emailed." in page
    assert db.session.scalars(select(OutboxMessage.to_address)).all() == [
        "nomanager@police.example.org"
    ]


def test_waiving_a_charge_that_is_not_there_is_404(as_coordinator):
    assert as_coordinator.get("/admin/charges/12345/waive").status_code == 404


def test_professionals_and_trainers_cannot_see_charges(app, as_trainer):
    professional = signed_in_as(app, make_user(password=PASSWORD))
    assert professional.get("/admin/charges").status_code == 403
    assert as_trainer.get("/admin/charges/export.csv").status_code == 403


def test_the_list_issues_a_fixed_number_of_queries(as_coordinator, police, count_queries):
    charge(police, name="First")
    with count_queries() as small:
        as_coordinator.get(QUARTER_3)
    for number in range(6):
        charge(make_agency(), name=f"Person {number}", title=f"Course {number}")
    with count_queries() as large:
        page = as_coordinator.get(QUARTER_3)
    assert "7 charges" in words(page.text)
    assert len(large) == len(small)


# The register and the person's own bookings


def test_the_register_shows_each_charge_without_a_query_a_row(
    app, as_trainer, trainer, police, count_queries
):
    course = make_course(make_prospectus(), title="Neglect")
    ended = make_session(course, starts_at=datetime.now(UTC) - timedelta(hours=5), hours=3)
    ended.trainers = [trainer]
    charged = make_booking(ended, name="Charlie Charged", agency=police)
    charged.attendance = Attendance.DID_NOT_ATTEND
    charge_on(charged)
    waived = make_booking(ended, name="Wendy Waived", agency=police)
    waived.attendance = Attendance.DID_NOT_ATTEND
    charge_on(waived, amount_pence=2500, waived_at=datetime.now(UTC), waive_reason="Ill")
    db.session.commit()
    url = f"/trainer/sessions/{ended.id}"

    with count_queries() as few:
        page = words(as_trainer.get(url).text)
    for _ in range(5):
        booking = make_booking(ended, agency=police)
        booking.attendance = Attendance.DID_NOT_ATTEND
        charge_on(booking)
    with count_queries() as many:
        as_trainer.get(url)

    assert "Charged £50" in page
    assert "Charge of £25 waived" in page
    assert len(many) == len(few)


def test_a_person_sees_their_own_charges_and_how_to_dispute_them(app, police, coordinator):
    person = make_user(password=PASSWORD, agency=police)
    course = make_course(make_prospectus(), title="Neglect")
    session = make_session(course, starts_at=datetime(2026, 11, 10, 9, tzinfo=UTC))
    booking = Booking(session=session, user=person, status=BookingStatus.CONFIRMED)
    db.session.add(booking)
    charge_on(booking, raised_at=RAISED)
    cancelled = Booking(session=make_session(course), user=person, status=BookingStatus.CANCELLED)
    db.session.add(cancelled)
    charge_on(
        cancelled,
        amount_pence=3000,
        reason=ChargeReason.LATE_CANCELLATION,
        waived_at=RAISED,
        waived_by=coordinator,
        waive_reason="Family emergency",
    )
    someone_else = make_booking(session, name="Somebody Else", agency=police)
    charge_on(someone_else, amount_pence=9900)
    browser = signed_in_as(app, person)

    page = words(browser.get("/account/bookings").text)

    assert "Charges" in page
    assert (
        "Did not attend, charged to South Yorkshire Police on 10 November 2026 £50 Charged" in page
    )
    assert (
        "Late cancellation" in page and "£30 Waived on 10 November 2026: Family emergency" in page
    )
    assert "£99" not in page
    assert "write to training@example.org" in page


def test_a_trainer_marks_a_police_officer_as_not_attending_once_the_session_ended(
    app, as_trainer, trainer, police
):
    course = make_course(make_prospectus(), title="Neglect")
    ended = make_session(course, starts_at=datetime.now(UTC) - timedelta(hours=5), hours=3)
    ended.trainers = [trainer]
    booking = make_booking(
        ended,
        name="Olive Officer",
        email="olive@police.example.org",
        agency=police,
        line_manager_email="mo@police.example.org",
    )
    db.session.commit()
    register = f"/trainer/sessions/{ended.id}"
    token = csrf_token(as_trainer.get(register).text)

    done = as_trainer.post(
        f"{register}/bookings/{booking.id}/attendance",
        data={"csrf_token": token, "attendance": "did-not-attend"},
    )

    page = words(as_trainer.get(done.headers["Location"]).text)
    assert (
        "Olive Officer: did not attend. South Yorkshire Police is charged £50, and Olive "
        "Officer has been emailed how to dispute it." in page
    )
    assert "Charged £50" in page
    told = db.session.scalars(select(OutboxMessage.to_address)).all()
    assert sorted(told) == ["mo@police.example.org", "olive@police.example.org"]


def test_a_person_is_told_before_cancelling_late_what_it_costs_and_after(app, police):
    person = make_user(password=PASSWORD, agency=police)
    course = make_course(make_prospectus(), title="Neglect")
    soon = make_session(course, starts_at=datetime.now(UTC) + timedelta(hours=24))
    booking = Booking(session=soon, user=person, status=BookingStatus.CONFIRMED)
    db.session.add(booking)
    db.session.commit()
    browser = signed_in_as(app, person)
    url = f"/bookings/{booking.id}"

    before = words(browser.get(url).text)
    token = csrf_token(browser.get(url).text)
    done = browser.post(f"{url}/cancel", data={"csrf_token": token})
    after = words(browser.get(done.headers["Location"]).text)

    assert (
        "recorded as a late cancellation, and South Yorkshire Police will be charged £50." in before
    )
    assert (
        "it is recorded as a late cancellation. South Yorkshire Police will be charged £50: "
        "we have emailed you how to dispute it." in after
    )
    assert "South Yorkshire Police has been charged £50 for this late cancellation." in after


def test_a_partner_agency_s_people_are_not_warned_of_a_charge(app):
    partner = make_agency(name="Rotherham Hospital", charging_band=ChargingBand.PARTNER)
    person = make_user(password=PASSWORD, agency=partner)
    course = make_course(make_prospectus(), title="Neglect")
    soon = make_session(course, starts_at=datetime.now(UTC) + timedelta(hours=24))
    booking = Booking(session=soon, user=person, status=BookingStatus.CONFIRMED)
    db.session.add(booking)
    db.session.commit()

    page = words(signed_in_as(app, person).get(f"/bookings/{booking.id}").text)

    assert "recorded as a late cancellation. Please still cancel" in page
    assert "charged" not in page


def test_a_person_s_page_in_the_coordinator_s_area_lists_their_charges(as_coordinator, police):
    made = charge(police, name="Olive Officer")

    page = words(as_coordinator.get(f"/admin/users/{made.user_id}").text)

    assert "Charges" in page
    assert "Did not attend, to South Yorkshire Police £50 Charged Waive" in page
