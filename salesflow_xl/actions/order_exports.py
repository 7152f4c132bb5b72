"""The order exports people have, read into lines of orders: which platform wrote the file,
which column holds each field, and the values as they are written there (dates, amounts,
statuses). What each platform's columns mean, with sources, is in ``docs/orders.md``.

Layouts, recognised by their headers (case, spaces and punctuation ignored):

- **Shopify** (``Name`` and ``Financial Status``): one row per line item; the order's own
  columns (``Email``, ``Created at``, ``Total`` …) are on its first line only. The ``Total`` of
  the first line is the order's amount; a later line of the same order carrying a ``Total`` again
  is the order repeated (a duplicate).
- **WooCommerce** (an order number or ID, an order total and a billing e-mail): one row per order
  or per line item with the order's columns repeated; the order total is taken once.
- **Etsy** sold orders (``Sale Date`` and ``Order ID``): one row per order, no e-mail address; the
  customer is the buyer's ``Full Name`` (else ``Buyer``).
- **Generic**: a customer (``customer_id``, ``email`` or ``name``), a ``date`` and an ``amount``,
  optionally ``order_id``, ``company``, ``status``, ``currency``; rows with the same order ID are
  the lines of one order and their amounts are summed.

Amounts are the order's total as the platform states it; a refunded amount column, when there is
one, is taken off. Dates are the calendar date written in the export (a time and a zone after it
are ignored).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from salesflow_xl.actions.csv_rows import BadRow, header_key, read_rows
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError
from salesflow_xl.core.i18n import N_, _

#: The fields ``--map FIELD=COLUMN`` can name.
MAPPABLE = (
    *("order_id", "customer_id", "email", "name", "company"),
    *("date", "amount", "status", "currency", "refunded"),
)


@dataclass(frozen=True)
class Layout:
    """How one kind of export lays out its orders.

    Attributes:
        name: the export as people know it ("Shopify orders export").
        signature: groups of headers; a file has this layout when it has one of each group.
        columns: field → headers, most telling first; per row the first that is not blank wins.
        lines: several lines of one order: "first" (the amount is on the first line), "once"
            (the order's columns repeat on every line: taken once) or "sum" (amounts added).
        month_first: how a date like 03/05/24 is read: True month first (US), None as the
            file's other dates tell (13/05 can only be day first).
        rule: how lines become orders, in words, for the report (N_-marked: translated where
            shown).
    """

    name: str
    signature: tuple[tuple[str, ...], ...]
    columns: Mapping[str, tuple[str, ...]]
    lines: Literal["first", "once", "sum"]
    month_first: bool | None
    rule: str


SHOPIFY = Layout(
    "Shopify orders export",
    (("name",), ("financialstatus",)),
    {
        "order_id": ("name",),
        "email": ("email",),
        "name": ("billingname", "shippingname"),
        "company": ("billingcompany",),
        "date": ("createdat", "paidat"),
        "amount": ("total",),
        "refunded": ("refundedamount",),
        "status": ("financialstatus",),
        "cancelled": ("cancelledat",),
        "currency": ("currency",),
    },
    "first",
    None,
    N_("an order's lines are one order; its Total is on the first line"),
)
WOOCOMMERCE = Layout(
    "WooCommerce orders export",
    (
        ("ordernumberformatted", "ordernumber", "orderid"),
        ("ordertotalamount", "ordertotal"),
        ("billingemail", "emailbilling", "customeremail"),
    ),
    {
        "order_id": ("ordernumberformatted", "ordernumber", "orderid"),
        "email": ("billingemail", "emailbilling", "customeremail"),
        "name": ("billingfullname", "fullnamebilling"),
        "first_name": ("billingfirstname", "firstnamebilling"),
        "last_name": ("billinglastname", "lastnamebilling"),
        "company": ("billingcompany", "companybilling"),
        "date": ("orderdate", "date"),
        "amount": ("ordertotalamount", "ordertotal"),
        "refunded": ("orderrefundamount", "refundedtotal"),
        "status": ("orderstatus", "status"),
        "currency": ("currency", "ordercurrency"),
    },
    "once",
    True,
    N_("rows with the same order number are one order; its Order Total is taken once"),
)
ETSY = Layout(
    "Etsy sold orders export",
    (("saledate",), ("orderid",)),
    {
        "order_id": ("orderid",),
        "name": ("fullname", "buyer"),
        "date": ("saledate",),
        "amount": ("ordertotal", "ordervalue"),
        "status": ("status",),
        "currency": ("currency",),
    },
    "once",
    True,
    N_("one row per order (Order Total); buyers are matched by name, there is no e-mail"),
)
GENERIC = Layout(
    "generic order file",
    (),
    {
        "order_id": ("orderid", "ordernumber", "orderno", "order", "invoice", "invoicenumber"),
        "customer_id": ("customerid", "customerno", "customernumber", "clientid"),
        "email": ("email", "emailaddress", "mail", "customeremail", "billingemail"),
        "name": ("name", "fullname", "customername", "contact", "contactname", "billingname"),
        "first_name": ("firstname", "billingfirstname"),
        "last_name": ("lastname", "surname", "billinglastname"),
        "company": ("company", "companyname", "organisation", "organization", "business"),
        "date": ("date", "orderdate", "createdat", "created", "purchasedate", "saledate"),
        "amount": ("amount", "total", "ordertotal", "totalamount", "ordervalue", "value"),
        "refunded": ("refunded", "refundedamount", "refundamount"),
        "status": ("status", "orderstatus", "financialstatus", "paymentstatus"),
        "cancelled": ("cancelledat", "canceledat"),
        "currency": ("currency", "ordercurrency", "currencycode"),
    },
    "sum",
    None,
    N_("rows with the same order ID are one order; their amounts are summed"),
)
LAYOUTS = (SHOPIFY, ETSY, WOOCOMMERCE)


@dataclass(frozen=True)
class OrderLine:
    """One line of an order export: its first line number in the file and its fields as
    written (stripped; a field the file lacks or leaves blank is absent)."""

    line: int
    values: Mapping[str, str]

    def get(self, name: str) -> str | None:
        return self.values.get(name)


@dataclass(frozen=True)
class OrderFile:
    """An order export as read: its layout, the header read for each field, its lines."""

    layout: Layout
    headers: Mapping[str, str]
    lines: Sequence[OrderLine | tuple[int, BadRow]] = field(default_factory=tuple)


def parse_orders(text: str, mapping: Mapping[str, str] | None = None) -> OrderFile:
    """The lines of an order export (CSV text). The layout is recognised from the header;
    ``mapping`` (field → CSV header) names columns the layout does not know. Refused when the
    file has no date, amount or customer column, naming the columns it has."""
    read: list[tuple[Layout, dict[str, str]]] = []  # the layout and headers, once read

    def columns_of(header: list[str]) -> dict[str, int]:
        layout, headers, columns = _columns(header, mapping)
        read.append((layout, headers))
        return columns

    rows = read_rows(text, columns_of)
    lines: list[OrderLine | tuple[int, BadRow]] = []
    for line, row in rows:
        if isinstance(row, BadRow):
            lines.append((line, row))
            continue
        values: dict[str, str] = {}
        for key, value in row.items():  # "field/rank" → the first non-blank value per field
            name = key.partition("/")[0]
            if value is not None and name not in values:
                values[name] = value
        if "name" not in values and (values.get("first_name") or values.get("last_name")):
            values["name"] = " ".join(
                filter(None, (values.get("first_name"), values.get("last_name")))
            )
        lines.append(OrderLine(line, values))
    layout, headers = read[0]
    return OrderFile(layout, headers, tuple(lines))


def _columns(
    header: list[str], mapping: Mapping[str, str] | None
) -> tuple[Layout, dict[str, str], dict[str, int]]:
    """(layout, field → header read, "field/rank" → column index) for a CSV header."""
    keys = [header_key(h) for h in header]
    present = set(keys)
    if {"saledate", "itemname"} <= present and not present & {"ordertotal", "ordervalue"}:
        raise SalesflowError(
            _(
                "this looks like Etsy's sold order items file (one row per item); download the "
                "sold orders file (EtsySoldOrders….csv) and import that"
            )
        )
    layout = next(
        (lay for lay in LAYOUTS if all(present & set(group) for group in lay.signature)), GENERIC
    )
    aliases = {
        name: [keys.index(a) for a in names if a in present]
        for name, names in layout.columns.items()
    }
    for name, column in (mapping or {}).items():
        if name not in MAPPABLE:
            raise InvalidArgumentError(
                _("mapping"), name, _("one of {values}").format(values=", ".join(MAPPABLE))
            )
        if header_key(column) not in present:
            raise InvalidArgumentError(
                _("mapping {field}").format(field=name),
                column,
                _("a column of the CSV: {columns}").format(columns=", ".join(header)),
            )
        aliases[name] = [keys.index(header_key(column))]
    headers = {name: header[indexes[0]] for name, indexes in aliases.items() if indexes}
    missing = [n for n in ("date", "amount") if n not in headers]
    if not headers.keys() & {"customer_id", "email", "name", "first_name", "last_name"}:
        missing.append(_("customer (customer_id, email or name)"))
    if missing:
        fields = missing[0]
        for field_name in missing[1:]:
            fields = _("{first} or {second}").format(first=fields, second=field_name)
        raise SalesflowError(
            _(
                "the CSV (read as {layout}) has no {fields} column (its columns: {columns}); "
                "map one with --map FIELD=COLUMN"
            ).format(layout=with_article(layout.name), fields=fields, columns=", ".join(header))
        )
    columns = {f"{n}/{rank}": i for n, indexes in aliases.items() for rank, i in enumerate(indexes)}
    return layout, headers, columns


#: Each layout's name after "a" or "an", as messages say it (translated where shown).
WITH_ARTICLE: dict[str, str] = {
    SHOPIFY.name: N_("a Shopify orders export"),
    WOOCOMMERCE.name: N_("a WooCommerce orders export"),
    ETSY.name: N_("an Etsy sold orders export"),
    GENERIC.name: N_("a generic order file"),
}


def with_article(name: str) -> str:
    """The name after "a" or "an": a Shopify orders export, an Etsy sold orders export (a
    layout's name in the language in effect)."""
    if name in WITH_ARTICLE:
        return _(WITH_ARTICLE[name])
    return ("an " if name[0].lower() in "aeiou" else "a ") + name


# --- values as exports write them ------------------------------------------------------------

#: Ways exports write a currency, by its ISO code.
_CURRENCY_NAMES = {
    "RMB": "CNY",
    "人民币": "CNY",
    "元": "CNY",
    "￥": "CNY",
    "¥": "CNY",
    "US$": "USD",
    "$": "USD",
    "美元": "USD",
    "€": "EUR",
    "欧元": "EUR",
    "£": "GBP",
    "英镑": "GBP",
}


def currency_code(text: str) -> str:
    """A currency as its ISO code: "rmb", "人民币" and "元" are CNY, "US$" USD …"""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    return _CURRENCY_NAMES.get(cleaned.upper(), _CURRENCY_NAMES.get(cleaned, cleaned.upper()))


_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T\s].*)?")
_DOTS = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?:[,\s].*)?")
_SLASHES = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:[,\sT].*)?")
_WORDS = ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%d-%b-%Y", "%d-%b-%y")


class UnreadableError(SalesflowError):
    """A value an export wrote that is not what its column should hold; the message says so
    (a line is skipped with it)."""


def month_first_of(texts: Iterable[str | None], default: bool | None) -> bool | None:
    """Whether the file's slash dates (03/05/24) put the month first: ``default`` for a
    layout that says, otherwise as the dates tell (13/05/24 is day first, 05/13/24 month
    first); None when they do not tell, or tell both."""
    if default is not None:
        return default
    day_first = month_first = False
    for text in texts:
        match = _SLASHES.fullmatch(text or "")
        if match:
            day_first |= int(match.group(1)) > 12
            month_first |= int(match.group(2)) > 12
    return None if day_first == month_first else month_first


def parse_day(text: str, month_first: bool | None) -> date:
    """The calendar date written at the start of ``text`` (2024-03-05, 2024-03-05 14:22:11
    +0100, 05.03.2024, 03/05/24, Mar 5, 2024): the date as the export gives it, a time and
    zone after it ignored. Raises :class:`UnreadableError`."""
    text = text.strip()
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DOTS.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _SLASHES.fullmatch(text):
        first, second, year = (int(g) for g in match.groups())
        if first > 12:
            month_first = False
        elif second > 12 or first == second:
            month_first = True
        if month_first is None:
            raise UnreadableError(
                _(
                    "date {date} could be day/month or month/day (the file does not tell): "
                    "write it as YYYY-MM-DD"
                ).format(date=repr(text))
            )
        month, day = (first, second) if month_first else (second, first)
    else:
        return _date_in_words(text)
    if match.re is not _ISO and len(match.group(3)) == 2:  # 24 → 2024, 99 → 1999
        year += 2000 if year < 70 else 1900
    if not 1 <= month <= 12:
        raise UnreadableError(
            _("date {date}: there is no month {month}").format(date=repr(text), month=month)
        )
    if year < 1:
        raise UnreadableError(
            _("date {date} is outside Excel's dates ({first} to {last})").format(
                date=repr(text), first="1900-01-01", last="9999-12-31"
            )
        )
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise UnreadableError(
            _("date {date} does not exist: {month} {year} has {days} days").format(
                date=repr(text), month=_(MONTHS[month - 1]), year=year, days=days
            )
        )
    return date(year, month, day)


def _date_in_words(text: str) -> date:
    head = re.split(r"\s+\d{1,2}:\d{2}", text)[0].strip()
    for form in _WORDS:
        try:
            return datetime.strptime(head, form).date()
        except ValueError:
            continue
    raise UnreadableError(
        _("date: expected a date like 2024-03-05, found {text}").format(text=repr(text))
    )


#: The months' names in messages (translated where shown).
MONTHS = (
    *(N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June")),
    *(N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December")),
)

#: Words of an order status meaning the sale did not (or no longer) happen, and what to call it
#: (translated where shown).
_CLOSED = (
    ("refund", N_("refunded")),
    ("cancel", N_("cancelled")),
    ("void", N_("voided")),
    ("fail", N_("failed")),
    ("declin", N_("declined")),
    ("trash", N_("deleted")),
    ("draft", N_("a draft")),
)


def closed_status(status: str | None) -> str | None:
    """What a status says when the order is not a sale: "refunded", "cancelled", "voided",
    "failed" …; None for a sale (paid, pending, processing, completed, partially refunded …)."""
    text = re.sub(r"^wc-", "", (status or "").strip().casefold())
    words = text.replace("_", " ").replace("-", " ").split()
    if "partially" in words or "partial" in words:
        return None
    for stem, meaning in _CLOSED:
        if any(word.startswith(stem) for word in words):
            return meaning
    return None
