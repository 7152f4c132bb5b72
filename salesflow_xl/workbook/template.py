"""Build the SalesFlow workbook from the schema with openpyxl: Excel tables, formats, drop-downs,
conditional formatting, named settings, native computed columns and the Dashboard with charts.
Layer: the SalesFlow workbook (imports ``salesflow_xl.core``, ``salesflow_xl.ooxml`` and
``salesflow_xl.workbook`` only, with openpyxl).

This module puts the sheets together in order; :mod:`~salesflow_xl.workbook.template_tables`
writes the Excel tables, :mod:`~salesflow_xl.workbook.template_sheets` the Analytics, Lists,
Settings and xlwings sheets, and :mod:`~salesflow_xl.workbook.template_dashboard` the Dashboard.

The build is deterministic: the same data gives the same bytes (fixed document dates and zip
timestamps), so the committed templates can be checked against the builder.
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

from salesflow_xl.core.clv.predictions import customer_predictions
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.model import Settings
from salesflow_xl.ooxml.package import Package
from salesflow_xl.ooxml.reproducible import FIXED_TIME, normalise_zip
from salesflow_xl.ooxml.sheetxml import CellValue, set_cached_values
from salesflow_xl.workbook import calculation, schema
from salesflow_xl.workbook.cached import core_values
from salesflow_xl.workbook.computed import derived_columns
from salesflow_xl.workbook.template_dashboard import dashboard_sheet
from salesflow_xl.workbook.template_sheets import (
    analytics_sheet,
    lists_sheet,
    settings_sheet,
    xlwings_sheet,
)
from salesflow_xl.workbook.template_tables import (
    conditional_formatting,
    stages_frame,
    table_sheet,
    validation,
)

#: Kept for callers of the former private name.
_stages_frame = stages_frame


def build(data: SalesData) -> Workbook:
    """The complete workbook for ``data`` (use an empty :class:`SalesData` for a blank one)."""
    wb = Workbook()
    wb.properties.creator = "SalesFlow XL"
    wb.properties.title = "SalesFlow"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    dash = wb.active
    dash.title = schema.DASHBOARD_SHEET

    predictions = customer_predictions(data.customers, data.orders, data.settings)
    for spec in schema.TABLES.values():
        extra = derived_columns(data, spec)
        if spec.key == "customers":
            extra = extra.join(predictions)
        table_sheet(wb, spec, data.table(spec.key), extra)
    analytics_sheet(wb, data)
    table_sheet(wb, schema.STAGES, stages_frame(data))
    lists_sheet(wb, data)
    settings_sheet(wb, data)
    xlwings_sheet(wb)
    validation(wb)
    conditional_formatting(wb)
    dashboard_sheet(dash, data)
    return wb


def render(data: SalesData) -> bytes:
    """The finished workbook file for ``data``: built, with every formula cell's cached value
    set to the core's figure, reproducible to the byte."""
    return to_bytes(build(data), core_values(data))


def to_bytes(wb: Workbook, cached: dict[str, dict[str, CellValue]] | None = None) -> bytes:
    """The workbook as .xlsx bytes, reproducible: fixed zip timestamps and the document's
    "modified" date equal to its "created" date (openpyxl stamps the save time). ``cached``
    (sheet → cell → value) become the formula cells' cached values."""
    raw = io.BytesIO()
    wb.save(raw)
    content = raw.getvalue()
    if cached:
        package = Package.from_bytes(content)
        for sheet, part in package.sheet_parts().items():
            if cached.get(sheet):
                package.replace(part, set_cached_values(package.read(part), cached[sheet]))
        calculation.settle(package)  # every value is stored: no full recalculation on load
        content = package.to_bytes()
    return normalise_zip(content)


def blank(today: date) -> SalesData:
    """Empty data with the default pipeline and lists, following the calendar: its as-of date
    is left blank (figures as of today), ``today`` gives the cached values."""
    return SalesData.from_records(Settings(as_of=today, as_of_pinned=False), {})
