"""The board's report (app/reports), without HTTP, on the data set of tests/reports_data.py:
every figure of every table asserted exactly, the period's edges on London's calendar,
people counted in the agency they were in at the time, walk-ins, a place handed on,
waived charges, the filters, and a fixed number of statements however much data."""

from datetime import date
from decimal import Decimal

import pytest

from app.charges.queries import date_range, financial_quarter, financial_year
from app.extensions import db
from app.models import Sector
from app.reports import queries, tables
from app.reports.figures import Mean, Rate
from app.reports.queries import ReportFilters
from tests.reports_data import NOW, build, london

YEAR = financial_year(2025)
D = Decimal


@pytest.fixture
def data(app):
    return build()


def report_of(**filters) -> queries.Report:
    filters.setdefault("period", YEAR)
    return queries.report(db.session, ReportFilters(**filters), NOW)


def cells(table: tables.Table) -> list[tuple]:
    return [row.cells for row in table.every_row]


# Figures -----------------------------------------------------------------------------------


def test_rates_and_means_are_rounded_half_up_to_one_place_once_at_the_end():
    assert Rate(2, 3).percent == D("66.7")
    assert Rate(1, 8).percent == D("12.5")
    assert Rate(1, 0).percent is None
    assert Mean(9, 4).value == D("2.3")  # 2.25
    assert Mean(15, 4).value == D("3.8")  # 3.75
    assert Mean(10, 3).value == D("3.3")
    assert Mean().value is None


# Activity ----------------------------------------------------------------------------------


def test_activity_by_course_counts_the_sessions_run_and_their_bookings(data):
    table = tables.activity_by_course(report_of())

    assert [column.heading for column in table.columns] == [
        "Course", "Prospectus", "Sessions run", "Places offered", "Places booked",
        "Fill rate", "Attended", "Walked in", "Left early", "Did not attend", "Not marked",
        "Cancelled late", "Attendance rate",
    ]  # fmt: skip
    assert cells(table) == [
        ("Section 47 enquiries", "Multi-agency", 1, 8, 3, D("37.5"), 3, 0, 0, 0, 0, 0, D("100.0")),
        ("Working together", "Multi-agency", 1, 10, 6, D("60.0"), 4, 1, 1, 1, 1, 1, D("50.0")),
        ("Early help assessment", "Early Help", 1, 12, 3, D("25.0"), 2, 0, 0, 1, 0, 0, D("66.7")),
        ("All courses", "", 3, 30, 12, D("40.0"), 9, 1, 1, 2, 1, 1, D("66.7")),
    ]  # fmt: skip


def test_activity_by_prospectus_adds_up_its_courses(data):
    assert cells(tables.activity_by_prospectus(report_of())) == [
        ("Multi-agency", 2, 18, 9, D("50.0"), 7, 1, 1, 1, 1, 1, D("66.7")),
        ("Early Help", 1, 12, 3, D("25.0"), 2, 0, 0, 1, 0, 0, D("66.7")),
        ("All prospectuses", 3, 30, 12, D("40.0"), 9, 1, 1, 2, 1, 1, D("66.7")),
    ]


def test_activity_by_agency_counts_people_in_the_agency_they_booked_from(data):
    # Pat Mover is in Rotherham Hospital's row for B and in the police's for C; Cam
    # Taker's place handed on by Tam Giver is the police's, and no cancellation.
    assert cells(tables.activity_by_agency(report_of())) == [
        ("Rotherham Council", "Social care", 1, 2, 1, 0, 0, 0, 1, D("100.0")),
        ("Rotherham Hospital", "Health", 3, 2, 0, 1, 0, 0, 0, D("66.7")),
        ("South Yorkshire Police", "Police", 6, 5, 0, 0, 1, 0, 0, D("83.3")),
        ("No agency recorded", "Other", 2, 0, 0, 0, 1, 1, 0, D("0.0")),
        ("All agencies", "", 12, 9, 1, 1, 2, 1, 1, D("66.7")),
    ]


def test_activity_by_sector_follows_the_agency_of_the_time(data):
    assert cells(tables.activity_by_sector(report_of())) == [
        ("Health", 3, 2, 0, 1, 0, 0, 0, D("66.7")),
        ("Police", 6, 5, 0, 0, 1, 0, 0, D("83.3")),
        ("Social care", 1, 2, 1, 0, 0, 0, 1, D("100.0")),
        ("Other", 2, 0, 0, 0, 1, 1, 0, D("0.0")),
        ("All sectors", 12, 9, 1, 1, 2, 1, 1, D("66.7")),
    ]


def test_a_walk_in_attends_without_taking_a_place_or_counting_in_the_attendance_rate(data):
    walk_in = report_of().activity.by_course[data.working_together.id]

    assert (walk_in.booked, walk_in.attended, walk_in.walked_in) == (6, 4, 1)
    assert walk_in.attendance_rate == Rate(3, 6)


def test_a_place_handed_on_is_no_late_cancellation(data):
    found = report_of(course_id=data.working_together.id).activity.total

    # Of Tam Giver's and Sal Worker's cancelled places, only Sal's was late.
    assert found.cancelled_late == 1


def test_a_cancelled_session_did_not_run(data):
    assert report_of(course_id=data.early_help.id).activity.total.sessions == 1


# The period --------------------------------------------------------------------------------


def test_a_session_on_1_april_is_in_the_year_starting_then_and_31_march_in_the_year_before(
    data,
):
    year = report_of().activity.by_course
    before = report_of(period=financial_year(2024)).activity.by_course
    after = report_of(period=financial_year(2026)).activity.by_course

    # A: 31 March 2025; B: 1 April 2025; C: 31 March 2026 at 11pm (10pm in UTC);
    # D: 1 April 2026 at 0:30am in London, still 31 March in UTC.
    assert list(before) == [data.working_together.id]
    assert set(year) == {data.working_together.id, data.section_47.id, data.early_help.id}
    assert list(after) == [data.section_47.id]


def test_quarters_and_dates_are_london_days(data):
    first = report_of(period=financial_quarter(2025, 1)).activity.by_course
    last = report_of(period=financial_quarter(2025, 4)).activity.by_course
    one_day = report_of(period=date_range(date(2026, 3, 31), date(2026, 3, 31)))

    assert list(first) == [data.working_together.id]
    assert list(last) == [data.section_47.id]
    assert list(one_day.activity.by_course) == [data.section_47.id]
    assert one_day.activity.total.booked == 3


def test_sessions_still_to_come_are_not_counted_yet(data):
    found = queries.report(db.session, ReportFilters(YEAR), london(2026, 3, 31, 12, 0))

    assert found.activity.total.sessions == 2
    assert found.activity.sessions_to_come == 1
    assert data.section_47.id not in found.activity.by_course


# Reach -------------------------------------------------------------------------------------


def test_reach_by_agency_counts_different_people_against_the_headcount(data):
    assert cells(tables.reach_by_agency(report_of())) == [
        ("Rotherham Council", "Social care", 2, None, None),
        ("Rotherham Hospital", "Health", 2, 200, D("1.0")),
        ("Rotherham Schools", "Education", 0, 10, D("0.0")),
        ("South Yorkshire Police", "Police", 4, 40, D("10.0")),
        # 7 people: Pat Mover trained from two agencies, and counts once.
        ("All agencies", "", 7, 250, D("2.0")),
    ]


def test_reach_by_sector_sets_against_the_agencies_that_gave_a_headcount(data):
    assert cells(tables.reach_by_sector(report_of())) == [
        ("Health", 2, 200, 2, D("1.0")),
        ("Police", 4, 40, 4, D("10.0")),
        ("Education", 0, 10, 0, D("0.0")),
        ("Social care", 2, None, None, None),
        ("All sectors", 7, 250, 5, D("2.0")),
    ]


# Evaluation --------------------------------------------------------------------------------


def test_confidence_by_outcome_counts_the_answers_of_people_who_were_there(data):
    # Nia Noshow's answer before B (5) is left out: she did not attend it; Lee Leaver's
    # count, as he left early and was asked for an evaluation.
    assert cells(tables.confidence_by_outcome(report_of())) == [
        ("Section 47 enquiries", "Start enquiries in time", D("2.5"), 2, D("4.5"), 2, D("2.0")),
        ("Working together", "Know who does what", D("2.0"), 3, D("3.3"), 3, D("1.3")),
        ("Working together", "Share information", D("3.0"), 1, D("5.0"), 1, D("2.0")),
        ("Early help assessment", "Lead an assessment", None, 0, D("4.0"), 1, None),
    ]


def test_evaluation_by_course_gives_the_rating_and_the_confidence_on_every_outcome(data):
    assert cells(tables.ratings_by_course(report_of())) == [
        ("Section 47 enquiries", 1, D("5.0"), D("2.5"), 2, D("4.5"), 2, D("2.0")),
        # 9 / 4 = 2.25 and 15 / 4 = 3.75, rounded half up.
        ("Working together", 3, D("3.7"), D("2.3"), 4, D("3.8"), 4, D("1.5")),
        ("Early help assessment", 1, D("3.0"), None, 0, D("4.0"), 1, None),
    ]


def test_the_answers_in_words_name_nobody_and_come_newest_first(data):
    table = tables.evaluation_answers(report_of())

    assert cells(table) == [
        ("Section 47 enquiries", "31 March 2026", 5, "Start the enquiry the same day", ""),
        ("Working together", "1 April 2025", 2, "Stay to the end", ""),
        ("Working together", "1 April 2025", 4, "Check who leads the enquiry", ""),
        (
            "Working together", "1 April 2025", 5, "Ask more questions",
            '=HYPERLINK("https://example.org")',
        ),
        ("Early help assessment", "20 November 2025", 3, "Use the assessment form", ""),
    ]  # fmt: skip
    names = {person.name for person in data.people.values()}
    assert not names & {cell for row in cells(table) for cell in row}


def test_the_page_shows_the_newest_answers_of_each_course_and_the_file_all(data, monkeypatch):
    monkeypatch.setattr(queries, "ANSWERS_SHOWN", 1)
    found = report_of()

    shown = found.evaluations.answers[data.working_together.id]
    every = tables.table_for_file(db.session, found, "evaluation-answers")

    assert [answer.do_differently for answer in shown] == ["Stay to the end"]
    assert len(every.rows) == 5


# Case-review reach -------------------------------------------------------------------------


def test_case_review_reach_by_sector_with_confidence_before_and_after(data):
    assert cells(tables.case_review_reach(report_of())) == [
        ("Child R", "Health", 1, D("1.0"), 1, D("3.0"), 1, D("2.0")),
        ("Child R", "Police", 4, D("2.5"), 4, D("4.5"), 4, D("2.0")),
        ("Child R", "Social care", 1, None, 0, None, 0, None),
        ("Child R", "All sectors", 5, D("2.2"), 5, D("4.2"), 5, D("2.0")),
        ("Child S", "Health", 1, None, 0, None, 0, None),
        ("Child S", "Social care", 1, None, 0, D("4.0"), 1, None),
        ("Child S", "All sectors", 2, None, 0, D("4.0"), 1, None),
    ]


def test_the_findings_no_course_addresses_stand_out(data):
    table = tables.case_review_findings(report_of())

    assert cells(table) == [
        ("Child R", 1, "Enquiries were late", "Section 47 enquiries; Working together", ""),
        ("Child R", 2, "Assessments were missed", "Working together", ""),
        ("Child R", 3, "Symptoms were uncertain", "", "No course addresses it"),
        ("Child S", 1, "Services could improve", "Early help assessment", ""),
        ("Child S", 2, "Recommendations", "", "No course addresses it"),
    ]
    unaddressed = "No course addresses it"
    assert [row.stands_out for row in table.rows] == ["", "", unaddressed, "", unaddressed]
    reviews = {review.title: review for review in report_of().reviews}
    assert [finding.text for finding in reviews["Child S"].unaddressed] == ["Recommendations"]


def test_findings_count_only_the_courses_chosen(data):
    reviews = {review.title: review for review in report_of(course_id=data.section_47.id).reviews}

    assert [finding.courses for finding in reviews["Child R"].findings] == [
        ["Section 47 enquiries"],
        [],
        [],
    ]


# Charges -----------------------------------------------------------------------------------


def test_charges_by_agency_count_waived_ones_as_raised_and_not_outstanding(data):
    table = tables.charges_by_agency(report_of())

    # Left out: raised on 31 March 2025, on 1 April 2026 in London (31 March in UTC), and
    # one cancelled when the register was corrected.
    assert cells(table) == [
        ("Rotherham Council", 1, 3000, 3000, 0),
        ("South Yorkshire Police", 1, 5000, 0, 5000),
        ("All agencies", 2, 8000, 3000, 5000),
    ]


# Filters -----------------------------------------------------------------------------------


def test_a_sector_counts_its_people_against_every_session(data):
    found = report_of(sector=Sector.POLICE)

    assert cells(tables.activity_by_course(found))[-1] == (
        "All courses", "", 3, 30, 6, D("20.0"), 5, 0, 0, 1, 0, 0, D("83.3"),
    )  # fmt: skip
    assert cells(tables.reach_by_agency(found)) == [
        ("South Yorkshire Police", "Police", 4, 40, D("10.0")),
        ("All agencies", "", 4, 40, D("10.0")),
    ]
    assert cells(tables.case_review_reach(found))[:2] == [
        ("Child R", "Police", 4, D("2.5"), 4, D("4.5"), 4, D("2.0")),
        ("Child R", "All sectors", 4, D("2.5"), 4, D("4.5"), 4, D("2.0")),
    ]
    assert cells(tables.charges_by_agency(found)) == [
        ("South Yorkshire Police", 1, 5000, 0, 5000),
        ("All agencies", 1, 5000, 0, 5000),
    ]


def test_an_agency_counts_its_people_as_they_were_then(data):
    found = report_of(agency_id=data.health.id)

    assert cells(tables.activity_by_agency(found)) == [
        ("Rotherham Hospital", "Health", 3, 2, 0, 1, 0, 0, 0, D("66.7")),
        ("All agencies", "", 3, 2, 0, 1, 0, 0, 0, D("66.7")),
    ]
    assert found.reach.total == 2


def test_a_prospectus_and_a_course_narrow_every_section(data):
    early = report_of(prospectus_id=data.early_help.prospectus_id)
    section_47 = report_of(course_id=data.section_47.id)

    assert list(early.activity.by_course) == [data.early_help.id]
    assert cells(tables.charges_by_agency(early)) == [("All agencies", 0, 0, 0, 0)]
    assert early.reach.total == 2
    assert cells(tables.ratings_by_course(section_47)) == [
        ("Section 47 enquiries", 1, D("5.0"), D("2.5"), 2, D("4.5"), 2, D("2.0")),
    ]
    assert cells(tables.case_review_reach(section_47))[:1] == [
        ("Child R", "Police", 3, D("2.5"), 2, D("4.5"), 2, D("2.0")),
    ]


def test_an_empty_period_reports_nothing_without_failing(data):
    found = report_of(period=financial_year(2020))

    assert cells(tables.activity_by_course(found)) == [
        ("All courses", "", 0, 0, 0, None, 0, 0, 0, 0, 0, 0, None)
    ]
    assert found.reach.total == 0
    assert cells(tables.case_review_reach(found))[0] == (
        "Child R", "All sectors", 0, None, 0, None, 0, None,
    )  # fmt: skip


def test_every_sheet_name_fits_excel(data):
    found = report_of()

    assert all(len(table(found).title) <= 31 for table in tables.TABLES.values())


# A fixed number of statements --------------------------------------------------------------


def test_the_report_takes_the_same_statements_whatever_the_data(data, count_queries):
    with count_queries() as small:
        queries.report(db.session, ReportFilters(YEAR), NOW)
    for copy in ("-2", "-3", "-4"):
        build(copy)
    with count_queries() as large:
        found = queries.report(db.session, ReportFilters(YEAR), NOW)

    assert found.activity.total.sessions > 3
    assert len(small) == len(large) <= 20
