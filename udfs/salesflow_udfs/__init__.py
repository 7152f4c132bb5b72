"""SalesFlow's Excel worksheet functions: thin xlwings wrappers over ``salesflow_xl.core``.

Import them into a workbook with xlwings ("Import Python UDFs"; the template's ``xlwings.conf``
sheet names this module). They appear in the Function Wizard under the category "SalesFlow".
xlwings collects the decorated functions from this module's namespace, so every function is
imported here from its module: :mod:`.scalar` (one figure from numbers), :mod:`.tables`
(pipeline tables), :mod:`.forecast` (learned stage probabilities) and :mod:`.customer_value`
(BG/NBD, Gamma-Gamma, RFM, cohorts).

Rules every function follows, as a spreadsheet user expects:
- A mistake is a short message in the cell ("cost must be a number > 0, got 0"), never a Python
  traceback (:func:`salesflow_xl.core.excel_errors.cell_text`). Optional arguments left empty
  take their default.
- Scalar functions take numbers. A blank cell where a number is required is a mistake.
- Column functions (``CLV`` over ranges, ``FUNNEL``, ``STAGE_CONVERSION``) take whole columns
  and return one result per row, or a table that spills. In a column, a row whose cells are
  blank or text (a header row selected with the data) gives a blank result; a row with a bad
  value gives that row's message; the other rows are computed.
- Rates are fractions (format the cell as %), money is in the workbook's currency.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from salesflow_udfs.cells import CATEGORY, excel_errors
from salesflow_udfs.customer_value import CLV_BGNBD, COHORT_RETENTION, P_ALIVE, RFM_SCORE
from salesflow_udfs.forecast import LEARNED_PROBABILITY
from salesflow_udfs.scalar import (
    CAC,
    CLV,
    CONVERSION_RATE,
    LTV_CAC,
    PIPELINE_VELOCITY,
    ROAS,
    ROI,
    WEIGHTED_VALUE,
    WIN_RATE,
)
from salesflow_udfs.tables import FUNNEL, STAGE_CONVERSION

#: Every worksheet function, by its Excel name.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        CLV,
        CONVERSION_RATE,
        ROI,
        ROAS,
        CAC,
        LTV_CAC,
        WIN_RATE,
        WEIGHTED_VALUE,
        PIPELINE_VELOCITY,
        FUNNEL,
        STAGE_CONVERSION,
        LEARNED_PROBABILITY,
        P_ALIVE,
        CLV_BGNBD,
        RFM_SCORE,
        COHORT_RETENTION,
    )
}

__all__ = ["CATEGORY", "FUNCTIONS", "excel_errors", *FUNCTIONS]
