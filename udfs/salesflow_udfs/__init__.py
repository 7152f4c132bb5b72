"""SalesFlow's Excel worksheet functions: thin xlwings wrappers over ``salesflow_xl.core``.

Import them into a workbook with xlwings ("Import Python UDFs"; the template's ``xlwings.conf``
sheet names this module). They appear in the Function Wizard under the category "SalesFlow".

Rules every function follows, as a spreadsheet user expects:
- A mistake is a short message in the cell ("cost must be a number > 0, got 0"), never a Python
  traceback. Optional arguments left empty take their default.
- Scalar functions take numbers. A blank cell where a number is required is a mistake.
- Column functions (``CLV`` over ranges, ``FUNNEL``, ``STAGE_CONVERSION``) take whole columns
  and return one result per row, or a table that spills. In a column, a row whose cells are
  blank or text (a header row selected with the data) gives a blank result; a row with a bad
  value gives that row's message; the other rows are computed.
- Rates are fractions (format the cell as %), money is in the workbook's currency.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import xlwings as xw

from salesflow_xl.core import metrics
from salesflow_xl.core.dataset import to_frame
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.model import DEFAULT_PIPELINE, Pipeline, Stage, StageEvent

CATEGORY = "SalesFlow"
F = TypeVar("F", bound=Callable[..., Any])


def excel_errors(function: F) -> F:
    """Turn a SalesflowError (or a wrong type) into the short text Excel shows in the cell."""

    @functools.wraps(function)
    def wrapper(*args: Any) -> Any:
        try:
            return function(*args)
        except SalesflowError as error:
            return str(error)
        except (TypeError, ValueError) as error:
            return f"#VALUE! {error}"

    return wrapper  # type: ignore[return-value]


def _default(value: Any, default: float) -> Any:
    return default if value is None or value == "" else value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)


def _column(values: Any) -> list[Any]:
    """A range's values as a flat list (one value per row)."""
    if isinstance(values, list | tuple):
        flat: list[Any] = []
        for item in values:
            flat.extend(item if isinstance(item, list | tuple) else [item])
        return flat
    return [values]


# -- scalar functions -------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@xw.arg("average_order_value", doc="Average revenue per order (currency).")
@xw.arg("purchase_frequency", doc="Orders per period, e.g. per month.")
@xw.arg("retention_time", doc="Expected customer lifetime, in the same periods.")
@xw.arg("gross_margin", doc="Optional: share of revenue kept, 0–1 (default 1 = 100 %).")
@xw.arg("discount_rate", doc="Optional: discount rate per period (default 0).")
@excel_errors
def CLV(
    average_order_value,
    purchase_frequency,
    retention_time,
    gross_margin=1.0,
    discount_rate=0.0,
):
    """Customer lifetime value = average order value × frequency × margin per period, over the
    retention time, discounted per period. Takes numbers, or whole columns (one CLV per row).
    Example: =CLV(1000, 1, 24) gives 24000."""
    columns = [average_order_value, purchase_frequency, retention_time, gross_margin, discount_rate]
    if not any(isinstance(c, list | tuple) for c in columns):
        return metrics.clv(
            average_order_value,
            purchase_frequency,
            retention_time,
            _default(gross_margin, 1.0),
            _default(discount_rate, 0.0),
        )
    return _per_row(metrics.clv, columns, defaults=(None, None, None, 1.0, 0.0))


def _per_row(
    function: Callable[..., float], columns: Sequence[Any], defaults: Sequence[float | None]
) -> list[list[Any]]:
    """Apply a scalar function row by row over columns (single values repeat on every row)."""
    lists = [_column(c) if isinstance(c, list | tuple) else None for c in columns]
    length = max(len(values) for values in lists if values is not None)
    if any(values is not None and len(values) != length for values in lists):
        raise SalesflowError(f"the columns must have the same number of rows ({length})")
    out: list[list[Any]] = []
    for row in range(length):
        args = [
            (values[row] if values is not None else column)
            for values, column in zip(lists, columns, strict=True)
        ]
        from_columns = [values[row] for values in lists if values is not None]
        if not any(_is_number(v) for v in from_columns):
            out.append([""])  # a blank or header row
            continue
        args = [_default(a, d) if d is not None else a for a, d in zip(args, defaults, strict=True)]
        try:
            out.append([function(*args)])
        except SalesflowError as error:
            out.append([str(error)])
    return out


@xw.func(category=CATEGORY)
@xw.arg("closed", doc="Customers (or deals) that closed.")
@xw.arg("potential", doc="Potential customers (or deals) in the same period.")
@excel_errors
def CONVERSION_RATE(closed, potential):
    """Conversion rate = closed ÷ potential, as a fraction. Example: =CONVERSION_RATE(20, 100)
    gives 0.2 (20 %)."""
    return metrics.conversion_rate(closed, potential)


@xw.func(category=CATEGORY)
@xw.arg("revenue", doc="Revenue earned with the investment.")
@xw.arg("cost", doc="What it cost (> 0); count each campaign's cost once.")
@excel_errors
def ROI(revenue, cost):
    """Return on investment = (revenue − cost) ÷ cost. Example: =ROI(100000, 50000) gives 1
    (100 %)."""
    return metrics.roi(revenue, cost)


@xw.func(category=CATEGORY)
@xw.arg("revenue", doc="Revenue from the ads.")
@xw.arg("spend", doc="Ad spend (> 0).")
@excel_errors
def ROAS(revenue, spend):
    """Return on ad spend = revenue ÷ spend. Example: =ROAS(15000, 5000) gives 3."""
    return metrics.roas(revenue, spend)


@xw.func(category=CATEGORY)
@xw.arg("spend", doc="Marketing and sales spend.")
@xw.arg("new_customers", doc="New customers won with it (> 0).")
@excel_errors
def CAC(spend, new_customers):
    """Customer acquisition cost = spend ÷ new customers. Example: =CAC(6000, 12) gives 500."""
    return metrics.cac(spend, new_customers)


@xw.func(category=CATEGORY)
@xw.arg("ltv", doc="Customer lifetime value.")
@xw.arg("cac", doc="Customer acquisition cost (> 0).")
@excel_errors
def LTV_CAC(ltv, cac):
    """Lifetime value to acquisition cost = LTV ÷ CAC (3 or more is healthy).
    Example: =LTV_CAC(1500, 500) gives 3."""
    return metrics.ltv_cac(ltv, cac)


@xw.func(category=CATEGORY)
@xw.arg("won", doc="Deals won in the period.")
@xw.arg("lost", doc="Deals lost in the period.")
@excel_errors
def WIN_RATE(won, lost):
    """Win rate = won ÷ (won + lost). Example: =WIN_RATE(3, 1) gives 0.75."""
    return metrics.win_rate(won, lost)


@xw.func(category=CATEGORY)
@xw.arg("value", doc="The deal's value.")
@xw.arg("probability", doc="Its chance of being won, 0–1.")
@excel_errors
def WEIGHTED_VALUE(value, probability):
    """Weighted value = value × probability. Example: =WEIGHTED_VALUE(8000, 60%) gives 4800."""
    return metrics.weighted_value(value, probability)


@xw.func(category=CATEGORY)
@xw.arg("open_deals", doc="Open deals in the pipeline.")
@xw.arg("win_rate", doc="Win rate, 0–1.")
@xw.arg("average_deal", doc="Average won deal value.")
@xw.arg("cycle_days", doc="Average sales cycle in days (> 0).")
@excel_errors
def PIPELINE_VELOCITY(
    open_deals,
    win_rate,
    average_deal,
    cycle_days,
):
    """Pipeline velocity = open deals × win rate × average deal ÷ cycle days (currency per day).
    Example: =PIPELINE_VELOCITY(40, 25%, 5000, 50) gives 1000."""
    return metrics.pipeline_velocity(open_deals, win_rate, average_deal, cycle_days)


# -- table functions --------------------------------------------------------------------------


def _pipeline(stages: Any) -> Pipeline:
    """A pipeline from a stage-name column: open stages in order, then won, then lost (the
    Stages table's order); the default pipeline when omitted."""
    if stages is None or stages == "":
        return DEFAULT_PIPELINE
    names = [str(s).strip() for s in _column(stages) if s not in (None, "")]
    if len(names) < 3:
        raise SalesflowError("stages must list the open stages, then won, then lost")
    return Pipeline(
        (
            *(Stage(n, 0.0) for n in names[:-2]),
            Stage(names[-2], 1.0, outcome="won"),
            Stage(names[-1], 0.0, outcome="lost"),
        )
    )


@xw.func(category=CATEGORY)
@xw.arg("stage_column", doc="Each deal's current stage, e.g. tblDeals[Stage].")
@xw.arg("value_column", doc="Each deal's value, e.g. tblDeals[Value].")
@xw.arg("stages", doc="Optional: the stages in order, e.g. tblStages[Stage].")
@excel_errors
def FUNNEL(stage_column, value_column, stages=None):
    """The funnel from current stages: per stage the deals now in it, their value, the deals at
    this stage or beyond, and the conversion from the previous stage (lost deals only count in
    their own row: where they were lost is in the StageLog, see STAGE_CONVERSION). Spills.
    Example: =FUNNEL(tblDeals[Stage], tblDeals[Value], tblStages[Stage])"""
    pipeline = _pipeline(stages)
    stage_list = _column(stage_column)
    values = _column(value_column)
    if len(stage_list) != len(values):
        raise SalesflowError("stage_column and value_column must have the same number of rows")
    rows = [
        (str(s).strip(), v)
        for s, v in zip(stage_list, values, strict=True)
        if s not in (None, "") and _is_number(v)
    ]
    unknown = sorted({s for s, _ in rows if pipeline.find(s) is None})
    if unknown:
        raise SalesflowError(
            f"unknown stage {unknown[0]!r}; the stages are " + ", ".join(pipeline.names)
        )
    frame = pd.DataFrame(
        {
            "stage": [pipeline.stage(s).name for s, _ in rows],
            "value": [float(v) for _, v in rows],
            "probability": np.nan,
            "status": [pipeline.stage(s).outcome for s, _ in rows],
        }
    )
    return metrics.funnel_rows(metrics.funnel_snapshot(frame, pipeline))


@xw.func(category=CATEGORY)
@xw.arg("deal_ids", doc="The StageLog's Deal ID column.")
@xw.arg("from_stages", doc="The StageLog's From stage column.")
@xw.arg("to_stages", doc="The StageLog's To stage column.")
@xw.arg("stages", doc="Optional: the stages in order, e.g. tblStages[Stage].")
@excel_errors
def STAGE_CONVERSION(
    deal_ids,
    from_stages,
    to_stages,
    stages=None,
):
    """Stage-to-stage conversion from the stage log: per funnel stage the deals that ever
    reached it (skipped stages count as passed through, back-and-forth counts once), the
    conversion from the previous stage and from the first. Spills.
    Example: =STAGE_CONVERSION(tblStageLog[Deal ID], tblStageLog[From stage],
    tblStageLog[To stage])"""
    pipeline = _pipeline(stages)
    ids, froms, tos = _column(deal_ids), _column(from_stages), _column(to_stages)
    if not len(ids) == len(froms) == len(tos):
        raise SalesflowError("the three StageLog columns must have the same number of rows")
    header_words = {"deal id", "from stage", "to stage"}
    events = [
        StageEvent(pd.Timestamp(0).to_pydatetime(), str(d), (str(f) if f else None), str(t))
        for d, f, t in zip(ids, froms, tos, strict=True)
        if d not in (None, "")
        and t not in (None, "")
        and str(t).strip().lower() not in header_words
    ]
    result = metrics.stage_conversion(to_frame(events, StageEvent), pipeline)
    table: list[list[Any]] = [["Stage", "Reached", "Conversion", "From first"]]
    for stage, row in result.iterrows():
        table.append(
            [
                stage,
                int(row["reached"]),
                "" if np.isnan(row["conversion"]) else float(row["conversion"]),
                "" if np.isnan(row["from_first"]) else float(row["from_first"]),
            ]
        )
    return table


# -- customer value functions (BG/NBD, Gamma-Gamma, RFM, cohorts) ------------------------------

EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _date(value):
    """A cell's date: a datetime from Excel, or a serial number (LibreOffice passes those)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return EXCEL_EPOCH + pd.Timedelta(days=float(value))
    return pd.Timestamp(value)


def _summary_rows(frequency, recency, age):
    """(rows with numbers, the summary frame of those rows) from three columns."""
    f, r, t = _column(frequency), _column(recency), _column(age)
    if not len(f) == len(r) == len(t):
        raise SalesflowError("frequency, recency and T must have the same number of rows")
    rows = [i for i in range(len(f)) if all(_is_number(v) for v in (f[i], r[i], t[i]))]
    frame = pd.DataFrame(
        {
            "frequency": [float(f[i]) for i in rows],
            "recency": [float(r[i]) for i in rows],
            "T": [float(t[i]) for i in rows],
        }
    )
    return rows, frame, len(f)


def _spread(rows, values, length):
    out = [[""] for _ in range(length)]
    for row, value in zip(rows, values, strict=True):
        out[row] = [float(value)]
    return out


@xw.func(category=CATEGORY)
@xw.arg("frequency", doc="Repeat purchases per customer (a column).")
@xw.arg("recency", doc="Time from first to last purchase (a column, same unit as T).")
@xw.arg("age", doc="T: time from the first purchase to today (a column).")
@excel_errors
def P_ALIVE(frequency, recency, age):
    """Probability each customer is still active, from a BG/NBD model fitted to the columns
    (Fader, Hardie & Lee 2005). One result per row; header and blank rows stay blank.
    Example: =P_ALIVE(B2:B200, C2:C200, D2:D200)"""
    from salesflow_xl.core.clv import bgnbd

    rows, frame, length = _summary_rows(frequency, recency, age)
    params = bgnbd.fit(frame["frequency"], frame["recency"], frame["T"])
    alive = bgnbd.probability_alive(params, frame["frequency"], frame["recency"], frame["T"])
    return _spread(rows, alive, length)


@xw.func(category=CATEGORY)
@xw.arg("frequency", doc="Repeat purchases per customer (a column).")
@xw.arg("recency", doc="Time from first to last purchase, in weeks (a column).")
@xw.arg("age", doc="T: time from the first purchase to today, in weeks (a column).")
@xw.arg("monetary", doc="Mean value of each customer's repeat purchases (a column).")
@xw.arg("horizon_months", doc="Optional: months ahead (default 12).")
@xw.arg("discount_rate", doc="Optional: monthly discount rate (default 1 %).")
@excel_errors
def CLV_BGNBD(frequency, recency, age, monetary, horizon_months=12.0, discount_rate=0.01):
    """Predicted customer value over the horizon: BG/NBD purchases × Gamma-Gamma spend,
    discounted monthly, both models fitted to the columns (recency and T in weeks).
    Example: =CLV_BGNBD(B2:B200, C2:C200, D2:D200, E2:E200, 12, 1%)"""
    from salesflow_xl.core.clv import value

    rows, frame, length = _summary_rows(frequency, recency, age)
    spend = _column(monetary)
    if len(spend) != length:
        raise SalesflowError("monetary must have as many rows as frequency")
    frame["monetary_value"] = [float(spend[i]) if _is_number(spend[i]) else 0.0 for i in rows]
    model = value.fit(frame, "weeks")
    result = value.predict(
        model, frame, _default(horizon_months, 12.0), _default(discount_rate, 0.01)
    )
    return _spread(rows, result["clv"], length)


def _orders(customer_ids, order_dates, amounts):
    ids, dates, money = _column(customer_ids), _column(order_dates), _column(amounts)
    if not len(ids) == len(dates) == len(money):
        raise SalesflowError("customer_ids, order_dates and amounts must have the same rows")
    rows = [
        (str(i).strip(), _date(d), float(m))
        for i, d, m in zip(ids, dates, money, strict=True)
        if i not in (None, "") and d not in (None, "") and _is_number(m)
    ]
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


@xw.func(category=CATEGORY)
@xw.arg("customer_ids", doc="The Orders' customer column, e.g. tblOrders[Customer ID].")
@xw.arg("order_dates", doc="The Orders' date column.")
@xw.arg("amounts", doc="The Orders' amount column.")
@xw.arg("as_of", doc="The date recency is counted to, e.g. AsOf.")
@excel_errors
def RFM_SCORE(customer_ids, order_dates, amounts, as_of):
    """RFM scores 1–5 per customer (ties get equal scores: 1 + ⌊5 × share of customers
    strictly worse⌋) and the segment. Spills: customer, R, F, M, RFM, segment.
    Example: =RFM_SCORE(tblOrders[Customer ID], tblOrders[Date], tblOrders[Amount], AsOf)"""
    from salesflow_xl.core.clv import rfm

    table = rfm.rfm(_orders(customer_ids, order_dates, amounts), _date(as_of).date())
    out = [["Customer", "R", "F", "M", "RFM", "Segment"]]
    for customer, row in table.iterrows():
        out.append(
            [
                customer,
                int(row["r_score"]),
                int(row["f_score"]),
                int(row["m_score"]),
                row["rfm"],
                row["segment"],
            ]
        )
    return out


@xw.func(category=CATEGORY)
@xw.arg("customer_ids", doc="The Orders' customer column.")
@xw.arg("order_dates", doc="The Orders' date column.")
@xw.arg("amounts", doc="The Orders' amount column.")
@xw.arg("as_of", doc="The last date to count, e.g. AsOf.")
@excel_errors
def COHORT_RETENTION(customer_ids, order_dates, amounts, as_of):
    """Share of each first-purchase-month cohort buying in each later month (month 0 = 100 %).
    Spills: cohort, size, then one column per month.
    Example: =COHORT_RETENTION(tblOrders[Customer ID], tblOrders[Date], tblOrders[Amount],
    AsOf)"""
    from salesflow_xl.core.clv import cohorts

    customers, _, sizes = cohorts.cohort_retention(
        _orders(customer_ids, order_dates, amounts), _date(as_of).date()
    )
    out = [["Cohort", "Customers", *[f"M{k}" for k in customers.columns]]]
    for cohort, row in customers.iterrows():
        out.append([cohort, int(sizes[cohort]), *["" if pd.isna(v) else float(v) for v in row]])
    return out


#: Every worksheet function, by its Excel name.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        CLV,
        CONVERSION_RATE,
        ROI,
        ROAS,
        CAC,
        LTV_CAC,
        WIN_RATE,
        WEIGHTED_VALUE,
        PIPELINE_VELOCITY,
        FUNNEL,
        STAGE_CONVERSION,
        P_ALIVE,
        CLV_BGNBD,
        RFM_SCORE,
        COHORT_RETENTION,
    )
}
