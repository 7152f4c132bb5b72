"""Build the SalesFlow workbook from the schema with openpyxl: Excel tables, formats, drop-downs,
conditional formatting, named settings, native computed columns and the Dashboard with charts.

The build is deterministic: the same data gives the same bytes (fixed document dates and zip
timestamps), so the committed templates can be checked against the builder.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table, TableColumn, TableFormula, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from salesflow_xl.core.clv.predictions import customer_predictions
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.model import Settings
from salesflow_xl.ooxml.package import Package
from salesflow_xl.ooxml.reproducible import FIXED_TIME, normalise_zip
from salesflow_xl.ooxml.sheetxml import CellValue, set_cached_values
from salesflow_xl.workbook import analytics, dashboard, schema
from salesflow_xl.workbook.cached import AS_OF_CELL, core_values, settings_refs
from salesflow_xl.workbook.schema import Column, TableSpec

LAST_ROW = 1_048_576
TABLE_STYLE = "TableStyleMedium2"
COMPUTED_HEADER = PatternFill("solid", fgColor="FCE4D6")
COMPUTED_FONT = Font(bold=True, color="833C0B")
PREDICTION_HEADER = PatternFill("solid", fgColor="E2EFDA")
PREDICTION_FONT = Font(bold=True, color="375623")
TITLE_FONT = Font(bold=True, size=16, color="1F4E78")
BLOCK_FONT = Font(bold=True, size=12, color="1F4E78")
LABEL_FONT = Font(bold=True, color="595959")
KPI_FONT = Font(bold=True, size=14)
ROTTING_FILL = PatternFill("solid", fgColor="FCE4D6", bgColor="FCE4D6")
OVERDUE_FILL = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
OVERDUE_FONT = Font(color="9C0006", bold=True)


def build(data: SalesData) -> Workbook:
    """The complete workbook for ``data`` (use an empty :class:`SalesData` for a blank one)."""
    wb = Workbook()
    wb.properties.creator = "SalesFlow XL"
    wb.properties.title = "SalesFlow"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    dash = wb.active
    dash.title = schema.DASHBOARD_SHEET
    funnel_length = len(data.pipeline.funnel)

    predictions = customer_predictions(data.customers, data.orders, data.settings)
    for spec in schema.TABLES.values():
        extra = predictions if spec.key == "customers" else None
        _table_sheet(wb, spec, data.table(spec.key), funnel_length, extra)
    _analytics(wb, data)
    _table_sheet(wb, schema.STAGES, _stages_frame(data), funnel_length)
    _lists_sheet(wb, data)
    _settings_sheet(wb, data)
    _xlwings_sheet(wb)
    _validation(wb)
    _conditional_formatting(wb)
    _dashboard(dash, data)
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
        content = package.to_bytes()
    return normalise_zip(content)


# -- data tables -------------------------------------------------------------------------------


def _stages_frame(data: SalesData) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": [s.name for s in data.pipeline.stages],
            "probability": [s.probability for s in data.pipeline.stages],
            "rotting_days": [s.rotting_days for s in data.pipeline.stages],
            "outcome": [s.outcome for s in data.pipeline.stages],
        }
    )


def _cell_value(value: Any, column: Column) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime() if column.kind == "timestamp" else value.date()
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def _table_sheet(
    wb: Workbook,
    spec: TableSpec,
    frame: pd.DataFrame,
    funnel_length: int,
    predictions: pd.DataFrame | None = None,
) -> None:
    ws = wb.create_sheet(spec.sheet)
    ws.sheet_properties.tabColor = spec.tab_color
    ws.append([c.header for c in spec.columns])
    formulas = {
        c.header: schema.formula_of(spec, c, funnel_length) for c in spec.columns if c.computed
    }
    fields = [c.field for c in spec.columns]
    inputs = frame[[f for f in fields if f is not None and f in frame.columns]]
    if predictions is not None and len(frame):
        inputs = inputs.join(predictions)
    rows: Iterable[dict[str, Any]] = inputs.to_dict(orient="records") if len(frame) else [{}]
    for number, record in enumerate(rows, start=2):
        values = [
            formulas[c.header]
            if c.computed
            else _cell_value(record.get(c.field or c.prediction or ""), c)
            for c in spec.columns
        ]
        ws.append(values)
        for index, (value, column) in enumerate(zip(values, spec.columns, strict=True), 1):
            # openpyxl takes any text starting with "=" for a formula: data stays data
            if not column.computed and isinstance(value, str) and value[:1] == "=":
                ws.cell(row=number, column=index).data_type = "s"
    last_row = max(2, len(frame) + 1)
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        if column.kind != "text":
            for (cell,) in ws.iter_rows(min_row=2, max_row=last_row, min_col=index, max_col=index):
                cell.number_format = column.number_format
        header = ws.cell(row=1, column=index)
        if column.computed:
            header.fill = COMPUTED_HEADER
            header.font = COMPUTED_FONT
        elif column.prediction is not None:
            header.fill = PREDICTION_HEADER
            header.font = PREDICTION_FONT
        note = (
            column.note
            + ("\n" if column.note else "")
            + ("Computed by formula: do not type here." if column.computed else "")
        )
        if note.strip():
            header.comment = Comment(note.strip(), "SalesFlow", width=260, height=90)
    ref = f"A1:{get_column_letter(len(spec.columns))}{last_row}"
    table = Table(displayName=spec.name, ref=ref, autoFilter=AutoFilter(ref=ref))
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    for index, column in enumerate(spec.columns, start=1):
        table_column = TableColumn(id=index, name=column.header)
        if column.computed:
            table_column.calculatedColumnFormula = TableFormula(
                attr_text=formulas[column.header].removeprefix("=")
            )
        table.tableColumns.append(table_column)
    ws.add_table(table)
    ws.freeze_panes = "B2" if spec.key in ("deals", "customers") else "A2"


def _analytics(wb: Workbook, data: SalesData) -> None:
    ws = wb.create_sheet(analytics.SHEET)
    ws.sheet_properties.tabColor = "1F4E78"
    _landscape(ws)
    ws["A1"] = "SalesFlow functions"
    ws["A1"].font = TITLE_FONT
    ws["A2"] = (
        "Column B uses SalesFlow's Excel functions (Windows Excel with the UDFs imported by "
        "xlwings; LibreOffice via salesflow recalc); column C computes the same natively."
    )
    for column, header in zip(
        "ABCD", ("Figure", "SalesFlow function", "Native formula", "Function used"), strict=True
    ):
        cell = ws[f"{column}3"]
        cell.value = header
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
    plan = analytics.layout(data)
    for row, title in plan.section_titles:
        ws[f"A{row}"] = title
        ws[f"A{row}"].font = BLOCK_FONT
    for row, comparison in plan.rows:
        ws[f"A{row}"] = comparison.label
        ws[f"B{row}"] = comparison.function
        ws[f"C{row}"] = comparison.native
        ws[f"D{row}"] = comparison.function.removeprefix("=")
        for column in "BC":
            ws[f"{column}{row}"].number_format = schema.NUMBER_FORMATS[comparison.kind]
    for block in plan.blocks:
        top_left = block.ref.split(":")[0]
        title_row = int(top_left.lstrip("ABCDEFGHIJ")) - 1
        ws[f"{top_left[0]}{title_row}"] = block.title
        ws[f"{top_left[0]}{title_row}"].font = LABEL_FONT
        ws[top_left] = ArrayFormula(block.ref, block.formula)
        for cells in ws[block.ref]:
            for cell, kind in zip(cells, block.kinds, strict=True):
                cell.number_format = schema.NUMBER_FORMATS[kind]
    ws.column_dimensions["A"].width = 44
    for column in "BCEFGHIJ":
        ws.column_dimensions[column].width = 16
    ws.column_dimensions["D"].width = 40


def _xlwings_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(schema.XLWINGS_SHEET)
    ws.sheet_properties.tabColor = "7F7F7F"
    for row, (key, value) in enumerate(schema.XLWINGS_SETTINGS, start=1):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=value)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 20


def _lists_sheet(wb: Workbook, data: SalesData) -> None:
    ws = wb.create_sheet(schema.LISTS_SHEET)
    ws.sheet_properties.tabColor = "7F7F7F"
    for offset, spec in enumerate(schema.LISTS.values()):
        column = 1 + 2 * offset
        letter = get_column_letter(column)
        values = getattr(data.lists, spec.key) or ("",)
        ws.cell(row=1, column=column, value=spec.header)
        for row, value in enumerate(values, start=2):
            ws.cell(row=row, column=column, value=value)
        table = Table(displayName=spec.table, ref=f"{letter}1:{letter}{len(values) + 1}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        ws.add_table(table)
        ws.column_dimensions[letter].width = 22
        _define(wb, spec.name, f"{spec.table}[{spec.header}]")
    for name, (table_name, header, list_name) in schema.TABLE_CHOICES.items():
        assert name
        _define(wb, list_name, f"{table_name}[{header}]")


def _settings_sheet(wb: Workbook, data: SalesData) -> None:
    ws = wb.create_sheet(schema.SETTINGS_SHEET)
    ws.sheet_properties.tabColor = "7F7F7F"
    ws["A1"] = "SalesFlow settings"
    ws["A1"].font = TITLE_FONT
    ws.column_dimensions["A"].width = 38
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 70
    refs = settings_refs()
    for setting in schema.SETTINGS:
        row = int(refs[setting.name][1:])
        ws.cell(row=row, column=1, value=setting.label).font = LABEL_FONT
        value: Any = setting.formula
        if setting.field is not None:
            value = getattr(data.settings, setting.field)
        cell = ws.cell(row=row, column=2, value=value)
        cell.number_format = schema.NUMBER_FORMATS[setting.kind]
        if setting.formula:
            cell.fill = COMPUTED_HEADER
        ws.cell(row=row, column=3, value=setting.note).alignment = Alignment(wrap_text=True)
        _define(wb, setting.name, f"'{schema.SETTINGS_SHEET}'!$B${row}")


def _define(wb: Workbook, name: str, target: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=target)


def _validation(wb: Workbook) -> None:
    for spec in schema.all_tables():
        ws = wb[spec.sheet]
        for index, column in enumerate(spec.columns, start=1):
            if column.computed or column.prediction is not None:
                continue
            letter = get_column_letter(index)
            rule = _rule(column)
            if rule is None:
                continue
            rule.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(rule)


def _rule(column: Column) -> DataValidation | None:
    title = column.header
    if column.choices in schema.LISTS:
        source = schema.LISTS[column.choices].name
    elif column.choices in schema.TABLE_CHOICES:
        source = schema.TABLE_CHOICES[column.choices][2]
    else:
        source = None
    if source is not None:
        return DataValidation(
            type="list",
            formula1=f"={source}",
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle=title,
            error=f"Choose a {title.lower()} from the list (edit the list on the "
            f"{'Lists' if column.choices in schema.LISTS else 'its own'} sheet).",
        )
    if column.kind in ("money", "number", "integer"):
        return DataValidation(
            type="whole" if column.kind == "integer" else "decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle=title,
            error=f"{title} must be a number ≥ 0.",
        )
    if column.kind == "percent":
        return DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="1",
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle=title,
            error=f"{title} must be a percentage from 0 % to 100 %.",
        )
    if column.kind in ("date", "timestamp"):
        return DataValidation(
            type="date",
            operator="greaterThan",
            formula1="1",
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle=title,
            error=f"{title} must be a date.",
        )
    return None


def _letter(spec: TableSpec, header: str) -> str:
    return get_column_letter([c.header for c in spec.columns].index(header) + 1)


def _conditional_formatting(wb: Workbook) -> None:
    deals = schema.DEALS
    ws = wb[deals.sheet]
    last = get_column_letter(len(deals.columns))
    status, follow_up, rotting = (
        _letter(deals, "Status"),
        _letter(deals, "Next follow-up"),
        _letter(deals, "Rotting"),
    )
    ws.conditional_formatting.add(
        f"A2:{last}{LAST_ROW}", FormulaRule(formula=[f'${rotting}2="Rotting"'], fill=ROTTING_FILL)
    )
    ws.conditional_formatting.add(
        f"{follow_up}2:{follow_up}{LAST_ROW}",
        FormulaRule(
            formula=[f'AND(${status}2="open",${follow_up}2<>"",${follow_up}2<=AsOf)'],
            fill=OVERDUE_FILL,
            font=OVERDUE_FONT,
        ),
    )
    activities = schema.ACTIVITIES
    ws = wb[activities.sheet]
    overdue = _letter(activities, "Days overdue")
    ws.conditional_formatting.add(
        f"A2:{get_column_letter(len(activities.columns))}{LAST_ROW}",
        FormulaRule(formula=[f'${overdue}2<>""'], fill=OVERDUE_FILL),
    )


# -- dashboard ---------------------------------------------------------------------------------


def _dashboard(ws: Worksheet, data: SalesData) -> None:
    ws.sheet_properties.tabColor = "1F4E78"
    ws.sheet_view.showGridLines = False
    _landscape(ws)
    layout = dashboard.layout(data)
    ws["A1"] = "SalesFlow dashboard"
    ws["A1"].font = TITLE_FONT
    ws["A2"] = "As of"
    ws["A2"].font = LABEL_FONT
    ws[AS_OF_CELL] = "=AsOf"
    ws[AS_OF_CELL].number_format = "yyyy-mm-dd"
    for column in range(1, 18):
        ws.column_dimensions[get_column_letter(column)].width = 14
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["K"].width = 20
    ws.column_dimensions["J"].width = 4
    ws.column_dimensions[dashboard.SPACER_COLUMN].hidden = True
    for label, figure in layout.kpis:
        column = figure.cell.rstrip("0123456789")
        ws[f"{column}{dashboard.KPI_LABEL_ROW}"] = label
        ws[f"{column}{dashboard.KPI_LABEL_ROW}"].font = LABEL_FONT
        ws[f"{column}{dashboard.KPI_LABEL_ROW}"].alignment = Alignment(wrap_text=True)
        _figure(ws, figure).font = KPI_FONT
    for block in layout.blocks.values():
        row, column = block.anchor
        ws.cell(row=row, column=column, value=block.title).font = BLOCK_FONT
        for offset, header in enumerate(block.headers):
            cell = ws.cell(row=row + 1, column=column + offset, value=header)
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="1F4E78")
            cell.alignment = Alignment(wrap_text=True, horizontal="center")
        for figures in block.rows:
            for figure in figures:
                _figure(ws, figure)
    _charts(ws, layout, data)


def _landscape(ws: Worksheet) -> None:
    """Print (and render) the sheet landscape, one page wide."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _figure(ws: Worksheet, figure: dashboard.Figure) -> Any:
    cell = ws[figure.cell]
    cell.value = figure.formula
    cell.number_format = "#,##0" if figure.kind == "money" else schema.NUMBER_FORMATS[figure.kind]
    return cell


def _charts(ws: Worksheet, layout: dashboard.Layout, data: SalesData) -> None:
    top, bottom = layout.funnel_rows
    anchor_row = layout.campaign_rows[1] + 3 if len(data.campaigns) else bottom + 8

    funnel = BarChart()
    funnel.type = "bar"
    funnel.grouping = "stacked"
    funnel.overlap = 100
    funnel.gapWidth = 30
    funnel.title = "Sales funnel: deals that reached each stage"
    spacer_column = column_index_from_string(dashboard.SPACER_COLUMN)
    funnel.add_data(
        Reference(ws, min_col=spacer_column, min_row=top, max_row=bottom), titles_from_data=False
    )
    funnel.add_data(Reference(ws, min_col=5, min_row=top, max_row=bottom), titles_from_data=False)
    funnel.set_categories(Reference(ws, min_col=1, min_row=top, max_row=bottom))
    spacer, reached = funnel.series
    spacer.graphicalProperties = GraphicalProperties(noFill=True)
    spacer.graphicalProperties.line.noFill = True
    reached.graphicalProperties = GraphicalProperties(solidFill="2E75B6")
    reached.dLbls = DataLabelList(
        showVal=True, showCatName=False, showSerName=False, showLegendKey=False, showPercent=False
    )
    funnel.x_axis.scaling.orientation = "maxMin"
    funnel.x_axis.delete = False
    funnel.y_axis.delete = True
    funnel.y_axis.majorGridlines = None
    funnel.legend = None
    funnel.visible_cells_only = False  # the spacer column is hidden
    funnel.height, funnel.width = 8, 16
    ws.add_chart(funnel, f"A{anchor_row}")

    first_open, last_open = layout.open_rows
    value = BarChart()
    value.type = "col"
    value.title = "Open pipeline value per stage"
    value.add_data(
        Reference(ws, min_col=3, max_col=4, min_row=first_open - 1, max_row=last_open),
        titles_from_data=True,
    )
    value.set_categories(Reference(ws, min_col=1, min_row=first_open, max_row=last_open))
    value.y_axis.title = "Value"
    value.y_axis.delete = False
    value.x_axis.delete = False
    value.height, value.width = 8, 16
    ws.add_chart(value, f"H{anchor_row}")

    if len(data.campaigns):
        c_first, c_last = layout.campaign_rows
        roi = BarChart()
        roi.type = "bar"
        roi.title = "ROI per campaign"
        roi.add_data(
            Reference(ws, min_col=5, min_row=c_first, max_row=c_last), titles_from_data=False
        )
        roi.set_categories(Reference(ws, min_col=1, min_row=c_first, max_row=c_last))
        roi.series[0].graphicalProperties = GraphicalProperties(solidFill="7030A0")
        roi.x_axis.scaling.orientation = "maxMin"
        roi.x_axis.delete = False
        roi.y_axis.delete = False
        roi.y_axis.number_format = "0%"
        roi.legend = None
        roi.height, roi.width = 8, 16
        ws.add_chart(roi, f"A{anchor_row + 17}")


def blank(as_of: date) -> SalesData:
    """Empty data with the default pipeline and lists."""
    return SalesData.from_records(Settings(as_of=as_of), {})
