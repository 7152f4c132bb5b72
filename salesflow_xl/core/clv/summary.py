"""From an orders table to the per-customer summary the CLV models take.

Conventions (those of Fader, Hardie & Lee and of lifetimes, so published data reproduce):
purchases on the same day count as one transaction (their amounts added); ``frequency`` is the
number of repeat transactions (transactions − 1); ``recency`` is the time from the first to the
last transaction and ``T`` from the first transaction to the end of the observation, both in the
chosen unit (days, weeks, or months of 365.25 / 12 days); ``monetary_value`` is the mean value
of the repeat transactions (0 without repeats). With a calibration end date, the summary covers
the calibration period and ``frequency_holdout`` / ``monetary_value_holdout`` count the
transactions after it, up to the observation end.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.i18n import _

UNITS: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12}


def unit_days(unit: str) -> float:
    if unit not in UNITS:
        raise InvalidArgumentError(
            "unit", unit, _("one of {choices}").format(choices=", ".join(UNITS))
        )
    return UNITS[unit]


def daily_transactions(orders: pd.DataFrame) -> pd.DataFrame:
    """One row per customer and day: customer_id, date (normalised), amount (summed)."""
    frame = pd.DataFrame(
        {
            "customer_id": orders["customer_id"],
            "date": pd.to_datetime(orders["date"]).dt.normalize(),
            "amount": pd.to_numeric(orders["amount"]),
        }
    )
    return frame.groupby(["customer_id", "date"], as_index=False)["amount"].sum()


def customer_summary(
    orders: pd.DataFrame,
    observation_end: date,
    unit: str = "weeks",
    calibration_end: date | None = None,
) -> pd.DataFrame:
    """Per customer (index: customer_id): frequency, recency, T, monetary_value, and with a
    calibration end also frequency_holdout, monetary_value_holdout and duration_holdout."""
    days = unit_days(unit)
    end = pd.Timestamp(observation_end)
    cut = pd.Timestamp(calibration_end) if calibration_end is not None else end
    if cut > end:
        raise InvalidArgumentError(
            "calibration_end",
            calibration_end,
            _("on or before the observation end {end}").format(end=observation_end),
        )
    daily = daily_transactions(orders)
    daily = daily[daily["date"] <= end]
    calibration = daily[daily["date"] <= cut]
    grouped = calibration.groupby("customer_id")
    first = grouped["date"].min()
    last = grouped["date"].max()
    count = grouped["date"].size()
    total = grouped["amount"].sum()
    first_amount = calibration.sort_values("date").groupby("customer_id")["amount"].first()
    frequency = (count - 1).astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        monetary = ((total - first_amount) / frequency).where(frequency > 0, 0.0)
    summary = pd.DataFrame(
        {
            "frequency": frequency,
            "recency": (last - first).dt.days / days,
            "T": (cut - first).dt.days / days,
            "monetary_value": monetary,
        }
    )
    summary.index.name = "customer_id"
    if calibration_end is not None:
        holdout = daily[daily["date"] > cut].groupby("customer_id")["amount"]
        summary["frequency_holdout"] = holdout.size().reindex(summary.index).fillna(0.0)
        summary["monetary_value_holdout"] = holdout.mean().reindex(summary.index).fillna(0.0)
        summary["duration_holdout"] = (end - cut).days / days
    return summary
