"""The workbook file as a gateway.

A session holds the workbook's writer lock from reading to writing. Writing goes through the
:class:`~salesflow_xl.workbook.editor.Editor` (only the touched rows and parts change),
refreshes every derived value and every formula cell's cached value from the core, and
replaces the file atomically with a backup; until then the file is byte for byte as it was.

A workbook exactly as SalesFlow last wrote it is read from its cache
(:mod:`~salesflow_xl.workbook.cache`) instead of its sheets, and its figures are known to be
the core's: only those whose inputs changed are computed again
(:mod:`~salesflow_xl.workbook.figures`). Any other workbook is read and checked sheet by sheet,
and every figure is computed and compared with its cell.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from salesflow_xl.actions.changes import Changes
from salesflow_xl.core import i18n
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.gateway.validate import later_columns_refused
from salesflow_xl.workbook import (
    cache,
    calculation,
    dependencies,
    figures,
    language,
    reader,
    schema,
    store,
)
from salesflow_xl.workbook.cache import Cached
from salesflow_xl.workbook.editor import Editor
from salesflow_xl.workbook.reader import Snapshot
from salesflow_xl.workbook.relayout import laid_out_for, relayout


def edit(
    editor: Editor,
    snapshot: Snapshot,
    changes: Changes,
    after: Snapshot,
    cached: Cached | None = None,
    original: bytes | None = None,
) -> figures.Figures:
    """Write ``changes`` (planned on ``snapshot``) into ``editor`` and bring every cached
    value and every derived value up to date for ``after`` (the validated result); returns
    every table's figures as written. With ``cached`` (``snapshot`` came from the cache, so
    the cells hold the core's figures for it) only figures whose inputs changed are computed;
    ``original`` (the file's bytes) is read where records moved."""
    apply_changes(editor, snapshot, changes, after)
    # before the cached values, which are then written for the new layout; also when the data
    # outgrew the layout (a campaign added by hand in Excel): no figure into another's cell
    laid_out = not changes.relayout and laid_out_for(editor, after.data)
    if not laid_out:
        relayout(editor, after.data, changes.forecast)
    own_derived = True  # derived values written with the figures
    changed: dependencies.Changed | None = None  # None: every figure computed
    if cached is None:
        if figures.holds_formulas(editor):  # an older workbook: its formulas become values
            editor.write_derived(after.data, after.rows, snapshot.cells)
            own_derived = False
        stored = figures.Stored(editor, grids=snapshot.cells)
    else:
        stored = figures.Stored(
            editor, cached.figures, snapshot.rows, lambda sheet: _grid(original, sheet)
        )
        filled = [
            (table, key, position)
            for table, values in changes.column_values.items()
            for position, keys in values.items()
            for key in keys
        ]
        changed = dependencies.changed_inputs(
            snapshot.data,
            cached.figures_as_of,
            after.data,
            (snapshot.rows, after.rows),
            filled,
            relayout=not laid_out,
        )
    written = figures.refresh(
        editor, after.data, after.rows, after.setting_rows, stored, changed, own_derived
    )
    calculation.settle(editor.package)  # every value stored: no full recalculation on load
    return written


def apply_changes(editor: Editor, snapshot: Snapshot, changes: Changes, after: Snapshot) -> None:
    """Write the rows, settings, filled columns, lists and stages ``changes`` set."""
    updates: dict[str, dict[int, dict[str, Any]]] = {}  # table → row → values, in one pass
    for update in changes.updates:
        row = snapshot.row(update.table, update.position)
        updates.setdefault(update.table, {}).setdefault(row, {}).update(update.values)
    for table, rows in updates.items():
        editor.update_rows(schema.TABLES[table], rows)
    for table, records in changes.appends.items():
        validated = after.rows[table][len(after.rows[table]) - len(records) :]
        editor.append(schema.TABLES[table], records, validated)
    for name, value in changes.settings.items():
        editor.set_setting(name, value)
    for table, values in changes.column_values.items():
        editor.write_values(
            schema.TABLES[table], {snapshot.row(table, p): v for p, v in values.items()}
        )
    for table, positions in changes.cleared.items():
        editor.clear_other_cells(schema.TABLES[table], [snapshot.row(table, p) for p in positions])
    write_lists_and_stages(editor, snapshot, changes)
    if changes.privacy_log:
        log = schema.PRIVACY_LOG
        if log.name in editor.tables:
            editor.append(log, changes.privacy_log)
        else:  # a workbook made before the log: its sheet goes where a new workbook has it
            editor.add_table(log, changes.privacy_log, after=schema.SETTINGS_SHEET)


def _grid(content: bytes | None, sheet: str) -> list[list[Any]]:
    """A sheet's cell values as the file ``content`` holds them (row 1 first, from A1)."""
    from python_calamine import CalamineWorkbook

    if content is None:
        return []
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    if sheet not in book.sheet_names:
        return []
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def write_lists_and_stages(editor: Editor, snapshot: Snapshot, changes: Changes) -> None:
    """The Lists sheet's changed lists and the rewritten Stages table (the deals' furthest
    steps for the new pipeline follow with the figures)."""
    for key, values in changes.lists.items():
        editor.set_list(schema.LISTS[key], values)
    if changes.stages is not None:
        rows = [
            (
                None if entry.source is None else snapshot.row("stages", entry.source),
                schema.stage_record(entry.stage),
            )
            for entry in changes.stages
        ]
        spec = schema.STAGES
        formulas = {c.header: schema.formula_of(spec, c) for c in spec.computed}
        editor.rewrite_rows(spec, rows, formulas)


class WorkbookFile:
    """The workbook file at ``path`` as an action's gateway."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.source = self.path.name
        self._content: bytes | None = None  # the file as read by the current session
        self._cached: Cached | None = None  # its cache, when it had a valid one

    def read(self) -> SalesData:
        """The workbook's data; refuses a workbook with problems (``salesflow check``)."""
        if not self.path.exists():
            return reader.load(self.path)  # says it does not exist
        content = self.path.read_bytes()
        found = cache.load(self.path, content)
        if found is not None:
            return found.snapshot.data
        data, problems = reader.read_bytes(content, self.source)  # in the workbook's language
        if problems:
            raise reader.WorkbookInvalidError(self.source, problems)
        return data

    @contextlib.contextmanager
    def session(self) -> Iterator[Snapshot]:
        """Hold the writer lock while an action reads, plans and writes — all of it in the
        workbook's language (:mod:`salesflow_xl.workbook.language`); a file that is no
        workbook records none and is refused in the language in effect."""
        with store.writer_lock(self.path):
            self._content = self.path.read_bytes()
            self._cached = cache.load(self.path, self._content)
            try:
                if self._cached is not None:
                    snapshot = self._cached.snapshot
                else:  # the reader reads a file in its own language
                    snapshot = reader.read_snapshot(self._content, self.source)
                with i18n.use_workbook(language.of_bytes(self._content)):
                    yield snapshot
            finally:
                self._content = None
                self._cached = None

    def write(self, snapshot: Snapshot, changes: Changes, after: Snapshot) -> None:
        if self._content is None:
            raise RuntimeError("a workbook file is written only within its session")
        editor = Editor(self._content, self.source)
        later_columns_refused(
            changes,
            lambda spec: editor.tables[spec.name].headers if spec.name in editor.tables else (),
        )
        if self._cached is not None:
            editor.package.chunks = dict(self._cached.chunks)
        written = edit(editor, snapshot, changes, after, self._cached, self._content)
        if changes.erasure:  # the erased text no cell uses any more goes too
            editor.blank_unused_text()
        content = editor.to_bytes()
        cache.discard(self.path)  # never a cache of another version beside the new file
        store.atomic_write(self.path, content, keep_backup=not changes.erasure)
        if changes.erasure:  # the backup holds the erased workbook: no copy of the data left
            store.atomic_write(store.backup_path(self.path), content, keep_backup=False)
        cache.save(
            self.path,
            content,
            dataclasses.replace(after, cells={}),
            written,
            editor.package.chunk_index(),
            self._cached,
        )
