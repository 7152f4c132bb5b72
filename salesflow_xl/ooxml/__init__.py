"""Generic OOXML package editing: the zip parts of a workbook, sheet XML rows and cells, cell
references. Knows nothing of sales; imports nothing of SalesFlow but the core's errors."""
