"""Places shared between sectors on the pages: the coordinator's page of a session's
shares, what the session page says to each person, and the waiting booking's why."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Booking, BookingStatus, Sector, SectorPlaces, utcnow
from tests.conftest import count, press, signed_in_as, submit, summary_errors, words
from tests.factories import (
    PASSWORD,
    make_agency,
    make_course,
    make_prospectus,
    make_session,
    make_user,
)


@pytest.fixture
def session(app):
    return make_session(
        make_course(make_prospectus(), title="Neglect"),
        starts_at=utcnow().replace(microsecond=0) + timedelta(days=30),
        capacity=10,
    )


@pytest.fixture
def police(app):
    return make_agency(name="South Yorkshire Police", sector=Sector.POLICE)


def officer(police):
    return make_user(password=PASSWORD, agency=police)


def url_of(session) -> str:
    return f"/admin/sessions/{session.id}/sector-places"


# The coordinator's page


def test_a_coordinator_shares_the_places_and_removes_a_share(as_coordinator, session, police):
    db.session.add(Booking(session=session, user=officer(police), status=BookingStatus.CONFIRMED))
    db.session.commit()

    saved = submit(as_coordinator, url_of(session), {"sector": "police", "most": "4"})

    assert saved.status_code == 302
    page = as_coordinator.get(saved.location).text
    assert "The places for police are saved." in words(page)
    assert "Police At most 4 places 1 taken, 0 waiting" in words(page)
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.record_type == "places per sector")
    )
    assert (entry.action, entry.record_id) == ("created", session.id)

    removed = press(
        as_coordinator,
        url_of(session),
        f"{url_of(session)}/remove",
        {"sector": "police"},
    )

    assert removed.status_code == 302
    assert count(SectorPlaces) == 0
    assert "anyone can have any of them" in as_coordinator.get(url_of(session)).text


def test_a_share_sent_wrong_is_shown_again_with_what_was_typed(as_coordinator, session):
    answer = submit(
        as_coordinator,
        url_of(session),
        {"sector": "health", "most": "3", "held": "6", "held_until_days": "14"},
    )

    assert answer.status_code == 400
    assert summary_errors(answer.text) == {
        "held": "The places held cannot be more than the most places the sector may have"
    }
    assert '<option value="health" selected' in answer.text
    assert 'value="14"' in answer.text
    assert count(SectorPlaces) == 0


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"sector": ""}, "sector", "Choose a sector"),
        ({"sector": "army", "most": "2"}, "sector", "Choose a sector from the list"),
        ({"sector": "police", "most": "four"}, "most", "like 4"),
        ({"sector": "police", "held": "2", "held_until_days": "400"}, "held_until_days", "between"),
    ],
)
def test_a_share_with_a_bad_field_is_refused_beside_it(
    as_coordinator, session, sent, field, message
):
    answer = submit(as_coordinator, url_of(session), sent)

    assert answer.status_code == 400
    assert message in summary_errors(answer.text)[field]
    assert count(SectorPlaces) == 0


def test_removing_a_sector_that_is_not_one_is_a_bad_request(as_coordinator, session):
    answer = press(as_coordinator, url_of(session), f"{url_of(session)}/remove", {"sector": "x"})

    assert answer.status_code == 400


def test_the_session_page_in_the_admin_area_links_to_the_shares(as_coordinator, session):
    db.session.add(SectorPlaces(session=session, sector=Sector.POLICE, most=4))
    db.session.commit()

    page = as_coordinator.get(f"/admin/sessions/{session.id}").text

    assert "Shared between sectors" in page
    assert f'href="{url_of(session)}"' in page


# What people see


def test_the_session_page_shows_the_shares_and_what_is_left_for_the_persons_sector(
    app, session, police
):
    db.session.add(SectorPlaces(session=session, sector=Sector.POLICE, most=1))
    db.session.add(Booking(session=session, user=officer(police), status=BookingStatus.CONFIRMED))
    db.session.commit()
    path = f"/sessions/{session.id}"

    visitor = words(app.test_client().get(path).text)
    assert "Places per sector At most 1 place for police" in visitor
    assert "your sector" not in visitor

    assert "Book a place" in visitor
    mine = words(signed_in_as(app, officer(police)).get(path).text)
    assert (
        "For police, your sector: none left. At most 1 place on this session is for "
        "police, and it is taken." in mine
    )
    assert "Join the waiting list" in mine and "Book a place" not in mine
    health = make_user(password=PASSWORD, agency=make_agency(sector=Sector.HEALTH))
    theirs = words(signed_in_as(app, health).get(path).text)
    assert "For health, your sector: 9 places left" in theirs
    assert "Book a place" in theirs


def test_a_waiting_booking_says_why_it_waits(app, session, police):
    db.session.add(SectorPlaces(session=session, sector=Sector.POLICE, most=0))
    person = officer(police)
    booking = Booking(session=session, user=person, status=BookingStatus.WAITING)
    db.session.add(booking)
    db.session.commit()

    page = words(signed_in_as(app, person).get(f"/bookings/{booking.id}").text)

    assert "This session has no places for police." in page
    assert "it goes to the first person waiting who can have it" in page


def test_shared_sessions_pages_take_a_fixed_number_of_statements(
    app, session, police, count_queries
):
    db.session.add(SectorPlaces(session=session, sector=Sector.POLICE, most=4))
    db.session.commit()
    person = officer(police)
    browser = signed_in_as(app, person)

    def statements() -> list[int]:
        counts = []
        for path in (f"/sessions/{session.id}", f"/sessions/{session.id}/book"):
            with count_queries() as counted:
                assert browser.get(path).status_code == 200
            counts.append(len(counted))
        return counts

    few = statements()
    for sector in (Sector.HEALTH, Sector.EDUCATION, Sector.HOUSING):
        db.session.add(SectorPlaces(session=session, sector=sector, held=1, held_until_days=2))
        for _ in range(3):
            db.session.add(
                Booking(
                    session=session,
                    user=make_user(agency=make_agency(sector=sector)),
                    status=BookingStatus.CONFIRMED,
                )
            )
    db.session.commit()

    assert statements() == few
