"""Writing the data tables' rows straight into the workbook file, so that a large workbook is
never held in memory whole. Layer: the SalesFlow workbook (imports ``salesflow_xl.core``,
``salesflow_xl.ooxml`` and ``salesflow_xl.workbook`` only, with openpyxl).

openpyxl keeps every cell of a workbook as an object (about 4.8 GB for 100,000 deals), so the
template is built in two steps. openpyxl builds the whole workbook with each data table holding
only a *sample* of its records (:func:`sample_rows`): the rows in which a kind of cell first
appears, so that it registers every cell format in the order the whole table would, and the
styles part comes out the same. Then :class:`TableRows` writes each table's every row as
openpyxl writes it — the same values, types, formats and formula text — with the formula
cells' cached values as :func:`~salesflow_xl.ooxml.sheetxml.set_cached_values` stores them,
and :func:`write_package` streams those rows into the zip, chunk by chunk, in place of the
sample. The result is the file the openpyxl-only build makes, byte for byte
(``tests/test_template_stream.py`` holds them equal).
"""

from __future__ import annotations

import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from salesflow_xl.ooxml.package import Package
from salesflow_xl.ooxml.reproducible import normalise_zip
from salesflow_xl.ooxml.sheetxml import CellValue, set_cached_values
from salesflow_xl.workbook import calculation, schema
from salesflow_xl.workbook.schema import Column, TableSpec
from salesflow_xl.workbook.template_cells import (
    escape,
    formula_cell,
    number_cell,
    number_texts,
    numeric,
    value_cell,
)
from salesflow_xl.workbook.template_tables import last_row, quoted, record_key, table_value

#: Rows generated and compressed at a time: a few MB of XML.
CHUNK_ROWS = 2000

#: What decides a cell's format: its value's type, and whether it is quote-prefixed.
Kind = tuple[type, bool]


def cell_kind(value: Any, column: Column) -> Kind:
    """The kind of cell ``value`` (as :func:`table_value` gives it) makes in ``column``."""
    return type(value), quoted(value, column)


def sample_rows(spec: TableSpec, records: pd.DataFrame) -> list[int]:
    """The positions of the records in which a kind of cell (:func:`cell_kind`) first appears
    in its column, ascending. openpyxl registers cell formats in the order cells first need
    them, so a sheet holding only these records registers the same formats in the same order
    as one holding them all."""
    if not len(records):
        return []
    first = {0}
    for column in spec.columns:
        if not column.computed and record_key(column) in records.columns:
            first |= set(_first_kinds(records[record_key(column)], column).values())
    return sorted(first)


def _first_kinds(values: pd.Series, column: Column) -> dict[Kind, int]:
    """Kind of cell → the position of its first value in ``values``."""
    positions: Sequence[int] = range(len(values))
    if numeric(values):  # one type for every value, and blank for the missing ones
        missing = values.isna().to_numpy()
        positions = sorted({int(missing.argmin()), int(missing.argmax())})
        values = values.iloc[list(positions)]
    first: dict[Kind, int] = {}
    for position, value in zip(positions, values.tolist(), strict=True):
        if value.__class__ is str:  # most values: table_value keeps them as they are
            kind = (str, quoted(value, column))
        else:
            kind = cell_kind(table_value(value, column), column)
        if kind not in first:
            first[kind] = position
    return first


def cell_styles(ws: Worksheet, spec: TableSpec) -> dict[tuple[int, Kind], str]:
    """(column position, kind of cell) → the ``s`` attribute its cells are written with, as
    openpyxl wrote the sample rows of ``ws`` (call after the workbook is saved: openpyxl
    numbers a format when it first writes it)."""
    styles: dict[tuple[int, Kind], str] = {}
    for row in ws.iter_rows(min_row=2, max_col=len(spec.columns)):
        for index, (cell, column) in enumerate(zip(row, spec.columns, strict=True)):
            attribute = f' s="{cell.style_id}"' if cell.has_style else ""
            styles.setdefault((index, cell_kind(cell.value, column)), attribute)
    return styles


class TableRows:
    """Every row of a table's sheet as openpyxl writes it, with its formula cells' cached
    values: ``records`` (:func:`~salesflow_xl.workbook.template_tables.table_records`),
    ``styles`` (:func:`cell_styles`) and ``cached`` (cell → the value its formula must have,
    as :func:`~salesflow_xl.workbook.cached.core_values` gives it)."""

    def __init__(
        self,
        spec: TableSpec,
        records: pd.DataFrame,
        styles: Mapping[tuple[int, Kind], str],
        cached: Mapping[str, CellValue],
        chunk_rows: int | None = None,
    ) -> None:
        self.spec = spec
        self.records = records
        self.styles = styles
        self.cached = cached
        self.chunk_rows = CHUNK_ROWS if chunk_rows is None else chunk_rows
        self.letters = [get_column_letter(i) for i in range(1, len(spec.columns) + 1)]

    def sheet(self, sample: bytes) -> Iterator[bytes]:
        """The sheet's XML in pieces: ``sample`` (the sheet as openpyxl wrote it with the
        sample rows) with every row after the header written anew, and its dimension
        covering them."""
        first = sample.find(b'<row r="2"')
        end = sample.rfind(b"</sheetData>")
        if first < 0 or end < first:
            raise ValueError(f"the {self.spec.sheet} sheet has no rows to stream after")
        yield _DIMENSION.sub(
            lambda m: m.group(1) + str(last_row(self.records)).encode() + b'"', sample[:first], 1
        )
        yield from self.rows()
        yield sample[end:]

    def rows(self) -> Iterator[bytes]:
        """The ``<row>`` elements of every record, :attr:`chunk_rows` at a time (the one blank
        row of a table without records)."""
        total = len(self.records)
        for start in range(0, max(total, 1), self.chunk_rows):
            part = self.records.iloc[start : start + self.chunk_rows]
            numbers = range(start + 2, start + 2 + max(len(part), 1))
            columns = [
                self._column(index, column, part, numbers)
                for index, column in enumerate(self.spec.columns)
            ]
            yield "".join(
                f'<row r="{number}">{"".join(cells)}</row>'
                for number, cells in zip(numbers, zip(*columns, strict=True), strict=True)
            ).encode()

    def _style(self, index: int, value: Any, column: Column) -> str:
        return self.styles[(index, cell_kind(value, column))]

    def _column(self, index: int, column: Column, part: pd.DataFrame, numbers: range) -> list[str]:
        """The cells of ``column`` in rows ``numbers``, whose records ``part`` holds."""
        letter = self.letters[index]
        if column.computed:
            return self._formulas(index, column, letter, numbers)
        key = record_key(column)
        if not len(part) or key not in part.columns:
            blank = self._style(index, None, column)
            return [value_cell(f"{letter}{n}", None, blank) for n in numbers]
        values = part[key]
        texts = number_texts(values, column)
        if texts is None:
            return self._values(index, column, letter, numbers, values.tolist())
        present = values.dropna()
        style = (
            self._style(index, table_value(present.iloc[0], column), column) if len(present) else ""
        )
        blank = self._style(index, None, column) if None in texts else ""
        return [
            value_cell(f"{letter}{n}", None, blank)
            if text is None
            else number_cell(f"{letter}{n}", text, style)
            for n, text in zip(numbers, texts, strict=True)
        ]

    def _values(
        self, index: int, column: Column, letter: str, numbers: range, values: list[Any]
    ) -> list[str]:
        """The cells of values of any type, one by one."""
        cells = []
        for number, raw in zip(numbers, values, strict=True):
            # most values are text, which table_value keeps as it is
            value = raw if raw.__class__ is str else table_value(raw, column)
            cells.append(value_cell(f"{letter}{number}", value, self._style(index, value, column)))
        return cells

    def _formulas(self, index: int, column: Column, letter: str, numbers: range) -> list[str]:
        """The cells of computed column ``column``, each with its cached value if it has one."""
        formula = schema.formula_of(self.spec, column)
        style = self._style(index, formula, column)
        text = escape(formula.removeprefix("="))
        cached = self.cached
        cells = []
        for number in numbers:
            ref = f"{letter}{number}"
            value = cached.get(ref, _MISSING)
            cells.append(formula_cell(ref, style, text, value, value is not _MISSING))
        return cells


_MISSING: Any = object()
_DIMENSION = re.compile(rb'(<dimension ref="[A-Z]+[0-9]+:[A-Z]+)[0-9]+"')


def write_package(
    content: bytes,
    cached: Mapping[str, Mapping[str, CellValue]],
    tables: Mapping[str, TableRows],
) -> bytes:
    """The finished workbook: ``content`` (as openpyxl saved it, the tables holding their
    samples) with the cached values of every formula cell set, no full recalculation on load,
    every table's rows (sheet → :class:`TableRows`) streamed in, reproducible to the byte
    (:func:`~salesflow_xl.ooxml.reproducible.normalise_zip`)."""
    package = Package.from_bytes(content)
    parts = package.sheet_parts()
    for sheet, part in parts.items():
        if sheet not in tables and cached.get(sheet):
            package.replace(part, set_cached_values(package.read(part), cached[sheet]))
    calculation.settle(package)
    streamed = {parts[sheet]: rows for sheet, rows in tables.items()}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(normalise_zip(package.to_bytes()))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = info.compress_type
            entry.external_attr = info.external_attr
            if info.filename not in streamed:
                target.writestr(entry, source.read(info.filename))
                continue
            rows = streamed[info.filename]
            pieces = rows.sheet(source.read(info.filename))
            head, first = next(pieces), next(pieces)
            with target.open(entry, "w", force_zip64=_large(rows, head + first)) as sink:
                _write_behind(sink, itertools.chain((head, first), pieces))
    return out.getvalue()


def _write_behind(sink: IO[bytes], pieces: Iterator[bytes]) -> None:
    """Write ``pieces`` in order, each while the next is made: zlib compresses without
    holding Python's lock, so a second core compresses while this one writes XML (at most
    two pieces in memory)."""
    with ThreadPoolExecutor(max_workers=1) as writer:
        written: Future[int] | None = None
        for piece in pieces:
            if written is not None:
                written.result()
            written = writer.submit(sink.write, piece)
        if written is not None:
            written.result()


def _large(rows: TableRows, start: bytes) -> bool:
    """Whether a sheet may grow past the zip's 2 GiB limit without its 64-bit extension,
    estimated generously from ``start``, its XML up to the end of the first chunk of rows (a
    smaller sheet is written as ``ZipFile.writestr`` writes it)."""
    chunks = math.ceil(max(len(rows.records), 1) / rows.chunk_rows)
    return 2 * len(start) * chunks > zipfile.ZIP64_LIMIT
