"""The charges of a period as files for invoicing: CSV and an Excel workbook, one line a
charge, every cell that holds text shown as text, never run as a formula."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from app.charges.queries import ChargeList
from app.display import short_date
from app.models import Charge
from app.spreadsheets import append_safe_row, safe_csv

COLUMNS = (
    "Agency",
    "Person",
    "Email",
    "Course",
    "Session date",
    "Reason",
    "Amount (£)",
    "Status",
    "Raised on",
    "Waived by",
    "Why waived",
)
AMOUNT = COLUMNS.index("Amount (£)")


def row_of(charge: Charge) -> tuple:
    session = charge.booking.session
    return (
        charge.agency.name,
        charge.user.name,
        charge.user.email,
        session.course.title,
        short_date(session.starts_at),
        charge.reason.label,
        charge.amount_pence / 100,
        charge.status_label,
        short_date(charge.raised_at),
        charge.waived_by.name if charge.waived_by else "",
        charge.waive_reason,
    )


def rows_of(charges: ChargeList) -> list[tuple]:
    return [row_of(charge) for charge in charges.charges]


def charges_csv(charges: ChargeList) -> bytes:
    rows = [(*row[:AMOUNT], f"{row[AMOUNT]:.2f}", *row[AMOUNT + 1 :]) for row in rows_of(charges)]
    return safe_csv(COLUMNS, rows)


def charges_xlsx(charges: ChargeList) -> bytes:
    """One sheet of charges with a header row, amounts as numbers in pounds, and the
    totals below; text cells are escaped as in the CSV and typed as text."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Charges"
    append_safe_row(sheet, COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows_of(charges):
        append_safe_row(sheet, row)
    sheet.append([])
    for label, pence in (
        ("Raised", charges.raised_pence),
        ("Waived", charges.waived_pence),
        ("Total owed", charges.total_pence),
    ):
        append_safe_row(sheet, [label, *[""] * (AMOUNT - 1), pence / 100])
    for row in sheet.iter_rows(min_row=2, min_col=AMOUNT + 1, max_col=AMOUNT + 1):
        for cell in row:
            cell.number_format = "£#,##0.00"
    sheet.freeze_panes = "A2"
    widths = (30, 24, 30, 40, 18, 18, 12, 10, 18, 24, 40)
    for letter, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
