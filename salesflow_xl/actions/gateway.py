"""Applying planned :class:`Changes` to a workbook file.

The whole action runs under the workbook's writer lock: read, plan, write. The write goes
through the :class:`~salesflow_xl.workbook.editor.Editor` (only the touched rows and parts
change), refreshes every formula cell's cached value from the core, and replaces the file
atomically with a backup. If planning or writing fails, the file is left byte for byte as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from salesflow_xl.actions.changes import Changes
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.workbook import reader, schema, store
from salesflow_xl.workbook.editor import Editor

T = TypeVar("T")


def apply_to_bytes(content: bytes, data: SalesData, changes: Changes, source: str) -> bytes:
    """The workbook ``content`` (whose data is ``data``) with ``changes`` applied and every
    cached value refreshed."""
    editor = Editor(content, source)
    for update in changes.updates:
        row = reader.excel_row(data.table(update.table), update.position)
        editor.update(schema.TABLES[update.table], row, update.values)
    for table, records in changes.appends.items():
        editor.append(schema.TABLES[table], records)
    for name, value in changes.settings.items():
        editor.set_setting(name, value)
    for table, rows in changes.column_values.items():
        frame = data.table(table)
        editor.write_values(
            schema.TABLES[table],
            {reader.excel_row(frame, p): values for p, values in rows.items()},
        )
    edited = editor.to_bytes()
    after, problems = reader.read_bytes(edited, source)
    if problems:
        raise reader.WorkbookInvalidError(f"{source} after the change", problems)
    final = Editor(edited, source)
    final.refresh_cached_values(after)
    return final.to_bytes()


class WorkbookFile:
    """The workbook file as an action's gateway."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def read(self) -> SalesData:
        """The workbook's data; refuses a workbook with problems (``salesflow check``)."""
        return reader.load(self.path)

    @contextlib.contextmanager
    def session(self) -> Iterator[tuple[bytes, SalesData]]:
        """Hold the writer lock while an action reads, plans and writes."""
        with store.writer_lock(self.path):
            content = self.path.read_bytes()
            data, problems = reader.read_bytes(content, self.path.name)
            if problems:
                raise reader.WorkbookInvalidError(self.path.name, problems)
            yield content, data

    def run(self, plan: Callable[[SalesData], T], changes_of: Callable[[T], Changes]) -> T:
        """Read, plan and, when the plan changes anything, write — all under the lock."""
        with self.session() as (content, data):
            result = plan(data)
            changes = changes_of(result)
            if not changes.empty:
                new = apply_to_bytes(content, data, changes, self.path.name)
                store.atomic_write(self.path, new)
            return result
