"""The register as a spreadsheet (CSV) and the sign-in sheet as a printable PDF."""

from pathlib import Path

from flask import current_app, render_template

from app.display import in_london, register_status
from app.models import Booking, CourseSession
from app.spreadsheets import safe_csv
from app.trainer.queries import Register

STYLESHEET = Path(__file__).resolve().parent.parent.parent / "static" / "pdf" / "sign-in-sheet.css"

COLUMNS = (
    "Name",
    "Email",
    "Agency",
    "Job title",
    "Access needs",
    "Booking",
    "Walked in",
    "Attendance",
    "Place in waiting list",
)

#: Rows left empty on the sign-in sheet for people who turn up without a place.
BLANK_ROWS = 5


def register_rows(register: Register) -> list[list[str]]:
    places = [
        booking_row(booking, position=None) for booking in [*register.places, *register.offered]
    ]
    waiting = [
        booking_row(booking, position=position)
        for position, booking in enumerate(register.waiting, start=1)
    ]
    return places + waiting


def booking_row(booking: Booking, position: int | None) -> list[str]:
    person = booking.user
    return [
        person.name,
        person.email,
        person.agency.name if person.agency else "",
        person.job_title,
        booking.access_needs,
        register_status(booking),
        "Yes" if booking.walk_in else "No",
        booking.attendance.label if booking.attendance else "",
        str(position) if position else "",
    ]


def register_csv(register: Register) -> bytes:
    return safe_csv(COLUMNS, register_rows(register))


def register_file_name(session: CourseSession, kind: str, extension: str) -> str:
    day = in_london(session.starts_at).date().isoformat()
    return f"{kind}-{session.course.slug}-{day}.{extension}"


def sign_in_sheet_pdf(session: CourseSession, register: Register) -> bytes:
    """An A4 sheet for people to sign: each confirmed place by name, then blank rows."""
    from weasyprint import CSS, HTML  # slow to import; only the PDF needs it

    html = render_template(
        "trainer/sign_in_sheet.html",
        session=session,
        people=register.confirmed,
        blank_rows=BLANK_ROWS,
    )
    document = HTML(string=html, base_url=current_app.config["BASE_URL"])
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
