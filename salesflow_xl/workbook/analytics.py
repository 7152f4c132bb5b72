"""The Analytics sheet: SalesFlow's Excel functions side by side with native formulas.

Column B uses a SalesFlow function (``=CLV(…)``), column C computes the same figure with
native formulas, and both must equal the core. The first block uses the documented examples'
constants (so it works in an empty workbook); the second block, present when the workbook has
data, uses the workbook's own tables, with FUNNEL and STAGE_CONVERSION as array formulas.

In Excel the functions need the UDFs imported with xlwings (Windows); LibreOffice evaluates
them through ``salesflow recalc``'s bridge. Elsewhere (Excel without the add-in, Excel for Mac,
LibreOffice opened directly) no cell shows an error: each function cell is wrapped in IFERROR and
shows :data:`WITHOUT_ADDIN` (the table functions stay blank), the banner in A2 says what is
missing, and column C keeps computing every figure natively.

Every text the sheet shows — titles, labels, the banner, :data:`WITHOUT_ADDIN` — is marked ``W_``
in English and made in the language in effect (:func:`~salesflow_xl.core.i18n.workbook_name`);
``analytics.SHEET``, ``BANNER`` and the other texts are read in that language too.

Layer: the SalesFlow workbook (imports ``salesflow_xl.core``, ``salesflow_xl.ooxml`` and
``salesflow_xl.workbook`` only); formulas take their table, column, sheet and setting names
from :mod:`~salesflow_xl.workbook.schema`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from salesflow_xl.core import metrics
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.i18n import W_, workbook_name
from salesflow_xl.core.report import Report
from salesflow_xl.ooxml.refs import column_letter, range_bounds
from salesflow_xl.workbook import computed, dashboard, schema
from salesflow_xl.workbook.schema import Kind, literal

HEADER_ROW = 4
Expected = Callable[[Report, SalesData], Any]

_DEALS, _STAGES, _LOG = schema.DEALS.ref, schema.STAGES.ref, schema.STAGE_LOG.ref
_CUSTOMERS, _CAMPAIGNS = schema.CUSTOMERS.ref, schema.CAMPAIGNS.ref


def _won_deals() -> str:
    return f"COUNTIFS({_DEALS('status')},{literal('won')})"


#: The banner (A2): which text shows tells whether SalesFlow's functions run here.
BANNER_CELL = "A2"
#: The sheet's texts read as constants (``analytics.BANNER_WORKING`` …), in English; the module
#: gives them in the language in effect (see :func:`__getattr__`).
TEXTS: dict[str, str] = {
    #: What a SalesFlow function cell shows where the add-in is missing.
    "WITHOUT_ADDIN": W_("add-in needed"),
    "BANNER_WORKING": W_(
        "Column B uses the SalesFlow Excel functions; column C computes the same figure natively."
    ),
    "BANNER_MISSING": W_(
        "Column B and the table functions need the SalesFlow add-in (Windows Excel: salesflow "
        "install) or salesflow recalc; column C computes the same figures natively, everywhere."
    ),
}


def text(constant: str) -> str:
    """The sheet's text ``constant`` ("BANNER_WORKING" …) in the language in effect."""
    return workbook_name(TEXTS[constant])


def banner() -> str:
    """The banner's formula: the one text or the other, as SalesFlow's functions run or not."""
    working, missing = text("BANNER_WORKING"), text("BANNER_MISSING")
    return f'=IF(ISNUMBER(WIN_RATE(3,1)),"{working}","{missing}")'


def __getattr__(name: str) -> Any:
    """``analytics.SHEET`` (the sheet's name), ``BANNER`` (the banner's formula),
    ``WITHOUT_ADDIN``, ``BANNER_WORKING`` and ``BANNER_MISSING``: in the language in effect,
    made each time they are read."""
    if name == "SHEET":
        return schema.ANALYTICS_SHEET
    if name == "BANNER":
        return banner()
    if name in TEXTS:
        return text(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def guarded(formula: str, fallback: str | None = None) -> str:
    """``formula`` (a SalesFlow function) showing ``fallback`` (default: ``WITHOUT_ADDIN``)
    instead of ``#NAME?`` where the add-in is missing: ``=IFERROR(f(…),fallback)``."""
    fallback = text("WITHOUT_ADDIN") if fallback is None else fallback
    return f'=IFERROR({formula.removeprefix("=")},"{fallback}")'


@dataclass(frozen=True)
class Comparison:
    """One row: a SalesFlow function and a native formula that must agree (``label`` in the
    language in effect)."""

    label: str
    function: str
    native: str
    kind: Kind
    expected: Expected


@dataclass(frozen=True)
class ArrayBlock:
    """A table function written as an array formula over ``ref``, with its expected cells
    (``title`` in the language in effect)."""

    title: str
    ref: str
    formula: str
    expected: Callable[[Report, SalesData], list[list[Any]]]
    kinds: tuple[Kind, ...]


def _kpi_cells() -> dict[str, str]:
    """KPI label in English → its cell on the Dashboard ("Dashboard!D5")."""
    board = schema.DASHBOARD_SHEET
    return {name: f"{board}!{f.cell}" for name, f in dashboard.kpi_figures()}


def examples() -> list[Comparison]:
    """The documented examples, on constants (hand-worked values in the comments)."""
    return [
        Comparison(
            workbook_name(W_("CLV: 1000 per order, 1 a month, 24 months")),
            "=CLV(1000,1,24)",
            "=1000*1*24",
            "money",
            lambda r, d: 24000.0,
        ),
        Comparison(
            workbook_name(W_("CLV with 40 % margin, 10 % a month")),
            "=CLV(100,1,2,40%,10%)",
            "=PV(10%,2,-100*1*40%)",
            "money",
            lambda r, d: 40 / 1.1 + 40 / 1.21,
        ),
        Comparison(
            workbook_name(W_("Conversion: 20 of 100")),
            "=CONVERSION_RATE(20,100)",
            "=20/100",
            "percent",
            lambda r, d: 0.2,
        ),
        Comparison(
            workbook_name(W_("ROI: 100000 on 50000")),
            "=ROI(100000,50000)",
            "=(100000-50000)/50000",
            "percent",
            lambda r, d: 1.0,
        ),
        Comparison(
            workbook_name(W_("ROAS: 15000 on 5000")),
            "=ROAS(15000,5000)",
            "=15000/5000",
            "number",
            lambda r, d: 3.0,
        ),
        Comparison(
            workbook_name(W_("CAC: 6000 for 12 customers")),
            "=CAC(6000,12)",
            "=6000/12",
            "money",
            lambda r, d: 500.0,
        ),
        Comparison(
            workbook_name(W_("LTV:CAC: 1500 and 500")),
            "=LTV_CAC(1500,500)",
            "=1500/500",
            "number",
            lambda r, d: 3.0,
        ),
        Comparison(
            workbook_name(W_("Win rate: 3 won, 1 lost")),
            "=WIN_RATE(3,1)",
            "=3/(3+1)",
            "percent",
            lambda r, d: 0.75,
        ),
        Comparison(
            workbook_name(W_("Weighted value: 8000 at 60 %")),
            "=WEIGHTED_VALUE(8000,60%)",
            "=8000*60%",
            "money",
            lambda r, d: 4800.0,
        ),
        Comparison(
            workbook_name(W_("Velocity: 40 deals, 25 %, 5000, 50 days")),
            "=PIPELINE_VELOCITY(40,25%,5000,50)",
            "=40*25%*5000/50",
            "money",
            lambda r, d: 1000.0,
        ),
    ]


def _first_data_row() -> int:
    return HEADER_ROW + 1 + len(examples()) + 2


def on_data(data: SalesData) -> list[Comparison]:
    """Comparisons on the workbook's tables (empty when it has no campaigns or open deals)."""
    campaigns = metrics.campaign_performance(data.campaigns, data.deals, data.customers)
    with_customers = [i for i, n in enumerate(campaigns["new_customers"]) if n > 0]
    open_positions = list(data.deals.index[data.deals["status"] == "open"])
    if not with_customers or not open_positions or data.customers.empty:
        return []
    return (
        _value_rows(data, with_customers[0] + 1)
        + _pipeline_rows(data, open_positions[0] + 1)
        + _learned_rows(data)
    )


def _value_rows(data: SalesData, k: int) -> list[Comparison]:
    """CLV, conversion, and the ROI, ROAS and CAC of a campaign (``k``: one with customers)."""
    value = metrics.customer_value(data.customers, data.orders, data.settings)
    row_of_cac = _first_data_row() + 4  # the CAC comparison, fifth in the list below
    won_deals = _won_deals()
    return [
        Comparison(
            workbook_name(W_("CLV of the first customer")),
            f"=CLV(INDEX({_CUSTOMERS('Avg order value')},1),"
            f"INDEX({_CUSTOMERS('Orders per month')},1),{schema.RETENTION_MONTHS},"
            f"{schema.GROSS_MARGIN},{schema.MONTHLY_DISCOUNT_RATE})",
            f"=INDEX({_CUSTOMERS('CLV')},1)",
            "money",
            lambda r, d: float(value["clv"].iloc[0]),
        ),
        Comparison(
            workbook_name(W_("Conversion: won deals of all deals")),
            f"=CONVERSION_RATE({won_deals},COUNTA({_DEALS('id')}))",
            f"={won_deals}/COUNTA({_DEALS('id')})",
            "percent",
            lambda r, d: float((d.deals["status"] == "won").mean()),
        ),
        Comparison(
            workbook_name(W_("ROI of the first campaign")),
            f"=ROI(INDEX({_CAMPAIGNS('Revenue')},1),INDEX({_CAMPAIGNS('spend')},1))",
            f"=INDEX({_CAMPAIGNS('ROI')},1)",
            "percent",
            lambda r, d: float(r.campaigns["roi"].iloc[0]),
        ),
        Comparison(
            workbook_name(W_("ROAS of the first campaign")),
            f"=ROAS(INDEX({_CAMPAIGNS('Revenue')},1),INDEX({_CAMPAIGNS('spend')},1))",
            f"=INDEX({_CAMPAIGNS('ROAS')},1)",
            "number",
            lambda r, d: float(r.campaigns["roas"].iloc[0]),
        ),
        Comparison(
            workbook_name(W_("CAC of campaign {k}")).format(k=k),
            f"=CAC(INDEX({_CAMPAIGNS('spend')},{k}),INDEX({_CAMPAIGNS('New customers')},{k}))",
            f"=INDEX({_CAMPAIGNS('CAC')},{k})",
            "money",
            lambda r, d: float(r.campaigns["cac"].iloc[k - 1]),
        ),
        Comparison(
            workbook_name(W_("LTV:CAC: average CLV ÷ that CAC")),
            f"=LTV_CAC(AVERAGE({_CUSTOMERS('CLV')}),B{row_of_cac})",
            f"=AVERAGE({_CUSTOMERS('CLV')})/C{row_of_cac}",
            "number",
            lambda r, d: float(value["clv"].mean() / r.campaigns["cac"].iloc[k - 1]),
        ),
    ]


def _pipeline_rows(data: SalesData, deal: int) -> list[Comparison]:
    """Win rate, a deal's weighted value (``deal``: an open one) and pipeline velocity."""
    weighted = metrics.weighted_values(data.deals, data.pipeline)
    won_to_date, lost_to_date = dashboard.won_to_date(), dashboard.lost_to_date()
    kpi = _kpi_cells()
    return [
        Comparison(
            workbook_name(W_("Win rate to the as-of date")),
            f"=WIN_RATE(COUNTIFS({won_to_date}),COUNTIFS({lost_to_date}))",
            "=" + kpi["Win rate"],
            "percent",
            lambda r, d: r.win_rate,
        ),
        Comparison(
            workbook_name(W_("Weighted value of deal row {deal}")).format(deal=deal),
            f"=WEIGHTED_VALUE(INDEX({_DEALS('value')},{deal}),"
            f"INDEX({_DEALS('Win chance')},{deal}))",
            f"=INDEX({_DEALS('Weighted value')},{deal})",
            "money",
            lambda r, d: float(weighted.iloc[deal - 1]),
        ),
        Comparison(
            workbook_name(W_("Pipeline velocity per day")),
            "=PIPELINE_VELOCITY("
            + ",".join(
                kpi[label]
                for label in ("Open deals", "Win rate", "Average won deal", "Sales cycle (days)")
            )
            + ")",
            "=" + kpi["Velocity per day"],
            "money",
            lambda r, d: r.velocity["per_day"],
        ),
    ]


def _learned_rows(data: SalesData) -> list[Comparison]:
    """The learned probability of each open stage (row ``i`` of the Stages table is funnel step
    ``i``): LEARNED_PROBABILITY beside the Stages' native formula for that row (written out
    here, so that it works in a workbook whose Stages table has no Learned probability column
    yet)."""
    learned = computed.stage_columns(data)["Learned probability"]
    rows = []
    for i, stage in enumerate(data.pipeline.open_stages, start=1):
        step, probability = (
            f"INDEX({_STAGES('Funnel step')},{i})",
            f"INDEX({_STAGES('probability')},{i})",
        )
        rows.append(
            Comparison(
                workbook_name(W_("Learned probability: {stage}")).format(stage=stage.name),
                f"=LEARNED_PROBABILITY({step},{_DEALS('Furthest step')},{_DEALS('status')},"
                f"{probability})",
                "="
                + schema.expand(schema.learned_probability(step, probability), schema.STAGES.name),
                "percent",
                lambda r, d, i=i: float(learned.iloc[i - 1]),
            )
        )
    return rows


def _funnel_table(report: Report, data: SalesData) -> list[list[Any]]:
    return metrics.funnel_rows(metrics.funnel_snapshot(data.deals, data.pipeline))


def _conversion_table(report: Report, data: SalesData) -> list[list[Any]]:
    table: list[list[Any]] = [["Stage", "Reached", "Conversion", "From first"]]
    for row in report.stage_conversion.itertuples(index=False):
        table.append(
            [
                row.stage,
                int(row.reached),
                "" if pd.isna(row.conversion) else float(row.conversion),
                "" if pd.isna(row.from_first) else float(row.from_first),
            ]
        )
    return table


def blocks(data: SalesData, first_row: int) -> list[ArrayBlock]:
    """FUNNEL and STAGE_CONVERSION as array formulas starting at ``first_row``."""
    stages = len(data.pipeline.stages)
    funnel_stages = len(data.pipeline.funnel)
    return [
        ArrayBlock(
            workbook_name(W_("FUNNEL: the funnel from current stages")),
            f"A{first_row}:E{first_row + stages}",
            f"=FUNNEL({_DEALS('stage')},{_DEALS('value')},{_STAGES('name')})",
            _funnel_table,
            ("text", "integer", "money", "integer", "percent"),
        ),
        ArrayBlock(
            workbook_name(W_("STAGE_CONVERSION: from the stage log")),
            f"G{first_row}:J{first_row + funnel_stages}",
            f"=STAGE_CONVERSION({_LOG('deal_id')},{_LOG('from_stage')},"
            f"{_LOG('to_stage')},{_STAGES('name')})",
            _conversion_table,
            ("text", "integer", "percent", "percent"),
        ),
    ]


@dataclass(frozen=True)
class Layout:
    """Where each comparison and block sits."""

    rows: list[tuple[int, Comparison]]
    section_titles: list[tuple[int, str]]
    blocks: list[ArrayBlock]


def layout(data: SalesData) -> Layout:
    """The sheet for ``data``: the examples, then (with data) the comparisons and blocks on it."""
    rows: list[tuple[int, Comparison]] = []
    titles = [(HEADER_ROW, workbook_name(W_("On the documented examples")))]
    row = HEADER_ROW + 1
    for comparison in examples():
        rows.append((row, comparison))
        row += 1
    array_blocks: list[ArrayBlock] = []
    data_rows = on_data(data)
    if data_rows:
        row += 1
        titles.append((row, workbook_name(W_("On this workbook's data"))))
        row += 1
        assert row == _first_data_row()
        for comparison in data_rows:
            rows.append((row, comparison))
            row += 1
        row += 2
        array_blocks = blocks(data, row + 1)
        titles.append((row, workbook_name(W_("Table functions (array formulas)"))))
    return Layout(rows, titles, array_blocks)


def expected_cells(data: SalesData, report: Report) -> dict[str, Any]:
    """Cell → the core's value for every computed cell of the sheet."""
    cells: dict[str, Any] = {BANNER_CELL: text("BANNER_WORKING")}
    plan = layout(data)
    for row, comparison in plan.rows:
        value = comparison.expected(report, data)
        cells[f"B{row}"] = value
        cells[f"C{row}"] = value
    for block in plan.blocks:
        min_col, min_row, _, _ = range_bounds(block.ref)
        for i, values in enumerate(block.expected(report, data)):
            for j, value in enumerate(values):
                cells[f"{column_letter(min_col + j)}{min_row + i}"] = value
    return cells
