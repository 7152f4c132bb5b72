"""The ``salesflow`` command: a thin shell over the core. Every SalesFlow error becomes a one-line
message on stderr and exit code 1; nothing here computes a figure itself.

The group and its shared options are in :mod:`.app`; the commands, by what they work on, in
:mod:`.workbook` (new, check, report, recalc, demo), :mod:`.pipeline` (the ribbon's actions),
:mod:`.customers` (clv, cohorts, export-customer), :mod:`.forecast`, :mod:`.privacy`
(export-contacts, forget), :mod:`.install` and :mod:`.lite` (what xlwings Lite needs).
Modules only some commands need (SciPy, openpyxl, xlwings, matplotlib, LibreOffice) are
imported inside those commands, so a ribbon action started from the command line does not
wait for them.
"""

from __future__ import annotations

from salesflow_xl.cli import (
    catalog,
    customers,
    forecast,
    install,
    lite,
    order_entry,
    pipeline,
    privacy,
    workbook,
)
from salesflow_xl.cli.app import main

for _module in (
    workbook,
    pipeline,
    catalog,
    order_entry,
    customers,
    forecast,
    privacy,
    install,
    lite,
):
    for _command in _module.COMMANDS:
        main.add_command(_command)

__all__ = ["main"]
