"""Forecasting that learns from the workbook's own history (issue 18): stage probabilities
calibrated on the deals that closed (:mod:`.calibration`), the deals as they stood at any past
moment (:mod:`.history`), expected revenue by month with an interval (:mod:`.revenue`) and the
replay of the past that shows how good each forecast was (:mod:`.backtest`). Layer: core."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    from salesflow_xl.core.dataset import SalesData
    from salesflow_xl.core.forecast.revenue import Forecast

#: Months the Dashboard's forecast shows.
DASHBOARD_MONTHS = 6


def dashboard_forecast(data: SalesData, at: date | None = None) -> Forecast | None:
    """The forecast the Dashboard shows: :data:`DASHBOARD_MONTHS` months from ``at`` (default:
    the as-of date) by :func:`~salesflow_xl.core.forecast.revenue.forecast` with its default
    draws and seed, so the same data gives the same figures; None for a workbook with no deal
    and no order yet."""
    # imported here: the simulation's modules load only where a forecast is made
    from salesflow_xl.core.forecast.revenue import forecast

    if data.deals.empty and data.orders.empty:
        return None
    return forecast(data, DASHBOARD_MONTHS, at)
