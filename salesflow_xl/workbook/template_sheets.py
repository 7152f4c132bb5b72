"""The template's sheets other than the tables and the Dashboard: Analytics (SalesFlow functions
beside native formulas), Lists (the drop-down values), Settings (the named cells) and
xlwings.conf, their labels in the language in effect (xlwings.conf's key stays as xlwings reads
it). Layer: the SalesFlow workbook (imports ``salesflow_xl.core``,
``salesflow_xl.ooxml`` and ``salesflow_xl.workbook`` only, with openpyxl).
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table, TableStyleInfo

from salesflow_xl.core import i18n
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.i18n import W_, workbook_name
from salesflow_xl.ooxml.refs import cell_position
from salesflow_xl.workbook import analytics, language, schema
from salesflow_xl.workbook.cached import settings_refs
from salesflow_xl.workbook.template_style import (
    BLOCK_FONT,
    COMPUTED_HEADER,
    HEADER_FILL,
    HEADER_FONT,
    LABEL_FONT,
    TITLE_FONT,
    define,
    landscape,
    one_page_wide,
    print_setup,
)


def analytics_sheet(wb: Workbook, data: SalesData) -> None:
    """The Analytics sheet of :mod:`salesflow_xl.workbook.analytics`."""
    currency = data.settings.currency
    ws = wb.create_sheet(analytics.SHEET)
    ws.sheet_properties.tabColor = "1F4E78"
    landscape(ws)
    ws["A1"] = workbook_name(W_("SalesFlow functions"))
    ws["A1"].font = TITLE_FONT
    ws[analytics.BANNER_CELL] = analytics.banner()
    headers = (
        W_("Figure"),
        W_("SalesFlow function"),
        W_("Native formula"),
        W_("Function used"),
    )
    for column, header in zip("ABCD", headers, strict=True):
        cell = ws[f"{column}3"]
        cell.value = workbook_name(header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    plan = analytics.layout(data)
    for row, title in plan.section_titles:
        ws[f"A{row}"] = title
        ws[f"A{row}"].font = BLOCK_FONT
    for row, comparison in plan.rows:
        ws[f"A{row}"] = comparison.label
        ws[f"B{row}"] = analytics.guarded(comparison.function)
        ws[f"C{row}"] = comparison.native
        ws[f"D{row}"] = comparison.function.removeprefix("=")
        for column in "BC":
            ws[f"{column}{row}"].number_format = schema.number_format(comparison.kind, currency)
    for block in plan.blocks:
        top_left = block.ref.split(":")[0]
        title_row = int(top_left.lstrip("ABCDEFGHIJ")) - 1
        ws[f"{top_left[0]}{title_row}"] = block.title
        ws[f"{top_left[0]}{title_row}"].font = LABEL_FONT
        ws[top_left] = ArrayFormula(block.ref, analytics.guarded(block.formula, ""))
        for cells in ws[block.ref]:
            for cell, kind in zip(cells, block.kinds, strict=True):
                cell.number_format = schema.number_format(kind, currency)
    ws.column_dimensions["A"].width = 44
    for column in "BCEFGHIJ":
        ws.column_dimensions[column].width = 16
    ws.column_dimensions["D"].width = 40


def xlwings_sheet(wb: Workbook) -> None:
    """The sheet xlwings reads this workbook's settings from."""
    ws = wb.create_sheet(schema.XLWINGS_SHEET)
    ws.sheet_properties.tabColor = "7F7F7F"
    one_page_wide(ws, landscape=False)
    for row, (key, value) in enumerate(schema.XLWINGS_SETTINGS, start=1):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=value)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 20


def lists_sheet(wb: Workbook, data: SalesData) -> None:
    """One small table per drop-down list, each named for data validation."""
    ws = wb.create_sheet(schema.LISTS_SHEET)
    ws.sheet_properties.tabColor = "7F7F7F"
    print_setup(ws, landscape=True)
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
        define(wb, spec.name, spec.ref)
    for choice in schema.TABLE_CHOICES.values():
        define(wb, choice.name, choice.ref)


def settings_sheet(wb: Workbook, data: SalesData) -> None:
    """Labelled settings, each value cell a defined name."""
    ws = wb.create_sheet(schema.SETTINGS_SHEET)
    ws.sheet_properties.tabColor = "7F7F7F"
    landscape(ws)
    ws["A1"] = workbook_name(W_("SalesFlow settings"))
    ws["A1"].font = TITLE_FONT
    ws.column_dimensions["A"].width = 38
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 70
    refs = settings_refs()
    for setting in schema.SETTINGS:
        _, row = cell_position(refs[setting.name])
        ws.cell(row=row, column=1, value=setting.label).font = LABEL_FONT
        value: Any = setting.formula
        if setting.field is not None:
            value = schema.stored_setting(data.settings, setting.field)
        cell = ws.cell(row=row, column=2, value=value)
        cell.number_format = schema.NUMBER_FORMATS[setting.kind]
        if setting.formula:
            cell.fill = COMPUTED_HEADER
        note = ws.cell(row=row, column=3, value=workbook_name(setting.note))
        note.alignment = Alignment(wrap_text=True)
        define(wb, setting.name, f"'{schema.SETTINGS_SHEET}'!$B${row}")
    define(wb, language.NAME, language.formula(i18n.workbook_language()), hidden=True)
