"""The per-customer predictions shown on the Customers sheet: P(alive), predicted purchases and
predicted CLV over the next 12 months (BG/NBD + Gamma-Gamma fitted to the Orders, in weeks),
and the RFM segment, all as of the workbook's date."""

from __future__ import annotations

import pandas as pd

from salesflow_xl.core.clv import rfm, summary, value
from salesflow_xl.core.clv.bgnbd import FitError
from salesflow_xl.core.metrics import monthly_rate
from salesflow_xl.core.model import Settings

HORIZON_MONTHS = 12.0
COLUMNS = ("p_alive", "predicted_purchases", "predicted_clv", "rfm_segment")


def customer_predictions(
    customers: pd.DataFrame, orders: pd.DataFrame, settings: Settings
) -> pd.DataFrame:
    """One row per customer (aligned with ``customers``): p_alive, predicted_purchases,
    predicted_clv (margin and discount from the settings) and rfm_segment. Customers without
    orders, and every prediction when the models cannot be fitted (too little history), are
    blank (NaN / None)."""
    result = pd.DataFrame(index=customers.index, columns=list(COLUMNS), dtype=object)
    ids = customers["id"]
    past = orders[orders["date"] <= pd.Timestamp(settings.as_of)]
    if past.empty:
        return result
    segments = rfm.rfm(past, settings.as_of)["segment"]
    result["rfm_segment"] = ids.map(segments).astype(object).where(ids.isin(segments.index))
    table = summary.customer_summary(past, settings.as_of, "weeks")
    try:
        model = value.fit(table, "weeks")
    except FitError:
        return result
    predicted = value.predict(
        model,
        table,
        HORIZON_MONTHS,
        monthly_rate(settings.annual_discount_rate),
        settings.gross_margin,
    )
    for column, source in (
        ("p_alive", "probability_alive"),
        ("predicted_purchases", "expected_purchases"),
        ("predicted_clv", "clv"),
    ):
        result[column] = ids.map(predicted[source]).astype("float64")
    return result
