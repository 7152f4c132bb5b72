"""Pipeline commands, the ribbon's buttons on the file: move deals through their stages, log
activities, add and import leads, list follow-ups, refresh the as-of date."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from salesflow_xl.cli.app import (
    AT,
    DAY,
    DEAL_IDS,
    ENCODING,
    EXISTING_FILE,
    EXISTING_WORKBOOK,
    NOTE,
    column_map,
    lazy,
    now,
    say_encoding,
    speak_language_of,
)
from salesflow_xl.cli.followups import drafts, followups
from salesflow_xl.cli.workbook_file import act, read
from salesflow_xl.core.i18n import _

if TYPE_CHECKING:
    from salesflow_xl.actions.changes import Changes
    from salesflow_xl.core.dataset import SalesData

deals = lazy("salesflow_xl.actions.deals")


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@DEAL_IDS
@NOTE
@AT
def advance(path: Path, deal_ids: tuple[str, ...], note: str | None, at: datetime | None) -> None:
    """Move deals to their next stage (from the last open stage: won).

    Example:

    \b
        salesflow advance Sales.xlsx D00016 D00045
    """
    act(path, lambda data: deals.advance(data, deal_ids, now(at), note))


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@DEAL_IDS
@click.option("--to", "stage", required=True, help="The stage to move to.")
@NOTE
@AT
def move(
    path: Path, deal_ids: tuple[str, ...], stage: str, note: str | None, at: datetime | None
) -> None:
    """Move deals to a named stage, forward or back.

    Example:

    \b
        salesflow move Sales.xlsx D00016 --to Nurturing --note "Needs a new offer"
    """
    act(path, lambda data: deals.move(data, deal_ids, stage, now(at), note))


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@DEAL_IDS
@NOTE
@AT
def won(path: Path, deal_ids: tuple[str, ...], note: str | None, at: datetime | None) -> None:
    """Mark deals won.

    Example:

    \b
        salesflow won Sales.xlsx D00016
    """
    act(path, lambda data: deals.won(data, deal_ids, now(at), note))


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@DEAL_IDS
@click.option("--reason", required=True, help="Why: one of the workbook's lost reasons.")
@NOTE
@AT
def lost(
    path: Path, deal_ids: tuple[str, ...], reason: str, note: str | None, at: datetime | None
) -> None:
    """Mark deals lost, with a reason from the workbook's list.

    Example:

    \b
        salesflow lost Sales.xlsx D00045 --reason Price
    """
    act(path, lambda data: deals.lost(data, deal_ids, reason, now(at), note))


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@DEAL_IDS
@click.option(
    "--to",
    "stage",
    default=None,
    help="The open stage to reopen into (default: the stage it was closed from).",
)
@NOTE
@AT
def reopen(
    path: Path, deal_ids: tuple[str, ...], stage: str | None, note: str | None, at: datetime | None
) -> None:
    """Reopen won or lost deals.

    Example:

    \b
        salesflow reopen Sales.xlsx D00045
    """
    act(path, lambda data: deals.reopen(data, deal_ids, now(at), stage, note))


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@click.argument("deal_id")
@click.option("--type", "kind", required=True, help="Call, E-mail, Meeting … (the Lists sheet).")
@click.option("--note", default=None, help="What happened.")
@click.option("--next", "next_follow_up", type=DAY, default=None, help="The next follow-up date.")
@AT
def log(
    path: Path,
    deal_id: str,
    kind: str,
    note: str | None,
    next_follow_up: datetime | None,
    at: datetime | None,
) -> None:
    """Log an activity done on a deal; it resets the deal's rotting clock.

    Example:

    \b
        salesflow log Sales.xlsx D00016 --type Call --note "Wants samples" --next 2026-07-03
    """
    from salesflow_xl.actions import activities

    follow = next_follow_up.date() if next_follow_up else None
    act(path, lambda data: activities.log_activity(data, deal_id, kind, now(at), note, follow))


@click.command("add-lead")
@click.argument("path", type=EXISTING_WORKBOOK)
@click.option("--name", default=None, help="The contact's name.")
@click.option("--company", default=None)
@click.option("--email", default=None)
@click.option("--phone", default=None)
@click.option("--segment", default=None, help="A segment from the Lists sheet.")
@click.option("--channel", default=None, help="A channel from the Lists sheet.")
@click.option("--campaign", default=None, help="A campaign from the Campaigns sheet.")
@click.option("--title", default=None, help="The deal's title.")
@click.option("--value", type=float, default=None, help="The deal's expected value.")
@AT
def add_lead(path: Path, at: datetime | None, **fields: Any) -> None:
    """Add a lead: a customer and a deal in the first stage (or merge into the same customer).

    Example:

    \b
        salesflow add-lead Sales.xlsx --name "Ada Park" --company "Park Café" --value 3600
    """
    from salesflow_xl.actions import leads

    lead = leads.Lead(**fields)
    act(path, lambda data: leads.add_lead(data, lead, now(at)))


@click.command("import")
@click.argument("path", type=EXISTING_WORKBOOK)
@click.argument("source", type=EXISTING_FILE)
@click.option(
    "--kind",
    type=click.Choice(["leads", "contacts", "deals", "activities"]),
    default=None,
    help="What the file holds (default: told by its columns; leads unless it has a stage or "
    "status column, or an activity type and date). contacts: customers only, no deal.",
)
@click.option("--sheet", default=None, help="The sheet of an Excel file (default: its first).")
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Read a field from a column, e.g. --map name=Contact (repeatable).",
)
@click.option(
    "--stage-map",
    "stage_map",
    multiple=True,
    metavar="SOURCE=STAGE",
    help='A source stage onto a workbook stage, e.g. --stage-map "Proposal Made=Negotiation" '
    "(repeatable).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be imported and change nothing.")
@ENCODING
@AT
def import_(
    path: Path,
    source: Path,
    kind: str | None,
    sheet: str | None,
    mapping: tuple[str, ...],
    stage_map: tuple[str, ...],
    dry_run: bool,
    encoding: str | None,
    at: datetime | None,
) -> None:
    """Import leads, contacts, deals or activities from a CSV file or an Excel sheet.

    Columns are recognised by the names CRM, shop and spreadsheet exports give them, in
    English and Chinese (docs/imports.md); first and last names are joined; customers are
    matched by e-mail, phone or name + company, and merged. Deals land in the workbook's
    stages through --stage-map or stages of the same name, each with a stage-log entry saying
    where it came from. Every skipped row is listed with its line or sheet row and reason.

    Examples:

    \b
        salesflow import Sales.xlsx leads.csv --map name="Full name"
        salesflow import Sales.xlsx hubspot-deals.csv --dry-run
        salesflow import Sales.xlsx deals.xlsx --sheet Deals \\
            --stage-map "Proposal Made=Negotiation"
    """
    from salesflow_xl.actions import record_import
    from salesflow_xl.gateway.import_source import read_source

    speak_language_of(path)  # the file's problems too are told in the workbook's language
    columns = record_import.ColumnReader(kind, column_map(mapping))  # type: ignore[arg-type]
    stages = record_import.parse_stage_map(stage_map)
    table = read_source(source.read_bytes(), source.name, columns, sheet=sheet, encoding=encoding)
    assert columns.map is not None  # the reader read the header
    found: dict[str, record_import.Plan] = {}

    def plan(data: SalesData) -> Changes:
        found["plan"] = record_import.plan_import(
            data, table.rows, columns.map, now(at), table.where, stages
        )
        return found["plan"].changes

    if dry_run:
        plan(read(path))
        _show_columns(table.where, found["plan"].columns, len(table.rows))
        for line in found["plan"].changes.summary:
            click.echo(line)
    else:
        act(path, plan)
    say_encoding(table.note)
    _show_report(found["plan"].report, dry_run)
    if dry_run:
        click.echo(_("Dry run: nothing was written."))


#: How many added or merged rows an import lists (every skipped row is listed).
SHOWN_ROWS = 20


def _show_columns(where: str, columns: Any, rows: int) -> None:
    """The dry run's account of the source: what it was read as, and each column's field."""
    kinds = {
        "leads": _("leads"),
        "contacts": _("contacts"),
        "deals": _("deals"),
        "activities": _("activities"),
    }
    click.echo(
        _("{where}: {rows} row(s), read as {kind}.").format(
            where=where, rows=f"{rows:,}", kind=kinds[columns.kind]
        )
    )
    for field, header in columns.fields.items():
        click.echo("  " + _("{field} ← {column}").format(field=field, column=header))
    if columns.ignored:
        click.echo(
            "  "
            + _("Recognised, not imported: {columns}").format(columns=", ".join(columns.ignored))
        )
    if columns.unused:
        click.echo("  " + _("Not read: {columns}").format(columns=", ".join(columns.unused)))


def _show_report(report: Any, dry_run: bool) -> None:
    """Added and merged rows (the first :data:`SHOWN_ROWS`), every skipped row, and the
    source stages no workbook stage took."""
    for title, lines, cap in (
        (_("Would add") if dry_run else _("Added"), report.added, SHOWN_ROWS),
        (_("Would merge") if dry_run else _("Merged"), report.merged, SHOWN_ROWS),
        (_("Skipped"), report.skipped, None),
    ):
        for line in lines[:cap]:
            click.echo("  " + _("{title}: {line}").format(title=title, line=line))
        if cap is not None and len(lines) > cap:
            click.echo("  " + _("… and {count} more").format(count=f"{len(lines) - cap:,}"))
    for stage, count in getattr(report, "unmapped", {}).items():
        click.echo(
            "  "
            + _(
                'Stage {stage} ({count} row(s)) is not mapped: --stage-map "{stage_name}=STAGE"'
            ).format(stage=repr(stage), count=count, stage_name=stage)
        )


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@click.option(
    "--as-of",
    "as_of",
    type=DAY,
    default=None,
    help="Pin the figures to this date (default: today; a pinned date moves to today).",
)
@click.option(
    "--unpin",
    is_flag=True,
    help="Blank the as-of date: the figures follow the calendar, as of each day.",
)
def refresh(path: Path, as_of: datetime | None, unpin: bool) -> None:
    """Bring every figure up to date, refit the customer predictions, lay the Dashboard and
    Analytics out anew (new stages, campaigns, channels and segments get their rows) and make
    the Dashboard's revenue forecast anew.

    A workbook whose as-of date is blank follows the calendar: its figures are as of today.
    A pinned as-of date moves to today, or to --as-of.

    Examples:

    \b
        salesflow refresh Sales.xlsx
        salesflow refresh Sales.xlsx --as-of 2026-06-30
        salesflow refresh Sales.xlsx --unpin
    """
    from salesflow_xl.actions import activities

    if as_of is not None and unpin:
        raise click.UsageError(_("give --as-of (pin a date) or --unpin (follow today), not both"))
    pin = as_of.date() if as_of else None
    act(path, lambda data: activities.refresh(data, date.today(), pin, unpin))


COMMANDS = (advance, move, won, lost, reopen, log, add_lead, import_, followups, drafts, refresh)
