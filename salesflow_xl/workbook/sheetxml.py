"""Cell-level edits of a worksheet's XML that leave every other byte as it was.

A cell is ``<c r="B2" s="3" t="str"><f>…</f><v>…</v></c>`` (or ``<c r="B2"/>``); cell content
never contains the text ``</c>``, so cells are found with one regular expression and rewritten
one by one, without parsing (and re-serialising) the rest of the sheet.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

CELL = re.compile(rb"<c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</c>)", re.S)
REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
TYPE = re.compile(rb'\s+t="[^"]*"')
VALUE = re.compile(rb"<v>.*?</v>|<v\s*/>", re.S)


@dataclass(frozen=True)
class ExcelError:
    """An error value shown in a cell, such as ``#DIV/0!``."""

    text: str

    def __str__(self) -> str:
        return self.text


CellValue = float | int | str | bool | ExcelError | None


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
            return b"e", b"<v>#NUM!</v>"
        text = str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
        return None, b"<v>" + text.encode() + b"</v>"
    return b"str", b"<v>" + escape(str(value)).encode() + b"</v>"


def set_cached_values(xml: bytes, values: Mapping[str, CellValue]) -> bytes:
    """Store ``values`` as the cached results of the named formula cells; the formulas, styles
    and every other cell stay byte-identical. Cells not in ``values`` are untouched."""
    wanted = {ref.encode(): value for ref, value in values.items()}

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

    return CELL.sub(patch, xml)
