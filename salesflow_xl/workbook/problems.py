"""What can be wrong in a workbook: one :class:`Problem` per cell (sheet, row, column, the value
found and what was expected), and the error that carries every problem found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from salesflow_xl.core.errors import SalesflowError, shown


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
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        found = "" if self.value is None else f", found {shown(self.value)}"
        return f"{where}: expected {self.expected}{found}"


class WorkbookInvalidError(SalesflowError):
    """The workbook has problems; ``problems`` lists every one."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        tail = f"\n  … and {more} more (salesflow check lists them all)" if more > 0 else ""
        super().__init__(f"{source} has {len(self.problems)} problem(s):\n{shown}{tail}")
