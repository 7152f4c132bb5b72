"""Cell-level edits of a worksheet's XML that leave every other byte as it was.

A cell is ``<c r="B2" s="3" t="str"><f>…</f><v>…</v></c>`` (or ``<c r="B2"/>``); cell content
never contains the text ``</c>``, so cells are found with one regular expression and rewritten
one by one, without parsing (and re-serialising) the rest of the sheet.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from salesflow_xl.core.errors import SalesflowError, _
from salesflow_xl.core.excel_errors import NUM, ExcelError
from salesflow_xl.ooxml import xstring
from salesflow_xl.ooxml.refs import column_index, column_letter, excel_serial, range_bounds

ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.S)
SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>(.*?)</sheetData>", re.S)
STYLE = re.compile(rb'\bs="(\d+)"')
ARRAY = re.compile(rb'<f\b[^>]*?\bt="array"[^>]*?\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
CELL = re.compile(rb"<c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</c>)", re.S)
REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
TYPE = re.compile(rb'\s+t="([^"]*)"')
VALUE = re.compile(rb"<v>.*?</v>|<v\s*/>", re.S)
V_TEXT = re.compile(rb"<v>(.*?)</v>", re.S)
T_TEXT = re.compile(rb"<t\b[^>]*>(.*?)</t>", re.S)


#: Sheets at least this large get rows replaced or appended in place (``put_rows``).
LARGE_SHEET = 1_000_000
#: ``set_cached_values`` patches rows in place while there are fewer of them than one per this
#: many bytes of sheet; past that, one pass over the whole sheet is cheaper.
BYTES_PER_PATCHED_ROW = 2000


class SheetXmlError(SalesflowError):
    """A worksheet's XML is not laid out as SpreadsheetML requires."""


#: A cell's stored value; an error value is an :class:`ExcelError` (from core.excel_errors).
CellValue = float | int | str | bool | ExcelError | None


def array_covered(xml: bytes) -> list[str]:
    """Cells filled by a multi-cell array formula other than its first cell (they hold values,
    not formulas, in the file)."""
    covered = []
    for match in ARRAY.finditer(xml):
        min_col, min_row, max_col, max_row = range_bounds(match.group(1).decode())
        for row in range(min_row, max_row + 1):
            for col in range(min_col, max_col + 1):
                if (row, col) != (min_row, min_col):
                    covered.append(f"{column_letter(col)}{row}")
    return covered


def computed_cells(xml: bytes) -> list[str]:
    """Every cell whose value a spreadsheet computes: formula cells and array-covered cells."""
    return formula_cells(xml) + array_covered(xml)


def formula_cells(xml: bytes) -> list[str]:
    """References of the cells that hold a formula (``<f>``), in sheet order."""
    refs = []
    for match in CELL.finditer(xml):
        body = match.group("body")
        if body and b"<f" in body:
            ref = REF.search(match.group("attrs"))
            if ref:
                refs.append(ref.group(1).decode())
    return refs


_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def unescape(text: str) -> str:
    """XML text with its five named entities and character references (``&#10;``,
    ``&#x27;``) resolved, as an XML parser reads it."""

    def resolve(match: re.Match[str]) -> str:
        name = match.group(1)
        if not name.startswith("#"):
            return _NAMED[name]
        number = int(name[2:], 16) if name.startswith("#x") else int(name[1:])
        if number > 0x10FFFF:
            raise SheetXmlError(_("&{name}; is not a character").format(name=name))
        return chr(number)

    return _ENTITY.sub(resolve, text) if "&" in text else text


def stored_value(attrs: bytes, body: bytes, strings: Sequence[str]) -> CellValue:
    """The value a ``<c>`` element (its attributes and content) holds, by its type: number,
    shared or inline string, formula string, boolean or error; None when it holds none.
    ``strings`` is the workbook's shared-string table."""
    kind = TYPE.search(attrs)
    cell_type = kind.group(1) if kind else b"n"
    if cell_type == b"inlineStr":
        return xstring.decode(unescape(b"".join(T_TEXT.findall(body)).decode()))
    found = V_TEXT.search(body)
    if found is None:
        return None
    text = unescape(found.group(1).decode())
    if cell_type == b"s":
        if not text.isdigit() or int(text) >= len(strings):
            raise SheetXmlError(
                _("shared string {text} is not in the workbook's string table").format(
                    text=repr(text)
                )
            )
        return strings[int(text)]
    if cell_type == b"str":
        return xstring.decode(text)
    if cell_type == b"b":
        return text.strip() == "1"
    if cell_type == b"e":
        return ExcelError(text)
    return float(text) if any(c in text for c in ".eE") else int(text)


def _encode(value: CellValue) -> tuple[bytes | None, bytes]:
    """(the ``t`` attribute or None for numbers, the ``<v>`` element) for a cached value."""
    if value is None:
        return None, b""
    if isinstance(value, ExcelError):
        return b"e", b"<v>" + escape(value.text).encode() + b"</v>"
    if isinstance(value, bool):
        return b"b", b"<v>" + (b"1" if value else b"0") + b"</v>"
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            return b"e", b"<v>" + NUM.encode() + b"</v>"
        text = str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
        return None, b"<v>" + text.encode() + b"</v>"
    return b"str", b"<v>" + escape(xstring.encode(str(value))).encode() + b"</v>"


def set_cached_values(xml: bytes, values: Mapping[str, CellValue]) -> bytes:
    """Store ``values`` as the cached results of the named formula cells; the formulas, styles
    and every other cell stay byte-identical. Cells not in ``values`` are untouched.

    A few rows of a large sheet (an action's changes) are patched where they are; many rows,
    or cells filled by array formulas, take one pass over the whole sheet."""
    wanted = {ref.encode(): value for ref, value in values.items()}
    if not wanted:
        return xml

    def patch(match: re.Match[bytes]) -> bytes:
        attrs, body = match.group("attrs"), match.group("body")
        ref = REF.search(attrs)
        if not body or b"<f" not in body or ref is None or ref.group(1) not in wanted:
            return match.group(0)
        cell_type, element = _encode(wanted[ref.group(1)])
        attrs = TYPE.sub(b"", attrs)
        if cell_type is not None:
            attrs += b' t="' + cell_type + b'"'
        body = VALUE.sub(b"", body) + element
        return b"<c" + attrs + b">" + body + b"</c>"

    row_numbers = sorted({_row_of(ref) for ref in values})
    if b't="array"' not in xml and len(row_numbers) * BYTES_PER_PATCHED_ROW < len(xml):
        patched_rows = {}
        spans = row_spans(xml, row_numbers)
        if spans is not None and len(spans) == len(row_numbers):
            for number, (start, end) in spans.items():
                patched_rows[number] = CELL.sub(patch, xml[start:end])
            return _splice(xml, spans, patched_rows)

    patched = CELL.sub(patch, xml)
    covered = set(array_covered(xml)) & set(values)
    if not covered:
        return patched
    by_row: dict[int, list[str]] = {}
    for ref in covered:
        by_row.setdefault(_row_of(ref), []).append(ref)
    existing_rows = rows(patched)
    new_rows = {}
    for number, refs in by_row.items():
        existing = existing_rows.get(number, b"")
        row_cells = cells(existing)
        for ref in refs:
            style = STYLE.search(row_cells.get(ref, b""))
            s_attr = b' s="' + style.group(1) + b'"' if style else b""
            cell_type, element = _encode(values[ref])
            t_attr = b' t="' + cell_type + b'"' if cell_type else b""
            row_cells[ref] = (
                b'<c r="' + ref.encode() + b'"' + s_attr + t_attr + b">" + element + b"</c>"
            )
        new_rows[number] = assemble_row(number, existing, row_cells)
    return put_rows(patched, new_rows)


def _row_of(ref: str) -> int:
    return int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def row_spans(xml: bytes, numbers: list[int]) -> dict[int, tuple[int, int]] | None:
    """Where the rows ``numbers`` (ascending) are: number → (start, end) of the ``<row>``
    element, found by one forward scan for ``<row r="…"`` (rows are stored in ascending order,
    their number first, by Excel, LibreOffice and openpyxl alike). Rows after the sheet's last
    row are left out. None when a row within the sheet is not found that way (a gap, or
    another layout): the caller then takes the whole-sheet path."""
    last = last_row_number(xml)
    if last is None:
        return None
    spans = {}
    position = 0
    for number in numbers:
        if number > last:
            continue
        start = xml.find(b'<row r="%d"' % number, position)
        close = xml.find(b">", start) if start >= 0 else -1
        if close < 0:
            return None
        if xml[close - 1 : close] == b"/":
            end = close + 1
        else:
            end = xml.find(b"</row>", close)
            if end < 0:
                return None
            end += len(b"</row>")
        spans[number] = (start, end)
        position = end
    return spans


def last_row_number(xml: bytes) -> int | None:
    """The number of the sheet's last ``<row>`` (0 without rows; None if unreadable)."""
    last = xml.rfind(b"<row ")
    if last < 0:
        return 0
    match = ROW_NUMBER.match(xml, last)
    return int(match.group(1)) if match else None


def _splice(
    xml: bytes, spans: Mapping[int, tuple[int, int]], replacements: Mapping[int, bytes]
) -> bytes:
    """``xml`` with each span replaced (spans ascending, not overlapping)."""
    view = memoryview(xml)  # slices of a view copy nothing until the join
    pieces: list[bytes | memoryview] = []
    position = 0
    for number, (start, end) in sorted(spans.items(), key=lambda item: item[1]):
        pieces += [view[position:start], replacements[number]]
        position = end
    pieces.append(view[position:])
    return b"".join(pieces)


# -- rows and cells -------------------------------------------------------------------------


def rows(xml: bytes) -> dict[int, bytes]:
    data = SHEET_DATA.search(xml)
    body = data.group(1) if data and data.group(1) else b""
    return {int(m.group(1)): m.group(0) for m in ROW.finditer(body)}


def cells(row_xml: bytes) -> dict[str, bytes]:
    cells = {}
    for match in CELL.finditer(row_xml):
        ref = REF.search(match.group("attrs"))
        if ref:
            cells[ref.group(1).decode()] = match.group(0)
    return cells


def cell_xml(ref: str, value: Any, kind: str, style: str | bytes | None) -> bytes:
    s = f' s="{style.decode() if isinstance(style, bytes) else style}"' if style else ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f'<c r="{ref}"{s}/>'.encode()
    if isinstance(value, datetime | date):
        return f'<c r="{ref}"{s}><v>{excel_serial(value)!r}</v></c>'.encode()
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'.encode()
    if isinstance(value, int | float) and kind != "text":
        number = float(value)
        text = str(int(number)) if number.is_integer() else repr(number)
        return f'<c r="{ref}"{s}><v>{text}</v></c>'.encode()
    body = escape(xstring.encode(str(value)))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{body}</t></is></c>'.encode()


def assemble_row(number: int, existing: bytes, cells: Mapping[str, bytes]) -> bytes:
    ordered = sorted(cells.items(), key=lambda item: column_index(item[0].rstrip("0123456789")))
    opening = re.match(rb"<row\b[^>]*?(?=/?>)", existing) if existing else None
    start = opening.group(0) + b">" if opening else f'<row r="{number}">'.encode()
    return start + b"".join(cell for _, cell in ordered) + b"</row>"


def row_at(xml: bytes, number: int) -> bytes | None:
    """The ``<row>`` element of row ``number``, or None when the sheet has no such row."""
    spans = row_spans(xml, [number])
    if spans is None:
        return rows(xml).get(number)
    span = spans.get(number)
    return xml[span[0] : span[1]] if span else None  # after the last row: no such row


def put_rows(xml: bytes, new_rows: Mapping[int, bytes]) -> bytes:
    """Insert or replace whole rows in sheetData, keeping rows in ascending order.

    Rows that exist are replaced where they are and rows after the sheet's last row are added
    at its end, without touching the rest of the sheet; any other insertion rebuilds the
    sheet's row list."""
    if len(xml) >= LARGE_SHEET:
        in_place = _put_rows_in_place(xml, new_rows)
        if in_place is not None:
            return in_place
    data = SHEET_DATA.search(xml)
    if data is None:
        raise SheetXmlError(_("the sheet has no cell data section"))
    body = data.group(1) or b""
    rows = {int(m.group(1)): m.group(0) for m in ROW.finditer(body)}
    if b"".join(rows.values()) != body:
        rest = ROW.sub(b"", body)
        if rest.strip():
            raise SheetXmlError(_("the sheet's cell data holds something other than rows"))
    rows.update(new_rows)
    joined = b"".join(rows[n] for n in sorted(rows))
    return xml[: data.start()] + b"<sheetData>" + joined + b"</sheetData>" + xml[data.end() :]


def _put_rows_in_place(xml: bytes, new_rows: Mapping[int, bytes]) -> bytes | None:
    """:func:`put_rows` for a large sheet when every new row either replaces an existing row
    or comes after the last one; None otherwise."""
    end = xml.rfind(b"</sheetData>")
    last_number = last_row_number(xml)
    if end < 0 or last_number is None:
        return None
    numbers = sorted(new_rows)
    existing = [n for n in numbers if n <= last_number]
    spans = row_spans(xml, existing)
    if spans is None or len(spans) != len(existing):
        return None  # a row to insert between existing ones
    added = b"".join(new_rows[n] for n in numbers if n > last_number)
    spans = dict(spans)
    spans[-1] = (end, end)
    return _splice(xml, spans, {**{n: new_rows[n] for n in existing}, -1: added})
