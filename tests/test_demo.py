"""`flask --app wsgi seed --demo` loads the demo catalogue; loading it twice changes nothing."""

import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from app.charges import service as charges
from app.charges.queries import financial_year
from app.demo import load_demo_data, planned_moments, read_demo_file
from app.display import in_london
from app.evaluations.service import REQUEST_WINDOW
from app.extensions import db
from app.models import (
    Agency,
    Attendance,
    Booking,
    BookingStatus,
    CaseReview,
    Course,
    CourseSession,
    Delivery,
    Evaluation,
    ExternalTraining,
    LessonLink,
    Prospectus,
    Role,
    Sector,
    SessionStatus,
    User,
    utcnow,
)
from app.reports import queries
from app.working_days import ENGLAND_BANK_HOLIDAYS, next_working_day, previous_working_day
from tests.conftest import sign_in

MODELS = (Prospectus, Course, CourseSession, Booking, User, CaseReview, LessonLink)


def row_counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in MODELS
    }


def test_seed_needs_to_be_told_what_to_load(runner):
    result = runner.invoke(args=["seed"])

    assert result.exit_code != 0
    assert "--demo" in result.output


def test_seed_demo_is_idempotent(runner):
    first = runner.invoke(args=["seed", "--demo"])
    after_first = row_counts()
    second = runner.invoke(args=["seed", "--demo"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "0 new sessions" in second.output
    assert row_counts() == after_first


def test_demo_has_both_prospectuses_for_this_year_with_eight_courses_each(runner):
    runner.invoke(args=["seed", "--demo"])

    for slug in ("multi-agency", "early-help"):
        prospectus = db.session.scalar(select(Prospectus).filter_by(slug=slug))
        assert prospectus.published
        assert prospectus.year == utcnow().year
        assert len([course for course in prospectus.courses if course.published]) >= 8


def test_demo_sessions_are_spread_over_six_months_some_full_some_past(runner):
    runner.invoke(args=["seed", "--demo"])
    now = utcnow()
    sessions = db.session.scalars(
        select(CourseSession).options(undefer(CourseSession.places_taken))
    ).all()

    upcoming = [session for session in sessions if session.starts_at > now]
    assert any(session.starts_at < now for session in sessions)
    assert max(session.starts_at for session in upcoming) > now + timedelta(days=150)
    assert max(session.starts_at for session in upcoming) < now + timedelta(days=190)
    assert sum(session.is_full for session in upcoming) >= 3
    assert sum(0 < session.places_left <= 2 for session in upcoming) >= 3
    assert any(session.status is SessionStatus.CANCELLED for session in sessions)


def test_demo_has_the_child_r_and_child_s_reviews_linked_to_courses(runner):
    runner.invoke(args=["seed", "--demo"])

    child_r = db.session.scalar(select(CaseReview).filter_by(slug="child-r"))
    child_s = db.session.scalar(select(CaseReview).filter_by(slug="child-s"))

    assert "failure to protect Child R" in child_r.summary
    assert any("Section 47" in finding for finding in child_r.findings)
    assert child_s.year == 2012
    assert child_r.reports and child_s.reports
    assert child_r.lesson_links and child_s.lesson_links
    assert all(link.note for link in child_r.lesson_links + child_s.lesson_links)


def test_demo_ties_each_link_to_findings_leaving_one_of_child_s_untaught(runner):
    runner.invoke(args=["seed", "--demo"])
    runner.invoke(args=["seed", "--demo"])

    child_r = db.session.scalar(select(CaseReview).filter_by(slug="child-r"))
    child_s = db.session.scalar(select(CaseReview).filter_by(slug="child-s"))

    assert len(child_r.findings) == 5 and len(child_s.findings) == 3
    assert all(link.key_findings for link in child_r.lesson_links + child_s.lesson_links)
    assert all(finding.lesson_links for finding in child_r.key_findings)
    untaught = [finding.text for finding in child_s.key_findings if not finding.lesson_links]
    assert untaught == [child_s.findings[2]]
    assert "no suggestion any individual or agency failings" in untaught[0]
    assert child_r.for_practice and child_r.questions and child_s.questions


def test_demo_has_the_free_e_learning_on_child_sexual_exploitation(runner):
    runner.invoke(args=["seed", "--demo"])

    e_learning = db.session.scalars(select(Course).filter_by(delivery=Delivery.E_LEARNING)).all()

    assert any("sexual exploitation" in course.title.lower() for course in e_learning)
    assert all(course.external_url and not course.sessions for course in e_learning)


def test_demo_basic_training_is_refreshed_every_three_years(runner):
    runner.invoke(args=["seed", "--demo"])

    refreshed = db.session.scalars(select(Course).where(Course.refresh_years.is_not(None))).all()

    assert [(c.slug, c.refresh_years) for c in refreshed] == [
        ("safeguarding-children-an-introduction", 3)
    ]


def test_demo_catalogue_pages_answer(runner, client):
    runner.invoke(args=["seed", "--demo"])
    slugs = db.session.scalars(select(Course.slug)).all()

    for url in ["/", "/prospectuses/multi-agency", "/prospectuses/early-help", "/case-reviews"]:
        assert client.get(url).status_code == 200
    for slug in slugs:
        assert client.get(f"/courses/{slug}").status_code == 200


def test_demo_people_can_sign_in_with_the_demo_password(runner, client):
    runner.invoke(args=["seed", "--demo"])
    data = read_demo_file()
    person = data["people"][0]

    response = sign_in(client, person["email"].upper(), data["demo_password"])

    assert response.status_code == 302
    assert person["name"] in client.get("/account/bookings").text


def test_demo_training_team_reach_their_screens(runner, app):
    runner.invoke(args=["seed", "--demo"])
    data = read_demo_file()
    screens = {"coordinator": ("/admin", "/trainer"), "trainer": ("/trainer",)}

    for member in data["staff"]:
        browser = app.test_client()
        sign_in(browser, member["email"], data["demo_password"])
        for path in screens[member["role"]]:
            assert browser.get(path).status_code == 200, (member["email"], path)


def test_every_demo_booking_has_its_history_as_if_booked_through_the_site(runner):
    runner.invoke(args=["seed", "--demo"])

    bookings = db.session.scalars(select(Booking)).all()

    assert bookings
    reasons = {BookingStatus.CONFIRMED: "booked", BookingStatus.WAITING: "joined the waiting list"}
    for booking in bookings:
        entry, *later = booking.history
        assert (entry.from_status, entry.to_status) == (None, booking.status)
        assert entry.actor == booking.user
        assert entry.reason == reasons[booking.status]
        # A no-show's charge is noted, as the register notes it.
        charge = booking.standing_charge
        assert [event.reason for event in later] == (
            [f"Charged £50 to {charge.agency.name}: did not attend"] if charge else []
        )


def test_demo_registers_are_marked_through_the_register_charging_no_shows(runner):
    runner.invoke(args=["seed", "--demo"])

    marked = db.session.scalars(select(Booking).where(Booking.attendance.is_not(None))).all()
    no_shows = [booking for booking in marked if booking.attendance is Attendance.DID_NOT_ATTEND]

    assert all(booking.attendance_marked_by is not None for booking in marked)
    assert all(
        booking.attendance_marked_by in booking.session.trainers
        for booking in marked
        if booking.session.trainers
    )
    charged = [booking for booking in no_shows if booking.standing_charge]
    assert charged, "some no-shows are of chargeable agencies"
    for booking in no_shows:
        is_charged = booking.user.agency.charging_band.is_charged
        assert (booking.standing_charge is not None) == is_charged, booking.user.name
    assert all(booking.standing_charge.amount_pence == 5000 for booking in charged)
    assert all(
        booking.standing_charge.raised_at == booking.attendance_marked_at for booking in charged
    )


def test_demo_trainers_deliver_sessions_and_are_never_booked(runner):
    runner.invoke(args=["seed", "--demo"])
    trainer = db.session.scalar(select(User).where(User.email == "lisa.dyson@example.org"))

    delivering = db.session.scalars(
        select(CourseSession).where(CourseSession.trainers.contains(trainer))
    ).all()
    booked = db.session.scalar(select(func.count(Booking.id)).where(Booking.user == trainer))

    assert trainer.role is Role.TRAINER
    assert len(delivering) >= 4
    assert booked == 0


def test_the_next_working_day_passes_over_weekends_and_english_bank_holidays():
    # Boxing Day 2026 is a Saturday, so its bank holiday is on Monday 28 December.
    assert next_working_day(date(2026, 12, 26)) == date(2026, 12, 29)
    assert next_working_day(date(2026, 12, 13)) == date(2026, 12, 14)
    assert next_working_day(date(2027, 1, 10)) == date(2027, 1, 11)
    # Good Friday to Easter Monday 2027.
    assert next_working_day(date(2027, 3, 26)) == date(2027, 3, 30)
    friday = date(2026, 12, 4)
    assert next_working_day(friday) == friday


def test_the_previous_working_day_passes_back_over_weekends_and_bank_holidays():
    # A demo session planned a day before loading on Tuesday 29 December 2026 is held on
    # Thursday 24 December, before Christmas and its substitute days.
    assert previous_working_day(date(2026, 12, 28)) == date(2026, 12, 24)
    # Easter Monday 2027 to Maundy Thursday.
    assert previous_working_day(date(2027, 3, 29)) == date(2027, 3, 25)
    assert previous_working_day(date(2026, 12, 6)) == date(2026, 12, 4)
    friday = date(2026, 12, 4)
    assert previous_working_day(friday) == friday


@pytest.mark.parametrize(
    ("in_days", "held_on"),
    [
        (17, date(2026, 12, 24)),  # Christmas Eve is a working day.
        (21, date(2026, 12, 29)),  # Monday 28 December 2026 is Boxing Day's substitute.
    ],
)
def test_a_demo_session_on_a_bank_holiday_moves_as_one_at_a_weekend_does(in_days, held_on):
    planned = {"in_days": in_days, "start": "09:30", "end": "12:30"}

    starts, _ = planned_moments(planned, today=date(2026, 12, 7))

    assert in_london(starts).date() == held_on


def test_a_session_moved_over_the_clock_change_keeps_its_time_in_london():
    # Saturday 28 March 2026: the clocks go forward that night, so Monday is in summer time.
    planned = {"in_days": 3, "start": "09:30", "end": "12:30"}

    starts, ends = planned_moments(planned, today=date(2026, 3, 25))

    assert starts == datetime(2026, 3, 30, 8, 30, tzinfo=UTC)
    assert ends == datetime(2026, 3, 30, 11, 30, tzinfo=UTC)
    assert in_london(starts).time() == time(9, 30)


# A week of days to load on, so each session's offset meets every day of the week, and
# Christmas, New Year and Easter 2027 fall among them.
@pytest.mark.parametrize("today", [date(2026, 12, 1) + timedelta(days=n) for n in range(7)])
def test_every_demo_session_is_on_a_working_day_at_its_planned_time(app, today):
    data = read_demo_file()
    planned_times = {
        (entry["slug"], planned["start"], planned["end"]): planned.get("any_day", False)
        for entry in data["courses"]
        for planned in entry.get("sessions", [])
    }
    load_demo_data(db.session, data, today, Path(app.config["UPLOAD_FOLDER"]))

    sessions = db.session.scalars(select(CourseSession)).all()

    assert sessions
    for session in sessions:
        starts, ends = in_london(session.starts_at), in_london(session.ends_at)
        times = (session.course.slug, f"{starts:%H:%M}", f"{ends:%H:%M}")
        assert times in planned_times
        if planned_times[times]:
            # Planned for any day: tomorrow evening's session, which is never moved.
            assert starts.date() == today + timedelta(days=1)
            continue
        assert starts.weekday() < 5, (session.course.title, starts)
        assert starts.date() not in ENGLAND_BANK_HOLIDAYS, (session.course.title, starts)


def test_demo_past_sessions_have_their_registers_marked_with_certificates(runner):
    runner.invoke(args=["seed", "--demo"])
    now = utcnow()

    past = db.session.scalars(
        select(CourseSession).where(
            CourseSession.ends_at < now, CourseSession.status == SessionStatus.SCHEDULED
        )
    ).all()
    marks = Counter(booking.attendance for session in past for booking in session.bookings)
    assert past and None not in marks
    assert marks[Attendance.ATTENDED] > 10 * marks[Attendance.DID_NOT_ATTEND] > 0
    assert marks[Attendance.LEFT_EARLY] > 0
    attended = [
        booking
        for session in past
        for booking in session.bookings
        if booking.attendance is Attendance.ATTENDED
    ]
    assert all(booking.certificate and not booking.certificate.is_revoked for booking in attended)
    upcoming = db.session.scalars(
        select(Booking).join(Booking.session).where(CourseSession.starts_at > now)
    ).all()
    assert all(booking.attendance is None for booking in upcoming)


def test_after_the_demo_is_loaded_tick_sends_the_reminders_of_tomorrows_session(runner):
    runner.invoke(args=["seed", "--demo"])

    result = runner.invoke(args=["tick"])

    assert result.exit_code == 0, result.output
    sent = int(re.search(r"Reminders sent: (\d+)", result.output).group(1))
    assert sent >= 10
    assert "Reminders sent: 0" in runner.invoke(args=["tick"]).output


def test_on_the_demo_a_professional_can_hand_their_place_to_a_colleague(runner, app):
    from app.models import OutboxMessage
    from app.transactions import saved
    from app.transfers import service as transfers

    runner.invoke(args=["seed", "--demo"])
    now = utcnow()
    givable = [
        booking
        for booking in db.session.scalars(
            select(Booking).where(Booking.status == BookingStatus.CONFIRMED).order_by(Booking.id)
        )
        if transfers.giving(db.session, booking, now).can_give and booking.user.agency_id
    ]
    assert givable

    def colleague_free_for(booking: Booking) -> User | None:
        booked = select(Booking.user_id).where(Booking.session_id == booking.session_id)
        return db.session.scalars(
            select(User).where(
                User.agency_id == booking.user.agency_id,
                User.id.not_in(booked),
                User.role == Role.PROFESSIONAL,
            )
        ).first()

    booking, colleague = next(
        (booking, found) for booking in givable if (found := colleague_free_for(booking))
    )

    saved(transfers.give, db.session, booking.id, booking.user, colleague.email, now)

    invite = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == colleague.email)
    ).one()
    assert invite.calendar_method == "REQUEST"


def test_on_the_demo_a_person_who_missed_two_places_books_through_a_coordinator(runner, app):
    from app.bookings import service as bookings
    from app.transactions import saved

    runner.invoke(args=["seed", "--demo"])
    people = {
        person.email: person
        for person in db.session.scalars(
            select(User).where(
                User.email.in_(["priya.sharma@example.org", "emma.greaves@example.org"])
            )
        )
    }
    priya, emma = people["priya.sharma@example.org"], people["emma.greaves@example.org"]
    booked = select(Booking.session_id).where(Booking.user_id == priya.id)
    sessions = db.session.scalars(
        select(CourseSession)
        .where(
            CourseSession.starts_at > utcnow() + timedelta(days=7), CourseSession.id.not_in(booked)
        )
        .order_by(CourseSession.starts_at)
    )
    session = next(
        session
        for session in sessions
        if bookings.offer(db.session, session, priya, utcnow()).outcome
        is bookings.Outcome.COORDINATOR
    )

    booking = saved(bookings.book, db.session, session.id, priya, "", utcnow())

    assert booking.status is BookingStatus.AWAITING_COORDINATOR
    # One more no-show marked on the demo sends the police officer's next booking there.
    assert charges.non_attendances(db.session, emma.id, utcnow() - timedelta(days=365)) == 1
    browser = app.test_client()
    sign_in(browser, "joanne.kelsall@example.org", read_demo_file()["demo_password"])
    assert "Priya Sharma" in browser.get("/admin/approvals").text


def demo_person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def next_session_of(slug: str) -> CourseSession:
    return db.session.scalars(
        select(CourseSession)
        .join(CourseSession.course)
        .where(Course.slug == slug, CourseSession.starts_at > utcnow() + timedelta(days=7))
        .order_by(CourseSession.starts_at)
    ).first()


def test_on_the_demo_level_2_needs_the_introduction_and_a_coordinator_can_book_past_it(runner):
    from app.bookings import service as bookings
    from app.prerequisites.service import PrerequisitesMissing
    from app.transactions import saved

    runner.invoke(args=["seed", "--demo"])
    gemma = demo_person("gemma.turton@example.org")
    session = next_session_of("working-together-to-safeguard-children")

    with pytest.raises(PrerequisitesMissing) as refused:
        bookings.offer(db.session, session, gemma, utcnow())
    assert [missing.title for missing in refused.value.missing] == [
        "Safeguarding children: an introduction"
    ]
    joanne = demo_person("joanne.kelsall@example.org")
    override = bookings.Override(joanne, "Level 1 done with her previous employer")
    booking = saved(bookings.book_for, db.session, session.id, gemma, override, utcnow())
    assert booking.booked_by_id == joanne.id


def test_on_the_demo_some_sessions_share_their_places_between_sectors(runner):
    from app.bookings import service as bookings

    runner.invoke(args=["seed", "--demo"])
    capped, held = (
        db.session.scalars(
            select(CourseSession)
            .join(CourseSession.course)
            .where(Course.slug == slug, CourseSession.sector_places.any())
        ).one()
        for slug in ("domestic-abuse-and-its-impact-on-children", "neglect")
    )

    assert [(row.sector.value, row.most) for row in capped.sector_places] == [("police", 4)]
    assert [(row.sector.value, row.held, row.held_until_days) for row in held.sector_places] == [
        ("health", 6, 14)
    ]
    teacher = demo_person("gemma.turton@example.org")
    nurse = demo_person("michelle.dyson@example.org")
    assert bookings.offer(db.session, held, teacher, utcnow()).outcome is bookings.Outcome.WAIT
    assert bookings.offer(db.session, held, nurse, utcnow()).outcome is bookings.Outcome.CONFIRM


def test_on_the_demo_people_waiting_for_a_date_are_mailed_when_a_session_is_published(runner, app):
    from app.models import OutboxMessage
    from tests.conftest import press, submit
    from tests.test_admin_catalogue_pages import new_session

    runner.invoke(args=["seed", "--demo"])
    course = db.session.scalar(select(Course).filter_by(slug="safeguarding-disabled-children"))
    waiting = {"helen.marsden@example.org", "gemma.turton@example.org"}
    assert course.is_public and course.sessions == []
    visitor = app.test_client().get(f"/courses/{course.slug}").text
    assert "Sign in to be told when there is a date" in visitor
    browser = app.test_client()
    sign_in(browser, "helen.marsden@example.org", read_demo_file()["demo_password"])
    assert "You are on the list for this course" in browser.get(f"/courses/{course.slug}").text

    coordinator = app.test_client()
    sign_in(coordinator, "joanne.kelsall@example.org", read_demo_file()["demo_password"])
    assert "2 people have asked" in coordinator.get(f"/admin/courses/{course.id}").text
    added = submit(coordinator, f"/admin/courses/{course.id}/sessions/new", new_session())
    published = press(coordinator, added.location, f"{added.location}/publish")

    assert published.status_code == 302
    mailed = db.session.scalars(
        select(OutboxMessage.to_address).where(
            OutboxMessage.subject == "A new date for Safeguarding disabled children"
        )
    ).all()
    assert set(mailed) == waiting


def test_on_the_demo_training_elsewhere_is_accepted_for_one_and_waiting_for_another(runner, app):
    from app.external_training import files

    runner.invoke(args=["seed", "--demo"])
    runner.invoke(args=["seed", "--demo"])
    found = {
        training.user.email: training for training in db.session.scalars(select(ExternalTraining))
    }
    folder = Path(app.config["UPLOAD_FOLDER"])

    assert set(found) == {"helen.marsden@example.org", "gemma.turton@example.org"}
    helen, gemma = found["helen.marsden@example.org"], found["gemma.turton@example.org"]
    assert helen.is_accepted and helen.decided_by.email == "joanne.kelsall@example.org"
    assert gemma.is_waiting
    for training in (helen, gemma):
        assert training.course.slug == "child-sexual-exploitation-e-learning"
        assert training.provider == "Virtual College"
        content = (folder / training.certificate_path).read_bytes()
        assert files.certificate_type(content) == "application/pdf"
    assert len(list(folder.iterdir())) == 2


def test_on_the_demo_training_accepted_elsewhere_meets_a_prerequisite(runner):
    from app.bookings import service as bookings
    from app.prerequisites.service import PrerequisitesMissing

    runner.invoke(args=["seed", "--demo"])
    session = next_session_of("child-sexual-exploitation-spotting-the-signs")

    helen = demo_person("helen.marsden@example.org")
    assert bookings.offer(db.session, session, helen, utcnow()).outcome in (
        bookings.Outcome.CONFIRM,
        bookings.Outcome.WAIT,
    )
    with pytest.raises(PrerequisitesMissing, match="Child sexual exploitation e-learning"):
        bookings.offer(db.session, session, demo_person("gemma.turton@example.org"), utcnow())


def test_on_the_demo_a_place_freed_tomorrow_evening_is_offered_passed_on_and_accepted(runner):
    from app.bookings import service as bookings
    from app.transactions import saved

    runner.invoke(args=["seed", "--demo"])
    evening = db.session.scalars(
        select(CourseSession)
        .join(CourseSession.course)
        .where(Course.slug == "young-carers")
        .order_by(CourseSession.starts_at)
    ).first()
    assert evening.starts_at - utcnow() < timedelta(hours=48)
    assert in_london(evening.starts_at).time() == time(18)
    places = {booking.user.email: booking for booking in evening.bookings}
    sarah = places["sarah.whitworth@example.org"]
    nadia = places["nadia.akhtar@example.org"]
    tom = places["tom.fairbrother@example.org"]
    assert [b.status for b in (sarah, nadia, tom)] == [
        BookingStatus.CONFIRMED,
        BookingStatus.WAITING,
        BookingStatus.WAITING,
    ]
    now = utcnow()

    saved(bookings.cancel, db.session, sarah.id, sarah.user, now)
    db.session.expire_all()
    assert nadia.status is BookingStatus.OFFERED
    saved(bookings.release_session_approvals, db.session, evening.id, nadia.approval_expires_at)
    db.session.expire_all()
    assert nadia.offer_lapsed and tom.status is BookingStatus.OFFERED
    saved(bookings.accept_offer, db.session, tom.id, tom.approval_expires_at - timedelta(hours=1))

    db.session.expire_all()
    assert tom.status is BookingStatus.CONFIRMED
    assert places["wayne.appleyard@example.org"].status is BookingStatus.WAITING


def test_demo_cancelled_sessions_say_when_and_why_in_the_coordinators_area(runner, app):
    runner.invoke(args=["seed", "--demo"])
    cancelled = db.session.scalars(
        select(CourseSession).where(CourseSession.status == SessionStatus.CANCELLED)
    ).all()
    browser = app.test_client()
    sign_in(browser, "joanne.kelsall@example.org", read_demo_file()["demo_password"])

    assert len(cancelled) == 2
    for session in cancelled:
        assert session.cancelled_at < session.starts_at and session.cancellation_reason
        page = browser.get(f"/admin/sessions/{session.id}")
        assert page.status_code == 200
        assert "The trainer is unwell" in page.text


def test_demo_police_officers_have_a_line_manager_to_tell_of_charges(runner):
    runner.invoke(args=["seed", "--demo"])
    officers = db.session.scalars(
        select(User).join(User.agency).where(Agency.name == "South Yorkshire Police")
    ).all()

    assert {officer.line_manager_email for officer in officers} == {"karen.lowe@example.org"}


def test_on_the_demo_the_report_answers_the_boards_questions_about_case_reviews(app):
    """How many police officers attended courses drawing on Child R this financial year,
    and did their confidence rise? Which findings of Child S does no course address?
    Loaded on a December day, so that the past sessions are all in this year."""
    today = date(2026, 12, 7)
    load_demo_data(db.session, read_demo_file(), today, Path(app.config["UPLOAD_FOLDER"]))
    now = datetime.combine(today, time(12), tzinfo=UTC)

    report = queries.report(db.session, queries.ReportFilters(financial_year(2026)), now)

    reviews = {review.title.split(" - ")[0]: review for review in report.reviews}
    police = reviews["Child R"].confidence_by_sector[Sector.POLICE]
    assert reviews["Child R"].people_by_sector[Sector.POLICE] == 4
    assert police.after.value > police.before.value
    assert [finding.position for finding in reviews["Child S"].unaddressed] == [3]
    # Evaluations are left to `flask tick` for the sessions it would still ask about.
    recent = CourseSession.ends_at > now - REQUEST_WINDOW
    evaluated = select(func.count(Evaluation.id)).join(Evaluation.booking).join(Booking.session)
    assert db.session.scalar(evaluated.where(recent)) == 0
    assert db.session.scalar(evaluated) > 0


def test_demo_courses_type_no_charge_cut_off_or_times_the_rules_and_sessions_give():
    # Amounts and notice come from the charges' settings and each session's cut-off, and
    # times from each session: typed again in a course, they go on to disagree.
    for course in read_demo_file()["courses"]:
        policy, duration = course.get("charges_policy", ""), course.get("duration", "")
        assert "£" not in policy and "notice" not in policy, course["slug"]
        assert not re.search(r"\d[.:]\d\d ?[ap]m", duration), course["slug"]
