"""Files people open in a spreadsheet (the register, the training record): CSV whose every
cell is shown as text, never run as a formula, in UTF-8 that Excel reads."""

import csv
import io
from collections.abc import Iterable, Sequence

#: A spreadsheet takes a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text a spreadsheet shows as it is: a leading quote stops a formula."""
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
