"""The learned stage probability over the Deals' columns: the share of the closed deals that
reached a stage which were won, shrunk toward the stage's configured probability
(:func:`salesflow_xl.core.forecast.calibration.learned_at_step`)."""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd
import xlwings as xw

from salesflow_udfs.cells import CATEGORY, column, default, excel_errors, is_number
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.excel_errors import CELL_ERRORS, cell_text
from salesflow_xl.core.forecast.calibration import PRIOR_WEIGHT, learned_at_step
from salesflow_xl.core.i18n import LANGUAGES, workbook_name
from salesflow_xl.core.model import Outcome

_OUTCOMES: tuple[Outcome, ...] = ("open", "won", "lost")


@cache
def _status_codes() -> dict[str, Outcome]:
    """A Status cell's word in any of the workbook's languages (casefolded) → its code:
    "won", "Won" and 赢单 are all "won"."""
    found: dict[str, Outcome] = {}
    for code in _OUTCOMES:
        found[code] = code
        for language in LANGUAGES:
            found[workbook_name(code, language).casefold()] = code
    return found


def _deals(furthest_steps: Any, statuses: Any) -> tuple[pd.Series, pd.Series]:
    """The deals' furthest steps and status codes from two columns; a row without a number
    for its furthest step (a header, a blank row) is left out, and a status that is no
    outcome word counts as not closed (as the native COUNTIFS does)."""
    steps, words = column(furthest_steps), column(statuses)
    if len(steps) != len(words):
        raise SalesflowError("furthest_steps and statuses must have the same number of rows")
    codes = _status_codes()
    rows = [
        (float(s), codes.get(str(w).strip().casefold(), ""))
        for s, w in zip(steps, words, strict=True)
        if is_number(s)
    ]
    return pd.Series([s for s, _ in rows], dtype="float64"), pd.Series(
        [c for _, c in rows], dtype=object
    )


@xw.func(category=CATEGORY)
@xw.arg(
    "stage_step", doc="The stage's funnel step (open stages 1, 2 …), or tblStages[Funnel step]."
)
@xw.arg("furthest_steps", doc="Each deal's furthest step, e.g. tblDeals[Furthest step].")
@xw.arg("statuses", doc="Each deal's status (open, won, lost), e.g. tblDeals[Status].")
@xw.arg("configured", doc="The stage's configured probability, or tblStages[Probability].")
@xw.arg("prior_weight", doc="Optional: how many closed deals the configured one counts as (10).")
@excel_errors
def LEARNED_PROBABILITY(stage_step, furthest_steps, statuses, configured, prior_weight=None):
    """Stage win rate from the closed deals that reached the stage (furthest step ≥ stage_step):
    w won of n, shrunk toward the configured p: (w + 10·p) ÷ (n + 10).
    Example: =LEARNED_PROBABILITY(2, {3;1;2;4}, {"won";"lost";"lost";"won"}, 40%) gives 6/13."""
    deals = _deals(furthest_steps, statuses)
    weight = default(prior_weight, PRIOR_WEIGHT)
    if not isinstance(stage_step, list | tuple) and not isinstance(configured, list | tuple):
        return learned_at_step(stage_step, *deals, configured, weight)
    steps = column(stage_step) if isinstance(stage_step, list | tuple) else None
    chances = column(configured) if isinstance(configured, list | tuple) else None
    length = len(steps if steps is not None else chances)  # type: ignore[arg-type]
    if steps is not None and chances is not None and len(steps) != len(chances):
        raise SalesflowError("stage_step and configured must have the same number of rows")
    out: list[list[Any]] = []
    for row in range(length):
        step = steps[row] if steps is not None else stage_step
        chance = chances[row] if chances is not None else configured
        if not is_number(step) or step == 0:
            out.append([""])  # a header or blank row, or the lost stage
            continue
        try:
            out.append([learned_at_step(step, *deals, chance, weight)])
        except CELL_ERRORS as error:
            out.append([cell_text(error)])
    return out
