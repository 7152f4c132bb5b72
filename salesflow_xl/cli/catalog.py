"""Commands that keep the workbook's lists up to date: campaigns, the pipeline's stages and the
Lists sheet's values; with :mod:`.records`' deal and customer edits they make up
:data:`COMMANDS`. Each is one action through the gateway, so a change is checked as
``salesflow check`` checks a file before anything is written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from salesflow_xl.cli.app import DAY, lazy
from salesflow_xl.cli.records import PATH, PROBABILITY, customer, day, deal, require
from salesflow_xl.cli.workbook_file import act
from salesflow_xl.core.i18n import _

catalog = lazy("salesflow_xl.actions.catalog")

# -- campaigns ------------------------------------------------------------------------------


@click.group()
def campaign() -> None:
    """Add a campaign or change one (name, channel, spend, dates).

    Example:

    \b
        salesflow campaign add Sales.xlsx "Spring fair" --channel Events --spend 1200 \\
            --start 2026-07-01 --end 2026-07-31
        salesflow campaign edit Sales.xlsx "Spring fair" --spend 1500
    """


@campaign.command("add")
@PATH
@click.argument("name")
@click.option("--channel", required=True, help="A channel from the Lists sheet.")
@click.option("--spend", type=float, required=True, help="What the campaign costs.")
@click.option("--start", type=DAY, required=True, help="The first day, YYYY-MM-DD.")
@click.option("--end", type=DAY, required=True, help="The last day, YYYY-MM-DD.")
def campaign_add(
    path: Path, name: str, channel: str, spend: float, start: datetime, end: datetime
) -> None:
    """Add a campaign to the Campaigns sheet.

    Example:

    \b
        salesflow campaign add Sales.xlsx "Spring fair" --channel Events --spend 1200 \\
            --start 2026-07-01 --end 2026-07-31
    """
    act(path, lambda d: catalog.add_campaign(d, name, channel, spend, start.date(), end.date()))


@campaign.command("edit")
@PATH
@click.argument("name")
@click.option("--name", "new_name", default=None, help="A new name (deals and customers follow).")
@click.option("--channel", default=None, help="A channel from the Lists sheet.")
@click.option("--spend", type=float, default=None, help="What the campaign costs.")
@click.option("--start", type=DAY, default=None, help="The first day, YYYY-MM-DD.")
@click.option("--end", type=DAY, default=None, help="The last day, YYYY-MM-DD.")
def campaign_edit(
    path: Path,
    name: str,
    new_name: str | None,
    channel: str | None,
    spend: float | None,
    start: datetime | None,
    end: datetime | None,
) -> None:
    """Change a campaign; a new name is written into its deals and customers too.

    Example:

    \b
        salesflow campaign edit Sales.xlsx "Spring fair" --name "Summer fair" --spend 1500
    """
    given = (new_name, channel, spend, start, end)
    require(any(v is not None for v in given), "--name, --channel, --spend, --start, --end")
    act(
        path,
        lambda d: catalog.edit_campaign(d, name, new_name, channel, spend, day(start), day(end)),
    )


# -- stages ---------------------------------------------------------------------------------


@click.group()
def stage() -> None:
    """Add, rename, reorder, set or remove the pipeline's stages.

    Probabilities are fractions (0.6) or percentages (60%). Open stages come first, in funnel
    order; the won and lost stages stay last.

    Example:

    \b
        salesflow stage add Sales.xlsx Proposal --probability 45% --rotting-days 10 \\
            --after Nurturing
        salesflow stage rename Sales.xlsx Negotiation "Final offer"
    """


ROTTING = click.option(
    "--rotting-days",
    type=click.IntRange(min=1),
    default=None,
    help="Days without activity after which a deal in this stage is rotting.",
)
FOLLOW_UP = click.option(
    "--follow-up-days",
    type=click.IntRange(min=1),
    default=None,
    help="A deal entering this stage (or with an activity logged) is due for a follow-up "
    "this many days later.",
)


@stage.command("add")
@PATH
@click.argument("name")
@click.option("--probability", type=PROBABILITY, required=True, help="Win chance: 0.45 or 45%.")
@ROTTING
@FOLLOW_UP
@click.option("--after", default=None, help="The open stage it follows (default: the last).")
@click.option("--first", is_flag=True, help="Make it the first stage.")
def stage_add(
    path: Path,
    name: str,
    probability: float,
    rotting_days: int | None,
    follow_up_days: int | None,
    after: str | None,
    first: bool,
) -> None:
    """Add an open stage to the pipeline (the won and lost stages stay last).

    Example:

    \b
        salesflow stage add Sales.xlsx Proposal --probability 45% --after Nurturing
    """
    act(
        path,
        lambda d: catalog.add_stage(
            d, name, probability, rotting_days, after, first, follow_up_days
        ),
    )


@stage.command("rename")
@PATH
@click.argument("old")
@click.argument("new")
def stage_rename(path: Path, old: str, new: str) -> None:
    """Rename a stage; its deals and stage-log rows are rewritten, so the history stays.

    Example:

    \b
        salesflow stage rename Sales.xlsx Negotiation "Final offer"
    """
    act(path, lambda d: catalog.rename_stage(d, old, new))


@stage.command("move")
@PATH
@click.argument("name")
@click.option("--after", default=None, help="The open stage it is to follow.")
@click.option("--first", is_flag=True, help="Make it the first stage.")
def stage_move(path: Path, name: str, after: str | None, first: bool) -> None:
    """Reorder the open stages.

    Example:

    \b
        salesflow stage move Sales.xlsx Negotiation --after "Lead acquisition"
    """
    act(path, lambda d: catalog.move_stage(d, name, after, first))


@stage.command("set")
@PATH
@click.argument("name")
@click.option("--probability", type=PROBABILITY, default=None, help="Win chance: 0.6 or 60%.")
@ROTTING
@click.option("--never-rots", is_flag=True, help="Deals in this stage never rot.")
@FOLLOW_UP
@click.option("--no-follow-up", is_flag=True, help="Entering this stage sets no follow-up date.")
def stage_set(
    path: Path,
    name: str,
    probability: float | None,
    rotting_days: int | None,
    never_rots: bool,
    follow_up_days: int | None,
    no_follow_up: bool,
) -> None:
    """Set an open stage's win probability, rotting days or follow-up days.

    Example:

    \b
        salesflow stage set Sales.xlsx Nurturing --probability 35% --rotting-days 28
        salesflow stage set Sales.xlsx Negotiation --follow-up-days 2
    """
    given = (
        probability is not None
        or rotting_days is not None
        or never_rots
        or follow_up_days is not None
        or no_follow_up
    )
    require(given, "--probability, --rotting-days, --never-rots, --follow-up-days, --no-follow-up")
    act(
        path,
        lambda d: catalog.set_stage(
            d, name, probability, rotting_days, never_rots, follow_up_days, no_follow_up
        ),
    )


@stage.command("remove")
@PATH
@click.argument("name")
def stage_remove(path: Path, name: str) -> None:
    """Remove an open stage that no deal and no stage-log row uses.

    Example:

    \b
        salesflow stage remove Sales.xlsx Proposal
    """
    act(path, lambda d: catalog.remove_stage(d, name))


# -- the Lists sheet ------------------------------------------------------------------------


class ListKind(click.ParamType):
    """segment, channel, lost-reason or activity-type (plural and any case also)."""

    name = "kind"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        key = catalog.LIST_NAMES.get(" ".join(str(value).replace("-", " ").split()).casefold())
        if key is None:
            self.fail(
                _("{value} is not a list: segment, channel, lost-reason or activity-type").format(
                    value=repr(value)
                ),
                param,
                ctx,
            )
        return key


KIND = click.argument("kind", type=ListKind())


@click.group("list")
def list_() -> None:
    """Add, rename or remove the values of the Lists sheet's drop-downs.

    KIND is segment, channel, lost-reason or activity-type.

    Example:

    \b
        salesflow list add Sales.xlsx channel "Trade fair"
        salesflow list rename Sales.xlsx segment Offices "Offices & co-working"
        salesflow list remove Sales.xlsx lost-reason "Not a fit"
    """


@list_.command("add")
@PATH
@KIND
@click.argument("value")
def list_add(path: Path, kind: str, value: str) -> None:
    """Add a value at the end of a list.

    Example:

    \b
        salesflow list add Sales.xlsx channel "Trade fair"
    """
    act(path, lambda d: catalog.add_list_value(d, kind, value))


@list_.command("rename")
@PATH
@KIND
@click.argument("old")
@click.argument("new")
def list_rename(path: Path, kind: str, old: str, new: str) -> None:
    """Rename a value, and every customer, deal, campaign or activity that uses it.

    Example:

    \b
        salesflow list rename Sales.xlsx segment Offices "Offices & co-working"
    """
    act(path, lambda d: catalog.rename_list_value(d, kind, old, new))


@list_.command("remove")
@PATH
@KIND
@click.argument("value")
def list_remove(path: Path, kind: str, value: str) -> None:
    """Remove a value no record uses (refused, naming them, while any does).

    Example:

    \b
        salesflow list remove Sales.xlsx lost-reason "Not a fit"
    """
    act(path, lambda d: catalog.remove_list_value(d, kind, value))


COMMANDS = (campaign, stage, list_, deal, customer)
