"""The report as files: each table as CSV, and the whole report as an Excel workbook with a
sheet saying what it counts, then one sheet a table. Text is made safe as every export of
the app makes it (app/spreadsheets.py); numbers stay numbers, amounts in pounds."""

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import Cell as SheetCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.reports.tables import Cell, Column, Kind, Table
from app.spreadsheets import safe_csv, safe_sheet_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: How wide a sheet's columns of text and of numbers are, in characters.
TEXT_WIDTH = 40
NUMBER_WIDTH = 14
PENNY = Decimal("0.01")


def file_value(column: Column, cell: Cell) -> Cell:
    """A cell as a file holds it: pence as pounds, a percentage, mean or change as a plain
    number, and nothing to count as an empty cell."""
    if cell is None:
        return ""
    if column.kind is Kind.MONEY:
        return (Decimal(cell) / 100).quantize(PENNY)
    return cell


def table_csv(table: Table) -> bytes:
    return safe_csv(
        [column.file_heading for column in table.columns],
        (
            [
                file_value(column, cell)
                for column, cell in zip(table.columns, row.cells, strict=True)
            ]
            for row in table.every_row
        ),
    )


def sheet_value(column: Column, cell: Cell):
    value = file_value(column, cell)
    return float(value) if isinstance(value, Decimal) else value


#: How a column of numbers is shown in a sheet, by its kind.
NUMBER_FORMATS = {
    Kind.MONEY: "£#,##0.00",
    Kind.PERCENT: "0.0",
    Kind.MEAN: "0.0",
    Kind.CHANGE: "+0.0;-0.0;0.0",
}
BOLD = Font(bold=True)
WRAPPED = Alignment(wrap_text=True, vertical="top")


def report_xlsx(about: list[tuple[str, str]], tables: list[Table]) -> bytes:
    """A first sheet with what the report counts (`about`: heading, words), then one sheet
    a table, its title as the sheet's name, headings in bold and frozen. Written row by
    row (openpyxl's write-only mode), so a year's answers in words take seconds."""
    book = Workbook(write_only=True)
    first = book.create_sheet("About this report")
    first.column_dimensions["A"].width = 30
    first.column_dimensions["B"].width = 100
    for number, (heading, words) in enumerate(about, start=1):
        first.append(
            [
                safe_sheet_cell(first, heading, number, 1, font=BOLD),
                safe_sheet_cell(first, words, number, 2, alignment=WRAPPED),
            ]
        )
    for table in tables:
        add_sheet(book, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def add_sheet(book: Workbook, table: Table) -> None:
    sheet = book.create_sheet(table.title)
    sheet.freeze_panes = "A2"
    for number, column in enumerate(table.columns, start=1):
        width = NUMBER_WIDTH if column.numeric else TEXT_WIDTH
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.append(
        [
            safe_sheet_cell(sheet, column.file_heading, 1, number, font=BOLD, alignment=WRAPPED)
            for number, column in enumerate(table.columns, start=1)
        ]
    )
    for row_number, row in enumerate(table.every_row, start=2):
        total = row is table.total
        sheet.append(
            [
                table_cell(sheet, row_number, number, column, cell, total)
                for number, (column, cell) in enumerate(
                    zip(table.columns, row.cells, strict=True), start=1
                )
            ]
        )


def table_cell(sheet, row: int, number: int, column: Column, cell: Cell, total: bool) -> SheetCell:
    """A cell of a table's sheet: a number in its column's format, a total in bold."""
    value = sheet_value(column, cell)
    styles = {"font": BOLD} if total else {}
    if column.kind in NUMBER_FORMATS and isinstance(value, int | float):
        styles["number_format"] = NUMBER_FORMATS[column.kind]
    return safe_sheet_cell(sheet, value, row, number, **styles)
