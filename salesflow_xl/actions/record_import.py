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
  entry into the lost stage, so the funnel counts it as having entered); the entry names the
  file (and sheet) in the workbook's language. The same customer, title and creation day
  already in the workbook is a duplicate (without a creation day: the same customer and
  title). Footer lines (Salesforce's "Confidential Information …") have no stage: skipped as
  no deal.
- **Rows are checked whole.** A row whose text a cell cannot hold (control characters, over
  32,767 characters), a deal created or closed after the import, an open deal's next
  follow-up before it was created, an activity done after the import or dated before the deal
  it names is skipped with its line and reason; the other rows are imported.
- **Activities** land on the deal they name (a deal that is not in the workbook skips the
  row), else on their customer and the customer's one open deal (unless that deal started
  after the activity); a bare name matches no customer with another e-mail address. An
  activity is done when its done column says so or, without one, when its date has passed;
  after the import it is planned. A next follow-up moves its open deal's when later.
- **Columns.** Where a field has several columns (Phone Number and Mobile Phone Number; a won
  deal's Won time and a lost one's Lost time), a row's value is the first that is not blank.
- **Currencies** are compared as ISO codes: RMB, 人民币 and 元 are CNY.
- **Values** are read as people write them (``3,600``, ``€ 3.600,50``, ``3.5万`` = 35,000,
  ``1亿``, ``5k``, ``1.2M``, ``12,800 CNY``); any other word refuses the row (``约3万``).
  Probabilities are fractions or percentages, decided per column: one value above 1 or with a
  % sign makes the column percentages ("1" is then 1 %). Rows in another currency than the
  file's main one are skipped (nothing is converted).
- **Lists.** Channels, segments, lost reasons and activity types the workbook lacks are added
  to its Lists sheet when a row using them is added (never for a skipped row), and the report
  says so.

Everything is planned from :class:`SalesData` into :class:`Changes` (nothing read or written
here); a dry run is the same plan, shown and not written.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

from salesflow_xl.actions import import_columns as known
from salesflow_xl.actions.changes import Changes, keep_as_of_current, next_ids
from salesflow_xl.actions.csv_rows import BadRow, Row, header_key, number
from salesflow_xl.actions.customer_match import EMAIL, Directory, email_key, fold
from salesflow_xl.actions.import_sources import in_workbook
from salesflow_xl.actions.leads import HEADER_ALIASES, ImportReport, Lead, import_leads
from salesflow_xl.actions.order_exports import (
    UnreadableError,
    currency_code,
    month_first_of,
    parse_day,
)
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
#: Fields recognised so the dry run names them, whose values have no place in the workbook:
#: the owner and pipeline of any kind, a deal's notes (a deal has no notes field).
_NOT_IMPORTED: dict[Kind, frozenset[str]] = {
    kind: known.IGNORED_FIELDS | ({"notes"} if kind == "deals" else set()) for kind in KINDS
}
#: A file is deals when it has one of these fields, activities when it has all of the others.
_DEAL_SIGNS = ("stage", "status", "is_won", "is_closed")
_ACTIVITY_SIGNS = ("type", "date")

#: The lead import's field names (``--map name=…``) for the CRM export names of a contact.
_CONTACT_FIELDS = ("name", "first_name", "middle_name", "last_name", "company", "email", "phone")
#: Currency codes exports write → the symbol a workbook shows for them (Settings' currency).
SYMBOLS = {"CNY": "¥", "RMB": "¥", "JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£"}
#: Currency codes, words and symbols an amount may carry before or after its number.
_CURRENCY_WORDS = re.compile(
    r"US\$|(?<![a-z])(?:CNY|RMB|USD|EUR|GBP)(?![a-z])|人民币|美元|欧元|英镑|[¥$€£元]", re.IGNORECASE
)
#: An amount once its currency is gone: a number, and the unit right after it (万 × 10,000,
#: 亿 × 100,000,000, k × 1,000, M × 1,000,000).
_AMOUNT = re.compile(r"([-+]?\d[\d.,' ]*)\s*(万|亿|k|K|M)?")
_UNITS = {"万": 1e4, "亿": 1e8, "k": 1e3, "K": 1e3, "M": 1e6}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class ColumnMap:
    """How a source's columns were read: field → the header read for it, and the headers
    nothing reads (the dry run shows both)."""

    kind: Kind
    fields: dict[str, str]
    unused: tuple[str, ...]
    ignored: tuple[str, ...] = ()  # recognised (owner, pipeline, a deal's notes), not imported


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
        dropped = _NOT_IMPORTED[kind]
        ignored = {f: i for f, i in columns.items() if _base(f) in dropped}
        read = {f: i for f, i in columns.items() if _base(f) not in dropped}
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


def amount(text: str | None, what: str) -> float | None:
    """An amount as written ("3,600", "¥ 3,600.50", "3.5万", "1亿", "5k", "1.2M", "12,800
    CNY"); None when blank. A unit (万, 亿, k, M) directly follows the number; currency codes
    and symbols are left out; any other word ("约3万", "12万5千") is refused. Raises
    InvalidArgumentError naming ``what``."""
    if text is None:
        return None
    cleaned = _CURRENCY_WORDS.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    try:
        value, scale = float(cleaned), 1.0  # "3600", "1e5"; "inf" and "nan" refused below
    except ValueError:
        match = _AMOUNT.fullmatch(cleaned)
        read = number(match.group(1)) if match else text
        value, scale = (read, _UNITS.get(match.group(2) or "", 1.0)) if match else (read, 1.0)
    if isinstance(value, str) or not math.isfinite(value):
        raise InvalidArgumentError(what, text, _("an amount like 3600, 3,600.50 or 3.5万"))
    return limits.amount(what, value * scale)


def percentages(texts: Iterable[str | None]) -> bool:
    """Whether a probability column holds percentages: any value above 1 or with a % sign
    ("60", "1%"); then its "1" is 1 %, else 100 %."""
    for text in texts:
        if text is None:
            continue
        value = number(text.replace("%", ""))
        if "%" in text or (isinstance(value, float) and value > 1):
            return True
    return False


def probability(text: str | None, percent: bool | None = None) -> float | None:
    """A win probability as a fraction: "0.6", "60", "60%" → 0.6; None when blank. ``percent``
    says whether the column holds percentages (:func:`percentages`); None: this value alone
    tells."""
    if text is None:
        return None
    value = number(text.replace("%", ""))
    if isinstance(value, str) or not 0 <= value <= 100:
        raise InvalidArgumentError(_("probability"), text, _("a probability from 0 to 100 %"))
    if percent is None:
        percent = percentages([text])
    return value / 100 if percent or value > 1 else value


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
    it, or as new. A new value is added to the list only when a row that uses it is added
    (:meth:`keep`): a skipped row leaves the lists as they were."""

    def __init__(self, data: SalesData) -> None:
        self.values = {
            f.name: list(getattr(data.lists, f.name)) for f in dataclasses.fields(data.lists)
        }
        self.new: dict[str, list[str]] = {}  # taken, not in the workbook's list
        self.added: dict[str, list[str]] = {}  # new values of rows that were added

    def take(self, key: str, value: str | None) -> str | None:
        """``value`` as the list spells it (a new value as given, spaces tidied); None when
        blank. Raises InvalidArgumentError for text no cell may hold."""
        if value is None or not value.strip():
            return None
        value = limits.text(_(_LIST_ITEMS[key]), " ".join(value.split()))
        for existing in self.values[key]:
            if fold(existing) == fold(value):
                return existing
        self.values[key].append(value)
        self.new.setdefault(key, []).append(value)
        return value

    def keep(self, key: str, value: str | None) -> None:
        """``value`` is used by a row that was added: a new value goes into the list."""
        if value in self.new.get(key, ()) and value not in self.added.get(key, ()):
            kept = {*self.added.get(key, ()), value}
            self.added[key] = [v for v in self.new[key] if v in kept]  # in the order taken

    def grown(self, data: SalesData) -> SalesData:
        """``data`` with every value taken in its lists (for checks that pick from them)."""
        grown = {key: tuple(self.values[key]) for key in self.new}
        return dataclasses.replace(data, lists=dataclasses.replace(data.lists, **grown))

    def apply(self, data: SalesData, changes: Changes) -> None:
        """Write the lists grown by the values :meth:`keep` kept, in the order taken."""
        for key, kept in self.added.items():
            changes.lists[key] = (*getattr(data.lists, key), *kept)
        changes.relayout = changes.relayout or bool({"channels", "segments"} & set(self.added))


#: A list's value as a message names it.
_LIST_ITEMS = {
    "channels": N_("channel"),
    "segments": N_("segment"),
    "lost_reasons": N_("lost reason"),
    "activity_types": N_("activity type"),
}


_LIST_NOUNS = {
    "channels": N_("channels"),
    "segments": N_("segments"),
    "lost_reasons": N_("lost reasons"),
    "activity_types": N_("activity types"),
}


def _say_lists(lists: _Lists, changes: Changes) -> None:
    """The summary's line per list the import grows, naming the values added."""
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
    only) from source rows, names joined, channels and segments the workbook lacks added
    (those of the rows added or merged only); a customer's data source is its row's, else
    ``source`` (the file, named in the workbook's language)."""
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
            leads.append((label, _lead(row, lists, month_first, in_workbook(source))))
        except SalesflowError as error:
            leads.append((label, BadRow(str(error))))
    planned, report = import_leads(lists.grown(data), leads, at, deals=deals)
    written = [
        *planned.appends.get("customers", ()),
        *planned.appends.get("deals", ()),
        *(u.values for u in planned.updates if u.table == "customers"),
    ]
    for values in written:  # the lists' values the added and merged rows use
        lists.keep("segments", values.get("segment"))
        lists.keep("channels", values.get("channel"))
    lists.apply(data, planned)
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
    deal in its mapped stage with one stage-log entry naming ``source`` (in the workbook's
    language); invalid rows are skipped with their reason."""
    pipeline = data.pipeline
    stages = {fold(k): pipeline.stage(v).name for k, v in (stage_map or {}).items()}
    report = DealReport()
    good = [(label, row) for label, row in rows if isinstance(row, dict)]
    for label, row in rows:
        if isinstance(row, BadRow):
            report.skipped.append(_("{label}: {text}").format(label=label, text=row.reason))
    currencies = Counter(currency_code(r["currency"]) for _l, r in good if r.get("currency"))
    report.currency = currencies.most_common(1)[0][0] if currencies else None
    dates = [
        r.get(k)
        for _l, r in good
        for k in ("created", "expected_close", "closed", "next_follow_up")
    ]
    reading = _DealReading(
        lists=_Lists(data),
        month_first=month_first_of(dates, None),
        percent=percentages(r.get("probability") for _l, r in good),
        at=at,
        currency=report.currency,
        data=data,
    )
    directory = Directory(to_records(data.customers, Customer))
    existing = to_records(data.deals, Deal)
    # a deal is there already with the same customer, title and creation day; a row without
    # a creation day is compared on customer and title only (its day would be the import's)
    dated = {(d.customer_id, fold(d.title), d.created) for d in existing}
    undated = {(d.customer_id, fold(d.title)) for d in existing}
    customer_ids = iter(next_ids(data.customers["id"], "C", 4, max(len(good), 1)))
    deal_ids = iter(next_ids(data.deals["id"], "D", 5, max(len(good), 1)))
    changes = Changes()
    added_customers: set[str] = set()
    imported = in_workbook(source)
    for label, row in good:
        try:
            stage = _stage_of(row, stages, pipeline)
            raw = row.get("stage") or row.get("status") or ""
            if stage is None and not raw:
                raise SalesflowError(_("no stage or status: not a deal"))
            limits.text(_("stage"), raw)
            if stage is None:
                report.unmapped[raw] += 1
                raise SalesflowError(
                    _(
                        "stage {stage} is not one of the workbook's stages ({stages}); map it "
                        'with --stage-map "{source}=STAGE"'
                    ).format(stage=repr(raw), stages=", ".join(pipeline.names), source=raw)
                )
            if stage == "":
                raise SalesflowError(_("a deleted or void deal: not imported"))
            deal, customer = _deal(row, stage, reading)
            note = workbook_name(W_("Imported from {source} ({stage})")).format(
                source=imported, stage=raw or deal.stage
            )
            note = limits.text(_("note"), note[:200])
        except SalesflowError as error:
            report.skipped.append(_("{label}: {text}").format(label=label, text=error))
            continue
        found = directory.match(customer)
        customer_id = found or customer.id
        key = (customer_id, fold(deal.title))
        if (key in undated) if row.get("created") is None else ((*key, deal.created) in dated):
            report.merged.append(
                _("{label}: {title} of {customer} is in the workbook already").format(
                    label=label, title=repr(deal.title), customer=customer_id
                )
            )
            continue
        if found is None:
            customer = dataclasses.replace(customer, id=next(customer_ids))
            directory.add(customer)
            changes.append(customer)
            added_customers.add(customer.id)
        deal = dataclasses.replace(deal, id=next(deal_ids), customer_id=found or customer.id)
        dated.add((deal.customer_id, fold(deal.title), deal.created))
        undated.add((deal.customer_id, fold(deal.title)))
        reading.lists.keep("channels", deal.channel)
        reading.lists.keep("lost_reasons", deal.lost_reason)
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
    reading.lists.apply(data, changes)
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
    _say_lists(reading.lists, changes)
    return keep_as_of_current(data, changes, at.date()), report


@dataclass(frozen=True)
class _DealReading:
    """What reading a deals file's rows needs beyond the row: the lists it extends, how its
    dates and probabilities are written, the import's time, the file's currency, the data."""

    lists: _Lists
    month_first: bool | None
    percent: bool
    at: datetime
    currency: str | None
    data: SalesData


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


def _deal(row: Row, stage: str, reading: _DealReading) -> tuple[Deal, Customer]:
    """The deal and its customer (IDs still blank) a row describes. Raises SalesflowError
    for a row to skip: text no cell may hold, another currency, a day after the import …"""
    own = currency_code(row.get("currency") or "")
    if reading.currency and own and own != reading.currency:
        raise SalesflowError(
            _("in {own}, the file's other deals in {currency} (nothing is converted)").format(
                own=own, currency=reading.currency
            )
        )
    name, company, email = person_name(row), row.get("company"), row.get("email")
    for called, text in (
        (_("company"), company),
        (_("email"), email),
        (_("phone"), row.get("phone")),
    ):
        if text is not None:
            limits.text(called, text)
    if email and not EMAIL.match(email.strip()):
        raise InvalidArgumentError(_("email"), email, _("an e-mail address like ann@example.com"))
    if not (name or company or email_key(email)):
        raise SalesflowError(_("no customer: a name, company or e-mail address is needed"))
    month_first, today = reading.month_first, reading.at.date()
    created = _day(row.get("created"), month_first, _("created")) or today
    _not_after(created, reading.at, _("created"))
    close_column = _day(row.get("expected_close"), month_first, _("close date"))
    closed_day = _day(row.get("closed"), month_first, _("closed"))
    outcome = reading.data.pipeline.stage(stage).outcome
    closed = None
    expected = close_column
    if outcome != "open":
        closed = closed_day or close_column
        expected = None
        if closed is None:
            raise SalesflowError(_("a won or lost deal needs the date it closed"))
        closed = max(closed, created)
        _not_after(closed, reading.at, _("closed"))
    reason = None
    if outcome == "lost":
        given = row.get("lost_reason")
        reason = reading.lists.take("lost_reasons", given or workbook_name(W_("Not given")))
    follow_up = None
    if outcome == "open":
        given_day = _day(row.get("next_follow_up"), month_first, _("next follow-up"))
        if given_day is not None and given_day < created:
            raise InvalidArgumentError(
                _("next follow-up"),
                given_day,
                _("a day on or after the deal was created ({day})").format(day=created),
            )
        follow_up = transitions.follow_up(reading.data.pipeline.stage(stage), today, given_day)
    title = row.get("title") or company or name or email or ""
    customer = Customer(
        id="",
        name=limits.text(_("name"), name or company or email or ""),
        company=company,
        email=email.strip() if email else None,
        phone=row.get("phone"),
        channel=reading.lists.take("channels", row.get("channel")),
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
        probability=probability(row.get("probability"), reading.percent)
        if outcome == "open"
        else None,
        next_follow_up=follow_up,
        closed=closed,
        lost_reason=reason,
        channel=customer.channel,
    )
    return deal, customer


def _not_after(day: date, at: datetime, what: str) -> None:
    """Refuse ``day`` (a deal's creation or closing, a done activity's) after the import."""
    if day > at.date():
        raise InvalidArgumentError(
            what, day, _("a day on or before the import ({day})").format(day=at.date())
        )


# -- activities -------------------------------------------------------------------------------


def import_activities(
    data: SalesData, rows: Sequence[tuple[str, Row | BadRow]], at: datetime
) -> tuple[Changes, ImportReport]:
    """Past and planned activities from source rows, each on the deal it names (a deal ID or
    a deal's title) or the customer (name, company or e-mail); done when a done column says
    so or, without one, when its date has passed, never after the import. A deal's last
    activity moves to the latest done one, its next follow-up to the latest one given, when
    later than its own."""
    report = ImportReport()
    good = [(label, row) for label, row in rows if isinstance(row, dict)]
    for label, row in rows:
        if isinstance(row, BadRow):
            report.skipped.append(_("{label}: {text}").format(label=label, text=row.reason))
    month_first = month_first_of(
        (r.get(k) for _l, r in good for k in ("date", "next_follow_up")), None
    )
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
    follow_ups: dict[int, date] = {}
    for label, row in good:
        try:
            activity, deal_at, follow_up = _activity(
                row, deals, by_id, by_title, directory, lists, month_first, at
            )
        except SalesflowError as error:
            report.skipped.append(_("{label}: {text}").format(label=label, text=error))
            continue
        activity = dataclasses.replace(activity, id=next(activity_ids))
        lists.keep("activity_types", activity.type)
        changes.append(activity)
        done = activity.done
        if deal_at is not None and done is not None:
            last_done[deal_at] = max(done, last_done.get(deal_at, done))
        on_open = deal_at is not None and deals[deal_at].status == "open"
        if follow_up is not None and deal_at is not None and on_open:
            follow_ups[deal_at] = max(follow_up, follow_ups.get(deal_at, follow_up))
        line = (
            _("{label}: {activity} {type} on {day} for {target}")
            if follow_up is None or on_open
            else _(
                "{label}: {activity} {type} on {day} for {target} (its next follow-up "
                "{follow_up} is not kept: no open deal)"
            )
        )
        report.added.append(
            line.format(
                label=label,
                activity=activity.id,
                type=activity.type,
                day=activity.due.isoformat(),
                target=activity.deal_id or activity.customer_id,
                follow_up=follow_up,
            )
        )
    for position in sorted({*last_done, *follow_ups}):
        deal, values = deals[position], {}
        if position in last_done and (
            deal.last_activity is None or last_done[position] > deal.last_activity
        ):
            values["last_activity"] = last_done[position]
        if position in follow_ups and (
            deal.next_follow_up is None or follow_ups[position] > deal.next_follow_up
        ):
            values["next_follow_up"] = follow_ups[position]
        changes.update("deals", position, values)
    lists.apply(data, changes)
    changes.say(
        _("Imported {rows} row(s) of activities: {added} added, {skipped} skipped.").format(
            rows=len(rows), added=len(report.added), skipped=len(report.skipped)
        )
    )
    _say_lists(lists, changes)
    return keep_as_of_current(data, changes, at.date()), report


def _activity(
    row: Row,
    deals: Sequence[Deal],
    by_id: Mapping[str, int],
    by_title: Mapping[str, list[int]],
    directory: Directory,
    lists: _Lists,
    month_first: bool | None,
    at: datetime,
) -> tuple[Activity, int | None, date | None]:
    """The activity a row describes (ID still blank), the position of its deal, and the next
    follow-up the row gives. Raises SalesflowError for a row to skip: no date, a done day
    after the import, a day before its deal was created …"""
    deal_at, customer_id, named = _linked(row, deals, by_id, by_title, directory)
    kind = _activity_type(row.get("type"), lists)
    due = _day(row.get("date"), month_first, _("date"))
    if due is None:
        raise SalesflowError(_("no date"))
    deal = None if deal_at is None else deals[deal_at]
    if deal is not None and due < deal.created:
        if named:
            raise InvalidArgumentError(_("date"), due, _after_creation(deal))
        deal_at = deal = None  # the customer's one open deal started later: the customer's
    done_flag = is_true(row.get("done"))
    if done_flag:
        _not_after(due, at, _("date"))
    done = due if due <= at.date() and done_flag is not False else None
    note = " — ".join(t for t in (row.get("subject"), row.get("note")) if t) or None
    follow_up = _day(row.get("next_follow_up"), month_first, _("next follow-up"))
    on_open = deal is not None and deal.status == "open"
    if follow_up is not None and deal is not None and on_open and follow_up < deal.created:
        raise InvalidArgumentError(_("next follow-up"), follow_up, _after_creation(deal))
    activity = Activity(
        id="",
        deal_id=None if deal is None else deal.id,
        customer_id=customer_id,
        type=kind,
        due=due,
        done=done,
        note=None if note is None else limits.text(_("note"), note),
    )
    return activity, deal_at, follow_up


def _after_creation(deal: Deal) -> str:
    """What an activity's day must be: not before ``deal`` was created."""
    return _("a day on or after deal {deal} was created ({day})").format(
        deal=deal.id, day=deal.created
    )


def _linked(
    row: Row,
    deals: Sequence[Deal],
    by_id: Mapping[str, int],
    by_title: Mapping[str, list[int]],
    directory: Directory,
) -> tuple[int | None, str, bool]:
    """(position of the deal, customer ID, whether the row named the deal) of an activity row:
    the deal it names, else its customer's one open deal. A named deal that is not in the
    workbook skips the row; a bare name matches no customer with another e-mail address."""
    named = row.get("deal")
    if named:
        if named.strip() in by_id:
            position = by_id[named.strip()]
            return position, deals[position].customer_id, True
        matches = by_title.get(fold(named), [])
        if len(matches) == 1:
            return matches[0], deals[matches[0]].customer_id, True
        if len(matches) > 1:
            raise SalesflowError(
                _("deal {deal} is the title of {count} deals: give its deal ID").format(
                    deal=repr(named), count=len(matches)
                )
            )
        raise SalesflowError(
            _("no deal titled {deal} in the workbook (nor with that ID)").format(deal=repr(named))
        )
    contact = Lead(
        name=row.get("contact") or person_name(row),
        company=row.get("company"),
        email=row.get("email"),
    )
    found = directory.match(contact)
    if found is None and contact.name:
        own = email_key(contact.email)
        same = [  # two e-mail addresses are two people
            c
            for c in directory.named(contact.name)
            if own is None or email_key(directory.customers[c].email) in (None, own)
        ]
        found = same[0] if len(same) == 1 else None
    if found is None:
        raise SalesflowError(
            _("no deal or customer of the workbook matches {what}").format(
                what=repr(contact.name or contact.email or contact.company or "")
            )
        )
    open_deals = [i for i, d in enumerate(deals) if d.customer_id == found and d.status == "open"]
    return (open_deals[0] if len(open_deals) == 1 else None), found, False


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
