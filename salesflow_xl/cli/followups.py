"""The ``followups`` command: what is due, as a list, as JSON or as a calendar file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from salesflow_xl.actions.calendar import CALENDAR_DAYS  # loads no pandas: the help names it
from salesflow_xl.cli.app import DAY, EXISTING_WORKBOOK, Moment, strict_json
from salesflow_xl.cli.workbook_file import read
from salesflow_xl.core.i18n import _

if TYPE_CHECKING:
    import pandas as pd


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@click.option(
    "--as-of",
    "as_of",
    type=DAY,
    default=None,
    help="The date to list for (default: the workbook's as-of date).",
)
@click.option(
    "--days",
    type=click.IntRange(min=0),
    metavar="N",
    default=None,
    help="Also list what falls due in the N days after the as-of date (default: 0 for the "
    f"list, {CALENDAR_DAYS} with --json or --ics).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the follow-ups as JSON.")
@click.option(
    "--ics",
    "ics_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write them as an iCalendar file (.ics) for Outlook, Google or Apple Calendar.",
)
@click.option(
    "--at",
    "at",
    type=Moment(time=True),
    default=None,
    help="With --ics: the file's time stamp, YYYY-MM-DD [HH:MM] (default: now).",
)
def followups(
    path: Path,
    as_of: datetime | None,
    days: int | None,
    as_json: bool,
    ics_file: Path | None,
    at: datetime | None,
) -> None:
    """List the activities and deal follow-ups due, oldest first (overdue ones included).

    --days N adds those due in the next N days. --ics writes the same follow-ups as a
    calendar file to import into Outlook, Google Calendar or Apple Calendar: one all-day
    event each, an overdue one on the as-of date with "(due DAY)" in its title. Importing a
    newer file again updates its events instead of adding them twice: an event's UID names the
    activity or deal and the workbook file's name. --at sets the file's time stamp (default:
    now; the same --at writes the same file). --json lists the follow-ups the calendar file
    holds, with their UIDs. With --json or --ics, --days is 14 unless given.

    Examples:

    \b
        salesflow followups Sales.xlsx
        salesflow followups Sales.xlsx --days 7
        salesflow followups Sales.xlsx --ics followups.ics
        salesflow followups Sales.xlsx --json
    """
    from salesflow_xl.actions import activities
    from salesflow_xl.actions import calendar as ical
    from salesflow_xl.workbook import store

    if ics_file is not None and ics_file.suffix.lower() != ".ics":
        raise click.BadParameter(
            _("{name}: give a file name ending in .ics").format(name=ics_file.name),
            param_hint="--ics",
        )
    if days is None:
        days = CALENDAR_DAYS if as_json or ics_file else 0
    data = read(path)
    day = as_of.date() if as_of else data.settings.as_of
    due = activities.followups(data, day, days)
    if not (as_json or ics_file):
        _print_list(due)
        return
    until = activities.followups_until(day, days)
    events = ical.events(data, due, day, path.name)
    if as_json:
        rows = ical.records(due, events)
        click.echo(strict_json({"as_of": str(day), "until": str(until), "followups": rows}))
    if ics_file:
        stamp = (at or datetime.now()).astimezone()  # --at is local time, as everywhere
        store.atomic_write(ics_file, ical.ics(events, stamp), keep_backup=False)
        click.echo(
            _(
                "Wrote {path}: {count} follow-up(s) due by {day}; import it into your calendar."
            ).format(path=ics_file, count=len(events), day=until),
            err=as_json,
        )


def _print_list(due: pd.DataFrame) -> None:
    """One line a follow-up: its due date, how late (or how soon), the deal, what to do."""
    from rich.cells import cell_len

    if due.empty:
        click.echo(_("Nothing is due."))
        return
    for row in due.itertuples(index=False):
        if row.days_overdue > 0:
            late = _("{days} day(s) late").format(days=row.days_overdue)
        elif row.days_overdue < 0:
            late = _("in {days} day(s)").format(days=-row.days_overdue)
        else:
            late = _("due today")
        late += " " * (16 - cell_len(late))  # a Chinese character takes two columns
        what = " ".join(str(row.what).split())  # a note's line breaks: still one line each
        click.echo(f"{row.due:%Y-%m-%d}  {late} {row.deal_id or '':<8} {what}")


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder to write the drafts into (made when missing).",
)
@click.option(
    "--days",
    type=click.IntRange(min=0),
    metavar="N",
    default=0,
    show_default=True,
    help="Also draft for what falls due in the N days after the as-of date.",
)
@click.option(
    "--as-of",
    "as_of",
    type=DAY,
    default=None,
    help="The date to draft for (default: the workbook's as-of date).",
)
@click.option(
    "--from",
    "sender",
    metavar="ADDRESS",
    default=None,
    help="The From address, e.g. 'Ada Park <ada@example.com>' (default: none; the mail "
    "program fills it in).",
)
@click.option(
    "--at",
    "at",
    type=Moment(time=True),
    default=None,
    help="The drafts' Date, YYYY-MM-DD [HH:MM] (default: now).",
)
def drafts(
    path: Path,
    out: Path,
    days: int,
    as_of: datetime | None,
    sender: str | None,
    at: datetime | None,
) -> None:
    """Write a draft e-mail (.eml) to the customer of each follow-up due, from the Templates
    sheet: the template whose Stage is the deal's stage, else the first without a stage.

    The follow-ups are those `salesflow followups --json` lists for the same --as-of and
    --days (default: due by the as-of date, overdue ones included). Skipped, each with its
    reason: a customer without an e-mail address, and a marketing template for a customer
    whose marketing consent is not yes. Outlook opens each file as an unsent draft (X-Unsent);
    other mail programs open it as a message to send again. Files are named "<due> <ID>
    <customer>.eml": a second run replaces the first one's files. A workbook made before the
    Templates sheet uses the default templates.

    Examples:

    \b
        salesflow drafts Sales.xlsx --out drafts
        salesflow drafts Sales.xlsx --out drafts --days 7 --from "Ada Park <ada@example.com>"
    """
    from salesflow_xl.actions import activities
    from salesflow_xl.actions import drafts as planning
    from salesflow_xl.core import i18n
    from salesflow_xl.core.errors import InvalidArgumentError
    from salesflow_xl.gateway import drafts as gateway
    from salesflow_xl.workbook import language

    try:
        address = planning.sender(sender) if sender is not None else None
    except InvalidArgumentError as error:
        raise click.BadParameter(str(error.expected), param_hint="--from") from error
    data = read(path)
    content = path.read_bytes()
    day = as_of.date() if as_of else data.settings.as_of
    with i18n.use_workbook(language.of_bytes(content)):  # the templates in its language
        found = gateway.file_templates(content, data.pipeline, path.name)
        stamp = (at or datetime.now()).astimezone()  # --at is local time, as everywhere
        planned = gateway.drafts(data, found, path.name, day, days, stamp, address)
    written = gateway.write(out, planned)
    if not found.from_sheet:
        click.echo(gateway.no_sheet_note())
    until = activities.followups_until(day, days)
    click.echo(
        _("Wrote {count} draft e-mail(s) for the follow-ups due by {day} to {folder}.").format(
            count=len(written), day=until, folder=out
        )
    )
    if planned.skipped:
        click.echo(_("Skipped {count} follow-up(s):").format(count=len(planned.skipped)))
        for skip in planned.skipped:
            click.echo(f"  {skip}")
