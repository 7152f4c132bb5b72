"""A new worksheet holding one Excel table, added to an existing workbook package.

Workbooks made before a sheet existed (issue 17: the Privacy log, the Templates) get it here
without a round trip through openpyxl. :func:`add_table_sheet` adds the worksheet part (a
frozen header row and the given rows), its table part (TableStyleMedium2, an autofilter), the
relationships between them and from the workbook, the ``<sheet>`` entry of
``xl/workbook.xml``, content-type overrides for both parts and, when ``docProps/app.xml``
lists the worksheets (as Excel writes it), the new title there. Every other part stays byte
for byte, except ``xl/styles.xml`` when a cell needs a format the workbook lacks (a date
format, the quote prefix of text starting with "=").

Cells: text as inline strings, numbers and booleans as such, dates and datetimes as serial
numbers with a plain date (or date and time) format — one the workbook has, else one appended
(:func:`~salesflow_xl.ooxml.styles.date_format`). A table with no rows keeps one blank data
row, as Excel does; the cells of ``dates`` columns there carry the date format, so rows added
later by copying that row's formats (as the workbook editor does) show dates.

Placement: by default the sheet comes last. Placed after another sheet, the indexes that count
sheets by position (``localSheetId`` of defined names, the active and first visible tab) are
shifted to keep pointing at the same sheets; a macro that counts sheets (``Sheets(3)``) would
not be, which is why appending is the default.

Messages are in English, untranslated: the caller knows which sheet it adds and tells the user
in their language (as :mod:`salesflow_xl.ooxml.transplant` does).
"""

from __future__ import annotations

import math
import posixpath
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime, time
from typing import Any
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.limits import (
    CONTROL,
    FIRST_DAY,
    LAST_DAY,
    MAX_CELL_TEXT,
    MAX_ROWS,
    MAX_SHEET_NAME,
    looks_like_formula,
)
from salesflow_xl.ooxml import sheetxml, xstring
from salesflow_xl.ooxml.package import MAIN_NS, PKG_REL_NS, REL_NS, Package
from salesflow_xl.ooxml.refs import column_letter
from salesflow_xl.ooxml.styles import STYLES, date_format, quote_prefixed

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"
APP = "docProps/app.xml"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
TABLE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
WORKSHEET_REL = f"{REL_NS}/worksheet"
TABLE_REL = f"{REL_NS}/table"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
TABLE_STYLE = "TableStyleMedium2"

#: Excel's columns per sheet and characters per table column name or table name.
MAX_COLUMNS = 16_384
MAX_HEADER = 255
MAX_TABLE_NAME = 255
#: Column widths (in characters) chosen from the content: at least, at most, and for dates.
MIN_WIDTH, MAX_WIDTH, DATE_WIDTH = 8.0, 60.0, 12.0
#: Characters a sheet name cannot hold, and a name Excel keeps for itself.
SHEET_NAME_FORBIDDEN = frozenset(":\\/?*[]")
RESERVED_SHEET_NAMES = frozenset({"history"})

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?/>|<(?:\w+:)?sheet\b[^>]*>.*?</(?:\w+:)?sheet>", re.S)
_SHEETS_END = re.compile(rb"</(?:\w+:)?sheets>")
_SHEETS_START = re.compile(rb"<(\w+:)?sheets\b")
_DEFINED_NAME = re.compile(rb"<(?:\w+:)?definedName\b[^>]*>")
_LOCAL_SHEET = re.compile(rb'(\slocalSheetId=")(\d+)(")')
_WORKBOOK_VIEW = re.compile(rb"<(?:\w+:)?workbookView\b[^>]*>")
_TAB_INDEX = re.compile(rb'(\s(?:activeTab|firstSheet)=")(\d+)(")')
_RELATIONSHIPS_END = re.compile(rb"</(?:\w+:)?Relationships>")
_TYPES_END = re.compile(rb"</(?:\w+:)?Types>")
_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b[^>]*>")
_PART_NAME = re.compile(rb'\sPartName="([^"]*)"')
_PREFIXES = re.compile(rb'\sxmlns:(\w+)="([^"]*)"')
#: A table name that Excel would read as a cell reference (A1, XFD1048576) or an R1C1 one.
_A1 = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_R1C1 = re.compile(r"^[Rr][0-9]*[Cc]?[0-9]*$|^[Cc][0-9]*$")


class NewSheetError(SalesflowError):
    """A sheet cannot be added: its name, its table's name or columns, a value, or the
    package (no workbook relationships, no content types)."""


def add_table_sheet(
    package: Package,
    sheet: str,
    table: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]] = (),
    after: str | None = None,
    widths: Sequence[float | None] | None = None,
    dates: Collection[str] = (),
) -> str:
    """Add worksheet ``sheet`` holding table ``table`` (columns ``headers``, then ``rows``,
    each as long as ``headers`` or shorter) to ``package``, after sheet ``after`` (by default
    last), as the module describes; returns the worksheet's part name.

    ``widths``: column widths in characters (None, or a shorter list: chosen from the
    content). ``dates``: headers of columns whose cells, blank ones too, get a date format.
    Values: text, numbers, booleans, dates and datetimes, None (a blank cell). Refuses
    (:class:`NewSheetError`) a sheet name Excel would not take or the workbook has, a table
    name Excel would not take or the workbook uses (for a table or a defined name), empty or
    repeated headers, rows longer than the headers, and values no cell can hold."""
    check_sheet_name(sheet)
    check_table_name(table)
    headers = _check_headers(headers, dates)
    rows = [_check_row(row, len(headers), number) for number, row in enumerate(rows, 2)]
    date_columns = {headers.index(h) for h in dates}
    column_widths = _widths(headers, rows, widths, date_columns)
    if len(rows) + 1 > MAX_ROWS:
        raise NewSheetError(f"{len(rows):,} rows do not fit on a sheet ({MAX_ROWS:,} rows)")
    for required in (WORKBOOK_RELS, CONTENT_TYPES):
        if required not in package:
            raise NewSheetError(f"{package.source} has no {required}")
    names = _sheet_names(package)
    if sheet.casefold() in {name.casefold() for name in names}:
        raise NewSheetError(f"{package.source} already has a sheet named {sheet!r}")
    if after is not None and after not in names:
        raise NewSheetError(f"{package.source} has no sheet {after!r} to put {sheet!r} after")
    table_id, used = _tables(package)
    if table.casefold() in used:
        raise NewSheetError(f"{package.source} already uses the name {table!r}")
    worksheets = _worksheet_names(package)

    sheet_part = _free_part(package, "xl/worksheets/sheet{}.xml", with_rels=True)
    table_part = _free_part(package, "xl/tables/table{}.xml")
    ref = f"A1:{column_letter(len(headers))}{1 + max(len(rows), 1)}"
    xml = _sheet_xml(headers, rows, ref, column_widths, date_columns, _Formats(package))
    package.add(sheet_part, xml)
    package.add(
        _rels_name(sheet_part),
        _relationships(
            [("rId1", TABLE_REL, posixpath.relpath(table_part, posixpath.dirname(sheet_part)))]
        ),
    )
    package.add(table_part, _table_xml(table_id, table, headers, ref))
    rel_id = _add_workbook_relationship(package, sheet_part)
    position = names.index(after) + 1 if after is not None else len(names)
    _add_sheet_entry(package, sheet, rel_id, position)
    _add_content_types(package, {sheet_part: WORKSHEET_TYPE, table_part: TABLE_TYPE})
    _add_title(package, worksheets, names[:position], sheet)
    return sheet_part


# -- names ----------------------------------------------------------------------------------


def check_sheet_name(name: str) -> None:
    """Refuse a name Excel does not take for a sheet: empty, longer than 31 characters,
    holding one of ``: \\ / ? * [ ]`` or a control character, starting or ending with an
    apostrophe, or "History" (which Excel keeps for itself)."""
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_SHEET_NAME:
        raise NewSheetError(f"a sheet name has 1 to {MAX_SHEET_NAME} characters, not {name!r}")
    forbidden = sorted(SHEET_NAME_FORBIDDEN & set(name))
    if forbidden:
        raise NewSheetError(f"a sheet name cannot hold {' '.join(forbidden)}: {name!r}")
    if CONTROL.search(name) or any(c in name for c in "\t\n\r"):
        raise NewSheetError(f"a sheet name cannot hold a control character: {name!r}")
    if name.startswith("'") or name.endswith("'"):
        raise NewSheetError(f"a sheet name cannot start or end with an apostrophe: {name!r}")
    if name.casefold() in RESERVED_SHEET_NAMES:
        raise NewSheetError(f"Excel keeps the sheet name {name!r} for itself")


def check_table_name(name: str) -> None:
    """Refuse a name Excel does not take for a table: it starts with a letter, an underscore
    or a backslash, goes on with letters, digits, periods and underscores, has at most 255
    characters, and reads as no cell reference (A1, R1C1, R, C)."""
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_TABLE_NAME:
        raise NewSheetError(f"a table name has 1 to {MAX_TABLE_NAME} characters, not {name!r}")
    first, rest = name[0], name[1:]
    valid = (first.isalpha() or first in "_\\") and all(c.isalnum() or c in "._" for c in rest)
    if not valid:
        raise NewSheetError(
            f"a table name starts with a letter or an underscore and holds only letters, "
            f"digits, periods and underscores, not {name!r}"
        )
    if _A1.match(name) or _R1C1.match(name):
        raise NewSheetError(f"a table name cannot read as a cell reference: {name!r}")


def _check_headers(headers: Sequence[str], dates: Collection[str]) -> list[str]:
    result = list(headers)
    if not 1 <= len(result) <= MAX_COLUMNS:
        raise NewSheetError(f"a table has 1 to {MAX_COLUMNS:,} columns, not {len(result):,}")
    seen: set[str] = set()
    for header in result:
        if not isinstance(header, str) or not header.strip() or len(header) > MAX_HEADER:
            raise NewSheetError(
                f"a column name is text of 1 to {MAX_HEADER} characters, not {header!r}"
            )
        if CONTROL.search(header) or any(c in header for c in "\t\n\r"):
            raise NewSheetError(f"a column name cannot hold a control character: {header!r}")
        if header.casefold() in seen:
            raise NewSheetError(f"two columns are named {header!r}")
        seen.add(header.casefold())
    unknown = [d for d in dates if d not in result]
    if unknown:
        raise NewSheetError(f"the date columns {unknown!r} are not among the columns")
    return result


def _check_row(row: Sequence[Any], width: int, number: int) -> list[Any]:
    values = list(row)
    if len(values) > width:
        raise NewSheetError(f"row {number} has {len(values)} values for {width} columns")
    for value in values:
        _check_value(value, number)
    return values + [None] * (width - len(values))


def _check_value(value: Any, number: int) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int | float):
        try:
            finite = math.isfinite(float(value))
        except OverflowError:
            finite = False
        if not finite:
            raise NewSheetError(f"row {number}: {value!r} is no number a cell holds")
        return
    if isinstance(value, date):  # datetime too
        day = value.date() if isinstance(value, datetime) else value
        if not FIRST_DAY <= day <= LAST_DAY:
            raise NewSheetError(f"row {number}: {value} is outside Excel's dates")
        return
    if isinstance(value, str):
        if len(value) > MAX_CELL_TEXT:
            raise NewSheetError(
                f"row {number}: text of {len(value):,} characters (a cell holds {MAX_CELL_TEXT:,})"
            )
        return
    raise NewSheetError(f"row {number}: {type(value).__name__} {value!r} is no cell value")


# -- reading the package --------------------------------------------------------------------


def _sheet_names(package: Package) -> list[str]:
    """The workbook's sheet names, in tab order (chart sheets and hidden ones included)."""
    root = ElementTree.fromstring(package.read(WORKBOOK))
    return [s.get("name", "") for s in root.iter(f"{{{MAIN_NS}}}sheet")]


def _tables(package: Package) -> tuple[int, set[str]]:
    """(a table id no table of the workbook has, every name in use: the tables' names and
    display names and the defined names, case-folded)."""
    types = package.read(CONTENT_TYPES)
    overridden = {
        m.group(1).decode().lstrip("/")
        for element in _OVERRIDE.findall(types)
        if TABLE_TYPE.encode() in element and (m := _PART_NAME.search(element))
    }
    parts = {n for n in package.names if n.startswith("xl/tables/") and n.endswith(".xml")}
    highest, used = 0, set()
    for part in sorted((parts | overridden) & set(package.names)):
        try:
            root = ElementTree.fromstring(package.read(part))
        except ElementTree.ParseError as error:
            raise NewSheetError(
                f"{package.source}: table part {part} is damaged: {error}"
            ) from error
        if root.tag != f"{{{MAIN_NS}}}table":
            continue
        used.update(root.get(a, "").casefold() for a in ("name", "displayName") if root.get(a))
        found = root.get("id", "")
        highest = max(highest, int(found) if found.isdigit() else 0)
    workbook = ElementTree.fromstring(package.read(WORKBOOK))
    used.update(d.get("name", "").casefold() for d in workbook.iter(f"{{{MAIN_NS}}}definedName"))
    return highest + 1, used


def _free_part(package: Package, pattern: str, with_rels: bool = False) -> str:
    """The first part name of ``pattern`` with the lowest free number (its relationships part
    free too when ``with_rels``)."""
    number = 1
    while True:
        name = pattern.format(number)
        taken = name in package or (with_rels and _rels_name(name) in package)
        if not taken and not _overridden(package, name):
            return name
        number += 1


def _overridden(package: Package, part: str) -> bool:
    """True when ``[Content_Types].xml`` names ``part`` (a part gone, its override left)."""
    wanted = "/" + part.lower()
    return any(
        m.group(1).decode().lower() == wanted
        for element in _OVERRIDE.findall(package.read(CONTENT_TYPES))
        if (m := _PART_NAME.search(element))
    )


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


# -- the new parts --------------------------------------------------------------------------


class _Formats:
    """Cell formats the new cells need, taken from (or appended to) the package's styles."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self._dates: dict[bool, int] = {}
        self._quoted: dict[int, int] = {}

    def date(self, with_time: bool) -> int:
        if with_time not in self._dates:
            if STYLES not in self.package:
                raise NewSheetError(f"{self.package.source} has no styles for dates ({STYLES})")
            styles, index = date_format(self.package.read(STYLES), with_time)
            self.package.replace(STYLES, styles)
            self._dates[with_time] = index
        return self._dates[with_time]

    def quoted(self, index: int) -> int:
        """The quote-prefixed twin of format ``index`` (text Excel would take for a formula
        when edited); the format itself when the styles cannot be edited."""
        if index not in self._quoted:
            self._quoted[index] = index
            if STYLES in self.package:
                try:
                    styles, self._quoted[index] = quote_prefixed(self.package.read(STYLES), index)
                except ValueError:
                    pass
                else:
                    self.package.replace(STYLES, styles)
        return self._quoted[index]


def _cell(ref: str, value: Any, dated: bool, formats: _Formats) -> bytes:
    """A data cell's XML (empty for a blank cell without a format)."""
    style: int | None = None
    if isinstance(value, datetime) and value.time() != time():
        style = formats.date(with_time=True)
    elif dated or isinstance(value, date):
        style = formats.date(with_time=False)
    if looks_like_formula(value):
        style = formats.quoted(style or 0)
    if value is None and style is None:
        return b""
    kind = "text" if isinstance(value, str) else "number"
    return sheetxml.cell_xml(ref, value, kind, None if style is None else str(style))


def _sheet_xml(
    headers: list[str],
    rows: list[list[Any]],
    ref: str,
    widths: list[float],
    date_columns: set[int],
    formats: _Formats,
) -> bytes:
    letters = [column_letter(i + 1) for i in range(len(headers))]
    header = b"".join(
        sheetxml.cell_xml(f"{letter}1", text, "text", None)
        for letter, text in zip(letters, headers, strict=True)
    )
    lines = [b'<row r="1">' + header + b"</row>"]
    for number, values in enumerate(rows or [[None] * len(headers)], 2):
        cells = [
            _cell(f"{letters[i]}{number}", value, i in date_columns, formats)
            for i, value in enumerate(values)
        ]
        lines.append(f'<row r="{number}">'.encode() + b"".join(cells) + b"</row>")
    columns = b"".join(
        f'<col min="{i}" max="{i}" width="{width:g}" customWidth="1"/>'.encode()
        for i, width in enumerate(widths, 1)
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'.encode()
        + f'<dimension ref="{ref}"/>'.encode()
        + b'<sheetViews><sheetView workbookViewId="0">'
        + b'<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        + b'<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        + b"</sheetView></sheetViews>"
        + b'<sheetFormatPr defaultRowHeight="15"/>'
        + b"<cols>"
        + columns
        + b"</cols><sheetData>"
        + b"".join(lines)
        + b"</sheetData>"
        + b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        + b'footer="0.3"/>'
        + b'<tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>'
    )


def _widths(
    headers: list[str],
    rows: list[list[Any]],
    given: Sequence[float | None] | None,
    date_columns: set[int],
) -> list[float]:
    """Each column's width: as given, else from its longest line of text (wide East Asian
    characters counting two), between :data:`MIN_WIDTH` and :data:`MAX_WIDTH`."""
    given = list(given or [])
    if len(given) > len(headers):
        raise NewSheetError(f"{len(given)} widths for {len(headers)} columns")
    result = []
    for index, header in enumerate(headers):
        width = given[index] if index < len(given) else None
        if width is not None:
            if not 0 <= width <= 255:
                raise NewSheetError(f"a column width is 0 to 255 characters, not {width!r}")
            result.append(float(width))
            continue
        texts = [header] + [_shown(row[index]) for row in rows]
        longest = max(_display_width(line) for text in texts for line in text.split("\n"))
        floor = DATE_WIDTH if index in date_columns else MIN_WIDTH
        result.append(min(max(longest + 2.0, floor), MAX_WIDTH))
    return result


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table_xml(table_id: int, name: str, headers: list[str], ref: str) -> bytes:
    columns = b"".join(
        f'<tableColumn id="{i}" name="{_attribute(header)}"/>'.encode()
        for i, header in enumerate(headers, 1)
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + f'<table xmlns="{MAIN_NS}" id="{table_id}" name="{name}" displayName="{name}" '
        f'ref="{ref}" totalsRowShown="0">'.encode()
        + f'<autoFilter ref="{ref}"/><tableColumns count="{len(headers)}">'.encode()
        + columns
        + f'</tableColumns><tableStyleInfo name="{TABLE_STYLE}" showFirstColumn="0" '
        'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>'.encode()
    )


def _attribute(text: str) -> str:
    """Text for an XML attribute's value (quotes escaped; a literal ``_xHHHH_`` kept)."""
    return escape(xstring.encode(text), {'"': "&quot;"})


def _relationships(relationships: Sequence[tuple[str, str, str]]) -> bytes:
    """A relationships part of (id, type, target)."""
    body = "".join(
        f'<Relationship Id="{i}" Type="{t}" Target="{_attribute(target)}"/>'
        for i, t, target in relationships
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + f'<Relationships xmlns="{PKG_REL_NS}">{body}</Relationships>'.encode()
    )


# -- the workbook's parts -------------------------------------------------------------------


def _add_workbook_relationship(package: Package, sheet_part: str) -> str:
    """Relate the workbook to the new sheet under a free id; returns the id."""
    xml = package.read(WORKBOOK_RELS)
    root = ElementTree.fromstring(xml)
    ids = {r.get("Id", "") for r in root.iter(f"{{{PKG_REL_NS}}}Relationship")}
    number = 1
    while f"rId{number}" in ids:
        number += 1
    rel_id = f"rId{number}"
    target = posixpath.relpath(sheet_part, posixpath.dirname(WORKBOOK))
    prefix = _prefix_of(xml, b"Relationships")
    element = (
        f'<{prefix}Relationship Id="{rel_id}" Type="{WORKSHEET_REL}" Target="{target}"/>'
    ).encode()
    end = _last(_RELATIONSHIPS_END, xml, WORKBOOK_RELS)
    package.replace(WORKBOOK_RELS, xml[:end] + element + xml[end:])
    return rel_id


def _add_sheet_entry(package: Package, sheet: str, rel_id: str, position: int) -> None:
    """The ``<sheet>`` entry, at ``position`` among the sheets (a free sheetId); the indexes
    of the sheets from there on shift by one wherever the workbook counts sheets."""
    xml = package.read(WORKBOOK)
    root = ElementTree.fromstring(xml)
    ids = [s.get("sheetId", "") for s in root.iter(f"{{{MAIN_NS}}}sheet")]
    sheet_id = max((int(i) for i in ids if i.isdigit()), default=0) + 1
    opening = _SHEETS_START.search(xml)
    if opening is None:
        raise NewSheetError(f"{package.source}: {WORKBOOK} has no sheets")
    main = (opening.group(1) or b"").decode()
    relationship = _namespace_prefix(xml, REL_NS)
    declaration = "" if relationship else f' xmlns:r="{REL_NS}"'
    relationship = relationship or "r"
    element = (
        f'<{main}sheet name="{_attribute(sheet)}" sheetId="{sheet_id}" '
        f'{relationship}:id="{rel_id}"{declaration}/>'
    ).encode()
    xml = _shift_sheet_indexes(xml, position)
    opening = _SHEETS_START.search(xml)
    assert opening is not None  # only attribute values before it changed
    entries = [m for m in _SHEET.finditer(xml) if m.start() > opening.start()]
    if position < len(entries):
        at = entries[position].start()
    else:
        at = _last(_SHEETS_END, xml, WORKBOOK, after=opening.start())
    package.replace(WORKBOOK, xml[:at] + element + xml[at:])


def _shift_sheet_indexes(xml: bytes, position: int) -> bytes:
    """``xml`` with every sheet index at or past ``position`` — a defined name's
    localSheetId, the workbook views' activeTab and firstSheet — one higher."""

    def shift(pattern: re.Pattern[bytes]) -> Callable[[re.Match[bytes]], bytes]:
        def element(match: re.Match[bytes]) -> bytes:
            return pattern.sub(
                lambda m: (
                    m.group(1)
                    + (b"%d" % (int(m.group(2)) + 1) if int(m.group(2)) >= position else m.group(2))
                    + m.group(3)
                ),
                match.group(0),
            )

        return element

    xml = _DEFINED_NAME.sub(shift(_LOCAL_SHEET), xml)
    return _WORKBOOK_VIEW.sub(shift(_TAB_INDEX), xml)


def _add_content_types(package: Package, parts: dict[str, str]) -> None:
    xml = package.read(CONTENT_TYPES)
    prefix = _prefix_of(xml, b"Types")
    elements = "".join(
        f'<{prefix}Override PartName="/{name}" ContentType="{kind}"/>'
        for name, kind in parts.items()
    )
    end = _last(_TYPES_END, xml, CONTENT_TYPES)
    package.replace(CONTENT_TYPES, xml[:end] + elements.encode() + xml[end:])


def _add_title(package: Package, worksheets: list[str], before: list[str], sheet: str) -> None:
    """``sheet`` among the worksheet titles of ``docProps/app.xml`` (after the sheets
    ``before`` it), when the part lists them: a group of its heading pairs whose titles are
    the workbook's ``worksheets`` (whatever the group is called in the language of the Excel
    that saved it). Left alone otherwise: Excel does not read these titles, and writes them
    anew when it saves."""
    if APP not in package:
        return
    xml = package.read(APP)
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return
    pairs = root.find(f"{{*}}HeadingPairs/{{{VT_NS}}}vector")
    titles = root.find(f"{{*}}TitlesOfParts/{{{VT_NS}}}vector")
    if pairs is None or titles is None:
        return
    groups: list[int] = []
    for variant in list(pairs)[1::2]:
        count = variant.find(f"{{{VT_NS}}}i4")
        if count is None or not (count.text or "").strip().isdigit():
            return
        groups.append(int((count.text or "").strip()))
    listed = [t.text or "" for t in titles.findall(f"{{{VT_NS}}}lpstr")]
    starts = [sum(groups[:g]) for g in range(len(groups))]
    group = next(
        (
            g
            for g, count in enumerate(groups)
            if listed[starts[g] : starts[g] + count] == worksheets
        ),
        None,
    )
    if group is None:
        return
    at = starts[group] + sum(1 for name in before if name in worksheets)
    new = _edit_app(xml, group, at, sheet)
    if new is not None:
        package.replace(APP, new)


def _edit_app(xml: bytes, group: int, index: int, sheet: str) -> bytes | None:
    """``app.xml`` with heading-pair group ``group`` counting one more and ``sheet`` the
    ``index``-th title (None when the part is not laid out as expected)."""
    pairs = re.search(rb"<(?:\w+:)?HeadingPairs\b.*?</(?:\w+:)?HeadingPairs>", xml, re.S)
    titles = re.search(rb"<(?:\w+:)?TitlesOfParts\b.*?</(?:\w+:)?TitlesOfParts>", xml, re.S)
    if pairs is None or titles is None:
        return None
    variants = list(
        re.finditer(rb"<(?:\w+:)?variant\b.*?</(?:\w+:)?variant>", pairs.group(0), re.S)
    )
    if len(variants) <= 2 * group + 1:
        return None
    counter = variants[2 * group + 1]
    counted = re.sub(
        rb"(<(?:\w+:)?i4>)\s*(\d+)\s*(<)",
        lambda m: m.group(1) + b"%d" % (int(m.group(2)) + 1) + m.group(3),
        counter.group(0),
        count=1,
    )
    heading = pairs.group(0)
    heading = heading[: counter.start()] + counted + heading[counter.end() :]
    listed = titles.group(0)
    entries = list(re.finditer(rb"<(\w+:)?lpstr\b[^>]*?(?:/>|>.*?</(?:\w+:)?lpstr>)", listed, re.S))
    vector = re.search(rb"<(\w+:)?vector\b[^>]*>", listed)
    if vector is None or index > len(entries):
        return None
    prefix = (entries[0].group(1) if entries else vector.group(1)) or b""
    element = b"<" + prefix + b"lpstr>" + escape(sheet).encode() + b"</" + prefix + b"lpstr>"
    at = (
        entries[index].start()
        if index < len(entries)
        else entries[-1].end()
        if entries
        else vector.end()
    )
    listed = listed[:at] + element + listed[at:]
    listed = re.sub(
        rb'(<(?:\w+:)?vector\b[^>]*?\ssize=")(\d+)(")',
        lambda m: m.group(1) + b"%d" % (int(m.group(2)) + 1) + m.group(3),
        listed,
        count=1,
    )
    first, second = sorted([(pairs, heading), (titles, listed)], key=lambda p: p[0].start())
    return (
        xml[: first[0].start()]
        + first[1]
        + xml[first[0].end() : second[0].start()]
        + second[1]
        + xml[second[0].end() :]
    )


def _worksheet_names(package: Package) -> list[str]:
    """The names of the workbook's worksheets (not chart or dialog sheets), in tab order."""
    kinds = {
        r.get("Id", ""): r.get("Type", "")
        for r in ElementTree.fromstring(package.read(WORKBOOK_RELS)).iter(
            f"{{{PKG_REL_NS}}}Relationship"
        )
    }
    root = ElementTree.fromstring(package.read(WORKBOOK))
    return [
        s.get("name", "")
        for s in root.iter(f"{{{MAIN_NS}}}sheet")
        if kinds.get(s.get(f"{{{REL_NS}}}id", "")) == WORKSHEET_REL
    ]


# -- XML helpers ----------------------------------------------------------------------------


def _prefix_of(xml: bytes, root: bytes) -> str:
    """The prefix ("x:" or "") of element ``root`` in ``xml``."""
    found = re.search(rb"<(\w+:)?" + root + rb"\b", xml)
    return (found.group(1) or b"").decode() if found else ""


def _namespace_prefix(xml: bytes, namespace: str) -> str | None:
    """The prefix the root element binds to ``namespace``, if any."""
    root_tag = re.search(rb"<(?!\?)(?:\w+:)?\w+\b[^>]*>", xml)
    if root_tag is None:
        return None
    for prefix, uri in _PREFIXES.findall(root_tag.group(0)):
        if uri.decode() == namespace:
            return prefix.decode()
    return None


def _last(pattern: re.Pattern[bytes], xml: bytes, part: str, after: int = 0) -> int:
    """Where the last match of ``pattern`` (a closing tag) starts."""
    found = list(pattern.finditer(xml, after))
    if not found:
        raise NewSheetError(f"{part} is not laid out as SpreadsheetML requires")
    return found[-1].start()
