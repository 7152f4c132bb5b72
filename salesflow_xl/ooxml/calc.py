"""A workbook's calculation properties (``<calcPr>`` in ``xl/workbook.xml``).

Two attributes decide what a spreadsheet program does on opening the file: ``fullCalcOnLoad``
asks for a full recalculation, and ``calcId`` names the calculation engine that computed the
stored values — Excel recalculates fully a workbook last calculated by an earlier engine than
its own. A writer that stores every formula's value can leave both alone: no full
recalculation, Excel computes only what is volatile (``TODAY()``) and what depends on it.
"""

from __future__ import annotations

import re

from salesflow_xl.ooxml.package import Package

WORKBOOK = "xl/workbook.xml"
#: The engine of Excel 2019 and Microsoft 365 (Excel 2016 writes 171027, openpyxl 124519:
#: Excel 2007's).
CURRENT_CALC_ID = 191029

_CALC_PR = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*?/?>")
_FULL = re.compile(rb'\s+fullCalcOnLoad="[^"]*"')
_CALC_ID = re.compile(rb'\scalcId="(\d+)"')


def set_calculation(package: Package, full_on_load: bool) -> None:
    """Ask for a full recalculation on load (``full_on_load``) or not; without one, a calcId
    below :data:`CURRENT_CALC_ID` is raised to it, so Excel takes the stored values as its own.
    A workbook without ``<calcPr>`` gets none (Excel's defaults apply)."""
    if WORKBOOK not in package:
        return
    xml = package.read(WORKBOOK)
    match = _CALC_PR.search(xml)
    if match is None:
        return
    element = _FULL.sub(b"", match.group(0))
    if full_on_load:
        element = re.sub(rb"\s*(/?>)$", rb' fullCalcOnLoad="1"\1', element)
    else:
        found = _CALC_ID.search(element)
        if found is None:
            element = re.sub(rb"^(<(?:\w+:)?calcPr)", rb'\1 calcId="%d"' % CURRENT_CALC_ID, element)
        elif int(found.group(1)) < CURRENT_CALC_ID:
            element = element.replace(found.group(0), b' calcId="%d"' % CURRENT_CALC_ID)
    if element != match.group(0):
        package.replace(WORKBOOK, xml[: match.start()] + element + xml[match.end() :])


def full_on_load(package: Package) -> bool:
    """Whether the workbook asks for a full recalculation when it is opened."""
    match = _CALC_PR.search(package.read(WORKBOOK)) if WORKBOOK in package else None
    full = re.search(rb'fullCalcOnLoad="(1|true)"', match.group(0)) if match else None
    return full is not None
