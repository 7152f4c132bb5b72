"""The core's value of every computed and derived column, row by row, keyed by the schema's
headers.

Computed columns' values are the numbers the workbook's native formulas must produce: the file
writer stores them as the cells' cached values (so a reader that does not calculate sees
current figures), and the golden test holds LibreOffice's recalculation equal to them. Derived
columns (:attr:`Column.derived <salesflow_xl.workbook.schema_spec.Column.derived>`) have no
formula: these values are what SalesFlow writes into their cells. Blank cells are None.
Layer: the SalesFlow workbook (imports ``salesflow_xl.core``, ``salesflow_xl.ooxml`` and
``salesflow_xl.workbook`` only).

Each function names its columns as :meth:`TableSpec.column_for` does — by record field where the
column stores one (Deals' ``status``), else by the computed column's header — and
:func:`_frame` turns them into the schema's headers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from salesflow_xl.core import metrics
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.report import win_rates
from salesflow_xl.workbook import schema
from salesflow_xl.workbook.schema import TableSpec


def _frame(spec: TableSpec, columns: dict[str, Any], index: pd.Index) -> pd.DataFrame:
    """``columns`` (keyed by field or computed header) under the schema's column names (in
    English, whatever the workbook's language)."""
    return pd.DataFrame({spec.column_for(key).name: v for key, v in columns.items()}, index=index)


def _blank_where(series: pd.Series, mask: pd.Series) -> pd.Series:
    return series.astype(object).where(~mask, None)


def _lookup(keys: pd.Series, table: pd.DataFrame, key: str, value: str) -> pd.Series:
    mapping = table.drop_duplicates(key).set_index(key)[value]
    return keys.map(mapping)


def stage_columns(data: SalesData) -> pd.DataFrame:
    """Stages: Funnel step (1-based funnel position, 0 for the lost stage) and, for the open
    stages, the Learned probability from the Deals' Furthest step and status
    (:func:`~salesflow_xl.core.report.win_rates`, which the Dashboard shows too)."""
    ranks = [data.pipeline.rank(s.name) for s in data.pipeline.stages]
    steps = [0 if r is None else r + 1 for r in ranks]
    learned = dict(zip(*(win_rates(data)[c] for c in ("stage", "learned")), strict=True))
    return _frame(
        schema.STAGES,
        {
            "Funnel step": steps,
            "Learned probability": pd.Series(
                [learned.get(s.name) for s in data.pipeline.stages], dtype=object
            ),
        },
        pd.RangeIndex(len(steps)),
    )


def _funnel_number(stages: pd.Series, data: SalesData) -> pd.Series:
    numbers = {
        s.name: (r + 1 if (r := data.pipeline.rank(s.name)) is not None else 0)
        for s in data.pipeline.stages
    }
    return stages.map(numbers).fillna(0).astype("int64")


def deal_columns(data: SalesData) -> pd.DataFrame:
    deals, customers, pipeline = data.deals, data.customers, data.pipeline
    as_of = pd.Timestamp(data.settings.as_of)
    status = deals["stage"].map({s.name: s.outcome for s in pipeline.stages})
    is_open = status == "open"
    company = _lookup(deals["customer_id"], customers, "id", "company")
    known = deals["customer_id"].isin(customers["id"])
    idle = metrics.days_idle(deals, data.settings.as_of)
    rotting_ids = set(metrics.rotting_deals(deals, pipeline, data.settings.as_of)["id"])
    return _frame(
        schema.DEALS,
        {
            "Customer": company.fillna("").where(known, schema.word(schema.UNKNOWN_CUSTOMER)),
            "status": status.map({code: schema.word(code) for code in schema.OUTCOME_WORDS}).fillna(
                "?"
            ),
            "Segment": _lookup(deals["customer_id"], customers, "id", "segment").fillna(""),
            "Win chance": metrics.effective_probability(deals, pipeline),
            "Weighted value": metrics.weighted_values(deals, pipeline),
            "Days in stage": _blank_where(
                (as_of - deals["stage_entered"]).dt.days.clip(lower=0), ~is_open
            ),
            "Days idle": _blank_where(idle, ~is_open),
            "Rotting": np.where(deals["id"].isin(rotting_ids), schema.word(schema.ROTTING), ""),
            "Cycle days": _blank_where(
                (deals["closed"] - deals["created"]).dt.days, status != "won"
            ),
        },
        deals.index,
    )


def deal_derived(data: SalesData) -> pd.DataFrame:
    """Deals: Furthest step (1-based funnel position the deal's stage-log rows reached, 0 for
    none), one pass over the log instead of a COUNTIFS over it in every row."""
    furthest = metrics.furthest_steps(data.deals, data.stage_log, data.pipeline)
    return _frame(schema.DEALS, {"Furthest step": furthest}, data.deals.index)


def _excel_digits(value: float) -> float:
    """``value`` to Excel's 15 significant digits: a sum of money amounts such as
    2807.1499999999996 is stored as 2807.15 (openpyxl writes 16 digits, Excel keeps 15), so
    the value a file holds compares equal to the one SalesFlow derives again."""
    return float(f"{value:.15g}")


def customer_derived(data: SalesData) -> pd.DataFrame:
    """Customers: Won deals (deals won), and Orders, Revenue and First order (count, sum and
    earliest date of the orders up to the as-of date) — one group-by each instead of a
    COUNTIFS or SUMIFS over the whole Deals or Orders table in every row."""
    value = metrics.customer_value(data.customers, data.orders, data.settings)
    value = value.reset_index(drop=True).set_axis(data.customers.index)
    won = data.deals.loc[data.deals["status"] == "won", "customer_id"].value_counts()
    return _frame(
        schema.CUSTOMERS,
        {
            "Won deals": data.customers["id"].map(won).fillna(0).astype("int64"),
            "Orders": value["orders"],
            "Revenue": value["revenue"].map(_excel_digits),
            "First order": value["first_order"].astype(object).where(value["orders"] > 0, None),
        },
        data.customers.index,
    )


def customer_columns(data: SalesData) -> pd.DataFrame:
    """Customers: Avg order value, Months active, Orders per month and CLV, the row-local
    formulas over the derived columns (:func:`customer_derived`)."""
    value = metrics.customer_value(data.customers, data.orders, data.settings)
    value = value.reset_index(drop=True).set_axis(data.customers.index)
    return _frame(
        schema.CUSTOMERS,
        {
            "Avg order value": value["average_order_value"],
            "Months active": value["months_active"].astype(object).where(value["orders"] > 0, None),
            "Orders per month": value["purchase_frequency"],
            "CLV": value["clv"],
        },
        data.customers.index,
    )


def stage_log_columns(data: SalesData) -> pd.DataFrame:
    log = data.stage_log
    return _frame(
        schema.STAGE_LOG,
        {
            "From step": _funnel_number(log["from_stage"], data),
            "To step": _funnel_number(log["to_stage"], data),
        },
        log.index,
    )


def activity_columns(data: SalesData) -> pd.DataFrame:
    activities = data.activities
    as_of = pd.Timestamp(data.settings.as_of)
    overdue = activities["done"].isna() & (activities["due"] <= as_of)
    days = (as_of - activities["due"]).dt.days
    return _frame(
        schema.ACTIVITIES, {"Days overdue": _blank_where(days, ~overdue)}, activities.index
    )


def campaign_columns(data: SalesData) -> pd.DataFrame:
    performance = metrics.campaign_performance(data.campaigns, data.deals, data.customers)
    performance = performance.reset_index(drop=True).set_axis(data.campaigns.index)
    result = _frame(
        schema.CAMPAIGNS,
        {
            "Deals": performance["deals"],
            "Won": performance["won"],
            "Revenue": performance["revenue"],
            "New customers": performance["new_customers"],
            "ROI": performance["roi"],
            "ROAS": performance["roas"],
            "CAC": performance["cac"],
        },
        data.campaigns.index,
    )
    for name in ("ROI", "ROAS", "CAC"):
        result[name] = _blank_where(result[name], result[name].isna())
    return result


_BY_TABLE = {
    "deals": deal_columns,
    "customers": customer_columns,
    "stage_log": stage_log_columns,
    "activities": activity_columns,
    "campaigns": campaign_columns,
}


_DERIVED_BY_TABLE = {"deals": deal_derived, "customers": customer_derived}


def derived_columns(data: SalesData, spec: TableSpec) -> pd.DataFrame:
    """The derived columns of table ``spec`` (column names as columns, one row per record): the
    values SalesFlow writes into them."""
    frame = _DERIVED_BY_TABLE[spec.key](data) if spec.key in _DERIVED_BY_TABLE else pd.DataFrame()
    expected = [c.name for c in spec.derived]
    assert list(frame.columns) == expected, (spec.key, list(frame.columns), expected)
    return frame


def computed_columns(data: SalesData, spec: TableSpec) -> pd.DataFrame:
    """The computed columns of table ``spec`` (column names as columns, one row per table row)."""
    if spec.key == "stages":
        frame = stage_columns(data)
    elif spec.key in _BY_TABLE:
        frame = _BY_TABLE[spec.key](data)
    else:
        frame = pd.DataFrame(index=data.table(spec.key).index)
    expected = [c.name for c in spec.computed]
    assert list(frame.columns) == expected, (spec.key, list(frame.columns), expected)
    return frame
