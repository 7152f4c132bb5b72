"""Commands for the privacy duties of a small seller: the marketing list of customers who gave
consent (``export-contacts``). The access request's answer, ``export-customer``, is with the
other customer commands (:mod:`.customers`)."""

from __future__ import annotations

from pathlib import Path

import click

from salesflow_xl.cli.app import EXISTING_WORKBOOK, WORKBOOK, lazy, output_console
from salesflow_xl.cli.workbook_file import read
from salesflow_xl.core.i18n import _

privacy = lazy("salesflow_xl.actions.privacy")


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


COMMANDS = (export_contacts,)
