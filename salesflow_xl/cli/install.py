"""The ``install`` command: put the SalesFlow ribbon add-in into Excel."""

from __future__ import annotations

import platform
from pathlib import Path

import click

from salesflow_xl.core.i18n import _


@click.command()
@click.option("--dry-run", is_flag=True, help="Show the steps without running them.")
def install(dry_run: bool) -> None:
    """Install the SalesFlow ribbon add-in into Excel (Windows and macOS).

    Installs the xlwings add-in, puts SalesFlow.xlam into Excel's start-up folder and points
    xlwings at this Python. On Linux, where there is no Excel, it shows what it would do.

    Example:

    \b
        salesflow install
    """
    from salesflow_xl.addin import install as installer

    system = platform.system()
    steps = installer.plan(system, installer.current_python(), installer.addin_file(), Path.home())
    runs = system in installer.XLSTART and not dry_run
    if not runs:
        if system not in installer.XLSTART:
            click.echo(
                _("Excel does not run on {system}; on Windows or macOS this would:").format(
                    system=system
                )
            )
        else:
            click.echo(_("Would run:"))
    for number, step in enumerate(steps, start=1):
        detail = (
            " ".join(step.command) if step.command else _("write {path}").format(path=step.path)
        )
        click.echo(f"  {number}. {step.description}\n     {detail}")
    if runs:
        installer.execute(steps)
        click.echo(_("Installed. Restart Excel: the SalesFlow tab appears on the ribbon."))


COMMANDS = (install,)
