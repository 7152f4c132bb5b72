"""The two ways commands reach a workbook file through the gateway: run an action on it, or
read it. Each is one call, so a change of the gateway's API is a change here only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from salesflow_xl.cli import progress

if TYPE_CHECKING:  # imported when a command runs: `salesflow --help` loads no pandas
    from salesflow_xl.actions.changes import Changes
    from salesflow_xl.core.dataset import SalesData


def act(path: Path, plan: Callable[[SalesData], Changes]) -> Changes:
    """Run ``plan`` on the workbook at ``path``, write its changes, print their summary."""
    from salesflow_xl.gateway import run
    from salesflow_xl.gateway.file import WorkbookFile

    with progress.steps(f"Reading {path.name}", 3) as step:
        changes = run(WorkbookFile(path), plan, on_step=lambda d: step(description=d))
    for line in changes.summary:
        click.echo(line)
    return changes


def read(path: Path) -> SalesData:
    """The workbook's data."""
    from salesflow_xl.gateway.file import WorkbookFile

    return WorkbookFile(path).read()
