"""The gateway boundary: one protocol for a workbook an action runs on, and one :func:`run`.

A gateway reads a :class:`~salesflow_xl.workbook.reader.Snapshot` (the data, the Excel row of
every record, every problem) and writes a set of planned
:class:`~salesflow_xl.actions.changes.Changes`. :func:`run` does the rest the same way for every
gateway — the workbook file and a live Excel book alike: it refuses a workbook with problems,
plans, validates the data as it will be after the change (every input value written converted
and checked as reading it back would, then the checks across tables) and only then writes. So the
ribbon runs exactly what the headless tests run.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol, TypeVar, cast

from salesflow_xl.actions.changes import Changes
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.i18n import _
from salesflow_xl.gateway.validate import snapshot_after
from salesflow_xl.workbook.reader import Snapshot, WorkbookInvalidError

T = TypeVar("T")


class Gateway(Protocol):
    """A workbook an action can read and change."""

    #: the workbook's name, for messages
    source: str

    def session(self) -> AbstractContextManager[Snapshot]:
        """Read the workbook; the workbook stays the gateway's to write until the block ends
        (the file holds its writer lock)."""
        ...

    def write(self, snapshot: Snapshot, changes: Changes, after: Snapshot) -> None:
        """Write ``changes`` (planned on ``snapshot``); ``after`` is the validated result,
        whose rows say where each new record goes (:meth:`Snapshot.next_rows`)."""
        ...


def run(
    gateway: Gateway,
    plan: Callable[[SalesData], T],
    changes_of: Callable[[T], Changes] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> T:
    """Read, plan, validate and, when the plan changes anything, write; returns the plan's
    result. ``changes_of`` picks the :class:`Changes` out of a result that carries more (an
    import's report); by default the result is the changes. ``on_step(description)`` is told
    when planning, checking and writing start (a progress bar). Raises
    :class:`~salesflow_xl.workbook.reader.WorkbookInvalidError` for a workbook with problems
    or a change that would leave it with problems: nothing is written then."""
    step = on_step or (lambda description: None)
    with gateway.session() as snapshot:
        if snapshot.problems:
            raise WorkbookInvalidError(gateway.source, snapshot.problems)
        step(_("Planning"))
        result = plan(snapshot.data)
        changes = changes_of(result) if changes_of else cast(Changes, result)
        if changes.empty:
            return result
        step(_("Checking"))
        after = snapshot_after(snapshot, changes)
        if after.problems:
            source = _("{source} after the change").format(source=gateway.source)
            raise WorkbookInvalidError(source, after.problems)
        step(_("Writing"))
        gateway.write(snapshot, changes, after)
    return result
