"""Cohort retention by first-purchase month.

A customer's cohort is the calendar month of her first order. Month k of a cohort is the k-th
calendar month after it (k = 0 is the first month). Customer retention(c, k) = customers of
cohort c who ordered in month k ÷ customers in cohort c (so month 0 is 100 %); revenue
retention(c, k) = the cohort's revenue in month k ÷ its revenue in month 0. Months not yet
reached by ``as_of`` are left empty (NaN).
"""

from __future__ import annotations

from datetime import date

import pandas as pd


def _month_index(dates: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(dates)
    return stamps.dt.year * 12 + stamps.dt.month - 1


def cohort_retention(
    orders: pd.DataFrame, as_of: date
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """(customer retention, revenue retention, cohort sizes): rows are cohorts ("2026-01"),
    columns months since the first purchase."""
    cutoff = pd.Timestamp(as_of)
    past = orders[pd.to_datetime(orders["date"]) <= cutoff].copy()
    if past.empty:
        cohorts = pd.Index([], dtype=object, name="cohort")
        empty = pd.DataFrame(index=cohorts, columns=pd.RangeIndex(0, name="month"), dtype=float)
        return empty, empty.copy(), pd.Series(index=cohorts, dtype="int64", name="customers")
    past["month"] = _month_index(past["date"])
    past["cohort"] = past.groupby("customer_id")["month"].transform("min")
    past["k"] = past["month"] - past["cohort"]
    sizes = past.groupby("cohort")["customer_id"].nunique()
    active = past.groupby(["cohort", "k"])["customer_id"].nunique().unstack(fill_value=0)
    revenue = past.groupby(["cohort", "k"])["amount"].sum().unstack(fill_value=0.0)
    last_month = cutoff.year * 12 + cutoff.month - 1
    columns = range(0, int(last_month - sizes.index.min()) + 1)
    active = active.reindex(columns=columns, fill_value=0)
    revenue = revenue.reindex(columns=columns, fill_value=0.0)
    reached = pd.DataFrame({k: sizes.index + k <= last_month for k in columns}, index=sizes.index)
    customers = active.div(sizes, axis=0).where(reached)
    money = revenue.div(revenue[0], axis=0).where(reached)
    labels = [f"{index // 12}-{index % 12 + 1:02d}" for index in sizes.index]
    for frame in (customers, money):
        frame.index = pd.Index(labels, name="cohort")
        frame.columns.name = "month"
    sizes.index = pd.Index(labels, name="cohort")
    return customers, money, sizes.rename("customers")
