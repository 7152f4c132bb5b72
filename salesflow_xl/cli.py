"""The ``salesflow`` command: a thin shell over the core. Every SalesFlow error becomes a one-line
message on stderr and exit code 1; nothing here computes a figure itself."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click
from rich.console import Console

from salesflow_xl import __version__
from salesflow_xl.core import demo as demo_data
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.report import build_report
from salesflow_xl.render import print_report


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
    data = demo_data.generate(scale=scale, seed=seed, as_of=day)
    report = build_report(data, top=top)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print_report(report, Console())
