"""A workbook open in Excel with xlwings Lite as a gateway: :class:`LiteBook`.

xlwings Lite runs Python in the browser (Pyodide) and hands a script the workbook as a
snapshot, sent before the script runs: each sheet's values from A1 to its last used cell, the
selection's address, the named ranges (not the defined names holding a constant). Reads come
from that snapshot; writes are queued as actions that Excel applies after the script returns,
so a read after a write sees the value from before. Lite's remote ``Book`` lacks some of what
:class:`~salesflow_xl.gateway.excel.ExcelBook` uses, and only that is overridden here:

- no ``used_range``: a sheet's extent is the size of its snapshot (:func:`extent`);
- no formula reads: a new row of a workbook made by an older SalesFlow, whose formula would be
  read from its first row, is refused with what to do instead;
- no defined names that hold constants: the workbook's language is known by its sheet names
  (:func:`~salesflow_xl.workbook.language.of_sheet_names`);
- no saving, no file: the erasure (not a Lite script) has nothing to settle, and the relayout
  note names no path;
- the selection may be missing (a shape selected, several areas): the usual refusal.

Reads after writes being stale is what the layout check wants: before it SalesFlow writes
neither the Dashboard nor Analytics (a refresh's forecast values come after it, and no title or
header), so the values read are what Excel shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import _
from salesflow_xl.gateway.excel import ExcelBook
from salesflow_xl.workbook import language, schema
from salesflow_xl.workbook.reader import Snapshot


class OlderWorkbookError(SalesflowError):
    """The workbook was made by an older SalesFlow and needs what Lite cannot read."""


def extent(sheet: Any) -> tuple[int, int]:
    """(rows, columns) of ``sheet`` from A1 to its last used cell, without ``used_range``:
    the size of the values block Lite sent for it (the remote engine keeps it as
    ``sheet.impl.api["values"]``, an internal of xlwings' remote engine). Where that is not
    there (another version of the engine), the sheet's ``used_range`` if the engine has one;
    else the workbook is refused: guessing the extent (``expand``) would stop at the first
    blank row or column and miss rows."""
    values = _snapshot_values(sheet)
    if values is not None:
        rows = len(values)
        columns = max((len(row) for row in values), default=0)
        return (rows, columns) if rows and columns else (1, 1)
    try:
        last = sheet.used_range.last_cell
    except (NotImplementedError, AttributeError) as error:
        raise SalesflowError(
            _(
                "this version of xlwings Lite does not say how far sheet {sheet} reaches: "
                "update xlwings in the workbook's requirements.txt"
            ).format(sheet=sheet.name)
        ) from error
    return last.row, last.column


def _snapshot_values(sheet: Any) -> Sequence[Sequence[Any]] | None:
    """The values block Lite sent for ``sheet``; None where the engine keeps no such block."""
    try:
        api = sheet.impl.api
    except (AttributeError, NotImplementedError):
        return None
    values = api.get("values") if isinstance(api, Mapping) else None
    return values if isinstance(values, list) else None


class LiteBook(ExcelBook):
    """Actions on a workbook open in Excel, run by xlwings Lite."""

    def __init__(self, book: Any) -> None:
        super().__init__(book)
        #: each sheet's values as read in this session (the snapshot Lite sent)
        self._values: dict[str, list[list[Any]]] = {}

    def values(self, sheet_name: str) -> list[list[Any]]:
        """A sheet's values from A1 to its last used cell, in one read of the snapshot."""
        if sheet_name not in self._values:
            sheet = self.book.sheets[sheet_name]
            rows, columns = extent(sheet)
            block = sheet.range((1, 1), (rows, columns)).options(ndim=2).value
            self._values[sheet_name] = [list(row) for row in block]
        return self._values[sheet_name]

    def headers(self, sheet_name: str) -> list[str]:
        if sheet_name not in self._headers:
            first = self.values(sheet_name)[0]
            self._headers[sheet_name] = [str(h).strip() if h is not None else "" for h in first]
        return self._headers[sheet_name]

    def snapshot(self) -> Snapshot:
        self._values.clear()
        return super().snapshot()

    def language(self) -> str:
        """The workbook's language, known by its sheet names (Lite does not send the name that
        records it); what the recorded name says when the sheet names do not tell."""
        found = language.of_sheet_names(sheet.name for sheet in self.book.sheets)
        return found or super().language()

    def _selection(self) -> Any:
        """The selected range; None when Lite sent none (a shape, or several areas)."""
        try:
            return self.book.selection
        except Exception:  # the remote engine builds a range from a missing address
            return None

    def _first_row_formula(
        self, spec: schema.TableSpec, column: schema.Column, headers: Sequence[str]
    ) -> str:
        """Lite cannot read a formula: refused, saying where the row can be added."""
        raise OlderWorkbookError(
            _(
                "this workbook was made by an older SalesFlow: a new row on the {sheet} sheet "
                "needs the formula of its first row in column {column}, which xlwings Lite "
                "cannot read. Add the row with the SalesFlow ribbon in desktop Excel, or with "
                "the salesflow command on the workbook's file."
            ).format(sheet=spec.sheet, column=repr(column.header))
        )

    def _settle_erasure(self) -> None:
        """Lite cannot save, and the workbook has no file here: nothing to settle."""
        return None

    def _relayout_advice(self) -> str:
        """The relayout note for Lite, which cannot lay the sheets out either."""
        return _(
            "The {dashboard} and {analytics} are laid out for other stages, campaigns, channels "
            "or segments than the workbook has now ({first}{more}). xlwings Lite cannot lay "
            "them out anew: save and close the workbook, run\n"
            "    {command}\n"
            "on its file on a computer with SalesFlow installed, and open it again. Until then "
            "the rows they have show current figures."
        )

    def _file_named(self) -> str:
        """The workbook's name: Lite gives no path (its "full name" is the name)."""
        return self.source
