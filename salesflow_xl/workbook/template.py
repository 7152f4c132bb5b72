"""Build the SalesFlow workbook from the schema with openpyxl: Excel tables, formats, drop-downs,
conditional formatting, named settings, native computed columns and the Dashboard with charts.
Layer: the SalesFlow workbook (imports ``salesflow_xl.core``, ``salesflow_xl.ooxml`` and
``salesflow_xl.workbook`` only, with openpyxl).

This module puts the sheets together in order; :mod:`~salesflow_xl.workbook.template_tables`
writes the Excel tables, :mod:`~salesflow_xl.workbook.template_sheets` the Analytics, Lists,
Settings and xlwings sheets, and :mod:`~salesflow_xl.workbook.template_dashboard` the Dashboard.
:func:`render` has openpyxl build the workbook around a sample of each data table's records and
streams their rows into the file (:mod:`~salesflow_xl.workbook.template_stream`), so a large
workbook is never in memory as openpyxl cells.

The build is deterministic: the same data gives the same bytes (fixed document dates and zip
timestamps), so the committed templates can be checked against the builder.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd
from openpyxl import Workbook

from salesflow_xl.core import presets
from salesflow_xl.core.clv.predictions import customer_predictions
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.forecast import dashboard_forecast
from salesflow_xl.core.model import Settings
from salesflow_xl.ooxml.package import Package
from salesflow_xl.ooxml.reproducible import FIXED_TIME, normalise_zip
from salesflow_xl.ooxml.sheetxml import CellValue, set_cached_values
from salesflow_xl.workbook import calculation, schema
from salesflow_xl.workbook import template_tables as tables
from salesflow_xl.workbook.cached import core_values
from salesflow_xl.workbook.computed import derived_columns
from salesflow_xl.workbook.schema import TableSpec
from salesflow_xl.workbook.template_dashboard import dashboard_sheet
from salesflow_xl.workbook.template_sheets import (
    analytics_sheet,
    lists_sheet,
    settings_sheet,
    xlwings_sheet,
)
from salesflow_xl.workbook.template_stream import (
    TableRows,
    cell_styles,
    sample_rows,
    write_package,
)
from salesflow_xl.workbook.template_tables import stages_frame

#: Kept for callers of the former private name.
_stages_frame = stages_frame


def table_records(data: SalesData) -> dict[str, pd.DataFrame]:
    """Data table key → the values its sheet holds
    (:func:`~salesflow_xl.workbook.template_tables.table_records`): the records, the values of
    the derived columns and the model's predictions."""
    predictions = customer_predictions(data.customers, data.orders, data.settings)
    return {
        spec.key: tables.table_records(
            spec, data.table(spec.key), filled_columns(data, spec, predictions)
        )
        for spec in schema.TABLES.values()
    }


def filled_columns(data: SalesData, spec: TableSpec, predictions: pd.DataFrame) -> pd.DataFrame:
    """The values of table ``spec``'s columns SalesFlow fills: derived columns by header and,
    where the table has them, ``predictions`` by model figure; one row per record."""
    derived = derived_columns(data, spec)
    if not spec.predictions:
        return derived
    return derived.join(predictions) if len(derived.columns) else predictions


def build(
    data: SalesData,
    records: Mapping[str, pd.DataFrame] | None = None,
    rows: Mapping[str, Sequence[int]] | None = None,
) -> Workbook:
    """The complete workbook for ``data`` (use an empty :class:`SalesData` for a blank one).

    ``records`` are :func:`table_records` when computed already; ``rows`` (table key →
    positions of its records) writes only those records of those tables, for :func:`render`
    to stream in the rest."""
    records = table_records(data) if records is None else records
    wb = Workbook()
    wb.properties.creator = "SalesFlow XL"
    wb.properties.title = "SalesFlow"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    dash = wb.active
    dash.title = schema.DASHBOARD_SHEET

    for spec in schema.TABLES.values():
        tables.table_sheet(
            wb, spec, records[spec.key], (rows or {}).get(spec.key), data.settings.currency
        )
    analytics_sheet(wb, data)
    tables.table_sheet(wb, schema.STAGES, tables.table_records(schema.STAGES, stages_frame(data)))
    tables.table_sheet(wb, schema.TEMPLATES, tables.templates_frame(data))
    lists_sheet(wb, data)
    settings_sheet(wb, data)
    tables.table_sheet(wb, schema.PRIVACY_LOG, tables.privacy_log_frame())
    xlwings_sheet(wb)
    tables.validation(wb)
    tables.conditional_formatting(wb)
    dashboard_sheet(dash, data, dashboard_forecast(data))
    return wb


def render(data: SalesData) -> bytes:
    """The finished workbook file for ``data``: built, with every formula cell's cached value
    set to the core's figure, reproducible to the byte — the bytes of
    ``to_bytes(build(data), core_values(data))``, made without holding the data tables' cells
    in memory: openpyxl builds the workbook around a sample of each table's records and their
    rows are streamed into the file (:mod:`~salesflow_xl.workbook.template_stream`)."""
    records = table_records(data)
    samples = {spec.key: sample_rows(spec, records[spec.key]) for spec in schema.TABLES.values()}
    wb = build(data, records, samples)
    raw = io.BytesIO()
    wb.save(raw)
    cached = core_values(data)
    streams = {
        spec.sheet: TableRows(
            spec, records[spec.key], cell_styles(wb[spec.sheet], spec), cached[spec.sheet]
        )
        for spec in schema.TABLES.values()
    }
    return write_package(raw.getvalue(), cached, streams)


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


def blank(today: date, kind: str = presets.DEFAULT) -> SalesData:
    """Empty data with the pipeline and lists of preset ``kind`` (b2b: the default ones),
    following the calendar: its as-of date is left blank (figures as of today), ``today``
    gives the cached values."""
    preset = presets.preset(kind)
    return SalesData.from_records(
        Settings(as_of=today, as_of_pinned=False),
        {},
        pipeline=preset.pipeline,
        lists=preset.lists,
    )
