"""The actions behind the ribbon buttons and their ``salesflow`` twins, written once.

Each action plans :class:`~salesflow_xl.actions.changes.Changes` from the workbook's data with
the pure core; a gateway (the file, or a live Excel workbook) applies them whole or not at all.
"""
