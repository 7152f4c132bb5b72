"""A data subject's personal data: everything the workbook holds about one customer, for the
answer to an access request (GDPR art. 15), and finding that customer by ID or e-mail address.

The rows about a customer are their row on the Customers sheet, their deals, the stage log of
those deals, the activities on those deals or on the customer, and their orders; the names of
the campaigns those rows refer to come with them. Each row is given with its Excel row number
when the caller knows them (:attr:`salesflow_xl.workbook.reader.Snapshot.rows`), free-text
fields (notes) as they are, and, when the sheets' cells are given, every other cell of the row
(the figures SalesFlow keeps there and columns the user added).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd

from salesflow_xl.actions.customer_match import email_key, fold
from salesflow_xl.actions.records import UnknownCustomerError
from salesflow_xl.core import consent, i18n
from salesflow_xl.core.dataset import RECORD_TYPES, SalesData, to_records
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError
from salesflow_xl.core.i18n import _

#: The tables holding rows about a customer, in the order they are shown.
TABLES: tuple[str, ...] = ("customers", "deals", "stage_log", "activities", "orders")


class AmbiguousCustomerError(SalesflowError):
    """An e-mail address that several customers have.

    Attributes:
        email: the address looked for.
        customer_ids: the customers that have it, in sheet order.
    """

    def __init__(self, email: str, customer_ids: Sequence[str], message: str) -> None:
        self.email = email
        self.customer_ids = tuple(customer_ids)
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Entry:
    """One row about the customer.

    Attributes:
        table: its table key ("deals").
        row: its Excel row on the table's sheet; None when the caller gave no rows.
        record: the row's record (:class:`~salesflow_xl.core.model.Deal` …).
        other: every other non-blank cell of the row, header → value as stored (SalesFlow's
            figures and the user's own columns); empty unless :func:`with_other_cells` filled it.
    """

    table: str
    row: int | None
    record: Any
    other: Mapping[str, Any] = field(default_factory=dict)

    def fields(self) -> dict[str, Any]:
        """The record's fields, name → value, in the record's order."""
        return {f.name: getattr(self.record, f.name) for f in dataclasses.fields(self.record)}


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """Everything the workbook holds about one customer.

    Attributes:
        customer: their row on the Customers sheet.
        deals, stage_log, activities, orders: the rows about them on each sheet, in sheet order.
        campaigns: the campaign names these rows refer to, first mention first.
    """

    customer: Entry
    deals: tuple[Entry, ...]
    stage_log: tuple[Entry, ...]
    activities: tuple[Entry, ...]
    orders: tuple[Entry, ...]
    campaigns: tuple[str, ...]

    @property
    def customer_id(self) -> str:
        return str(self.customer.record.id)

    def entries(self, table: str) -> tuple[Entry, ...]:
        """The rows of table ``table`` (a key of :data:`TABLES`)."""
        return (self.customer,) if table == "customers" else getattr(self, table)

    def sources(self) -> dict[str, tuple[int, ...]]:
        """Table key → the Excel rows about the customer (tables without any left out)."""
        found = {t: tuple(e.row for e in self.entries(t) if e.row is not None) for t in TABLES}
        return {table: rows for table, rows in found.items() if rows}

    def as_json(self, sheets: Mapping[str, str]) -> dict[str, Any]:
        """The record as JSON-ready values (dates ISO): ``customer`` and one list per table,
        each row with its ``sheet`` (``sheets``: table key → sheet name), ``row``, fields and
        ``other_columns``; ``campaigns``; ``sources``: each sheet with its rows."""

        def entry(item: Entry) -> dict[str, Any]:
            values = {k: plain(v) for k, v in item.fields().items()}
            other = {k: plain(v) for k, v in item.other.items()}
            return {"sheet": sheets[item.table], "row": item.row, **values, "other_columns": other}

        return {
            "customer_id": self.customer_id,
            "customer": entry(self.customer),
            **{t: [entry(e) for e in self.entries(t)] for t in TABLES[1:]},
            "campaigns": list(self.campaigns),
            "sources": [
                {"sheet": sheets[table], "rows": list(rows)}
                for table, rows in self.sources().items()
            ],
        }


def plain(value: Any) -> Any:
    """A cell or field value as JSON holds it: dates and times ISO, NumPy scalars as Python's,
    blank text as None; anything else unknown as its text."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, str):
        return value if value.strip() else None
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def find_customer(data: SalesData, key: str) -> str:
    """The ID of the customer ``key`` names: a customer ID (exactly, else ignoring case) or an
    e-mail address (spaces and case ignored). Raises :class:`UnknownCustomerError` naming
    what was looked for, or :class:`AmbiguousCustomerError` listing the customers sharing the
    address."""
    wanted = str(key).strip()
    if not wanted:
        raise InvalidArgumentError(_("customer"), key, _("a customer ID or an e-mail address"))
    ids = data.customers["id"].astype(str).str.strip()
    if (ids == wanted).any():
        return wanted
    same = ids[(ids.str.casefold() == wanted.casefold()).to_numpy()]
    if len(same) == 1:  # c0042 for C0042, as ``salesflow order`` takes it
        return str(same.iloc[0])
    sheet = i18n.workbook_name("Customers")
    if "@" not in wanted:
        raise UnknownCustomerError(
            _("no customer {customer} on the {sheet} sheet").format(customer=wanted, sheet=sheet)
        )
    address = email_key(wanted)
    emails = data.customers["email"].map(lambda e: email_key(e) if isinstance(e, str) else None)
    found = [str(c) for c in ids[(emails == address).to_numpy()]]
    if not found:
        raise UnknownCustomerError(
            _("no customer with the e-mail address {email} on the {sheet} sheet").format(
                email=wanted, sheet=sheet
            )
        )
    if len(found) > 1:
        names = data.customers.set_index(ids)["name"]
        listed = ", ".join(f"{c} ({names[c]})" for c in found)
        raise AmbiguousCustomerError(
            wanted,
            found,
            _(
                "{count} customers have the e-mail address {email}: {customers}; give one of "
                "their IDs"
            ).format(count=len(found), email=wanted, customers=listed),
        )
    return found[0]


def customer_record(
    data: SalesData, rows: Mapping[str, Sequence[int]] | None, key: str
) -> CustomerRecord:
    """Every row about the customer ``key`` names (see :func:`find_customer`): their
    customer row, deals, the stage log of those deals, the activities on those deals or on
    them, and their orders, each with its Excel row from ``rows`` (table key → the row of
    each record, as the reader gives them; None: rows unknown)."""
    customer_id = find_customer(data, key)

    def entries(table: str, mask: pd.Series) -> tuple[Entry, ...]:
        positions = np.flatnonzero(mask.to_numpy(dtype=bool))
        frame = data.table(table)
        records = to_records(frame.iloc[positions], RECORD_TYPES[table])
        numbers = [rows[table][p] if rows is not None else None for p in positions]
        return tuple(Entry(table, n, r) for n, r in zip(numbers, records, strict=True))

    (customer,) = entries("customers", data.customers["id"].astype(str).str.strip() == customer_id)
    deals = entries("deals", data.deals["customer_id"] == customer_id)
    deal_ids = [d.record.id for d in deals]
    activities = data.activities
    mentioned = (activities["customer_id"] == customer_id) | activities["deal_id"].isin(deal_ids)
    campaigns = [customer.record.campaign, *(d.record.campaign for d in deals)]
    return CustomerRecord(
        customer=customer,
        deals=deals,
        stage_log=entries("stage_log", data.stage_log["deal_id"].isin(deal_ids)),
        activities=entries("activities", mentioned),
        orders=entries("orders", data.orders["customer_id"] == customer_id),
        campaigns=tuple(dict.fromkeys(c for c in campaigns if c)),
    )


Grid = Sequence[Sequence[Any]]


def with_other_cells(
    record: CustomerRecord, sheets: Mapping[str, tuple[Grid, Collection[str]]]
) -> CustomerRecord:
    """``record`` with every row's other cells: ``sheets`` gives, per table key, the sheet's
    cell values (row 1, the header, first) and the headers of the columns its records already
    hold; the row's non-blank cells under any other header (or none: named by their column)
    are added, as stored."""

    def other(entry: Entry) -> Entry:
        if entry.row is None or entry.table not in sheets:
            return entry
        grid, known = sheets[entry.table]
        if not grid or entry.row > len(grid):
            return entry
        header = grid[0]
        found = {}
        for index, value in enumerate(grid[entry.row - 1]):
            title = header[index] if index < len(header) else None
            name = "" if _blank(title) else str(title).strip()
            if name not in known and not _blank(value):
                found[name or _("column {letter}").format(letter=_letter(index))] = value
        return dataclasses.replace(entry, other=found)

    return dataclasses.replace(
        record,
        customer=other(record.customer),
        **{t: tuple(other(e) for e in record.entries(t)) for t in TABLES[1:]},
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _letter(index: int) -> str:
    """The column letter of 0-based column ``index`` (0 → A, 26 → AA)."""
    letters, number = "", index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# -- the marketing list -----------------------------------------------------------------------

#: The columns of a marketing list, by customer field.
CONTACT_FIELDS: tuple[str, ...] = (
    *("id", "name", "company", "email", "phone", "segment"),
    *("consent_date", "consent_source"),
)
#: Text a spreadsheet would run as a formula when it opens a CSV file (OWASP: CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def marketing_contacts(data: SalesData, segment: str | None = None) -> pd.DataFrame:
    """The customers who gave marketing consent (their consent cell says yes; no and unknown
    are left out), with an e-mail address or a phone number, in sheet order; ``segment`` keeps
    those of one segment (case and spaces ignored; an unknown one is refused)."""
    customers = data.customers
    chosen = customers["consent"].map(consent.given).astype(bool)
    reachable = customers["email"].notna() | customers["phone"].notna()
    if segment is not None:
        wanted = fold(segment)
        names = {fold(s): s for s in data.lists.segments}
        if wanted not in names:
            raise InvalidArgumentError(
                _("segment"),
                segment,
                _("one of {values}").format(values=", ".join(data.lists.segments)),
            )
        chosen &= customers["segment"].map(lambda s: fold(s) == wanted if s else False)
    return customers.loc[chosen & reachable, list(CONTACT_FIELDS)].reset_index(drop=True)


def neutralised(text: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: text starting with =, +, -, @, a tab or a
    carriage return gets a leading apostrophe (so "=HYPERLINK(…)" never runs); other values
    as they are."""
    if isinstance(text, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def contacts_csv(contacts: pd.DataFrame, headers: Sequence[str]) -> str:
    """``contacts`` as CSV text (RFC 4180, header row ``headers``, dates ISO, every text
    neutralised)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in contacts.itertuples(index=False):
        writer.writerow(
            [
                ""
                if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v))
                else v.date().isoformat()
                if isinstance(v, pd.Timestamp)
                else neutralised(v)
                for v in row
            ]
        )
    return out.getvalue()
