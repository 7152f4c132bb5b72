"""The core's value of every formula cell of the workbook, by sheet and cell reference.

Written as the cells' cached values when SalesFlow writes a workbook, so that readers which do
not calculate (pandas, openpyxl ``data_only``, file previews, phones) show current figures
before Excel or LibreOffice ever recalculates; and held equal to LibreOffice's own results by
the golden-workbook test.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.metrics import monthly_rate
from salesflow_xl.core.report import build_report
from salesflow_xl.workbook import analytics, dashboard, schema
from salesflow_xl.workbook.computed import computed_columns
from salesflow_xl.workbook.sheetxml import CellValue

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
        return to_excel(value)
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value  # type: ignore[no-any-return]


def settings_refs() -> dict[str, str]:
    """Setting name → its value cell on the Settings sheet ("B3" …)."""
    return {s.name: f"B{row}" for row, s in enumerate(schema.SETTINGS, start=3)}


def core_values(
    data: SalesData,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    first_rows: Mapping[str, int] | None = None,
) -> dict[str, dict[str, CellValue]]:
    """Sheet → cell → the value its formula must have, for every formula cell.

    Tables are where the schema puts them (header in row 1 from column A) unless ``columns``
    (sheet → header → column letter) and ``first_rows`` (sheet → first data row) say otherwise.
    A frame read from a workbook knows the Excel row of each record (``attrs["excel_rows"]``).
    """
    result: dict[str, dict[str, CellValue]] = {}
    for spec in schema.all_tables():
        frame = computed_columns(data, spec)
        default = {c.header: get_column_letter(i) for i, c in enumerate(spec.columns, start=1)}
        letters = (columns or {}).get(spec.sheet, default)
        first = (first_rows or {}).get(spec.sheet, 2)
        source = data.table(spec.key) if spec.key in schema.TABLES else None
        rows = source.attrs.get("excel_rows") if source is not None else None
        if rows is None or len(rows) != len(frame):
            rows = range(first, first + len(frame))
        cells: dict[str, CellValue] = {}
        for column in spec.computed:
            letter = letters[column.header]
            for row, value in zip(rows, frame[column.header].tolist(), strict=True):
                cells[f"{letter}{row}"] = cell_value(value)
        result[spec.sheet] = cells
    report = build_report(data)
    result[schema.ANALYTICS_SHEET] = {
        ref: cell_value(value) for ref, value in analytics.expected_cells(data, report).items()
    }
    board = {f.cell: cell_value(f.expected(report)) for f in dashboard.layout(data).figures()}
    board[AS_OF_CELL] = cell_value(data.settings.as_of)
    result[schema.DASHBOARD_SHEET] = board
    result[schema.SETTINGS_SHEET] = {
        settings_refs()["MonthlyDiscountRate"]: monthly_rate(data.settings.annual_discount_rate)
    }
    return result
