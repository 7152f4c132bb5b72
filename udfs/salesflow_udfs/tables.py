"""Table worksheet functions over the pipeline's columns: the funnel from current stages and
the stage-to-stage conversion from the stage log. Both spill."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from salesflow_udfs.cells import CATEGORY, column, excel_errors, is_number
from salesflow_xl.core import metrics
from salesflow_xl.core.dataset import to_frame
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.model import DEFAULT_PIPELINE, Pipeline, Stage, StageEvent


def _pipeline(stages: Any) -> Pipeline:
    """A pipeline from a stage-name column: open stages in order, then won, then lost (the
    Stages table's order); the default pipeline when omitted."""
    if stages is None or stages == "":
        return DEFAULT_PIPELINE
    names = [str(s).strip() for s in column(stages) if s not in (None, "")]
    if len(names) < 3:
        raise SalesflowError("stages must list the open stages, then won, then lost")
    return Pipeline(
        (
            *(Stage(n, 0.0) for n in names[:-2]),
            Stage(names[-2], 1.0, outcome="won"),
            Stage(names[-1], 0.0, outcome="lost"),
        )
    )


@xw.func(category=CATEGORY)
@xw.arg("stage_column", doc="Each deal's current stage, e.g. tblDeals[Stage].")
@xw.arg("value_column", doc="Each deal's value, e.g. tblDeals[Value].")
@xw.arg("stages", doc="Optional: the stages in order, e.g. tblStages[Stage].")
@excel_errors
def FUNNEL(stage_column, value_column, stages=None):
    """Funnel from current stages, spilled: per stage the deals in it, their value, the deals
    at or beyond it and the conversion from the previous stage (lost deals: their own row).
    Example: =FUNNEL(tblDeals[Stage], tblDeals[Value], tblStages[Stage])"""
    pipeline = _pipeline(stages)
    stage_list = column(stage_column)
    values = column(value_column)
    if len(stage_list) != len(values):
        raise SalesflowError("stage_column and value_column must have the same number of rows")
    rows = [
        (str(s).strip(), v)
        for s, v in zip(stage_list, values, strict=True)
        if s not in (None, "") and is_number(v)
    ]
    unknown = sorted({s for s, _ in rows if pipeline.find(s) is None})
    if unknown:
        raise SalesflowError(
            f"unknown stage {unknown[0]!r}; the stages are " + ", ".join(pipeline.names)
        )
    frame = pd.DataFrame(
        {
            "stage": [pipeline.stage(s).name for s, _ in rows],
            "value": [float(v) for _, v in rows],
            "probability": np.nan,
            "status": [pipeline.stage(s).outcome for s, _ in rows],
        }
    )
    return metrics.funnel_rows(metrics.funnel_snapshot(frame, pipeline))


@xw.func(category=CATEGORY)
@xw.arg("deal_ids", doc="The StageLog's Deal ID column.")
@xw.arg("from_stages", doc="The StageLog's From stage column.")
@xw.arg("to_stages", doc="The StageLog's To stage column.")
@xw.arg("stages", doc="Optional: the stages in order, e.g. tblStages[Stage].")
@excel_errors
def STAGE_CONVERSION(
    deal_ids,
    from_stages,
    to_stages,
    stages=None,
):
    """Stage log conversion, spilled: per stage the deals that reached it (skipped stages
    count, repeats once), from the previous stage and the first.
    Example: =STAGE_CONVERSION(tblStageLog[Deal ID], tblStageLog[From stage],
    tblStageLog[To stage])"""
    pipeline = _pipeline(stages)
    ids, froms, tos = column(deal_ids), column(from_stages), column(to_stages)
    if not len(ids) == len(froms) == len(tos):
        raise SalesflowError("the three StageLog columns must have the same number of rows")
    header_words = {"deal id", "from stage", "to stage"}
    events = [
        StageEvent(pd.Timestamp(0).to_pydatetime(), str(d), (str(f) if f else None), str(t))
        for d, f, t in zip(ids, froms, tos, strict=True)
        if d not in (None, "")
        and t not in (None, "")
        and str(t).strip().lower() not in header_words
    ]
    result = metrics.stage_conversion(to_frame(events, StageEvent), pipeline)
    table: list[list[Any]] = [["Stage", "Reached", "Conversion", "From first"]]
    for stage, row in result.iterrows():
        table.append(
            [
                stage,
                int(row["reached"]),
                "" if np.isnan(row["conversion"]) else float(row["conversion"]),
                "" if np.isnan(row["from_first"]) else float(row["from_first"]),
            ]
        )
    return table
