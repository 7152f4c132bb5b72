"""The two ways commands reach a workbook file through the gateway: run an action on it, or
read it. Each is one call, so a change of the gateway's API is a change here only. Both make
the command speak the workbook's language from then on, unless the user chose one
(:func:`salesflow_xl.cli.app.speak_language_of`)."""

from __future__ import annotations

import atexit
import contextlib
import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from salesflow_xl.cli import progress
from salesflow_xl.cli.app import speak_language_of
from salesflow_xl.core.i18n import _

if TYPE_CHECKING:  # imported when a command runs: `salesflow --help` loads no pandas
    from salesflow_xl.actions.changes import Changes
    from salesflow_xl.core.dataset import SalesData


def act(path: Path, plan: Callable[[SalesData], Changes]) -> Changes:
    """Run ``plan`` on the workbook at ``path``, write its changes, print their summary (in the
    workbook's language, or the one the user chose)."""
    from salesflow_xl.gateway import run
    from salesflow_xl.gateway.file import WorkbookFile

    speak_language_of(path)
    reading = _("Reading {name}").format(name=path.name)
    with progress.steps(reading, 3) as step, no_cycle_collection():
        changes = run(WorkbookFile(path), plan, on_step=lambda d: step(description=d))
    for line in changes.summary:
        click.echo(line)
    return changes


def read(path: Path) -> SalesData:
    """The workbook's data (the command speaks the workbook's language from now on, unless the
    user chose one)."""
    from salesflow_xl.gateway.file import WorkbookFile

    speak_language_of(path)
    with no_cycle_collection():
        return WorkbookFile(path).read()


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a workbook is read and written: the millions of
    cell values read from a large workbook make each of its passes long (a fifth of reading
    a 10,000-deal workbook), and the objects of one command are freed by reference counting
    or when it ends. At the end of the process the objects then alive are set aside
    (``gc.freeze``) before the interpreter's last collection, which would otherwise go through
    all of them once more (a tenth of a second after an action on 10,000 deals)."""
    global _FREEZE_AT_EXIT
    if not _FREEZE_AT_EXIT:
        atexit.register(gc.freeze)
        _FREEZE_AT_EXIT = True
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_FREEZE_AT_EXIT = False
