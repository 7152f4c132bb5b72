"""A fake xlwings Book: the few calls the Excel gateway makes, backed by a demo workbook's
values, recording every read and write so tests can count them."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from salesflow_xl.core import i18n
from salesflow_xl.workbook import language


def _ref(r1: int, c1: int, r2: int, c2: int) -> str:
    return f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"


@dataclass
class FakeRange:
    sheet: FakeSheet
    r1: int
    c1: int
    r2: int
    c2: int
    ndim: int | None = None

    def options(self, ndim: int | None = None, **_: Any) -> FakeRange:
        return FakeRange(self.sheet, self.r1, self.c1, self.r2, self.c2, ndim)

    @property
    def row(self) -> int:
        return self.r1

    @property
    def column(self) -> int:
        return self.c1

    @property
    def rows(self) -> Any:
        return type("Rows", (), {"count": self.r2 - self.r1 + 1})()

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self.r2, self.c2, self.r2, self.c2)

    @property
    def areas(self) -> list[FakeRange]:
        return [self]

    @property
    def value(self) -> Any:
        self.sheet.book.calls.append(
            ("read", self.sheet.name, _ref(self.r1, self.c1, self.r2, self.c2))
        )
        grid = [
            [self.sheet.cells.get((r, c)) for c in range(self.c1, self.c2 + 1)]
            for r in range(self.r1, self.r2 + 1)
        ]
        if self.ndim == 2:
            return grid
        if self.ndim == 1:
            return [v for row in grid for v in row]
        return grid[0][0] if len(grid) == 1 and len(grid[0]) == 1 else grid

    @property
    def formula(self) -> Any:
        self.sheet.book.calls.append(
            ("read formula", self.sheet.name, _ref(self.r1, self.c1, self.r1, self.c1))
        )
        return self.sheet.formulas.get((self.r1, self.c1))

    @property
    def number_format(self) -> str | None:
        return self.sheet.formats.get((self.r1, self.c1))

    @number_format.setter
    def number_format(self, code: str) -> None:
        self.sheet.book.calls.append(
            ("format", self.sheet.name, _ref(self.r1, self.c1, self.r2, self.c2), code)
        )
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                self.sheet.formats[(r, c)] = code

    @value.setter
    def value(self, values: Any) -> None:
        self.sheet.book.calls.append(
            ("write", self.sheet.name, _ref(self.r1, self.c1, self.r2, self.c2))
        )
        if not isinstance(values, list):
            values = [[values]]
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                self.sheet.cells[(self.r1 + i, self.c1 + j)] = v


@dataclass
class FakeTable:
    sheet: FakeSheet
    name: str

    def resize(self, rng: FakeRange) -> None:
        self.sheet.book.calls.append(("resize", self.name, _ref(rng.r1, rng.c1, rng.r2, rng.c2)))


@dataclass
class FakeSheet:
    book: FakeBook
    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    #: Formulas as Excel shows them ("=[@Orders]*2"), where a test sets them.
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    #: Number formats set through ``range.number_format``.
    formats: dict[tuple[int, int], str] = field(default_factory=dict)

    def range(self, first: tuple[int, int], last: tuple[int, int] | None = None) -> FakeRange:
        last = last or first
        return FakeRange(self, first[0], first[1], last[0], last[1])

    @property
    def used_range(self) -> FakeRange:
        rows = max((r for r, _ in self.cells), default=1)
        columns = max((c for _, c in self.cells), default=1)
        return FakeRange(self, 1, 1, rows, columns)

    @property
    def tables(self) -> dict[str, FakeTable]:
        return _Tables(self)


class _Tables(dict):
    def __init__(self, sheet: FakeSheet) -> None:
        super().__init__()
        self.sheet = sheet

    def __getitem__(self, name: str) -> FakeTable:
        return FakeTable(self.sheet, name)

    def add(self, source: FakeRange, name: str) -> FakeTable:
        ref = _ref(source.r1, source.c1, source.r2, source.c2)
        self.sheet.book.calls.append(("add table", self.sheet.name, name, ref))
        return FakeTable(self.sheet, name)


@dataclass
class FakeName:
    refers_to_range: FakeRange | None = None
    refers_to: str = ""


class FakeApp:
    def __init__(self, book: FakeBook) -> None:
        self.book = book
        self.answers: list[Any] = []

    def alert(self, prompt: str, title: str = "", mode: str = "info", **_: Any) -> None:
        self.book.calls.append(("alert", mode, prompt))

    def macro(self, name: str) -> Any:
        def run(*args: Any) -> Any:
            self.book.calls.append(("macro", name, args))
            return self.answers.pop(0)

        return run


class AnsweringApp(FakeApp):
    """The fake Excel application, answering yes/no(/cancel) message boxes from
    :attr:`replies` (other boxes are OK'd)."""

    def __init__(self, book: FakeBook) -> None:
        super().__init__(book)
        self.replies: list[str] = []

    def alert(self, prompt: str, title: str = "", mode: str = "info", **options: Any) -> Any:
        buttons = options.get("buttons", "ok")
        self.book.calls.append(("alert", mode, prompt, buttons))
        return self.replies.pop(0) if buttons in ("yes_no", "yes_no_cancel") else "ok"


class FakeBook:
    """Sheets with the values of an .xlsx file (as xlwings returns them), named ranges for the
    settings, a selection, and the list of calls made."""

    def __init__(self, content: bytes, name: str = "Sales.xlsx") -> None:
        self.name = name
        self.calls: list[tuple[Any, ...]] = []
        self.app = FakeApp(self)
        self._sheets: dict[str, FakeSheet] = {}
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        for sheet_name in workbook.sheet_names:
            sheet = FakeSheet(self, sheet_name)
            rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row, start=1):
                    if value == "":
                        continue
                    if isinstance(value, date) and not isinstance(value, datetime):
                        value = datetime(value.year, value.month, value.day)
                    sheet.cells[(r, c)] = value
            self._sheets[sheet_name] = sheet
        code = language.of_bytes(content)
        settings = self._sheets[i18n.workbook_name("Settings", code)]
        self.names = {
            "AsOf": FakeName(settings.range((3, 2))),
            language.NAME: FakeName(refers_to=f'="{code}"'),
        }
        self.selection: FakeRange | None = None

    @property
    def sheets(self) -> _Sheets:
        return _Sheets(self._sheets)

    def save(self) -> None:
        self.calls.append(("save", self.name))

    def select(self, sheet: str, first_row: int, last_row: int, column: int = 1) -> None:
        self.selection = self._sheets[sheet].range((first_row, column), (last_row, column))

    def writes(self) -> list[tuple[Any, ...]]:
        return [c for c in self.calls if c[0] in ("write", "resize")]


class _Sheets(list):
    def __init__(self, sheets: dict[str, FakeSheet]) -> None:
        super().__init__(sheets.values())
        self.by_name = sheets

    def __getitem__(self, key: Any) -> Any:
        return self.by_name[key] if isinstance(key, str) else super().__getitem__(key)

    def add(self, name: str, after: FakeSheet | None = None) -> FakeSheet:
        """A new sheet after ``after`` (by default last), as xlwings' ``sheets.add``."""
        book = next(iter(self.by_name.values())).book
        sheet = FakeSheet(book, name)
        order = list(self.by_name.items())
        at = len(order) if after is None else [n for n, _ in order].index(after.name) + 1
        order.insert(at, (name, sheet))
        self.by_name.clear()
        self.by_name.update(order)
        book.calls.append(("add sheet", name, after.name if after else None))
        return sheet


def active_book(
    content: bytes, monkeypatch: Any, name: str = "Sales.xlsx", folder: Any = None
) -> FakeBook:
    """A fake book with the values of ``content`` as the ribbon's active workbook (its
    buttons act on it), answering yes/no boxes from ``book.app.replies``; saved in ``folder``
    when given (its ``fullname``), else never saved."""
    from salesflow_xl.excel import ribbon

    book = FakeBook(content, name)
    book.app = AnsweringApp(book)
    if folder is not None:
        book.fullname = str(folder / name)
    monkeypatch.setattr(ribbon, "_active_book", lambda: book)
    return book
