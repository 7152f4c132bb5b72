"""What a workbook will read as once planned changes are written, checked before anything is.

Every value an action writes goes through the reader's own conversion and checks
(:class:`~salesflow_xl.workbook.reader.CellChecker`), then the checks across tables run on the
result; tests hold the result equal to reading the written file back.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

from salesflow_xl.actions.changes import Changes
from salesflow_xl.core.dataset import RECORD_TYPES, typed
from salesflow_xl.core.model import Settings
from salesflow_xl.workbook import schema
from salesflow_xl.workbook.reader import CellChecker, Snapshot


def snapshot_after(snapshot: Snapshot, changes: Changes) -> Snapshot:
    """The snapshot reading the workbook back would give once ``changes`` are written (new
    records at :meth:`Snapshot.next_rows`), with the problems it would report. Its ``cells``
    are left empty: nothing has been stored yet. The model figures of ``column_values`` are
    SalesFlow's own output, not input, and are not checked."""
    data = snapshot.data
    checker = CellChecker(data.lists, data.pipeline)
    frames, rows = {}, dict(snapshot.rows)
    touched = {u.table for u in changes.updates} | set(changes.appends)
    for key in (k for k in schema.TABLES if k in touched):  # problems in the reader's order
        new_rows = snapshot.next_rows(key, len(changes.appends.get(key, ())))
        frames[key], rows[key] = _table_after(snapshot, key, changes, new_rows, checker)
    settings = _settings_after(snapshot, changes.settings, checker)
    after = dataclasses.replace(data, settings=settings, **frames)
    checker.integrity(after, rows)
    return Snapshot(after, rows, checker.problems, {}, snapshot.setting_rows)


def _table_after(
    snapshot: Snapshot, key: str, changes: Changes, new_rows: list[int], checker: CellChecker
) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """One table's records and rows after the change: updated cells, then appended records."""
    spec, record_type = schema.TABLES[key], RECORD_TYPES[key]
    inputs = {c.field: c for c in spec.inputs}
    data = snapshot.data
    table = data.table(key).copy()
    for update in (u for u in changes.updates if u.table == key):
        row = snapshot.row(key, update.position)
        for field, value in update.values.items():
            column = table[field].astype(object)  # only the columns that change
            column.iat[update.position] = checker.value(
                spec.sheet, row, inputs[field], _as_stored(value, inputs[field].kind)
            )
            table[field] = column
    records = changes.appends.get(key, [])
    new = [
        {
            name: checker.value(
                spec.sheet, row, inputs[name], _as_stored(record.get(name), inputs[name].kind)
            )
            if name in inputs
            else None
            for name in table.columns
        }
        for record, row in zip(records, new_rows, strict=True)
    ]
    table = typed(table, record_type)
    if new:
        added = typed(pd.DataFrame(new, columns=table.columns), record_type)
        table = pd.concat([table, added], ignore_index=True)
    if key == "deals":
        outcome = {s.name: s.outcome for s in data.pipeline.stages}
        table["status"] = table["stage"].map(outcome)
    return typed(table, record_type), (*snapshot.rows[key], *new_rows)


def _settings_after(
    snapshot: Snapshot, values: Mapping[str, Any], checker: CellChecker
) -> Settings:
    settings = snapshot.data.settings
    for name, value in values.items():
        setting = next(s for s in schema.SETTINGS if s.field == name)
        column = schema.Column(setting.label, setting.field, setting.kind, required=True)
        cell = _as_stored(value, setting.kind)
        row = snapshot.setting_rows[name]
        converted = checker.value(schema.SETTINGS_SHEET, row, column, cell)
        settings = dataclasses.replace(settings, **{name: converted})
    return settings


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
