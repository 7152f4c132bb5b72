"""RFM scores 1–5 and named segments, with an explicit rule for ties.

Ties are the normal case: about half of real customers buy exactly once, so plain quintile cuts
either fail (duplicate bin edges) or give equal customers different scores. The rule here:

    score = 1 + ⌊5 × (share of customers strictly worse)⌋, capped at 5

Equal values always get equal scores, and a score says how many customers one beats: the
one-time buyers (nobody buys less) all score F = 1; customers with two orders, who beat that
half, score F = 3. Recency is "days since the last order as of the date", fewer is better;
frequency is the number of purchase days (five order lines on one day are one purchase, as
BG/NBD counts them); monetary is total spend.

Segments are read from R and F, in this order (the first that matches):
Champions (R ≥ 4, F ≥ 4), Loyal (R ≥ 3, F ≥ 3), New customers (R = 5, F ≤ 2), Potential
loyalists (R ≥ 4), At risk (R ≤ 2, F ≥ 3), Needs attention (R = 3), Hibernating (the rest).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from salesflow_xl.core.i18n import N_

#: The segments' names (internal keys, in English; shown through :func:`~salesflow_xl.core.i18n._`).
SEGMENTS = (
    N_("Champions"),
    N_("Loyal"),
    N_("New customers"),
    N_("Potential loyalists"),
    N_("At risk"),
    N_("Needs attention"),
    N_("Hibernating"),
)


def tie_safe_scores(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """1–5 scores: 1 + ⌊5 × share of customers strictly worse⌋ (capped at 5)."""
    worse = values.rank(method="min", ascending=higher_is_better) - 1
    return np.minimum(5, 1 + np.floor(5 * worse / len(values))).astype("int64")


def segment(recency_score: int, frequency_score: int) -> str:
    r, f = recency_score, frequency_score
    if r >= 4 and f >= 4:
        return "Champions"
    if r >= 3 and f >= 3:
        return "Loyal"
    if r == 5 and f <= 2:
        return "New customers"
    if r >= 4:
        return "Potential loyalists"
    if r <= 2 and f >= 3:
        return "At risk"
    if r == 3:
        return "Needs attention"
    return "Hibernating"


def rfm(orders: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per customer with orders up to ``as_of``: recency_days, frequency, monetary, the three
    scores, an "RFM" code such as "545", and the segment."""
    cutoff = pd.Timestamp(as_of)
    days = pd.to_datetime(orders["date"]).dt.normalize()
    past = orders.assign(day=days)[days <= cutoff]
    grouped = past.groupby("customer_id")
    table = pd.DataFrame(
        {
            "recency_days": (cutoff - grouped["day"].max()).dt.days,
            "frequency": grouped["day"].nunique(),
            "monetary": grouped["amount"].sum(),
        }
    )
    if table.empty:
        return table.assign(r_score=[], f_score=[], m_score=[], rfm=[], segment=[])
    table["r_score"] = tie_safe_scores(table["recency_days"], higher_is_better=False)
    table["f_score"] = tie_safe_scores(table["frequency"])
    table["m_score"] = tie_safe_scores(table["monetary"])
    table["rfm"] = (
        table["r_score"].astype(str) + table["f_score"].astype(str) + table["m_score"].astype(str)
    )
    table["segment"] = [
        segment(r, f) for r, f in zip(table["r_score"], table["f_score"], strict=True)
    ]
    return table


def segment_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per segment of an :func:`rfm` table, in :data:`SEGMENTS` order (every segment listed):
    customers, share of customers, revenue (Σ monetary), share of revenue, average recency_days
    and average frequency (NaN for an empty segment)."""
    grouped = table.groupby("segment").agg(
        customers=("frequency", "size"),
        revenue=("monetary", "sum"),
        recency_days=("recency_days", "mean"),
        frequency=("frequency", "mean"),
    )
    result = grouped.reindex(list(SEGMENTS))
    result["customers"] = result["customers"].fillna(0).astype("int64")
    result["revenue"] = result["revenue"].fillna(0.0)
    total_customers, total_revenue = result["customers"].sum(), result["revenue"].sum()
    result.insert(
        1, "customer_share", result["customers"] / total_customers if total_customers else np.nan
    )
    result.insert(
        3, "revenue_share", result["revenue"] / total_revenue if total_revenue else np.nan
    )
    result.index.name = "segment"
    return result.reset_index()
