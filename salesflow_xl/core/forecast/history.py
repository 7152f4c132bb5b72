"""The deals as they stood at a moment of the past, from the stage log.

The stage log is append-only: every row is a move of one deal at a time stamp. So the state of
the pipeline at any moment ``at`` is the log's rows up to ``at``: a deal existed when its first
row is at or before ``at``; its stage then was the To stage of its last row up to ``at``, which
it entered at that row's time; it was closed when that stage is the won or lost stage; its
furthest funnel step is the highest step its rows up to ``at`` reached.

Funnel steps, as the Stages sheet numbers them: the open stages 1…n in order, the won stage
n + 1, the lost stage 0. A deal *reached* a stage of step k when its furthest step is ≥ k: a
deal that skipped a stage reached it too, and every won deal reached every stage.

A deal without stage-log rows (typed in by hand) is taken as the Deals table has it, from its
created date on, having reached no funnel step (as the Deals' *Furthest step* column, 0, says:
so the learned probabilities count the deals ``LEARNED_PROBABILITY`` and the Stages' *Learned
probability* column count); its current stage still places it in the forecast. Values,
customers, expected close dates and the deals' own probabilities are as the Deals table has them
now (the log does not record their history).
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from salesflow_xl.core.model import Pipeline


def steps(pipeline: Pipeline) -> dict[str, int]:
    """Stage name → funnel step (open stages 1…n, won n + 1, lost 0)."""
    found = {stage.name: number for number, stage in enumerate(pipeline.funnel, start=1)}
    found[pipeline.lost.name] = 0
    return found


def moment(at: date | datetime) -> pd.Timestamp:
    """``at`` as the last instant it covers: a date is the end of that day."""
    if isinstance(at, datetime):
        return pd.Timestamp(at)
    return pd.Timestamp(at) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)


def deals_at(
    deals: pd.DataFrame, stage_log: pd.DataFrame, pipeline: Pipeline, at: date | datetime
) -> pd.DataFrame:
    """The deals that existed at ``at``, one row each (the Deals table's order), with columns
    ``id``, ``customer_id``, ``value``, ``probability`` (the deal's own), ``expected_close``,
    ``stage``, ``status`` ("open", "won", "lost" at ``at``), ``entered`` (when it entered that
    stage), ``closed`` (when it closed, NaT while open), ``furthest`` (its furthest funnel
    step), ``reached`` (when it first reached each step: a dict step → time), ``visited``
    (when it first entered each stage it was in, by step) and ``first_seen`` (when it came
    in)."""
    when = moment(at)
    step_of = steps(pipeline)
    outcome = {s.name: s.outcome for s in pipeline.stages}
    columns = ["timestamp", "deal_id", "from_stage", "to_stage"]
    log = stage_log.loc[stage_log["timestamp"] <= when, columns]
    log = log.assign(
        step=log["to_stage"].map(step_of).fillna(0).astype("int64"),
        # both ends of a move count (as the Deals' Furthest step counts them): a deal first
        # logged leaving a stage had reached it by then
        came_from=log["from_stage"].map(step_of).fillna(0).astype("int64"),
    )
    log = log.sort_values("timestamp", kind="stable")
    last = log.groupby("deal_id", sort=False).tail(1).set_index("deal_id")
    furthest = log[["step", "came_from"]].max(axis=1).groupby(log["deal_id"]).max()
    first_seen = log.groupby("deal_id")["timestamp"].min()
    reached: dict[str, dict[int, pd.Timestamp]] = {}
    visited: dict[str, dict[int, pd.Timestamp]] = {}
    for deal_id, step, came_from, stamp in zip(
        log["deal_id"], log["step"], log["came_from"], log["timestamp"], strict=True
    ):
        marks = reached.setdefault(deal_id, {})
        for k in range(1, int(max(step, came_from)) + 1):
            marks.setdefault(k, stamp)
        visited.setdefault(deal_id, {}).setdefault(int(step), stamp)
    ids = deals["id"]
    logged = ids.isin(last.index).to_numpy()
    never_logged = ~ids.isin(stage_log["deal_id"]).to_numpy()
    unlogged = never_logged & (pd.to_datetime(deals["created"]) <= when).to_numpy()
    frame = deals.loc[logged | unlogged, ["id", "customer_id", "value", "probability"]].copy()
    frame["expected_close"] = deals.loc[logged | unlogged, "expected_close"]
    in_log = frame["id"].isin(last.index)
    stage = frame["id"].map(last["to_stage"])
    frame["stage"] = stage.where(in_log, deals.loc[logged | unlogged, "stage"])
    frame["status"] = frame["stage"].map(outcome).fillna("open")
    entered = _mapped(frame["id"], last["timestamp"])
    own_entered = pd.to_datetime(deals.loc[logged | unlogged, "stage_entered"])
    frame["entered"] = entered.where(in_log, own_entered)
    closed_now = pd.to_datetime(deals.loc[logged | unlogged, "closed"])
    frame["closed"] = frame["entered"].where(frame["status"] != "open", pd.NaT)
    frame.loc[~in_log & (frame["status"] != "open"), "closed"] = closed_now
    table_steps = frame["stage"].map(step_of).fillna(0).astype("int64")
    # no stage-log rows: reached no step, as the Deals' Furthest step column says (0), so the
    # learned probabilities, LEARNED_PROBABILITY and the Stages column count the same deals
    frame["furthest"] = _mapped(frame["id"], furthest).fillna(0).astype("int64")
    frame["reached"] = [reached.get(i, {}) for i in frame["id"]]
    frame["visited"] = [
        visited.get(i, {}) or {s: e}
        for i, s, e in zip(frame["id"], table_steps, frame["entered"], strict=True)
    ]
    frame["first_seen"] = _mapped(frame["id"], first_seen).where(in_log, own_entered)
    return frame.reset_index(drop=True)


def _mapped(ids: pd.Series, values: pd.Series) -> pd.Series:
    """``ids.map(values)``, also where either is empty (pandas cannot map an empty column
    onto timestamps, nor IDs onto no timestamps: a workbook without deals, or with deals but
    no stage-log rows yet)."""
    if len(ids) and len(values):
        return ids.map(values)
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values):
        return pd.Series(pd.NaT, index=ids.index, dtype=values.dtype)
    return pd.Series(float("nan"), index=ids.index)
