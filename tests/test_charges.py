"""The rules of charges (app/charges/service.py), without HTTP: which agencies are charged,
for how much, when a charge is raised, cancelled and waived, and the mail it sends."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.bookings import integrity
from app.bookings import service as bookings
from app.charges import service as charges
from app.charges.service import ChargeRates
from app.extensions import db
from app.models import (
    Attendance,
    Booking,
    BookingEvent,
    BookingStatus,
    Charge,
    ChargeReason,
    ChargingBand,
    OutboxMessage,
    utcnow,
)
from app.refusals import Refused
from app.sessions import service as sessions
from app.transactions import saved
from tests.factories import make_agency, make_booking, make_course, make_prospectus, make_session

RATES = ChargeRates(non_attendance_pence=5000, late_cancellation_pence=3000)


@pytest.fixture
def police(app):
    return make_agency(name="South Yorkshire Police", charging_band=ChargingBand.CHARGEABLE)


@pytest.fixture
def course(app):
    return make_course(make_prospectus(), title="Child exploitation")


@pytest.fixture
def ended(course, trainer):
    """A session that ended an hour ago."""
    return make_session(
        course, starts_at=utcnow() - timedelta(hours=4), hours=3, trainers=[trainer]
    )


@pytest.fixture
def under_way(course, trainer):
    return make_session(
        course, starts_at=utcnow() - timedelta(hours=1), hours=3, trainers=[trainer]
    )


def officer(session, agency, **fields):
    return make_booking(
        session,
        name="Olive Officer",
        email="olive@police.example.org",
        agency=agency,
        line_manager_name="Mo Manager",
        line_manager_email="mo@police.example.org",
        **fields,
    )


def mark(session, booking, attendance, actor, now=None, rates=RATES):
    return saved(
        sessions.mark_attendance,
        db.session,
        session.id,
        booking.id,
        attendance,
        actor,
        now or utcnow(),
        rates,
    )


def charges_of(booking) -> list[Charge]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Charge).where(Charge.booking_id == booking.id).order_by(Charge.id)
        )
    )


def mail_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address))
    )


# Raising a charge for a no-show


def test_a_no_show_at_a_chargeable_agency_is_charged_and_told_with_their_manager(
    ended, police, trainer
):
    booking = officer(ended, police)

    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)

    [charge] = charges_of(booking)
    assert (charge.amount_pence, charge.reason) == (5000, ChargeReason.DID_NOT_ATTEND)
    assert (charge.user_id, charge.agency_id) == (booking.user_id, police.id)
    assert charge.is_owed
    [to_officer] = mail_to("olive@police.example.org")
    [to_manager] = mail_to("mo@police.example.org")
    assert "Charge for a wasted place" in to_officer.subject
    assert "did not attend" in to_officer.text_body
    assert "South Yorkshire Police will be charged £50" in to_officer.text_body
    assert "reply to this email or write to training@" in to_officer.text_body
    assert "Olive Officer" in to_manager.subject
    assert "You are Olive Officer's line manager" in to_manager.text_body
    assert "Olive Officer did not attend" in to_manager.text_body
    history = [event.reason for event in charges_of(booking)[0].booking.history]
    assert "Charged £50 to South Yorkshire Police: did not attend" in history


@pytest.mark.parametrize("band", [ChargingBand.PARTNER, ChargingBand.VOLUNTARY])
def test_partner_and_voluntary_agencies_are_never_charged(ended, trainer, band):
    booking = officer(ended, make_agency(charging_band=band))

    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)

    assert charges_of(booking) == []
    assert mail_to("olive@police.example.org") == []


def test_someone_with_no_agency_is_charged_nothing(ended, trainer):
    booking = officer(ended, None)

    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)

    assert charges_of(booking) == []


def test_new_agencies_are_chargeable_until_a_coordinator_says_otherwise(app):
    assert make_agency().charging_band is ChargingBand.CHARGEABLE


def test_a_course_can_set_its_own_charge(ended, police, trainer):
    ended.course.non_attendance_charge_pence = 7550
    booking = officer(ended, police)

    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)

    assert [charge.amount_pence for charge in charges_of(booking)] == [7550]
    assert "£75.50" in mail_to("olive@police.example.org")[0].text_body


def test_a_course_set_to_charge_nothing_raises_no_charge(ended, police, trainer):
    ended.course.non_attendance_charge_pence = 0
    booking = officer(ended, police)

    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)

    assert charges_of(booking) == []
    assert mail_to("olive@police.example.org") == []


def test_a_no_show_marked_during_the_session_is_charged_when_it_ends(under_way, police, trainer):
    booking = officer(under_way, police)
    mark(under_way, booking, Attendance.DID_NOT_ATTEND, trainer)
    assert charges_of(booking) == []

    before_the_end = saved(charges.raise_due_charges, db.session, utcnow(), RATES)
    after_the_end = under_way.ends_at + timedelta(minutes=5)
    first = saved(charges.raise_due_charges, db.session, after_the_end, RATES)
    again = saved(charges.raise_due_charges, db.session, after_the_end, RATES)

    assert (before_the_end, first, again) == (0, 1, 0)
    assert [charge.reason for charge in charges_of(booking)] == [ChargeReason.DID_NOT_ATTEND]
    assert len(mail_to("olive@police.example.org")) == 1


def test_a_mark_changed_before_the_end_leaves_nothing_to_charge(under_way, police, trainer):
    booking = officer(under_way, police)
    mark(under_way, booking, Attendance.DID_NOT_ATTEND, trainer)
    mark(under_way, booking, Attendance.ATTENDED, trainer)

    after_the_end = under_way.ends_at + timedelta(minutes=5)
    assert saved(charges.raise_due_charges, db.session, after_the_end, RATES) == 0
    assert charges_of(booking) == []


def test_the_scheduled_work_leaves_partner_agencies_alone(under_way, trainer):
    booking = officer(under_way, make_agency(charging_band=ChargingBand.PARTNER))
    mark(under_way, booking, Attendance.DID_NOT_ATTEND, trainer)

    after_the_end = under_way.ends_at + timedelta(minutes=5)
    assert saved(charges.raise_due_charges, db.session, after_the_end, RATES) == 0


# Changing the mark back


def test_marking_attended_cancels_the_charge_and_says_so(ended, police, trainer):
    booking = officer(ended, police)
    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)

    mark(ended, booking, Attendance.ATTENDED, trainer)

    [charge] = charges_of(booking)
    assert charge.cancelled_at is not None and not charge.is_owed
    history = [event.reason for event in charge.booking.history]
    assert "Charge of £50 cancelled: marked attended" in history
    cancelled = [
        message
        for message in mail_to("olive@police.example.org")
        if message.subject.startswith("Charge cancelled")
    ]
    assert len(cancelled) == 1
    assert "has been cancelled. Nothing is owed." in cancelled[0].text_body
    assert integrity.breaches(db.session, utcnow()) == []


def test_marking_everyone_attended_cancels_no_charge_of_a_mark_it_keeps(ended, police, trainer):
    booking = officer(ended, police)
    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)

    saved(sessions.mark_everyone_attended, db.session, ended.id, trainer, utcnow())

    assert charges_of(booking)[0].is_owed


def test_one_standing_charge_a_booking_however_often_it_is_marked(ended, police, trainer):
    booking = officer(ended, police)
    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)
    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)
    mark(ended, booking, Attendance.LEFT_EARLY, trainer)
    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)

    found = charges_of(booking)
    assert [charge.is_standing for charge in found] == [False, True]
    db.session.add(
        Charge(
            booking_id=booking.id,
            user_id=booking.user_id,
            agency_id=police.id,
            amount_pence=100,
            reason=ChargeReason.DID_NOT_ATTEND,
            raised_at=utcnow(),
        )
    )
    with pytest.raises(Exception, match=r"(?i)unique"):
        db.session.flush()
    db.session.rollback()


# Late cancellation


def late_booking(course, police, hours_to_go=24):
    session = make_session(course, starts_at=utcnow() + timedelta(hours=hours_to_go))
    return officer(session, police)


def test_a_late_cancellation_is_charged(course, police):
    booking = late_booking(course, police)

    saved(bookings.cancel, db.session, booking.id, booking.user, utcnow(), rates=RATES)

    [charge] = charges_of(booking)
    assert (charge.amount_pence, charge.reason) == (3000, ChargeReason.LATE_CANCELLATION)
    raised = mail_to("mo@police.example.org")
    assert [message.subject.split(":")[0] for message in raised] == [
        "Charge for a wasted place for Olive Officer"
    ]
    assert "cancelled after its cut-off" in raised[0].text_body


def test_a_cancellation_before_the_cut_off_is_not_charged(course, police):
    booking = late_booking(course, police, hours_to_go=24 * 10)

    saved(bookings.cancel, db.session, booking.id, booking.user, utcnow(), rates=RATES)

    assert charges_of(booking) == []


def test_a_course_can_charge_nothing_for_late_cancellations(course, police):
    course.late_cancellation_charge_pence = 0
    booking = late_booking(course, police)

    saved(bookings.cancel, db.session, booking.id, booking.user, utcnow(), rates=RATES)

    assert charges_of(booking) == []


def test_leaving_the_waiting_list_late_is_not_charged(course, police):
    booking = late_booking(course, police)
    booking.status = BookingStatus.WAITING

    saved(bookings.cancel, db.session, booking.id, booking.user, utcnow(), rates=RATES)

    assert charges_of(booking) == []


def test_bookings_cancelled_by_closing_an_account_are_not_charged(course, police, coordinator):
    from app.admin.users import service as people

    booking = late_booking(course, police)

    saved(people.deactivate, db.session, booking.user, coordinator, utcnow())

    assert db.session.get(Booking, booking.id).late_cancellation
    assert charges_of(booking) == []


# Waiving


def test_a_coordinator_waives_a_charge_with_a_reason_and_it_stays(
    ended, police, trainer, coordinator
):
    booking = officer(ended, police)
    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)
    [charge] = charges_of(booking)

    saved(charges.waive, db.session, charge.id, "  Off sick,  told us  ", coordinator, utcnow())

    [charge] = charges_of(booking)
    assert charge.is_standing and charge.is_waived and not charge.is_owed
    assert (charge.waived_by_id, charge.waive_reason) == (coordinator.id, "Off sick, told us")
    assert "Charge of £50 waived: Off sick, told us" in [
        event.reason for event in charge.booking.history
    ]
    waived = [m for m in mail_to("olive@police.example.org") if "waived" in m.subject]
    assert len(waived) == 1 and "Why: Off sick, told us" in waived[0].text_body


@pytest.mark.parametrize("reason", ["", "   "])
def test_waiving_needs_a_reason(ended, police, trainer, coordinator, reason):
    booking = officer(ended, police)
    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)
    charge = charges_of(booking)[0]

    with pytest.raises(Refused, match="Enter why") as refusal:
        saved(charges.waive, db.session, charge.id, reason, coordinator, utcnow())

    assert refusal.value.field == "reason"
    assert not charges_of(booking)[0].is_waived


def test_a_charge_is_waived_once_and_a_cancelled_one_not_at_all(
    ended, police, trainer, coordinator
):
    booking = officer(ended, police)
    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)
    charge_id = charges_of(booking)[0].id
    saved(charges.waive, db.session, charge_id, "Told us", coordinator, utcnow())

    with pytest.raises(Refused, match="already waived by Cora Ordinator"):
        saved(charges.waive, db.session, charge_id, "Again", coordinator, utcnow())

    mark(ended, booking, Attendance.ATTENDED, trainer)
    with pytest.raises(Refused, match="cancelled"):
        saved(charges.waive, db.session, charge_id, "Again", coordinator, utcnow())


# Counting non-attendances, for the rule on repeat no-shows


def test_non_attendances_count_no_shows_and_late_cancellations_less_waived_ones(
    course, police, trainer, coordinator
):
    partner = make_agency(charging_band=ChargingBand.PARTNER)
    first = make_session(course, starts_at=utcnow() - timedelta(days=40))
    second = make_session(course, starts_at=utcnow() - timedelta(days=20))
    third = make_session(course, starts_at=utcnow() - timedelta(days=10))
    no_show = officer(first, police)
    person = no_show.user
    waived = Booking(session=second, user=person, status=BookingStatus.CONFIRMED)
    attended = Booking(session=third, user=person, status=BookingStatus.CONFIRMED)
    db.session.add_all([waived, attended])
    db.session.commit()
    for session, booking, attendance in [
        (first, no_show, Attendance.DID_NOT_ATTEND),
        (second, waived, Attendance.DID_NOT_ATTEND),
        (third, attended, Attendance.ATTENDED),
    ]:
        mark(session, booking, attendance, coordinator)
    saved(charges.waive, db.session, charges_of(waived)[0].id, "Ill", coordinator, utcnow())
    # Late, at an agency never charged: it counts all the same.
    person.agency = partner
    to_come = make_session(course, starts_at=utcnow() + timedelta(hours=24))
    late = Booking(session=to_come, user=person, status=BookingStatus.CONFIRMED)
    db.session.add(late)
    db.session.commit()
    saved(bookings.cancel, db.session, late.id, person, utcnow(), rates=RATES)

    a_year_ago = utcnow() - timedelta(days=365)
    assert charges.non_attendances(db.session, person.id, a_year_ago) == 2
    assert charges.non_attendances(db.session, person.id, utcnow() - timedelta(days=30)) == 1


def test_history_of_a_charge_keeps_the_booking_status(ended, police, trainer):
    booking = officer(ended, police)
    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)

    event = db.session.scalars(
        select(BookingEvent).where(BookingEvent.booking_id == booking.id)
    ).one()
    assert event.from_status is event.to_status is BookingStatus.CONFIRMED


# check-integrity


def test_integrity_finds_charges_no_rule_would_raise(ended, police, trainer, runner):
    partner = make_agency(name="Rotherham Hospital", charging_band=ChargingBand.PARTNER)
    booking = officer(ended, police)
    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)
    charge = charges_of(booking)[0]
    assert integrity.breaches(db.session, utcnow()) == []

    # Written behind the rules' back: the agency moved band, and the mark was changed.
    charge.agency = partner
    booking = db.session.get(Booking, booking.id)
    booking.attendance = Attendance.ATTENDED
    db.session.commit()

    assert integrity.breaches(db.session, utcnow()) == [
        f"charge {charge.id}: Rotherham Hospital is in the band Partner agency (never charged)",
        f"charge {charge.id}: booking {booking.id} is marked attended",
    ]
    result = runner.invoke(args=["check-integrity"])
    assert result.exit_code != 0
    assert "is marked attended" in result.output


def test_the_scheduled_work_charges_no_mark_given_after_the_end(ended, trainer):
    agency = make_agency(charging_band=ChargingBand.PARTNER)
    booking = officer(ended, agency)
    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)
    # Made chargeable later: a no-show marked after the end was charged then, or not at all.
    agency.charging_band = ChargingBand.CHARGEABLE
    db.session.commit()

    assert saved(charges.raise_due_charges, db.session, utcnow(), RATES) == 0
    assert charges_of(booking) == []


# Agencies that change


def test_an_agency_found_to_be_a_partner_owes_nothing_more(ended, police, trainer, coordinator):
    from app.admin.agencies import service as agencies

    owed, waived = officer(ended, police), make_booking(ended, agency=police)
    for booking in (owed, waived):
        mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)
    saved(charges.waive, db.session, charges_of(waived)[0].id, "Ill", coordinator, utcnow())

    details = agencies.AgencyDetails(
        name=police.name, sector=police.sector, listed=True, charging_band=ChargingBand.PARTNER
    )
    saved(agencies.update_agency, db.session, police, details)

    [cancelled], [kept] = charges_of(owed), charges_of(waived)
    assert cancelled.cancelled_at is not None
    assert kept.is_standing and kept.is_waived
    history = [event.reason for event in cancelled.booking.history]
    assert "Charge of £50 cancelled: South Yorkshire Police is never charged" in history
    assert integrity.breaches(db.session, utcnow()) == []


def test_merging_an_agency_moves_its_charges_to_the_one_kept(ended, police, trainer):
    from app.admin.agencies import service as agencies

    typed_in = make_agency(name="S Yorks Police", listed=False)
    booking = officer(ended, typed_in)
    mark(ended, booking, Attendance.DID_NOT_ATTEND, trainer)

    saved(agencies.merge_agency, db.session, typed_in, police.id)

    assert [charge.agency_id for charge in charges_of(booking)] == [police.id]
