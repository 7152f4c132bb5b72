"""The core's value of every formula cell of the workbook, by sheet and cell reference.

Written as the cells' cached values when SalesFlow writes a workbook, so that readers which do
not calculate (pandas, openpyxl ``data_only``, file previews, phones) show current figures
before Excel or LibreOffice ever recalculates; and held equal to LibreOffice's own results by
the golden-workbook test.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

import numpy as np
import pandas as pd

from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.metrics import monthly_rate
from salesflow_xl.core.report import build_report
from salesflow_xl.ooxml.refs import cell_position, column_index, column_letter, excel_serial
from salesflow_xl.ooxml.sheetxml import CellValue
from salesflow_xl.workbook import analytics, dashboard, schema
from salesflow_xl.workbook.computed import computed_columns

#: Where the Dashboard shows the as-of date (``=AsOf``).
AS_OF_CELL = "B2"


def cell_value(value: Any) -> CellValue:
    """A Python/pandas value as a cell's cached value (None for blank, dates as serials)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime | date):
        return excel_serial(value)
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return cast(CellValue, value)


def column_values(series: pd.Series) -> list[CellValue]:
    """:func:`cell_value` of a whole column, with fast paths for numbers and dates."""
    if pd.api.types.is_float_dtype(series) or pd.api.types.is_integer_dtype(series):
        return [None if v != v else v for v in series.tolist()]
    if pd.api.types.is_datetime64_any_dtype(series) and not (series < LEAP_BUG_END).any():
        serial = (series - EXCEL_EPOCH) / pd.Timedelta(days=1)
        return [None if v != v else v for v in serial.tolist()]
    return [cell_value(v) for v in series.tolist()]


#: Serial number 0 of Excel's 1900 date system for dates from 1 March 1900 on (Excel counts a
#: 29 February 1900 that never was, so earlier dates take :func:`cell_value`'s path).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
LEAP_BUG_END = pd.Timestamp("1900-03-01")


def settings_refs() -> dict[str, str]:
    """Setting name → its value cell on the Settings sheet ("B3" …)."""
    return {s.name: f"B{row}" for row, s in enumerate(schema.SETTINGS, start=3)}


def core_values(
    data: SalesData,
    rows: Mapping[str, Sequence[int]] | None = None,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    first_rows: Mapping[str, int] | None = None,
) -> dict[str, dict[str, CellValue]]:
    """Sheet → cell → the value its formula must have, for every formula cell.

    ``rows`` (table key → the Excel row of each record, as a
    :class:`~salesflow_xl.workbook.reader.Snapshot` gives them, for every table) places a
    workbook's records; without it records sit right under the header, as in a workbook
    SalesFlow lays out. Tables are where the schema puts them (header in row 1 from
    column A) unless ``columns`` (sheet → header → column letter) and ``first_rows`` (sheet →
    first data row) say otherwise.
    """
    result: dict[str, dict[str, CellValue]] = {}
    for spec in schema.all_tables():
        frame = computed_columns(data, spec)
        default = {c.header: column_letter(i) for i, c in enumerate(spec.columns, start=1)}
        letters = (columns or {}).get(spec.sheet, default)
        first = (first_rows or {}).get(spec.sheet, 2)
        record_rows = range(first, first + len(frame)) if rows is None else rows[spec.key]
        if len(record_rows) != len(frame):
            raise ValueError(f"{spec.key}: {len(record_rows)} rows for {len(frame)} records")
        cells: dict[str, CellValue] = {}
        for column in spec.computed:
            if column.header not in letters:
                continue  # a later column a workbook made before it lacks
            letter = letters[column.header]
            values = column_values(frame[column.name])
            cells.update(zip([f"{letter}{row}" for row in record_rows], values, strict=True))
        result[spec.sheet] = cells
    result.update(board_values(data))
    result[schema.SETTINGS_SHEET] = settings_values(data)
    return result


def board_values(data: SalesData) -> dict[str, dict[str, CellValue]]:
    """The Dashboard's and the Analytics' formula cells (sheet → cell → the core's value):
    both from one :func:`~salesflow_xl.core.report.build_report` (without the learned stage
    probabilities: no formula cell shows them)."""
    report = build_report(data, learned=False)
    analytics_cells = analytics.expected_cells(data, report)
    board = {f.cell: cell_value(f.expected(report)) for f in dashboard.layout(data).figures()}
    board[AS_OF_CELL] = cell_value(data.settings.as_of)
    return {
        schema.ANALYTICS_SHEET: {ref: cell_value(value) for ref, value in analytics_cells.items()},
        schema.DASHBOARD_SHEET: board,
    }


def setting_figures(data: SalesData) -> dict[str, CellValue]:
    """The Settings' computed cells by setting name (``AsOf`` …)."""
    return {
        schema.AS_OF: cell_value(data.settings.as_of),
        schema.MONTHLY_DISCOUNT_RATE: monthly_rate(data.settings.annual_discount_rate),
    }


def settings_values(data: SalesData) -> dict[str, CellValue]:
    """The Settings' computed cells, at the template's places (:func:`settings_refs`)."""
    refs = settings_refs()
    return {refs[name]: value for name, value in setting_figures(data).items()}


def canonical(value: Any) -> CellValue:
    """What a cell's value compares as: blank (None, "", NaN) → None, a number or a date (as
    its serial number) → float; text, booleans and error values as they are."""
    cls = value.__class__
    if cls is float:
        return None if value != value else value
    if value is None or (cls is str and value == ""):
        return None
    if cls is str or cls is bool:
        return cast(CellValue, value)
    if isinstance(value, datetime | date):
        return float(excel_serial(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None if value != value else float(value)
    if hasattr(value, "item"):  # a NumPy scalar
        return canonical(value.item())
    return cast(CellValue, value)


#: A column of figures as compared: float64 (NaN for blank) when every value is a number or
#: blank, else each value's :func:`canonical` form.
FigureColumn = np.ndarray | list[CellValue]


def figure_column(series: pd.Series) -> FigureColumn:
    """The figures of a computed or derived column (as :func:`column_values` writes them) in
    the form they are compared in."""
    if pd.api.types.is_bool_dtype(series):
        return [canonical(v) for v in series.tolist()]
    if pd.api.types.is_float_dtype(series) or pd.api.types.is_integer_dtype(series):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    if pd.api.types.is_datetime64_any_dtype(series):
        values = [canonical(v) for v in column_values(series)]
    else:  # text, or numbers with blanks: the values themselves (dates become serials)
        values = [v if v.__class__ is str and v else canonical(v) for v in series.tolist()]
    if all(v is None or v.__class__ is float for v in values):
        return np.array([np.nan if v is None else v for v in values], dtype="float64")
    return values


def as_canonical(column: FigureColumn) -> list[CellValue]:
    """A :data:`FigureColumn` as a list of :func:`canonical` values."""
    if isinstance(column, np.ndarray):
        return [None if v != v else v for v in column.tolist()]
    return list(column)


def differing(new: FigureColumn, old: FigureColumn) -> list[int]:
    """The positions where two figure columns differ; positions past the end of ``old`` hold
    blank there."""
    shared = min(len(new), len(old))
    if isinstance(new, np.ndarray) and isinstance(old, np.ndarray):
        a, b = new[:shared], old[:shared]
        found = np.flatnonzero((a != b) & ~(np.isnan(a) & np.isnan(b))).tolist()
        return found + (np.flatnonzero(~np.isnan(new[shared:])) + shared).tolist()
    news, olds = as_canonical(new), as_canonical(old)
    pairs = enumerate(zip(news, olds, strict=False))
    found = [i for i, (a, b) in pairs if a != b or a.__class__ is not b.__class__]
    return found + [i for i in range(shared, len(news)) if news[i] is not None]


def changed_cells(
    values: Mapping[str, CellValue], stored: Sequence[Sequence[Any]]
) -> dict[str, CellValue]:
    """The cells of ``values`` whose stored value (``stored``: a sheet's values as read, row 1
    first, from column A) differs. Blank and "" are alike; dates are compared as serial
    numbers; anything not plainly equal counts as changed."""
    changed = {}
    for ref, value in values.items():
        letters, number = cell_position(ref)
        row, index = number - 1, column_index(letters) - 1
        row_values = stored[row] if row < len(stored) else ()
        old = row_values[index] if index < len(row_values) else None
        if (
            (old.__class__ is value.__class__ and old == value)
            or (value.__class__ is int and old.__class__ is float and old == value)
            or (value is None and (old is None or old == ""))
        ):
            continue  # the common cases (a whole number is read back as a float), no call
        if not _same(value, old):
            changed[ref] = value
    return changed


def changed_rows(
    values: Mapping[int, CellValue], stored: Sequence[Sequence[Any]], column: int
) -> list[int]:
    """The rows (Excel row → value) whose stored value in ``column`` (1 = A; ``stored`` as in
    :func:`changed_cells`) differs, in ascending order."""
    letter = column_letter(column)
    changed = changed_cells({f"{letter}{row}": v for row, v in values.items()}, stored)
    return sorted(row for row in values if f"{letter}{row}" in changed)


def _same(value: CellValue, old: Any) -> bool:
    if value is None or value == "":
        return old is None or old == ""
    if isinstance(value, bool) or isinstance(old, bool):
        return type(value) is type(old) and value == old
    if isinstance(value, int | float):
        if isinstance(old, datetime | date):
            old = excel_serial(old)
        return isinstance(old, int | float) and float(value) == float(old)
    return type(value) is type(old) and value == old
