"""Reading a SalesFlow workbook into :class:`SalesData`, checking every cell on the way.

Reading never stops at the first mistake: every problem is collected with its sheet, row,
column, the value found and what was expected, so ``salesflow check`` can list them all. Input
columns are found by their header (users may reorder or add columns); computed columns are
ignored (their figures come from the core). Values are read with python-calamine, which reads
50k rows about ten times faster than openpyxl.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from salesflow_xl.core import i18n
from salesflow_xl.core.dataset import RECORD_TYPES, SalesData, column_kinds, typed
from salesflow_xl.core.errors import PipelineError, SalesflowError
from salesflow_xl.core.i18n import _
from salesflow_xl.core.model import (
    DEFAULT_PIPELINE,
    Deal,
    Lists,
    Pipeline,
    Settings,
    Stage,
)
from salesflow_xl.ooxml.package import Package
from salesflow_xl.workbook import checks, language, schema
from salesflow_xl.workbook.cells import blank, convert_cell, convert_column
from salesflow_xl.workbook.problems import Problem, WorkbookInvalidError
from salesflow_xl.workbook.schema import Column, TableSpec

__all__ = ["CellChecker", "Problem", "Snapshot", "WorkbookInvalidError", "load", "read"]


def setting_labels() -> frozenset[str]:
    """The Settings sheet's labels, in the language in effect."""
    return frozenset(s.label for s in schema.SETTINGS)


@dataclass(frozen=True)
class Snapshot:
    """A workbook as read: its data, the Excel row of every record (table key → row numbers in
    record order: blank rows are skipped, so a record's row is not its position + 2), every
    problem, and each sheet's cell values as stored (row 1 first, from column A; formula cells
    give their cached values)."""

    data: SalesData
    rows: Mapping[str, tuple[int, ...]]
    problems: list[Problem]
    cells: Mapping[str, list[list[Any]]]
    #: setting field (a computed setting: its name, "AsOf") → the Settings sheet row holding it
    setting_rows: Mapping[str, int] = field(default_factory=dict)

    def row(self, table: str, position: int) -> int:
        """The Excel row of record ``position`` (0 = first) of ``table``."""
        rows = self.rows[table]
        if not 0 <= position < len(rows):
            raise IndexError(f"{table} has no record at position {position} ({len(rows)} read)")
        return rows[position]

    def next_rows(self, table: str, count: int) -> list[int]:
        """The Excel rows ``count`` new records of ``table`` go to: right under its last record
        (an empty table: the first row under the header). Blank rows inside the table after
        the last record are filled first."""
        rows = self.rows[table]
        first = rows[-1] + 1 if rows else 2
        return list(range(first, first + count))


def older_blank_as_of(setting_rows: Mapping[str, int]) -> Problem | None:
    """The problem of a blank as-of date in a workbook made before a blank meant "today": it
    has no "Figures as of" row, and its formulas would compute every figure at day 0."""
    if schema.AS_OF in setting_rows or "as_of" not in setting_rows:
        return None
    figures_as_of = next(s.label for s in schema.SETTINGS if s.name == schema.AS_OF)
    return Problem(
        schema.SETTINGS_SHEET,
        setting_rows["as_of"],
        next(s.label for s in schema.SETTINGS if s.field == "as_of"),
        None,
        _(
            "a date: this workbook, made by an older SalesFlow, has no {label} row, "
            "so a blank cannot follow today"
        ).format(label=repr(figures_as_of)),
    )


def today() -> date:
    """The day a workbook whose as-of date is blank is read as of (the calendar's today)."""
    return date.today()


def read_snapshot(content: bytes, source: str | None = None) -> Snapshot:
    """The :class:`Snapshot` of a workbook file's bytes, read in the language the workbook
    records (:mod:`~salesflow_xl.workbook.language`); ``source`` names it in messages
    (default: "the workbook"). A file that is no readable workbook records no language: it is
    refused in the language in effect for messages."""
    source = source or _("the workbook")
    Package.from_bytes(content, source)  # refuses corrupt, truncated and hostile packages
    with i18n.use_workbook(language.of_bytes(content)):
        return _read_snapshot(content, source)


def _read_snapshot(content: bytes, source: str) -> Snapshot:
    """The snapshot, in the language in effect.

    The sheets SalesFlow reads are parsed in parallel, in the order the checks need them:
    python-calamine parses in Rust without holding the GIL, so other cores parse the next
    sheets while this thread converts and checks the ones already parsed."""
    # python-calamine is compiled: imported where a file is read, not where Excel is the source
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except (CalamineError, ValueError, OSError) as error:
        raise SalesflowError(
            _("{source} could not be read as an Excel workbook: {error}").format(
                source=source, error=error
            )
        ) from error
    wanted = [sheet for sheet in schema.sheets_read() if sheet in book.sheet_names]
    with ThreadPoolExecutor(max_workers=min(len(wanted), os.cpu_count() or 1) or 1) as pool:
        parsing = {sheet: pool.submit(_parse_sheet, content, sheet) for sheet in wanted}

        def rows_of(sheet: str) -> list[list[Any]]:
            try:
                if sheet in parsing:
                    return parsing[sheet].result()
                return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            except (CalamineError, ValueError, OSError) as error:
                raise SalesflowError(
                    _("{source}: sheet {sheet} could not be read: {error}").format(
                        source=source, sheet=sheet, error=error
                    )
                ) from error

        return _Reader(book.sheet_names, rows_of).read()


def _parse_sheet(content: bytes, sheet: str) -> list[list[Any]]:
    """One sheet's cell values, from A1 (a workbook object of its own: they are not shared
    between threads)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def read_bytes(content: bytes, source: str | None = None) -> tuple[SalesData, list[Problem]]:
    """The data of a workbook file's bytes and every problem found in it."""
    snapshot = read_snapshot(content, source)
    return snapshot.data, snapshot.problems


def read_rows(sheet_names: Sequence[str], rows_of: Callable[[str], list[list[Any]]]) -> Snapshot:
    """The :class:`Snapshot` of a workbook given as sheet names and a function returning a
    sheet's cell values from A1 (row 1 first). The file reader and the live-Excel gateway both
    read through here, so a workbook is checked the same way wherever it is."""
    return _Reader(list(sheet_names), rows_of).read()


class CellChecker:
    """Checks and converts single cell values exactly as reading them from a sheet would, for
    values about to be written (an action's changes): same conversion, same problems."""

    def __init__(self, lists: Lists, pipeline: Pipeline) -> None:
        self.lists = lists
        self.pipeline = pipeline
        self.problems: list[Problem] = []

    def value(self, sheet: str, row: int, column: Column, cell: Any) -> Any:
        """``cell`` (a value as a spreadsheet stores it) converted as the reader would."""
        pipeline = self.pipeline if column.choices == "stages" else None
        return convert_cell(self.problems, sheet, row, column, cell, self.lists, pipeline)

    def integrity(self, data: SalesData, rows: Mapping[str, Sequence[int]]) -> None:
        """The checks across tables (unique IDs, references, lost reasons, closed dates)."""
        self.problems += checks.cross_table_problems(data, rows)


def read(path: Path) -> tuple[SalesData, list[Problem]]:
    """The data of the workbook at ``path`` and every problem found in it."""
    path = Path(path)
    if not path.exists():
        raise SalesflowError(_("{path} does not exist").format(path=path))
    return read_bytes(path.read_bytes(), source=path.name)


def load(path: Path) -> SalesData:
    """The data of the workbook at ``path``; raises :class:`WorkbookInvalidError` on problems."""
    data, problems = read(path)
    if problems:
        raise WorkbookInvalidError(Path(path).name, problems)
    return data


class _Reader:
    """One reading of a workbook: configuration sheets first (lists, stages, settings), then
    every data table, then the checks across tables."""

    def __init__(self, sheet_names: list[str], rows_of: Callable[[str], list[list[Any]]]) -> None:
        self.sheet_names = sheet_names
        self.rows_of = rows_of
        self.problems: list[Problem] = []
        self.read_sheets: dict[str, list[list[Any]]] = {}
        self.record_rows: dict[str, tuple[int, ...]] = {}
        self.setting_rows: dict[str, int] = {}

    def problem(
        self, sheet: str, row: int | None, column: str | None, value: Any, expected: str
    ) -> None:
        self.problems.append(Problem(sheet, row, column, value, expected))

    def cells_of(self, sheet: str) -> list[list[Any]] | None:
        """A sheet's cell values from A1 (None, and a problem, when the sheet is missing)."""
        if sheet not in self.sheet_names:
            self.problem(
                sheet, None, None, None, _("a sheet named {sheet}").format(sheet=repr(sheet))
            )
            return None
        if sheet not in self.read_sheets:
            self.read_sheets[sheet] = self.rows_of(sheet)
        return self.read_sheets[sheet]

    def read(self) -> Snapshot:
        lists = self._lists()
        pipeline = self._pipeline()
        settings = self._settings()
        frames = {}
        for key, spec in schema.TABLES.items():
            frames[key], self.record_rows[key] = self._table(spec, lists, pipeline)
        deals = frames["deals"]
        status = deals["stage"].map({s.name: s.outcome for s in pipeline.stages})
        frames["deals"] = typed(deals.assign(status=status), Deal)
        data = SalesData(settings=settings, pipeline=pipeline, lists=lists, **frames)
        self.problems += checks.cross_table_problems(data, self.record_rows)
        return Snapshot(data, self.record_rows, self.problems, self.read_sheets, self.setting_rows)

    # -- configuration sheets -------------------------------------------------------------------

    def _lists(self) -> Lists:
        rows = self.cells_of(schema.LISTS_SHEET)
        values: dict[str, tuple[str, ...]] = {}
        header = rows[0] if rows else []
        for spec in schema.LISTS.values():
            if spec.header not in header:
                if rows is not None:
                    expected = _("a {list} list").format(list=repr(spec.header))
                    self.problem(schema.LISTS_SHEET, 1, spec.header, None, expected)
                values[spec.key] = getattr(Lists(), spec.key)
                continue
            index = header.index(spec.header)
            items = [
                str(r[index]).strip() for r in rows[1:] if index < len(r) and not blank(r[index])
            ]
            values[spec.key] = tuple(dict.fromkeys(items))
        return Lists(**values)

    def _pipeline(self) -> Pipeline:
        spec = schema.STAGES
        frame, rows = self._table(spec, Lists(), None)
        stages, stage_rows = [], []
        for row_number, row in zip(rows, frame.itertuples(index=False), strict=True):
            if row.name is None or row.probability is None:
                continue  # already reported as missing
            outcome = schema.outcome_of(row.outcome)
            if outcome is None:
                header = spec.header_of("outcome")
                self.problem(spec.sheet, row_number, header, row.outcome, _("open, won or lost"))
                continue
            rotting = None if pd.isna(row.rotting_days) else int(row.rotting_days)
            cadence = None if pd.isna(row.follow_up_days) else int(row.follow_up_days)
            stages.append(Stage(str(row.name), float(row.probability), rotting, outcome, cadence))
            stage_rows.append(row_number)
        self.record_rows[spec.key] = tuple(stage_rows)  # one row per stage of the pipeline
        try:
            return Pipeline(tuple(stages))
        except PipelineError as error:
            expected = _("a valid pipeline ({error})").format(error=error)
            self.problem(spec.sheet, None, None, None, expected)
            return DEFAULT_PIPELINE

    def _settings(self) -> Settings:
        rows = self.cells_of(schema.SETTINGS_SHEET) or []
        labels: dict[str, tuple[int, list[Any]]] = {}
        for number, row in enumerate(rows, start=1):
            label = str(row[0]).strip() if row and row[0] is not None else ""
            if label in labels and label in setting_labels():
                # a second row would be read, written and named differently: refuse it
                expected = _("one row only (row {row} has it)").format(row=labels[label][0])
                self.problem(schema.SETTINGS_SHEET, number, label, None, expected)
            labels.setdefault(label, (number, row))
        values: dict[str, Any] = {}
        for setting in schema.SETTINGS:
            if setting.field is None:
                if setting.label in labels:  # a computed setting: its row, by name
                    self.setting_rows[setting.name] = labels[setting.label][0]
                continue
            if setting.label not in labels:
                if setting.optional_row:  # a workbook made before the setting: its default
                    continue
                expected = _("a row labelled {label}").format(label=repr(setting.label))
                self.problem(schema.SETTINGS_SHEET, None, setting.label, None, expected)
                continue
            number, row = labels[setting.label]
            self.setting_rows[setting.field] = number
            raw = row[1] if len(row) > 1 else None
            column = Column(setting.label, setting.field, setting.kind, required=setting.required)
            value = convert_cell(
                self.problems, schema.SETTINGS_SHEET, number, column, raw, Lists(), None
            )
            if setting.field == "currency" and value is not None:
                value = str(value).strip()
                if not schema.is_currency_symbol(value):
                    expected = _("a currency symbol of at most {count} characters, no quote")
                    self.problem(
                        schema.SETTINGS_SHEET,
                        number,
                        setting.label,
                        raw,
                        expected.format(count=schema.MAX_CURRENCY_SYMBOL),
                    )
                    continue
            if value is not None:
                values[setting.field] = value
        if "as_of" not in values:  # blank: the figures follow the calendar
            values.update(as_of=today(), as_of_pinned=False)
            if (problem := older_blank_as_of(self.setting_rows)) is not None:
                self.problems.append(problem)
        return Settings(**values)

    # -- data tables ----------------------------------------------------------------------------

    def _table(
        self, spec: TableSpec, lists: Lists, pipeline: Pipeline | None
    ) -> tuple[pd.DataFrame, tuple[int, ...]]:
        """A table's records and the Excel row of each (blank rows skipped)."""
        record_type = RECORD_TYPES.get(spec.key)
        fields = [c.field for c in spec.inputs if c.field]
        if record_type is not None:
            fields = list(column_kinds(record_type))
        rows = self.cells_of(spec.sheet)
        if not rows:
            empty = pd.DataFrame({f: pd.Series(dtype=object) for f in fields})
            return (typed(empty, record_type) if record_type else empty), ()
        header = [str(h).strip() for h in rows[0]]
        positions: dict[str, int] = {}
        for column in spec.inputs:
            if column.header in header:
                positions[column.header] = header.index(column.header)
            elif column.required:
                expected = _("this column in the header row")
                self.problem(spec.sheet, 1, column.header, None, expected)
        body = rows[1:]
        raw = _columns(body, positions)
        keep = _records(list(raw.values()), len(body))
        offsets = [number - 2 for number in keep]
        first_problem = len(self.problems)
        records: dict[str, list[Any]] = {f: [None] * len(keep) for f in fields}
        for column in spec.inputs:
            assert column.field is not None
            values = raw.get(column.header)
            if values is None:
                cells: list[Any] = [None] * len(keep)
            elif len(keep) == len(body):
                cells = list(values)  # no blank rows to skip (the usual case)
            else:
                cells = [values[i] for i in offsets]
            records[column.field] = convert_column(
                self.problems, spec.sheet, keep, column, cells, lists, pipeline
            )
        # problems in reading order: row by row, then column by column
        order = {c.header: i for i, c in enumerate(spec.inputs)}
        self.problems[first_problem:] = sorted(
            self.problems[first_problem:], key=lambda p: (p.row or 0, order.get(p.column, 0))
        )
        frame = pd.DataFrame(records)
        return (typed(frame, record_type) if record_type else frame), tuple(keep)


def _columns(body: list[list[Any]], positions: Mapping[str, int]) -> dict[str, Sequence[Any]]:
    """Header → the column's cells in ``body`` (rows from the second), None past a row's end."""
    width = max(positions.values(), default=-1) + 1
    if body and all(len(row) >= width for row in body):
        columns = list(zip(*body, strict=False))  # rows of equal length: transposed in C
        return {header: columns[i] for header, i in positions.items()}
    return {
        header: [row[i] if i < len(row) else None for row in body]
        for header, i in positions.items()
    }


def _records(columns: list[Sequence[Any]], length: int) -> list[int]:
    """The Excel rows (2 = first under the header) of the ``length`` rows that are not blank
    in every one of ``columns``."""
    if not columns:
        return []
    first, rest = columns[0], columns[1:]
    return [
        number
        for number, value in enumerate(first, start=2)
        if (value is not None and (value.__class__ is not str or value.strip()))
        or not all(blank(column[number - 2]) for column in rest)
    ]
