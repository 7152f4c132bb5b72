"""Lead actions: add one lead (a customer and a deal), import many from CSV.

An import adds every good row and reports each bad one with its line number and reason:
one mistyped e-mail address does not hold back a hundred good leads, and the report says
exactly which lines to fix and import again. Text is stored as it is in the file (see
:mod:`salesflow_xl.actions.safe_text` for how its encoding is found).

Duplicates are found on the normalised e-mail address first, then the phone number (digits
only, the last nine compared so "+49 30 1234567" and "030 1234567" match), then name and
company together (:mod:`salesflow_xl.actions.customer_match`). A lead matching an existing
customer is merged: blank fields of the customer are filled in, nothing is overwritten and no
second customer is made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from salesflow_xl.actions.changes import Changes, keep_as_of_current, next_ids
from salesflow_xl.actions.csv_rows import BadRow, header_key, number, read_rows
from salesflow_xl.actions.customer_match import EMAIL, Directory, email_key
from salesflow_xl.actions.deals import pick
from salesflow_xl.core import limits, transitions
from salesflow_xl.core.dataset import SalesData, to_records
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError
from salesflow_xl.core.i18n import N_, W_, _, workbook_name
from salesflow_xl.core.limits import MAX_CELL_TEXT
from salesflow_xl.core.model import Customer, Deal

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
    first_touch: date | None = None
    consent: str | None = None  # the workbook's word (yes, no, unknown)
    consent_date: date | None = None
    consent_source: str | None = None
    source: str | None = None


@dataclass
class ImportReport:
    """What an import did: new customers with their deals, merged rows and skipped rows."""

    added: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


#: The lead's text fields, each checked as text a cell can hold, with its name for messages
#: (translated where shown).
TEXT_FIELDS: dict[str, str] = {
    "name": N_("name"),
    "company": N_("company"),
    "email": N_("email"),
    "phone": N_("phone"),
    "segment": N_("segment"),
    "channel": N_("channel"),
    "campaign": N_("campaign"),
    "title": N_("title"),
    "consent_source": N_("consent source"),
    "source": N_("data source"),
}
#: Every field a merge may fill, as a summary names it.
FIELD_NAMES: dict[str, str] = {
    **TEXT_FIELDS,
    "consent": N_("marketing consent"),
    "consent_date": N_("consent date"),
}


def _validated(data: SalesData, lead: Lead) -> Lead:
    for name, called in TEXT_FIELDS.items():
        if getattr(lead, name) is not None:
            limits.text(_(called), getattr(lead, name))
    if not (lead.name and lead.name.strip()) and not email_key(lead.email):
        raise InvalidArgumentError(_("name"), lead.name, _("a name or an e-mail address"))
    if lead.email and not EMAIL.match(lead.email.strip()):
        raise InvalidArgumentError(
            _("email"), lead.email, _("an e-mail address like ann@example.com")
        )
    segment = pick(lead.segment, data.lists.segments, _("segment")) if lead.segment else None
    channel = pick(lead.channel, data.lists.channels, _("channel")) if lead.channel else None
    campaign = None
    if lead.campaign:
        campaign = pick(lead.campaign, tuple(data.campaigns["name"]), _("campaign"))
    value = None if lead.value is None else limits.amount(_("value"), lead.value)
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
    leads: Sequence[tuple[str | None, Lead | BadRow]],
    at: datetime,
    report: ImportReport,
    deals: bool = True,
) -> Changes:
    """Add or merge each (label, lead); invalid leads are skipped with the reason. The report
    says "line 3: …" for a lead labelled "line 3", "Added …" and "Merged: …" for one without a
    label (one lead added by hand). ``deals`` False adds customers only (a contacts import)."""
    directory = Directory(to_records(data.customers, Customer))
    changes = Changes()
    valid: list[tuple[str | None, Lead]] = []
    for label, lead in leads:
        if isinstance(lead, BadRow):
            report.skipped.append(_labelled(label, lead.reason))
            continue
        try:
            valid.append((label, _validated(data, lead)))
        except SalesflowError as error:
            report.skipped.append(_labelled(label, str(error)))
    new_count = sum(1 for _label, lead in valid if directory.match(lead) is None)
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
                for name in (
                    *("company", "email", "phone", "segment", "channel", "campaign"),
                    *("consent", "consent_date", "consent_source"),  # not the source: the first one
                )
                if getattr(customer, name) in (None, "") and getattr(lead, name)
            }
            if existing in positions and filled:
                changes.update("customers", positions[existing], filled)
            elif filled:  # a customer this import adds: complete the queued row
                queued = next(r for r in changes.appends["customers"] if r["id"] == existing)
                queued.update(filled)
            directory.add(replace(customer, **filled))
            what = (
                _("filled {fields}").format(
                    fields=_(", ").join(_(FIELD_NAMES[name]) for name in filled)
                )
                if filled
                else _("nothing new")
            )
            merged = (
                _("Merged: matches {customer} {name} ({what})")
                if label is None
                else _("{label}: matches {customer} {name} ({what})")
            )
            report.merged.append(
                merged.format(label=label, customer=existing, name=customer.name, what=what)
            )
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
            first_touch=lead.first_touch or at.date(),
            consent=lead.consent,
            consent_date=lead.consent_date,
            consent_source=lead.consent_source,
            source=lead.source,
        )
        directory.add(customer)
        changes.append(customer)
        if not deals:
            report.added.append(
                _("{label}: {customer} {name}").format(
                    label=label, customer=customer.id, name=customer.name
                )
            )
            continue
        default_title = workbook_name(W_("New lead: {name}"))  # a value in the workbook
        deal = Deal(
            id=next(deal_ids),
            customer_id=customer.id,
            title=lead.title
            or default_title.format(name=customer.company or customer.name)[:MAX_CELL_TEXT],
            value=lead.value or 0.0,
            stage=first_stage,
            status="open",
            created=at.date(),
            stage_entered=at.date(),
            channel=lead.channel,
            campaign=lead.campaign,
        )
        step = transitions.create(deal, data.pipeline, at, note=workbook_name(W_("New lead")))
        changes.append(step.deal)
        changes.append(step.event)
        added = (
            _("Added {customer} {name} with deal {deal}")
            if label is None
            else _("{label}: {customer} {name} with deal {deal}")
        )
        report.added.append(
            added.format(label=label, customer=customer.id, name=customer.name, deal=deal.id)
        )
    return changes


def _labelled(label: str | None, text: str) -> str:
    """``text`` after the lead's label ("line 3: …"), or alone for a lead without one."""
    return text if label is None else _("{label}: {text}").format(label=label, text=text)


def add_lead(data: SalesData, lead: Lead, at: datetime) -> Changes:
    """Add a lead: a new customer and a deal in the first stage, or, when the customer exists
    already (same e-mail, phone or name + company), a merge into that customer."""
    _validated(data, lead)  # a mistake is refused with its own message
    report = ImportReport()
    changes = _plan_leads(data, [(None, lead)], at, report)
    changes.summary = report.added + report.merged
    return keep_as_of_current(data, changes, at.date())


def parse_csv(
    text: str, mapping: Mapping[str, str] | None = None
) -> list[tuple[str, Lead | BadRow]]:
    """Leads from CSV text: ("line N", Lead) per data row, N the row's first line in the file.
    Columns are matched to lead fields by ``mapping`` (field → CSV header) or by common header
    names; the delimiter (, ; tab) is detected. A row whose quoted field runs over more lines
    (a closing quote missing) or that cannot be read at all is a :class:`BadRow` (see
    :mod:`salesflow_xl.actions.csv_rows`)."""
    leads: list[tuple[str, Lead | BadRow]] = []
    for line, row in read_rows(text, lambda header: _map_columns(header, mapping)):
        label = _("line {line}").format(line=line)
        if isinstance(row, BadRow):
            leads.append((label, row))
            continue
        values: dict[str, Any] = dict(row)
        if values.get("value") is not None:
            values["value"] = number(values["value"])
        leads.append((label, Lead(**values)))
    return leads


def _map_columns(header: list[str], mapping: Mapping[str, str] | None) -> dict[str, int]:
    normalised = [header_key(h) for h in header]
    columns: dict[str, int] = {}
    if mapping:
        for name, column in mapping.items():
            if name not in LEAD_FIELDS:
                raise InvalidArgumentError(
                    _("mapping"), name, _("one of {values}").format(values=", ".join(LEAD_FIELDS))
                )
            if header_key(column) not in normalised:
                raise InvalidArgumentError(
                    _("mapping {field}").format(field=name),
                    column,
                    _("a column of the CSV: {columns}").format(columns=", ".join(header)),
                )
            columns[name] = normalised.index(header_key(column))
    for name, aliases in HEADER_ALIASES.items():
        if name in columns:
            continue
        for alias in aliases:
            if alias in normalised:
                columns[name] = normalised.index(alias)
                break
    if "name" not in columns and "email" not in columns:
        raise SalesflowError(
            _(
                "the CSV has no name or e-mail column (its columns: {columns}); map one with "
                "--map name=COLUMN"
            ).format(columns=", ".join(header))
        )
    return columns


def import_leads(
    data: SalesData,
    leads: Sequence[tuple[str, Lead | BadRow]],
    at: datetime,
    deals: bool = True,
) -> tuple[Changes, ImportReport]:
    """Add new leads, merge duplicates (of customers and of earlier rows), skip invalid rows;
    ``deals`` False: customers only, no deal (a contacts import)."""
    report = ImportReport()
    changes = _plan_leads(data, leads, at, report, deals)
    changes.say(
        _("Imported {rows} row(s): {added} added, {merged} merged, {skipped} skipped.").format(
            rows=len(leads),
            added=len(report.added),
            merged=len(report.merged),
            skipped=len(report.skipped),
        )
    )
    return keep_as_of_current(data, changes, at.date()), report
