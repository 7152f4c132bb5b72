"""Cell references and Excel serial dates, without importing openpyxl (whose package import
costs a command-line action a tenth of a second). Same results as ``openpyxl.utils``'
functions of the same purpose; ``tests/test_refs.py`` holds them equal."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import cache

_RANGE = re.compile(r"^\$?([A-Z]{1,3})?\$?(\d+)?(?::\$?([A-Z]{1,3})?\$?(\d+)?)?$")
#: Serial number 0 of Excel's 1900 date system (for dates from 1 March 1900 on).
EPOCH = datetime(1899, 12, 30)


@cache
def column_letter(index: int) -> str:
    """1 → "A", 27 → "AA" (columns 1 to 18,278)."""
    if not 1 <= index <= 18278:
        raise ValueError(f"column index {index} is outside 1 to 18,278")
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@cache
def column_index(letters: str) -> int:
    """ "A" → 1, "AA" → 27."""
    if not letters.isalpha() or not letters.isupper() or len(letters) > 3:
        raise ValueError(f"{letters!r} is not a column letter")
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index


_CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")


@cache
def cell_position(ref: str) -> tuple[str, int]:
    """ "AB12" → ("AB", 12): a single cell's column letters and row number."""
    match = _CELL.match(ref)
    if match is None:
        raise ValueError(f"{ref!r} is not a cell reference like B3")
    return match.group(1), int(match.group(2))


def range_bounds(ref: str) -> tuple[int | None, int | None, int | None, int | None]:
    """ "B2:D9" → (min column, min row, max column, max row) = (2, 2, 4, 9); a single cell gives
    itself twice; whole columns or rows leave the other bounds None."""
    match = _RANGE.match(ref.upper())
    if match is None or not any(match.groups()):
        raise ValueError(f"{ref!r} is not a cell range")
    first_col, first_row, last_col, last_row = match.groups()
    if ":" not in ref:
        last_col, last_row = first_col, first_row
    return (
        column_index(first_col) if first_col else None,
        int(first_row) if first_row else None,
        column_index(last_col) if last_col else None,
        int(last_row) if last_row else None,
    )


def excel_serial(value: date | datetime) -> float:
    """A date or time as Excel's serial number (days since 1899-12-30, the time of day as a
    fraction; Excel's phantom 29 February 1900 shifts earlier dates by one)."""
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    days = (moment - EPOCH).days
    if 0 < days <= 60:
        days -= 1
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 10**6
    return days + seconds / 86400
