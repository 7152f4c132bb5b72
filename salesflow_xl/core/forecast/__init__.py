"""Forecasting that learns from the workbook's own history (issue 18): stage probabilities
calibrated on the deals that closed (:mod:`.calibration`), the deals as they stood at any past
moment (:mod:`.history`), expected revenue by month with an interval (:mod:`.revenue`) and the
replay of the past that shows how good each forecast was (:mod:`.backtest`). Layer: core."""
