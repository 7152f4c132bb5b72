"""Cell formats of a workbook's ``xl/styles.xml``, edited in place: records are only ever
appended, so every index in use keeps its meaning.

Two edits: a *quote-prefixed* twin of a format (``quotePrefix="1"``), the mark Excel itself puts
on text typed with a leading apostrophe, so that text starting with ``=``, ``+``, ``-`` or ``@``
stays text when someone edits the cell later (:func:`salesflow_xl.core.limits.looks_like_formula`
tells which text needs it); and formats imported from another workbook's styles with the
fonts, fills, borders and number formats they use (:func:`import_formats`), for sheets moved
in from it. :func:`resolved_format` describes a format independently of its indices."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from defusedxml import ElementTree

from salesflow_xl.ooxml import sheetxml

STYLES = "xl/styles.xml"
# element names with or without a namespace prefix (<cellXfs> or <x:cellXfs>)
_CELL_XFS = re.compile(rb"(<(?:\w+:)?cellXfs\b[^>]*>)(.*?)(</(?:\w+:)?cellXfs>)", re.S)
_XF = re.compile(rb"<(\w+:)?xf\b[^>]*?/>|<(\w+:)?xf\b[^>]*?>.*?</(?:\w+:)?xf>", re.S)
_COUNT = re.compile(rb'\bcount="\d+"')
_QUOTE = re.compile(rb'\squotePrefix="[^"]*"')


def quote_prefixed(styles: bytes, index: int) -> tuple[bytes, int]:
    """(``styles`` with a quote-prefixed twin of cell format ``index`` when it has none yet,
    the twin's index). A format that is quote-prefixed already is its own twin."""
    section = _CELL_XFS.search(styles)
    if section is None:
        raise ValueError("styles.xml has no cellXfs")
    formats = [m.group(0) for m in _XF.finditer(section.group(2))]
    if not 0 <= index < len(formats):
        raise ValueError(f"styles.xml has no cell format {index}")
    twin = _with_quote_prefix(formats[index])
    if twin in formats:
        return styles, formats.index(twin)
    body = section.group(2) + twin
    opening = _COUNT.sub(f'count="{len(formats) + 1}"'.encode(), section.group(1))
    start, end = section.span()
    return styles[:start] + opening + body + section.group(3) + styles[end:], len(formats)


def _with_quote_prefix(xf: bytes) -> bytes:
    tag_end = xf.index(b">")
    start_tag, rest = xf[:tag_end], xf[tag_end:]
    if rest.startswith(b">") and start_tag.endswith(b"/"):
        start_tag, rest = start_tag[:-1].rstrip(), b"/" + rest
    start_tag = _QUOTE.sub(b"", start_tag)
    return start_tag + b' quotePrefix="1"' + (b" " + rest if rest.startswith(b"/") else rest)


# -- importing cell formats from another workbook's styles ----------------------------------

#: The sections of a styleSheet in schema order, with the element name of their records.
_SECTIONS: tuple[tuple[bytes, bytes | None], ...] = (
    (b"numFmts", b"numFmt"),
    (b"fonts", b"font"),
    (b"fills", b"fill"),
    (b"borders", b"border"),
    (b"cellStyleXfs", b"xf"),
    (b"cellXfs", b"xf"),
    (b"cellStyles", None),
    (b"dxfs", b"dxf"),
    (b"tableStyles", None),
    (b"colors", None),
    (b"extLst", None),
)
#: The attributes of an ``xf`` naming a record of another section.
_XF_REFERENCES = ((b"fontId", b"fonts"), (b"fillId", b"fills"), (b"borderId", b"borders"))
_ROOT = re.compile(rb"<(\w+:)?styleSheet\b[^>]*>")
_PREFIXES = re.compile(rb"<(\w+):|\s(\w+):\w+=")


def _section_pattern(tag: bytes) -> re.Pattern[bytes]:
    return re.compile(
        rb"<(?:\w+:)?"
        + tag
        + rb"\b[^>]*?/>|(<(?:\w+:)?"
        + tag
        + rb"\b[^>]*>)(.*?)(</(?:\w+:)?"
        + tag
        + rb">)",
        re.S,
    )


def _record_pattern(tag: bytes) -> re.Pattern[bytes]:
    return re.compile(
        rb"<(?:\w+:)?"
        + tag
        + rb"\b[^>]*?/>|<(?:\w+:)?"
        + tag
        + rb"\b[^>]*?>.*?</(?:\w+:)?"
        + tag
        + rb">",
        re.S,
    )


def _attribute(record: bytes, name: bytes) -> bytes | None:
    """The value of attribute ``name`` of a record's start tag."""
    match = re.search(rb"\s" + name + rb'="([^"]*)"', record[: record.index(b">") + 1])
    return match.group(1) if match else None


def _with_attribute(record: bytes, name: bytes, value: bytes | None) -> bytes:
    """The record with attribute ``name`` of its start tag set to ``value`` (None: removed)."""
    end = record.index(b">") + 1
    start, rest = record[:end], record[end:]
    pattern = re.compile(rb"(\s" + name + rb'=")[^"]*(")')
    if value is None:
        start = re.sub(rb"\s" + name + rb'="[^"]*"', b"", start)
    elif pattern.search(start):
        start = pattern.sub(lambda m: m.group(1) + value + m.group(2), start)
    else:
        cut = len(start) - (2 if start.endswith(b"/>") else 1)
        start = start[:cut].rstrip() + b" " + name + b'="' + value + b'"' + start[cut:]
    return start + rest


def _canonical(record: bytes) -> object:
    """A record's content independent of attribute and child order, spacing and namespace
    prefixes, so equal records written by different programs are found equal."""
    prefixes = {p for pair in _PREFIXES.findall(record) for p in pair if p}
    declarations = b"".join(b' xmlns:%s="urn:p"' % p for p in sorted(prefixes))
    try:
        element = ElementTree.fromstring(b"<r" + declarations + b">" + record + b"</r>")[0]
    except (ElementTree.ParseError, IndexError, ValueError):
        return record

    def key(node: Any) -> tuple[Any, ...]:
        return (
            node.tag.rpartition("}")[2],
            tuple(sorted((k.rpartition("}")[2], v) for k, v in node.attrib.items())),
            (node.text or "").strip(),
            tuple(sorted(key(child) for child in node)),
        )

    return key(element)


class _StyleSheet:
    """The records of a styles part by section, with records appended in memory."""

    def __init__(self, xml: bytes) -> None:
        root = _ROOT.search(xml)
        if root is None:
            raise ValueError("styles.xml has no styleSheet")
        self.xml = xml
        self.prefix = root.group(1) or b""
        self.records: dict[bytes, list[bytes]] = {}
        self.present: set[bytes] = set()
        self.added: dict[bytes, list[bytes]] = {}
        self._keys: dict[bytes, dict[object, int]] = {}
        for tag, record in _SECTIONS:
            if record is None:
                continue
            section = _section_pattern(tag).search(xml)
            if section is not None:
                self.present.add(tag)
            body = (section.group(2) or b"") if section else b""
            self.records[tag] = [m.group(0) for m in _record_pattern(record).finditer(body)]

    def number_formats(self) -> dict[int, str]:
        """Custom number format id → format code."""
        result = {}
        for record in self.records[b"numFmts"]:
            number, code = _attribute(record, b"numFmtId"), _attribute(record, b"formatCode")
            if number is not None and number.isdigit() and code is not None:
                result[int(number)] = sheetxml.unescape(code.decode())
        return result

    def put(self, tag: bytes, record: bytes, prefix: bytes = b"") -> int:
        """The index of a record equal to ``record`` (whose elements of the main namespace
        carry ``prefix``) in section ``tag``, appended if none."""
        record = _reprefix(record, prefix, self.prefix)
        keys = self._keys.get(tag)
        if keys is None:
            keys = self._keys[tag] = {}
            for index, existing in enumerate(self.records[tag]):
                keys.setdefault(_canonical(existing), index)
        key = _canonical(record)
        if key not in keys:
            keys[key] = len(self.records[tag])
            self.records[tag].append(record)
            self.added.setdefault(tag, []).append(record)
        return keys[key]

    def to_bytes(self) -> bytes:
        """The styles part with the appended records (and sections created where missing)."""
        xml = self.xml
        for tag, added in self.added.items():
            count = f'count="{len(self.records[tag])}"'.encode()
            section = _section_pattern(tag).search(xml)
            if section is not None and section.group(1) is not None:
                opening = section.group(1)
                opening = _COUNT.sub(count, opening) if _COUNT.search(opening) else opening
                replacement = opening + section.group(2) + b"".join(added) + section.group(3)
            else:
                opening = section.group(0)[:-2].rstrip() if section else self.prefix + tag
                opening = opening.lstrip(b"<")
                if _COUNT.search(opening):
                    opening = _COUNT.sub(count, opening)
                else:
                    opening += b" " + count
                closing = b"</" + self.prefix + tag + b">"
                replacement = b"<" + opening + b">" + b"".join(added) + closing
            if section is not None:
                xml = xml[: section.start()] + replacement + xml[section.end() :]
            else:
                xml = _insert_section(xml, tag, replacement, self.prefix)
        return xml


def _reprefix(record: bytes, old: bytes, new: bytes) -> bytes:
    """A record's main-namespace elements moved from prefix ``old`` to ``new`` ("x:" or "")."""
    if old == new:
        return record
    if old:
        return re.sub(rb"<(/?)" + re.escape(old), rb"<\1" + new, record)
    return re.sub(rb"<(/?)(?=[A-Za-z_][\w.-]*[\s/>])", rb"<\1" + new, record)


def _insert_section(xml: bytes, tag: bytes, section: bytes, prefix: bytes) -> bytes:
    """``xml`` with a new ``section`` before the first section that follows ``tag``."""
    order = [t for t, _ in _SECTIONS]
    for later in order[order.index(tag) + 1 :]:
        found = re.search(rb"<(?:\w+:)?" + later + rb"\b", xml)
        if found:
            return xml[: found.start()] + section + xml[found.start() :]
    closing = xml.rindex(b"</" + prefix + b"styleSheet>")
    return xml[:closing] + section + xml[closing:]


def import_formats(
    target: bytes, source: bytes, cell_formats: Iterable[int], dxfs: Iterable[int] = ()
) -> tuple[bytes, dict[int, int], dict[int, int]]:
    """Copy cell formats (``cellXfs`` indices) and differential formats (``dxfs``, used by
    conditional formats) of styles part ``source`` into styles part ``target``, with the
    fonts, fills, borders, cell style records and custom number formats they use. Records
    equal to existing ones are reused, others appended; nothing in ``target`` is changed or
    renumbered. Returns (the new ``target``, source cell format → target index, source dxf →
    target index); ``target`` is returned as it was when nothing had to be added."""
    into, out_of = _StyleSheet(target), _StyleSheet(source)
    codes, existing = out_of.number_formats(), into.number_formats()
    by_code = {code: number for number, code in sorted(existing.items(), reverse=True)}
    numbers: dict[int, int] = {}

    def number_format(number: int) -> int:
        if number not in codes:
            return number  # a built-in format
        if number not in numbers:
            code = codes[number]
            if code not in by_code:
                new = max([163, *existing, *by_code.values()]) + 1
                record = next(
                    r
                    for r in out_of.records[b"numFmts"]
                    if _attribute(r, b"numFmtId") == b"%d" % number
                )
                moved = _with_attribute(record, b"numFmtId", b"%d" % new)
                into.put(b"numFmts", moved, out_of.prefix)
                by_code[code] = new
            numbers[number] = by_code[code]
        return numbers[number]

    def xf(record: bytes, tag: bytes) -> int:
        number = _attribute(record, b"numFmtId")
        if number is not None and number.isdigit():
            record = _with_attribute(record, b"numFmtId", b"%d" % number_format(int(number)))
        for attribute, section in _XF_REFERENCES:
            index = _attribute(record, attribute)
            if index is not None and index.isdigit():
                moved = into.put(section, _record(out_of, section, int(index)), out_of.prefix)
                record = _with_attribute(record, attribute, b"%d" % moved)
        style = _attribute(record, b"xfId")
        if tag == b"cellXfs" and style is not None and style.isdigit():
            if b"cellStyleXfs" in into.present and out_of.records[b"cellStyleXfs"]:
                moved = xf(_record(out_of, b"cellStyleXfs", int(style)), b"cellStyleXfs")
                record = _with_attribute(record, b"xfId", b"%d" % moved)
            else:
                record = _with_attribute(record, b"xfId", None)
        return into.put(tag, record, out_of.prefix)

    formats = {i: xf(_record(out_of, b"cellXfs", i), b"cellXfs") for i in sorted(set(cell_formats))}
    differential = {
        i: into.put(b"dxfs", _record(out_of, b"dxfs", i), out_of.prefix) for i in sorted(set(dxfs))
    }
    return (into.to_bytes() if into.added else target), formats, differential


def _record(sheet: _StyleSheet, tag: bytes, index: int) -> bytes:
    records = sheet.records[tag]
    if not 0 <= index < len(records):
        raise ValueError(f"styles.xml has no {tag.decode()} record {index}")
    return records[index]


def resolved_format(styles: bytes, index: int) -> dict[str, object]:
    """What cell format ``index`` looks like — its number format code, font, fill, border,
    alignment and protection, each independent of record order — so formats of two
    workbooks can be compared whatever their indices."""
    sheet = _StyleSheet(styles)
    record = _record(sheet, b"cellXfs", index)
    number = int(_attribute(record, b"numFmtId") or 0)
    result: dict[str, object] = {"numFmt": sheet.number_formats().get(number, number)}
    for attribute, section in _XF_REFERENCES:
        found = _attribute(record, attribute)
        result[attribute.decode()] = _canonical(_record(sheet, section, int(found or 0)))
    inner = _canonical(record)
    result["xf"] = inner[3] if isinstance(inner, tuple) else inner  # alignment, protection
    return result


# -- a format for dates ---------------------------------------------------------------------

#: Excel's built-in number formats showing a date, and a date with its time of day.
_BUILT_IN_DATES = {14, 15, 16, 17}
_BUILT_IN_DATE_TIMES = {22}
#: What a format code shows but does not hold as letters: quoted text, [colours and locales],
#: \escaped and _padding characters.
_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.')


def date_format(styles: bytes, with_time: bool = False) -> tuple[bytes, int]:
    """(``styles`` with a plain cell format for dates — dates and times when ``with_time`` —
    appended when it has none yet, that format's index). Plain: the default font, no fill, no
    border, no alignment; a custom number format counts when its code shows a day and, with
    ``with_time``, hours (without, neither hours nor seconds). An appended format uses
    Excel's built-in short date (14) or date and time (22), shown in the reader's locale."""
    sheet = _StyleSheet(styles)
    codes = sheet.number_formats()
    wanted = _BUILT_IN_DATE_TIMES if with_time else _BUILT_IN_DATES
    for index, record in enumerate(sheet.records[b"cellXfs"]):
        number = int(_attribute(record, b"numFmtId") or 0)
        if not _plain(record):
            continue
        if number in wanted or (number in codes and _shows_date(codes[number], with_time)):
            return styles, index
    number = min(wanted)
    record = (
        f'<xf numFmtId="{number}" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/>'
    ).encode()
    index = sheet.put(b"cellXfs", record)
    return sheet.to_bytes(), index


def _plain(record: bytes) -> bool:
    """A cell format with the default font, fill and border, no alignment or protection of
    its own, and no quote prefix."""
    if not record.rstrip().endswith(b"/>"):  # an <alignment> or <protection> inside
        return False
    return all(
        (_attribute(record, name) or b"0") == b"0"
        for name in (b"fontId", b"fillId", b"borderId", b"quotePrefix")
    )


def _shows_date(code: str, with_time: bool) -> bool:
    letters = _LITERALS.sub("", code.split(";")[0]).lower()
    if "d" not in letters and "y" not in letters:
        return False
    return ("h" in letters) == with_time and (with_time or "s" not in letters)
