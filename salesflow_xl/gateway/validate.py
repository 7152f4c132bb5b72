"""What a workbook will read as once planned changes are written, checked before anything is.

Every value an action writes goes through the reader's own conversion and checks
(:class:`~salesflow_xl.workbook.reader.CellChecker`), then the checks across tables run on the
result; tests hold the result equal to reading the written file back.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

from salesflow_xl.actions.changes import Changes
from salesflow_xl.core.dataset import RECORD_TYPES, typed
from salesflow_xl.core.errors import PipelineError, SalesflowError
from salesflow_xl.core.i18n import _
from salesflow_xl.core.model import Lists, Pipeline, Settings, Stage
from salesflow_xl.workbook import reader, schema
from salesflow_xl.workbook.problems import Problem
from salesflow_xl.workbook.reader import CellChecker, Snapshot


def snapshot_after(snapshot: Snapshot, changes: Changes) -> Snapshot:
    """The snapshot reading the workbook back would give once ``changes`` are written (new
    records at :meth:`Snapshot.next_rows`), with the problems it would report. Its ``cells``
    are left empty: nothing has been stored yet. The model figures of ``column_values`` are
    SalesFlow's own output, not input, and are not checked."""
    data = snapshot.data
    frames, rows = {}, dict(snapshot.rows)
    lists, pipeline, problems = _lists_and_stages_after(snapshot, changes, rows)
    checker = CellChecker(lists, pipeline)
    checker.problems += problems
    touched = {u.table for u in changes.updates} | set(changes.appends)
    if changes.stages is not None:
        touched.add("deals")  # each deal's status follows its stage's outcome
    for key in (k for k in schema.TABLES if k in touched):  # problems in the reader's order
        new_rows = snapshot.next_rows(key, len(changes.appends.get(key, ())))
        frames[key], rows[key] = _table_after(snapshot, key, changes, new_rows, checker)
    _recheck_choices(snapshot, changes, frames, rows, checker)
    settings = _settings_after(snapshot, changes.settings, checker)
    after = dataclasses.replace(data, settings=settings, lists=lists, pipeline=pipeline, **frames)
    checker.integrity(after, rows)
    return Snapshot(after, rows, checker.problems, {}, snapshot.setting_rows)


def _table_after(
    snapshot: Snapshot, key: str, changes: Changes, new_rows: list[int], checker: CellChecker
) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """One table's records and rows after the change: updated cells, then appended records."""
    spec, record_type = schema.TABLES[key], RECORD_TYPES[key]
    inputs = {c.field: c for c in spec.inputs}
    data = snapshot.data
    table = data.table(key)
    written: dict[str, dict[int, Any]] = {}  # field → position → value
    for update in (u for u in changes.updates if u.table == key):
        row = snapshot.row(key, update.position)
        for field, value in update.values.items():
            written.setdefault(field, {})[update.position] = checker.value(
                spec.sheet, row, inputs[field], _as_stored(value, inputs[field].kind)
            )
    if written:
        table = table.copy()
    for field, values in written.items():
        column = table[field].astype(object)  # only the columns that change
        for position, value in values.items():
            column.iat[position] = value
        table[field] = column
    retype = bool(written)  # typed once, at the end, and only when a column lost its type
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
    if new:
        added = typed(pd.DataFrame(new, columns=table.columns), record_type)
        table = pd.concat([typed(table, record_type) if retype else table, added])
        table = table.reset_index(drop=True)
        retype = False
    if key == "deals":
        outcome = {s.name: s.outcome for s in checker.pipeline.stages}
        table = table.assign(status=table["stage"].map(outcome))
        retype = True
    return typed(table, record_type) if retype else table, (*snapshot.rows[key], *new_rows)


def _lists_and_stages_after(
    snapshot: Snapshot, changes: Changes, rows: dict[str, tuple[int, ...]]
) -> tuple[Lists, Pipeline, list[Problem]]:
    """The lists and the pipeline after the change, with the problems reading the rewritten
    Stages table would report; ``rows`` gets the Stages table's new rows."""
    data = snapshot.data
    lists = dataclasses.replace(data.lists, **changes.lists) if changes.lists else data.lists
    if changes.stages is None:
        return lists, data.pipeline, []
    checker = CellChecker(lists, data.pipeline)
    spec = schema.STAGES
    stages = []
    numbers = tuple(range(2, 2 + len(changes.stages)))  # from under the header, no gaps
    for row, entry in zip(numbers, changes.stages, strict=True):
        values = {
            c.field: checker.value(
                spec.sheet, row, c, _as_stored(getattr(entry.stage, c.field or ""), c.kind)
            )
            for c in spec.inputs
        }
        if values["name"] is None or values["probability"] is None:
            continue  # reported as missing
        rotting = None if values["rotting_days"] is None else int(values["rotting_days"])
        outcome = schema.outcome_of(values["outcome"]) or "open"
        cadence = values.get("follow_up_days")
        cadence = None if cadence is None else int(cadence)
        stages.append(Stage(values["name"], values["probability"], rotting, outcome, cadence))
    rows[spec.key] = numbers
    try:
        pipeline = Pipeline(tuple(stages))
    except PipelineError as error:
        expected = _("a valid pipeline ({error})").format(error=error)
        checker.problems.append(Problem(spec.sheet, None, None, None, expected))
        return lists, data.pipeline, checker.problems
    return lists, pipeline, checker.problems


def _recheck_choices(
    snapshot: Snapshot,
    changes: Changes,
    frames: Mapping[str, pd.DataFrame],
    rows: Mapping[str, tuple[int, ...]],
    checker: CellChecker,
) -> None:
    """Once a list or the stages change, every value taken from them is checked again (the
    cells this change writes are checked already)."""
    data = snapshot.data
    keys = {k for k, values in changes.lists.items() if values != getattr(data.lists, k)}
    if checker.pipeline.names != data.pipeline.names:
        keys.add("stages")
    if not keys:
        return
    written = {(u.table, u.position, f) for u in changes.updates for f in u.values}
    for key, spec in schema.TABLES.items():
        frame = frames.get(key, data.table(key))
        read = len(data.table(key))  # records after these are appended, checked already
        for column in (c for c in spec.inputs if c.choices in keys and c.field):
            choices = checker.pipeline.names if column.choices == "stages" else None
            allowed = set(choices or getattr(checker.lists, column.choices or ""))
            values = frame[column.field]
            for position in (values.notna() & ~values.isin(allowed)).to_numpy().nonzero()[0]:
                if position < read and (key, position, column.field) not in written:
                    row = rows[key][position]
                    checker.value(spec.sheet, row, column, values.iat[position])


def _settings_after(
    snapshot: Snapshot, values: Mapping[str, Any], checker: CellChecker
) -> Settings:
    settings = snapshot.data.settings
    for name, value in values.items():
        setting = next(s for s in schema.SETTINGS if s.field == name)
        column = schema.Column(
            setting.label, setting.field, setting.kind, required=setting.required
        )
        cell = _as_stored(value, setting.kind)
        row = snapshot.setting_rows[name]
        converted = checker.value(schema.SETTINGS_SHEET, row, column, cell)
        if name == "as_of":  # blank: the figures follow today, as the reader reads it
            pinned = converted is not None
            if not pinned and (problem := reader.older_blank_as_of(snapshot.setting_rows)):
                checker.problems.append(problem)
            converted = converted if pinned else reader.today()
            settings = dataclasses.replace(settings, as_of_pinned=pinned)
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


def later_columns_refused(
    changes: Changes, headers: Callable[[schema.TableSpec], Collection[str]]
) -> None:
    """Refuse ``changes`` that give a value to a column the workbook's table lacks because
    it was made before the column existed (``headers(spec)``: the table's headers as the
    workbook has them), saying how to add it; blank values for such columns are fine (they
    are left out)."""
    wanted: dict[str, set[str]] = {}

    def given(spec: schema.TableSpec, field: str, value: Any) -> None:
        column = next((c for c in spec.columns if c.field == field and c.later), None)
        if column is not None and value is not None and column.header not in headers(spec):
            wanted.setdefault(spec.sheet, set()).add(column.header)

    for table, records in changes.appends.items():
        spec = schema.TABLES[table]
        for record in records:
            for field, value in record.items():
                given(spec, field, value)
    for update in changes.updates:
        for field, value in update.values.items():
            given(schema.TABLES[update.table], field, value)
    for entry in changes.stages or ():
        for field, value in dataclasses.asdict(entry.stage).items():
            given(schema.STAGES, field, value)
    if wanted:
        sheet, columns = next(iter(wanted.items()))
        raise SalesflowError(
            _(
                "the table on the {sheet} sheet has no {columns} column yet (the workbook was "
                "made by an older SalesFlow): type the header in the first empty cell right of "
                "the table's header row — Excel grows the table — save, and run this again. "
                "Nothing was written."
            ).format(sheet=sheet, columns=", ".join(repr(c) for c in sorted(columns)))
        )
