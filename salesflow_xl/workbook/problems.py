"""What can be wrong in a workbook: one :class:`Problem` per cell (sheet, row, column, the value
found and what was expected), and the error that carries every problem found.

A problem names the sheet and column as the workbook shows them (in the workbook's language)
and says what was expected in the language in effect when it was found; it is put in words
(:meth:`Problem.__str__`) in the language in effect when it is shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from salesflow_xl.core.errors import SalesflowError, shown
from salesflow_xl.core.i18n import _


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the workbook. ``row`` is the Excel row number (1 = header)."""

    sheet: str
    row: int | None
    column: str | None
    value: Any
    expected: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where = _("{sheet} row {row}").format(sheet=where, row=self.row)
        if self.column is not None:
            where = _("{where}, column {column}").format(where=where, column=repr(self.column))
        found = "" if self.value is None else _(", found {value}").format(value=shown(self.value))
        return _("{where}: expected {expected}{found}").format(
            where=where, expected=self.expected, found=found
        )


class WorkbookInvalidError(SalesflowError):
    """The workbook has problems; ``problems`` lists every one."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        listed = "\n".join(f"  {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        tail = (
            "\n  " + _("… and {count} more (salesflow check lists them all)").format(count=more)
            if more > 0
            else ""
        )
        heading = _("{source} has {count} problem(s):").format(
            source=source, count=len(self.problems)
        )
        super().__init__(f"{heading}\n{listed}{tail}")
