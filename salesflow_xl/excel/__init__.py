"""The Excel surface: the live-workbook gateway and the ribbon's Python entry points."""
