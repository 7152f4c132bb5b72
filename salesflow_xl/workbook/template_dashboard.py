"""Writing the Dashboard sheet: the KPI row and blocks that :mod:`salesflow_xl.workbook.dashboard`
lays out, and its three charts (the funnel, open pipeline value per stage, ROI per campaign),
every text in the language in effect (:func:`~salesflow_xl.core.i18n.workbook_name`).
Layer: the SalesFlow workbook (imports ``salesflow_xl.core``, ``salesflow_xl.ooxml`` and
``salesflow_xl.workbook`` only, with openpyxl).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Alignment
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.i18n import W_, workbook_name
from salesflow_xl.ooxml.refs import cell_position
from salesflow_xl.workbook import dashboard, schema
from salesflow_xl.workbook.cached import AS_OF_CELL
from salesflow_xl.workbook.template_style import (
    BLOCK_FONT,
    HEADER_FILL,
    HEADER_FONT,
    KPI_FONT,
    LABEL_FONT,
    NOTE_FONT,
    TITLE_FONT,
    landscape,
)

if TYPE_CHECKING:
    from salesflow_xl.core.forecast.revenue import Forecast


def dashboard_sheet(ws: Worksheet, data: SalesData, forecast: Forecast | None) -> None:
    """Fill sheet ``ws`` with the Dashboard for ``data``, showing ``forecast`` (None: no
    forecast yet)."""
    ws.sheet_properties.tabColor = "1F4E78"
    ws.sheet_view.showGridLines = False
    landscape(ws)
    layout = dashboard.layout(data)
    ws["A1"] = workbook_name(W_("SalesFlow dashboard"))
    ws["A1"].font = TITLE_FONT
    ws["A2"] = workbook_name(W_("As of"))
    ws["A2"].font = LABEL_FONT
    ws[AS_OF_CELL] = f"={schema.AS_OF}"
    ws[AS_OF_CELL].number_format = "yyyy-mm-dd"
    for column in range(1, 18):
        ws.column_dimensions[get_column_letter(column)].width = 14
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["K"].width = 20
    ws.column_dimensions["J"].width = 4
    ws.column_dimensions[dashboard.SPACER_COLUMN].hidden = True
    for label, figure in layout.kpis:
        column, _ = cell_position(figure.cell)
        ws[f"{column}{dashboard.KPI_LABEL_ROW}"] = label
        ws[f"{column}{dashboard.KPI_LABEL_ROW}"].font = LABEL_FONT
        ws[f"{column}{dashboard.KPI_LABEL_ROW}"].alignment = Alignment(wrap_text=True)
        _figure(ws, figure, data.settings.currency).font = KPI_FONT
    for block in layout.blocks.values():
        row, column = block.anchor
        ws.cell(row=row, column=column, value=block.title).font = BLOCK_FONT
        _headers(ws, row + 1, column, block.headers)
        for figures in block.rows:
            for figure in figures:
                _figure(ws, figure, data.settings.currency)
    _forecast(ws, layout.forecast, forecast, data.settings.currency)
    _charts(ws, layout, data)


def _headers(ws: Worksheet, row: int, column: int, headers: Sequence[str]) -> None:
    for offset, header in enumerate(headers):
        cell = ws.cell(row=row, column=column + offset, value=header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, horizontal="center")


def _forecast(
    ws: Worksheet, block: dashboard.ForecastBlock, forecast: Forecast | None, currency: str
) -> None:
    """The forecast's title, headers, months (formatted by their kind) and note."""
    row, column = block.anchor
    ws.cell(row=row, column=column, value=block.title).font = BLOCK_FONT
    _headers(ws, row + 1, column, block.headers)
    *months, note = block.rows(forecast)
    for r, values in enumerate(months, start=block.first_row):
        for offset, (value, kind) in enumerate(zip(values, block.kinds, strict=True)):
            cell = ws.cell(row=r, column=column + offset, value=value)
            cell.number_format = schema.number_format(kind, currency, decimals=0)
    ws.cell(row=block.note_row, column=column, value=note[0]).font = NOTE_FONT


def _figure(ws: Worksheet, figure: dashboard.Figure, currency: str) -> Any:
    cell = ws[figure.cell]
    cell.value = figure.formula
    cell.number_format = schema.number_format(figure.kind, currency, decimals=0)
    return cell


def _charts(ws: Worksheet, layout: dashboard.Layout, data: SalesData) -> None:
    """The charts in a row below the blocks, the ROI chart (with campaigns) under them."""
    anchor_row = layout.bottom() + 3
    ws.add_chart(_funnel_chart(ws, layout), f"A{anchor_row}")
    ws.add_chart(_value_chart(ws, layout), f"H{anchor_row}")
    if len(data.campaigns):
        ws.add_chart(_roi_chart(ws, layout), f"A{anchor_row + 17}")


def _funnel_chart(ws: Worksheet, layout: dashboard.Layout) -> BarChart:
    """Deals that reached each funnel stage, as bars centred by an invisible spacer series."""
    top, bottom = layout.funnel_rows
    funnel = BarChart()
    funnel.type = "bar"
    funnel.grouping = "stacked"
    funnel.overlap = 100
    funnel.gapWidth = 30
    funnel.title = workbook_name(W_("Sales funnel: deals that reached each stage"))
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
    return funnel


def _value_chart(ws: Worksheet, layout: dashboard.Layout) -> BarChart:
    """Value and weighted value of the deals in each open stage."""
    first_open, last_open = layout.open_rows
    value = BarChart()
    value.type = "col"
    value.title = workbook_name(W_("Open pipeline value per stage"))
    value.add_data(
        Reference(ws, min_col=3, max_col=4, min_row=first_open - 1, max_row=last_open),
        titles_from_data=True,
    )
    value.set_categories(Reference(ws, min_col=1, min_row=first_open, max_row=last_open))
    value.y_axis.title = workbook_name(W_("Value"))
    value.y_axis.delete = False
    value.x_axis.delete = False
    value.height, value.width = 8, 16
    return value


def _roi_chart(ws: Worksheet, layout: dashboard.Layout) -> BarChart:
    """Each campaign's ROI."""
    c_first, c_last = layout.campaign_rows
    roi = BarChart()
    roi.type = "bar"
    roi.title = workbook_name(W_("ROI per campaign"))
    roi.add_data(Reference(ws, min_col=5, min_row=c_first, max_row=c_last), titles_from_data=False)
    roi.set_categories(Reference(ws, min_col=1, min_row=c_first, max_row=c_last))
    roi.series[0].graphicalProperties = GraphicalProperties(solidFill="7030A0")
    roi.x_axis.scaling.orientation = "maxMin"
    roi.x_axis.delete = False
    roi.y_axis.delete = False
    roi.y_axis.number_format = "0%"
    roi.legend = None
    roi.height, roi.width = 8, 16
    return roi
