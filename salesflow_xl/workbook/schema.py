"""The one description of the SalesFlow workbook: its sheets, Excel tables, columns, formulas and
named settings. The template builder, the reader, ``check``, the cached-value writer and the tests
all derive from this module; nothing else spells a sheet, table or header.

Formulas are written in Excel's short form for readability — ``[@Value]`` is "this row's Value" —
and expanded to the full form ``tblDeals[[#This Row],[Value]]`` by :func:`expand`, the form both
Excel 2016+ and LibreOffice read from a file. Only functions both compute are used: COUNTIFS,
SUMIFS, AVERAGEIFS, SUMPRODUCT, INDEX/MATCH, IF/IFERROR, MAX and date arithmetic; "as of"
figures use the ``AsOf`` named cell, never TODAY().
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from salesflow_xl.core.dataset import RECORD_TYPES, column_kinds

Kind = Literal["text", "money", "number", "integer", "percent", "date", "timestamp"]

NUMBER_FORMATS: dict[Kind, str] = {
    "text": "@",
    "money": "#,##0.00",
    "number": "#,##0.00",
    "integer": "0",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "timestamp": "yyyy-mm-dd hh:mm",
}


@dataclass(frozen=True)
class Column:
    """One column of an Excel table.

    Attributes:
        header: the header cell's text (also the structured-reference name).
        field: the record field stored here; None for a computed-only column.
        kind: how values are typed, formatted and validated.
        formula: for a computed column, its formula in short form (see :func:`expand`).
        choices: name of the drop-down list the value must come from (a key of :data:`LISTS`).
        required: a row without a value here is invalid.
        width: column width in Excel's character units.
        note: shown as the header cell's input message in Excel.
        prediction: the key of a model figure (:data:`salesflow_xl.core.clv.predictions.COLUMNS`)
            that ``salesflow refresh`` writes here as a value: neither typed nor a formula.
    """

    header: str
    field: str | None = None
    kind: Kind = "text"
    formula: str | None = None
    choices: str | None = None
    required: bool = False
    width: float = 14.0
    note: str = ""
    prediction: str | None = None

    @property
    def computed(self) -> bool:
        return self.formula is not None

    @property
    def number_format(self) -> str:
        return NUMBER_FORMATS[self.kind]


@dataclass(frozen=True)
class TableSpec:
    """An Excel table on its own sheet, its header in row 1 from column A."""

    key: str
    sheet: str
    name: str
    columns: tuple[Column, ...]
    tab_color: str = "1F4E78"

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)

    def header_of(self, field: str) -> str:
        """The header of the column that stores record field ``field``."""
        return next(c.header for c in self.columns if c.field == field)

    @property
    def inputs(self) -> tuple[Column, ...]:
        """Columns the user (or an action) types into."""
        return tuple(c for c in self.columns if not c.computed and c.prediction is None)

    @property
    def predictions(self) -> tuple[Column, ...]:
        """Columns ``salesflow refresh`` fills with model figures."""
        return tuple(c for c in self.columns if c.prediction is not None)

    @property
    def computed(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.computed)

    def formula(self, column: Column) -> str:
        """The column's formula in full form, ready for a cell."""
        assert column.formula is not None
        return expand(column.formula, self.name)


_THIS_ROW = re.compile(r"\[@([^\]]+)\]")


def expand(formula: str, table: str) -> str:
    """``[@Value]`` → ``tblDeals[[#This Row],[Value]]`` (the full form LibreOffice also reads)."""
    return _THIS_ROW.sub(lambda m: f"{table}[[#This Row],[{m.group(1)}]]", formula)


# -- settings and lists ----------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """A named cell on the Settings sheet (column B, label in A)."""

    name: str
    label: str
    field: str | None
    kind: Kind
    note: str = ""
    formula: str | None = None


SETTINGS_SHEET = "Settings"
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "AsOf",
        "As of date",
        "as_of",
        "date",
        "Every 'days', 'due' and 'rotting' figure is computed at this date.",
    ),
    Setting(
        "RetentionMonths",
        "Expected customer lifetime (months)",
        "retention_months",
        "number",
        "The retention time of the simple CLV.",
    ),
    Setting(
        "GrossMargin",
        "Gross margin",
        "gross_margin",
        "percent",
        "Share of revenue kept after direct costs.",
    ),
    Setting(
        "AnnualDiscountRate",
        "Discount rate (per year)",
        "annual_discount_rate",
        "percent",
        "Used to discount future margin in CLV.",
    ),
    Setting(
        "MonthlyDiscountRate",
        "Discount rate (per month)",
        None,
        "percent",
        "Computed: (1 + yearly rate)^(1/12) − 1.",
        formula="=(1+AnnualDiscountRate)^(1/12)-1",
    ),
)

LISTS_SHEET = "Lists"


@dataclass(frozen=True)
class ListSpec:
    """A one-column table of allowed values on the Lists sheet, named for validation."""

    key: str  # field of core.model.Lists
    table: str
    header: str
    name: str  # defined name used by data validation


LISTS: dict[str, ListSpec] = {
    spec.key: spec
    for spec in (
        ListSpec("segments", "tblSegments", "Segment", "SegmentList"),
        ListSpec("channels", "tblChannels", "Channel", "ChannelList"),
        ListSpec("lost_reasons", "tblLostReasons", "Lost reason", "LostReasonList"),
        ListSpec("activity_types", "tblActivityTypes", "Activity type", "ActivityTypeList"),
    )
}
#: Drop-downs fed by a data table's key column rather than the Lists sheet.
TABLE_CHOICES = {
    "stages": ("tblStages", "Stage", "StageList"),
    "campaigns": ("tblCampaigns", "Campaign", "CampaignList"),
}

# -- the tables ------------------------------------------------------------------------------

_ORDERS_UP_TO_AS_OF = 'tblOrders[Customer ID],[@Customer ID],tblOrders[Date],"<="&AsOf'
_STAGE_ROW = "MATCH([@Stage],tblStages[Stage],0)"

STAGES = TableSpec(
    "stages",
    "Stages",
    "tblStages",
    (
        Column(
            "Stage",
            "name",
            required=True,
            width=20,
            note="Open stages in funnel order, then the won stage, then the lost stage.",
        ),
        Column(
            "Probability",
            "probability",
            "percent",
            required=True,
            width=12,
            note="Chance that a deal in this stage is won.",
        ),
        Column(
            "Rotting days",
            "rotting_days",
            "integer",
            width=13,
            note="An open deal untouched this many days is rotting; blank never rots.",
        ),
        Column("Outcome", "outcome", required=True, width=10, note="open, won or lost."),
        Column(
            "Funnel step",
            kind="integer",
            width=10,
            formula='=IF([@Outcome]="lost",0,MATCH([@Stage],tblStages[Stage],0))',
            note="Position in the funnel; 0 for the lost stage.",
        ),
    ),
    tab_color="7F7F7F",
)

CUSTOMERS = TableSpec(
    "customers",
    "Customers",
    "tblCustomers",
    (
        Column("Customer ID", "id", required=True, width=12),
        Column("Name", "name", required=True, width=20),
        Column("Company", "company", width=24),
        Column("E-mail", "email", width=28),
        Column("Phone", "phone", width=16),
        Column("Segment", "segment", choices="segments", width=14),
        Column("Channel", "channel", choices="channels", width=13),
        Column("Campaign", "campaign", choices="campaigns", width=22),
        Column("First touch", "first_touch", "date", width=12),
        Column(
            "Won deals",
            kind="integer",
            width=10,
            formula='=COUNTIFS(tblDeals[Customer ID],[@Customer ID],tblDeals[Status],"won")',
        ),
        Column(
            "Orders",
            kind="integer",
            width=9,
            formula=f"=COUNTIFS({_ORDERS_UP_TO_AS_OF})",
            note="Orders up to the as-of date.",
        ),
        Column(
            "Revenue",
            kind="money",
            width=12,
            formula=f"=SUMIFS(tblOrders[Amount],{_ORDERS_UP_TO_AS_OF})",
        ),
        Column(
            "Avg order value",
            kind="money",
            width=12,
            formula="=IF([@Orders]>0,[@Revenue]/[@Orders],0)",
        ),
        Column(
            "Months active",
            kind="number",
            width=10,
            formula="=IF([@Orders]>0,MAX(1,SUMPRODUCT(MAX((tblOrders[Customer ID]="
            "[@Customer ID])*(tblOrders[Date]<=AsOf)*(AsOf-tblOrders[Date])))"
            '/(365.25/12)),"")',
            note="Months since the first order, at least 1.",
        ),
        Column(
            "Orders per month",
            kind="number",
            width=10,
            formula="=IF([@Orders]>0,[@Orders]/[@Months active],0)",
        ),
        Column(
            "CLV",
            kind="money",
            width=12,
            formula="=[@Avg order value]*[@Orders per month]*GrossMargin*IF("
            "MonthlyDiscountRate>0,(1-(1+MonthlyDiscountRate)^(-RetentionMonths))"
            "/MonthlyDiscountRate,RetentionMonths)",
            note="Avg order value × orders per month × margin over the expected lifetime, "
            "discounted monthly.",
        ),
        Column(
            "P(alive)",
            kind="percent",
            width=9,
            prediction="p_alive",
            note="Chance the customer still buys (BG/NBD model of the Orders); filled by "
            "Refresh dashboard / salesflow refresh.",
        ),
        Column(
            "Predicted purchases (12 m)",
            kind="number",
            width=12,
            prediction="predicted_purchases",
            note="Expected orders in the next 12 months (BG/NBD); filled by refresh.",
        ),
        Column(
            "Predicted CLV (12 m)",
            kind="money",
            width=12,
            prediction="predicted_clv",
            note="Expected margin in the next 12 months, discounted (BG/NBD x Gamma-Gamma); "
            "filled by refresh.",
        ),
        Column(
            "RFM segment",
            width=16,
            prediction="rfm_segment",
            note="Champions, Loyal, New customers, Potential loyalists, At risk, Needs "
            "attention or Hibernating; filled by refresh.",
        ),
    ),
    tab_color="548235",
)

DEALS = TableSpec(
    "deals",
    "Deals",
    "tblDeals",
    (
        Column("Deal ID", "id", required=True, width=10),
        Column("Customer ID", "customer_id", required=True, width=12),
        Column(
            "Customer",
            width=22,
            formula='=IF([@Customer ID]="","",IFERROR(INDEX(tblCustomers[Company],MATCH('
            '[@Customer ID],tblCustomers[Customer ID],0))&"","(unknown customer)"))',
        ),
        Column("Title", "title", required=True, width=28),
        Column("Value", "value", "money", required=True, width=12),
        Column("Stage", "stage", choices="stages", required=True, width=17),
        Column(
            "Status",
            "status",
            width=8,
            formula=f'=IF([@Stage]="","",IFERROR(INDEX(tblStages[Outcome],{_STAGE_ROW}),"?"))',
            note="open, won or lost: follows from the stage.",
        ),
        Column(
            "Probability",
            "probability",
            "percent",
            width=11,
            note="The deal's own win chance; blank uses the stage's.",
        ),
        Column("Created", "created", "date", required=True, width=11),
        Column("Stage entered", "stage_entered", "date", required=True, width=12),
        Column("Expected close", "expected_close", "date", width=12),
        Column("Next follow-up", "next_follow_up", "date", width=12),
        Column("Last activity", "last_activity", "date", width=12),
        Column("Closed", "closed", "date", width=11),
        Column("Lost reason", "lost_reason", choices="lost_reasons", width=13),
        Column("Channel", "channel", choices="channels", width=13),
        Column("Campaign", "campaign", choices="campaigns", width=22),
        Column(
            "Segment",
            width=14,
            formula="=IFERROR(INDEX(tblCustomers[Segment],MATCH([@Customer ID],"
            'tblCustomers[Customer ID],0))&"","")',
        ),
        Column(
            "Win chance",
            kind="percent",
            width=10,
            formula='=IF([@Status]="won",1,IF([@Status]="open",IF(ISNUMBER([@Probability]),'
            f"[@Probability],INDEX(tblStages[Probability],{_STAGE_ROW})),0))",
            note="1 if won, 0 if lost, else the deal's probability or its stage's.",
        ),
        Column("Weighted value", kind="money", width=13, formula="=[@Value]*[@Win chance]"),
        Column(
            "Days in stage",
            kind="integer",
            width=10,
            formula='=IF([@Status]="open",AsOf-[@Stage entered],"")',
        ),
        Column(
            "Days idle",
            kind="integer",
            width=9,
            formula='=IF([@Status]="open",AsOf-MAX([@Stage entered],[@Last activity]),"")',
            note="Days since the stage changed or an activity was logged.",
        ),
        Column(
            "Rotting",
            width=9,
            formula='=IF([@Status]<>"open","",IF(ISNUMBER(INDEX(tblStages[Rotting days],'
            f"{_STAGE_ROW})),IF([@Days idle]>INDEX(tblStages[Rotting days],"
            f'{_STAGE_ROW}),"Rotting",""),""))',
        ),
        Column(
            "Cycle days",
            kind="integer",
            width=9,
            formula='=IF([@Status]="won",[@Closed]-[@Created],"")',
            note="Days from created to won.",
        ),
        Column(
            "Furthest step",
            kind="integer",
            width=10,
            formula="{reached}",
            note="Furthest funnel position the deal ever reached (from the stage log).",
        ),
    ),
    tab_color="C55A11",
)

STAGE_LOG = TableSpec(
    "stage_log",
    "StageLog",
    "tblStageLog",
    (
        Column("Timestamp", "timestamp", "timestamp", required=True, width=17),
        Column("Deal ID", "deal_id", required=True, width=10),
        Column("From stage", "from_stage", width=17),
        Column("To stage", "to_stage", required=True, width=17),
        Column("Note", "note", width=30),
        Column(
            "From step",
            kind="integer",
            width=8,
            formula="=IFERROR(INDEX(tblStages[Funnel step],MATCH([@From stage],"
            "tblStages[Stage],0)),0)",
        ),
        Column(
            "To step",
            kind="integer",
            width=8,
            formula="=IFERROR(INDEX(tblStages[Funnel step],MATCH([@To stage],"
            "tblStages[Stage],0)),0)",
        ),
    ),
    tab_color="7F7F7F",
)

ACTIVITIES = TableSpec(
    "activities",
    "Activities",
    "tblActivities",
    (
        Column("Activity ID", "id", required=True, width=11),
        Column("Deal ID", "deal_id", width=10),
        Column("Customer ID", "customer_id", width=12),
        Column("Type", "type", choices="activity_types", required=True, width=11),
        Column("Due", "due", "date", required=True, width=11),
        Column("Done", "done", "date", width=11),
        Column("Note", "note", width=36),
        Column(
            "Days overdue",
            kind="integer",
            width=10,
            formula='=IF(AND([@Done]="",[@Due]<=AsOf),AsOf-[@Due],"")',
        ),
    ),
    tab_color="2E75B6",
)

_DEALS_OF_CAMPAIGN = "tblDeals[Campaign],[@Campaign]"
CAMPAIGNS = TableSpec(
    "campaigns",
    "Campaigns",
    "tblCampaigns",
    (
        Column("Campaign", "name", required=True, width=26),
        Column("Channel", "channel", choices="channels", required=True, width=13),
        Column("Start", "start", "date", required=True, width=11),
        Column("End", "end", "date", required=True, width=11),
        Column("Spend", "spend", "money", required=True, width=11),
        Column(
            "Deals",
            kind="integer",
            width=7,
            formula=f'=IF([@Campaign]="","",COUNTIFS({_DEALS_OF_CAMPAIGN}))',
        ),
        Column(
            "Won",
            kind="integer",
            width=6,
            formula=f'=IF([@Campaign]="","",COUNTIFS({_DEALS_OF_CAMPAIGN},tblDeals[Status],"won"))',
        ),
        Column(
            "Revenue",
            kind="money",
            width=12,
            formula=f'=IF([@Campaign]="","",SUMIFS(tblDeals[Value],{_DEALS_OF_CAMPAIGN},'
            'tblDeals[Status],"won"))',
        ),
        Column(
            "New customers",
            kind="integer",
            width=10,
            formula='=IF([@Campaign]="","",COUNTIFS(tblCustomers[Campaign],[@Campaign],'
            'tblCustomers[Won deals],">0"))',
            note="Customers this campaign acquired who won at least one deal.",
        ),
        Column(
            "ROI",
            kind="percent",
            width=9,
            formula='=IF(N([@Spend])>0,([@Revenue]-[@Spend])/[@Spend],"")',
        ),
        Column("ROAS", kind="number", width=8, formula='=IF(N([@Spend])>0,[@Revenue]/[@Spend],"")'),
        Column(
            "CAC",
            kind="money",
            width=10,
            formula='=IF(N([@New customers])>0,[@Spend]/[@New customers],"")',
        ),
    ),
    tab_color="7030A0",
)

ORDERS = TableSpec(
    "orders",
    "Orders",
    "tblOrders",
    (
        Column("Order ID", "id", required=True, width=12),
        Column("Customer ID", "customer_id", required=True, width=12),
        Column("Date", "date", "date", required=True, width=11),
        Column("Amount", "amount", "money", required=True, width=11),
    ),
    tab_color="548235",
)

#: The data tables in sheet order (after the Dashboard), keyed like :data:`RECORD_TYPES`.
TABLES: dict[str, TableSpec] = {
    t.key: t for t in (DEALS, CUSTOMERS, ACTIVITIES, STAGE_LOG, CAMPAIGNS, ORDERS)
}
DASHBOARD_SHEET = "Dashboard"
ANALYTICS_SHEET = "Analytics"
#: xlwings reads its settings for this workbook from a sheet of this name.
XLWINGS_SHEET = "xlwings.conf"
XLWINGS_SETTINGS = (("UDF MODULES", "salesflow_udfs"),)
SHEET_ORDER: tuple[str, ...] = (
    DASHBOARD_SHEET,
    *(t.sheet for t in TABLES.values()),
    ANALYTICS_SHEET,
    STAGES.sheet,
    LISTS_SHEET,
    SETTINGS_SHEET,
    XLWINGS_SHEET,
)


def reached_formula(funnel_length: int) -> str:
    """Deals' "Furthest step": the furthest funnel position in the deal's stage-log rows, as a
    sum of one test per position (COUNTIFS, which both engines compute fast; MAXIFS is not in Excel
    2016)."""
    tests = [
        f'(COUNTIFS(tblStageLog[Deal ID],[@Deal ID],tblStageLog[To step],">={k}")'
        f'+COUNTIFS(tblStageLog[Deal ID],[@Deal ID],tblStageLog[From step],">={k}")>0)'
        for k in range(1, funnel_length + 1)
    ]
    return "=" + "+".join(tests)


def formula_of(table: TableSpec, column: Column, funnel_length: int) -> str:
    """The full-form formula of a computed column for a pipeline with ``funnel_length`` stages."""
    assert column.formula is not None
    text = column.formula
    if text == "{reached}":
        text = reached_formula(funnel_length)
    return expand(text, table.name)


def all_tables() -> Iterator[TableSpec]:
    """Every table spec: the data tables, then Stages."""
    yield from TABLES.values()
    yield STAGES


def sheets_read() -> list[str]:
    """The sheets the reader reads, in the order it needs them: Lists, Stages and Settings
    (which the tables are checked against), then the data tables."""
    return [LISTS_SHEET, STAGES.sheet, SETTINGS_SHEET] + [spec.sheet for spec in TABLES.values()]


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
