"""Probabilistic customer lifetime value: BG/NBD purchases × Gamma-Gamma spend, discounted.

CLV over ``horizon_months`` = Σ_{i=1..H} (E[purchases by month i] − E[purchases by month i−1])
× expected spend per purchase × gross margin ÷ (1 + monthly discount rate)^i — the discounted
sum lifetimes and the literature use, with purchases from the BG/NBD conditional expectation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesflow_xl.core import checks
from salesflow_xl.core.clv import bgnbd, gamma_gamma
from salesflow_xl.core.clv.summary import UNITS, unit_days


@dataclass(frozen=True)
class CustomerValueModel:
    """The two fitted models and the time unit their summaries used."""

    purchases: bgnbd.BetaGeoParams
    spend: gamma_gamma.GammaGammaParams
    unit: str


def fit(summary: pd.DataFrame, unit: str) -> CustomerValueModel:
    """Fit BG/NBD on frequency, recency and T, and Gamma-Gamma on the repeat buyers' spend."""
    unit_days(unit)
    purchases = bgnbd.fit(summary["frequency"], summary["recency"], summary["T"])
    spend = gamma_gamma.fit(summary["frequency"], summary["monetary_value"])
    return CustomerValueModel(purchases, spend, unit)


def warnings(model: CustomerValueModel) -> list[str]:
    """What the user should know before trusting the fitted model: parameters the data could
    not pin down (they ran to the search's limit), and repeat buyers Gamma-Gamma left out."""
    said = []
    for name, params in (("BG/NBD", model.purchases), ("Gamma-Gamma", model.spend)):
        if params.at_limit:
            said.append(
                f"{name}: {', '.join(params.at_limit)} ran to the limit of the search: the data "
                "cannot support the model (too few repeat purchases, or purchases too regular "
                "or too random for it); treat its predictions with caution"
            )
    if model.spend.left_out:
        said.append(
            f"Gamma-Gamma: {model.spend.left_out:,} repeat buyer(s) left out: their repeat "
            "purchases are worth 0"
        )
    return said


def predict(
    model: CustomerValueModel,
    summary: pd.DataFrame,
    horizon_months: float = 12.0,
    monthly_discount_rate: float = 0.01,
    gross_margin: float = 1.0,
) -> pd.DataFrame:
    """Per customer: probability_alive, expected_purchases (over the horizon),
    expected_average_spend and clv (discounted margin over the horizon)."""
    months = checks.positive("horizon_months", horizon_months)
    rate = checks.non_negative("monthly_discount_rate", monthly_discount_rate)
    margin = checks.fraction("gross_margin", gross_margin)
    per_month = UNITS["months"] / UNITS[model.unit]  # model time units in one month
    x, t_x, big_t = (summary[c].to_numpy(dtype="float64") for c in ("frequency", "recency", "T"))
    spend = gamma_gamma.expected_average_spend(model.spend, x, summary["monetary_value"].to_numpy())
    clv = np.zeros(len(summary))
    previous = np.zeros(len(summary))
    steps = int(np.ceil(months))
    for month in range(1, steps + 1):
        horizon = min(month, months) * per_month
        cumulative = bgnbd.expected_purchases(model.purchases, horizon, x, t_x, big_t)
        clv += (cumulative - previous) * spend * margin / (1 + rate) ** month
        previous = cumulative
    return pd.DataFrame(
        {
            "probability_alive": bgnbd.probability_alive(model.purchases, x, t_x, big_t),
            "expected_purchases": previous,
            "expected_average_spend": spend,
            "clv": clv,
        },
        index=summary.index,
    )
