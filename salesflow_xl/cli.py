"""The ``salesflow`` command: a thin shell over the core. Every SalesFlow error becomes a one-line
message on stderr and exit code 1; nothing here computes a figure itself."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from salesflow_xl import __version__
from salesflow_xl.core import demo as demo_data
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.report import build_report
from salesflow_xl.render import print_report
from salesflow_xl.workbook import reader, store, template
from salesflow_xl.workbook import recalc as recalc_module

WORKBOOK = click.Path(dir_okay=False, path_type=Path)
EXISTING_WORKBOOK = click.Path(exists=True, dir_okay=False, path_type=Path)


class SalesflowGroup(click.Group):
    """Turns every :class:`SalesflowError` raised by a command into ``Error: message``, exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SalesflowError as error:
            raise click.ClickException(str(error)) from error


@click.group(cls=SalesflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="salesflow")
def main() -> None:
    """SalesFlow XL: run a one-person company's sales process from its Excel workbook.

    Every ribbon action and report of the Excel add-in is a command here, working on the
    workbook file without Excel.
    """


@main.command()
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=float,
    help="Size multiplier: 1 is 150 customers and 300 deals.",
)
@click.option(
    "--seed",
    default=demo_data.DEMO_SEED,
    show_default=True,
    type=int,
    help="Random seed; the same seed gives the same business.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help=f"The report date (default {demo_data.DEMO_AS_OF}).",
)
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many customers to list by CLV.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def demo(scale: float, seed: int, as_of: Any, top: int, as_json: bool) -> None:
    """Build the demo business and print its sales report.

    The demo is Ember & Oak, a one-person coffee roaster: 150 customers, 300 deals with their
    stage history, activities, 6 campaigns and about 2,000 orders over 18 months.

    Example:

        salesflow demo

        salesflow demo --json > report.json
    """
    day: date = as_of.date() if as_of else demo_data.DEMO_AS_OF
    _print_report(demo_data.generate(scale=scale, seed=seed, as_of=day), top, as_json)


def _print_report(data: SalesData, top: int, as_json: bool) -> None:
    report = build_report(data, top=top)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print_report(report, Console())


@main.command()
@click.argument("path", type=WORKBOOK)
@click.option("--demo", "with_demo", is_flag=True, help="Fill it with the demo business.")
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=float,
    help="With --demo: size multiplier (1 = 300 deals).",
)
@click.option(
    "--seed",
    default=demo_data.DEMO_SEED,
    show_default=True,
    type=int,
    help="With --demo: random seed.",
)
@click.option("--force", is_flag=True, help="Replace an existing file (a backup is kept).")
def new(path: Path, with_demo: bool, scale: float, seed: int, force: bool) -> None:
    """Create a new SalesFlow workbook.

    Without --demo the workbook is empty, with its as-of date set to today.

    Example:

        salesflow new Sales.xlsx

        salesflow new Demo.xlsx --demo --scale 10
    """
    if path.suffix.lower() != ".xlsx":
        raise SalesflowError(f"{path.name}: a new workbook must end in .xlsx")
    if path.exists() and not force:
        raise SalesflowError(f"{path} exists already; use --force to replace it")
    data = demo_data.generate(scale=scale, seed=seed) if with_demo else template.blank(date.today())
    store.save(path, template.render(data))
    click.echo(
        f"Created {path} with {len(data.customers):,} customers and {len(data.deals):,} deals."
    )


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
def check(path: Path) -> None:
    """Check every sheet, row and cell of a workbook; exit 1 if anything is wrong.

    Lists each problem with its sheet, row, column, the value found and what was expected.

    Example:

        salesflow check Sales.xlsx
    """
    data, problems = reader.read(path)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        raise click.ClickException(f"{path.name}: {len(problems)} problem(s)")
    click.echo(
        f"{path.name}: OK — {len(data.customers):,} customers, {len(data.deals):,} deals, "
        f"{len(data.stage_log):,} stage changes, {len(data.activities):,} activities, "
        f"{len(data.campaigns):,} campaigns, {len(data.orders):,} orders"
    )


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many customers to list by CLV.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def report(path: Path, top: int, as_json: bool) -> None:
    """Print the sales report of a workbook (the same figures as its Dashboard).

    Example:

        salesflow report Sales.xlsx

        salesflow report Sales.xlsx --json > report.json
    """
    _print_report(reader.load(path), top, as_json)


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
def recalc(path: Path) -> None:
    """Recalculate every formula with LibreOffice and store the results in the workbook.

    Formulas, formats, charts and everything else stay as they are; only the cells' computed
    values are refreshed, so programs that do not calculate show current figures.

    Example:

        salesflow recalc Sales.xlsx
    """
    started = time.perf_counter()
    with store.writer_lock(path):
        result = recalc_module.recalculate(path.read_bytes(), suffix=path.suffix)
        store.atomic_write(path, result.content)
    seconds = time.perf_counter() - started
    click.echo(f"Recalculated {result.formulas:,} formulas in {seconds:.1f} s.")
    if result.errors:
        for cell, error in list(result.errors.items())[:20]:
            click.echo(f"  {cell}: {error}")
        raise click.ClickException(f"{len(result.errors)} cell(s) hold an error value")
