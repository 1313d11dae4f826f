"""A data set made for the report's tests: every figure of the report for the financial
year April 2025 to March 2026 is worked out by hand in tests/test_reports.py.

Bookings, marks, evaluations and charges are written as the services leave them (the
services' own tests prove that they do), so that each figure can be set exactly:

- three sessions run in the year: B (Working together, 1 April 2025 at 9:30am, the
  year's first morning), C (Section 47, 31 March 2026 at 11pm, its last evening) and F
  (Early help assessment, 20 November 2025); E (Early help assessment, October) was
  cancelled; A (31 March 2025 at 10am) and D (1 April 2026 at 0:30am in London, still
  31 March in UTC) fall in the years either side;
- Pat Mover booked B from Rotherham Hospital, then moved to South Yorkshire Police and
  booked C from there;
- Wyn Walker walked in to B; Tam Giver handed their place on B to Cam Taker;
- charges: a no-show on B (Police, raised 2 April 2025), a late cancellation on B
  (Council, raised 1 April 2025 and waived), and three outside the year's charges: raised
  on 31 March 2025, on 1 April 2026 in London, and one cancelled.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from app.display import LONDON
from app.extensions import db
from app.models import (
    Agency,
    Attendance,
    Booking,
    BookingStatus,
    CaseReview,
    Charge,
    ChargeReason,
    ChargingBand,
    Course,
    CourseSession,
    Evaluation,
    KeyFinding,
    LessonLink,
    OutcomeConfidence,
    Sector,
    SessionStatus,
    Stage,
    User,
)
from tests.factories import (
    make_agency,
    make_case_review,
    make_course,
    make_prospectus,
    make_session,
    make_user,
)

#: When the report is made: the year's sessions have all started.
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def london(year: int, month: int, day: int, hour: int = 9, minute: int = 30) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


@dataclass
class DataSet:
    police: Agency
    health: Agency
    council: Agency
    school: Agency
    working_together: Course
    section_47: Course
    early_help: Course
    child_r: CaseReview
    child_s: CaseReview
    people: dict[str, User]
    sessions: dict[str, CourseSession]


def book(
    session: CourseSession,
    person: User,
    status: BookingStatus = BookingStatus.CONFIRMED,
    mark: Attendance | None = None,
    **fields,
) -> Booking:
    """A booking as the services leave it, from the agency the person is in now."""
    booking = Booking(
        session=session, user=person, agency=person.agency, status=status, attendance=mark, **fields
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def confidence(booking: Booking, stage: Stage, answers: dict[int, int]) -> None:
    for outcome_id, value in answers.items():
        db.session.add(
            OutcomeConfidence(
                booking=booking,
                outcome_id=outcome_id,
                stage=stage,
                confidence=value,
                answered_at=booking.session.ends_at,
            )
        )


def evaluate(booking: Booking, rating: int, words: str, anything_else: str = "") -> None:
    db.session.add(
        Evaluation(
            booking=booking,
            overall_rating=rating,
            do_differently=words,
            anything_else=anything_else,
            submitted_at=booking.session.ends_at,
        )
    )


def charge(booking: Booking, agency: Agency, pence: int, raised_at: datetime, **fields) -> Charge:
    found = Charge(
        booking=booking,
        user=booking.user,
        agency=agency,
        amount_pence=pence,
        reason=fields.pop("reason", ChargeReason.DID_NOT_ATTEND),
        raised_at=raised_at,
        **fields,
    )
    db.session.add(found)
    return found


def outcome_ids(course: Course) -> list[int]:
    return [outcome.id for outcome in course.all_outcomes]


def teach(course: Course, review: CaseReview, *findings: KeyFinding) -> None:
    db.session.add(
        LessonLink(course=course, case_review=review, note="Uses it", key_findings=list(findings))
    )


def build(copy: str = "") -> DataSet:
    """The data set; another `copy` has the same figures under names ending with it."""
    police = make_agency(
        name="South Yorkshire Police" + copy,
        sector=Sector.POLICE,
        headcount=40,
        charging_band=ChargingBand.CHARGEABLE,
    )
    health = make_agency(name="Rotherham Hospital" + copy, sector=Sector.HEALTH, headcount=200)
    council = make_agency(
        name="Rotherham Council" + copy,
        sector=Sector.SOCIAL_CARE,
        charging_band=ChargingBand.CHARGEABLE,
    )
    school = make_agency(name="Rotherham Schools" + copy, sector=Sector.EDUCATION, headcount=10)

    multi_agency = make_prospectus("multi-agency" + copy, title="Multi-agency", position=1)
    early = make_prospectus("early-help" + copy, title="Early Help", position=2)
    working_together = make_course(
        multi_agency,
        title="Working together",
        learning_outcomes="Know who does what\nShare information",
    )
    section_47 = make_course(
        multi_agency, title="Section 47 enquiries", learning_outcomes="Start enquiries in time"
    )
    early_help = make_course(
        early, title="Early help assessment", learning_outcomes="Lead an assessment"
    )

    child_r = make_case_review(
        "child-r" + copy,
        title="Child R",
        key_findings="Enquiries were late\nAssessments were missed\nSymptoms were uncertain",
    )
    child_s = make_case_review(
        "child-s" + copy, title="Child S", key_findings="Services could improve\nRecommendations"
    )
    r1, r2, _ = child_r.key_findings
    s1, _ = child_s.key_findings
    teach(working_together, child_r, r1, r2)
    teach(section_47, child_r, r1)
    teach(early_help, child_s, s1)

    people = {
        "officer": make_user(name="Olu Officer", agency=police),
        "no-show": make_user(name="Nia Noshow", agency=police),
        "mover": make_user(name="Pat Mover", agency=health),
        "nurse": make_user(name="Lee Leaver", agency=health),
        "social worker": make_user(name="Sal Worker", agency=council),
        "no agency": make_user(name="Una Nagency"),
        "walker": make_user(name="Wyn Walker", agency=council),
        "giver": make_user(name="Tam Giver", agency=police),
        "taker": make_user(name="Cam Taker", agency=police),
    }
    p = people

    sessions = {
        "A": make_session(working_together, starts_at=london(2025, 3, 31, 10, 0), capacity=10),
        "B": make_session(working_together, starts_at=london(2025, 4, 1), capacity=10),
        "C": make_session(section_47, starts_at=london(2026, 3, 31, 23, 0), hours=0.5, capacity=8),
        "D": make_session(section_47, starts_at=london(2026, 4, 1, 0, 30), capacity=8),
        "E": make_session(
            early_help,
            starts_at=london(2025, 10, 15),
            capacity=12,
            status=SessionStatus.CANCELLED,
        ),
        "F": make_session(early_help, starts_at=london(2025, 11, 20), capacity=12),
    }
    s = sessions
    wt = outcome_ids(working_together)
    s47 = outcome_ids(section_47)
    eh = outcome_ids(early_help)

    # The year before: not counted.
    earlier = book(s["A"], p["officer"], mark=Attendance.ATTENDED)
    evaluate(earlier, 1, "Nothing")
    charge(earlier, police, 5000, london(2025, 3, 31, 20, 0))

    # B, the year's first morning.
    officer_b = book(s["B"], p["officer"], mark=Attendance.ATTENDED)
    confidence(officer_b, Stage.BEFORE, {wt[0]: 2, wt[1]: 3})
    confidence(officer_b, Stage.AFTER, {wt[0]: 4, wt[1]: 5})
    evaluate(officer_b, 5, "Ask more questions", '=HYPERLINK("https://example.org")')
    no_show = book(s["B"], p["no-show"], mark=Attendance.DID_NOT_ATTEND)
    confidence(no_show, Stage.BEFORE, {wt[0]: 5})
    charge(no_show, police, 5000, london(2025, 4, 2, 10, 0))
    mover_b = book(s["B"], p["mover"], mark=Attendance.ATTENDED)
    confidence(mover_b, Stage.BEFORE, {wt[0]: 1})
    confidence(mover_b, Stage.AFTER, {wt[0]: 3})
    evaluate(mover_b, 4, "Check who leads the enquiry")
    leaver = book(s["B"], p["nurse"], mark=Attendance.LEFT_EARLY)
    confidence(leaver, Stage.BEFORE, {wt[0]: 3})
    confidence(leaver, Stage.AFTER, {wt[0]: 3})
    evaluate(leaver, 2, "Stay to the end")
    late = book(
        s["B"],
        p["social worker"],
        BookingStatus.CANCELLED,
        late_cancellation=True,
        cancelled_at=london(2025, 3, 31, 18, 0),
    )
    charge(
        late,
        council,
        3000,
        london(2025, 4, 1, 8, 0),
        reason=ChargeReason.LATE_CANCELLATION,
        waived_at=london(2025, 4, 10, 9, 0),
        waive_reason="Ill",
    )
    book(s["B"], p["no agency"])
    book(s["B"], p["walker"], mark=Attendance.ATTENDED, walk_in=True)
    # A place handed on: the giver's booking is cancelled, never late; the taker's is new.
    book(s["B"], p["giver"], BookingStatus.CANCELLED, cancelled_at=london(2025, 3, 20))
    book(s["B"], p["taker"], mark=Attendance.ATTENDED)

    # Pat Mover moves to the police, and books C from there.
    p["mover"].agency = police
    db.session.flush()

    # C, the year's last evening (22:00 in UTC).
    mover_c = book(s["C"], p["mover"], mark=Attendance.ATTENDED)
    confidence(mover_c, Stage.BEFORE, {s47[0]: 2})
    confidence(mover_c, Stage.AFTER, {s47[0]: 5})
    evaluate(mover_c, 5, "Start the enquiry the same day")
    officer_c = book(s["C"], p["officer"], mark=Attendance.ATTENDED)
    confidence(officer_c, Stage.BEFORE, {s47[0]: 3})
    confidence(officer_c, Stage.AFTER, {s47[0]: 4})
    no_show_c = book(s["C"], p["no-show"], mark=Attendance.ATTENDED)
    charge(no_show_c, police, 5000, london(2025, 12, 1), cancelled_at=london(2025, 12, 2))

    # D: 1 April 2026 in London, 31 March in UTC: the next year's.
    next_year = book(s["D"], p["nurse"], mark=Attendance.DID_NOT_ATTEND)
    charge(next_year, health, 5000, london(2026, 4, 1, 0, 45))

    # E was cancelled: it did not run.
    book(s["E"], p["social worker"])

    # F.
    worker_f = book(s["F"], p["social worker"], mark=Attendance.ATTENDED)
    confidence(worker_f, Stage.AFTER, {eh[0]: 4})
    evaluate(worker_f, 3, "Use the assessment form")
    book(s["F"], p["nurse"], mark=Attendance.ATTENDED)
    book(s["F"], p["no agency"], mark=Attendance.DID_NOT_ATTEND)
    db.session.flush()

    return DataSet(
        police,
        health,
        council,
        school,
        working_together,
        section_47,
        early_help,
        child_r,
        child_s,
        people,
        sessions,
    )
