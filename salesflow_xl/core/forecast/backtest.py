"""The forecasts replayed on the past: how far off each would have been.

At each past month end τ with ``horizon`` whole months of history after it (and at least
:data:`MIN_HISTORY_MONTHS` months before it), the learned forecast (:mod:`.revenue`) is made
from what was known at τ — the stage log and orders up to τ — for the next ``horizon`` months,
and so is the plain weighted pipeline: Σ value × configured probability (the deal's own where
set) of the deals open at τ, each in the month of its expected close (overdue or undated: the
first month). Each is compared with what actually happened in those months:

- deals: the value of the deals won in the month — the learned forecast's open deals and new
  deals against the weighted pipeline;
- total: won deals plus orders — the learned forecast's total (the weighted pipeline has no
  orders).

Errors: MAE = mean |forecast − actual| over every (τ, month); MAPE = mean |forecast −
actual| / actual over those whose actual is not 0. Coverage: the share of (τ, month) whose
actual lies in the forecast's 80 % interval (between its 10th and 90th percentile).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.forecast.history import deals_at
from salesflow_xl.core.forecast.revenue import forecast, windows
from salesflow_xl.core.metrics.pipeline import effective_probability

#: Months of history a forecast needs behind it to be replayed.
MIN_HISTORY_MONTHS = 6


@dataclass(frozen=True)
class Backtest:
    """A replay: ``rows`` has one row per (origin, month) — origin (τ), month, ahead (1 …
    horizon), actual_deals, learned_deals, deals_low, deals_high, weighted, actual_total,
    learned_total, low, high; ``scores`` one row per forecast and measure (see
    :func:`scores`)."""

    horizon: int
    rows: pd.DataFrame
    scores: pd.DataFrame


def origins(data: SalesData, horizon: int) -> list[date]:
    """The month ends replayed: :data:`MIN_HISTORY_MONTHS` after the first stage-log month,
    up to the last whose ``horizon`` months end by the as-of date."""
    stamps = pd.to_datetime(data.stage_log["timestamp"])
    if stamps.empty:
        return []
    first = stamps.min().date()
    year, month = first.year, first.month + MIN_HISTORY_MONTHS
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    found = []
    while True:
        following = date(year + month // 12, month % 12 + 1, 1)
        origin = following - timedelta(days=1)
        if windows(origin, horizon)[-1][1] > data.settings.as_of:
            return found
        found.append(origin)
        year, month = following.year, following.month


def backtest(
    data: SalesData, horizon: int = 3, draws: int | None = None, seed: int = 0
) -> Backtest:
    """Replay the forecasts at every month end :func:`origins` gives."""
    now = deals_at(data.deals, data.stage_log, data.pipeline, data.settings.as_of)
    won = now[now["status"] == "won"]
    won_day = won["closed"].dt.date
    order_day = pd.to_datetime(data.orders["date"]).dt.date
    rows = []
    for index, origin in enumerate(origins(data, horizon)):
        then = deals_at(data.deals, data.stage_log, data.pipeline, origin)
        learned = forecast(data, horizon, origin, draws, seed + index, then=then).months
        weighted = _weighted(data, then, origin, horizon)
        for ahead, month in enumerate(learned.itertuples(index=False), start=1):
            in_month = (won_day >= month.start) & (won_day <= month.end)
            deals = float(won.loc[in_month, "value"].sum())
            ordered = (order_day >= month.start) & (order_day <= month.end)
            orders = float(data.orders.loc[ordered, "amount"].sum())
            rows.append(
                {
                    "origin": origin,
                    "month": month.month,
                    "ahead": ahead,
                    "actual_deals": deals,
                    "learned_deals": month.deals + month.new_deals,
                    "deals_low": month.deals_low,
                    "deals_high": month.deals_high,
                    "weighted": weighted[ahead - 1],
                    "actual_total": deals + orders,
                    "learned_total": month.total,
                    "low": month.low,
                    "high": month.high,
                }
            )
    frame = pd.DataFrame(rows)
    return Backtest(horizon, frame, scores(frame))


def _weighted(data: SalesData, then: pd.DataFrame, origin: date, horizon: int) -> list[float]:
    """The plain weighted pipeline at ``origin`` (``then``: the deals as they stood), by month
    of expected close."""
    is_open = then[then["status"] == "open"]
    weights = is_open["value"] * effective_probability(is_open, data.pipeline)
    spans = windows(origin, horizon)
    found = [0.0] * horizon
    for weight, expected in zip(weights, is_open["expected_close"], strict=True):
        day = pd.Timestamp(expected).date() if pd.notna(expected) else None
        month = 0
        if day is not None and day > origin:
            month = next((j for j, (_s, end) in enumerate(spans) if day <= end), horizon)
        if month < horizon:
            found[month] += float(weight)
    return found


def scores(rows: pd.DataFrame) -> pd.DataFrame:
    """Per forecast (learned deals, weighted pipeline, learned total): MAE, MAPE, the months
    compared and, for the learned ones, the interval's coverage."""
    found = []
    for name, column, actual, interval in (
        ("learned", "learned_deals", "actual_deals", ("deals_low", "deals_high")),
        ("weighted", "weighted", "actual_deals", None),
        ("learned total", "learned_total", "actual_total", ("low", "high")),
    ):
        if rows.empty:
            found.append({"forecast": name, "months": 0, "mae": np.nan, "mape": np.nan})
            continue
        error = (rows[column] - rows[actual]).abs()
        some = rows[actual] > 0
        coverage = np.nan
        if interval is not None:
            low, high = interval
            coverage = float(((rows[actual] >= rows[low]) & (rows[actual] <= rows[high])).mean())
        found.append(
            {
                "forecast": name,
                "months": len(rows),
                "mae": float(error.mean()),
                "mape": float((error[some] / rows.loc[some, actual]).mean())
                if some.any()
                else np.nan,
                "coverage": coverage,
            }
        )
    return pd.DataFrame(found)
