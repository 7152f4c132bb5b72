"""Reading a SalesFlow workbook into :class:`SalesData`, checking every cell on the way.

Reading never stops at the first mistake: every problem is collected with its sheet, row,
column, the value found and what was expected, so ``salesflow check`` can list them all. Input
columns are found by their header (users may reorder or add columns); computed columns are
ignored (their figures come from the core). Values are read with python-calamine, which reads
50k rows about ten times faster than openpyxl.
"""

from __future__ import annotations

import io
import math
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from salesflow_xl.core.dataset import RECORD_TYPES, SalesData, column_kinds, typed
from salesflow_xl.core.errors import PipelineError, SalesflowError
from salesflow_xl.core.model import DEFAULT_PIPELINE, Deal, Lists, Pipeline, Settings, Stage
from salesflow_xl.ooxml.package import Package
from salesflow_xl.workbook import schema
from salesflow_xl.workbook.schema import Column, TableSpec


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the workbook. ``row`` is the Excel row number (1 = header)."""

    sheet: str
    row: int | None
    column: str | None
    value: Any
    expected: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        found = "" if self.value is None else f", found {self.value!r}"
        return f"{where}: expected {self.expected}{found}"


class WorkbookInvalidError(SalesflowError):
    """The workbook has problems; ``problems`` lists every one."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        tail = f"\n  … and {more} more (salesflow check lists them all)" if more > 0 else ""
        super().__init__(f"{source} has {len(self.problems)} problem(s):\n{shown}{tail}")


@dataclass(frozen=True)
class Snapshot:
    """A workbook as read: its data, every problem, and each sheet's cell values as stored
    (row 1 first, from column A; formula cells give their cached values)."""

    data: SalesData
    problems: list[Problem]
    cells: dict[str, list[list[Any]]]


def read_snapshot(content: bytes, source: str = "the workbook") -> Snapshot:
    """The :class:`Snapshot` of a workbook file's bytes.

    The sheets SalesFlow reads are parsed in parallel, in the order the checks need them:
    python-calamine parses in Rust without holding the GIL, so other cores parse the next
    sheets while this thread converts and checks the ones already parsed."""
    Package.from_bytes(content, source)  # refuses corrupt, truncated and hostile packages
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except (CalamineError, ValueError, OSError) as error:
        raise SalesflowError(f"{source} could not be read as an Excel workbook: {error}") from error
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
                    f"{source}: sheet {sheet} could not be read: {error}"
                ) from error

        reading = _Reader(book.sheet_names, rows_of)
        data, problems = reading.read()
    return Snapshot(data, problems, reading.read_sheets)


def _parse_sheet(content: bytes, sheet: str) -> list[list[Any]]:
    """One sheet's cell values, from A1 (a workbook object of its own: they are not shared
    between threads)."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def read_bytes(content: bytes, source: str = "the workbook") -> tuple[SalesData, list[Problem]]:
    """The data of a workbook file's bytes and every problem found in it."""
    snapshot = read_snapshot(content, source)
    return snapshot.data, snapshot.problems


def read_rows(
    sheet_names: Sequence[str], rows_of: Callable[[str], list[list[Any]]]
) -> tuple[SalesData, list[Problem]]:
    """The data and problems of a workbook given as sheet names and a function returning a
    sheet's cell values from A1 (row 1 first). The file reader and the live-Excel gateway both
    read through here, so a workbook is checked the same way wherever it is."""
    return _Reader(list(sheet_names), rows_of).read()


class CellChecker:
    """Checks and converts single cell values exactly as reading them from a sheet would, for
    values about to be written (an action's changes): same conversion, same problems."""

    def __init__(self, lists: Lists, pipeline: Pipeline) -> None:
        self.lists = lists
        self.pipeline = pipeline
        self._reader = _Reader([], lambda sheet: [])

    @property
    def problems(self) -> list[Problem]:
        return self._reader.problems

    def value(self, sheet: str, row: int, column: Column, cell: Any) -> Any:
        """``cell`` (a value as a spreadsheet stores it) converted as the reader would."""
        pipeline = self.pipeline if column.choices == "stages" else None
        return self._reader._convert(sheet, row, column, cell, self.lists, pipeline)

    def integrity(self, data: SalesData) -> None:
        """The checks across tables (unique IDs, references, lost reasons, closed dates)."""
        self._reader._integrity(data)


def read(path: Path) -> tuple[SalesData, list[Problem]]:
    """The data of the workbook at ``path`` and every problem found in it."""
    path = Path(path)
    if not path.exists():
        raise SalesflowError(f"{path} does not exist")
    return read_bytes(path.read_bytes(), source=path.name)


def load(path: Path) -> SalesData:
    """The data of the workbook at ``path``; raises :class:`WorkbookInvalidError` on problems."""
    data, problems = read(path)
    if problems:
        raise WorkbookInvalidError(Path(path).name, problems)
    return data


class _Lookup(dict[Any, Any]):
    """Stripped text → the value to store for texts the column accepts as they are; None for
    anything else (which then takes the checking path). Plain lookups, memoised."""

    def __init__(self, accept: Callable[[str], str | None]) -> None:
        super().__init__()
        self.accept = accept

    def __missing__(self, key: Any) -> str | None:
        result = self.accept(key) if isinstance(key, str) and key else None
        self[key] = result
        return result


def _text_cleaner(column: Column, lists: Lists, pipeline: Pipeline | None) -> _Lookup:
    """The :class:`_Lookup` of a text column: a list's values, a stage's canonical name, or any
    non-blank text."""
    if column.choices in schema.LISTS:
        allowed = set(getattr(lists, column.choices))
        return _Lookup(lambda text: text if text in allowed else None)
    if column.choices == "stages" and pipeline is not None:

        def stage_name(text: str) -> str | None:
            stage = pipeline.find(text)
            return stage.name if stage else None

        return _Lookup(stage_name)
    return _Lookup(lambda text: text)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Reader:
    def __init__(self, sheet_names: list[str], rows_of: Callable[[str], list[list[Any]]]) -> None:
        self.sheet_names = sheet_names
        self.rows_of = rows_of
        self.problems: list[Problem] = []
        self.read_sheets: dict[str, list[list[Any]]] = {}

    def problem(
        self, sheet: str, row: int | None, column: str | None, value: Any, expected: str
    ) -> None:
        self.problems.append(Problem(sheet, row, column, value, expected))

    def rows(self, sheet: str) -> list[list[Any]] | None:
        if sheet not in self.sheet_names:
            self.problem(sheet, None, None, None, f"a sheet named {sheet!r}")
            return None
        if sheet not in self.read_sheets:
            self.read_sheets[sheet] = self.rows_of(sheet)
        return self.read_sheets[sheet]

    def read(self) -> tuple[SalesData, list[Problem]]:
        lists = self._lists()
        pipeline = self._pipeline()
        settings = self._settings()
        frames = {key: self._table(spec, lists, pipeline) for key, spec in schema.TABLES.items()}
        deals = frames["deals"]
        status = deals["stage"].map({s.name: s.outcome for s in pipeline.stages})
        frames["deals"] = typed(deals.assign(status=status), Deal)
        frames["deals"].attrs["excel_rows"] = deals.attrs["excel_rows"]
        data = SalesData(settings=settings, pipeline=pipeline, lists=lists, **frames)
        self._integrity(data)
        return data, self.problems

    # -- configuration sheets -------------------------------------------------------------------

    def _lists(self) -> Lists:
        rows = self.rows(schema.LISTS_SHEET)
        values: dict[str, tuple[str, ...]] = {}
        header = rows[0] if rows else []
        for spec in schema.LISTS.values():
            if spec.header not in header:
                if rows is not None:
                    self.problem(
                        schema.LISTS_SHEET, 1, spec.header, None, f"a {spec.header!r} list"
                    )
                values[spec.key] = getattr(Lists(), spec.key)
                continue
            index = header.index(spec.header)
            items = [
                str(r[index]).strip() for r in rows[1:] if index < len(r) and not _blank(r[index])
            ]
            values[spec.key] = tuple(dict.fromkeys(items))
        return Lists(**values)

    def _pipeline(self) -> Pipeline:
        spec = schema.STAGES
        frame = self._table(spec, Lists(), None)
        stages = []
        for offset, row in zip(
            frame.attrs["excel_rows"], frame.itertuples(index=False), strict=True
        ):
            if row.name is None or row.probability is None:
                continue  # already reported as missing
            outcome = str(row.outcome).strip().lower()
            if outcome not in ("open", "won", "lost"):
                self.problem(spec.sheet, offset, "Outcome", row.outcome, "open, won or lost")
                continue
            rotting = None if pd.isna(row.rotting_days) else int(row.rotting_days)
            stages.append(Stage(str(row.name), float(row.probability), rotting, outcome))  # type: ignore[arg-type]
        try:
            return Pipeline(tuple(stages))
        except PipelineError as error:
            self.problem(spec.sheet, None, None, None, f"a valid pipeline ({error})")
            return DEFAULT_PIPELINE

    def _settings(self) -> Settings:
        rows = self.rows(schema.SETTINGS_SHEET) or []
        labels = {str(r[0]).strip(): (n, r) for n, r in enumerate(rows, start=1) if r}
        values: dict[str, Any] = {}
        for setting in schema.SETTINGS:
            if setting.field is None:
                continue
            if setting.label not in labels:
                self.problem(
                    schema.SETTINGS_SHEET,
                    None,
                    setting.label,
                    None,
                    f"a row labelled {setting.label!r}",
                )
                continue
            number, row = labels[setting.label]
            raw = row[1] if len(row) > 1 else None
            column = Column(setting.label, setting.field, setting.kind, required=True)
            value = self._convert(schema.SETTINGS_SHEET, number, column, raw, Lists(), None)
            if value is not None:
                values[setting.field] = value
        if "as_of" not in values:
            values["as_of"] = date.today()
        return Settings(**values)

    # -- data tables ----------------------------------------------------------------------------

    def _table(self, spec: TableSpec, lists: Lists, pipeline: Pipeline | None) -> pd.DataFrame:
        record_type = RECORD_TYPES.get(spec.key)
        fields = [c.field for c in spec.inputs if c.field]
        if record_type is not None:
            fields = list(column_kinds(record_type))
        rows = self.rows(spec.sheet)
        empty = pd.DataFrame({f: pd.Series(dtype=object) for f in fields})
        if not rows:
            empty = typed(empty, record_type) if record_type else empty
            empty.attrs["excel_rows"] = ExcelRows()
            return empty
        header = [str(h).strip() for h in rows[0]]
        positions: dict[str, int] = {}
        for column in spec.inputs:
            if column.header in header:
                positions[column.header] = header.index(column.header)
            elif column.required:
                self.problem(spec.sheet, 1, column.header, None, "this column in the header row")
        body = rows[1:]
        raw = {
            header: [row[i] if i < len(row) else None for row in body]
            for header, i in positions.items()
        }
        keep = [
            number
            for number, cells in enumerate(zip(*raw.values(), strict=True), start=2)
            if not all(_blank(v) for v in cells)
        ]
        offsets = [number - 2 for number in keep]
        first_problem = len(self.problems)
        records: dict[str, list[Any]] = {f: [None] * len(keep) for f in fields}
        for column in spec.inputs:
            assert column.field is not None
            values = raw.get(column.header)
            if values is None:
                cells: list[Any] = [None] * len(keep)
            elif len(keep) == len(body):
                cells = values  # no blank rows to skip (the usual case)
            else:
                cells = [values[i] for i in offsets]
            records[column.field] = self._column(spec.sheet, keep, column, cells, lists, pipeline)
        # problems in reading order: row by row, then column by column
        order = {c.header: i for i, c in enumerate(spec.inputs)}
        self.problems[first_problem:] = sorted(
            self.problems[first_problem:], key=lambda p: (p.row or 0, order.get(p.column, 0))
        )
        frame = pd.DataFrame(records)
        frame = typed(frame, record_type) if record_type else frame
        frame.attrs["excel_rows"] = ExcelRows(keep)
        return frame

    def _column(
        self,
        sheet: str,
        numbers: list[int],
        column: Column,
        cells: list[Any],
        lists: Lists,
        pipeline: Pipeline | None,
    ) -> list[Any]:
        """A column's cells converted: the common clean cases inline, the rest (blanks where a
        value is required, wrong types, values out of range or not in a list) through
        :meth:`_convert`, which records the problem. Same results as :meth:`_convert` per cell
        (a property test holds them equal)."""
        kind = column.kind
        pairs = zip(numbers, cells, strict=True)

        def other(row: int, value: Any) -> Any:
            """A cell the fast test did not accept: blank (fine where optional) or checked."""
            if not column.required and _blank(value):
                return None
            return self._convert(sheet, row, column, value, lists, pipeline)

        if kind == "text" and not column.choices:
            return [
                text if v.__class__ is str and (text := v.strip()) else other(n, v)
                for n, v in pairs
            ]
        if kind == "text":
            clean = _text_cleaner(column, lists, pipeline)
            return [
                out
                if (out := clean[v.strip() if v.__class__ is str else None]) is not None
                else other(n, v)
                for n, v in pairs
            ]
        if kind == "date":
            return [
                v if v.__class__ is date else v.date() if v.__class__ is datetime else other(n, v)
                for n, v in pairs
            ]
        if kind == "timestamp":
            return [v if v.__class__ is datetime else other(n, v) for n, v in pairs]
        top = 1.0 if kind == "percent" else sys.float_info.max  # inf and NaN: checked below
        whole = kind == "integer"
        return [
            float(v)
            if (v.__class__ is float or v.__class__ is int)
            and 0 <= v <= top
            and (not whole or float(v).is_integer())
            else other(n, v)
            for n, v in pairs
        ]

    def _convert(
        self,
        sheet: str,
        row: int,
        column: Column,
        value: Any,
        lists: Lists,
        pipeline: Pipeline | None,
    ) -> Any:
        if _blank(value):
            if column.required:
                self.problem(sheet, row, column.header, None, "a value (this column is required)")
            return None
        kind = column.kind
        if kind == "text":
            if isinstance(value, float) and value.is_integer():
                value = str(int(value))
            text = str(value).strip()
            return self._choice(sheet, row, column, text, lists, pipeline)
        if kind in ("date", "timestamp"):
            if isinstance(value, datetime):
                return value if kind == "timestamp" else value.date()
            if isinstance(value, date):
                return (
                    datetime.combine(value, datetime.min.time()) if kind == "timestamp" else value
                )
            self.problem(sheet, row, column.header, value, "a date")
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.problem(sheet, row, column.header, value, "a number")
            return None
        number = float(value)
        if kind == "percent" and not 0 <= number <= 1:
            self.problem(sheet, row, column.header, value, "a percentage from 0 % to 100 %")
            return None
        if number < 0:
            self.problem(sheet, row, column.header, value, "a number ≥ 0")
            return None
        if kind == "integer" and not number.is_integer():
            self.problem(sheet, row, column.header, value, "a whole number")
            return None
        return number

    def _choice(
        self,
        sheet: str,
        row: int,
        column: Column,
        text: str,
        lists: Lists,
        pipeline: Pipeline | None,
    ) -> str:
        if column.choices in schema.LISTS:
            allowed: tuple[str, ...] = getattr(lists, column.choices)
            where = f"the {schema.LISTS[column.choices].header!r} list on the Lists sheet"
        elif column.choices == "stages" and pipeline is not None:
            stage = pipeline.find(text)
            if stage is None:
                self.problem(
                    sheet,
                    row,
                    column.header,
                    text,
                    "one of the stages: " + ", ".join(pipeline.names),
                )
                return text
            return stage.name
        else:
            return text
        if text not in allowed:
            self.problem(sheet, row, column.header, text, f"a value from {where}")
        return text

    # -- across tables --------------------------------------------------------------------------

    def _integrity(self, data: SalesData) -> None:
        for spec, key_field in (
            (schema.CUSTOMERS, "id"),
            (schema.DEALS, "id"),
            (schema.ACTIVITIES, "id"),
            (schema.ORDERS, "id"),
            (schema.CAMPAIGNS, "name"),
        ):
            frame = data.table(spec.key)
            duplicated = frame[key_field].duplicated(keep="first") & frame[key_field].notna()
            for index in frame.index[duplicated]:
                self.problem(
                    spec.sheet,
                    excel_row(frame, index),
                    spec.header_of(key_field),
                    frame.at[index, key_field],
                    "an ID not used by an earlier row",
                )
        customers = set(data.customers["id"].dropna())
        deals_ids = set(data.deals["id"].dropna())
        campaigns = set(data.campaigns["name"].dropna())
        self._references(data.deals, schema.DEALS, "customer_id", customers, "Customers")
        self._references(data.orders, schema.ORDERS, "customer_id", customers, "Customers")
        self._references(data.stage_log, schema.STAGE_LOG, "deal_id", deals_ids, "Deals")
        self._references(data.activities, schema.ACTIVITIES, "deal_id", deals_ids, "Deals")
        self._references(data.activities, schema.ACTIVITIES, "customer_id", customers, "Customers")
        self._references(data.deals, schema.DEALS, "campaign", campaigns, "Campaigns")
        self._references(data.customers, schema.CUSTOMERS, "campaign", campaigns, "Campaigns")
        for log_field in ("from_stage", "to_stage"):
            known = set(data.pipeline.names)
            stages = data.stage_log[log_field]
            for index in stages.index[stages.notna() & ~stages.isin(known)]:
                self.problem(
                    schema.STAGE_LOG.sheet,
                    excel_row(data.stage_log, index),
                    schema.STAGE_LOG.header_of(log_field),
                    stages[index],
                    "one of the stages: " + ", ".join(data.pipeline.names),
                )
        deals = data.deals
        for index in deals.index[(deals["status"] == "lost") & deals["lost_reason"].isna()]:
            self.problem(
                schema.DEALS.sheet,
                excel_row(deals, index),
                "Lost reason",
                None,
                "a reason for a lost deal",
            )
        closed = deals["status"].isin(["won", "lost"]) & deals["closed"].isna()
        for index in deals.index[closed]:
            self.problem(
                schema.DEALS.sheet,
                excel_row(deals, index),
                "Closed",
                None,
                "the date a won or lost deal was closed",
            )

    def _references(
        self, frame: pd.DataFrame, spec: TableSpec, field: str, known: set[str], target: str
    ) -> None:
        values = frame[field]
        for index in values.index[values.notna() & ~values.isin(known)]:
            self.problem(
                spec.sheet,
                excel_row(frame, index),
                spec.header_of(field),
                values[index],
                f"an ID from the {target} sheet",
            )


class ExcelRows(tuple[int, ...]):
    """The Excel row of each record of a frame, kept in ``frame.attrs["excel_rows"]``.

    Immutable, so copying it is sharing it: pandas deep-copies ``attrs`` on every operation
    that makes a new frame, and a plain list of 10,000 rows made each of them cost
    milliseconds (28 s of a 10,000-deal action)."""

    __slots__ = ()

    def __copy__(self) -> ExcelRows:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ExcelRows:
        return self


def excel_row(frame: pd.DataFrame, position: Any) -> int:
    """The Excel row of the frame's row at ``position``: rows are read in order and blank rows
    skipped, so a frame read from a workbook keeps them (``attrs["excel_rows"]``); any other
    frame sits right under the header."""
    rows = frame.attrs.get("excel_rows")
    return int(rows[position]) if rows else int(position) + 2
