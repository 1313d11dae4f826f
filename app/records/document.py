"""The training record as a printable A4 PDF and as a spreadsheet (CSV)."""

from pathlib import Path

from flask import current_app, render_template

from app.certificates.service import shown_code
from app.records.queries import TrainingRecord
from app.spreadsheets import safe_csv

STYLESHEET = Path(__file__).resolve().parent.parent.parent / "static" / "pdf" / "record.css"

COLUMNS = ("Date", "Course", "Prospectus", "CPD hours", "Certificate code", "Recorded elsewhere")


def record_rows(record: TrainingRecord) -> list[list[str]]:
    """One row for each session attended and each training done elsewhere, newest first:
    for a session, its CPD hours and its certificate's code where the one looking may
    have it, so an employer can check it; for training elsewhere, where it was done."""
    attended = [
        (
            entry.day,
            [
                entry.day.isoformat(),
                entry.course.title,
                entry.course.prospectus.title,
                f"{entry.course.cpd_hours.normalize():f}",
                shown_code(entry.booking.certificate.code) if entry.has_certificate else "",
                "",
            ],
        )
        for entry in record.attended
    ]
    elsewhere = [
        (
            training.completed_on,
            [
                training.completed_on.isoformat(),
                training.course.title,
                training.course.prospectus.title,
                "",
                "",
                training.provider,
            ],
        )
        for training in record.elsewhere
    ]
    # Stable: on one day, sessions before training elsewhere, each in its own order.
    return [row for _, row in sorted(attended + elsewhere, key=lambda item: item[0], reverse=True)]


def record_csv(record: TrainingRecord) -> bytes:
    return safe_csv(COLUMNS, record_rows(record))


def record_pdf(record: TrainingRecord) -> bytes:
    from weasyprint import CSS, HTML  # slow to import; only the PDF needs it

    html = render_template(
        "records/record_pdf.html",
        record=record,
        codes={
            entry.booking.id: shown_code(entry.booking.certificate.code)
            for entry in record.attended
            if entry.has_certificate
        },
    )
    document = HTML(string=html, base_url=current_app.config["BASE_URL"])
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def record_file_name(record: TrainingRecord, extension: str, whose: str = "") -> str:
    """training-record-2026-12-03.pdf, or with `whose` (a coordinator's download of
    someone's record): training-record-zoe-ni-bhriain-2026-12-03.pdf."""
    named = f"-{whose}" if whose else ""
    return f"training-record{named}-{record.today.isoformat()}.{extension}"
