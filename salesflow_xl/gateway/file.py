"""The workbook file as a gateway.

A session holds the workbook's writer lock from reading to writing. Writing goes through the
:class:`~salesflow_xl.workbook.editor.Editor` (only the touched rows and parts change),
refreshes every derived value and every formula cell's cached value from the core, and
replaces the file atomically with a backup; until then the file is byte for byte as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from salesflow_xl.actions.changes import Changes
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.workbook import calculation, reader, schema, store
from salesflow_xl.workbook.editor import Editor
from salesflow_xl.workbook.reader import Snapshot
from salesflow_xl.workbook.relayout import laid_out_for, relayout


def edit(editor: Editor, snapshot: Snapshot, changes: Changes, after: Snapshot) -> None:
    """Write ``changes`` (planned on ``snapshot``) into ``editor`` and bring every cached
    value and every derived value (Deals' "Furthest step") up to date for ``after`` (the
    validated result)."""
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
    write_lists_and_stages(editor, snapshot, changes)
    # before the cached values, which are then written for the new layout; also when the data
    # outgrew the layout (a campaign added by hand in Excel): no figure into another's cell
    if changes.relayout or not laid_out_for(editor, after.data):
        relayout(editor, after.data)
    editor.write_derived(after.data, after.rows, snapshot.cells)
    editor.refresh_cached_values(after.data, after.rows, snapshot.cells)
    calculation.settle(editor.package)  # every value stored: no full recalculation on load


def write_lists_and_stages(editor: Editor, snapshot: Snapshot, changes: Changes) -> None:
    """The Lists sheet's changed lists and the rewritten Stages table (the deals' furthest
    steps for the new pipeline follow in :meth:`Editor.write_derived`)."""
    for key, values in changes.lists.items():
        editor.set_list(schema.LISTS[key], values)
    if changes.stages is not None:
        rows = [
            (
                None if entry.source is None else snapshot.row("stages", entry.source),
                dataclasses.asdict(entry.stage),
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

    def read(self) -> SalesData:
        """The workbook's data; refuses a workbook with problems (``salesflow check``)."""
        return reader.load(self.path)

    @contextlib.contextmanager
    def session(self) -> Iterator[Snapshot]:
        """Hold the writer lock while an action reads, plans and writes."""
        with store.writer_lock(self.path):
            self._content = self.path.read_bytes()
            try:
                yield reader.read_snapshot(self._content, self.source)
            finally:
                self._content = None

    def write(self, snapshot: Snapshot, changes: Changes, after: Snapshot) -> None:
        if self._content is None:
            raise RuntimeError("a workbook file is written only within its session")
        editor = Editor(self._content, self.source)
        edit(editor, snapshot, changes, after)
        store.atomic_write(self.path, editor.to_bytes())
