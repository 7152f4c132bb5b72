"""A live Excel workbook (an xlwings ``Book``) as the actions' gateway.

Reading takes one call per sheet; writing one call per range: a table's new rows are written
as one block, an updated row as one call per run of adjacent changed cells, a setting as one
call. Only the narrow part of the xlwings API used here is needed, so tests drive it with a fake
book that records every call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypeVar

from salesflow_xl.actions.changes import Changes
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.workbook import reader, schema

T = TypeVar("T")


class SelectionError(SalesflowError):
    """The selection does not point at deals."""


def _runs(columns: Iterable[int]) -> list[tuple[int, int]]:
    """Adjacent column numbers grouped into (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for column in sorted(columns):
        if runs and column == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], column)
        else:
            runs.append((column, column))
    return runs


def _excel(value: Any) -> Any:
    """A Python value as xlwings writes it (dates as datetimes, None blank)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


class ExcelBook:
    """Actions on a workbook open in Excel."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._headers: dict[str, list[str]] = {}

    # -- reading --------------------------------------------------------------------------------

    def values(self, sheet_name: str) -> list[list[Any]]:
        """A sheet's values from A1 to its last used cell, in one call."""
        sheet = self.book.sheets[sheet_name]
        last = sheet.used_range.last_cell
        rows = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
        return [list(row) for row in rows]

    def read(self) -> SalesData:
        names = [sheet.name for sheet in self.book.sheets]
        data, problems = reader.read_rows(names, self.values)
        if problems:
            raise reader.WorkbookInvalidError(self.book.name, problems)
        return data

    def headers(self, sheet_name: str) -> list[str]:
        if sheet_name not in self._headers:
            sheet = self.book.sheets[sheet_name]
            last = sheet.used_range.last_cell
            row = sheet.range((1, 1), (1, last.column)).options(ndim=1).value
            self._headers[sheet_name] = [str(h).strip() if h is not None else "" for h in row]
        return self._headers[sheet_name]

    def column(self, sheet_name: str, header: str) -> int:
        headers = self.headers(sheet_name)
        if header not in headers:
            raise SalesflowError(f"sheet {sheet_name} has no column {header!r}")
        return headers.index(header) + 1

    def selected_deal_ids(self) -> list[str]:
        """The Deal IDs of the rows selected on the Deals sheet (one call per selected area)."""
        selection = self.book.selection
        if selection is None or selection.sheet.name != schema.DEALS.sheet:
            raise SelectionError("select one or more deal rows on the Deals sheet first")
        sheet = selection.sheet
        id_column = self.column(sheet.name, schema.DEALS.header_of("id"))
        ids: list[str] = []
        for area in getattr(selection, "areas", [selection]):
            first = max(area.row, 2)
            last = area.row + area.rows.count - 1
            if last < first:
                continue
            cells = sheet.range((first, id_column), (last, id_column)).options(ndim=1).value
            ids += [str(v).strip() for v in cells if v not in (None, "")]
        if not ids:
            raise SelectionError("the selection holds no deal: select rows with a Deal ID")
        return list(dict.fromkeys(ids))

    # -- writing --------------------------------------------------------------------------------

    def apply(self, data: SalesData, changes: Changes) -> None:
        """Write ``changes`` (planned on ``data``, read from this book) into the workbook."""
        for update in changes.updates:
            spec = schema.TABLES[update.table]
            row = reader.excel_row(data.table(update.table), update.position)
            columns = {
                self.column(spec.sheet, spec.header_of(f)): v for f, v in update.values.items()
            }
            sheet = self.book.sheets[spec.sheet]
            for first, last in _runs(columns):
                block = [_excel(columns[c]) for c in range(first, last + 1)]
                sheet.range((row, first), (row, last)).value = [block]
        for table, records in changes.appends.items():
            self._append(schema.TABLES[table], records, data)
        for field, value in changes.settings.items():
            setting = next(s for s in schema.SETTINGS if s.field == field)
            self.book.names[setting.name].refers_to_range.value = _excel(value)
        for table, rows in changes.column_values.items():
            self._write_columns(schema.TABLES[table], rows, data)

    def _write_columns(
        self, spec: schema.TableSpec, rows: dict[int, dict[str, Any]], data: SalesData
    ) -> None:
        """Whole columns of values (row position → header → value): one call per run of
        adjacent columns, covering every row."""
        if not rows:
            return
        frame = data.table(spec.key)
        by_row = {reader.excel_row(frame, p): values for p, values in rows.items()}
        headers = sorted(
            {h for values in rows.values() for h in values},
            key=lambda h: self.column(spec.sheet, h),
        )
        sheet = self.book.sheets[spec.sheet]
        first_row, last_row = min(by_row), max(by_row)
        for first, last in _runs(self.column(spec.sheet, h) for h in headers):
            names = [h for h in headers if first <= self.column(spec.sheet, h) <= last]
            block = [
                [_excel(by_row.get(r, {}).get(h)) for h in names]
                for r in range(first_row, last_row + 1)
            ]
            sheet.range((first_row, first), (last_row, last)).value = block

    def _append(
        self, spec: schema.TableSpec, records: list[dict[str, Any]], data: SalesData
    ) -> None:
        sheet = self.book.sheets[spec.sheet]
        table = sheet.tables[spec.name]
        headers = self.headers(spec.sheet)
        funnel = len(data.pipeline.funnel)
        by_header = {c.header: c for c in spec.columns}
        rows_in_use = data.table(spec.key).attrs.get("excel_rows") or []
        first = rows_in_use[-1] + 1 if rows_in_use else 2  # an empty table's placeholder row
        last = first + len(records) - 1
        block = []
        for record in records:
            row = []
            for header in headers:
                column = by_header.get(header)
                if column is None:
                    row.append(None)
                elif column.computed:
                    row.append(schema.formula_of(spec, column, funnel))
                else:
                    row.append(_excel(record.get(column.field or "")))
            block.append(row)
        width = len(headers)
        table.resize(sheet.range((1, 1), (max(last, 2), width)))
        sheet.range((first, 1), (last, width)).value = block

    def run(self, plan: Callable[[SalesData], T], changes_of: Callable[[T], Changes]) -> T:
        data = self.read()
        result = plan(data)
        changes = changes_of(result)
        if not changes.empty:
            self.apply(data, changes)
        return result
