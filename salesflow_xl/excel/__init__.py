"""The Excel surface: the ribbon's Python entry points (the live-workbook gateway is
:mod:`salesflow_xl.gateway.excel`)."""
