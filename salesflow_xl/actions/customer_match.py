"""Finding the customer a lead or an order belongs to, shared by the lead and order imports.

Customers are matched on the normalised e-mail address first (spaces trimmed, case ignored),
then the phone number (digits only, the last nine compared, so "+49 30 1234567" and
"030 1234567" match), then name and company together (spaces and case ignored). Two different
e-mail addresses are two people: a phone or name match is not taken then. An order without an
e-mail address may also match on the name alone, when exactly one customer has it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from salesflow_xl.core.model import Customer

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Contact(Protocol):
    """What a customer is matched on (a lead, an order's buyer, a customer)."""

    @property
    def name(self) -> str | None: ...
    @property
    def company(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...


def email_key(email: str | None) -> str | None:
    """The e-mail address as matched: trimmed and case-folded; None when blank."""
    return email.strip().casefold() if email and email.strip() else None


def phone_key(phone: str | None) -> str | None:
    """The last nine digits of a phone number with at least six; None otherwise."""
    digits = re.sub(r"\D", "", phone or "")
    return digits[-9:] if len(digits) >= 6 else None


def fold(text: str | None) -> str:
    """Text as names are matched everywhere: case and extra spaces ignored."""
    return " ".join((text or "").split()).casefold()


def name_key(name: str | None, company: str | None) -> str | None:
    """Name and company as matched together (spaces and case ignored); None without a name."""
    if not name or not name.strip():
        return None
    return f"{fold(name)}|{fold(company)}"


class Directory:
    """Customers by e-mail, phone, name + company and name alone, for finding a duplicate."""

    def __init__(self, customers: Iterable[Customer]) -> None:
        self.customers: dict[str, Customer] = {}
        self.by_email: dict[str, str] = {}
        self.by_phone: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        self.by_bare_name: dict[str, list[str]] = {}
        for customer in customers:
            self.add(customer)

    def add(self, customer: Customer) -> None:
        """Index ``customer`` (again, after a change: earlier keys stay)."""
        known = customer.id in self.customers
        self.customers[customer.id] = customer
        for index, key in (
            (self.by_email, email_key(customer.email)),
            (self.by_phone, phone_key(customer.phone)),
            (self.by_name, name_key(customer.name, customer.company)),
        ):
            if key is not None:
                index.setdefault(key, customer.id)
        if not known and customer.name and customer.name.strip():
            self.by_bare_name.setdefault(fold(customer.name), []).append(customer.id)

    def match(self, contact: Contact) -> str | None:
        """The ID of the customer ``contact`` matches by e-mail, phone or name + company. Two
        different e-mail addresses are two people, whatever their phone or name says (two
        buyers called Li Na without a company are not merged)."""
        own = email_key(contact.email)
        for index, key in (
            (self.by_email, own),
            (self.by_phone, phone_key(contact.phone)),
            (self.by_name, name_key(contact.name, contact.company)),
        ):
            if key is not None and key in index:
                found = index[key]
                theirs = email_key(self.customers[found].email)
                if own is None or theirs is None or own == theirs:
                    return found
        return None

    def named(self, name: str | None) -> list[str]:
        """The IDs of every customer called ``name`` (spaces and case ignored)."""
        return list(self.by_bare_name.get(fold(name), [])) if name and name.strip() else []
