"""Campaign and channel economics: ROI, ROAS and CAC over whole tables.

Attribution: a deal's value counts for the campaign (and channel) named on the deal. A
campaign's spend is counted once, however many deals it won: deals are grouped per campaign
first and only then joined to the campaign row. "New customers" of a campaign (or channel) are
the customers it acquired (the customer's own campaign / channel) who have won at least one
deal: acquisition cost is about customers, whatever they bought later. Ratios whose denominator
is zero are NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _deal_totals(deals: pd.DataFrame, key: str) -> pd.DataFrame:
    won = deals["status"] == "won"
    closed = deals["status"].isin(["won", "lost"])
    frame = pd.DataFrame(
        {
            key: deals[key],
            "deals": 1,
            "won": won.astype("int64"),
            "closed": closed.astype("int64"),
            "revenue": deals["value"].where(won, 0.0),
        }
    ).dropna(subset=[key])
    return frame.groupby(key).agg(
        deals=("deals", "sum"),
        won=("won", "sum"),
        closed=("closed", "sum"),
        revenue=("revenue", "sum"),
    )


def won_customers(customers: pd.DataFrame, deals: pd.DataFrame) -> pd.Series:
    """True for each customer (aligned with ``customers``) with at least one won deal."""
    winners = deals.loc[deals["status"] == "won", "customer_id"]
    return customers["id"].isin(winners)


def _new_customers(customers: pd.DataFrame, deals: pd.DataFrame, key: str) -> pd.Series:
    acquired = customers.loc[won_customers(customers, deals), key].dropna()
    return acquired.value_counts().rename("new_customers")


def _ratios(table: pd.DataFrame) -> pd.DataFrame:
    spend = table["spend"].where(table["spend"] > 0)
    customers = table["new_customers"].where(table["new_customers"] > 0)
    closed = table["closed"].where(table["closed"] > 0)
    return table.assign(
        win_rate=table["won"] / closed,
        roi=(table["revenue"] - table["spend"]) / spend,
        roas=table["revenue"] / spend,
        cac=table["spend"] / customers,
    ).drop(columns="closed")


def campaign_performance(
    campaigns: pd.DataFrame, deals: pd.DataFrame, customers: pd.DataFrame
) -> pd.DataFrame:
    """One row per campaign (index: name): channel, spend, deals, won, revenue, new_customers,
    win_rate, roi = (revenue − spend) ÷ spend, roas = revenue ÷ spend,
    cac = spend ÷ new customers."""
    # outer: a campaign may have acquired customers without any deal naming it
    totals = _deal_totals(deals, "campaign").join(
        _new_customers(customers, deals, "campaign"), how="outer"
    )
    table = campaigns.set_index("name")[["channel", "spend"]].join(totals, how="left")
    counts = ["deals", "won", "closed", "new_customers"]
    table[counts] = table[counts].fillna(0).astype("int64")
    table["revenue"] = table["revenue"].fillna(0.0)
    table.index.name = "campaign"
    return _ratios(table)


def channel_performance(
    campaigns: pd.DataFrame, deals: pd.DataFrame, customers: pd.DataFrame
) -> pd.DataFrame:
    """One row per acquisition channel (from deals and campaigns): spend (sum of its campaigns),
    deals, won, revenue, new_customers, win_rate, roi, roas, cac. Channels without spend (referrals,
    organic) have NaN ROI, ROAS and CAC."""
    totals = _deal_totals(deals, "channel")
    spend = campaigns.groupby("channel")["spend"].sum()
    table = totals.join(spend, how="outer").join(
        _new_customers(customers, deals, "channel"), how="outer"
    )
    counts = ["deals", "won", "closed", "new_customers"]
    table[counts] = table[counts].fillna(0).astype("int64")
    table[["revenue", "spend"]] = table[["revenue", "spend"]].fillna(0.0)
    table.index.name = "channel"
    table = table[["spend", "deals", "won", "closed", "revenue", "new_customers"]]
    return _ratios(table)


def conversion_by(deals: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Deals, won, lost, open, win rate and won value per group (a market segment or channel per
    deal, aligned with ``deals``' index); deals without a group are listed under "(none)"."""
    key = groups.reindex(deals.index).fillna("(none)").rename("group")
    status = deals["status"]
    frame = pd.DataFrame(
        {
            "deals": 1,
            "won": (status == "won").astype("int64"),
            "lost": (status == "lost").astype("int64"),
            "open": (status == "open").astype("int64"),
            "won_value": deals["value"].where(status == "won", 0.0),
        }
    )
    table = frame.groupby(key).sum()
    closed = (table["won"] + table["lost"]).replace(0, np.nan)
    table["win_rate"] = table["won"] / closed
    return table
