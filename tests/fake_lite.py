"""A recording fake of xlwings Lite's remote ``Book``, with the remote engine's rules
(xlwings/pro/_xlremote.py): the workbook arrives as a JSON snapshot taken before the script
runs, reads come from that snapshot (a write does not change what is read), every write is
queued as an action, in order, in the shape the engine queues it, and what the engine lacks
raises ``NotImplementedError``.

The snapshot (the JSON the Lite client sends, reduced to what SalesFlow reads)::

    {"book": {"name": "Sales.xlsx", "active_sheet_index": 1, "selection": "E5:E7" | null},
     "names": [{"name": "AsOf", "sheet_index": 11, "address": "B3", "book_scope": true}],
     "sheets": [{"name": "Deals", "values": [[...], ...],
                 "tables": [{"name": "tblDeals", "range_address": "A1:Z301"}]}, ...]}

Values as the client sends them: a blank cell "", a date "2026-06-30T00:00:00.000Z" (read
back as a datetime), a whole number as an int (a JavaScript number), text and booleans as they
are; each sheet from A1 to its last used cell. Only named ranges are sent (not the defined
names holding a constant, such as SalesFlow's language).

An action: ``{"func", "args", "values", "sheet_position", "start_row", "start_column",
"row_count", "column_count"}`` (rows and columns from 0), ``func`` one of setValues,
resizeTable (args: the table's index on its sheet, the new address), addSheet (args: index,
name), addTable (args: address, has headers, style, name), setNumberFormat (args: the format)
and alert (args: prompt, title, buttons, mode, callback).

This module imports only the standard library at its top: it runs in a venv with nothing but
what Pyodide offers. :func:`snapshot_of_file` (a workbook file → snapshot) and :func:`apply`
(actions → the file as Excel would leave it) need openpyxl, imported when they are called.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
from typing import Any

#: The engine's pattern of a date the client sends (a string it turns into a datetime).
ISO_DATETIME = re.compile(
    r"^(-?(?:[1-9][0-9]*)?[0-9]{4})-(1[0-2]|0[1-9])-(3[01]|0[1-9]|[12][0-9])T(2[0-3]|[01][0-9])"
    r":([0-5][0-9]):([0-5][0-9])(\.[0-9]+)?(Z|[+-](?:2[0-3]|[01][0-9]):[0-5][0-9])?$"
)
#: A date or a time as the engine writes it (Excel takes it for a date).
WRITTEN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$")


# -- cell addresses -------------------------------------------------------------------------------


def letter(column: int) -> str:
    name = ""
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name


def address(r1: int, c1: int, r2: int | None = None, c2: int | None = None) -> str:
    first = f"{letter(c1)}{r1}"
    if r2 is None or (r2, c2) == (r1, c1):
        return first
    return f"{first}:{letter(c2 or c1)}{r2}"


def parse_address(text: str) -> tuple[int, int, int, int]:
    """ "B3" or "$A$1:$Z$9" → (first row, first column, last row, last column)."""
    corners = []
    for part in text.replace("$", "").split(":"):
        found = re.fullmatch(r"([A-Za-z]+)(\d+)", part.strip())
        if found is None:
            raise ValueError(f"not a cell address: {text!r}")
        column = 0
        for char in found.group(1).upper():
            column = column * 26 + ord(char) - 64
        corners.append((int(found.group(2)), column))
    (r1, c1), (r2, c2) = corners[0], corners[-1]
    return r1, c1, r2, c2


# -- values as they travel ------------------------------------------------------------------------


def sent(value: Any) -> Any:
    """A cell's value as the Lite client sends it in the snapshot."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)  # a JavaScript number
    return value


def received(value: Any) -> Any:
    """A snapshot value as the engine reads it (``_clean_value_data_element``)."""
    if value == "":
        return None
    if isinstance(value, str) and ISO_DATETIME.match(value):
        return dt.datetime.fromisoformat(value[:-1] if value.endswith("Z") else value)
    return value


def written(value: Any) -> Any:
    """A value as the engine queues it (``Engine.prepare_xl_data_element``)."""
    if value is None:
        return ""
    if type(value).__name__ == "NaTType":
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # a NumPy number
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.replace(tzinfo=None).isoformat(sep=" ").split(".")[0]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# -- the fake book --------------------------------------------------------------------------------


def _not_in_lite(what: str) -> NotImplementedError:
    return NotImplementedError(f"{what} is not supported by xlwings Lite's remote engine")


class Rows:
    def __init__(self, count: int) -> None:
        self.count = count


class FakeRange:
    """A rectangle of a sheet (rows and columns from 1)."""

    def __init__(self, sheet: FakeSheet, r1: int, c1: int, r2: int, c2: int, ndim: Any = None):
        self.sheet, self.r1, self.c1, self.r2, self.c2, self.ndim = sheet, r1, c1, r2, c2, ndim

    def options(self, ndim: Any = None, **_: Any) -> FakeRange:
        return FakeRange(self.sheet, self.r1, self.c1, self.r2, self.c2, ndim)

    @property
    def row(self) -> int:
        return self.r1

    @property
    def column(self) -> int:
        return self.c1

    @property
    def rows(self) -> Rows:
        return Rows(self.r2 - self.r1 + 1)

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    @property
    def address(self) -> str:
        return address(self.r1, self.c1, self.r2, self.c2)

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self.r2, self.c2, self.r2, self.c2)

    @property
    def value(self) -> Any:
        rows = self.sheet.snapshot["values"]
        grid = [
            [
                received(rows[r - 1][c - 1]) if r <= len(rows) and c <= len(rows[r - 1]) else None
                for c in range(self.c1, self.c2 + 1)
            ]
            for r in range(self.r1, self.r2 + 1)
        ]
        self.sheet.book.reads.append((self.sheet.name, self.address))
        if self.ndim == 2:
            return grid
        if self.ndim == 1 or len(grid) == 1 or len(grid[0]) == 1:
            flat = [v for row in grid for v in row]
            return flat[0] if len(flat) == 1 and self.ndim is None else flat
        return grid

    @value.setter
    def value(self, data: Any) -> None:
        if isinstance(data, (list, tuple)):
            block = [list(r) if isinstance(r, (list, tuple)) else [r] for r in data]
            if data and not isinstance(data[0], (list, tuple)):
                block = [list(data)]  # one row
        else:
            rows, columns = self.shape
            block = [[data] * columns for _ in range(rows)]
        values = [[written(v) for v in row] for row in block]
        self.sheet.book.queue(
            "setValues",
            values=values,
            sheet_position=self.sheet.index,
            start_row=self.r1 - 1,
            start_column=self.c1 - 1,
            row_count=len(values),
            column_count=max((len(r) for r in values), default=0),
        )

    @property
    def formula(self) -> Any:
        raise _not_in_lite("reading a formula")

    @property
    def number_format(self) -> Any:
        raise _not_in_lite("reading a number format")

    @number_format.setter
    def number_format(self, code: str) -> None:
        rows, columns = self.shape
        self.sheet.book.queue(
            "setNumberFormat",
            args=[code],
            sheet_position=self.sheet.index,
            start_row=self.r1 - 1,
            start_column=self.c1 - 1,
            row_count=rows,
            column_count=columns,
        )

    @property
    def api(self) -> Any:
        raise _not_in_lite("Range.api")


class FakeTable:
    def __init__(self, sheet: FakeSheet, index: int, name: str) -> None:
        self.sheet, self.index, self.name = sheet, index, name

    def resize(self, rng: FakeRange) -> None:
        self.sheet.book.queue(
            "resizeTable", args=[self.index, rng.address], sheet_position=self.sheet.index
        )


class FakeTables:
    def __init__(self, sheet: FakeSheet) -> None:
        self.sheet = sheet

    def __getitem__(self, name: str) -> FakeTable:
        for index, table in enumerate(self.sheet.snapshot.get("tables", [])):
            if table["name"] == name:
                return FakeTable(self.sheet, index, name)
        raise KeyError(name)

    def add(
        self, source: FakeRange, name: str | None = None, has_headers: bool = True, **_: Any
    ) -> FakeTable:
        self.sheet.book.queue(
            "addTable",
            args=[source.address, has_headers, None, name],
            sheet_position=self.sheet.index,
        )
        tables = self.sheet.snapshot.setdefault("tables", [])
        tables.append({"name": name, "range_address": source.address})
        return FakeTable(self.sheet, len(tables) - 1, str(name))


class SheetImpl:
    """What ``sheet.impl`` is in the remote engine: ``api`` is the sheet's snapshot."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.api = snapshot


class FakeSheet:
    def __init__(self, book: FakeLiteBook, snapshot: dict[str, Any]) -> None:
        self.book = book
        self.snapshot = snapshot

    @property
    def name(self) -> str:
        return self.snapshot["name"]

    @property
    def index(self) -> int:
        """The sheet's position, from 0."""
        return next(i for i, s in enumerate(self.book.snapshot["sheets"]) if s is self.snapshot)

    @property
    def impl(self) -> SheetImpl:
        if not self.book.sends_values_block:
            raise AttributeError("impl")
        return SheetImpl(self.snapshot)

    def range(self, first: Any, last: Any = None) -> FakeRange:
        if isinstance(first, str):
            r1, c1, r2, c2 = parse_address(first)
            return FakeRange(self, r1, c1, r2, c2)
        last = last or first
        return FakeRange(self, first[0], first[1], last[0], last[1])

    def __getitem__(self, text: str) -> FakeRange:
        return self.range(text)

    @property
    def used_range(self) -> Any:
        raise _not_in_lite("Sheet.used_range")

    @property
    def tables(self) -> FakeTables:
        return FakeTables(self)

    @property
    def api(self) -> Any:
        raise _not_in_lite("Sheet.api")


class FakeSheets:
    def __init__(self, book: FakeLiteBook) -> None:
        self.book = book

    def _all(self) -> list[FakeSheet]:
        return [FakeSheet(self.book, s) for s in self.book.snapshot["sheets"]]

    def __iter__(self) -> Any:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self.book.snapshot["sheets"])

    def __getitem__(self, key: Any) -> FakeSheet:
        sheets = self._all()
        if isinstance(key, int):
            return sheets[key]
        for sheet in sheets:
            if sheet.name == key:
                return sheet
        raise KeyError(key)

    @property
    def active(self) -> FakeSheet:
        return self._all()[self.book.snapshot["book"]["active_sheet_index"]]

    def add(self, name: str, before: Any = None, after: Any = None) -> FakeSheet:
        """A new sheet (where the remote engine puts it: after ``after``, else last)."""
        sheets = self.book.snapshot["sheets"]
        index = after.index + 1 if after is not None else len(sheets)
        if before is not None:
            index = before.index
        snapshot: dict[str, Any] = {"name": name, "values": [], "tables": []}
        sheets.insert(index, snapshot)
        self.book.queue("addSheet", args=[index, name])
        return FakeSheet(self.book, snapshot)


class FakeName:
    def __init__(self, book: FakeLiteBook, entry: dict[str, Any]) -> None:
        self.book, self.entry = book, entry

    @property
    def name(self) -> str:
        return self.entry["name"]

    @property
    def refers_to_range(self) -> FakeRange:
        return self.book.sheets[self.entry["sheet_index"]].range(self.entry["address"])

    @property
    def refers_to(self) -> str:
        sheet = self.book.sheets[self.entry["sheet_index"]].name
        return f"='{sheet}'!{self.entry['address']}"


class FakeNames:
    """The named ranges the client sends (no constants)."""

    def __init__(self, book: FakeLiteBook) -> None:
        self.book = book

    def __getitem__(self, name: str) -> FakeName:
        for entry in self.book.snapshot.get("names", []):
            if entry["name"] == name:
                return FakeName(self.book, entry)
        raise KeyError(name)

    def __contains__(self, name: str) -> bool:
        return any(e["name"] == name for e in self.book.snapshot.get("names", []))


class FakeLiteApp:
    def __init__(self, book: FakeLiteBook) -> None:
        self.book = book

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str | None = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> None:
        """Queued, not shown: returns nothing (no answer can come back)."""
        args = [prompt or "", title or "", buttons or "", mode or "", callback or ""]
        self.book.queue("alert", args=args)
        self.book.alerts.append({"prompt": prompt, "title": title, "mode": mode})

    def macro(self, name: str) -> Any:
        raise _not_in_lite("App.macro (there is no VBA)")

    @property
    def selection(self) -> Any:
        return self.book.selection

    @property
    def api(self) -> Any:
        raise _not_in_lite("App.api")


class FakeLiteBook:
    """Lite's remote Book over ``snapshot`` (the JSON shape above). ``actions`` lists every
    queued write and alert in order; ``alerts`` the alerts; ``reads`` every range read.
    ``sends_values_block=False`` models an engine that keeps no values block for a sheet."""

    def __init__(self, snapshot: dict[str, Any], sends_values_block: bool = True) -> None:
        self.snapshot = json.loads(json.dumps(snapshot))  # a copy of its own
        self.sends_values_block = sends_values_block
        self.actions: list[dict[str, Any]] = []
        self.alerts: list[dict[str, Any]] = []
        self.reads: list[tuple[str, str]] = []
        self.app = FakeLiteApp(self)

    def queue(self, func: str, args: Any = None, values: Any = None, **where: Any) -> None:
        action = {
            "func": func,
            "args": args if isinstance(args, list) else [args],
            "values": values,
            "sheet_position": where.get("sheet_position"),
            "start_row": where.get("start_row"),
            "start_column": where.get("start_column"),
            "row_count": where.get("row_count"),
            "column_count": where.get("column_count"),
        }
        json.dumps(action)  # what the client gets is JSON: a value that is not fails here
        self.actions.append(action)

    def writes(self) -> list[dict[str, Any]]:
        return [a for a in self.actions if a["func"] != "alert"]

    @property
    def name(self) -> str:
        return self.snapshot["book"]["name"]

    @property
    def fullname(self) -> str:
        return self.name  # as the remote engine: a name, never a path

    @property
    def sheets(self) -> FakeSheets:
        return FakeSheets(self)

    @property
    def names(self) -> FakeNames:
        return FakeNames(self)

    @property
    def selection(self) -> FakeRange | None:
        found = self.snapshot["book"].get("selection")
        return None if not found else self.sheets.active.range(found)

    def select(self, sheet: str, first_row: int, last_row: int, column: int = 1) -> None:
        """As the user selecting cells before running the script (changes the snapshot)."""
        names = [s["name"] for s in self.snapshot["sheets"]]
        self.snapshot["book"]["active_sheet_index"] = names.index(sheet)
        self.snapshot["book"]["selection"] = address(first_row, column, last_row, column)

    def save(self, *_: Any) -> None:
        raise _not_in_lite("Book.save")

    @property
    def api(self) -> Any:
        raise _not_in_lite("Book.api")


def load(text: str, **options: Any) -> FakeLiteBook:
    """The fake book of a snapshot serialised as JSON."""
    return FakeLiteBook(json.loads(text), **options)


# -- from and back to a workbook file (openpyxl, imported when called) ---------------------------


def snapshot_of_file(
    content: bytes,
    name: str = "Sales.xlsx",
    active: str | None = None,
    selection: str | None = None,
) -> dict[str, Any]:
    """The snapshot Lite would send of the workbook file ``content``: each sheet's values from
    A1 to its last used cell (the cached values of formulas), its tables and their ranges, the
    named ranges; ``active`` the active sheet (default the first), ``selection`` an address on
    it (default none)."""
    from openpyxl import load_workbook
    from openpyxl.workbook.defined_name import DefinedName

    book = load_workbook(io.BytesIO(content), data_only=True)
    titles = book.sheetnames
    sheets = []
    for sheet in book.worksheets:
        rows = [[sent(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        rows = rows if any(any(v != "" for v in row) for row in rows) else []
        tables = [{"name": t.name, "range_address": t.ref} for t in sheet.tables.values()]
        sheets.append({"name": sheet.title, "values": rows, "tables": tables})
    names = []
    for key, defined in book.defined_names.items():
        assert isinstance(defined, DefinedName)
        try:
            destinations = list(defined.destinations) if defined.type == "RANGE" else []
        except AttributeError:  # openpyxl's parser meets a formula that is no range
            destinations = []
        if len(destinations) != 1:
            continue  # a constant, or several areas: the client sends named ranges only
        sheet, where = destinations[0]
        if sheet in titles:
            entry = {"name": key, "sheet_index": titles.index(sheet), "address": where}
            names.append({**entry, "book_scope": True})
    return {
        "book": {
            "name": name,
            "active_sheet_index": titles.index(active) if active else 0,
            "selection": selection,
        },
        "names": names,
        "sheets": sheets,
    }


def apply(actions: list[dict[str, Any]], content: bytes, snapshot: dict[str, Any]) -> bytes:
    """The workbook file ``content`` as Excel leaves it after applying ``actions`` (queued on
    the fake of ``snapshot``, made from that file): values written (a date string becomes a
    date, a leading apostrophe keeps text as text, "=…" is a formula), tables resized and
    added, sheets added, number formats set; alerts change nothing."""
    from openpyxl import load_workbook
    from openpyxl.worksheet.table import Table

    book = load_workbook(io.BytesIO(content))
    order = [s["name"] for s in snapshot["sheets"]]  # positions as the actions count them
    for action in actions:
        func, args = action["func"], action["args"]
        if func == "alert":
            continue
        if func == "addSheet":
            index, name = args
            book.create_sheet(name, index)
            order.insert(index, name)
            continue
        sheet = book[order[action["sheet_position"]]]
        row, column = (action["start_row"] or 0) + 1, (action["start_column"] or 0) + 1
        if func == "setValues":
            for i, values in enumerate(action["values"]):
                for j, value in enumerate(values):
                    cell = sheet.cell(row + i, column + j)
                    cell.value = _as_excel_takes(value)
                    if isinstance(value, str) and value.startswith("'"):
                        cell.data_type = "s"  # text, even where it starts with "="
        elif func == "setNumberFormat":
            for i in range(action["row_count"]):
                for j in range(action["column_count"]):
                    sheet.cell(row + i, column + j).number_format = args[0]
        elif func == "resizeTable":
            index, where = args
            table = list(sheet.tables.values())[index]
            table.ref = where.replace("$", "")
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref
        elif func == "addTable":
            where, _headers, _style, name = args
            sheet.add_table(Table(displayName=name, ref=where.replace("$", "")))
        else:
            raise ValueError(f"the fake cannot apply {func}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _as_excel_takes(value: Any) -> Any:
    """A value written through ``setValues`` as the cell holds it afterwards."""
    if value == "" or value is None:
        return None
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:]  # Excel's quote prefix: the text as typed
        if WRITTEN_DATE.match(value):
            return dt.datetime.fromisoformat(value)
    return value
