"""Writing the workbook's Excel tables: each table's sheet with its rows, formats, header notes and
calculated columns, then the drop-downs and number checks, and the conditional formats that
flag rotting deals and overdue follow-ups. Layer: the SalesFlow workbook (imports
``salesflow_xl.core``, ``salesflow_xl.ooxml`` and ``salesflow_xl.workbook`` only, with openpyxl).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableFormula, TableStyleInfo

from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.limits import looks_like_formula
from salesflow_xl.workbook import schema
from salesflow_xl.workbook.schema import Column, TableSpec
from salesflow_xl.workbook.template_style import (
    COMPUTED_FONT,
    COMPUTED_HEADER,
    DERIVED_FONT,
    DERIVED_HEADER,
    HEADER_ALIGNMENT,
    LAST_ROW,
    OVERDUE_FILL,
    OVERDUE_FONT,
    PREDICTION_FONT,
    PREDICTION_HEADER,
    ROTTING_FILL,
    TABLE_STYLE,
    print_setup,
)


def stages_frame(data: SalesData) -> pd.DataFrame:
    """The pipeline's stages as the Stages table's records."""
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


def table_sheet(
    wb: Workbook, spec: TableSpec, frame: pd.DataFrame, filled: pd.DataFrame | None = None
) -> None:
    """Table ``spec`` on a new sheet: ``frame``'s records (one blank row when empty), the
    computed columns' formulas, formats, header notes, and ``filled`` joined by row: the
    values of the columns SalesFlow fills, predictions by model figure and derived columns by
    header (:func:`~salesflow_xl.workbook.computed.derived_columns`)."""
    ws = wb.create_sheet(spec.sheet)
    ws.sheet_properties.tabColor = spec.tab_color
    ws.append([c.header for c in spec.columns])
    formulas = {c.header: schema.formula_of(spec, c) for c in spec.columns if c.computed}
    fields = [c.field for c in spec.columns]
    inputs = frame[[f for f in fields if f is not None and f in frame.columns]]
    if filled is not None and len(frame) and len(filled.columns):
        inputs = inputs.join(filled)
    rows: Iterable[dict[str, Any]] = inputs.to_dict(orient="records") if len(frame) else [{}]
    for number, record in enumerate(rows, start=2):
        values = [
            formulas[c.header]
            if c.computed
            else _cell_value(record.get(c.field or c.prediction or c.header), c)
            for c in spec.columns
        ]
        ws.append(values)
        for index, (value, column) in enumerate(zip(values, spec.columns, strict=True), 1):
            # openpyxl takes text starting with "=" for a formula and "#N/A", "#REF!" … for
            # error values: data stays text, quote-prefixed where Excel would read a formula
            quoted = looks_like_formula(value)
            if not column.computed and (quoted or (isinstance(value, str) and value[:1] == "#")):
                cell = ws.cell(row=number, column=index)
                cell.data_type = "s"
                cell.quotePrefix = quoted
    last_row = max(2, len(frame) + 1)
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        texts = inputs[column.field] if column.field in inputs.columns else None
        ws.column_dimensions[letter].width = column_width(column, texts)
        if column.kind != "text":
            for (cell,) in ws.iter_rows(min_row=2, max_row=last_row, min_col=index, max_col=index):
                cell.number_format = column.number_format
        header = ws.cell(row=1, column=index)
        header.alignment = HEADER_ALIGNMENT  # a long header wraps; headers never run together
        if column.computed:
            header.fill = COMPUTED_HEADER
            header.font = COMPUTED_FONT
        elif column.prediction is not None:
            header.fill = PREDICTION_HEADER
            header.font = PREDICTION_FONT
        elif column.derived:
            header.fill = DERIVED_HEADER
            header.font = DERIVED_FONT
        note = (
            column.note
            + ("\n" if column.note else "")
            + ("Computed by formula: do not type here." if column.computed else "")
            + (
                "A value typed here is replaced when SalesFlow next writes."
                if column.derived
                else ""
            )
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
    ws.row_dimensions[1].height = HEADER_HEIGHT  # room for a header wrapped onto two lines
    print_setup(ws, landscape=len(spec.columns) > PORTRAIT_COLUMNS)


#: The header row's height in points: two lines of the default 11-point font.
HEADER_HEIGHT = 30.0
#: Tables with more columns than this print landscape.
PORTRAIT_COLUMNS = 6
#: Text columns are made as wide as this share of their values (up to MAX_WIDTH characters).
TYPICAL = 0.9
MAX_WIDTH = 45.0


def column_width(column: Column, values: pd.Series | None) -> float:
    """A column's width in characters: the schema's, widened to the header's longest word and
    to the length of 90 % of its text values (so typical e-mail addresses show uncut), at most
    :data:`MAX_WIDTH`."""
    width = max(column.width, max(len(word) for word in column.header.split()) + 3)
    if values is not None and column.kind == "text":
        lengths = values.dropna().astype(str).str.len()
        if len(lengths):
            width = max(width, min(MAX_WIDTH, float(lengths.quantile(TYPICAL)) + 2))
    return width


def validation(wb: Workbook) -> None:
    """Drop-downs and number, percentage and date checks on every typed column."""
    for spec in schema.all_tables():
        ws = wb[spec.sheet]
        for index, column in enumerate(spec.columns, start=1):
            if column.computed or column.filled:
                continue
            letter = get_column_letter(index)
            rule = _rule(column)
            if rule is None:
                continue
            rule.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(rule)


def _rule(column: Column) -> DataValidation | None:
    title = column.header
    source, sheet = None, schema.LISTS_SHEET
    if column.choices in schema.LISTS:
        source = schema.LISTS[column.choices].name
    elif column.choices in schema.TABLE_CHOICES:
        choice = schema.TABLE_CHOICES[column.choices]
        source = choice.name
        sheet = next(t.sheet for t in schema.all_tables() if t.name == choice.table)
    if source is not None:
        return DataValidation(
            type="list",
            formula1=source,  # a formula without "=", as Excel writes it (ECMA-376 ST_Formula)
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle=title,
            error=f"Choose a {title.lower()} from the list (edit the list on the {sheet} sheet).",
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


def conditional_formatting(wb: Workbook) -> None:
    """Rotting deals shaded, overdue follow-ups and activities in red."""
    deals = schema.DEALS
    ws = wb[deals.sheet]
    last = get_column_letter(len(deals.columns))
    status, follow_up, rotting = (
        deals.letter("status"),
        deals.letter("next_follow_up"),
        deals.letter("Rotting"),
    )
    ws.conditional_formatting.add(
        f"A2:{last}{LAST_ROW}", FormulaRule(formula=[f'${rotting}2="Rotting"'], fill=ROTTING_FILL)
    )
    ws.conditional_formatting.add(
        f"{follow_up}2:{follow_up}{LAST_ROW}",
        FormulaRule(
            formula=[f'AND(${status}2="open",${follow_up}2<>"",${follow_up}2<={schema.AS_OF})'],
            fill=OVERDUE_FILL,
            font=OVERDUE_FONT,
        ),
    )
    activities = schema.ACTIVITIES
    ws = wb[activities.sheet]
    overdue = activities.letter("Days overdue")
    ws.conditional_formatting.add(
        f"A2:{get_column_letter(len(activities.columns))}{LAST_ROW}",
        FormulaRule(formula=[f'${overdue}2<>""'], fill=OVERDUE_FILL),
    )
