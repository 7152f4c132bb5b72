"""Per-customer value from the order history, with the classic CLV formula.

Period convention: months of ``365.25 / 12`` days. Orders dated after ``as_of`` are ignored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.i18n import _
from salesflow_xl.core.metrics.scalar import clv_formula
from salesflow_xl.core.model import Settings

DAYS_PER_MONTH = 365.25 / 12


def monthly_rate(annual_rate: float) -> float:
    """The monthly discount rate equivalent to an annual one: ``(1 + annual)^(1/12) − 1``."""
    return float((1.0 + annual_rate) ** (1.0 / 12.0) - 1.0)


def customer_value(
    customers: pd.DataFrame, orders: pd.DataFrame, settings: Settings
) -> pd.DataFrame:
    """One row per customer (index: customer id) with the CLV inputs and CLV.

    - ``orders``, ``revenue``: count and sum of the customer's orders up to ``as_of``;
    - ``average_order_value`` = revenue ÷ orders (0 without orders);
    - ``months_active`` = max(1, (as_of − first order) in months): a customer who bought for the
      first time last week is judged over one month, not a few days;
    - ``purchase_frequency`` = orders ÷ months_active (orders per month);
    - ``clv`` = :func:`~salesflow_xl.core.metrics.scalar.clv` of those with the settings'
      retention months, gross margin and monthly discount rate.
    """
    as_of = pd.Timestamp(settings.as_of)
    past = orders[orders["date"] <= as_of]
    per_customer = past.groupby("customer_id").agg(
        orders=("amount", "size"), revenue=("amount", "sum"), first_order=("date", "min")
    )
    table = pd.DataFrame(index=pd.Index(customers["id"], name="customer_id")).join(per_customer)
    table["orders"] = table["orders"].fillna(0).astype("int64")
    table["revenue"] = table["revenue"].fillna(0.0)
    count = table["orders"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        table["average_order_value"] = np.where(count > 0, table["revenue"] / count, 0.0)
    days = (as_of - table["first_order"]).dt.days.astype("float64")
    table["months_active"] = np.maximum(1.0, days / DAYS_PER_MONTH)
    table.loc[table["orders"] == 0, "months_active"] = np.nan
    table["purchase_frequency"] = (table["orders"] / table["months_active"]).fillna(0.0)
    table["clv"] = clv_formula(
        table["average_order_value"].to_numpy(),
        table["purchase_frequency"].to_numpy(),
        settings.retention_months,
        settings.gross_margin,
        monthly_rate(settings.annual_discount_rate),
    )
    return table


#: From this many customers on, the top 1 % of CLVs share the last band ("and above"), so a
#: few outliers do not squeeze everyone else into the first band.
TAIL_FROM = 100


def clv_distribution(clv: pd.Series, max_bins: int = 12) -> pd.DataFrame:
    """How many customers fall in each CLV band: equal-width bands ``[from, to)`` (the last one
    closed) of a round width (1, 2, 2.5 or 5 × 10ᵏ currency units) chosen so that at most
    ``max_bins`` bands cover 0 … the largest CLV, or, from :data:`TAIL_FROM` customers on,
    0 … the 99th percentile, the last band then also counting every customer above it
    (``and_above`` is True on that band). Missing values are left out; negative CLVs (margin
    below zero) get bands of their own below 0. Columns: from, to, customers, and_above."""
    if max_bins < 1:
        raise InvalidArgumentError("max_bins", max_bins, _("at least 1"))
    values = clv.dropna().to_numpy(dtype="float64")
    if values.size == 0:
        return pd.DataFrame(
            {
                "from": pd.Series(dtype="float64"),
                "to": pd.Series(dtype="float64"),
                "customers": pd.Series(dtype="int64"),
                "and_above": pd.Series(dtype="bool"),
            }
        )
    top = float(values.max())
    if values.size >= TAIL_FROM:
        top = float(np.quantile(values, 0.99))
    low, high = min(0.0, float(values.min())), max(0.0, top)
    width = _round_width((high - low) / max_bins) if high > low else 1.0
    edges = np.arange(np.floor(low / width), np.floor(high / width) + 2) * width
    counts, _edges = np.histogram(np.minimum(values, edges[-1]), bins=edges)
    above = np.zeros(len(counts), dtype=bool)
    above[-1] = bool(values.max() > edges[-1])
    return pd.DataFrame(
        {
            "from": edges[:-1],
            "to": edges[1:],
            "customers": counts.astype("int64"),
            "and_above": above,
        }
    )


def _round_width(raw: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ᵏ that is at least ``raw`` (> 0)."""
    power = 10.0 ** np.floor(np.log10(raw))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * power >= raw * (1 - 1e-12):
            return float(step * power)
    return float(10 * power)
