"""Whether a workbook SalesFlow wrote needs a full recalculation when it is opened.

SalesFlow stores the core's value of every formula cell of its own sheets, so a spreadsheet
program has nothing to recompute there but what is volatile: ``TODAY()`` in the Settings'
``AsOf`` cell, when the as-of date is blank, and the figures that follow it. A full
recalculation on load would repeat all of it — the costly part of opening a large workbook.
Formulas on sheets of the user's own may read SalesFlow's tables, and their stored values are
Excel's, from before the change: then the workbook asks for the full recalculation, as before.
"""

from __future__ import annotations

import re

from salesflow_xl.ooxml.calc import set_calculation
from salesflow_xl.ooxml.package import Package
from salesflow_xl.workbook import schema

_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def settle(package: Package) -> None:
    """No full recalculation on load unless a sheet SalesFlow does not own holds a formula."""
    own = set(schema.SHEET_ORDER)
    foreign = [part for sheet, part in package.sheet_parts().items() if sheet not in own]
    set_calculation(package, any(_FORMULA.search(package.read(part)) for part in foreign))
