"""Lead actions: add one lead (a customer and a deal), import many from CSV.

An import adds every good row and reports each bad one with its line number and reason:
one mistyped e-mail address does not hold back a hundred good leads, and the report says
exactly which lines to fix and import again. Text is stored as it is in the file (see
:mod:`salesflow_xl.actions.safe_text` for how its encoding is found).

Duplicates are found on the normalised e-mail address first, then the phone number (digits
only, the last nine compared so "+49 30 1234567" and "030 1234567" match), then name and
company together. A lead matching an existing customer is merged: blank fields of the customer
are filled in, nothing is overwritten and no second customer is made.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from salesflow_xl.actions.changes import Changes, next_ids
from salesflow_xl.actions.deals import pick
from salesflow_xl.actions.safe_text import MAX_ROWS
from salesflow_xl.core import limits, transitions
from salesflow_xl.core.dataset import SalesData, to_records
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError
from salesflow_xl.core.limits import MAX_CELL_TEXT
from salesflow_xl.core.model import Customer, Deal

LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: CSV header (case-insensitive, spaces and punctuation ignored) → lead field.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "fullname", "contact", "contactname", "person"),
    "company": ("company", "organisation", "organization", "business", "account"),
    "email": ("email", "mail", "emailaddress"),
    "phone": ("phone", "telephone", "tel", "mobile", "phonenumber"),
    "segment": ("segment", "marketsegment", "industry"),
    "channel": ("channel", "source", "leadsource"),
    "campaign": ("campaign",),
    "title": ("title", "deal", "dealtitle", "opportunity", "interest"),
    "value": ("value", "amount", "dealvalue", "estimatedvalue"),
}
LEAD_FIELDS = tuple(HEADER_ALIASES)


@dataclass(frozen=True)
class Lead:
    """One lead as typed or imported: the customer's details and the deal it starts."""

    name: str | None = None
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    segment: str | None = None
    channel: str | None = None
    campaign: str | None = None
    title: str | None = None
    value: float | None = None


@dataclass
class ImportReport:
    """What an import did: new customers with their deals, merged rows and skipped rows."""

    added: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _email_key(email: str | None) -> str | None:
    return email.strip().casefold() if email and email.strip() else None


def _phone_key(phone: str | None) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    return digits[-9:] if len(digits) >= 6 else None


def _name_key(name: str | None, company: str | None) -> str | None:
    if not name or not name.strip():
        return None
    fold = lambda s: " ".join((s or "").split()).casefold()  # noqa: E731
    return f"{fold(name)}|{fold(company)}"


class _Directory:
    """Customers by e-mail, phone, and name + company, for finding a lead's duplicate."""

    def __init__(self, customers: list[Customer]) -> None:
        self.customers = {c.id: c for c in customers}
        self.by_email: dict[str, str] = {}
        self.by_phone: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        for customer in customers:
            self.add(customer)

    def add(self, customer: Customer) -> None:
        self.customers[customer.id] = customer
        for index, key in (
            (self.by_email, _email_key(customer.email)),
            (self.by_phone, _phone_key(customer.phone)),
            (self.by_name, _name_key(customer.name, customer.company)),
        ):
            if key is not None:
                index.setdefault(key, customer.id)

    def match(self, lead: Lead) -> str | None:
        for index, key in (
            (self.by_email, _email_key(lead.email)),
            (self.by_phone, _phone_key(lead.phone)),
            (self.by_name, _name_key(lead.name, lead.company)),
        ):
            if key is not None and key in index:
                return index[key]
        return None


#: The lead's text fields, each checked as text a cell can hold.
TEXT_FIELDS = ("name", "company", "email", "phone", "segment", "channel", "campaign", "title")


def _validated(data: SalesData, lead: Lead) -> Lead:
    for name in TEXT_FIELDS:
        if getattr(lead, name) is not None:
            limits.text(name, getattr(lead, name))
    if not (lead.name and lead.name.strip()) and not _email_key(lead.email):
        raise InvalidArgumentError("name", lead.name, "a name or an e-mail address")
    if lead.email and not EMAIL.match(lead.email.strip()):
        raise InvalidArgumentError("email", lead.email, "an e-mail address like ann@example.com")
    segment = pick(lead.segment, data.lists.segments, "segment") if lead.segment else None
    channel = pick(lead.channel, data.lists.channels, "channel") if lead.channel else None
    campaign = None
    if lead.campaign:
        campaign = pick(lead.campaign, tuple(data.campaigns["name"]), "campaign")
    value = None if lead.value is None else limits.amount("value", lead.value)
    return replace(
        lead,
        name=(lead.name or lead.email or "").strip(),
        email=lead.email.strip() if lead.email else None,
        segment=segment,
        channel=channel,
        campaign=campaign,
        value=value,
    )


def _plan_leads(
    data: SalesData,
    leads: Sequence[tuple[str, Lead | BadRow]],
    at: datetime,
    report: ImportReport,
) -> Changes:
    """Add or merge each (label, lead); invalid leads are skipped with the reason."""
    directory = _Directory(to_records(data.customers, Customer))
    changes = Changes()
    valid: list[tuple[str, Lead]] = []
    for label, lead in leads:
        if isinstance(lead, BadRow):
            report.skipped.append(f"{label}: {lead.reason}")
            continue
        try:
            valid.append((label, _validated(data, lead)))
        except SalesflowError as error:
            report.skipped.append(f"{label}: {error}")
    new_count = sum(1 for _, lead in valid if directory.match(lead) is None)
    customer_ids = iter(next_ids(data.customers["id"], "C", 4, max(new_count, 1)))
    deal_ids = iter(next_ids(data.deals["id"], "D", 5, max(new_count, 1)))
    positions = {cid: i for i, cid in enumerate(data.customers["id"])}
    first_stage = data.pipeline.open_stages[0].name
    for label, lead in valid:
        existing = directory.match(lead)
        if existing is not None:
            customer = directory.customers[existing]
            filled = {
                name: getattr(lead, name)
                for name in ("company", "email", "phone", "segment", "channel", "campaign")
                if getattr(customer, name) in (None, "") and getattr(lead, name)
            }
            if existing in positions and filled:
                changes.update("customers", positions[existing], filled)
            elif filled:  # a customer this import adds: complete the queued row
                queued = next(r for r in changes.appends["customers"] if r["id"] == existing)
                queued.update(filled)
            directory.add(replace(customer, **filled))
            what = f"filled {', '.join(filled)}" if filled else "nothing new"
            report.merged.append(f"{label}: matches {existing} {customer.name} ({what})")
            continue
        customer = Customer(
            id=next(customer_ids),
            name=lead.name or "",
            company=lead.company or None,
            email=lead.email,
            phone=lead.phone or None,
            segment=lead.segment,
            channel=lead.channel,
            campaign=lead.campaign,
            first_touch=at.date(),
        )
        directory.add(customer)
        changes.append(customer)
        deal = Deal(
            id=next(deal_ids),
            customer_id=customer.id,
            title=lead.title or f"New lead: {customer.company or customer.name}"[:MAX_CELL_TEXT],
            value=lead.value or 0.0,
            stage=first_stage,
            status="open",
            created=at.date(),
            stage_entered=at.date(),
            channel=lead.channel,
            campaign=lead.campaign,
        )
        step = transitions.create(deal, data.pipeline, at, note="New lead")
        changes.append(step.deal)
        changes.append(step.event)
        report.added.append(f"{label}: {customer.id} {customer.name} with deal {deal.id}")
    return changes


def add_lead(data: SalesData, lead: Lead, at: datetime) -> Changes:
    """Add a lead: a new customer and a deal in the first stage, or, when the customer exists
    already (same e-mail, phone or name + company), a merge into that customer."""
    _validated(data, lead)  # a mistake is refused with its own message
    report = ImportReport()
    changes = _plan_leads(data, [("lead", lead)], at, report)
    changes.summary = [line.replace("lead: ", "Added ", 1) for line in report.added] + [
        line.replace("lead: ", "Merged: ", 1) for line in report.merged
    ]
    return changes


@dataclass(frozen=True)
class BadRow:
    """A CSV row that could not be read as a lead, and why (reported as skipped)."""

    reason: str


def parse_csv(
    text: str, mapping: Mapping[str, str] | None = None
) -> list[tuple[str, Lead | BadRow]]:
    """Leads from CSV text: ("line N", Lead) per data row, N the row's first line in the file.
    Columns are matched to lead fields by ``mapping`` (field → CSV header) or by common header
    names; the delimiter (, ; tab) is detected. A row whose quoted field runs over more lines
    (a closing quote missing) or that cannot be read at all is a :class:`BadRow`."""
    if not text.strip():
        raise SalesflowError("the CSV file is empty")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # lines end at CR, LF or CR LF only, as the csv module sees them (str.splitlines would
    # also split at \x0b, \x1c … and U+2028, putting half a row on the next line)
    lines = LINES.findall(text)
    try:
        header = next(csv.reader(lines[:1], dialect, strict=True))
    except (csv.Error, StopIteration) as error:
        raise SalesflowError(f"line 1 of the CSV (its header) cannot be read: {error}") from error
    columns = _map_columns(header, mapping)
    leads: list[tuple[str, Lead | BadRow]] = []
    start: int | None = 1  # index in ``lines`` where reading (re)starts
    while start is not None and start < len(lines):
        start = _read_rows(lines, start, dialect, columns, len(header), leads)
    return leads


def _read_rows(
    lines: list[str],
    start: int,
    dialect: Any,
    columns: Mapping[str, int],
    width: int,
    leads: list[tuple[str, Lead | BadRow]],
) -> int | None:
    """Read rows from ``lines[start]`` on into ``leads``; after a broken row, return where to
    read on (the line after the row's first line, so rows a stray quote swallowed are read
    again); None at the end. A lead's fields hold no line breaks: a row where one does runs
    over several lines because a quote is not closed. When the row has another number of
    fields than the header's ``width``, the quote swallowed delimiters, and the lines are read
    again; otherwise they are reported as not imported. Other columns (notes) may hold line
    breaks, as Excel exports them."""
    reader = csv.reader(iter(lines[start:]), dialect, strict=True)
    while True:
        first = start + reader.line_num + 1  # the row's first line, counted from 1
        try:
            row = next(reader)
        except StopIteration:
            return None
        except csv.Error as error:
            reason = f"cannot be read ({error}); is a quote not closed?"
            leads.append((f"line {first}", BadRow(reason)))
            return first
        last = start + reader.line_num
        if len(leads) >= MAX_ROWS:
            raise SalesflowError(f"the CSV has more than {MAX_ROWS:,} rows; split it")
        broken = [
            i for i in columns.values() if i < len(row) and "\n" in row[i].replace("\r", "\n")
        ]
        if last > first and broken:
            if len(row) != width:  # delimiters were swallowed: read those lines again
                reason = f"a quoted field runs on to line {last}: is a closing quote missing?"
                leads.append((f"line {first}", BadRow(reason)))
                return first
            reason = (
                f"a quoted field runs over lines {first}–{last}, so they were not imported: "
                "is a closing quote missing?"
            )
            leads.append((f"line {first}", BadRow(reason)))
            continue
        if not any(cell.strip() for cell in row):
            continue
        values: dict[str, Any] = {}
        for name, index in columns.items():
            values[name] = (row[index].strip() if index < len(row) else "") or None
        if values.get("value") is not None:
            values["value"] = _number(values["value"], first)
        leads.append((f"line {first}", Lead(**values)))


def _number(text: str, line: int) -> float | str:
    """A value as written ("3600", "1e5", "3,600 USD", "€ 3.600,50"); the text itself when
    it is none (the lead's check then says so)."""
    try:
        return float(text.strip())  # also inf, nan, 1e308: refused as amounts, not misread
    except ValueError:
        pass
    cleaned = re.sub(r"[^\d,.\-]", "", text)
    if "," in cleaned and "." in cleaned:  # the later one is the decimal separator
        thousands = "," if cleaned.rfind(",") < cleaned.rfind(".") else "."
        cleaned = cleaned.replace(thousands, "")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+", cleaned) or re.fullmatch(
        r"-?\d{1,3}(\.\d{3}){2,}", cleaned
    ):
        cleaned = cleaned.replace(",", "").replace(".", "")  # 3,600 and 1.234.567: thousands
    cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return text  # reported as not a number when the lead is checked


def _map_columns(header: list[str], mapping: Mapping[str, str] | None) -> dict[str, int]:
    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.casefold())

    normalised = [norm(h) for h in header]
    columns: dict[str, int] = {}
    if mapping:
        for name, column in mapping.items():
            if name not in LEAD_FIELDS:
                raise InvalidArgumentError("mapping", name, "one of " + ", ".join(LEAD_FIELDS))
            if norm(column) not in normalised:
                raise InvalidArgumentError(
                    f"mapping {name}", column, "a column of the CSV: " + ", ".join(header)
                )
            columns[name] = normalised.index(norm(column))
    for name, aliases in HEADER_ALIASES.items():
        if name in columns:
            continue
        for alias in aliases:
            if alias in normalised:
                columns[name] = normalised.index(alias)
                break
    if "name" not in columns and "email" not in columns:
        raise SalesflowError(
            "the CSV has no name or e-mail column (its columns: "
            + ", ".join(header)
            + "); map one with --map name=COLUMN"
        )
    return columns


def import_leads(
    data: SalesData, leads: Sequence[tuple[str, Lead | BadRow]], at: datetime
) -> tuple[Changes, ImportReport]:
    """Add new leads, merge duplicates (of customers and of earlier rows), skip invalid rows."""
    report = ImportReport()
    changes = _plan_leads(data, leads, at, report)
    changes.say(
        f"Imported {len(leads)} row(s): {len(report.added)} added, {len(report.merged)} merged, "
        f"{len(report.skipped)} skipped."
    )
    return changes, report
