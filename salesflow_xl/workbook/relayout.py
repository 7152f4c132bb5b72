"""Laying the Dashboard and Analytics out anew for the workbook's current data.

Their rows follow the lists they show — a row and chart series per stage, campaign, channel and
segment — so once one of those is added or removed (by a SalesFlow command or by hand) the two
sheets are built again by the template's own builders
(:func:`~salesflow_xl.workbook.template_dashboard.dashboard_sheet`,
:func:`~salesflow_xl.workbook.template_sheets.analytics_sheet`) in a scratch workbook holding
only them, and transplanted into the user's package with the Dashboard's drawing and charts
(:mod:`salesflow_xl.ooxml.transplant`). The user's view of each sheet (selected cell, zoom) is
kept; every other part of the workbook stays byte for byte.

A workbook open in Excel cannot be re-laid out part by part; :func:`layout_differences` tells
from the cells Excel shows whether its Dashboard and Analytics are laid out for the data.

Layer: the SalesFlow workbook (imports ``salesflow_xl.core``, ``salesflow_xl.ooxml`` and
``salesflow_xl.workbook`` only, with openpyxl).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.forecast import dashboard_forecast
from salesflow_xl.ooxml import sheetxml
from salesflow_xl.ooxml.package import Package
from salesflow_xl.ooxml.refs import cell_position, column_index, column_letter
from salesflow_xl.ooxml.transplant import TransplantError, transplant_sheets
from salesflow_xl.workbook import analytics, dashboard, schema
from salesflow_xl.workbook.editor import EditError, Editor

if TYPE_CHECKING:
    from salesflow_xl.core.forecast.revenue import Forecast


def sheets() -> tuple[str, ...]:
    """The sheets a re-layout rebuilds, in the template's order, named in the language in
    effect."""
    return (schema.DASHBOARD_SHEET, schema.ANALYTICS_SHEET)


def __getattr__(name: str) -> object:
    """``relayout.SHEETS``: :func:`sheets`, looked up when read."""
    if name == "SHEETS":
        return sheets()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def layout_workbook(data: SalesData, forecast: Forecast | None) -> bytes:
    """The Dashboard and Analytics for ``data``, built as the template builds them, alone in a
    workbook, the Dashboard showing ``forecast``. Their formulas name tables, columns, defined
    names and the Dashboard as text, and the charts name the Dashboard, so nothing in them
    depends on the sheets left out."""
    # imported here: openpyxl costs an action that does not re-lay out a tenth of a second
    from openpyxl import Workbook

    from salesflow_xl.workbook.template_dashboard import dashboard_sheet
    from salesflow_xl.workbook.template_sheets import analytics_sheet

    wb = Workbook()
    board = wb.active
    board.title = schema.DASHBOARD_SHEET
    analytics_sheet(wb, data)
    dashboard_sheet(board, data, forecast)
    raw = io.BytesIO()
    wb.save(raw)
    return raw.getvalue()


def relayout(editor: Editor, data: SalesData, forecast: Forecast | None = None) -> None:
    """Replace the Dashboard and Analytics of ``editor``'s workbook (those it has) with sheets
    laid out for ``data``, the Dashboard with its drawing and charts and showing ``forecast``
    (None: made anew for ``data``, :func:`~salesflow_xl.core.forecast.dashboard_forecast`).
    The new sheets carry no cached values:
    :meth:`~salesflow_xl.workbook.editor.Editor.refresh_cached_values` writes them next, every
    one (the reader does not read these sheets, so none is taken as stored)."""
    present = [sheet for sheet in sheets() if sheet in editor.sheets]
    if not present:
        return
    if forecast is None and schema.DASHBOARD_SHEET in present:
        forecast = dashboard_forecast(data)
    donor = Package.from_bytes(layout_workbook(data, forecast), "the new layout")
    try:
        transplant_sheets(editor.package, donor, present)
    except TransplantError as error:
        raise EditError(f"the Dashboard cannot be laid out anew: {error}") from error


def laid_out_for(editor: Editor, data: SalesData) -> bool:
    """Whether the Dashboard and Analytics stored in ``editor``'s workbook are laid out for
    ``data`` (:func:`layout_differences` on their stored values). An action whose data no
    longer fits them (a campaign or stage added by hand in Excel) re-lays them out, so that no
    figure is written into a cell laid out for another."""
    values = {
        sheet: stored_values(editor.package, editor.sheets[sheet])
        for sheet in sheets()
        if sheet in editor.sheets
    }
    return not layout_differences(values, data)


def stored_values(package: Package, part: str) -> list[list[Any]]:
    """A sheet's stored cell values from A1, row 1 first (blank: None; a cell that cannot be
    read counts as blank)."""
    strings = package.shared_strings()
    grid: list[list[Any]] = []
    for number, row_xml in sheetxml.rows(package.read(part)).items():
        while len(grid) < number:
            grid.append([])
        line = grid[number - 1]
        for ref, cell in sheetxml.cells(row_xml).items():
            match = sheetxml.CELL.match(cell)
            if match is None:
                continue
            try:
                value = sheetxml.stored_value(
                    match.group("attrs"), match.group("body") or b"", strings
                )
            except sheetxml.SheetXmlError:
                value = None
            column = column_index(cell_position(ref)[0])
            line.extend([None] * (column - len(line)))
            line[column - 1] = value
    return grid


# -- is what a spreadsheet shows laid out for the data? -------------------------------------

#: A cell that is not as the layout has it: row, column, what it shows instead.
Difference = tuple[int, int, str]


def layout_differences(values: Mapping[str, Sequence[Sequence[Any]]], data: SalesData) -> list[str]:
    """Where the Dashboard and Analytics as shown (``values``: sheet → its cell values from A1,
    row 1 first; a sheet left out is not checked) are not laid out for ``data``, sheet by
    sheet, top to bottom: a title, column header or KPI label not where the layout puts it, a
    row of a stage, campaign, channel or segment that is blank, or a row below a block that
    should be blank ("Dashboard!A14 is blank where the layout has a row"). Empty when they are
    laid out for ``data``. Names themselves are not compared: their cells look them up in the
    tables, so a renamed campaign needs no new layout."""
    found: list[tuple[int, int, int, str]] = []
    names = sheets()
    for order, sheet in enumerate(names):
        if sheet in values:
            check = _dashboard_differences if sheet == schema.DASHBOARD_SHEET else _analytics
            found += [(order, *difference) for difference in check(values[sheet], data)]
    return [
        f"{names[order]}!{_ref(row, column)} {what}" for order, row, column, what in sorted(found)
    ]


def _dashboard_differences(values: Sequence[Sequence[Any]], data: SalesData) -> list[Difference]:
    plan = dashboard.layout(data)
    texts: dict[tuple[int, int], str] = {}
    for label, figure in plan.kpis:
        texts[(dashboard.KPI_LABEL_ROW, _position(figure.cell)[1])] = label
    names, below = [], []
    for titled in (*plan.blocks.values(), plan.forecast):  # the forecast: values, no figures
        row, column = titled.anchor
        texts[(row, column)] = titled.title
        for offset, header in enumerate(titled.headers):
            texts[(row + 1, column + offset)] = header
    for block in plan.blocks.values():
        row, column = block.anchor
        names += [_position(figures[0].cell) for figures in block.rows]
        below.append((row + 2 + len(block.rows), column))
    found = _text_differences(values, texts)
    found += [
        (*cell, "is blank where the layout has a row")
        for cell in names
        if _blank(_shown(values, *cell))
    ]
    found += [
        (*cell, f"shows {_shown(values, *cell)!r} below the last row")
        for cell in below
        if cell not in texts and not _blank(_shown(values, *cell))
    ]
    return found


def _analytics(values: Sequence[Sequence[Any]], data: SalesData) -> list[Difference]:
    plan = analytics.layout(data)
    texts = {(row, 1): title for row, title in plan.section_titles}
    for block in plan.blocks:
        row, column = _position(block.ref.split(":")[0])
        texts[(row - 1, column)] = block.title
    return _text_differences(values, texts)


def _text_differences(
    values: Sequence[Sequence[Any]], texts: Mapping[tuple[int, int], str]
) -> list[Difference]:
    return [
        (row, column, f"shows {_shown(values, row, column)!r}, not {text!r}")
        for (row, column), text in texts.items()
        if _shown(values, row, column) != text
    ]


def _shown(values: Sequence[Sequence[Any]], row: int, column: int) -> Any:
    if row - 1 >= len(values) or column - 1 >= len(values[row - 1]):
        return None
    value = values[row - 1][column - 1]
    return value.strip() if isinstance(value, str) else value


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _position(ref: str) -> tuple[int, int]:
    """ "K9" → (9, 11)."""
    letters, row = cell_position(ref)
    return row, column_index(letters)


def _ref(row: int, column: int) -> str:
    return f"{column_letter(column)}{row}"
