"""Record ids as they arrive in addresses, query strings and forms: one rule for them all.

An id is a whole number from 1 to MAX_ID. Anything else names no record, and is turned
away before it reaches the database, which would fail on it rather than find nothing.

The ids are INTEGER columns: 64 bits in SQLite but 32 in PostgreSQL, which answers a
larger number with "integer out of range". So the bound is the smaller of the two.
"""

from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1


def whole_number(text: str | None, maximum: int) -> int | None:
    """The number from 1 to `maximum` that `text` writes in the digits 0 to 9, or None."""
    if not text or not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0")
    # Counting the digits first spares int() from reading thousands of them.
    if not digits or len(digits) > len(str(maximum)):
        return None
    number = int(digits)
    return number if number <= maximum else None


def read_id(text: str | None) -> int | None:
    """The id `text` names, or None when it names none: not digits, 0, or above MAX_ID."""
    return whole_number(text, MAX_ID)


def id_from(text: str) -> int:
    """As read_id, but raising ValueError: for `request.args.get(name, type=id_from)`,
    which then gives the default, as for any other value that is not a number."""
    number = read_id(text)
    if number is None:
        raise ValueError(f"not a record id: {text[:30]!r}")
    return number


class IdConverter(BaseConverter):
    """`<id:session_id>` in a route: an address naming no possible record is no match (404)."""

    regex = r"[0-9]+"
    part_isolating = True
    # As Werkzeug's own numeric converters weigh, so rules are ordered as they were.
    weight = 50

    def to_python(self, value: str) -> int:
        number = read_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(value)
