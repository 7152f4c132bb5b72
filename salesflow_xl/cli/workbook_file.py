"""The two ways commands reach a workbook file through the gateway: run an action on it, or
read it. Each is one call, so a change of the gateway's API is a change here only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from salesflow_xl.actions.changes import Changes
from salesflow_xl.cli import progress
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.gateway import run
from salesflow_xl.gateway.file import WorkbookFile


def act(path: Path, plan: Callable[[SalesData], Changes]) -> Changes:
    """Run ``plan`` on the workbook at ``path``, write its changes, print their summary."""
    with progress.steps(f"Reading {path.name}", 3) as step:
        changes = run(WorkbookFile(path), plan, on_step=lambda d: step(description=d))
    for line in changes.summary:
        click.echo(line)
    return changes


def read(path: Path) -> SalesData:
    """The workbook's data."""
    return WorkbookFile(path).read()
