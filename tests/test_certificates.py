"""Certificates of attendance: issued with the mark "attended" and revoked when it is taken
back (the register's rules, without HTTP), the PDF for the person who attended, and the
public page that checks a certificate by its code.

No QR decoder is installed, so the QR code is checked as the SVG in the certificate's HTML,
and the address it holds as text in the PDF.
"""

import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.certificates import document
from app.certificates import service as certificates
from app.extensions import db
from app.models import Attendance, Booking, BookingStatus, Certificate
from app.sessions import service as changes
from tests.conftest import count, signed_in_as, words
from tests.factories import (
    PASSWORD,
    make_booking,
    make_course,
    make_prospectus,
    make_session,
    make_user,
)

# 9:30am in London on a summer's day, started an hour or so before "now" in these tests.
SUMMER_MORNING = datetime(2026, 6, 11, 8, 30, tzinfo=UTC)
NOW = SUMMER_MORNING + timedelta(hours=1)
CODE_SHAPE = re.compile(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}")


@pytest.fixture
def session(app, trainer):
    course = make_course(
        make_prospectus(),
        title="Understanding neglect",
        slug="understanding-neglect",
        cpd_hours=Decimal("6.5"),
    )
    return make_session(course, starts_at=SUMMER_MORNING, trainers=[trainer])


@pytest.fixture
def booking(session):
    return make_booking(session, name="Zoë Ní Bhriain", password=PASSWORD)


def mark(booking: Booking, attendance: Attendance, actor, now: datetime = NOW) -> Booking:
    changes.mark_attendance(db.session, booking.session_id, booking.id, attendance, actor, now)
    db.session.commit()
    return booking


def certificate_of(booking: Booking) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.booking_id == booking.id))


# The rules ---------------------------------------------------------------------------------


def test_marking_someone_attended_issues_their_certificate(booking, trainer):
    mark(booking, Attendance.ATTENDED, trainer)

    certificate = certificate_of(booking)
    assert certificate is not None and certificate.revoked_at is None
    assert certificate.issued_at == NOW


@pytest.mark.parametrize("attendance", [Attendance.DID_NOT_ATTEND, Attendance.LEFT_EARLY])
def test_no_certificate_for_anyone_who_did_not_attend_the_whole_course(
    booking, trainer, attendance
):
    mark(booking, attendance, trainer)

    assert certificate_of(booking) is None


def test_changing_the_mark_from_attended_revokes_and_marking_again_restores(booking, trainer):
    mark(booking, Attendance.ATTENDED, trainer)
    code = certificate_of(booking).code

    mark(booking, Attendance.LEFT_EARLY, trainer, NOW + timedelta(hours=1))
    assert certificate_of(booking).revoked_at == NOW + timedelta(hours=1)

    mark(booking, Attendance.ATTENDED, trainer, NOW + timedelta(hours=2))
    restored = certificate_of(booking)
    assert (restored.code, restored.revoked_at) == (code, None)
    assert count(Certificate) == 1


def test_marking_everyone_and_walk_ins_issue_certificates(session, booking, trainer):
    changes.mark_everyone_attended(db.session, session.id, trainer, NOW)
    changes.add_walk_in(
        db.session, session.id, changes.WalkIn(email=make_user().email), trainer, NOW
    )
    db.session.commit()

    assert count(Certificate) == 2


def test_a_refused_mark_issues_nothing(app, booking, trainer):
    booking.status = BookingStatus.WAITING
    db.session.commit()

    with pytest.raises(changes.Refused):
        mark(booking, Attendance.ATTENDED, trainer)

    db.session.rollback()
    assert count(Certificate) == 0


def test_codes_are_random_readable_and_unique():
    codes = {certificates.new_code() for _ in range(2000)}

    assert len(codes) == 2000
    assert all(len(code) == 16 for code in codes)
    assert set("".join(codes)) <= set(certificates.ALPHABET)
    assert not set("01OI") & set(certificates.ALPHABET)
    assert len(certificates.ALPHABET) ** certificates.CODE_LENGTH >= 2**80
    assert all(CODE_SHAPE.fullmatch(certificates.shown_code(code)) for code in codes)


@pytest.mark.parametrize(
    "typed",
    ["ABCD-EFGH-JKLM-NPQR", "abcd efgh jklm npqr", " abcdefghjklmnpqr", "ABCD\u2013EFGH JKLM-NPQR"],
)
def test_a_typed_code_is_read_whatever_its_case_spaces_or_dashes(typed):
    assert certificates.normalised_code(typed) == "ABCDEFGHJKLMNPQR"


@pytest.mark.parametrize("typed", ["", "ABCD-EFGH-JKLM", "ABCD-EFGH-JKLM-NPQO", "1' OR '1'='1"])
def test_what_cannot_be_a_code_finds_nothing(app, typed):
    assert certificates.normalised_code(typed) is None
    assert certificates.find_by_code(db.session, typed) is None


# The PDF -----------------------------------------------------------------------------------


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_person_who_attended_downloads_their_certificate(app, booking, trainer):
    mark(booking, Attendance.ATTENDED, trainer)
    code = certificates.shown_code(certificate_of(booking).code)

    response = signed_in_as(app, booking.user).get(f"/bookings/{booking.id}/certificate.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=certificate-understanding-neglect-2026-06-11.pdf"
    )
    text = pdf_text(response)
    for shown in (
        "Rotherham Safeguarding Children Partnership",
        "Certificate of attendance",
        "Zoë Ní Bhriain",
        "Understanding neglect",
        "Thursday 11 June 2026",
        "6.5 hours",
        "Sam Trainer",
        code,
    ):
        assert shown in text, shown
    assert f"https://training.example.org/certificates/{code}" in text.replace(" ", "")


def test_the_certificate_carries_a_qr_code_of_its_check_page(app, booking, trainer):
    mark(booking, Attendance.ATTENDED, trainer)
    certificate = certificates.certificate_of(db.session, booking.id)

    with app.test_request_context("/", base_url="https://evil.example"):
        html = document.certificate_html(certificate)
        url = document.verification_url(certificate)

    assert url.startswith("https://training.example.org/certificates/")
    assert re.search(r'<img src="data:image/svg\+xml[^"]*%3Csvg', html)
    assert "evil.example" not in html


def test_a_coordinator_downloads_anyones_certificate(app, booking, trainer, as_coordinator):
    mark(booking, Attendance.ATTENDED, trainer)

    response = as_coordinator.get(f"/bookings/{booking.id}/certificate.pdf")

    assert response.status_code == 200
    assert "Zoë Ní Bhriain" in pdf_text(response)


def test_nobody_else_learns_a_certificate_exists(app, booking, trainer):
    mark(booking, Attendance.ATTENDED, trainer)
    path = f"/bookings/{booking.id}/certificate.pdf"

    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302
    assert urlsplit(anonymous.location).path == "/account/sign-in"
    assert signed_in_as(app, make_user(password=PASSWORD)).get(path).status_code == 404
    # The session's trainer sees the register, not people's certificates.
    assert signed_in_as(app, trainer).get(path).status_code == 404


@pytest.mark.parametrize(
    "attendance", [None, Attendance.DID_NOT_ATTEND, Attendance.LEFT_EARLY, "revoked"]
)
def test_without_a_certificate_standing_the_pdf_is_not_found(
    app, booking, trainer, as_coordinator, attendance
):
    if attendance == "revoked":
        mark(booking, Attendance.ATTENDED, trainer)
        mark(booking, Attendance.DID_NOT_ATTEND, trainer)
    elif attendance is not None:
        mark(booking, attendance, trainer)
    path = f"/bookings/{booking.id}/certificate.pdf"

    assert signed_in_as(app, booking.user).get(path).status_code == 404
    assert as_coordinator.get(path).status_code == 404
    assert as_coordinator.get("/bookings/999999/certificate.pdf").status_code == 404


# Checking a certificate --------------------------------------------------------------------


def test_anyone_can_check_a_certificate_by_its_code(app, client, booking, trainer):
    mark(booking, Attendance.ATTENDED, trainer)
    code = certificates.shown_code(certificate_of(booking).code)

    for typed in (code, code.lower().replace("-", "")):
        response = client.get(f"/certificates/{typed}")
        assert response.status_code == 200
        page = words(response.text)
        assert "This certificate is valid" in page
        for shown in (
            "Zoë Ní Bhriain",
            "Understanding neglect",
            "Thursday 11 June 2026",
            "6.5 hours",
            "Issued by Rotherham Safeguarding Children Partnership",
        ):
            assert shown in page, shown


def test_an_unknown_code_is_not_found(client):
    response = client.get("/certificates/ABCD-EFGH-JKLM-NPQR")

    assert response.status_code == 404
    assert "The certificate could not be found" in words(response.text)


def test_a_revoked_certificate_says_it_was_withdrawn_and_shows_nobody(
    app, client, booking, trainer
):
    mark(booking, Attendance.ATTENDED, trainer)
    mark(booking, Attendance.LEFT_EARLY, trainer)
    code = certificates.shown_code(certificate_of(booking).code)

    response = client.get(f"/certificates/{code}")

    assert response.status_code == 410
    page = words(response.text)
    assert "This certificate was withdrawn" in page
    assert "Zoë" not in page and "valid" not in page


def test_checking_certificates_is_limited_per_client(app, client):
    app.config["VERIFY_CERTIFICATE_LIMIT_PER_CLIENT"] = "3 per hour"
    try:
        answers = [client.get("/certificates/ABCD-EFGH-JKLM-NPQR").status_code for _ in range(4)]
    finally:
        app.config["VERIFY_CERTIFICATE_LIMIT_PER_CLIENT"] = "60 per hour"

    assert answers == [404, 404, 404, 429]


def test_opening_a_certificate_or_its_check_page_writes_nothing(
    app, booking, trainer, count_queries
):
    mark(booking, Attendance.ATTENDED, trainer)
    code = certificates.shown_code(certificate_of(booking).code)
    owner = signed_in_as(app, booking.user)

    with count_queries() as counted:
        assert owner.get(f"/bookings/{booking.id}/certificate.pdf").status_code == 200
        assert app.test_client().get(f"/certificates/{code}").status_code == 200

    assert not [
        s
        for s in counted.statements
        if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


# Where the certificate is offered ----------------------------------------------------------


def test_the_booking_and_the_record_offer_the_certificate_once_attended(app, booking, trainer):
    owner = signed_in_as(app, booking.user)
    pdf = f"/bookings/{booking.id}/certificate.pdf"
    assert pdf not in owner.get(f"/bookings/{booking.id}").text

    mark(booking, Attendance.ATTENDED, trainer)

    assert pdf in owner.get(f"/bookings/{booking.id}").text
    assert pdf in owner.get("/account/bookings").text


def test_a_coordinator_finds_the_certificate_on_the_persons_page(booking, trainer, as_coordinator):
    mark(booking, Attendance.ATTENDED, trainer)
    page = as_coordinator.get(f"/admin/users/{booking.user_id}").text

    assert f"/bookings/{booking.id}/certificate.pdf" in page
    assert "Certificate for Understanding neglect (PDF)" in words(page)
