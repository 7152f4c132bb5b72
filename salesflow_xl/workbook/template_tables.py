"""Writing the workbook's Excel tables: each table's sheet with its rows, formats, header notes and
calculated columns, then the drop-downs and number checks, and the conditional formats that
flag rotting deals and overdue follow-ups. Layer: the SalesFlow workbook (imports
``salesflow_xl.core``, ``salesflow_xl.ooxml`` and ``salesflow_xl.workbook`` only, with openpyxl).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableFormula, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from salesflow_xl.core import consent
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.email_templates import default_templates
from salesflow_xl.core.i18n import W_, workbook_name
from salesflow_xl.core.limits import looks_like_formula
from salesflow_xl.workbook import schema
from salesflow_xl.workbook.schema import Column, TableSpec, literal
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
            "outcome": [schema.word(s.outcome) for s in data.pipeline.stages],
            "follow_up_days": [s.follow_up_days for s in data.pipeline.stages],
        }
    )


def templates_frame(data: SalesData) -> pd.DataFrame:
    """A new workbook's e-mail templates
    (:func:`~salesflow_xl.core.email_templates.default_templates`) as the Templates table's
    records; Marketing in the workbook's words (yes, or blank)."""
    templates = default_templates(data.pipeline)
    return pd.DataFrame(
        {
            "name": [t.name for t in templates],
            "stage": [t.stage for t in templates],
            "marketing": [consent.word("yes") if t.marketing else None for t in templates],
            "subject": [t.subject for t in templates],
            "body": [t.body for t in templates],
        }
    )


def privacy_log_frame() -> pd.DataFrame:
    """The Privacy log of a new workbook: no rows."""
    return pd.DataFrame(columns=[c.field for c in schema.PRIVACY_LOG.columns])


def table_value(value: Any, column: Column) -> Any:
    """A record's value as the cell of ``column`` takes it: blank for missing values, dates and
    timestamps as Python's, numpy scalars as Python numbers."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime() if column.kind == "timestamp" else value.date()
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def record_key(column: Column) -> str:
    """The name of ``column``'s values in a table's records (:func:`table_records`): its
    field, else its model figure, else its name (in English)."""
    return column.field or column.prediction or column.name


def table_records(
    spec: TableSpec, frame: pd.DataFrame, filled: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The values table ``spec`` holds, one row per record (columns named by
    :func:`record_key`): ``frame``'s fields joined by row with ``filled``, the values of the
    columns SalesFlow fills — predictions by model figure and derived columns by header
    (:func:`~salesflow_xl.workbook.computed.derived_columns`)."""
    fields = [c.field for c in spec.columns]
    records = frame[[f for f in fields if f is not None and f in frame.columns]]
    if filled is not None and len(frame) and len(filled.columns):
        records = records.join(filled)
    return records


def as_text(value: Any, column: Column) -> bool:
    """Whether the cell of a value openpyxl would take for a formula (text starting with "=")
    or an error value ("#N/A", "#REF!" …) is written as text: data stays text."""
    return not column.computed and (
        looks_like_formula(value) or (isinstance(value, str) and value[:1] == "#")
    )


def quoted(value: Any, column: Column) -> bool:
    """Whether the cell is quote-prefixed: data text that Excel would read as a formula."""
    return not column.computed and looks_like_formula(value)


def table_sheet(
    wb: Workbook,
    spec: TableSpec,
    records: pd.DataFrame,
    rows: Sequence[int] | None = None,
    currency: str = "",
) -> Worksheet:
    """Table ``spec`` on a new sheet: ``records`` (:func:`table_records`; one blank row when
    there are none), the computed columns' formulas, formats (money with ``currency``'s
    symbol) and header notes.

    ``rows`` (positions in ``records``) writes only those records, one under the other, for
    a workbook whose rows are streamed in afterwards
    (:mod:`~salesflow_xl.workbook.template_stream`); column widths and the table's range
    still cover every record."""
    ws = wb.create_sheet(spec.sheet)
    ws.sheet_properties.tabColor = spec.tab_color
    ws.append([c.header for c in spec.columns])
    formulas = {c.header: schema.formula_of(spec, c) for c in spec.columns if c.computed}
    written = records if rows is None else records.iloc[list(rows)]
    lines: Iterable[dict[str, Any]] = written.to_dict(orient="records") if len(records) else [{}]
    for number, record in enumerate(lines, start=2):
        values = [
            formulas[c.header] if c.computed else table_value(record.get(record_key(c)), c)
            for c in spec.columns
        ]
        ws.append(values)
        for index, (value, column) in enumerate(zip(values, spec.columns, strict=True), 1):
            # openpyxl takes text starting with "=" for a formula and "#N/A", "#REF!" … for
            # error values: data stays text, quote-prefixed where Excel would read a formula
            if as_text(value, column):
                cell = ws.cell(row=number, column=index)
                cell.data_type = "s"
                cell.quotePrefix = quoted(value, column)
    written_rows = max(2, len(written) + 1)
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        texts = records[column.field] if column.field in records.columns else None
        ws.column_dimensions[letter].width = column_width(column, texts)
        if column.kind != "text":
            for (cell,) in ws.iter_rows(
                min_row=2, max_row=written_rows, min_col=index, max_col=index
            ):
                cell.number_format = schema.number_format(column.kind, currency)
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
            workbook_name(column.note)
            + ("\n" if column.note else "")
            + (
                workbook_name(W_("Computed by formula: do not type here."))
                if column.computed
                else ""
            )
            + (
                workbook_name(W_("A value typed here is replaced when SalesFlow next writes."))
                if column.derived
                else ""
            )
        )
        if note.strip():
            header.comment = Comment(note.strip(), "SalesFlow", width=260, height=90)
    ref = f"A1:{get_column_letter(len(spec.columns))}{last_row(records)}"
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
    return ws


def last_row(records: pd.DataFrame) -> int:
    """The sheet row of a table's last record (2 for a table without records: its blank row)."""
    return max(2, len(records) + 1)


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
    for spec in (*schema.all_tables(), *schema.SIDE_TABLES.values()):
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
    if column.choices == "consent":
        words = ",".join(consent.word(code) for code in consent.WORDS)
        return DataValidation(
            type="list",
            formula1=f'"{words}"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=title,
            error=f"{title}: {words.replace(',', ', ')}.",
        )
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
        f"A2:{last}{LAST_ROW}",
        FormulaRule(formula=[f"${rotting}2={literal(schema.ROTTING)}"], fill=ROTTING_FILL),
    )
    ws.conditional_formatting.add(
        f"{follow_up}2:{follow_up}{LAST_ROW}",
        FormulaRule(
            formula=[
                f'AND(${status}2={literal("open")},${follow_up}2<>"",${follow_up}2<={schema.AS_OF})'
            ],
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
