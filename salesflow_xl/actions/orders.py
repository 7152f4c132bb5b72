"""Order actions: enter one order, or import many from a shop's order export.

Orders feed CLV, RFM, cohorts and the probabilistic models. Planning is pure: the workbook's
data in, a :class:`Changes` (and for an import an :class:`OrderImportReport`) out. How exports
are read is in :mod:`salesflow_xl.actions.order_exports`; the rules, with each platform's
columns and their sources, in ``docs/orders.md``:

- **Customer**: the customer ID when the file has one (it must be in the workbook); otherwise
  the normalised e-mail address, then the lead import's rules (phone, name + company, see
  :mod:`salesflow_xl.actions.customer_match`); a line without an e-mail address matches by name
  alone when exactly one customer has that name. Otherwise a new customer is made: the export's
  billing name (else the e-mail address's local part), its company if given, first touch = the
  date of their first imported order.
- **Amount**: the order's total as the export states it, less a refunded amount when there is
  one; a finite number > 0. A zero order (a free replacement, a 100 % discount) is skipped and
  reported, not counted as a purchase; a negative one (a refund, a credit) too.
- **Skipped, with their line**: refunded, cancelled, voided and failed orders; dates and amounts
  that cannot be read; dates outside Excel's 1900-01-01 … 9999-12-31 or after tomorrow; a
  currency other than the file's main one (nothing is converted); a later line of an order that
  contradicts its first line.
- **Duplicates** (an order imported twice is one order): an order number is kept as the Order
  ID, as text ("#1001", "00123"), and an ID already in the workbook is a duplicate — reported
  as a clash when the workbook's order with that ID is another one (customer, date, amount);
  without an order number, an order with the same customer, date and amount as one in the
  workbook or earlier in the file is a duplicate.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import pandas as pd

from salesflow_xl.actions.changes import Changes, keep_as_of_current, next_ids
from salesflow_xl.actions.csv_rows import BadRow, number
from salesflow_xl.actions.customer_match import EMAIL, Directory
from salesflow_xl.actions.order_exports import (
    OrderFile,
    OrderLine,
    closed_status,
    currency_code,
    month_first_of,
    parse_day,
)
from salesflow_xl.core import i18n, limits
from salesflow_xl.core.dataset import SalesData, to_records
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError
from salesflow_xl.core.i18n import N_, _
from salesflow_xl.core.model import Customer, Order

#: The width of generated IDs, as the workbook's own: C0001, O0000001.
CUSTOMER_ID_WIDTH = 4
ORDER_ID_WIDTH = 7
#: Text fields of an order line, each checked as text a cell can hold, with its name for
#: messages (the fields ``--map`` names; the words among them translated where shown).
TEXT_FIELDS: dict[str, str] = {
    "order_id": "order_id",
    "customer_id": "customer_id",
    "email": N_("email"),
    "name": N_("name"),
    "company": N_("company"),
}
#: A later line's field that contradicts the order's first line, in words ({value} its value).
_DIFFERING: dict[str, str] = {
    "customer_id": N_("customer id {value}"),
    "email": N_("email {value}"),
}


@dataclass
class OrderImportReport:
    """What an order import did, each entry "line N: …" in line order: orders added, orders
    already in the workbook (or earlier in the file), lines skipped, customers made."""

    layout: str = ""
    rule: str = ""
    currency: str | None = None
    added: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Buyer:
    """An order's customer as the export names them (matched as a lead is)."""

    name: str | None
    company: str | None
    email: str | None
    phone: str | None = None


class _DuplicateError(Exception):
    """The order is in the workbook already, or earlier in the file (the message says where)."""


@dataclass
class _Draft:
    """One order of the file: its first line and its later lines."""

    head: OrderLine
    more: list[OrderLine] = field(default_factory=list)

    @property
    def label(self) -> str:
        order_id = self.head.get("order_id")
        return _("order {order}").format(order=order_id) if order_id else _("the order")


def _key(customer_id: str, day: date, amount: float) -> tuple[str, date, float]:
    """What makes two orders without an order number the same order."""
    return (customer_id, day, round(amount, 2))


def _fresh_ids(used: Iterable[str], prefix: str, width: int) -> Iterator[str]:
    """IDs like C0151, C0152 … after the highest of ``used`` with this prefix."""
    first = next_ids(pd.Series(list(used), dtype=object), prefix, width, 1)[0]
    return (f"{prefix}{n:0{width}d}" for n in itertools.count(int(first[len(prefix) :])))


class _Planner:
    """The workbook's customers and orders, and what an import (or one order) adds to them."""

    def __init__(self, data: SalesData, at: datetime, order_ids: Iterable[str] = ()) -> None:
        self.today = at.date()
        self.directory = Directory(to_records(data.customers, Customer))
        self.ids = {cid.casefold(): cid for cid in self.directory.customers}
        self.existing = {o.id: o for o in to_records(data.orders, Order)}
        #: (customer, date, amount) → (that order's ID, where it is: "O0000005 in the
        #: workbook", "line 3 (O0001912)")
        self.same: dict[tuple[str, date, float], tuple[str, str]] = {}
        for order in self.existing.values():
            where = _("{order} in the workbook").format(order=order.id)
            self.same.setdefault(
                _key(order.customer_id, order.date, order.amount), (order.id, where)
            )
        self.customer_ids = _fresh_ids(self.directory.customers, "C", CUSTOMER_ID_WIDTH)
        self.order_ids = _fresh_ids([*self.existing, *order_ids], "O", ORDER_ID_WIDTH)
        self.new: dict[str, Customer] = {}
        self.orders: list[Order] = []

    def find(self, buyer: _Buyer, customer_id: str | None) -> str | None:
        """The customer (of the workbook, or made by this import) an order belongs to; None
        when there is none, so one is made. Raises when the line names no customer, an ID that
        is not in the workbook, or a name several customers share."""
        if customer_id is not None:
            found = self.ids.get(customer_id.casefold())
            if found is None:
                raise SalesflowError(
                    _("customer {customer} is not in the workbook").format(
                        customer=repr(customer_id)
                    )
                )
            return found
        if buyer.email is not None:
            if not EMAIL.match(buyer.email):
                expected = _("an e-mail address like ann@example.com")
                raise InvalidArgumentError(_("email"), buyer.email, expected)
            return self.directory.match(buyer)
        if buyer.name is None:
            raise SalesflowError(_("no customer: the line has no customer ID, e-mail or name"))
        named = self.directory.named(buyer.name)
        if len(named) == 1:
            return named[0]
        match = self.directory.match(buyer)  # several of that name: name + company decides
        if named and match is None:
            raise SalesflowError(
                _(
                    "{count} customers are called {name} ({customers}): give the order's "
                    "customer ID or e-mail address"
                ).format(count=len(named), name=repr(buyer.name), customers=", ".join(named))
            )
        return match

    def customer(self, buyer: _Buyer, customer_id: str | None, day: date) -> tuple[str, bool]:
        """(customer ID, whether it is new): the customer found, or a new one."""
        found = self.find(buyer, customer_id)
        if found is not None:
            return found, False
        customer = Customer(
            id=next(self.customer_ids),
            name=buyer.name or (buyer.email or "").partition("@")[0],
            company=buyer.company,
            email=buyer.email,
            first_touch=day,
        )
        self.directory.add(customer)
        self.ids[customer.id.casefold()] = customer.id
        self.new[customer.id] = customer
        return customer.id, True

    def add(
        self, customer_id: str, day: date, amount: float, order_id: str | None, where: str
    ) -> Order:
        """Queue an order (an ID is made when it has none); ``where`` it is, for the report."""
        order = Order(order_id or next(self.order_ids), customer_id, day, amount)
        self.orders.append(order)
        self.same.setdefault(_key(customer_id, day, amount), (order.id, f"{where} ({order.id})"))
        new = self.new.get(customer_id)
        if new is not None and new.first_touch is not None and day < new.first_touch:
            self.new[customer_id] = replace(new, first_touch=day)
        return order

    def changes(self) -> Changes:
        """The new customers and orders, as changes."""
        changes = Changes()
        for record in (*self.new.values(), *self.orders):
            changes.append(record)
        return changes


# --- one order --------------------------------------------------------------------------------


def add_order(
    data: SalesData,
    customer: str,
    amount: str | float,
    at: datetime,
    day: date | None = None,
    order_id: str | None = None,
    name: str | None = None,
    company: str | None = None,
) -> Changes:
    """Add one order of ``amount`` on ``day`` (default: the day of ``at``) for ``customer``,
    a customer ID or an e-mail address (matched normalised). An e-mail address no customer has
    makes a new customer when ``name`` is given (``company`` too); otherwise, as for an unknown
    ID, the order is refused. ``order_id`` defaults to the next free one (O0001911); an ID in
    use is refused. The amount must be > 0: a free order is not counted as a purchase."""
    day = day or at.date()
    for argument, value in ((_("customer"), customer), ("id", order_id), (_("name"), name)):
        if value is not None:
            limits.text(argument, value)
    if company is not None:
        limits.text(_("company"), company)
    value = _order_amount(amount)
    limits.day(_("date"), day)
    if day > at.date() + timedelta(days=1):
        raise SalesflowError(
            _("date {day} is after {today}: record orders that have happened").format(
                day=day, today=at.date()
            )
        )
    planner = _Planner(data, at)
    if order_id is not None:
        order_id = order_id.strip()
        if not order_id:
            raise InvalidArgumentError("id", order_id, _("an order ID (or leave it out)"))
        if order_id in planner.existing:
            raise SalesflowError(
                _(
                    "order ID {order} is already in the workbook ({described}); give another "
                    "--id or leave it out"
                ).format(order=repr(order_id), described=_described(planner.existing[order_id]))
            )
    customer_id, created = _one_customer(planner, customer.strip(), name, company, day)
    twin = planner.same.get(_key(customer_id, day, value))
    order = planner.add(customer_id, day, value, order_id, _("this order"))
    changes = planner.changes()
    who = planner.directory.customers[customer_id]
    if created:
        changes.say(_new_customer(who))
    changes.say(
        _("Added order {order} for {customer} {name}: {amount} on {day}.").format(
            order=order.id, customer=who.id, name=who.name, amount=f"{value:,.2f}", day=day
        )
    )
    if twin is not None:
        changes.say(
            _("Note: {customer} has an order of {amount} on {day} already ({order}).").format(
                customer=who.id, amount=f"{value:,.2f}", day=day, order=twin[0]
            )
        )
    return keep_as_of_current(data, changes, day)  # the order's day, not when it was typed


def _new_customer(customer: Customer) -> str:
    """A new customer in a summary: "New customer C0151 Ann Lee <ann@lee.example>"."""
    if customer.email:
        return _("New customer {customer} {name} <{email}>").format(
            customer=customer.id, name=customer.name, email=customer.email
        )
    return _("New customer {customer} {name}").format(customer=customer.id, name=customer.name)


def _order_amount(amount: str | float) -> float:
    """The amount of one order: a number (as people write it) more than 0."""
    value = number(amount) if isinstance(amount, str) else amount
    if isinstance(value, str | bool):
        raise InvalidArgumentError(
            _("amount"), amount, _("a number like 120, 1,234.56 or 1.234,56")
        )
    if not (math.isfinite(value) and value > 0):
        expected = _("more than 0 (a free order is not counted as a purchase)")
        raise InvalidArgumentError(_("amount"), amount, expected)
    return limits.amount(_("amount"), value)


def _one_customer(
    planner: _Planner, customer: str, name: str | None, company: str | None, day: date
) -> tuple[str, bool]:
    """The customer of ``salesflow order``: an ID, or an e-mail address (a new customer when
    ``name`` is given and no customer matches)."""
    if "@" not in customer:
        found = planner.ids.get(customer.casefold())
        if found is None:
            raise SalesflowError(
                _(
                    "customer {customer} is not in the workbook: give a customer ID from the "
                    "{sheet} sheet (like C0001) or an e-mail address"
                ).format(customer=repr(customer), sheet=i18n.workbook_name("Customers"))
            )
        return found, False
    if not EMAIL.match(customer):
        expected = _("a customer ID or an e-mail address like ann@example.com")
        raise InvalidArgumentError(_("customer"), customer, expected)
    buyer = _Buyer(_blank(name), _blank(company), customer)
    found = planner.find(buyer, None)
    if found is not None:
        return found, False
    if buyer.name is None:
        raise SalesflowError(
            _(
                "customer {customer}: no customer has this e-mail address; give --name (and "
                "--company) to add them as a new customer"
            ).format(customer=repr(customer))
        )
    return planner.customer(buyer, None, day)


def _blank(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


def _described(order: Order) -> str:
    return f"{order.customer_id}, {order.date}, {order.amount:,.2f}"


# --- an import --------------------------------------------------------------------------------


def import_orders(
    data: SalesData, file: OrderFile, at: datetime
) -> tuple[Changes, OrderImportReport]:
    """Add the orders of an export (see the module docstring for the rules): every good order
    goes in, every other line is reported with its line number and reason."""
    report = OrderImportReport(file.layout.name, _(file.layout.rule))
    notes: list[tuple[int, str, str]] = []  # (line, kind, text)
    drafts = _drafts(file, notes)
    planner = _Planner(data, at, (d.head.get("order_id") or "" for d in drafts))
    heads = [d.head for d in drafts]
    month_first = month_first_of((h.get("date") for h in heads), file.layout.month_first)
    currencies = Counter(currency_code(c) for h in heads if (c := h.get("currency")))
    report.currency = currencies.most_common(1)[0][0] if currencies else None
    for draft in drafts:
        try:
            _plan(planner, file, draft, month_first, report.currency, notes)
        except _DuplicateError as duplicate:
            notes.append((draft.head.line, "duplicate", str(duplicate)))
        except SalesflowError as error:
            notes.append((draft.head.line, "skipped", str(error)))
    for line, kind, text in sorted(notes, key=lambda note: note[0]):
        getattr(report, kind).append(_("line {line}: {text}").format(line=line, text=text))
    changes = planner.changes()
    total = len(report.added) + len(report.duplicate) + len(report.skipped)
    changes.say(
        _(
            "Imported {total} order(s): {added} added, {duplicate} duplicate, {skipped} "
            "skipped; {customers} new customer(s)."
        ).format(
            total=total,
            added=len(report.added),
            duplicate=len(report.duplicate),
            skipped=len(report.skipped),
            customers=len(planner.new),
        )
    )
    added = [order["date"] for order in changes.appends.get("orders", [])]
    if added:  # a pinned as-of date moves to the latest order's day
        keep_as_of_current(data, changes, max(added))
    return changes, report


def _drafts(file: OrderFile, notes: list[tuple[int, str, str]]) -> list[_Draft]:
    """The file's orders: lines with the same order ID are one order. In a layout whose amount
    is on an order's first line only (Shopify), a later line with an amount is the order
    repeated: a duplicate. Unreadable lines are noted as skipped."""
    drafts: list[_Draft] = []
    by_id: dict[str, _Draft] = {}
    for entry in file.lines:
        if isinstance(entry, tuple):
            line, bad = entry
            assert isinstance(bad, BadRow)
            notes.append((line, "skipped", bad.reason))
            continue
        order_id = entry.get("order_id")
        first = by_id.get(order_id) if order_id is not None else None
        if first is None:
            drafts.append(draft := _Draft(entry))
            if order_id is not None:
                by_id[order_id] = draft
        elif file.layout.lines == "first" and entry.get("amount") is not None:
            text = _("{order} appears again (first at line {line})").format(
                order=first.label, line=first.head.line
            )
            notes.append((entry.line, "duplicate", text))
        else:
            first.more.append(entry)
    return drafts


def _plan(
    planner: _Planner,
    file: OrderFile,
    draft: _Draft,
    month_first: bool | None,
    currency: str | None,
    notes: list[tuple[int, str, str]],
) -> None:
    """Add one order of the file, or raise why not (:class:`_DuplicateError` for an order
    already there, :class:`SalesflowError` for one skipped)."""
    head, label = draft.head, draft.label
    for name, called in TEXT_FIELDS.items():
        if (value := head.get(name)) is not None:
            limits.text(_(called), value)
    order_id = head.get("order_id")
    why = "cancelled" if head.get("cancelled") else "status"
    closed = "cancelled" if why == "cancelled" else closed_status(head.get("status"))
    if closed is not None:
        if order_id in planner.existing:
            raise _DuplicateError(
                _("{order} is already in the workbook (the export says {status})").format(
                    order=label, status=_(closed)
                )
            )
        column = file.headers.get(why, why)
        raise SalesflowError(
            _("{order} is {status} ({column}: {value})").format(
                order=label, status=_(closed), column=column, value=head.get(why)
            )
        )
    day = _day(head, month_first, planner.today)
    amount = _amount(file, draft, day, month_first, notes)
    if currency and (own := head.get("currency")) and currency_code(own) != currency:
        raise SalesflowError(
            _(
                "{order} is in {currency}, the file's other orders in {main} (nothing is "
                "converted): convert it and add it with salesflow order"
            ).format(order=label, currency=own, main=currency)
        )
    buyer = _Buyer(head.get("name"), head.get("company"), head.get("email"))
    if order_id is not None and order_id in planner.existing:
        there = planner.existing[order_id]
        if (planner.find(buyer, head.get("customer_id")), day, round(amount, 2)) == _key(
            there.customer_id, there.date, there.amount
        ):
            raise _DuplicateError(_("{order} is already in the workbook").format(order=label))
        raise SalesflowError(
            _(
                "order ID {order} is already used by another order in the workbook "
                "({described}): not imported"
            ).format(order=order_id, described=_described(there))
        )
    customer_id, created = planner.customer(buyer, head.get("customer_id"), day)
    if order_id is None and (twin := planner.same.get(_key(customer_id, day, amount))):
        raise _DuplicateError(_("same customer, date and amount as {order}").format(order=twin[1]))
    order = planner.add(customer_id, day, amount, order_id, _("line {line}").format(line=head.line))
    if created:
        new = planner.new[customer_id]
        text = f"{new.id} {new.name}" + (f" <{new.email}>" if new.email else "")
        notes.append((head.line, "customers", text))
    notes.append((head.line, "added", f"{order.id}: {customer_id}, {day}, {amount:,.2f}"))


def _day(line: OrderLine, month_first: bool | None, today: date) -> date:
    """The order's date: readable, within Excel's dates, not after tomorrow."""
    text = line.get("date")
    if text is None:
        raise SalesflowError(_("no date"))
    day = parse_day(text, month_first)
    if not limits.FIRST_DAY <= day <= limits.LAST_DAY:
        raise SalesflowError(
            _("date {date} is outside Excel's dates ({first} to {last})").format(
                date=repr(text), first=limits.FIRST_DAY, last=limits.LAST_DAY
            )
        )
    if day > today + timedelta(days=1):
        raise SalesflowError(
            _("date {date} is in the future (today is {today})").format(
                date=repr(text), today=today
            )
        )
    return day


def _amount(
    file: OrderFile,
    draft: _Draft,
    day: date,
    month_first: bool | None,
    notes: list[tuple[int, str, str]],
) -> float:
    """The order's amount by its layout's rule, less a refunded amount; > 0. Later lines
    that contradict the first (another customer, date or, where the order total repeats on
    every line, another total) are noted as skipped."""
    head, rule = draft.head, file.layout.lines
    column = file.headers.get("amount", "amount")
    if head.get("amount") is None:
        missing = (
            _("{order} has no {column} on its first line")
            if rule == "first"
            else _("{order} has no {column}")
        )
        raise SalesflowError(missing.format(order=draft.label, column=column))
    amount = _number(head.get("amount"), column)
    for line in draft.more:
        differs = _contradiction(head, line, day, month_first)
        if rule == "once" and differs is None and line.get("amount") is not None:
            other = _number(line.get("amount"), column)
            differs = f"{column} {other:,.2f}" if round(other - amount, 2) else None
        if differs is not None:
            text = _("not imported: its {field} differs from line {line} ({order})").format(
                field=differs, line=head.line, order=draft.label
            )
            notes.append((line.line, "skipped", text))
        elif rule == "sum" and line.get("amount") is not None:
            on_line = _("{column} on line {line}").format(column=column, line=line.line)
            amount += _number(line.get("amount"), on_line)
    refunded = _number(head.get("refunded") or "0", file.headers.get("refunded", "refunded"))
    if refunded > 0:
        amount -= refunded
        if amount <= 0:
            raise SalesflowError(_("{order} is refunded in full").format(order=draft.label))
    amount = round(amount, 9)
    if amount < 0:
        raise SalesflowError(
            _("{column} {amount} is negative (a refund or a credit?)").format(
                column=column, amount=f"{amount:,.2f}"
            )
        )
    if amount == 0:
        raise SalesflowError(
            _("{column} is 0: a free order is not counted as a purchase").format(column=column)
        )
    if amount > limits.MAX_AMOUNT:
        raise SalesflowError(
            _("{column} {amount} is over {limit}").format(
                column=column, amount=f"{amount:,.0f}", limit=f"{limits.MAX_AMOUNT:,.0f}"
            )
        )
    return amount


def _number(text: str | None, column: str) -> float:
    value = number(text or "")
    if isinstance(value, str):
        raise SalesflowError(
            _("{column}: expected a number, found {text}").format(column=column, text=repr(text))
        )
    if not math.isfinite(value):
        raise SalesflowError(
            _("{column}: expected a finite number, found {text}").format(
                column=column, text=repr(text)
            )
        )
    return value


def _contradiction(
    head: OrderLine, line: OrderLine, day: date, month_first: bool | None
) -> str | None:
    """What a later line of an order says otherwise than its first line (blank says nothing)."""
    for name, differing in _DIFFERING.items():
        own, first = line.get(name), head.get(name)
        if own is not None and first is not None and own.casefold() != first.casefold():
            return _(differing).format(value=repr(own))
    if (text := line.get("date")) is not None:
        try:
            other = parse_day(text, month_first)
        except SalesflowError:
            return _("date {value}").format(value=repr(text))
        if other != day:
            return _("date {value}").format(value=other)
    return None
