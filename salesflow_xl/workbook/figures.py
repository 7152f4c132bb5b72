"""Bringing a workbook's figures up to date after a change: every formula cell's cached value
and every derived value, written where it differs from what the cell holds.

When the cells are known to hold the core's figures for the data before the change (the
workbook is exactly as SalesFlow wrote it: :mod:`~salesflow_xl.workbook.cache`), only the
figures that read something that changed (:mod:`.dependencies`) are computed and compared; a
column whose figures came out different counts as changed for whatever reads it, and a table
whose changed inputs are all cells of its own records is computed for those records only.
Otherwise (the workbook was changed elsewhere: its cached values may be anyone's) every figure
is computed and compared with the cells as read. Layer: the SalesFlow workbook (imports
``salesflow_xl.core``, ``salesflow_xl.ooxml`` and ``salesflow_xl.workbook`` only).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from salesflow_xl.core.dataset import RECORD_TYPES, SalesData
from salesflow_xl.ooxml import sheetxml
from salesflow_xl.ooxml.refs import cell_position, column_index
from salesflow_xl.ooxml.sheetxml import CellValue, set_cached_values
from salesflow_xl.workbook import cached, computed, schema
from salesflow_xl.workbook.cached import canonical
from salesflow_xl.workbook.dependencies import (
    LAYOUT,
    Changed,
    Ref,
    board_references,
    column_ref,
    moved_ref,
    name_references,
    reads,
    rows_ref,
    table_references,
    triggers,
)
from salesflow_xl.workbook.editor import Editor
from salesflow_xl.workbook.schema import TableSpec

#: table key → header → the figure of each record (:func:`cached.figure_column`)
Figures = dict[str, dict[str, cached.FigureColumn]]
#: a sheet's cell values as read, row 1 first, from column A
Grid = Sequence[Sequence[Any]]


# -- what the cells hold before the figures are written -----------------------------------------


class Stored:
    """What the figure cells of a workbook being edited hold (canonical values), for the
    comparison: from a grid of each sheet's values as read, or from the figures SalesFlow wrote
    (``figures``, records in ``rows``); records added since hold nothing yet. A table whose
    records moved is read from ``grid_of`` (sheet → its values before the edit)."""

    def __init__(
        self,
        editor: Editor,
        figures: Mapping[str, Mapping[str, cached.FigureColumn]] | None = None,
        rows: Mapping[str, Sequence[int]] | None = None,
        grid_of: Callable[[str], Grid] | None = None,
        grids: Mapping[str, Grid] | None = None,
    ) -> None:
        self.editor = editor
        self.grids = dict(grids or {})
        self.figures = figures
        self.rows = rows or {}
        self.grid_of = grid_of

    @property
    def known(self) -> bool:
        """Whether the cells are known to hold the core's figures for the data before."""
        return self.figures is not None

    def previous(self, key: str) -> dict[str, cached.FigureColumn] | None:
        """The figures of a table SalesFlow wrote (for one whose figures are not recomputed)."""
        if self.figures is None or key not in self.figures:
            return None
        return dict(self.figures[key])

    def column(self, spec: TableSpec, header: str, rows: Sequence[int]) -> cached.FigureColumn:
        """What each of ``rows`` holds in column ``header`` of table ``spec``."""
        before = tuple(self.rows.get(spec.key, ()))
        figures = (self.figures or {}).get(spec.key, {})
        if self.figures is not None and tuple(rows[: len(before)]) == before and header in figures:
            return figures[header]  # records added after them hold nothing yet
        grid = self._grid(spec.sheet)
        layout = self.editor.tables[spec.name]
        index = layout.first_column + layout.headers.index(header) - 1
        lines = (grid[row - 1] if row <= len(grid) else () for row in rows)
        held = [line[index] if index < len(line) else None for line in lines]
        return [
            v if (v.__class__ is float and v == v) or (v.__class__ is str and v) else canonical(v)
            for v in held
        ]

    def cell(self, sheet: str, ref: str) -> CellValue:
        letters, number = cell_position(ref)
        return _at(self._grid(sheet), number - 1, column_index(letters) - 1)

    def _grid(self, sheet: str) -> Grid:
        if sheet not in self.grids:
            self.grids[sheet] = self.grid_of(sheet) if self.grid_of is not None else []
        return self.grids[sheet]


def _at(grid: Grid, row: int, index: int) -> CellValue:
    line = grid[row] if row < len(grid) else ()
    return canonical(line[index] if index < len(line) else None)


def holds_formulas(editor: Editor) -> bool:
    """Whether a derived column of the workbook still holds formulas, as in a workbook made
    by an earlier SalesFlow (the table part names a calculated formula for it, or its first
    cell has one): :meth:`Editor.write_derived` turns them into values."""
    for spec in schema.all_tables():
        layout = editor.tables.get(spec.name)
        if layout is None or not spec.derived:
            continue
        first = layout.first_row + 1
        row = sheetxml.cells(sheetxml.row_at(editor.package.read(layout.sheet_part), first) or b"")
        for column in spec.derived:
            if column.header in layout.formulas:
                return True
            if column.header in layout.headers and b"<f" in row.get(
                f"{layout.letter(column.header)}{first}", b""
            ):
                return True
    return False


# -- writing the figures -----------------------------------------------------------------------


def refresh(
    editor: Editor,
    data: SalesData,
    rows: Mapping[str, Sequence[int]],
    setting_rows: Mapping[str, int],
    stored: Stored,
    changed: Changed | None,
    write_derived: bool = True,
) -> Figures:
    """Write into ``editor`` the figures of ``data`` (the workbook's content after the edits,
    ``rows``: each record's Excel row, ``setting_rows``: each setting's row) that differ from
    what the cells hold (``stored``), computing those that read something in ``changed``
    (every one when ``changed`` is None). Derived columns are written unless
    ``write_derived`` is False (the caller wrote them). Returns every table's figures."""
    every = changed is None
    changed = Changed() if changed is None else changed
    refs = changed.refs
    present = [spec for spec in schema.all_tables() if spec.name in editor.tables]
    figures: Figures = {}
    for spec in present:
        if spec.derived and (every or refs):
            figures[spec.key] = _derived(editor, data, rows, spec, stored, changed, write_derived)
    pending = [spec for spec in present if spec.computed]
    references_of = table_references()
    progress = True
    while progress:
        progress = False
        for spec in list(pending):
            reasons = triggers(references_of[spec.key], refs) | (refs & {rows_ref(spec.key)})
            if not every and not reasons:
                continue
            pending.remove(spec)
            progress = True
            records = None if every else _own_records(spec, reasons, changed)
            figures.setdefault(spec.key, {}).update(
                _computed(editor, data, rows, spec, stored, changed, records)
            )
    for spec in present:
        for header, values in (stored.previous(spec.key) or {}).items():
            figures.setdefault(spec.key, {}).setdefault(header, values)
    _settings(editor, data, setting_rows, stored, refs, every)
    if every or reads(board_references(editor.package, editor.sheets), refs) or LAYOUT in refs:
        for sheet, cells in cached.board_values(data).items():
            _set_cached(editor, sheet, cells)
    return figures


def _own_records(spec: TableSpec, reasons: set[Ref], changed: Changed) -> list[int] | None:
    """The records of table ``spec`` to compute again when all it reads that changed is its
    own records' cells (``reasons``) and records were only added: those that changed. None
    when the whole table is to be computed."""
    if spec.key not in RECORD_TYPES or moved_ref(spec.key) in changed.refs:
        return None
    for ref in reasons - {rows_ref(spec.key)}:
        if ref[0] != "row" or ref[1] != spec.key:
            return None
    return sorted(changed.records.get(spec.key, ()))


def _derived(
    editor: Editor,
    data: SalesData,
    rows: Mapping[str, Sequence[int]],
    spec: TableSpec,
    stored: Stored,
    changed: Changed,
    write: bool,
) -> dict[str, cached.FigureColumn]:
    frame = computed.derived_columns(data, spec)
    record_rows = rows[spec.key]
    result: dict[str, cached.FigureColumn] = {}
    writes: dict[int, dict[str, CellValue]] = {}
    for column in spec.derived:
        series = frame[column.name]
        new = result[column.header] = cached.figure_column(series)
        if write or stored.known:
            different = cached.differing(new, stored.column(spec, column.header, record_rows))
        else:
            different = list(range(len(new)))
        if different:
            changed.refs.add(column_ref(spec.key, column.header))
            changed.records.setdefault(spec.key, set()).update(different)
        if write:
            for position, value in zip(different, _values_at(series, different), strict=True):
                writes.setdefault(record_rows[position], {})[column.header] = value
    if writes:
        editor.write_values(spec, writes)
    return result


def _computed(
    editor: Editor,
    data: SalesData,
    rows: Mapping[str, Sequence[int]],
    spec: TableSpec,
    stored: Stored,
    changed: Changed,
    records: list[int] | None,
) -> dict[str, cached.FigureColumn]:
    """The computed columns of table ``spec``, written where they differ from the cells; only
    ``records`` (positions) are computed again when given, the others keep what they hold."""
    layout = editor.tables[spec.name]
    if any(column.header not in layout.headers for column in spec.computed):
        records = None  # a column no cell holds keeps no figures to start from
    if records is None:
        frame = computed.computed_columns(data, spec)
    else:
        part = data.table(spec.key).iloc[records]
        frame = computed.computed_columns(dataclasses.replace(data, **{spec.key: part}), spec)
    record_rows = rows[spec.key]
    result: dict[str, cached.FigureColumn] = {}
    cells: dict[str, CellValue] = {}
    for column in spec.computed:
        series = frame[column.name]
        fresh = cached.figure_column(series)
        if column.header not in layout.headers:
            result[column.header] = fresh
            continue  # no cell holds it
        held = stored.column(spec, column.header, record_rows)
        if records is None:
            new, different = fresh, cached.differing(fresh, held)
        else:
            new = _replaced(held, len(record_rows), records, fresh)
            changed_at = cached.differing(fresh, _taken(held, records))
            different = [records[i] for i in changed_at]
            series = series.iloc[changed_at]
        result[column.header] = new
        if different:
            changed.refs.add(column_ref(spec.key, column.header))
            changed.records.setdefault(spec.key, set()).update(different)
        letter = layout.letter(column.header)
        at = different if records is None else list(range(len(different)))
        for position, value in zip(different, _values_at(series, at), strict=True):
            cells[f"{letter}{record_rows[position]}"] = value
    _set_cached(editor, spec.sheet, cells)
    return result


def _taken(column: cached.FigureColumn, positions: list[int]) -> cached.FigureColumn:
    """``column`` at ``positions`` (past its end: blank)."""
    if isinstance(column, np.ndarray):
        inside = [p for p in positions if p < len(column)]
        return np.concatenate([column[inside], np.full(len(positions) - len(inside), np.nan)])
    return [column[p] if p < len(column) else None for p in positions]


def _replaced(
    column: cached.FigureColumn, length: int, positions: list[int], values: cached.FigureColumn
) -> cached.FigureColumn:
    """``column`` made ``length`` long (blank added) with ``values`` at ``positions``."""
    if isinstance(column, np.ndarray) and isinstance(values, np.ndarray):
        result = np.full(length, np.nan)
        result[: min(len(column), length)] = column[:length]
        result[positions] = values
        return result
    listed = cached.as_canonical(column)[:length]
    listed += [None] * (length - len(listed))
    for position, value in zip(positions, cached.as_canonical(values), strict=True):
        listed[position] = value
    return listed


def _settings(
    editor: Editor,
    data: SalesData,
    setting_rows: Mapping[str, int],
    stored: Stored,
    refs: set[Ref],
    every: bool,
) -> None:
    """The Settings' computed cells (``AsOf`` …) whose inputs changed, in the rows holding
    their labels."""
    cells = {}
    for name, value in cached.setting_figures(data).items():
        if name not in setting_rows:
            continue  # a workbook made before the setting: nothing is written over another row
        ref = f"B{setting_rows[name]}"
        if every:
            if cached.differing(
                [cached.canonical(value)], [stored.cell(schema.SETTINGS_SHEET, ref)]
            ):
                cells[ref] = value
        elif reads(name_references(name), refs):
            cells[ref] = value
    _set_cached(editor, schema.SETTINGS_SHEET, cells)


def _values_at(series: pd.Series, positions: list[int]) -> list[CellValue]:
    """The cell values (:func:`cached.column_values`) of ``series`` at ``positions``."""
    return cached.column_values(series.iloc[positions]) if positions else []


def _set_cached(editor: Editor, sheet: str, cells: Mapping[str, CellValue]) -> None:
    part = editor.sheets.get(sheet)
    if part is not None and cells:
        editor.package.replace(part, set_cached_values(editor.package.read(part), cells))
