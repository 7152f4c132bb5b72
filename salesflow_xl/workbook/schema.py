"""The one description of the SalesFlow workbook: its sheets, Excel tables, columns, formulas and
named settings. Layer: the SalesFlow workbook (imports ``salesflow_xl.core``,
``salesflow_xl.ooxml`` and ``salesflow_xl.workbook`` only).

The template builder, the reader, ``check``, the cached-value writer and the tests all derive from
this module; nothing else spells a sheet, table, header or defined name. It gathers three
modules: :mod:`~salesflow_xl.workbook.schema_spec` (what a column, table, setting and list are,
and how a reference to one is spelled), :mod:`~salesflow_xl.workbook.schema_tables` (the tables
themselves) and this one (settings, lists, sheets and their order).

Formulas are written in Excel's short form for readability — ``[@Value]`` is "this row's Value" —
and expanded to the full form ``tblDeals[[#This Row],[Value]]`` by :func:`expand`, the form both
Excel 2016+ and LibreOffice read from a file. Only functions both compute are used: COUNTIFS,
SUMIFS, AVERAGEIFS, SUMPRODUCT, INDEX/MATCH, IF/IFERROR, MAX and date arithmetic; "as of"
figures use the ``AsOf`` named cell — the pinned date, or TODAY() where none is pinned, computed
in that one cell (see :data:`SETTINGS`). Formulas elsewhere build their references
with :meth:`TableSpec.ref`, :attr:`ListSpec.ref` and the setting names below.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from salesflow_xl.core.dataset import RECORD_TYPES, column_kinds
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import W_, workbook_name
from salesflow_xl.core.limits import MAX_FORMULA
from salesflow_xl.core.model import Settings, Stage
from salesflow_xl.workbook.schema_spec import (
    MAX_CURRENCY_SYMBOL,
    NUMBER_FORMATS,
    OUTCOME_WORDS,
    ROTTING,
    UNKNOWN_CUSTOMER,
    VALUE_WORDS,
    Column,
    Kind,
    ListSpec,
    Setting,
    TableSpec,
    expand,
    is_currency_symbol,
    literal,
    number_format,
    outcome_of,
    word,
)
from salesflow_xl.workbook.schema_tables import (
    ACTIVITIES,
    CAMPAIGNS,
    CUSTOMERS,
    DEALS,
    ORDERS,
    PRIVACY_LOG,
    STAGE_LOG,
    STAGES,
    TEMPLATES,
    learned_probability,
)

__all__ = [
    "ACTIVITIES",
    "ANNUAL_DISCOUNT_RATE",
    "AS_OF",
    "CAMPAIGNS",
    "CURRENCY_SYMBOL",
    "CUSTOMERS",
    "DEALS",
    "GROSS_MARGIN",
    "LISTS",
    "MAX_CURRENCY_SYMBOL",
    "MONTHLY_DISCOUNT_RATE",
    "NUMBER_FORMATS",
    "ORDERS",
    "OUTCOME_WORDS",
    "PINNED_AS_OF",
    "PRIVACY_LOG",
    "RETENTION_MONTHS",
    "ROTTING",
    "SETTINGS",
    "SHEET_NAMES",
    "SIDE_TABLES",
    "STAGES",
    "STAGE_LOG",
    "TABLES",
    "TABLE_CHOICES",
    "TEMPLATES",
    "UNKNOWN_CUSTOMER",
    "VALUE_WORDS",
    "XLWINGS_SETTINGS",
    "XLWINGS_SHEET",
    "Column",
    "Kind",
    "ListSpec",
    "Setting",
    "TableSpec",
    "all_tables",
    "expand",
    "field_kind_mismatches",
    "formula_of",
    "is_currency_symbol",
    "learned_probability",
    "literal",
    "number_format",
    "outcome_of",
    "sheet_name",
    "sheet_order",
    "sheets_read",
    "stage_record",
    "stored_setting",
    "word",
]

# -- settings and lists ----------------------------------------------------------------------

#: The defined names of the settings, for formulas outside the schema. ``AsOf`` is the date
#: every figure is computed at: the pinned date (``PinnedAsOf``) or, when that is blank, today.
AS_OF = "AsOf"
PINNED_AS_OF = "PinnedAsOf"
RETENTION_MONTHS = "RetentionMonths"
GROSS_MARGIN = "GrossMargin"
ANNUAL_DISCOUNT_RATE = "AnnualDiscountRate"
MONTHLY_DISCOUNT_RATE = "MonthlyDiscountRate"
CURRENCY_SYMBOL = "CurrencySymbol"

SETTINGS: tuple[Setting, ...] = (
    Setting(
        PINNED_AS_OF,
        W_("As of date"),
        "as_of",
        "date",
        W_(
            "Blank: every figure is as of today and follows the calendar. A date pins every "
            "'days', 'due' and 'rotting' figure and the period's closed deals to it."
        ),
        required=False,
    ),
    Setting(
        AS_OF,
        W_("Figures as of"),
        None,
        "date",
        W_("Computed: the as-of date above, or today when it is blank."),
        formula=f'=IF({PINNED_AS_OF}="",TODAY(),{PINNED_AS_OF})',
    ),
    Setting(
        RETENTION_MONTHS,
        W_("Expected customer lifetime (months)"),
        "retention_months",
        "number",
        W_("The retention time of the simple CLV."),
    ),
    Setting(
        GROSS_MARGIN,
        W_("Gross margin"),
        "gross_margin",
        "percent",
        W_("Share of revenue kept after direct costs."),
    ),
    Setting(
        ANNUAL_DISCOUNT_RATE,
        W_("Discount rate (per year)"),
        "annual_discount_rate",
        "percent",
        W_("Used to discount future margin in CLV."),
    ),
    Setting(
        MONTHLY_DISCOUNT_RATE,
        W_("Discount rate (per month)"),
        None,
        "percent",
        W_("Computed: (1 + yearly rate)^(1/12) − 1."),
        formula="=(1+AnnualDiscountRate)^(1/12)-1",
    ),
    Setting(
        CURRENCY_SYMBOL,
        W_("Currency symbol"),
        "currency",
        "text",
        W_(
            "Shown before money amounts (¥, $, €, or blank for none); the money columns take "
            "it when the workbook is made (salesflow new --currency)."
        ),
        required=False,
        optional_row=True,
    ),
)


def stage_record(stage: Stage) -> dict[str, Any]:
    """A stage as the Stages table's record: its fields, the outcome as the word shown in the
    language in effect."""
    return {**dataclasses.asdict(stage), "outcome": word(stage.outcome)}


def stored_setting(settings: Settings, field: str) -> Any:
    """The value a setting's cell holds: the field's value, except a blank as-of date for a
    workbook that follows today."""
    if field == "as_of" and not settings.as_of_pinned:
        return None
    return getattr(settings, field)


#: The drop-down lists kept on the Lists sheet, keyed by field of ``core.model.Lists``.
LISTS: dict[str, ListSpec] = {
    spec.key: spec
    for spec in (
        ListSpec("segments", "tblSegments", W_("Segment"), "SegmentList"),
        ListSpec("channels", "tblChannels", W_("Channel"), "ChannelList"),
        ListSpec("lost_reasons", "tblLostReasons", W_("Lost reason"), "LostReasonList"),
        ListSpec("activity_types", "tblActivityTypes", W_("Activity type"), "ActivityTypeList"),
    )
}
#: Drop-downs fed by a data table's key column rather than the Lists sheet.
TABLE_CHOICES: dict[str, ListSpec] = {
    spec.key: spec
    for spec in (
        ListSpec("stages", STAGES.name, STAGES.column_for("name").name, "StageList"),
        ListSpec("campaigns", CAMPAIGNS.name, CAMPAIGNS.column_for("name").name, "CampaignList"),
    )
}

# -- sheets ----------------------------------------------------------------------------------

#: The data tables in sheet order (after the Dashboard), keyed like :data:`RECORD_TYPES`.
TABLES: dict[str, TableSpec] = {
    t.key: t for t in (DEALS, CUSTOMERS, ACTIVITIES, STAGE_LOG, CAMPAIGNS, ORDERS)
}
#: Tables beside the sales data, read only by the action that needs them (Templates, for
#: e-mail drafts) or only ever appended to (the Privacy log); a workbook made before them
#: gets the sheet when it is first needed (:meth:`~salesflow_xl.workbook.editor.Editor.add_table`).
SIDE_TABLES: dict[str, TableSpec] = {t.key: t for t in (TEMPLATES, PRIVACY_LOG)}
#: xlwings reads its settings from a sheet of exactly this name, in every language.
XLWINGS_SHEET = "xlwings.conf"
XLWINGS_SETTINGS = (("UDF MODULES", "salesflow_udfs"),)

#: The sheets without a table, by constant: their names in English (the workbook's language
#: names them, see :func:`__getattr__`).
SHEET_NAMES: dict[str, str] = {
    "DASHBOARD_SHEET": W_("Dashboard"),
    "ANALYTICS_SHEET": W_("Analytics"),
    "LISTS_SHEET": W_("Lists"),
    "SETTINGS_SHEET": W_("Settings"),
}


def sheet_name(constant: str) -> str:
    """The name of sheet ``constant`` ("SETTINGS_SHEET" …) in the language in effect."""
    return workbook_name(SHEET_NAMES[constant])


def sheet_order() -> tuple[str, ...]:
    """Every sheet's name, in the workbook's order, in the language in effect."""
    return (
        sheet_name("DASHBOARD_SHEET"),
        *(t.sheet for t in TABLES.values()),
        sheet_name("ANALYTICS_SHEET"),
        STAGES.sheet,
        TEMPLATES.sheet,
        sheet_name("LISTS_SHEET"),
        sheet_name("SETTINGS_SHEET"),
        PRIVACY_LOG.sheet,
        XLWINGS_SHEET,
    )


def __getattr__(name: str) -> Any:
    """``schema.DASHBOARD_SHEET``, ``schema.SETTINGS_SHEET`` … and ``schema.SHEET_ORDER``: the
    sheets' names in the language in effect, looked up each time they are read."""
    if name in SHEET_NAMES:
        return sheet_name(name)
    if name == "SHEET_ORDER":
        return sheet_order()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def formula_of(table: TableSpec, column: Column) -> str:
    """The full-form formula of a computed column.

    Every one is blank on a blank row (its key column empty, such as a new workbook's
    placeholder row): ``=IF([@Deal ID]="","",…)``, so no 0 or days-since-1900 shows there.
    Raises SalesflowError for a formula longer than Excel takes (none of the schema's is near
    it; the test of the schema holds them under it)."""
    assert column.formula is not None
    body = column.formula.removeprefix("=")
    formula = expand(f'=IF([@{table.key_column.name}]="","",{body})', table.name)
    if len(formula) > MAX_FORMULA:
        raise SalesflowError(
            f"the {table.sheet} column {column.header!r} would need a formula of "
            f"{len(formula):,} characters; Excel takes at most {MAX_FORMULA:,}"
        )
    return formula


def all_tables() -> Iterator[TableSpec]:
    """Every table spec: the data tables, then Stages."""
    yield from TABLES.values()
    yield STAGES


def sheets_read() -> list[str]:
    """The sheets the reader reads, in the order it needs them: Lists, Stages and Settings
    (which the tables are checked against), then the data tables."""
    lists, settings = sheet_name("LISTS_SHEET"), sheet_name("SETTINGS_SHEET")
    return [lists, STAGES.sheet, settings] + [spec.sheet for spec in TABLES.values()]


def field_kind_mismatches() -> list[str]:
    """Schema columns whose kind contradicts the record field's kind (checked by the tests)."""
    compatible = {
        "text": {"text"},
        "number": {"money", "number", "integer", "percent"},
        "date": {"date"},
        "timestamp": {"timestamp"},
    }
    problems = []
    for key, spec in TABLES.items():
        kinds = column_kinds(RECORD_TYPES[key])
        for column in spec.columns:
            if column.field is not None and column.kind not in compatible[kinds[column.field]]:
                problems.append(f"{spec.sheet}!{column.header}: {column.kind}")
    return problems
