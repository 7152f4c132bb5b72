"""An import's source, CSV text or the cells of a sheet, read into the same rows.

- CSV text is read as :mod:`salesflow_xl.actions.csv_rows` reads it, its encoding found by
  :mod:`salesflow_xl.actions.safe_text`; each row is labelled with its first line ("line 3").
- A sheet's cells (text, as :mod:`salesflow_xl.workbook.source_sheet` reads them) have their
  header in the first row that is not blank; when that row has a single cell (a title such as
  "客户名单") and one of the nine rows after it has more, the first such row is the header and
  the rows above it are left out. Blank rows are left out; each row is labelled with its row
  number on the sheet ("row 3").

Which one a file is, and reading it, is the gateway's
(:func:`salesflow_xl.gateway.import_source.read_source`): nothing here opens a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain

from salesflow_xl.actions.csv_rows import BadRow, Row, read_rows
from salesflow_xl.actions.safe_text import MAX_ROWS, decode
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import W_, _, workbook_name

#: Fields whose text may run over lines (a note written in several paragraphs).
MULTILINE = ("note", "notes", "subject")
#: How many rows, from the first one that is not blank, are looked at for the header.
HEADER_ROWS = 10


class SourceName(str):
    """Where an import's rows were read, as messages name it ("deals.xlsx, sheet 商机" in the
    language messages are in), with the file and sheet names kept as data: texts written into
    the workbook name the source in its language (:meth:`in_workbook`)."""

    file: str
    sheet: str | None

    def __new__(cls, file: str, sheet: str | None = None) -> SourceName:
        shown = (
            file if sheet is None else _("{source}, sheet {sheet}").format(source=file, sheet=sheet)
        )
        named = super().__new__(cls, shown)
        named.file, named.sheet = file, sheet
        return named

    def in_workbook(self) -> str:
        """The source as the workbook's language names it ("deals.xlsx, sheet 商机" in an
        English workbook, "deals.xlsx，工作表 商机" in a Chinese one)."""
        if self.sheet is None:
            return self.file
        return workbook_name(W_("{file}, sheet {sheet}")).format(file=self.file, sheet=self.sheet)


def in_workbook(source: str) -> str:
    """``source`` as the workbook's language names it: a :class:`SourceName` in that language,
    any other text as it is (a file name)."""
    return source.in_workbook() if isinstance(source, SourceName) else source


@dataclass(frozen=True)
class SourceTable:
    """A source file's rows: its header as written, (label, row by field) per data row, the
    file's name, the note on a guessed CSV encoding, a workbook's sheet names (empty for CSV)
    and the sheet read (None for CSV)."""

    header: list[str]
    rows: list[tuple[str, Row | BadRow]]
    source_name: str
    note: str | None
    sheets: tuple[str, ...]
    sheet: str | None = None

    @property
    def where(self) -> SourceName:
        """Where the rows were read, for messages ("leads.csv", "contacts.xlsx, sheet 客户")
        and, as data, for what the import writes (:meth:`SourceName.in_workbook`)."""
        return SourceName(self.source_name, self.sheet)


def csv_table(
    content: bytes,
    filename: str,
    columns_of: Callable[[list[str]], Mapping[str, int]],
    encoding: str | None = None,
) -> SourceTable:
    """The rows of CSV file ``content``; ``columns_of(header)`` says which column holds each
    field (as for :func:`~salesflow_xl.actions.csv_rows.read_rows`)."""
    decoded = decode(content, filename, encoding)
    headers: list[list[str]] = []

    def remember(header: list[str]) -> Mapping[str, int]:
        headers.append(header)
        return columns_of(header)

    rows = read_rows(decoded.text, remember, MULTILINE)
    labelled = [(_("line {line}").format(line=line), row) for line, row in rows]
    return SourceTable(headers[0], labelled, filename, decoded.note(filename), ())


def sheet_table(
    cells: Iterable[tuple[int, list[str | None]]],
    columns_of: Callable[[list[str]], Mapping[str, int]],
    sheet: str,
    source: str,
    sheets: tuple[str, ...],
) -> SourceTable:
    """The rows of a sheet's ``cells`` ((row number, texts) per row) of workbook ``source``."""
    header, rows = _table(iter(cells), columns_of, sheet, source, sheets)
    return SourceTable(header, rows, source, None, sheets, sheet)


def _table(
    cells: Iterable[tuple[int, list[str | None]]],
    columns_of: Callable[[list[str]], Mapping[str, int]],
    sheet: str,
    source: str,
    sheets: tuple[str, ...],
) -> tuple[list[str], list[tuple[str, Row | BadRow]]]:
    """The header and the labelled rows of a sheet's ``cells`` ((row number, texts) per row)."""
    filled = ((n, row) for n, row in cells if any(t is not None for t in row))
    first = next(filled, None)
    if first is None:
        raise SalesflowError(
            _(
                "sheet {sheet} of {source} is empty (the file's sheets: {sheets}; choose one "
                "with --sheet)"
            ).format(sheet=sheet, source=source, sheets=_(", ").join(sheets))
        )
    ahead: list[tuple[int, list[str | None]]] = []
    header_row = first[1]
    if _count(header_row) == 1:  # a title above the header?
        for number, row in filled:
            ahead.append((number, row))
            if number >= first[0] + HEADER_ROWS:
                break
            if _count(row) > 1:
                header_row, ahead = row, []
                break
    header = [t or "" for t in header_row]
    while header and not header[-1]:
        header.pop()
    try:
        columns = dict(columns_of(header))
    except SalesflowError as error:
        raise SalesflowError(
            _(
                "{error} (sheet {sheet}; the file's sheets: {sheets}; choose one with --sheet)"
            ).format(error=error, sheet=sheet, sheets=_(", ").join(sheets))
        ) from error
    rows: list[tuple[str, Row | BadRow]] = []
    for number, row in chain(ahead, filled):
        if len(rows) >= MAX_ROWS:
            raise SalesflowError(
                _("the sheet has more than {count} rows; split it").format(count=f"{MAX_ROWS:,}")
            )
        values: Row = {f: row[i] if i < len(row) else None for f, i in columns.items()}
        rows.append((_("row {row}").format(row=number), values))
    return header, rows


def _count(row: list[str | None]) -> int:
    return sum(1 for t in row if t is not None)
