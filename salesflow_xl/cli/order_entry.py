"""Order commands: enter one order, or import a shop's order export (Shopify, WooCommerce,
Etsy or a plain customer/date/amount file). The rules are in
:mod:`salesflow_xl.actions.orders` and ``docs/orders.md``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from salesflow_xl.cli.app import (
    AT,
    DAY,
    ENCODING,
    EXISTING_FILE,
    EXISTING_WORKBOOK,
    column_map,
    now,
    say_encoding,
    speak_language_of,
)
from salesflow_xl.cli.workbook_file import act
from salesflow_xl.core.i18n import _

if TYPE_CHECKING:
    from salesflow_xl.actions.changes import Changes
    from salesflow_xl.core.dataset import SalesData


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@click.option(
    "--customer",
    required=True,
    metavar="ID_OR_EMAIL",
    help="A customer ID (C0001) or e-mail address (matched ignoring case and spaces).",
)
@click.option(
    "--amount",
    required=True,
    help="The order's amount, > 0, as you write it: 120, 1,234.56, 1.234,56, € 80.",
)
@click.option("--date", "day", type=DAY, default=None, help="The order's date (default: today).")
@click.option("--id", "order_id", default=None, help="The order ID (default: the next free one).")
@click.option("--name", default=None, help="A new customer's name (with an unknown e-mail).")
@click.option("--company", default=None, help="A new customer's company.")
@AT
def order(
    path: Path,
    customer: str,
    amount: str,
    day: datetime | None,
    order_id: str | None,
    name: str | None,
    company: str | None,
    at: datetime | None,
) -> None:
    """Add one order for a customer, given by ID or e-mail address.

    An e-mail address no customer has adds a new customer when --name is given (and
    --company, if any); without --name, or with an unknown ID, the order is refused. A free
    order (amount 0) is refused: it is not a purchase.

    Example:

    \b
        salesflow order Sales.xlsx --customer C0001 --amount 120 --date 2026-06-30
        salesflow order Sales.xlsx --customer ann@lee.example --name "Ann Lee" --amount 80
    """
    from salesflow_xl.actions import orders

    speak_language_of(path)  # before --at is checked: its refusal too is in that language
    moment = now(at)
    act(
        path,
        lambda data: orders.add_order(
            data,
            customer,
            amount,
            moment,
            day.date() if day else None,
            order_id,
            name,
            company,
        ),
    )


@click.command("import-orders")
@click.argument("path", type=EXISTING_WORKBOOK)
@click.argument("csv_file", type=EXISTING_FILE)
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Read a field (order_id, customer_id, email, name, company, date, amount, status, "
    "currency, refunded) from a CSV column, e.g. --map amount=Subtotal (repeatable).",
)
@ENCODING
@AT
def import_orders(
    path: Path,
    csv_file: Path,
    mapping: tuple[str, ...],
    encoding: str | None,
    at: datetime | None,
) -> None:
    """Import orders from a shop's order export or a customer/date/amount CSV.

    Shopify, WooCommerce and Etsy exports are recognised by their columns; any other CSV
    needs a customer (customer_id, email or name), a date and an amount column. The lines of
    one order are one order. Customers are matched by e-mail address (then as leads are);
    missing ones are added. Refunded, cancelled and zero orders are skipped and listed with
    their line; an order already in the workbook is not imported again.

    Example:

    \b
        salesflow import-orders Sales.xlsx orders_export.csv
        salesflow import-orders Sales.xlsx sales.csv --map amount="Net total"
    """
    from salesflow_xl.actions import order_exports, orders, safe_text

    speak_language_of(path)  # the file's problems too are told in the workbook's language
    decoded = safe_text.decode(csv_file.read_bytes(), csv_file.name, encoding)
    file = order_exports.parse_orders(decoded.text, column_map(mapping) or None)
    moment = now(at)
    result: dict[str, Any] = {}

    def plan(data: SalesData) -> Changes:
        changes, result["report"] = orders.import_orders(data, file, moment)
        return changes

    act(path, plan)
    say_encoding(decoded.note(csv_file.name))
    report: orders.OrderImportReport = result["report"]
    click.echo(
        "  "
        + _("Read as: {layout} ({rule}).").format(
            layout=order_exports.with_article(report.layout), rule=report.rule
        )
    )
    for title, lines in (
        (_("New customer"), report.customers),
        (_("Duplicate"), report.duplicate),
        (_("Skipped"), report.skipped),
    ):
        for line in lines:
            click.echo("  " + _("{title}: {line}").format(title=title, line=line))


COMMANDS = (order, import_orders)
