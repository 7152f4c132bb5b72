"""Stage probabilities learned from the deals that closed, and the time a stage takes to close.

For an open stage s at funnel step k (see :mod:`.history`), among the deals closed by the
moment looked at that *reached* s (furthest step ≥ k):

- n = how many closed, w = how many of them were won;
- observed = w / n;
- learned = (w + m·p) / (n + m), the observed share shrunk toward the configured probability
  p with the weight of m = :data:`PRIOR_WEIGHT` deals (a Beta(m·p, m·(1 − p)) prior's
  posterior mean): with no closed deal it is p; with n ≫ m it is the observed share;
- days to close: for each won deal that reached s, the days from first reaching step k to the
  win; the median is shown.

An open deal *in* stage s is forecast with ``in_stage``: the same shrunk share among the closed
deals that were in s at some time (not those that skipped it, which came further at once), and
with the days from first entering s to the win.

The Excel function ``LEARNED_PROBABILITY`` and the Stages table's *Learned probability* column
compute the same learned probability from the Deals' *Furthest step* and *Status* columns
(:func:`learned_at_step`, the counting :func:`calibrate` does).
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from salesflow_xl.core import checks
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.forecast.history import deals_at, steps
from salesflow_xl.core.i18n import _
from salesflow_xl.core.model import Pipeline

#: The configured probability counts as this many closed deals.
PRIOR_WEIGHT = 10.0


def learned_probability(won: float, closed: float, configured: float, weight: float) -> float:
    """(won + weight·configured) / (closed + weight); the configured probability when both
    counts are 0 and the weight is 0 too."""
    if closed + weight <= 0:
        return float(configured)
    return float((won + weight * configured) / (closed + weight))


def reached_counts(furthest: pd.Series, status: pd.Series, step: int) -> tuple[int, int]:
    """(n, w): how many deals are closed (``status`` "won" or "lost") with a ``furthest`` funnel
    step ≥ ``step``, and how many of them were won."""
    reached = np.asarray(furthest, dtype="float64") >= step
    codes = np.asarray(status, dtype=object)
    won = reached & (codes == "won")
    return int((won | (reached & (codes == "lost"))).sum()), int(won.sum())


def learned_at_step(
    step: float,
    furthest: pd.Series,
    status: pd.Series,
    configured: float,
    prior_weight: float = PRIOR_WEIGHT,
) -> float:
    """The learned probability of the open stage at funnel ``step`` (≥ 1) with the configured
    probability ``configured``, from every deal's furthest step and status ("open", "won",
    "lost"; other values count as not closed): :func:`learned_probability` of
    :func:`reached_counts`.

    Example: furthest steps 3, 1, 2, 4 with statuses won, lost, lost, won, step 2 at 40 %:
    3 closed deals reached it, 2 of them won, so (2 + 10 × 0.4) / (3 + 10) = 6 / 13."""
    k = checks.number("step", step)
    if k < 1 or k != int(k):
        raise InvalidArgumentError("step", step, _("a funnel step: a whole number >= 1"))
    p = checks.fraction("configured", configured)
    weight = checks.non_negative("prior_weight", prior_weight)
    closed, won = reached_counts(furthest, status, int(k))
    return learned_probability(won, closed, p, weight)


def calibrate(
    deals_then: pd.DataFrame, pipeline: Pipeline, prior_weight: float = PRIOR_WEIGHT
) -> pd.DataFrame:
    """Per open stage, in funnel order: stage, step, configured, closed (n), won (w), observed
    (NaN when n = 0), learned and days_to_close (median; NaN without a won deal), from the
    deals as :func:`~salesflow_xl.core.forecast.history.deals_at` gives them."""
    rows = []
    closed = deals_then[deals_then["status"] != "open"]
    for stage, sample in zip(pipeline.open_stages, durations(deals_then, pipeline), strict=True):
        k = steps(pipeline)[stage.name]
        n, w = reached_counts(deals_then["furthest"], deals_then["status"], k)
        was_in = closed["visited"].map(lambda marks, k=k: k in marks)
        n_in = int(was_in.sum())
        w_in = int((was_in & (closed["status"] == "won")).sum())
        rows.append(
            {
                "stage": stage.name,
                "step": k,
                "configured": stage.probability,
                "closed": n,
                "won": w,
                "observed": w / n if n else float("nan"),
                "learned": learned_probability(w, n, stage.probability, prior_weight),
                "days_to_close": float(np.median(sample)) if len(sample) else float("nan"),
                "in_stage": learned_probability(w_in, n_in, stage.probability, prior_weight),
                "in_stage_closed": n_in,
                "in_stage_won": w_in,
            }
        )
    return pd.DataFrame(rows)


def durations(
    deals_then: pd.DataFrame, pipeline: Pipeline, since: str = "reached"
) -> list[np.ndarray]:
    """Per open stage (funnel order): the days each won deal took from first reaching the
    stage's step (``since="visited"``: from first entering the stage) to its win (fractions of
    a day kept)."""
    won = deals_then[deals_then["status"] == "won"]
    found = []
    for stage in pipeline.open_stages:
        k = steps(pipeline)[stage.name]
        days = [
            (closed - marks[k]) / pd.Timedelta(days=1)
            for marks, closed in zip(won[since], won["closed"], strict=True)
            if k in marks and pd.notna(closed)
        ]
        found.append(np.maximum(np.asarray(days, dtype="float64"), 0.0))
    return found


def calibrate_at(
    deals: pd.DataFrame,
    stage_log: pd.DataFrame,
    pipeline: Pipeline,
    at: date | datetime,
    prior_weight: float = PRIOR_WEIGHT,
) -> pd.DataFrame:
    """:func:`calibrate` on the deals as they stood at ``at``."""
    return calibrate(deals_at(deals, stage_log, pipeline, at), pipeline, prior_weight)
