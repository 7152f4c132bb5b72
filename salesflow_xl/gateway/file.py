"""Applying planned :class:`Changes` to a workbook file.

The whole action runs under the workbook's writer lock: read, plan, write. The write goes
through the :class:`~salesflow_xl.workbook.editor.Editor` (only the touched rows and parts
change), refreshes every formula cell's cached value from the core, and replaces the file
atomically with a backup. If planning or writing fails, the file is left byte for byte as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from salesflow_xl.actions.changes import Changes
from salesflow_xl.core.dataset import RECORD_TYPES, SalesData, typed
from salesflow_xl.workbook import cached, reader, schema, store
from salesflow_xl.workbook.editor import Editor

T = TypeVar("T")


def apply_to_bytes(
    content: bytes,
    data: SalesData,
    changes: Changes,
    source: str,
    stored: Mapping[str, list[list[Any]]] | None = None,
) -> bytes:
    """The workbook ``content`` (whose data is ``data``; ``stored``: its cell values as read,
    see :class:`~salesflow_xl.workbook.reader.Snapshot`) with ``changes`` applied and every
    cached value brought up to date. Raises
    :class:`~salesflow_xl.workbook.reader.WorkbookInvalidError` when the result would not
    read back cleanly; nothing is written then."""
    editor = Editor(content, source)
    for update in changes.updates:
        row = reader.excel_row(data.table(update.table), update.position)
        editor.update(schema.TABLES[update.table], row, update.values)
    appended = {
        table: editor.append(schema.TABLES[table], records)
        for table, records in changes.appends.items()
    }
    for name, value in changes.settings.items():
        editor.set_setting(name, value)
    for table, rows in changes.column_values.items():
        frame = data.table(table)
        editor.write_values(
            schema.TABLES[table],
            {reader.excel_row(frame, p): values for p, values in rows.items()},
        )
    after, problems = data_after(data, changes, appended)
    if problems:
        raise reader.WorkbookInvalidError(f"{source} after the change", problems)
    editor.refresh_cached_values(after, stored)
    return editor.to_bytes()


def data_after(
    data: SalesData, changes: Changes, appended: Mapping[str, list[int]]
) -> tuple[SalesData, list[reader.Problem]]:
    """What reading the workbook back would give once ``changes`` are written (``appended``:
    the Excel rows the new records went to), and the problems it would report: every written
    value goes through the reader's own conversion and checks, then the checks across tables
    run on the result. Tests hold this equal to reading the written file."""
    checker = reader.CellChecker(data.lists, data.pipeline)
    frames = {}
    touched = {u.table for u in changes.updates} | set(changes.appends)
    for key in touched:
        spec, record_type = schema.TABLES[key], RECORD_TYPES[key]
        inputs = {c.field: c for c in spec.inputs}
        frame = data.table(key)
        rows = list(frame.attrs.get("excel_rows") or range(2, 2 + len(frame)))
        table = frame.copy()
        for update in (u for u in changes.updates if u.table == key):
            row = reader.excel_row(frame, update.position)
            for field, value in update.values.items():
                column = table[field].astype(object)  # only the columns that change
                column.iat[update.position] = checker.value(
                    spec.sheet, row, inputs[field], _as_stored(value, inputs[field].kind)
                )
                table[field] = column
        new = [
            {
                name: checker.value(
                    spec.sheet, row, inputs[name], _as_stored(record.get(name), inputs[name].kind)
                )
                if name in inputs
                else None
                for name in table.columns
            }
            for record, row in zip(changes.appends.get(key, []), appended.get(key, []), strict=True)
        ]
        table = typed(table, record_type)
        if new:
            added = typed(pd.DataFrame(new, columns=table.columns), record_type)
            table = pd.concat([table, added], ignore_index=True)
            rows += appended[key]
        if key == "deals":
            outcome = {s.name: s.outcome for s in data.pipeline.stages}
            table["status"] = table["stage"].map(outcome)
        frames[key] = typed(table, record_type)
        frames[key].attrs["excel_rows"] = reader.ExcelRows(rows)
    settings = data.settings
    for name, value in changes.settings.items():
        setting = next(s for s in schema.SETTINGS if s.field == name)
        column = schema.Column(setting.label, setting.field, setting.kind, required=True)
        cell = _as_stored(value, setting.kind)
        settings = dataclasses.replace(
            settings,
            **{name: checker.value(schema.SETTINGS_SHEET, _setting_row(name), column, cell)},
        )
    after = dataclasses.replace(data, settings=settings, **frames)
    checker.integrity(after)
    return after, checker.problems


def _setting_row(field: str) -> int:
    """The Settings sheet row of a setting (``salesflow new`` lays them out from row 3)."""
    setting = next(s for s in schema.SETTINGS if s.field == field)
    return int(cached.settings_refs()[setting.name].lstrip("B"))


def _as_stored(value: Any, kind: str) -> Any:
    """A value as a sheet gives it back once written by the editor (see
    :func:`~salesflow_xl.ooxml.sheetxml.cell_xml`): blank as None, dates as datetimes,
    numbers as floats (text columns keep text)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and kind != "text":
        return float(value)
    return str(value)


class WorkbookFile:
    """The workbook file as an action's gateway."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def read(self) -> SalesData:
        """The workbook's data; refuses a workbook with problems (``salesflow check``)."""
        return reader.load(self.path)

    @contextlib.contextmanager
    def session(self) -> Iterator[tuple[bytes, reader.Snapshot]]:
        """Hold the writer lock while an action reads, plans and writes."""
        with store.writer_lock(self.path):
            content = self.path.read_bytes()
            snapshot = reader.read_snapshot(content, self.path.name)
            if snapshot.problems:
                raise reader.WorkbookInvalidError(self.path.name, snapshot.problems)
            yield content, snapshot

    def run(
        self,
        plan: Callable[[SalesData], T],
        changes_of: Callable[[T], Changes],
        on_step: Callable[[str], None] | None = None,
    ) -> T:
        """Read, plan and, when the plan changes anything, write — all under the lock.
        ``on_step(description)`` is told when planning and writing start (a progress bar)."""
        step = on_step or (lambda description: None)
        with self.session() as (content, snapshot):
            step("Planning")
            result = plan(snapshot.data)
            changes = changes_of(result)
            if not changes.empty:
                step("Writing")
                new = apply_to_bytes(
                    content, snapshot.data, changes, self.path.name, snapshot.cells
                )
                store.atomic_write(self.path, new)
            return result
