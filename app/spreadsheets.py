"""Files people open in a spreadsheet (the register, the training record, charges, the
board's report): CSV and Excel sheets whose every cell of text is shown as text, never run
as a formula, the CSV in UTF-8 that Excel reads."""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

#: A spreadsheet takes a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text a spreadsheet shows as it is: a leading quote stops a formula. A
    number is no formula, so a negative one keeps its minus sign as it is."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def safe_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte order mark, without which Excel misreads names such as Zoë or Siân;
    every cell quoted and made safe."""
    text = io.StringIO()
    writer = csv.writer(text, quoting=csv.QUOTE_ALL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return text.getvalue().encode("utf-8-sig")


def append_safe_row(sheet: Worksheet, values: Sequence) -> None:
    """A row of a sheet whose text is made safe as in the CSV, and kept as text whatever it
    starts with; numbers stay numbers."""
    sheet.append([safe_sheet_cell(sheet, value) for value in values])


def safe_sheet_cell(
    sheet: Worksheet, value: object, row: int | None = None, column: int | None = None, **styles
) -> Cell:
    """A cell: a number as it is, anything else as text made safe, never a formula
    (openpyxl takes text starting with = for one), with any styles (font=...). A sheet
    written row by row (write-only) needs each styled cell's `row` and `column`."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        cell = Cell(sheet, row=row, column=column, value=value)
    else:
        cell = Cell(sheet, row=row, column=column, value=safe_cell(value))
        cell.data_type = "s"
    for name, style in styles.items():
        setattr(cell, name, style)
    return cell
