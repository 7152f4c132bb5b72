"""Reading an import CSV row by row, shared by the lead and the order imports.

- The delimiter (``,`` ``;`` or tab) is detected; lines end at CR, LF or CR LF only.
- Each row keeps the number of its first line in the file, for the report.
- A broken row (a quote never closed, a quoted field running over lines) becomes a
  :class:`BadRow` with its line and reason, and the rows after it are read again, so one stray
  quote does not swallow the rest of the file.
- Numbers are read as people write them (:func:`number`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from salesflow_xl.actions.safe_text import MAX_ROWS
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import _

LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")

#: A data row: field → its stripped text, None when blank.
Row = dict[str, str | None]


@dataclass(frozen=True)
class BadRow:
    """A CSV row that could not be read, and why (reported as skipped)."""

    reason: str


#: What import templates write after a column's name to mark it required, optional or filled
#: by the system, as :func:`header_key` sees it (after NFKC: "（必填）" is "(必填)").
MARKERS = ("(必填)", "(选填)", "(系统)", "(required)")


def header_key(text: str) -> str:
    """A column header as matched: NFKC, case folded, without the markers templates add ("*",
    a trailing "(必填)" …), letters and digits of any script only ("E-mail" → "email",
    "Ｅｍａｉｌ" → "email", "手机号(必填)" → "手机号")."""
    key = unicodedata.normalize("NFKC", text).casefold().replace("*", "").strip()
    while key.endswith(MARKERS):
        key = key[: key.rindex("(")].rstrip()
    return "".join(c for c in key if c.isalnum())


def read_rows(
    text: str,
    columns_of: Callable[[list[str]], Mapping[str, int]],
    multiline: Collection[str] = (),
) -> list[tuple[int, Row | BadRow]]:
    """(first line number, row) for each data row of CSV ``text``; ``columns_of(header)``
    says which column holds each field. Blank rows are left out. Only the fields' columns are
    checked for line breaks, except the ``multiline`` fields (notes): other columns may hold
    them, as Excel exports them."""
    if not text.strip():
        raise SalesflowError(_("the CSV file is empty"))
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # lines end at CR, LF or CR LF only, as the csv module sees them (str.splitlines would
    # also split at \x0b, \x1c … and U+2028, putting half a row on the next line)
    lines = LINES.findall(text)
    try:
        header = next(csv.reader(lines[:1], dialect, strict=True))
    except (csv.Error, StopIteration) as error:
        raise SalesflowError(
            _("line 1 of the CSV (its header) cannot be read: {error}").format(error=error)
        ) from error
    columns = dict(columns_of(header))
    checked = {f: i for f, i in columns.items() if f not in multiline}
    rows: list[tuple[int, Row | BadRow]] = []
    start: int | None = 1  # index in ``lines`` where reading (re)starts
    while start is not None and start < len(lines):
        start = _read_from(lines, start, dialect, columns, checked, len(header), rows)
    return rows


def _read_from(
    lines: list[str],
    start: int,
    dialect: Any,
    columns: Mapping[str, int],
    checked: Mapping[str, int],
    width: int,
    rows: list[tuple[int, Row | BadRow]],
) -> int | None:
    """Read rows from ``lines[start]`` on into ``rows``; after a broken row, return where to
    read on (the line after the row's first line, so rows a stray quote swallowed are read
    again); None at the end. A field holds no line breaks: a row where one does runs over
    several lines because a quote is not closed. When the row has another number of cells
    than the header's ``width``, the quote swallowed delimiters, and the lines are read again;
    otherwise they are reported as not imported."""
    reader = csv.reader(iter(lines[start:]), dialect, strict=True)
    while True:
        first = start + reader.line_num + 1  # the row's first line, counted from 1
        try:
            row = next(reader)
        except StopIteration:
            return None
        except csv.Error as error:
            reason = _("cannot be read ({error}); is a quote not closed?").format(error=error)
            rows.append((first, BadRow(reason)))
            return first
        last = start + reader.line_num
        if len(rows) >= MAX_ROWS:
            raise SalesflowError(
                _("the CSV has more than {count} rows; split it").format(count=f"{MAX_ROWS:,}")
            )
        broken = [
            i for i in checked.values() if i < len(row) and "\n" in row[i].replace("\r", "\n")
        ]
        if last > first and broken:
            if len(row) != width:  # delimiters were swallowed: read those lines again
                reason = _(
                    "a quoted field runs on to line {line}: is a closing quote missing?"
                ).format(line=last)
                rows.append((first, BadRow(reason)))
                return first
            reason = _(
                "a quoted field runs over lines {first}–{last}, so they were not imported: "
                "is a closing quote missing?"
            ).format(first=first, last=last)
            rows.append((first, BadRow(reason)))
            continue
        if not any(cell.strip() for cell in row):
            continue
        cells = {f: (row[i].strip() if i < len(row) else "") or None for f, i in columns.items()}
        rows.append((first, cells))


def number(text: str) -> float | str:
    """A number as written ("3600", "1e5", "3,600 USD", "€ 3.600,50", "1.234,56"); the text
    itself when it is none (the caller says so). ``inf``, ``nan`` and ``1e308`` are read as
    what they are, for the caller to refuse as amounts. With both separators the later one is
    the decimal point; a lone comma before three digits ("3,600") or dots in thousands groups
    ("1.234.567") separate thousands; otherwise a comma is the decimal point ("12,5")."""
    try:
        return float(text.strip())
    except ValueError:
        pass
    cleaned = re.sub(r"[^\d,.\-]", "", text)
    if "," in cleaned and "." in cleaned:  # the later one is the decimal separator
        thousands = "," if cleaned.rfind(",") < cleaned.rfind(".") else "."
        cleaned = cleaned.replace(thousands, "")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+", cleaned) or re.fullmatch(
        r"-?\d{1,3}(\.\d{3}){2,}", cleaned
    ):
        cleaned = cleaned.replace(",", "").replace(".", "")  # 3,600 and 1.234.567: thousands
    cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return text
