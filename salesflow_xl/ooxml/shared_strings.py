"""The shared-strings part of a workbook package: text no cell uses any more, emptied.

Excel and openpyxl store a text cell's text once, in ``xl/sharedStrings.xml``, and the cell
refers to it by index. SalesFlow's editor writes changed text into the cell itself (an inline
string), so the old text stays in the shared strings, referred to by no cell, until Excel
saves the file again (Excel writes only the strings its cells use). After an erasure of
personal data that text must not stay: :func:`blank_unused` empties every string no worksheet
cell refers to. Entries are emptied, not removed, so every index a cell holds still points at
its own text; the counts stay as they are.
"""

from __future__ import annotations

import posixpath
import re

from salesflow_xl.ooxml.package import Package

#: A cell of a shared string: ``<c r="B2" s="3" t="s"><v>17</v></c>`` (any attribute order).
_SHARED_CELL = re.compile(
    rb'<c\b[^>]*?\bt="s"[^>]*>(?:<f\b[^>]*(?:/>|>.*?</f>))?<v>(\d+)</v>', re.S
)
#: One string item; ``<si/>`` or ``<si>…</si>``.
_ITEM = re.compile(rb"<si\b[^>]*/>|<si\b[^>]*>.*?</si>", re.S)
_EMPTY = b"<si><t/></si>"
_EMPTIES = (_EMPTY, b"<si/>")


def part_name(package: Package) -> str | None:
    """The shared-strings part of ``package``, or None when it has none."""
    for part in package.relationships("xl/workbook.xml").values():
        if posixpath.basename(part) == "sharedStrings.xml" and part in package:
            return part
    return None


def used(package: Package) -> set[int]:
    """The indexes of the shared strings a worksheet cell refers to."""
    found: set[int] = set()
    for part in package.sheet_parts().values():
        if part in package and part.startswith("xl/worksheets/"):
            found.update(int(m.group(1)) for m in _SHARED_CELL.finditer(package.read(part)))
    return found


def blank_unused(package: Package) -> int:
    """Empty every shared string no worksheet cell refers to; returns how many held text."""
    part = part_name(package)
    if part is None:
        return 0
    keep = used(package)
    emptied = 0

    def item(match: re.Match[bytes], counter: list[int]) -> bytes:
        nonlocal emptied
        index = counter[0]
        counter[0] += 1
        if index in keep or match.group(0) in _EMPTIES:
            return match.group(0)
        emptied += 1
        return _EMPTY

    xml = package.read(part)
    counter = [0]
    new = _ITEM.sub(lambda m: item(m, counter), xml)
    if emptied:
        package.replace(part, new)
    return emptied
