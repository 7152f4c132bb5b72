"""Changing the rows of a workbook's tables without touching anything else.

An :class:`Editor` opens a workbook package and edits only what a change needs: the sheet XML
of the tables it writes to (new rows, changed cells), the table parts' ranges and the cached
values of formula cells. Styles are copied from the row above, so new rows look like the old
ones; computed columns get the table's own calculated-column formula, derived columns (Deals'
"Furthest step") the value SalesFlow derives for them. Every other part — charts, pictures,
comments, macros, the ribbon, sheets SalesFlow does not know — stays byte-identical.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import _
from salesflow_xl.core.limits import MAX_ROWS, looks_like_formula
from salesflow_xl.ooxml import shared_strings, sheetxml
from salesflow_xl.ooxml.new_sheet import NewSheetError, add_table_sheet
from salesflow_xl.ooxml.package import MAIN_NS, Package
from salesflow_xl.ooxml.refs import cell_position, column_letter, range_bounds
from salesflow_xl.ooxml.sheetxml import STYLE, CellValue, SheetXmlError, set_cached_values
from salesflow_xl.ooxml.styles import STYLES, quote_prefixed
from salesflow_xl.ooxml.transplant import drop_calc_chain
from salesflow_xl.workbook import cached, computed, schema
from salesflow_xl.workbook.schema import Column, ListSpec, TableSpec

DIMENSION = re.compile(rb'(<dimension\b[^>]*?\bref=")([^"]*)(")')
TABLE_REF = re.compile(rb'(<(?:table|autoFilter)\b[^>]*?\sref=")([^"]*)(")')
FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>.*?</f>)", re.S)
CALCULATED = re.compile(
    rb"<calculatedColumnFormula\b[^>]*?(?:/>|>.*?</calculatedColumnFormula>)", re.S
)


class EditError(SalesflowError):
    """The workbook cannot take the change (a table is missing, rows below a table are used …)."""


@dataclass
class TableLayout:
    """Where a table is: its sheet and parts, its range and its columns' order and formulas."""

    name: str
    sheet: str
    sheet_part: str
    part: str
    first_column: int
    first_row: int
    last_column: int
    last_row: int
    headers: list[str]
    formulas: dict[str, str]

    def letter(self, header: str) -> str:
        return column_letter(self.first_column + self.headers.index(header))

    @property
    def ref(self) -> str:
        return (
            f"{column_letter(self.first_column)}{self.first_row}:"
            f"{column_letter(self.last_column)}{self.last_row}"
        )


class Editor:
    """Edits of one workbook package, written out by :meth:`to_bytes`."""

    def __init__(self, content: bytes, source: str | None = None) -> None:
        self.package = Package.from_bytes(content, source)
        self.sheets = self.package.sheet_parts()
        self.tables = self._tables()
        self._quoted: dict[int, int] = {}  # cell format → its quote-prefixed twin

    # -- finding tables -------------------------------------------------------------------------

    def _tables(self) -> dict[str, TableLayout]:
        result = {}
        for sheet, sheet_part in self.sheets.items():
            for part in self.package.relationships(sheet_part).values():
                if not part.startswith("xl/tables/") or part not in self.package:
                    continue
                root = ElementTree.fromstring(self.package.read(part))
                name = root.get("displayName") or root.get("name") or ""
                min_col, min_row, max_col, max_row = range_bounds(root.get("ref", "A1:A1"))
                headers, formulas = [], {}
                for column in root.iter(f"{{{MAIN_NS}}}tableColumn"):
                    header = column.get("name", "")
                    headers.append(header)
                    formula = column.find(f"{{{MAIN_NS}}}calculatedColumnFormula")
                    if formula is not None and formula.text:
                        formulas[header] = formula.text
                result[name] = TableLayout(
                    name,
                    sheet,
                    sheet_part,
                    part,
                    min_col,
                    min_row,
                    max_col,
                    max_row,
                    headers,
                    formulas,
                )
        return result

    def table(self, spec: TableSpec) -> TableLayout:
        if spec.name not in self.tables:
            raise EditError(
                _("the workbook has no table {table} (sheet {sheet})").format(
                    table=spec.name, sheet=spec.sheet
                )
            )
        layout = self.tables[spec.name]
        # a derived column added after the workbook was made (Customers' "First order") is
        # left out: its values are a convenience the workbook's own formulas there do without
        missing = [
            c.header
            for c in spec.columns
            if c.header not in layout.headers and not c.derived and not c.later
        ]
        if missing:
            raise EditError(
                _("table {table} on sheet {sheet} has no column {columns}").format(
                    table=spec.name, sheet=layout.sheet, columns=", ".join(repr(m) for m in missing)
                )
            )
        return layout

    # -- rows -----------------------------------------------------------------------------------

    def append(
        self,
        spec: TableSpec,
        rows: Iterable[Mapping[str, Any]],
        at: Sequence[int] | None = None,
    ) -> list[int]:
        """Add rows (field → value) to the table at Excel rows ``at`` (consecutive; by default
        :meth:`next_rows`), growing the table over them; returns their row numbers.

        A table whose only data row is blank (a new workbook) gets its first row written there.
        Computed columns get the table's calculated formula or, where the table part has none
        (a workbook saved by LibreOffice drops them), the schema's. Derived columns are left
        blank for :meth:`write_derived`.
        """
        rows = list(rows)
        if not rows:
            return []
        layout = self.table(spec)
        xml = self.package.read(layout.sheet_part)
        numbers = list(at) if at is not None else self.next_rows(spec, len(rows))
        if len(numbers) != len(rows) or numbers != list(range(numbers[0], numbers[0] + len(rows))):
            raise EditError(
                _("{table}: {count} new rows need consecutive row numbers").format(
                    table=spec.name, count=len(rows)
                )
            )
        if numbers[0] <= layout.first_row:
            raise EditError(
                _("{table}: row {row} is not below the header").format(
                    table=spec.name, row=numbers[0]
                )
            )
        if numbers[-1] > MAX_ROWS:
            held = min(layout.last_row, numbers[0] - 1) - layout.first_row
            room = max(MAX_ROWS - layout.first_row - held, 0)
            advice = (
                _(
                    "Add at most {room} row(s) to it, or start a new workbook for the next "
                    "period (salesflow new) and keep this one for the period it holds"
                )
                if room
                else _(
                    "Start a new workbook for the next period (salesflow new) and keep this one "
                    "for the period it holds"
                )
            )
            raise EditError(
                _(
                    "the {sheet} sheet cannot take {adding} more row(s): its table {table} holds "
                    "{held} rows, and Excel has {limit} rows per sheet (the header included), "
                    "which leaves room for {room}. Nothing was written: the workbook is as it "
                    "was. {advice}"
                ).format(
                    sheet=layout.sheet,
                    adding=f"{len(numbers):,}",
                    table=spec.name,
                    held=f"{held:,}",
                    limit=f"{MAX_ROWS:,}",
                    room=f"{room:,}",
                    advice=advice.format(room=f"{room:,}"),
                )
            )
        first_new = numbers[0]
        for number in numbers:
            if number > layout.last_row and _has_cells(sheetxml.row_at(xml, number)):
                raise EditError(
                    _(
                        "cannot add rows to {table}: row {row} of sheet {sheet} below the table "
                        "is not empty"
                    ).format(table=spec.name, row=number, sheet=layout.sheet)
                )
        template_row = sheetxml.row_at(xml, max(layout.first_row + 1, first_new - 1)) or b""
        styles = _styles(template_row)
        new_rows = {
            number: _row_xml(number, values, spec, layout, styles, self._cell)
            for number, values in zip(numbers, rows, strict=True)
        }
        xml = sheetxml.put_rows(xml, new_rows)
        layout.last_row = max(layout.last_row, numbers[-1])
        xml = _extend_dimension(xml, layout)
        self.package.replace(layout.sheet_part, xml)
        self.package.replace(
            layout.part,
            TABLE_REF.sub(
                lambda m: m.group(1) + layout.ref.encode() + m.group(3),
                self.package.read(layout.part),
            ),
        )
        return numbers

    def add_table(
        self, spec: TableSpec, rows: Sequence[Mapping[str, Any]], after: str | None = None
    ) -> None:
        """Give a workbook made before table ``spec`` existed its sheet (after sheet ``after``,
        by default last), holding ``rows`` (field → value)
        (:func:`~salesflow_xl.ooxml.new_sheet.add_table_sheet`). Refuses a workbook that has a
        sheet of that name already (one the user made: SalesFlow does not write into it)."""
        taken = {name.casefold() for name in self.sheets}
        if spec.sheet.casefold() in taken:
            raise EditError(
                _(
                    "the workbook has a sheet named {sheet} without the table {table}: rename "
                    "that sheet, and SalesFlow adds its own. Nothing was written: the workbook "
                    "is as it was."
                ).format(sheet=spec.sheet, table=spec.name)
            )
        try:
            add_table_sheet(
                self.package,
                spec.sheet,
                spec.name,
                [c.header for c in spec.columns],
                [[row.get(c.field or "") for c in spec.columns] for row in rows],
                after=after if after in self.sheets else None,
                widths=[c.width for c in spec.columns],
                dates=[c.header for c in spec.columns if c.kind in ("date", "timestamp")],
            )
        except NewSheetError as error:
            raise EditError(
                _("cannot add the sheet {sheet} (table {table}): {reason}").format(
                    sheet=spec.sheet, table=spec.name, reason=error
                )
            ) from error
        self.sheets = self.package.sheet_parts()
        self.tables = self._tables()

    def blank_unused_text(self) -> int:
        """Empty the shared strings no cell uses any more (text the edits replaced, which the
        file would otherwise keep until Excel saves it; see
        :mod:`~salesflow_xl.ooxml.shared_strings`); returns how many held text."""
        return shared_strings.blank_unused(self.package)

    def clear_other_cells(self, spec: TableSpec, rows: Iterable[int]) -> None:
        """Blank the cells of Excel rows ``rows`` in the columns of table ``spec`` that the
        schema does not have (columns the user added), keeping their formats."""
        layout = self.table(spec)
        known = {c.header for c in spec.columns}
        letters = [layout.letter(h) for h in layout.headers if h not in known]
        for row in rows if letters else ():
            cleared = {f"{letter}{row}": (None, "text") for letter in letters}
            self._write_cells(layout.sheet_part, row, cleared)

    def next_rows(self, spec: TableSpec, count: int) -> list[int]:
        """The Excel rows :meth:`append` would give ``count`` new records: after the table's
        last row, or from its placeholder row when an empty table's only data row is blank."""
        layout = self.table(spec)
        first_new = layout.last_row + 1
        if layout.last_row == layout.first_row + 1:
            xml = self.package.read(layout.sheet_part)
            if _blank_row(sheetxml.row_at(xml, layout.last_row), layout, spec):
                first_new = layout.last_row
        return list(range(first_new, first_new + count))

    def update(self, spec: TableSpec, row: int, values: Mapping[str, Any]) -> None:
        """Set input cells (field → value) of the table row at Excel row ``row``."""
        layout = self.table(spec)
        if not layout.first_row < row <= layout.last_row:
            raise EditError(
                _("row {row} is not in table {table} ({ref})").format(
                    row=row, table=spec.name, ref=layout.ref
                )
            )
        writes = {}
        for field, value in values.items():
            column = next(c for c in spec.columns if c.field == field and not c.computed)
            if column.header not in layout.headers:  # a later column (refused unless blank)
                continue
            writes[f"{layout.letter(column.header)}{row}"] = (value, column.kind)
        self._write_cells(layout.sheet_part, row, writes)

    def update_rows(self, spec: TableSpec, rows: Mapping[int, Mapping[str, Any]]) -> None:
        """:meth:`update` for many rows at once (Excel row → field → value), in one pass over
        the sheet: how a rename rewrites every row that names the old name."""
        layout = self.table(spec)
        kinds = {c.field: c for c in spec.columns if c.field is not None and not c.computed}
        self._put_values(
            spec,
            layout,
            {row: {kinds[f]: v for f, v in values.items()} for row, values in rows.items()},
        )

    def write_values(self, spec: TableSpec, rows: Mapping[int, Mapping[str, Any]]) -> None:
        """Set many cells at once (Excel row → field or prediction key → value), in one pass
        over the sheet: how refresh writes a whole column of predictions."""
        layout = self.table(spec)
        columns = {key: spec.column_for(key) for values in rows.values() for key in values}
        self._put_values(
            spec,
            layout,
            {row: {columns[k]: v for k, v in values.items()} for row, values in rows.items()},
        )

    def write_derived(
        self,
        data: SalesData,
        rows: Mapping[str, Sequence[int]],
        stored: Mapping[str, list[list[Any]]] | None = None,
    ) -> None:
        """Write every derived column (Deals' "Furthest step") as plain values: the figures
        SalesFlow derives for ``data`` (the workbook's content after the edits; ``rows``: the
        Excel row of each record).

        ``stored`` (sheet → cell values as read before the edits) lets cells that already hold
        their figure alone, so after an action only the few that changed are rewritten — and a
        value typed there by hand, or one gone stale because the StageLog was edited by hand,
        is put right. A column that still holds formulas (a workbook made by an older
        SalesFlow, where "Furthest step" was a formula) is written whole: every cell of the
        table's column becomes a value (blank rows blank), and the table part's
        calculated-column formula for it is dropped, so Excel does not fill it into new rows.
        """
        for spec in schema.all_tables():
            if not spec.derived or spec.name not in self.tables:
                continue
            layout = self.table(spec)
            frame = computed.derived_columns(data, spec)
            writes: dict[int, dict[Column, CellValue]] = {}
            for column in spec.derived:
                if column.header not in layout.headers:
                    continue
                values = dict(
                    zip(rows[spec.key], cached.column_values(frame[column.name]), strict=True)
                )
                if self._drop_formulas(layout, column):
                    every = range(layout.first_row + 1, layout.last_row + 1)
                    values = {number: values.get(number) for number in every}
                elif stored is not None and spec.sheet in stored:
                    number = layout.first_column + layout.headers.index(column.header)
                    changed = cached.changed_rows(values, stored[spec.sheet], number)
                    values = {n: values[n] for n in changed}
                for number, value in values.items():
                    writes.setdefault(number, {})[column] = value
            if writes:
                self._put_values(spec, layout, writes)

    def _drop_formulas(self, layout: TableLayout, column: Column) -> bool:
        """True when the table's column ``column`` holds formulas: the table part names a
        calculated-column formula for it (which is removed here), or its first data row holds a
        formula (as every row does in a file LibreOffice saved, which drops the table part's
        formulas)."""
        calculated = column.header in layout.formulas
        if calculated:
            name = re.escape(escape(column.header, {'"': "&quot;"}).encode())
            element = re.compile(
                rb'(<tableColumn\b[^>]*?\bname="' + name + rb'"[^>/]*)>(.*?)</tableColumn>', re.S
            )

            def without_formula(match: re.Match[bytes]) -> bytes:
                inner = CALCULATED.sub(b"", match.group(2), count=1)
                if inner.strip():
                    return match.group(1) + b">" + inner + b"</tableColumn>"
                return match.group(1) + b"/>"

            table = self.package.read(layout.part)
            self.package.replace(layout.part, element.sub(without_formula, table, count=1))
            del layout.formulas[column.header]
        first = layout.first_row + 1
        row = sheetxml.row_at(self.package.read(layout.sheet_part), first) or b""
        cell = sheetxml.cells(row).get(f"{layout.letter(column.header)}{first}", b"")
        return calculated or b"<f" in cell

    def _put_values(
        self, spec: TableSpec, layout: TableLayout, rows: Mapping[int, Mapping[Column, Any]]
    ) -> None:
        """Write values (Excel row → column → value) into the table's rows in one pass over the
        sheet, each cell keeping its style. A formula a cell held goes (and with it Excel's
        calculation chain, which lists formula cells by place, for Excel to rebuild)."""
        xml = self.package.read(layout.sheet_part)
        numbers = sorted(rows)
        spans = sheetxml.row_spans(xml, numbers)
        if spans is None or len(spans) != len(numbers):
            found = sheetxml.rows(xml)
            existing = {n: found.get(n, b"") for n in numbers}
        else:
            existing = {n: xml[start:end] for n, (start, end) in spans.items()}
        new_rows = {}
        replaced_formula = False
        for row in numbers:
            if not layout.first_row < row <= layout.last_row:
                raise EditError(
                    _("row {row} is not in table {table} ({ref})").format(
                        row=row, table=spec.name, ref=layout.ref
                    )
                )
            cells = sheetxml.cells(existing[row])
            for column, value in rows[row].items():
                ref = f"{layout.letter(column.header)}{row}"
                old = cells.get(ref, b"")
                replaced_formula = replaced_formula or b"<f" in old
                style = STYLE.search(old)
                cells[ref] = self._cell(ref, value, column.kind, style.group(1) if style else None)
            new_rows[row] = sheetxml.assemble_row(row, existing[row], cells)
        if replaced_formula:
            drop_calc_chain(self.package)
        self.package.replace(layout.sheet_part, sheetxml.put_rows(xml, new_rows))

    def _cell(self, ref: str, value: Any, kind: str, style: str | bytes | None) -> bytes:
        """A cell's XML; text Excel would take for a formula gets a quote-prefixed style, as
        if typed with a leading apostrophe (the text itself is stored unchanged)."""
        if looks_like_formula(value) and STYLES in self.package:
            index = int(style or 0)
            if index not in self._quoted:
                try:
                    xml, self._quoted[index] = quote_prefixed(self.package.read(STYLES), index)
                except ValueError:  # a styles part we cannot edit: the text stays text anyway
                    self._quoted[index] = index
                else:
                    self.package.replace(STYLES, xml)
            style = str(self._quoted[index])
        return sheetxml.cell_xml(ref, value, kind, style)

    def _write_cells(self, part: str, row: int, writes: Mapping[str, tuple[Any, str]]) -> None:
        """Set cells (ref → (value, kind)) of one row, keeping each cell's style."""
        xml = self.package.read(part)
        existing = sheetxml.row_at(xml, row) or b""
        cells = sheetxml.cells(existing)
        for ref, (value, kind) in writes.items():
            style = STYLE.search(cells.get(ref, b""))
            cells[ref] = self._cell(ref, value, kind, style.group(1) if style else None)
        self.package.replace(
            part, sheetxml.put_rows(xml, {row: sheetxml.assemble_row(row, existing, cells)})
        )

    def set_setting(self, field: str, value: Any) -> None:
        """Set a setting's value cell (column B of the row whose column A has its label)."""
        setting = next(s for s in schema.SETTINGS if s.field == field)
        part = self.sheets.get(schema.SETTINGS_SHEET)
        if part is None:
            raise EditError(
                _("the workbook has no {sheet} sheet").format(sheet=schema.SETTINGS_SHEET)
            )
        number = self._setting_rows().get(setting.label)
        if number is None:
            raise EditError(
                _("the {sheet} sheet has no row {label}").format(
                    sheet=schema.SETTINGS_SHEET, label=repr(setting.label)
                )
            )
        self._write_cells(part, number, {f"B{number}": (value, setting.kind)})

    def _setting_rows(self) -> dict[str, int]:
        """Setting label → the row of the Settings sheet whose column A holds it."""
        part = self.sheets.get(schema.SETTINGS_SHEET)
        found: dict[str, int] = {}
        if part is None:
            return found
        for number, row_xml in sheetxml.rows(self.package.read(part)).items():
            label = sheetxml.cells(row_xml).get(f"A{number}")
            if label is not None:
                found.setdefault(self._text(label).strip(), number)
        return found

    def _settings_by_label(self, cells: Mapping[str, Any]) -> dict[str, Any]:
        """Computed settings' values (keyed by the template's cells) moved to the rows that
        carry their labels in this workbook; a setting the workbook lacks (one made by an
        older SalesFlow) is left out rather than written over another row."""
        refs = cached.settings_refs()
        by_cell = {refs[s.name]: s.label for s in schema.SETTINGS}
        rows = self._setting_rows()
        return {
            f"B{rows[by_cell[ref]]}": value for ref, value in cells.items() if by_cell[ref] in rows
        }

    def _text(self, cell: bytes) -> str:
        """The text a cell shows ("" for an empty cell or a missing shared string)."""
        match = sheetxml.CELL.match(cell)
        if match is None:
            return ""
        try:
            value = sheetxml.stored_value(
                match.group("attrs"), match.group("body") or b"", self.package.shared_strings()
            )
        except SheetXmlError:
            return ""
        return "" if value is None else str(value)

    # -- lists, stages and formulas that follow the pipeline ---------------------------------

    def set_list(self, spec: ListSpec, values: Sequence[str]) -> None:
        """Rewrite a list's one-column table (the Lists sheet): ``values`` from its first data
        row down, the cells below cleared, the table resized over exactly these values. The
        drop-downs refer to the list's defined name, a structured reference to the table's
        column, so they follow. Other columns of the sheet (the other lists) stay as they are.
        """
        if spec.table not in self.tables:
            raise EditError(
                _("the workbook has no table {table} (sheet {sheet})").format(
                    table=spec.table, sheet=schema.LISTS_SHEET
                )
            )
        layout = self.tables[spec.table]
        if spec.header not in layout.headers:
            raise EditError(
                _("table {table} has no column {column}").format(
                    table=spec.table, column=repr(spec.header)
                )
            )
        letter = layout.letter(spec.header)
        xml = self.package.read(layout.sheet_part)
        existing = sheetxml.rows(xml)
        first = layout.first_row + 1
        # the reader reads the whole column: values typed below the table count too
        below = [
            n for n, row in existing.items() if _has_value(sheetxml.cells(row).get(f"{letter}{n}"))
        ]
        extent = max([layout.last_row, *below])
        top = sheetxml.cells(existing.get(first, b"")).get(f"{letter}{first}", b"")
        style = STYLE.search(top)
        new_rows = {}
        for number in range(first, max(extent, first + len(values) - 1) + 1):
            row_xml = existing.get(number, b"")
            cells = sheetxml.cells(row_xml)
            ref = f"{letter}{number}"
            own = STYLE.search(cells.get(ref, b"")) or style
            if number - first < len(values):
                value = values[number - first]
                cells[ref] = self._cell(ref, value, "text", own.group(1) if own else None)
            else:
                cells.pop(ref, None)
            if cells or row_xml:
                new_rows[number] = sheetxml.assemble_row(number, row_xml, cells) if cells else b""
        self._resize(layout, sheetxml.put_rows(xml, new_rows), first + max(len(values), 1) - 1)

    def rewrite_rows(
        self,
        spec: TableSpec,
        rows: Sequence[tuple[int | None, Mapping[str, Any]]],
        formulas: Mapping[str, str] | None = None,
    ) -> list[int]:
        """Lay a table's data rows out anew (how the Stages table is reordered, grown or
        shrunk): row *i* from the first data row takes the table cells of Excel row
        ``source`` (None: a new row, styled like the first data row) with the input values
        (field → value) written over them, and the table is resized to exactly these rows;
        returns their row numbers. Cells outside the table's columns stay where they are.
        Calculated columns get the table's formula (or, where the table part names none, as
        in a file LibreOffice saved, the one ``formulas`` gives: header → ``=…``) and keep the
        cached value their cell held, so :meth:`refresh_cached_values` with the values stored
        before the edit still knows what every cell holds."""
        layout = self.table(spec)
        if not rows:
            raise EditError(_("{table}: a table keeps at least one row").format(table=spec.name))
        drop_calc_chain(self.package)  # formula cells move or go
        xml = self.package.read(layout.sheet_part)
        existing = sheetxml.rows(xml)
        letters = {layout.letter(h): h for h in layout.headers}
        by_header = {c.header: c for c in spec.columns}
        first = layout.first_row + 1
        last = first + len(rows) - 1
        if last > MAX_ROWS:
            raise EditError(
                _(
                    "the {sheet} sheet cannot hold {count} rows in its table {table} (it holds "
                    "{held}): Excel has {limit} rows per sheet (the header included), so at most "
                    "{room} fit. Nothing was written: the workbook is as it was; keep fewer rows"
                ).format(
                    sheet=layout.sheet,
                    count=f"{len(rows):,}",
                    table=spec.name,
                    held=f"{layout.last_row - layout.first_row:,}",
                    limit=f"{MAX_ROWS:,}",
                    room=f"{MAX_ROWS - layout.first_row:,}",
                )
            )
        blank_styles = _styles(existing.get(first, b""))
        calculated = {h: f.removeprefix("=") for h, f in (formulas or {}).items()}
        calculated.update(layout.formulas)
        new_rows: dict[int, bytes] = {}
        for number, (source, values) in enumerate(rows, start=first):
            here = sheetxml.cells(existing.get(number, b""))
            moved = sheetxml.cells(existing.get(source, b"")) if source is not None else {}
            styles = _styles(existing.get(source, b"")) if source is not None else blank_styles
            cells = {ref: c for ref, c in here.items() if _column(ref) not in letters}
            for letter, header in letters.items():
                ref, column, style = f"{letter}{number}", by_header.get(header), styles.get(letter)
                if header in calculated:
                    cells[ref] = _formula_cell(ref, style, calculated[header], here.get(ref))
                elif column is not None and column.field is not None and column.field in values:
                    cells[ref] = self._cell(ref, values[column.field], column.kind, style)
                elif f"{letter}{source}" in moved:
                    cells[ref] = _moved_cell(moved[f"{letter}{source}"], ref)
            new_rows[number] = sheetxml.assemble_row(number, existing.get(number, b""), cells)
        for number in range(last + 1, layout.last_row + 1):
            if number in existing:
                cells = sheetxml.cells(existing[number])
                kept = {ref: c for ref, c in cells.items() if _column(ref) not in letters}
                new_rows[number] = (
                    sheetxml.assemble_row(number, existing[number], kept) if kept else b""
                )
        self._resize(layout, sheetxml.put_rows(xml, new_rows), last)
        return list(range(first, last + 1))

    def _resize(self, layout: TableLayout, xml: bytes, last_row: int) -> None:
        """Store a table's sheet ``xml`` with the table (and its filter) ending at ``last_row``."""
        layout.last_row = last_row
        self.package.replace(layout.sheet_part, _extend_dimension(xml, layout))
        self.package.replace(
            layout.part,
            TABLE_REF.sub(
                lambda m: m.group(1) + layout.ref.encode() + m.group(3),
                self.package.read(layout.part),
            ),
        )

    # -- cached values --------------------------------------------------------------------------

    def refresh_cached_values(
        self,
        data: SalesData,
        rows: Mapping[str, Sequence[int]],
        stored: Mapping[str, list[list[Any]]] | None = None,
    ) -> None:
        """Set every formula cell's cached value to the core's figure for ``data`` (which must
        be the workbook's content after the edits; ``rows``: the Excel row of each record).

        ``stored`` (sheet → cell values as read before the edits, row 1 first) lets cells that
        already hold their figure alone: after an action only the few that changed are
        rewritten. Sheets not in it are rewritten whole."""
        layouts = {spec.sheet: self.tables.get(spec.name) for spec in schema.all_tables()}
        columns = {
            sheet: {h: layout.letter(h) for h in layout.headers}
            for sheet, layout in layouts.items()
            if layout is not None
        }
        first_rows = {s: layout.first_row + 1 for s, layout in layouts.items() if layout}
        values = cached.core_values(data, rows, columns=columns, first_rows=first_rows)
        values[schema.SETTINGS_SHEET] = self._settings_by_label(values[schema.SETTINGS_SHEET])
        for sheet, cells in values.items():
            part = self.sheets.get(sheet)
            if stored is not None and sheet in stored:
                cells = cached.changed_cells(cells, stored[sheet])
            if part is not None and cells:
                self.package.replace(part, set_cached_values(self.package.read(part), cells))

    def to_bytes(self) -> bytes:
        return self.package.to_bytes()


# -- sheet XML helpers ---------------------------------------------------------------------------


def _has_cells(row_xml: bytes | None) -> bool:
    if not row_xml:
        return False
    return any(b"<v" in c or b"<f" in c or b"<is>" in c for c in sheetxml.cells(row_xml).values())


def _blank_row(row_xml: bytes | None, layout: TableLayout, spec: TableSpec) -> bool:
    """True when the row has no value in any input column."""
    if not row_xml:
        return True
    cells = sheetxml.cells(row_xml)
    for column in spec.inputs:
        cell = cells.get(f"{layout.letter(column.header)}{_row_number(row_xml)}", b"")
        if b"<v>" in cell or b"<is>" in cell:
            return False
    return True


def _row_number(row_xml: bytes) -> int:
    match = re.search(rb'\br="(\d+)"', row_xml)
    return int(match.group(1)) if match else 0


def _styles(row_xml: bytes) -> dict[str, str]:
    """Column letters → style index of the cells of a row."""
    styles = {}
    for ref, cell in sheetxml.cells(row_xml).items():
        style = STYLE.search(cell)
        if style:
            styles[cell_position(ref)[0]] = style.group(1).decode()
    return styles


def _row_xml(
    number: int,
    values: Mapping[str, Any],
    spec: TableSpec,
    layout: TableLayout,
    styles: Mapping[str, str],
    cell: Callable[[str, Any, str, str | bytes | None], bytes],
) -> bytes:
    cells = []
    by_header = {c.header: c for c in spec.columns}
    for header in layout.headers:
        letter = layout.letter(header)
        ref = f"{letter}{number}"
        style = styles.get(letter)
        column = by_header.get(header)
        if column is not None and column.derived:  # filled by Editor.write_derived
            cells.append(sheetxml.cell_xml(ref, None, column.kind, style))
            continue
        text = layout.formulas.get(header)
        if text is None and column is not None and column.formula:
            text = schema.formula_of(spec, column).removeprefix("=")
        if text is not None:
            s = f' s="{style}"' if style else ""
            cells.append(f'<c r="{ref}"{s}><f>{escape(text)}</f></c>'.encode())
        elif column is not None and column.field is not None:
            cells.append(cell(ref, values.get(column.field), column.kind, style))
        else:
            cells.append(sheetxml.cell_xml(ref, None, "text", style))
    return f'<row r="{number}">'.encode() + b"".join(cells) + b"</row>"


def _has_value(cell: bytes | None) -> bool:
    return cell is not None and (b"<v" in cell or b"<is>" in cell)


def _column(ref: str) -> str:
    return ref.rstrip("0123456789")


def _formula_cell(ref: str, style: str | None, formula: str, previous: bytes | None) -> bytes:
    """A calculated column's cell with the cached value (and its type) of ``previous``."""
    s = f' s="{style}"' if style else ""
    cached, kind = b"", b""
    if previous is not None and b"<f" in previous:
        value = sheetxml.VALUE.search(previous)
        cached = value.group(0) if value else b""
        match = sheetxml.CELL.match(previous)
        found = sheetxml.TYPE.search(match.group("attrs")) if match else None
        kind = found.group(0) if found and cached else b""
    head = f'<c r="{ref}"{s}'.encode() + kind
    return head + b"><f>" + escape(formula).encode() + b"</f>" + cached + b"</c>"


def _moved_cell(cell: bytes, ref: str) -> bytes:
    """A cell given a new reference; a shared formula's member keeps only its value (its
    formula lives in another cell)."""
    moved = sheetxml.REF.sub(b'r="' + ref.encode() + b'"', cell, count=1)
    if b't="shared"' in moved:
        moved = FORMULA.sub(b"", moved, count=1)
    return moved


def _extend_dimension(xml: bytes, layout: TableLayout) -> bytes:
    match = DIMENSION.search(xml)
    if match is None:
        return xml
    try:
        min_col, min_row, max_col, max_row = range_bounds(match.group(2).decode())
    except (ValueError, TypeError):
        return xml
    max_col = max(max_col or 1, layout.last_column)
    max_row = max(max_row or 1, layout.last_row)
    ref = f"{column_letter(min_col or 1)}{min_row or 1}:{column_letter(max_col)}{max_row}"
    return xml[: match.start(2)] + ref.encode() + xml[match.end(2) :]
