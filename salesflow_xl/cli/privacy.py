"""Commands for the privacy duties of a small seller: the marketing list of customers who gave
consent (``export-contacts``) and erasure (``forget``: on request, or after a retention
period). The access request's answer, ``export-customer``, is with the other customer
commands (:mod:`.customers`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from salesflow_xl.cli.app import (
    DAY,
    EXISTING_WORKBOOK,
    WORKBOOK,
    Moment,
    lazy,
    output_console,
)
from salesflow_xl.cli.workbook_file import act, read
from salesflow_xl.core.i18n import _

privacy = lazy("salesflow_xl.actions.privacy")
erasure = lazy("salesflow_xl.actions.erasure")


@click.command("export-contacts")
@click.argument("path", type=EXISTING_WORKBOOK)
@click.option("--segment", default=None, help="Only the customers of this segment.")
@click.option(
    "--csv",
    "csv_file",
    type=WORKBOOK,
    default=None,
    help="Write the list to this CSV file (UTF-8 with BOM, as Excel opens it).",
)
def export_contacts(path: Path, segment: str | None, csv_file: Path | None) -> None:
    """List the customers who gave marketing consent, for a mailing.

    Only customers whose Marketing consent is yes are listed (no and unknown never are), with
    an e-mail address or phone number. In the CSV file, text that a spreadsheet would run as a
    formula (starting with =, +, -, @) is written with a leading apostrophe.

    Examples:

    \b
        salesflow export-contacts Sales.xlsx
        salesflow export-contacts Sales.xlsx --segment Retail --csv mailing.csv
    """
    from rich.table import Table

    from salesflow_xl.workbook import schema, store

    data = read(path)
    contacts = privacy.marketing_contacts(data, segment)
    headers = [schema.CUSTOMERS.header_of(f) for f in privacy.CONTACT_FIELDS]
    if csv_file is not None:
        if csv_file.suffix.lower() != ".csv":
            raise click.BadParameter(
                _("{name}: the file must end in .csv").format(name=csv_file.name),
                param_hint="--csv",
            )
        text = privacy.contacts_csv(contacts, headers)
        store.save(csv_file, ("\ufeff" + text).encode("utf-8"))
        click.echo(
            _("Wrote {count} consenting customer(s) to {path}.").format(
                count=f"{len(contacts):,}", path=csv_file
            )
        )
        return
    table = Table(
        title=_("Customers who gave marketing consent: {count}").format(count=len(contacts))
    )
    for header in headers:
        table.add_column(header)
    for row in contacts.itertuples(index=False):
        table.add_row(
            *(
                "" if v is None or v != v else str(v)[:10] if hasattr(v, "date") else str(v)
                for v in row
            )
        )
    output_console().print(table)


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@click.argument("customers", nargs=-1)
@click.option(
    "--inactive-since",
    "since",
    type=DAY,
    default=None,
    help="List the customers with no deal, activity or order since this date (and no open "
    "deal); with --yes, erase them.",
)
@click.option("--yes", is_flag=True, help="With --inactive-since: erase the customers listed.")
@click.option(
    "--reason",
    default=None,
    help="Why, for the Privacy log (default: erasure request; with --inactive-since: the "
    "retention rule).",
)
@click.option(
    "--at",
    "at",
    type=Moment(time=True),
    default=None,
    help="The time the Privacy log records, YYYY-MM-DD [HH:MM] (default: now).",
)
def forget(
    path: Path,
    customers: tuple[str, ...],
    since: datetime | None,
    yes: bool,
    reason: str | None,
    at: datetime | None,
) -> None:
    """Erase customers' personal data; every figure stays as it was.

    A customer (by ID or e-mail address) keeps their ID, deals, orders, amounts, dates and
    stages; their name becomes "Erased customer <ID>", their company, e-mail, phone, consent
    and data source are emptied, the notes of their activities and stage changes and the cells
    of columns you added to the Customers table too, and their name, e-mail or phone is
    replaced wherever another row's text mentions it. The Privacy log sheet gets one row per
    customer (when, who, what was erased, why; never the data). The backup SalesFlow keeps
    beside the workbook then holds the erased workbook as well: no copy of the data is left.
    This cannot be undone.

    With --inactive-since, lists the customers with nothing since that date (the retention
    rule); add --yes to erase them.

    Examples:

    \b
        salesflow forget Sales.xlsx C0042
        salesflow forget Sales.xlsx li.na@example.com --reason "asked by e-mail"
        salesflow forget Sales.xlsx --inactive-since 2023-12-31
        salesflow forget Sales.xlsx --inactive-since 2023-12-31 --yes
    """
    from salesflow_xl.core import i18n
    from salesflow_xl.workbook import language, schema, store

    if since is not None and customers:
        raise click.UsageError(_("give customers or --inactive-since, not both"))
    if since is None and not customers:
        raise click.UsageError(_("name a customer to erase, or give --inactive-since"))
    if yes and since is None:
        raise click.UsageError(_("--yes goes with --inactive-since"))
    when = at or datetime.now().replace(second=0, microsecond=0)
    if since is not None:
        inactive = erasure.inactive_customers(read(path), since.date())
        if not yes:
            _print_inactive(inactive, since)
            return
        if inactive.empty:
            click.echo(_("No customer without a contact since {date}.").format(date=since.date()))
            return
        customers = tuple(inactive["id"])
    chosen, rule = customers, since.date() if since else None
    act(path, lambda data: erasure.forget(data, chosen, when, reason, rule).changes)
    sheet = i18n.workbook_name(schema.PRIVACY_LOG.sheet_name, language.of_path(path))
    click.echo(
        _(
            "The {sheet} sheet records it. The backup {backup} holds the erased workbook too: "
            "no copy of the data is left beside it."
        ).format(sheet=sheet, backup=store.backup_path(path).name)
    )


def _print_inactive(inactive: Any, since: datetime) -> None:
    from rich.table import Table

    click.echo(
        _("Customers with no deal, activity or order since {date}: {count}").format(
            date=since.date(), count=len(inactive)
        )
    )
    if inactive.empty:
        return
    table = Table()
    for header in (_("Customer"), _("Name"), _("Last contact")):
        table.add_column(header)
    for row in inactive.itertuples(index=False):
        last = "—" if row.last_contact != row.last_contact else str(row.last_contact.date())
        table.add_row(str(row.id), str(row.name), last)
    output_console().print(table)
    click.echo(_("Add --yes to erase their personal data (this cannot be undone)."))


COMMANDS = (export_contacts, forget)
