"""A live Excel workbook (an xlwings ``Book``) as a gateway.

Reading takes one call per sheet and goes through the same reader and checks as a file;
:func:`~salesflow_xl.gateway.base.run` validates the change before this gateway writes it.
Writing takes one call per range: a table's new rows are written as one block, an updated row
as one call per run of adjacent changed cells, a setting as one call. Excel recalculates the
formulas itself; the derived columns (Deals' "Furthest step") are written as values, one call
per run of rows whose value changed. Only the narrow part of the xlwings API used here is
needed, so tests drive it with a fake book that records every call.
"""

from __future__ import annotations

import contextlib
import pathlib
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from salesflow_xl.actions.changes import Changes, StageRow
from salesflow_xl.core import i18n
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import _
from salesflow_xl.core.limits import looks_like_formula
from salesflow_xl.gateway.validate import later_columns_refused
from salesflow_xl.workbook import (
    cache,
    cached,
    computed,
    dashboard,
    language,
    reader,
    relayout,
    schema,
    store,
)
from salesflow_xl.workbook.reader import Snapshot, WorkbookInvalidError
from salesflow_xl.workbook.schema import ListSpec

if TYPE_CHECKING:
    from salesflow_xl.core.forecast.revenue import Forecast


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


#: Text Excel turns into a number, date, time or truth value when it is written into a cell
#: as if typed (through COM or Office.js): digits with a sign, separators, a currency sign or
#: a percent ("0301234567" loses its leading zero), dates such as 2026-07 or 1/2, times,
#: TRUE and FALSE.
EXCEL_READS_AS_VALUE = re.compile(
    r"""\s*(
        [+-]?[$€£¥]?\s*(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*%?
      | \d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?(\s+\d{1,2}:\d{2}(:\d{2})?)?
      | \d{1,2}:\d{2}(:\d{2})?(\s*[ap]m)?
      | true | false
    )\s*""",
    re.VERBOSE | re.IGNORECASE,
)


def _excel(value: Any) -> Any:
    """A Python value as xlwings writes it (dates as datetimes, None blank); text Excel would
    take for a formula, a number, a date or a truth value gets the apostrophe Excel stores as
    its quote prefix, so it stays the text it is."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if looks_like_formula(value) or (
        isinstance(value, str) and EXCEL_READS_AS_VALUE.fullmatch(value)
    ):
        return "'" + value
    return value


class ExcelBook:
    """Actions on a workbook open in Excel."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.source = str(book.name)
        self._headers: dict[str, list[str]] = {}
        #: after a write that asked for a new layout: where the Dashboard and Analytics as
        #: shown are not laid out for the data (:func:`relayout.layout_differences`)
        self.layout_differences: list[str] = []
        #: after an erasure: the file the workbook was saved to (None: it has none)
        self.saved_to: pathlib.Path | None = None

    # -- reading --------------------------------------------------------------------------------

    def values(self, sheet_name: str) -> list[list[Any]]:
        """A sheet's values from A1 to its last used cell, in one call."""
        sheet = self.book.sheets[sheet_name]
        last = sheet.used_range.last_cell
        rows = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
        return [list(row) for row in rows]

    def language(self) -> str:
        """The language the workbook records (its hidden name ``SalesFlowLanguage``, which
        Excel gives as ``="zh-CN"``); English when it records none."""
        try:
            text = str(self.book.names[language.NAME].refers_to)
        except Exception:
            return i18n.DEFAULT
        return language.of_formula(text)

    def snapshot(self) -> Snapshot:
        """The workbook as read now, checked as a file is (in the language in effect)."""
        self._headers.clear()
        return reader.read_rows([sheet.name for sheet in self.book.sheets], self.values)

    def read(self) -> SalesData:
        """The workbook's data; refuses a workbook with problems."""
        with i18n.use_workbook(self.language()):
            snapshot = self.snapshot()
        if snapshot.problems:
            raise WorkbookInvalidError(self.source, snapshot.problems)
        return snapshot.data

    @contextlib.contextmanager
    def session(self) -> Iterator[Snapshot]:
        """Excel holds the workbook while it is open: nothing else writes during the action,
        which runs in the workbook's language."""
        with i18n.use_workbook(self.language()):
            yield self.snapshot()

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
            raise SalesflowError(
                _("sheet {sheet} has no column {column}").format(
                    sheet=sheet_name, column=repr(header)
                )
            )
        return headers.index(header) + 1

    def selected_deal_ids(self) -> list[str]:
        """The Deal IDs of the rows selected on the Deals sheet (one call per selected area)."""
        selection = self._selection()
        if selection is None or selection.sheet.name != schema.DEALS.sheet:
            raise SelectionError(
                _("select one or more deal rows on the {sheet} sheet first").format(
                    sheet=schema.DEALS.sheet
                )
            )
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
            raise SelectionError(
                _("the selection holds no deal: select rows with a {column}").format(
                    column=schema.DEALS.header_of("id")
                )
            )
        return list(dict.fromkeys(ids))

    def _selection(self) -> Any:
        """The selected range (None: no cells are selected)."""
        return self.book.selection

    # -- writing --------------------------------------------------------------------------------

    def write(self, snapshot: Snapshot, changes: Changes, after: Snapshot) -> None:
        """Write ``changes`` (planned on ``snapshot``, validated into ``after``) into Excel."""
        later_columns_refused(changes, lambda spec: self.headers(spec.sheet))
        derived = _derived_values(after)
        for update in changes.updates:
            spec = schema.TABLES[update.table]
            row = snapshot.row(update.table, update.position)
            present = self.headers(spec.sheet)
            columns = {
                self.column(spec.sheet, spec.header_of(f)): v
                for f, v in update.values.items()
                if spec.header_of(f) in present  # a later column the workbook lacks: blank
            }
            sheet = self.book.sheets[spec.sheet]
            for first, last in _runs(columns):
                block = [_excel(columns[c]) for c in range(first, last + 1)]
                sheet.range((row, first), (row, last)).value = [block]
        appended: dict[str, set[int]] = {}
        for table, records in changes.appends.items():
            rows = after.rows[table][len(after.rows[table]) - len(records) :]
            self._append(schema.TABLES[table], records, rows, derived.get(table, {}))
            appended[table] = set(rows)
        for field, value in changes.settings.items():  # found by label, as the reader does
            sheet = self.book.sheets[schema.SETTINGS_SHEET]
            sheet.range((snapshot.setting_rows[field], 2)).value = _excel(value)
        for table, values in changes.column_values.items():
            by_row = {snapshot.row(table, p): v for p, v in values.items()}
            self._write_columns(schema.TABLES[table], by_row)
        self._write_lists_and_stages(snapshot, changes)
        for table, positions in changes.cleared.items():
            self._clear_other_cells(
                schema.TABLES[table], [snapshot.row(table, p) for p in positions]
            )
        if changes.privacy_log:
            self._log(schema.PRIVACY_LOG, changes.privacy_log)
        # the Deals' furthest steps count the pipeline's stages: an older workbook's formula
        # there counted as many as it had then, so a new pipeline rewrites them whole
        whole = {schema.DEALS.key} if changes.stages is not None else set()
        self._write_derived(snapshot, derived, appended, whole)
        # every write, as the file gateway checks: a campaign typed in by hand needs new rows
        self.layout_differences = self._layout_differences(after.data)
        if changes.forecast is not None:
            self._write_forecast(after.data, changes.forecast)
        if changes.erasure:
            self.saved_to = self._settle_erasure()

    def _settle_erasure(self) -> pathlib.Path | None:
        """After an erasure: save the workbook (Excel writes only the text its cells still
        use, so the file keeps none of the erased data) and delete what SalesFlow keeps beside
        the file — the backup and the cache of an earlier ``salesflow`` command, which hold the
        data. Returns the file; None for a workbook with no file on this computer (never saved,
        or in the cloud): then there is nothing beside it."""
        full = getattr(self.book, "fullname", None)
        path = pathlib.Path(str(full)) if full else None
        if path is None or not path.is_absolute() or not path.parent.is_dir():
            return None
        self.book.save()
        store.backup_path(path).unlink(missing_ok=True)
        cache.discard(path)
        return path

    def _clear_other_cells(self, spec: schema.TableSpec, rows: Sequence[int]) -> None:
        """Blank the cells of ``rows`` under the headers the schema does not have (columns the
        user added), one call per run of such columns."""
        known = {c.header for c in spec.columns}
        headers = self.headers(spec.sheet)
        columns = [i for i, h in enumerate(headers, start=1) if h and h not in known]
        sheet = self.book.sheets[spec.sheet]
        for row in rows:
            for first, last in _runs(columns):
                sheet.range((row, first), (row, last)).value = [[None] * (last - first + 1)]

    def _log(self, spec: schema.TableSpec, records: Sequence[dict[str, Any]]) -> None:
        """Add ``records`` (field → value) to the append-only table ``spec`` (the Privacy
        log), under its last row; a workbook made before it gets the sheet and its table,
        after the Settings sheet as in a new workbook."""
        block = [[_excel(r.get(c.field or "")) for c in spec.columns] for r in records]
        width = len(spec.columns)
        names = [sheet.name for sheet in self.book.sheets]
        if spec.sheet not in names:
            after = schema.SETTINGS_SHEET
            sheet = self.book.sheets.add(
                spec.sheet, after=self.book.sheets[after] if after in names else None
            )
            sheet.range((1, 1), (1, width)).value = [[c.header for c in spec.columns]]
            first = 2
            sheet.tables.add(source=sheet.range((1, 1), (1 + len(block), width)), name=spec.name)
        else:
            sheet = self.book.sheets[spec.sheet]
            filled = [
                i
                for i, row in enumerate(self.values(spec.sheet), start=1)
                if any(v not in (None, "") for v in row)
            ]
            first = max(filled, default=1) + 1
            sheet.tables[spec.name].resize(sheet.range((1, 1), (first + len(block) - 1, width)))
        sheet.range((first, 1), (first + len(block) - 1, width)).value = block
        for index, column in enumerate(spec.columns, start=1):
            if column.kind in ("date", "timestamp"):
                cells = sheet.range((first, index), (first + len(block) - 1, index))
                cells.number_format = schema.NUMBER_FORMATS[column.kind]

    def _layout_differences(self, data: SalesData) -> list[str]:
        """Where the Dashboard and Analytics Excel shows are not laid out for ``data`` (one
        read per sheet). Excel cannot take a new layout part by part while the book is open:
        its cells, charts' series and formats would have to be redrawn through the
        platform's own API (COM on Windows, AppleScript on macOS), which SalesFlow does not
        drive; :meth:`relayout_note` says what to do instead."""
        present = {sheet.name for sheet in self.book.sheets}
        shown = {sheet: self.values(sheet) for sheet in relayout.sheets() if sheet in present}
        return relayout.layout_differences(shown, data)

    def _write_forecast(self, data: SalesData, forecast: Forecast) -> None:
        """The Dashboard's forecast block made anew, months and note in one call — unless the
        Dashboard Excel shows is laid out for other data (then its cells may be another
        block's, and :meth:`relayout_note` says how to lay it out anew)."""
        sheet_name = schema.DASHBOARD_SHEET
        if sheet_name not in {sheet.name for sheet in self.book.sheets} or any(
            difference.startswith(f"{sheet_name}!") for difference in self.layout_differences
        ):
            return
        block = dashboard.layout(data).forecast
        rows = [[_excel(value) for value in row] for row in block.rows(forecast)]
        row, column = block.first_row, block.anchor[1]
        target = ((row, column), (row + len(rows) - 1, column + len(block.headers) - 1))
        self.book.sheets[sheet_name].range(*target).value = rows

    def relayout_note(self) -> str:
        """What the user does when the last write left the Dashboard or Analytics laid out
        for other stages, campaigns, channels or segments ("" when it did not)."""
        if not self.layout_differences:
            return ""
        first, *others = self.layout_differences
        more = _(", and {count} more difference(s)").format(count=len(others)) if others else ""
        return self._relayout_advice().format(
            dashboard=schema.DASHBOARD_SHEET,
            analytics=schema.ANALYTICS_SHEET,
            first=first,
            more=more,
            command=f'salesflow refresh "{self._file_named()}"',
        )

    def _relayout_advice(self) -> str:
        """The relayout note, its placeholders to fill (in the language in effect)."""
        return _(
            "The {dashboard} and {analytics} are laid out for other stages, campaigns, channels "
            "or segments than the workbook has now ({first}{more}). Excel cannot lay them out "
            "anew while the workbook is open: save and close it, run\n"
            "    {command}\n"
            "and open it again. Until then the rows they have show current figures."
        )

    def _file_named(self) -> str:
        """The workbook's file as the relayout note's command names it."""
        return getattr(self.book, "fullname", None) or self.source

    def _write_lists_and_stages(self, snapshot: Snapshot, changes: Changes) -> None:
        """The changed lists and the Stages table anew (each one block and a resize)."""
        for key, values in changes.lists.items():
            self._write_list(schema.LISTS[key], values, snapshot)
        if changes.stages is not None:
            self._write_stages(snapshot, changes.stages)

    def _write_derived(
        self,
        snapshot: Snapshot,
        derived: dict[str, dict[str, dict[int, Any]]],
        appended: dict[str, set[int]],
        whole: set[str],
    ) -> None:
        """The derived columns' values (table → header → Excel row → value) where they differ
        from what was read — a deal whose stage log grew, a value typed by hand or gone stale
        after the StageLog was edited by hand —, one call per run of adjacent rows; rows just
        appended have theirs already. The tables in ``whole`` have each column written whole
        in one call: a workbook made by an older SalesFlow may still hold a formula there."""
        for key, columns in derived.items():
            spec = schema.TABLES[key]
            sheet = self.book.sheets[spec.sheet]
            stored = snapshot.cells.get(spec.sheet, [])
            for header, values in columns.items():
                if header not in self.headers(spec.sheet):
                    continue  # added to the schema after this workbook was made
                number = self.column(spec.sheet, header)
                if key in whole:
                    last = max(values, default=1)
                    runs = [(2, last)] if last >= 2 else []
                else:
                    new = appended.get(key, set())
                    wanted = {row: v for row, v in values.items() if row not in new}
                    runs = _runs(cached.changed_rows(wanted, stored, number))
                for first, last in runs:
                    block = [[_excel(values.get(row))] for row in range(first, last + 1)]
                    sheet.range((first, number), (last, number)).value = block

    def _write_list(self, spec: ListSpec, values: Sequence[str], snapshot: Snapshot) -> None:
        """A list's column from under its header, cleared below, its table resized to it."""
        sheet = self.book.sheets[schema.LISTS_SHEET]
        column = self.column(schema.LISTS_SHEET, spec.header)
        stored = snapshot.cells.get(schema.LISTS_SHEET, [])
        used = [
            n
            for n, row in enumerate(stored, start=1)
            if column - 1 < len(row) and row[column - 1] not in (None, "")
        ]
        last = max(len(values) + 1, *used, 2)
        sheet.tables[spec.table].resize(sheet.range((1, column), (max(len(values), 1) + 1, column)))
        block = [[_excel(v)] for v in values] + [[None]] * (last - 1 - len(values))
        sheet.range((2, column), (last, column)).value = block

    def _write_stages(self, snapshot: Snapshot, stages: Sequence[StageRow]) -> None:
        """The Stages table's rows anew in one block: each row's inputs from its stage, the
        computed column's formula, other columns' values carried from the row it was read
        from; rows it no longer covers are cleared."""
        spec = schema.STAGES
        sheet = self.book.sheets[spec.sheet]
        headers = self.headers(spec.sheet)
        stored = snapshot.cells.get(spec.sheet, [])
        by_header = {c.header: c for c in spec.columns}
        block = []
        for entry in stages:
            source = None if entry.source is None else snapshot.row("stages", entry.source)
            old = stored[source - 1] if source is not None and source <= len(stored) else []
            values = schema.stage_record(entry.stage)
            row = []
            for index, header in enumerate(headers):
                column = by_header.get(header)
                if column is None:
                    row.append(old[index] if index < len(old) else None)
                elif column.computed:
                    row.append(schema.formula_of(spec, column))
                else:
                    row.append(_excel(values.get(column.field or "")))
            block.append(row)
        width, last = len(headers), len(block) + 1
        sheet.tables[spec.name].resize(sheet.range((1, 1), (last, width)))
        sheet.range((2, 1), (last, width)).value = block
        old_last = max(snapshot.rows["stages"], default=1)
        if old_last > last:
            blank = [[None] * width for _row in range(old_last - last)]
            sheet.range((last + 1, 1), (old_last, width)).value = blank

    def _write_columns(self, spec: schema.TableSpec, by_row: dict[int, dict[str, Any]]) -> None:
        """Whole columns of values (Excel row → field or prediction key → value): one call per
        run of adjacent columns, covering every row."""
        if not by_row:
            return
        headers = {key: spec.column_for(key).header for values in by_row.values() for key in values}
        number = {key: self.column(spec.sheet, header) for key, header in headers.items()}
        keys = sorted(headers, key=number.__getitem__)
        sheet = self.book.sheets[spec.sheet]
        first_row, last_row = min(by_row), max(by_row)
        for first, last in _runs(number.values()):
            names = [k for k in keys if first <= number[k] <= last]
            block = [
                [_excel(by_row.get(r, {}).get(k)) for k in names]
                for r in range(first_row, last_row + 1)
            ]
            sheet.range((first_row, first), (last_row, last)).value = block

    def _formulas(self, spec: schema.TableSpec, headers: Sequence[str]) -> dict[str, str]:
        """Computed column's header → the formula a new row gets: the schema's, or, where the
        schema's names a column this workbook lacks (a workbook made before Customers' "First
        order" was added), the formula its first data row holds (one read per such column)."""
        result = {}
        for column in spec.computed:
            formula = schema.formula_of(spec, column)
            if column.header not in headers:
                continue
            mentioned = {i18n.workbook_name(name) for name in _mentioned(column.formula or "")}
            if column.formula and not mentioned <= set(headers):
                formula = self._first_row_formula(spec, column, headers)
            result[column.header] = formula
        return result

    def _first_row_formula(
        self, spec: schema.TableSpec, column: schema.Column, headers: Sequence[str]
    ) -> str:
        """The formula the first data row of ``column`` holds (one read)."""
        sheet = self.book.sheets[spec.sheet]
        return sheet.range((2, headers.index(column.header) + 1)).formula

    def _append(
        self,
        spec: schema.TableSpec,
        records: list[dict[str, Any]],
        rows: Sequence[int],
        derived: dict[str, dict[int, Any]],
    ) -> None:
        """New records as one block at ``rows`` (consecutive), the table resized over them;
        ``derived`` (header → Excel row → value) gives the derived columns' values."""
        sheet = self.book.sheets[spec.sheet]
        table = sheet.tables[spec.name]
        headers = self.headers(spec.sheet)
        by_header = {c.header: c for c in spec.columns}
        formulas = self._formulas(spec, headers)
        first, last = rows[0], rows[-1]
        block = []
        for number, record in zip(rows, records, strict=True):
            row = []
            for header in headers:
                column = by_header.get(header)
                if column is None:
                    row.append(None)
                elif column.computed:
                    row.append(formulas[header])
                elif column.derived:
                    row.append(_excel(derived.get(header, {}).get(number)))
                else:
                    row.append(_excel(record.get(column.field or "")))
            block.append(row)
        width = len(headers)
        table.resize(sheet.range((1, 1), (max(last, 2), width)))
        sheet.range((first, 1), (last, width)).value = block


def _mentioned(formula: str) -> set[str]:
    """The headers a formula names in its short form's ``[@Header]`` references."""
    return set(re.findall(r"\[@([^\]]+)\]", formula))


def _derived_values(after: Snapshot) -> dict[str, dict[str, dict[int, Any]]]:
    """Table → derived column's header → Excel row → the value SalesFlow writes there, for the
    data after the change."""
    result: dict[str, dict[str, dict[int, Any]]] = {}
    for key, spec in schema.TABLES.items():
        if not spec.derived:
            continue
        frame = computed.derived_columns(after.data, spec)
        result[key] = {
            column.header: dict(
                zip(after.rows[key], cached.column_values(frame[column.name]), strict=True)
            )
            for column in spec.derived
        }
    return result
