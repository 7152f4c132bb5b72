"""Everything a workbook holds about one customer (:mod:`salesflow_xl.actions.privacy`), from a
snapshot of the workbook, its file's or Excel's: the privacy action joined with the workbook's
sheet names and headers, for the ribbon's Export customer button (which cannot import the
workbook layer) and ``salesflow export-customer`` (:mod:`salesflow_xl.cli.customers`) alike, so
both write the same JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from salesflow_xl.actions import privacy
from salesflow_xl.actions.privacy import CustomerRecord
from salesflow_xl.workbook import schema
from salesflow_xl.workbook.reader import Snapshot, WorkbookInvalidError


@dataclass(frozen=True, slots=True)
class CustomerExport:
    """A customer's record, every row with its other cells, and the sheet of each table.

    Attributes:
        record: the rows about the customer (:class:`~salesflow_xl.actions.privacy.CustomerRecord`).
        sheets: table key → its sheet's name in the workbook's language.
    """

    record: CustomerRecord
    sheets: Mapping[str, str]

    def as_json(self) -> dict[str, Any]:
        """The export as ``salesflow export-customer --json`` prints it."""
        return self.record.as_json(self.sheets)


def check(snapshot: Snapshot, source: str) -> Snapshot:
    """``snapshot``, refused (:class:`WorkbookInvalidError`) when the workbook has problems, as
    the command line refuses the file."""
    if snapshot.problems:
        raise WorkbookInvalidError(source, snapshot.problems)
    return snapshot


def customer_export(snapshot: Snapshot, key: str) -> CustomerExport:
    """Every row of the workbook about the customer ``key`` names (an ID or an e-mail address,
    see :func:`~salesflow_xl.actions.privacy.find_customer`), with its Excel row and other
    cells, in the workbook's language in effect."""
    specs = {table: schema.TABLES[table] for table in privacy.TABLES}
    record = privacy.customer_record(snapshot.data, snapshot.rows, key)
    held = {t: {c.header for c in spec.columns if c.field} for t, spec in specs.items()}
    cells = {t: (snapshot.cells.get(spec.sheet, []), held[t]) for t, spec in specs.items()}
    record = privacy.with_other_cells(record, cells)
    return CustomerExport(record, {t: spec.sheet for t, spec in specs.items()})


def customers_at(snapshot: Snapshot, sheet: str, areas: Sequence[tuple[int, int]]) -> list[str]:
    """The customers of the Excel rows ``areas`` (first, last) cover on sheet ``sheet``: a
    record's row on the Customers sheet is that customer, a deal's row on the Deals sheet the
    deal's customer; other rows and sheets are none. Each once, in sheet order."""
    for table, field in (("customers", "id"), ("deals", "customer_id")):
        if sheet != schema.TABLES[table].sheet:
            continue
        values = snapshot.data.table(table)[field].tolist()
        found = [
            str(value).strip()
            for row, value in zip(snapshot.rows[table], values, strict=True)
            if any(first <= row <= last for first, last in areas) and _given(value)
        ]
        return list(dict.fromkeys(found))
    return []


def _given(value: object) -> bool:
    return value is not None and value == value and str(value).strip() != ""
