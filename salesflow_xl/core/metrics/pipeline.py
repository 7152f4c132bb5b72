"""Pipeline metrics over whole tables (vectorised pandas).

Inputs are the typed frames of :mod:`salesflow_xl.core.dataset` (columns = record fields).
Period convention: a deal belongs to a period by its ``closed`` date, both ends inclusive;
"as of" dates count whole days (``as_of − date``). Aggregates over no rows are NaN, not errors:
an empty pipeline is a fact, not a mistake.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.i18n import _
from salesflow_xl.core.model import Pipeline

DAY = pd.Timedelta(days=1)


def effective_probability(deals: pd.DataFrame, pipeline: Pipeline) -> pd.Series:
    """Win chance per deal: 1 if won, 0 if lost, else the deal's own probability when set,
    else its stage's."""
    stage_probability = {s.name: s.probability for s in pipeline.stages}
    by_stage = deals["stage"].map(stage_probability).astype("float64")
    chance = deals["probability"].fillna(by_stage)
    chance = chance.where(deals["status"] != "won", 1.0)
    return chance.where(deals["status"] != "lost", 0.0)


def weighted_values(deals: pd.DataFrame, pipeline: Pipeline) -> pd.Series:
    """``value × effective probability`` per deal (see :func:`effective_probability`)."""
    return deals["value"] * effective_probability(deals, pipeline)


def weighted_pipeline(deals: pd.DataFrame, pipeline: Pipeline) -> float:
    """Weighted forecast: ``Σ value × probability`` over open deals (currency)."""
    is_open = deals["status"] == "open"
    return float(weighted_values(deals, pipeline)[is_open].sum())


def funnel(deals: pd.DataFrame, pipeline: Pipeline) -> pd.DataFrame:
    """Deals, value and weighted value per current stage, in pipeline order (every stage listed,
    zero where empty)."""
    frame = pd.DataFrame(
        {
            "stage": deals["stage"],
            "value": deals["value"],
            "weighted_value": weighted_values(deals, pipeline),
        }
    )
    grouped = frame.groupby("stage").agg(
        deals=("value", "size"), value=("value", "sum"), weighted_value=("weighted_value", "sum")
    )
    result = grouped.reindex(list(pipeline.names), fill_value=0)
    result["deals"] = result["deals"].astype("int64")
    result.index.name = "stage"
    return result


def funnel_snapshot(deals: pd.DataFrame, pipeline: Pipeline) -> pd.DataFrame:
    """The funnel from current stages only (no stage log): per stage the deals now in it and
    their value, ``at_or_beyond`` = deals now in this funnel stage or a later one (lost deals
    count only in their own row: where they were lost needs the log), and ``conversion`` =
    at_or_beyond ÷ the previous stage's (NaN for the first stage and the lost stage)."""
    current = funnel(deals, pipeline)
    funnel_names = [s.name for s in pipeline.funnel]
    counts = current.loc[funnel_names, "deals"].to_numpy()
    beyond = np.cumsum(counts[::-1])[::-1].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        conversion = np.concatenate([[np.nan], beyond[1:] / beyond[:-1]])
    result = current.assign(at_or_beyond=np.nan, conversion=np.nan)
    result.loc[funnel_names, "at_or_beyond"] = beyond
    result.loc[funnel_names, "conversion"] = np.where(np.isfinite(conversion), conversion, np.nan)
    return result


def forecast_by_month(deals: pd.DataFrame, pipeline: Pipeline, as_of: date) -> pd.DataFrame:
    """The weighted forecast of open deals by expected-close month ("2026-07"), oldest first.

    Columns: month, deals, value, weighted_value (``Σ value × effective probability``) and
    overdue (the month ended before ``as_of``'s month: the date needs a new estimate). Open deals
    without an expected close date form a last row, month "(no date)". The weighted values add up
    to :func:`weighted_pipeline`.
    """
    is_open = deals["status"] == "open"
    close = deals.loc[is_open, "expected_close"]
    month_index = close.dt.year * 12 + close.dt.month - 1
    frame = pd.DataFrame(
        {
            "key": month_index.fillna(np.inf),
            "value": deals.loc[is_open, "value"],
            "weighted_value": weighted_values(deals, pipeline)[is_open],
        }
    )
    grouped = frame.groupby("key").agg(
        deals=("value", "size"), value=("value", "sum"), weighted_value=("weighted_value", "sum")
    )
    now = as_of.year * 12 + as_of.month - 1
    keys = grouped.index.to_numpy(dtype="float64")
    months = [
        f"{int(k) // 12}-{int(k) % 12 + 1:02d}" if np.isfinite(k) else "(no date)" for k in keys
    ]
    result = grouped.reset_index(drop=True)
    result.insert(0, "month", months)
    result["deals"] = result["deals"].astype("int64")
    result["overdue"] = keys < now
    return result


def funnel_rows(snapshot: pd.DataFrame) -> list[list[Any]]:
    """A :func:`funnel_snapshot` as the rows of a sheet table (FUNNEL's result): a header row,
    then one row per stage, blank ("") where a figure is not defined."""
    table: list[list[Any]] = [["Stage", "Deals", "Value", "At or beyond", "Conversion"]]
    for stage, row in snapshot.iterrows():
        beyond = "" if pd.isna(row["at_or_beyond"]) else int(row["at_or_beyond"])
        conversion = "" if pd.isna(row["conversion"]) else float(row["conversion"])
        table.append([stage, int(row["deals"]), float(row["value"]), beyond, conversion])
    return table


def closed_in(deals: pd.DataFrame, start: date | None = None, end: date | None = None) -> pd.Series:
    """True for deals won or lost with a ``closed`` date in [start, end] (open ends unbounded)."""
    mask = deals["status"].isin(["won", "lost"]) & deals["closed"].notna()
    if start is not None:
        mask &= deals["closed"] >= pd.Timestamp(start)
    if end is not None:
        mask &= deals["closed"] <= pd.Timestamp(end)
    return mask


def win_rate_of(deals: pd.DataFrame, start: date | None = None, end: date | None = None) -> float:
    """``won ÷ (won + lost)`` for deals closed in [start, end]; NaN when none closed."""
    status = deals.loc[closed_in(deals, start, end), "status"]
    return float((status == "won").mean()) if len(status) else float("nan")


def average_won_deal(
    deals: pd.DataFrame, start: date | None = None, end: date | None = None
) -> float:
    """Mean value of deals won in [start, end] (currency); NaN when none."""
    won = deals.loc[closed_in(deals, start, end) & (deals["status"] == "won"), "value"]
    return float(won.mean()) if len(won) else float("nan")


def sales_cycle_days(
    deals: pd.DataFrame, start: date | None = None, end: date | None = None
) -> float:
    """Mean days from ``created`` to ``closed`` of deals won in [start, end]; NaN when none."""
    won = deals[closed_in(deals, start, end) & (deals["status"] == "won")]
    days = (won["closed"] - won["created"]) / DAY
    return float(days.mean()) if len(days) else float("nan")


def velocity_of(deals: pd.DataFrame, start: date | None = None, end: date | None = None) -> float:
    """Pipeline velocity, currency per day:
    ``open deals × win rate × average won deal ÷ sales-cycle days``; the last three from deals
    closed in [start, end]. NaN when nothing was won in the period."""
    cycle = sales_cycle_days(deals, start, end)
    if not cycle > 0:
        return float("nan")
    open_deals = int((deals["status"] == "open").sum())
    return open_deals * win_rate_of(deals, start, end) * average_won_deal(deals, start, end) / cycle


def stage_reach(stage_log: pd.DataFrame, pipeline: Pipeline) -> pd.Series:
    """Per deal, the furthest funnel position it ever reached (0 = first open stage, the won stage
    last). Both ends of every logged move count, so a deal first logged mid-funnel has reached its
    earlier stages; moving to the lost stage reaches nothing new."""
    rank = {s.name: i for i, s in enumerate(pipeline.funnel)}
    rank[pipeline.lost.name] = -1
    moves = pd.concat(
        [
            stage_log[["deal_id", "from_stage"]].rename(columns={"from_stage": "stage"}),
            stage_log[["deal_id", "to_stage"]].rename(columns={"to_stage": "stage"}),
        ]
    ).dropna(subset=["stage"])
    ranks = moves["stage"].map(rank)
    unknown = ranks.isna()
    if unknown.any():
        bad = moves.loc[unknown, "stage"].iloc[0]
        choices = ", ".join(pipeline.names)
        raise InvalidArgumentError(
            "stage_log stage", bad, _("one of {choices}").format(choices=choices)
        )
    return ranks.groupby(moves["deal_id"]).max().astype("int64").rename("reach")


def furthest_steps(deals: pd.DataFrame, stage_log: pd.DataFrame, pipeline: Pipeline) -> pd.Series:
    """Per deal (in ``deals``' order): the furthest funnel step its stage-log rows reached,
    1-based as the Stages' Funnel step (the won stage last), 0 for a deal without rows — the
    Deals' Furthest step column (:func:`stage_reach` + 1)."""
    reach = stage_reach(stage_log, pipeline)
    return deals["id"].map(reach + 1).fillna(0).astype("int64")


def stage_conversion(stage_log: pd.DataFrame, pipeline: Pipeline) -> pd.DataFrame:
    """Stage-to-stage conversion from the stage log, one row per funnel stage.

    ``reached`` = deals that ever reached the stage or a later one (skipped stages count as passed
    through; a deal that moves back and forward again counts once). ``conversion`` = reached(s) ÷
    reached(previous stage), NaN for the first stage; ``from_first`` = reached(s) ÷ reached(first).
    """
    reach = stage_reach(stage_log, pipeline).to_numpy()
    names = [s.name for s in pipeline.funnel]
    reached = np.array([(reach >= i).sum() for i in range(len(names))], dtype="int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        conversion = np.concatenate([[np.nan], reached[1:] / reached[:-1]])
        from_first = reached / reached[0]
    return pd.DataFrame(
        {"reached": reached, "conversion": conversion, "from_first": from_first},
        index=pd.Index(names, name="stage"),
    )


def time_in_stage(stage_log: pd.DataFrame, pipeline: Pipeline, as_of: date) -> pd.DataFrame:
    """Every stay of a deal in an open stage: deal_id, stage, entered, left (NaT while still
    there), days (fractional; a current stay counts up to ``as_of``)."""
    log = stage_log.sort_values(["deal_id", "timestamp"], kind="stable")
    left = log.groupby("deal_id")["timestamp"].shift(-1)
    stays = pd.DataFrame(
        {
            "deal_id": log["deal_id"],
            "stage": log["to_stage"],
            "entered": log["timestamp"],
            "left": left,
        }
    )
    open_names = [s.name for s in pipeline.open_stages]
    stays = stays[stays["stage"].isin(open_names)].reset_index(drop=True)
    end = stays["left"].fillna(pd.Timestamp(as_of))
    stays["days"] = ((end - stays["entered"]) / DAY).clip(lower=0.0)
    return stays


def average_days_in_stage(stage_log: pd.DataFrame, pipeline: Pipeline, as_of: date) -> pd.Series:
    """Mean days of completed stays per open stage (stays still running are left out: they have
    not ended, and counting them would understate slow stages). NaN where no stay completed."""
    stays = time_in_stage(stage_log, pipeline, as_of)
    done = stays[stays["left"].notna()]
    means = done.groupby("stage")["days"].mean()
    return means.reindex([s.name for s in pipeline.open_stages]).rename("average_days")


def days_idle(deals: pd.DataFrame, as_of: date) -> pd.Series:
    """Whole days since the deal was last touched: ``max(0, as_of − max(stage_entered,
    last_activity))`` (a touch after ``as_of`` — a date pinned in the past — counts as 0)."""
    touched = deals[["stage_entered", "last_activity"]].max(axis=1)
    return ((pd.Timestamp(as_of) - touched) / DAY).clip(lower=0.0).astype("float64")


def rotting_deals(deals: pd.DataFrame, pipeline: Pipeline, as_of: date) -> pd.DataFrame:
    """Open deals idle longer than their stage's rotting days, most idle first, with
    ``days_idle`` and ``rotting_days`` added."""
    limit = deals["stage"].map({s.name: s.rotting_days for s in pipeline.stages})
    limit = pd.to_numeric(limit, errors="coerce").astype("float64")
    idle = days_idle(deals, as_of)
    mask = (deals["status"] == "open") & limit.notna() & (idle > limit)
    result = deals[mask].assign(days_idle=idle[mask], rotting_days=limit[mask])
    return result.sort_values(["days_idle", "id"], ascending=[False, True])


def followups_due(activities: pd.DataFrame, deals: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """What needs doing by ``as_of``, oldest first: activities not done with ``due ≤ as_of`` and
    open deals whose ``next_follow_up ≤ as_of``.

    Columns: source ("activity" or "deal"), id, deal_id, customer_id, what, due, days_overdue
    (0 = due today).
    """
    cutoff = pd.Timestamp(as_of)
    todo = activities[activities["done"].isna() & (activities["due"] <= cutoff)]
    from_activities = pd.DataFrame(
        {
            "source": "activity",
            "id": todo["id"],
            "deal_id": todo["deal_id"],
            "customer_id": todo["customer_id"],
            "what": todo["type"] + todo["note"].fillna("").map(lambda n: f": {n}" if n else ""),
            "due": todo["due"],
        }
    )
    chase = deals[(deals["status"] == "open") & (deals["next_follow_up"] <= cutoff)]
    from_deals = pd.DataFrame(
        {
            "source": "deal",
            "id": chase["id"],
            "deal_id": chase["id"],
            "customer_id": chase["customer_id"],
            "what": "Follow up: " + chase["title"].astype(str),
            "due": chase["next_follow_up"],
        }
    )
    parts = [p for p in (from_activities, from_deals) if len(p)]
    if not parts:
        return from_activities.assign(days_overdue=pd.Series(dtype="int64"))
    due = pd.concat(parts, ignore_index=True)
    due["days_overdue"] = ((cutoff - due["due"]) / DAY).astype("int64")
    return due.sort_values(["due", "source", "id"], kind="stable").reset_index(drop=True)
