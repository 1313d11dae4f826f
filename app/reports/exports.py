"""The report as files: each table as CSV, and the whole report as an Excel workbook with a
sheet saying what it counts, then one sheet a table. Text is made safe as every export of
the app makes it (app/spreadsheets.py); numbers stay numbers, amounts in pounds."""

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.reports.tables import Cell, Column, Kind, Table
from app.spreadsheets import append_safe_row, safe_csv

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


def report_xlsx(about: list[tuple[str, str]], tables: list[Table]) -> bytes:
    """A first sheet with what the report counts (`about`: heading, words), then one sheet
    a table, its title as the sheet's name, headings in bold and frozen."""
    book = Workbook()
    first = book.active
    first.title = "About this report"
    for heading, words in about:
        append_safe_row(first, [heading, words])
        first.cell(first.max_row, 1).font = Font(bold=True)
        first.cell(first.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    first.column_dimensions["A"].width = 30
    first.column_dimensions["B"].width = 100
    for table in tables:
        add_sheet(book, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def add_sheet(book: Workbook, table: Table) -> None:
    sheet = book.create_sheet(table.title)
    append_safe_row(sheet, [column.file_heading for column in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.every_row:
        append_safe_row(
            sheet,
            [
                sheet_value(column, cell)
                for column, cell in zip(table.columns, row.cells, strict=True)
            ],
        )
    if table.total is not None:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    for number, column in enumerate(table.columns, start=1):
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = NUMBER_WIDTH if column.numeric else TEXT_WIDTH
        if column.kind is Kind.MONEY:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=number, max_col=number):
                cell.number_format = "£#,##0.00"
        if column.kind in (Kind.PERCENT, Kind.MEAN, Kind.CHANGE):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=number, max_col=number):
                cell.number_format = "+0.0;-0.0;0.0" if column.kind is Kind.CHANGE else "0.0"
    sheet.freeze_panes = "A2"
