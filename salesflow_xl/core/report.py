"""The sales report: every headline figure of a workbook, computed once, for the terminal, JSON,
HTML and tests alike.

Period convention: figures about closed deals (win rate, average won deal, sales cycle, velocity,
lost reasons) count deals closed from ``start`` (default: the beginning of the data) to the
settings' ``as_of`` date, both inclusive. Pipeline figures (funnel, weighted pipeline, follow-ups,
rotting) describe the state at ``as_of``. The stage probabilities learned from the stage log
count every deal closed by ``as_of`` (:mod:`salesflow_xl.core.forecast.calibration`), whatever
the ``start``; the revenue forecast, when asked for, is made at ``as_of`` with what was known
then (:mod:`salesflow_xl.core.forecast.revenue`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesflow_xl.core import metrics
from salesflow_xl.core.clv import cohorts, rfm
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.forecast.calibration import (
    PRIOR_WEIGHT,
    calibrate_at,
    learned_probability,
    reached_counts,
)

if TYPE_CHECKING:
    from salesflow_xl.core.forecast.revenue import Forecast

#: The columns of :attr:`Report.stage_probabilities`, from
#: :func:`~salesflow_xl.core.forecast.calibration.calibrate_at`.
STAGE_PROBABILITY_COLUMNS = (
    "stage",
    "configured",
    "learned",
    "observed",
    "closed",
    "won",
    "days_to_close",
)


@dataclass(frozen=True)
class Report:
    """The figures of one workbook (see the module docstring for the period convention).

    ``stage_probabilities`` is None when :func:`build_report` was told not to learn them;
    ``revenue`` (the learned revenue forecast) is None unless it was asked for."""

    as_of: date
    start: date | None
    totals: dict[str, float]
    funnel: pd.DataFrame
    stage_conversion: pd.DataFrame
    days_in_stage: pd.DataFrame
    win_rate: float
    closed: dict[str, float]
    velocity: dict[str, float]
    lost_reasons: pd.DataFrame
    campaigns: pd.DataFrame
    channels: pd.DataFrame
    segments: pd.DataFrame
    top_customers: pd.DataFrame
    followups_due: pd.DataFrame
    rotting_deals: pd.DataFrame
    forecast: pd.DataFrame
    clv_distribution: pd.DataFrame
    rfm_segments: pd.DataFrame
    cohort_retention: pd.DataFrame
    stage_probabilities: pd.DataFrame | None = None
    revenue: Forecast | None = None
    #: per open stage: stage, configured, closed, won, learned — counted as the workbook's
    #: Furthest step column counts (cheap: the Dashboard's win-rate block shows them)
    win_rates: pd.DataFrame | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: tables become lists of row objects, NaN becomes None, dates
        ISO strings. The keys are documented in the README ("Report JSON")."""
        tables = {
            name: _rows(getattr(self, name))
            for name in (
                "funnel",
                "stage_conversion",
                "days_in_stage",
                "lost_reasons",
                "campaigns",
                "channels",
                "segments",
                "top_customers",
                "followups_due",
                "rotting_deals",
                "forecast",
                "clv_distribution",
                "rfm_segments",
            )
        }
        return {
            "as_of": self.as_of.isoformat(),
            "period": {
                "start": self.start.isoformat() if self.start else None,
                "end": self.as_of.isoformat(),
            },
            "totals": {k: _plain(v) for k, v in self.totals.items()},
            "win_rate": _plain(self.win_rate),
            "closed": {k: _plain(v) for k, v in self.closed.items()},
            "velocity": {k: _plain(v) for k, v in self.velocity.items()},
            **tables,
            "stage_probabilities": None
            if self.stage_probabilities is None
            else _rows(self.stage_probabilities),
            "cohort_retention": _rows(
                self.cohort_retention.rename(
                    columns=lambda c: c if isinstance(c, str) else f"month_{c}"
                )
            ),
        }


def build_report(
    data: SalesData,
    start: date | None = None,
    top: int = 10,
    learned: bool = True,
    revenue_months: int = 0,
) -> Report:
    """Compute the report of ``data`` for deals closed from ``start`` to ``data.settings.as_of``.

    ``learned``: with the stage probabilities learned from the stage log (a few hundredths of a
    second per thousand deals; the Dashboard's formula cells do without them).
    ``revenue_months``: with the learned revenue forecast for that many months (about a
    second: thousands of simulated futures); 0 for none."""
    as_of = data.settings.as_of
    deals, pipeline = data.deals, data.pipeline
    is_open = deals["status"] == "open"
    period = metrics.closed_in(deals, start, as_of)

    win_rate = metrics.win_rate_of(deals, start, as_of)
    velocity = {
        "open_deals": float(is_open.sum()),
        "win_rate": win_rate,
        "average_won_deal": metrics.average_won_deal(deals, start, as_of),
        "sales_cycle_days": metrics.sales_cycle_days(deals, start, as_of),
        "per_day": metrics.velocity_of(deals, start, as_of),
    }
    totals = _totals(data)
    closed, lost_in_period = _closed(deals, period)
    lost = deals.loc[lost_in_period, "lost_reason"].fillna("(none)")
    lost_reasons = (
        lost.value_counts().rename_axis("reason").rename("deals").reset_index()
        if len(lost)
        else pd.DataFrame({"reason": pd.Series(dtype=object), "deals": pd.Series(dtype="int64")})
    )
    segment_of = deals["customer_id"].map(data.customers.set_index("id")["segment"])

    value = metrics.customer_value(data.customers, data.orders, data.settings)
    top_customers = _top_customers(data, value, top)
    cohort_table = _cohort_table(data, as_of)
    rotting = metrics.rotting_deals(deals, pipeline, as_of)[
        ["id", "customer_id", "title", "stage", "value", "days_idle", "rotting_days"]
    ]
    return Report(
        as_of=as_of,
        start=start,
        totals=totals,
        funnel=metrics.funnel(deals, pipeline).reset_index(),
        stage_conversion=metrics.stage_conversion(data.stage_log, pipeline).reset_index(),
        days_in_stage=metrics.average_days_in_stage(data.stage_log, pipeline, as_of)
        .rename_axis("stage")
        .reset_index(),
        win_rate=win_rate,
        closed=closed,
        velocity=velocity,
        lost_reasons=lost_reasons,
        campaigns=metrics.campaign_performance(data.campaigns, deals, data.customers).reset_index(),
        channels=metrics.channel_performance(data.campaigns, deals, data.customers).reset_index(),
        segments=metrics.conversion_by(deals, segment_of).rename_axis("segment").reset_index(),
        top_customers=top_customers,
        followups_due=metrics.followups_due(data.activities, deals, as_of),
        rotting_deals=rotting.reset_index(drop=True),
        forecast=metrics.forecast_by_month(deals, pipeline, as_of),
        clv_distribution=metrics.clv_distribution(value.loc[value["orders"] > 0, "clv"]),
        rfm_segments=rfm.segment_summary(rfm.rfm(data.orders, as_of)),
        cohort_retention=cohort_table,
        stage_probabilities=stage_probabilities(data) if learned else None,
        revenue=_revenue(data, revenue_months) if revenue_months else None,
        win_rates=win_rates(data),
    )


def win_rates(data: SalesData) -> pd.DataFrame:
    """Per open stage, in funnel order: its configured probability, how many deals that reached
    it (furthest funnel step ≥ its step, as the Deals' Furthest step column has it: from both
    ends of the stage log's moves) are closed and won, and the learned probability
    (:func:`~salesflow_xl.core.forecast.calibration.learned_probability`). Vectorised: no
    history is replayed."""
    furthest = metrics.furthest_steps(data.deals, data.stage_log, data.pipeline)
    rows = []
    for step, stage in enumerate(data.pipeline.open_stages, start=1):
        closed, won = reached_counts(furthest, data.deals["status"], step)
        rows.append(
            {
                "stage": stage.name,
                "configured": stage.probability,
                "closed": closed,
                "won": won,
                "learned": learned_probability(won, closed, stage.probability, PRIOR_WEIGHT),
            }
        )
    return pd.DataFrame(rows, columns=["stage", "configured", "closed", "won", "learned"])


def stage_probabilities(data: SalesData) -> pd.DataFrame:
    """Per open stage, in funnel order: its configured probability, the one learned from the
    deals that reached it and closed by the as-of date, the share of them won (``observed``;
    NaN when none closed), how many closed and were won, and the median days from first
    reaching the stage to the win (:func:`~salesflow_xl.core.forecast.calibration.calibrate`)."""
    found = calibrate_at(data.deals, data.stage_log, data.pipeline, data.settings.as_of)
    if found.empty:
        return pd.DataFrame({column: [] for column in STAGE_PROBABILITY_COLUMNS})
    return found[list(STAGE_PROBABILITY_COLUMNS)].reset_index(drop=True)


def _revenue(data: SalesData, months: int) -> Forecast:
    # the BG/NBD and Gamma-Gamma fits need SciPy: imported only when a forecast is asked for
    from salesflow_xl.core.forecast import revenue

    return revenue.forecast(data, months)


def _totals(data: SalesData) -> dict[str, float]:
    """Counts and sums over the whole workbook (money in the workbook's currency)."""
    deals, is_open = data.deals, data.deals["status"] == "open"
    return {
        "customers": float(len(data.customers)),
        "deals": float(len(deals)),
        "open": float(is_open.sum()),
        "won": float((deals["status"] == "won").sum()),
        "lost": float((deals["status"] == "lost").sum()),
        "open_value": float(deals.loc[is_open, "value"].sum()),
        "weighted_pipeline": metrics.weighted_pipeline(deals, data.pipeline),
        "won_value": float(deals.loc[deals["status"] == "won", "value"].sum()),
        "orders": float(len(data.orders)),
        "order_revenue": float(data.orders["amount"].sum()),
    }


def _closed(
    deals: pd.DataFrame, period: pd.Series
) -> tuple[dict[str, float], pd.Series, pd.Series]:
    """Deals won and lost in the period (counts and values), and the two masks."""
    won_in_period = period & (deals["status"] == "won")
    lost_in_period = period & (deals["status"] == "lost")
    closed = {
        "won": float(won_in_period.sum()),
        "lost": float(lost_in_period.sum()),
        "won_value": float(deals.loc[won_in_period, "value"].sum()),
        "lost_value": float(deals.loc[lost_in_period, "value"].sum()),
    }
    return closed, lost_in_period


def _top_customers(data: SalesData, value: pd.DataFrame, top: int) -> pd.DataFrame:
    """The ``top`` customers by CLV (then revenue), with their names and segment."""
    people = data.customers.set_index("id")[["name", "company", "segment"]]
    return (
        people.join(value, how="inner")
        .sort_values(["clv", "revenue"], ascending=False)
        .head(top)
        .rename_axis("customer_id")
        .reset_index()
    )


def _cohort_table(data: SalesData, as_of: date) -> pd.DataFrame:
    """Retention by first-purchase month, with each cohort's size."""
    retention, _, sizes = cohorts.cohort_retention(data.orders, as_of)
    table = retention.copy()
    table.insert(0, "customers", sizes)
    return table.rename_axis("cohort").reset_index()


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    """A JSON-ready Python value: NaN, infinities and NaT → None, timestamps → ISO dates,
    numpy → Python."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number):
            return None
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return value
