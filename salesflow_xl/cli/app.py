"""The ``salesflow`` group and what its commands share: path types, common options, and the
translation of every :class:`SalesflowError` into a one-line message and exit code 1."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from salesflow_xl import __version__
from salesflow_xl.core.errors import SalesflowError

WORKBOOK = click.Path(dir_okay=False, path_type=Path)
EXISTING_WORKBOOK = click.Path(exists=True, dir_okay=False, path_type=Path)
EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
DAY = click.DateTime(["%Y-%m-%d"])

AT = click.option(
    "--at",
    "at",
    type=click.DateTime(["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
    default=None,
    help="The time to record (default: now).",
)
NOTE = click.option("--note", default=None, help="A note for the stage log.")
DEAL_IDS = click.argument("deal_ids", nargs=-1, required=True)
JSON = click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")


def top_option(help_text: str = "How many customers to list by CLV.") -> Any:
    """``--top N`` (at least 1, default 10)."""
    return click.option(
        "--top", default=10, show_default=True, type=click.IntRange(min=1), help=help_text
    )


def now(at: datetime | None) -> datetime:
    """The time an action records: ``--at`` if given, else this minute."""
    return at or datetime.now().replace(second=0, microsecond=0)


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
