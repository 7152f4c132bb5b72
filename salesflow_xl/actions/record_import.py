"""Importing the data people bring from elsewhere: leads and contacts, deals with their own
stages, and past activities, from the CSV and Excel exports of CRMs, shops and hand-kept lists.

A source's columns are recognised by the names those exports give them (English and Chinese,
:mod:`~salesflow_xl.actions.import_columns`, documented with sources in ``docs/imports.md``)
or named with ``--map FIELD=COLUMN``. What a file holds is told by its columns unless given:
a stage or status column makes it deals; an activity type with a date, activities; anything
else leads (a customer and a deal in the first stage each), or with ``kind="contacts"``
customers only.

- **Names.** A full-name column wins; otherwise first, middle and last name are joined as the
  language of the name expects: Western given name first with spaces (Ada + Lovelace → Ada
  Lovelace), Chinese family name first without a space (王 + 小明 → 王小明).
- **Customers** are found, or added, by the lead import's rules (e-mail, phone, name +
  company; :mod:`~salesflow_xl.actions.customer_match`), rows of the same file included.
- **Deals.** The source's stage is mapped onto the workbook's stages: ``--stage-map
  "Source=Stage"`` first, then a workbook stage of the same name, then the words that mean won,
  lost or open (Closed Won, 赢单, Lost …). A row whose stage maps nowhere is skipped and the
  report names the stage and how to map it. A won or lost deal is closed on its closing date
  (a "Close Date" column is the expected close of an open deal and the closing day of a
  closed one, as HubSpot, Salesforce and Zoho write it); a lost deal without a reason gets
  "Not given". Each imported deal starts its stage history with one entry saying where it came
  from, in its stage (a lost deal: in the first stage on the day it was created, then a second
  entry into the lost stage, so the funnel counts it as having entered). The same customer,
  title and creation day already in the workbook is a duplicate. Footer lines (Salesforce's
  "Confidential Information …") have no stage: skipped as no deal.
- **Columns.** Where a field has several columns (Phone Number and Mobile Phone Number; a won
  deal's Won time and a lost one's Lost time), a row's value is the first that is not blank.
- **Currencies** are compared as ISO codes: RMB, 人民币 and 元 are CNY.
- **Values** are read as people write them (``3,600``, ``€ 3.600,50``, ``3.5万`` = 35,000);
  probabilities as fractions or percentages. Rows in another currency than the file's main one
  are skipped (nothing is converted).
- **Lists.** Channels, segments, lost reasons and activity types the workbook lacks are added
  to its Lists sheet, and the report says so.

Everything is planned from :class:`SalesData` into :class:`Changes` (nothing read or written
here); a dry run is the same plan, shown and not written.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

from salesflow_xl.actions import import_columns as known
from salesflow_xl.actions.changes import Changes, keep_as_of_current, next_ids
from salesflow_xl.actions.csv_rows import BadRow, Row, header_key, number
from salesflow_xl.actions.customer_match import EMAIL, Directory, email_key, fold
from salesflow_xl.actions.leads import HEADER_ALIASES, ImportReport, Lead, import_leads
from salesflow_xl.actions.order_exports import UnreadableError, month_first_of, parse_day
from salesflow_xl.core import consent, limits, transitions
from salesflow_xl.core.dataset import SalesData, to_records
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError
from salesflow_xl.core.i18n import N_, W_, _, workbook_name
from salesflow_xl.core.model import Activity, Customer, Deal, StageEvent

Kind = Literal["leads", "contacts", "deals", "activities"]
KINDS: tuple[Kind, ...] = ("leads", "contacts", "deals", "activities")

#: Field → header aliases, per kind: the export names, then SalesFlow's own lead names.
#: A contact's job title and notes have no place in the workbook (a lead's title is its deal's).
_CONTACT_COLUMNS = {f: a for f, a in known.CONTACT_COLUMNS.items() if f not in ("title", "notes")}
_LEAD_COLUMNS: dict[str, tuple[str, ...]] = {
    **_CONTACT_COLUMNS,
    **{f: (*_CONTACT_COLUMNS.get(f, ()), *a) for f, a in HEADER_ALIASES.items()},
}
ALIASES: dict[Kind, Mapping[str, tuple[str, ...]]] = {
    "leads": _LEAD_COLUMNS,
    "contacts": _CONTACT_COLUMNS,
    "deals": {**known.DEAL_COLUMNS, "phone": known.CONTACT_COLUMNS["phone"]},
    "activities": known.ACTIVITY_COLUMNS,
}
#: A file is deals when it has one of these fields, activities when it has all of the others.
_DEAL_SIGNS = ("stage", "status", "is_won", "is_closed")
_ACTIVITY_SIGNS = ("type", "date")

#: The lead import's field names (``--map name=…``) for the CRM export names of a contact.
_CONTACT_FIELDS = ("name", "first_name", "middle_name", "last_name", "company", "email", "phone")
#: Currency codes exports write → the symbol a workbook shows for them (Settings' currency).
SYMBOLS = {"CNY": "¥", "RMB": "¥", "JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£"}
_TEN_THOUSAND = re.compile(r"^\s*([-+]?[\d.,]+)\s*万\s*(元)?\s*$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class ColumnMap:
    """How a source's columns were read: field → the header read for it, and the headers
    nothing reads (the dry run shows both)."""

    kind: Kind
    fields: dict[str, str]
    unused: tuple[str, ...]
    ignored: tuple[str, ...] = ()  # recognised (owner, pipeline) but not imported


class ColumnReader:
    """The ``columns_of`` callback of a source reader, for one kind (or the kind the header
    tells): matches the header to fields and remembers the result as :attr:`map`."""

    def __init__(self, kind: Kind | None, mapping: Mapping[str, str] | None = None) -> None:
        self.kind = kind
        self.mapping = dict(mapping or {})
        self.map: ColumnMap | None = None

    def __call__(self, header: list[str]) -> dict[str, int]:
        keys = [header_key(h) for h in header]
        kind = self.kind or detect_kind(keys, self.mapping)
        aliases = ALIASES[kind]
        columns: dict[str, int] = {}
        for name, column in self.mapping.items():
            if name not in aliases:
                raise InvalidArgumentError(
                    _("mapping"), name, _("one of {values}").format(values=", ".join(aliases))
                )
            if header_key(column) not in keys:
                raise InvalidArgumentError(
                    _("mapping {field}").format(field=name),
                    column,
                    _("a column of the file: {columns}").format(columns=", ".join(header)),
                )
            columns[name] = keys.index(header_key(column))
        taken = set(columns.values())
        for name, names in aliases.items():
            if name in columns:
                continue
            found = [
                keys.index(key)
                for key in dict.fromkeys(header_key(alias) for alias in names)
                if key in keys and keys.index(key) not in taken
            ]
            for rank, index in enumerate(found, start=1):  # the first filled one is read
                columns[name if rank == 1 else f"{name}{SPARE}{rank}"] = index
                taken.add(index)
        _require(kind, columns, header)
        ignored = {f: i for f, i in columns.items() if _base(f) in known.IGNORED_FIELDS}
        read = {f: i for f, i in columns.items() if _base(f) not in known.IGNORED_FIELDS}
        shown: dict[str, list[str]] = {}
        for name, index in read.items():
            shown.setdefault(_base(name), []).append(header[index])
        self.map = ColumnMap(
            kind,
            {name: ", ".join(headers) for name, headers in shown.items()},
            tuple(h for i, h in enumerate(header) if i not in taken and h.strip()),
            tuple(header[i] for i in ignored.values()),
        )
        return read


#: Marks a further column of a field ("phone~2": Mobile Phone Number after Phone Number):
#: a row's field is the first of its columns that is not blank (:func:`first_filled`).
SPARE = "~"


def _base(name: str) -> str:
    return name.split(SPARE, 1)[0]


def first_filled(row: Row) -> Row:
    """``row`` with each field the first of its columns that is not blank (a lost deal's
    "Lost time" when its "Won time" is blank; "Mobile Phone Number" when "Phone Number" is)."""
    if not any(SPARE in key for key in row):
        return row
    merged: Row = {}
    for key, value in row.items():
        base = _base(key)
        if merged.get(base) is None:
            merged[base] = value
    return merged


def detect_kind(keys: Sequence[str], mapping: Mapping[str, str] | None = None) -> Kind:
    """What a file holds, told by its header keys (and the fields ``mapping`` names): deals,
    activities, or leads."""
    mapped = set(mapping or ())

    def has(kind: Kind, name: str) -> bool:
        names = ALIASES[kind].get(name, ())
        return name in mapped or any(header_key(a) in keys for a in names)

    if any(has("deals", name) for name in _DEAL_SIGNS):
        return "deals"
    if all(has("activities", name) for name in _ACTIVITY_SIGNS):
        return "activities"
    return "leads"


def _require(kind: Kind, columns: Mapping[str, int], header: list[str]) -> None:
    listed = ", ".join(header)
    person = {"name", "first_name", "last_name", "email"} & set(columns)
    if kind in ("leads", "contacts") and not person:
        raise SalesflowError(
            _(
                "the file has no name or e-mail column (its columns: {columns}); map one with "
                "--map name=COLUMN"
            ).format(columns=listed)
        )
    if kind == "deals" and "stage" not in columns and "status" not in columns:
        raise SalesflowError(
            _(
                "the file has no stage or status column (its columns: {columns}); map one with "
                "--map stage=COLUMN"
            ).format(columns=listed)
        )
    if kind == "deals" and not person | ({"company"} & set(columns)):
        raise SalesflowError(
            _(
                "the file names no customer: no name, company or e-mail column (its columns: "
                "{columns}); map one with --map company=COLUMN"
            ).format(columns=listed)
        )
    if kind == "activities":
        missing = [f for f in ("type", "date") if f not in columns]
        if missing:
            raise SalesflowError(
                _(
                    "the file has no {fields} column (its columns: {columns}); map it with "
                    "--map {field}=COLUMN"
                ).format(fields=" / ".join(missing), columns=listed, field=missing[0])
            )


# -- values -----------------------------------------------------------------------------------


def person_name(row: Row) -> str | None:
    """The full name of a row: its name column, else first, middle and last name joined as
    the name's language expects (王 + 小明 → 王小明; Ada + Lovelace → Ada Lovelace)."""
    if row.get("name"):
        return _cjk_joined(row["name"])
    first, middle, last = (row.get(k) or "" for k in ("first_name", "middle_name", "last_name"))
    if _CJK.search(first + last):
        return _cjk_joined(last + middle + first) or None
    return " ".join(p for p in (first, middle, last) if p) or None


_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff])\s+(?=[\u3400-\u9fff\uf900-\ufaff])")


def _cjk_joined(name: str) -> str:
    """A Chinese name without the spaces some exports put between its parts ("王 小明" is
    王小明); other names as they are."""
    return _CJK_SPACE.sub("", name.strip())


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


def amount(text: str | None, what: str) -> float | None:
    """An amount as written ("3,600", "¥ 3,600.50", "3.5万"); None when blank. Raises
    InvalidArgumentError naming ``what``."""
    if text is None:
        return None
    scale = 1.0
    if match := _TEN_THOUSAND.match(unicodedata.normalize("NFKC", text)):
        text, scale = match.group(1), 10_000.0
    value = number(text)
    if isinstance(value, str) or not math.isfinite(value):
        raise InvalidArgumentError(what, text, _("an amount like 3600 or 3,600.50"))
    return limits.amount(what, value * scale)


def probability(text: str | None) -> float | None:
    """A win probability as a fraction: "0.6", "60", "60%" → 0.6; None when blank."""
    if text is None:
        return None
    value = number(text.replace("%", ""))
    if isinstance(value, str) or not 0 <= value <= 100:
        raise InvalidArgumentError(_("probability"), text, _("a probability from 0 to 100 %"))
    return value / 100 if value > 1 or "%" in text else value


def is_true(text: str | None) -> bool | None:
    """A yes/no cell: True, False, or None when blank or neither."""
    if text is None:
        return None
    key = fold(text)
    if key in {fold(t) for t in known.TRUE_VALUES}:
        return True
    if key in {fold(t) for t in known.FALSE_VALUES}:
        return False
    return None


def _day(text: str | None, month_first: bool | None, what: str) -> date | None:
    if text is None:
        return None
    cleaned = re.sub(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?", r"\1-\2-\3", text.strip())
    cleaned = re.sub(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})", r"\1-\2-\3", cleaned)
    try:
        day = parse_day(cleaned, month_first)
    except UnreadableError as error:
        raise InvalidArgumentError(what, text, _("a date like 2026-07-03")) from error
    return limits.day(what, day)


class _Lists:
    """The workbook's lists as the import extends them: a value is taken as the list spells
    it, or added to the list."""

    def __init__(self, data: SalesData) -> None:
        self.values = {
            f.name: list(getattr(data.lists, f.name)) for f in dataclasses.fields(data.lists)
        }
        self.added: dict[str, list[str]] = {}

    def take(self, key: str, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = limits.text(key, " ".join(value.split()))
        for existing in self.values[key]:
            if fold(existing) == fold(value):
                return existing
        self.values[key].append(value)
        self.added.setdefault(key, []).append(value)
        return value

    def apply(self, data: SalesData, changes: Changes) -> SalesData:
        """The lists grown: written by ``changes``; ``data`` with them (for what checks)."""
        for key in self.added:
            changes.lists[key] = tuple(self.values[key])
        changes.relayout = changes.relayout or bool({"channels", "segments"} & set(self.added))
        grown = {key: tuple(self.values[key]) for key in self.added}
        return dataclasses.replace(data, lists=dataclasses.replace(data.lists, **grown))


_LIST_NOUNS = {
    "channels": N_("channels"),
    "segments": N_("segments"),
    "lost_reasons": N_("lost reasons"),
    "activity_types": N_("activity types"),
}


def _say_lists(lists: _Lists, changes: Changes) -> None:
    for key, values in lists.added.items():
        changes.say(
            _("Added to the {sheet} sheet's {list}: {values}.").format(
                sheet=workbook_name("Lists"), list=_(_LIST_NOUNS[key]), values=", ".join(values)
            )
        )


# -- leads and contacts -----------------------------------------------------------------------


def import_people(
    data: SalesData,
    rows: Sequence[tuple[str, Row | BadRow]],
    at: datetime,
    deals: bool = True,
    source: str = "",
) -> tuple[Changes, ImportReport]:
    """Leads (a customer and a deal in the first stage each; ``deals`` False: customers
    only) from source rows, names joined, channels and segments the workbook lacks added;
    a customer's data source is its row's, else ``source`` (the file)."""
    lists = _Lists(data)
    month_first = month_first_of(
        (r.get("created") for _label, r in rows if isinstance(r, dict)), None
    )
    leads: list[tuple[str, Lead | BadRow]] = []
    for label, row in rows:
        if isinstance(row, BadRow):
            leads.append((label, row))
            continue
        try:
            leads.append((label, _lead(row, lists, month_first, source)))
        except SalesflowError as error:
            leads.append((label, BadRow(str(error))))
    changes = Changes()
    grown = lists.apply(data, changes)
    planned, report = import_leads(grown, leads, at, deals=deals)
    planned.lists, planned.relayout = changes.lists, planned.relayout or changes.relayout
    _say_lists(lists, planned)
    return planned, report


def _lead(row: Row, lists: _Lists, month_first: bool | None, source: str) -> Lead:
    value = row.get("value")
    return Lead(
        name=person_name(row),
        company=row.get("company"),
        email=row.get("email"),
        phone=row.get("phone"),
        segment=lists.take("segments", row.get("segment")),
        channel=lists.take("channels", row.get("channel")),
        campaign=row.get("campaign"),
        title=row.get("title"),
        value=amount(value, _("value")) if value is not None else None,
        first_touch=_day(row.get("created"), month_first, _("created")),
        consent=_consent(row.get("consent")),
        consent_date=_day(row.get("consent_date"), month_first, _("consent date")),
        consent_source=row.get("consent_source"),
        source=row.get("source") or source,
    )


def _consent(text: str | None) -> str | None:
    """An export's consent value as the workbook's word; blank or unreadable: unknown (None:
    never taken for a yes)."""
    code = None if text is None else consent.code_of(text)
    return None if code is None else consent.word(code)


# -- deals ------------------------------------------------------------------------------------


@dataclass
class DealReport(ImportReport):
    """What a deal import did, and the source's stage names no stage took (with their rows)."""

    unmapped: Counter[str] = field(default_factory=Counter)
    currency: str | None = None


def parse_stage_map(pairs: Sequence[str]) -> dict[str, str]:
    """``--stage-map "Source=Stage"`` options as {source stage: workbook stage}."""
    mapped: dict[str, str] = {}
    for pair in pairs:
        source, _sep, stage = pair.rpartition("=")
        if not source.strip() or not stage.strip():
            raise InvalidArgumentError(
                "--stage-map", pair, _("SOURCE=STAGE, e.g. Proposal=Negotiation")
            )
        mapped[source.strip()] = stage.strip()
    return mapped


def import_deals(
    data: SalesData,
    rows: Sequence[tuple[str, Row | BadRow]],
    at: datetime,
    source: str,
    stage_map: Mapping[str, str] | None = None,
) -> tuple[Changes, DealReport]:
    """Deals with their customers from source rows (see the module's rules). Each becomes a
    deal in its mapped stage with one stage-log entry naming ``source``; invalid rows are
    skipped with their reason."""
    pipeline = data.pipeline
    stages = {fold(k): pipeline.stage(v).name for k, v in (stage_map or {}).items()}
    report = DealReport()
    good = [(label, row) for label, row in rows if isinstance(row, dict)]
    for label, row in rows:
        if isinstance(row, BadRow):
            report.skipped.append(_("{label}: {text}").format(label=label, text=row.reason))
    currencies = Counter(currency_code(r["currency"]) for _l, r in good if r.get("currency"))
    report.currency = currencies.most_common(1)[0][0] if currencies else None
    dates = [r.get(k) for _l, r in good for k in ("created", "expected_close", "closed")]
    month_first = month_first_of(dates, None)
    lists = _Lists(data)
    directory = Directory(to_records(data.customers, Customer))
    existing_deals = {
        (d.customer_id, fold(d.title), d.created) for d in to_records(data.deals, Deal)
    }
    customer_ids = iter(next_ids(data.customers["id"], "C", 4, max(len(good), 1)))
    deal_ids = iter(next_ids(data.deals["id"], "D", 5, max(len(good), 1)))
    changes = Changes()
    added_customers: set[str] = set()
    for label, row in good:
        try:
            stage = _stage_of(row, stages, pipeline)
            if stage is None and not (row.get("stage") or row.get("status")):
                raise SalesflowError(_("no stage or status: not a deal"))
            if stage is None:
                raw = row.get("stage") or row.get("status") or ""
                report.unmapped[raw] += 1
                raise SalesflowError(
                    _(
                        "stage {stage} is not one of the workbook's stages ({stages}); map it "
                        'with --stage-map "{source}=STAGE"'
                    ).format(stage=repr(raw), stages=", ".join(pipeline.names), source=raw)
                )
            if stage == "":
                raise SalesflowError(_("a deleted or void deal: not imported"))
            deal, customer = _deal(row, stage, lists, month_first, at, report.currency, data)
        except SalesflowError as error:
            report.skipped.append(_("{label}: {text}").format(label=label, text=error))
            continue
        found = directory.match(customer)
        if found is None:
            customer = dataclasses.replace(customer, id=next(customer_ids))
            directory.add(customer)
            changes.append(customer)
            added_customers.add(customer.id)
        deal = dataclasses.replace(deal, customer_id=found or customer.id)
        key = (deal.customer_id, fold(deal.title), deal.created)
        if key in existing_deals:
            report.merged.append(
                _("{label}: {title} of {customer} is in the workbook already").format(
                    label=label, title=repr(deal.title), customer=deal.customer_id
                )
            )
            continue
        existing_deals.add(key)
        deal = dataclasses.replace(deal, id=next(deal_ids))
        note = workbook_name(W_("Imported from {source} ({stage})")).format(
            source=source, stage=row.get("stage") or row.get("status") or deal.stage
        )
        note = limits.text("note", note[:200])
        changes.append(deal)
        if deal.status == "lost":  # entered the pipeline when created, then lost
            first = pipeline.open_stages[0].name
            changes.append(
                StageEvent(datetime.combine(deal.created, time()), deal.id, None, first, note)
            )
            changes.append(
                StageEvent(
                    datetime.combine(deal.closed or deal.created, time()),
                    deal.id,
                    first,
                    deal.stage,
                )
            )
        else:
            entered = datetime.combine(deal.closed or deal.stage_entered, time())
            changes.append(StageEvent(entered, deal.id, None, deal.stage, note))
        report.added.append(
            _("{label}: {deal} {title} in {stage} for {customer}").format(
                label=label,
                deal=deal.id,
                title=repr(deal.title),
                stage=deal.stage,
                customer=deal.customer_id,
            )
        )
    lists.apply(data, changes)
    symbol = data.settings.currency
    if report.currency and symbol and SYMBOLS.get(report.currency, symbol) != symbol:
        changes.say(
            _(
                "Note: the file's amounts are in {code}, the workbook shows {symbol}; nothing "
                "is converted."
            ).format(code=report.currency, symbol=symbol)
        )
    changes.say(
        _(
            "Imported {rows} row(s) of deals: {added} added, {duplicates} already there, "
            "{skipped} skipped; {customers} new customer(s)."
        ).format(
            rows=len(rows),
            added=len(report.added),
            duplicates=len(report.merged),
            skipped=len(report.skipped),
            customers=len(added_customers),
        )
    )
    _say_lists(lists, changes)
    return keep_as_of_current(data, changes, at.date()), report


def _stage_of(row: Row, stages: Mapping[str, str], pipeline: Any) -> str | None:
    """The workbook stage of a row: its stage through the map, the stage of that name, a
    won/lost/open word in the stage or status column. None: maps nowhere; "": void."""
    won, lost = pipeline.won.name, pipeline.lost.name
    words = {
        **{fold(w): lost for w in known.LOST_VALUES},
        **{fold(w): won for w in known.WON_VALUES},
        **{fold(w): "" for w in known.VOID_VALUES},
    }
    status = fold(row.get("status"))
    closed, won_flag = is_true(row.get("is_closed")), is_true(row.get("is_won"))
    if status in words and status not in {fold(w) for w in known.OPEN_VALUES}:
        return words[status]
    if closed and won_flag is not None:
        return won if won_flag else lost
    raw = row.get("stage")
    if raw is None:
        return (
            pipeline.open_stages[0].name if status in {fold(w) for w in known.OPEN_VALUES} else None
        )
    key = fold(raw)
    if key in stages:
        return stages[key]
    found = pipeline.find(raw)
    if found is not None:
        return found.name
    return words.get(key)


def _deal(
    row: Row,
    stage: str,
    lists: _Lists,
    month_first: bool | None,
    at: datetime,
    currency: str | None,
    data: SalesData,
) -> tuple[Deal, Customer]:
    """The deal and its customer (ID still blank) a row describes."""
    own = currency_code(row.get("currency") or "")
    if currency and own and own != currency:
        raise SalesflowError(
            _("in {own}, the file's other deals in {currency} (nothing is converted)").format(
                own=own, currency=currency
            )
        )
    name, company, email = person_name(row), row.get("company"), row.get("email")
    if email and not EMAIL.match(email.strip()):
        raise InvalidArgumentError(_("email"), email, _("an e-mail address like ann@example.com"))
    if not (name or company or email_key(email)):
        raise SalesflowError(_("no customer: a name, company or e-mail address is needed"))
    created = _day(row.get("created"), month_first, _("created")) or at.date()
    close_column = _day(row.get("expected_close"), month_first, _("close date"))
    closed_day = _day(row.get("closed"), month_first, _("closed"))
    outcome = data.pipeline.stage(stage).outcome
    closed = None
    expected = close_column
    if outcome != "open":
        closed = closed_day or close_column
        expected = None
        if closed is None:
            raise SalesflowError(_("a won or lost deal needs the date it closed"))
        closed = max(closed, created)
    reason = None
    if outcome == "lost":
        given = row.get("lost_reason")
        reason = lists.take("lost_reasons", given or workbook_name(W_("Not given")))
    title = row.get("title") or company or name or email or ""
    customer = Customer(
        id="",
        name=limits.text(_("name"), name or company or email or ""),
        company=company,
        email=email.strip() if email else None,
        phone=row.get("phone"),
        channel=lists.take("channels", row.get("channel")),
        first_touch=created,
    )
    deal = Deal(
        id="",
        customer_id="",
        title=limits.text(_("title"), title),
        value=amount(row.get("value"), _("value")) or 0.0,
        stage=stage,
        status=outcome,
        created=created,
        stage_entered=closed or created,
        expected_close=expected,
        probability=probability(row.get("probability")) if outcome == "open" else None,
        next_follow_up=transitions.follow_up(
            data.pipeline.stage(stage),
            at.date(),
            _day(row.get("next_follow_up"), month_first, _("next follow-up")),
        )
        if outcome == "open"
        else None,
        closed=closed,
        lost_reason=reason,
        channel=customer.channel,
    )
    return deal, customer


# -- activities -------------------------------------------------------------------------------


def import_activities(
    data: SalesData, rows: Sequence[tuple[str, Row | BadRow]], at: datetime
) -> tuple[Changes, ImportReport]:
    """Past and planned activities from source rows, each on the deal it names (a deal ID or
    a deal's title) or the customer (name, company or e-mail); done when a done column says
    so, else when its date has passed. A deal's last activity moves to the latest done one."""
    report = ImportReport()
    good = [(label, row) for label, row in rows if isinstance(row, dict)]
    for label, row in rows:
        if isinstance(row, BadRow):
            report.skipped.append(_("{label}: {text}").format(label=label, text=row.reason))
    month_first = month_first_of((r.get("date") for _l, r in good), None)
    lists = _Lists(data)
    deals = to_records(data.deals, Deal)
    by_id = {d.id: i for i, d in enumerate(deals)}
    by_title: dict[str, list[int]] = {}
    for i, d in enumerate(deals):
        by_title.setdefault(fold(d.title), []).append(i)
    directory = Directory(to_records(data.customers, Customer))
    activity_ids = iter(next_ids(data.activities["id"], "A", 6, max(len(good), 1)))
    changes = Changes()
    last_done: dict[int, date] = {}
    for label, row in good:
        try:
            deal_at, customer_id = _linked(row, deals, by_id, by_title, directory)
            kind = _activity_type(row.get("type"), lists)
            due = _day(row.get("date"), month_first, _("date"))
            assert due is not None  # a required column; a blank one:
        except AssertionError:
            report.skipped.append(_("{label}: {text}").format(label=label, text=_("no date")))
            continue
        except SalesflowError as error:
            report.skipped.append(_("{label}: {text}").format(label=label, text=error))
            continue
        done_flag = is_true(row.get("done"))
        done = due if (done_flag or (done_flag is None and due <= at.date())) else None
        note = " — ".join(t for t in (row.get("subject"), row.get("note")) if t) or None
        activity = Activity(
            id=next(activity_ids),
            deal_id=None if deal_at is None else deals[deal_at].id,
            customer_id=customer_id,
            type=kind,
            due=due,
            done=done,
            note=None if note is None else limits.text(_("note"), note[: limits.MAX_CELL_TEXT]),
        )
        changes.append(activity)
        if deal_at is not None and done is not None:
            last_done[deal_at] = max(done, last_done.get(deal_at, done))
        report.added.append(
            _("{label}: {activity} {type} on {day} for {target}").format(
                label=label,
                activity=activity.id,
                type=kind,
                day=due.isoformat(),
                target=activity.deal_id or customer_id,
            )
        )
    for position, day in last_done.items():
        before = deals[position].last_activity
        if before is None or day > before:
            changes.update("deals", position, {"last_activity": day})
    lists.apply(data, changes)
    changes.say(
        _("Imported {rows} row(s) of activities: {added} added, {skipped} skipped.").format(
            rows=len(rows), added=len(report.added), skipped=len(report.skipped)
        )
    )
    _say_lists(lists, changes)
    return keep_as_of_current(data, changes, at.date()), report


def _linked(
    row: Row,
    deals: Sequence[Deal],
    by_id: Mapping[str, int],
    by_title: Mapping[str, list[int]],
    directory: Directory,
) -> tuple[int | None, str]:
    """(position of the deal, customer ID) an activity row names."""
    named = row.get("deal")
    if named:
        if named.strip() in by_id:
            position = by_id[named.strip()]
            return position, deals[position].customer_id
        matches = by_title.get(fold(named), [])
        if len(matches) == 1:
            return matches[0], deals[matches[0]].customer_id
        if len(matches) > 1:
            raise SalesflowError(
                _("deal {deal} is the title of {count} deals: give its deal ID").format(
                    deal=repr(named), count=len(matches)
                )
            )
    contact = Lead(
        name=row.get("contact") or person_name(row),
        company=row.get("company"),
        email=row.get("email"),
    )
    found = directory.match(contact)
    if found is None and contact.name:
        same = directory.named(contact.name)
        found = same[0] if len(same) == 1 else None
    if found is None:
        raise SalesflowError(
            _("no deal or customer of the workbook matches {what}").format(
                what=repr(named or contact.name or contact.email or contact.company or "")
            )
        )
    open_deals = [i for i, d in enumerate(deals) if d.customer_id == found and d.status == "open"]
    return (open_deals[0] if len(open_deals) == 1 else None), found


def _activity_type(text: str | None, lists: _Lists) -> str:
    """The workbook's activity type for ``text``: the list's own spelling, the type an
    export's word means (Phone call → Call, 打电话 → 电话 …), or ``text`` added to the list."""
    if text is None or not text.strip():
        raise SalesflowError(_("no activity type"))
    key = fold(text)
    for existing in lists.values["activity_types"]:
        if fold(existing) == key:
            return existing
    for meaning, words in known.ACTIVITY_TYPE_VALUES.items():
        if key in {fold(w) for w in words}:
            for name in (meaning, workbook_name(meaning)):
                for existing in lists.values["activity_types"]:
                    if fold(existing) == fold(name):
                        return existing
    taken = lists.take("activity_types", text)
    assert taken is not None
    return taken


# -- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """One import's plan and what the dry run shows of it."""

    changes: Changes
    report: ImportReport
    columns: ColumnMap


def plan_import(
    data: SalesData,
    rows: Sequence[tuple[str, Row | BadRow]],
    columns: ColumnMap,
    at: datetime,
    source: str,
    stage_map: Mapping[str, str] | None = None,
) -> Plan:
    """The changes importing ``rows`` (read as ``columns`` says) would make."""
    rows = [(label, first_filled(row) if isinstance(row, dict) else row) for label, row in rows]
    planners: dict[Kind, Callable[[], tuple[Changes, ImportReport]]] = {
        "leads": lambda: import_people(data, rows, at, source=source),
        "contacts": lambda: import_people(data, rows, at, deals=False, source=source),
        "deals": lambda: import_deals(data, rows, at, source, stage_map),
        "activities": lambda: import_activities(data, rows, at),
    }
    changes, report = planners[columns.kind]()
    return Plan(changes, report, columns)
