"""Scalar worksheet functions: one figure from numbers (``CLV`` also takes whole columns and
then gives one CLV per row)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import xlwings as xw

from salesflow_udfs.cells import CATEGORY, column, default, excel_errors, is_number
from salesflow_xl.core import metrics
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.excel_errors import CELL_ERRORS, cell_text


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
            default(gross_margin, 1.0),
            default(discount_rate, 0.0),
        )
    return _per_row(metrics.clv, columns, defaults=(None, None, None, 1.0, 0.0))


def _per_row(
    function: Callable[..., float], columns: Sequence[Any], defaults: Sequence[float | None]
) -> list[list[Any]]:
    """Apply a scalar function row by row over columns (single values repeat on every row)."""
    lists = [column(c) if isinstance(c, list | tuple) else None for c in columns]
    length = max(len(values) for values in lists if values is not None)
    if any(values is not None and len(values) != length for values in lists):
        raise SalesflowError(f"the columns must have the same number of rows ({length})")
    out: list[list[Any]] = []
    for row in range(length):
        args = [
            (values[row] if values is not None else single)
            for values, single in zip(lists, columns, strict=True)
        ]
        from_columns = [values[row] for values in lists if values is not None]
        if not any(is_number(v) for v in from_columns):
            out.append([""])  # a blank or header row
            continue
        args = [default(a, d) if d is not None else a for a, d in zip(args, defaults, strict=True)]
        try:
            out.append([function(*args)])
        except CELL_ERRORS as error:
            out.append([cell_text(error)])
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
