"""Customers drawn from the BG/NBD story itself, for tests and benchmarks.

Each customer buys for the first time at time 0, then at exponential intervals with her own
rate λ ~ Gamma(r, scale 1/α) and, after every repeat purchase, drops out with her own
probability p ~ Beta(a, b) (the likelihood of FHL 2005: a customer is alive until her first
repeat purchase). Purchases up to ``age`` form the summary (frequency, recency, T);
those in the following ``holdout`` time units are counted as ``frequency_holdout``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesflow_xl.core.clv.bgnbd import BetaGeoParams


def simulate(
    params: BetaGeoParams,
    customers: int,
    age: float | np.ndarray,
    holdout: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """A summary frame for ``customers`` simulated customers (vectorised; one pass per
    purchase number)."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(params.r, 1.0 / params.alpha, customers)
    dropout = rng.beta(params.a, params.b, customers)
    big_t = np.broadcast_to(np.asarray(age, dtype="float64"), (customers,)).copy()
    end = big_t + holdout
    time = np.zeros(customers)
    alive = np.ones(customers, dtype=bool)  # BG/NBD: dropping out follows repeat purchases
    frequency = np.zeros(customers)
    recency = np.zeros(customers)
    later = np.zeros(customers)
    while alive.any():
        time = np.where(alive, time + rng.exponential(1.0 / np.maximum(rate, 1e-300)), time)
        alive &= time <= end
        in_calibration = alive & (time <= big_t)
        frequency += in_calibration
        recency = np.where(in_calibration, time, recency)
        later += alive & (time > big_t)
        alive &= rng.random(customers) >= dropout
    return pd.DataFrame(
        {"frequency": frequency, "recency": recency, "T": big_t, "frequency_holdout": later}
    )
