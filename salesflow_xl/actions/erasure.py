"""Erasing a customer's personal data (GDPR art. 17, PIPL art. 47) while every figure stays.

What is erased, for each customer erased:

- their row on the Customers sheet: the name becomes a pseudonym ("Erased customer C0042",
  required, so the deals still show whose they were without saying who), the company, e-mail,
  phone, consent source and date, consent and data source become blank, and so do the cells of
  columns the user added to the table;
- the notes of the activities on them or on their deals, and the stage-log notes of their
  deals: blank (free text about a person is theirs);
- every mention of their name, e-mail address or phone number in the text of any other row (a
  deal's title, another customer's activity note: "referred by Li Na"): replaced by the
  pseudonym. A name is matched as a whole word where it is written in Latin letters or digits
  (Anna is not found in Annapolis), anywhere in other scripts (李娜 in 联系李娜确认).

Kept: IDs, amounts, dates, stages, segments, channels, campaigns and lost reasons, so every
figure SalesFlow computes — and ``salesflow report --json`` but for the erased texts — is the
same after the erasure. One row per customer goes to the Privacy log: when, the customer ID,
what was erased (never the data itself) and why.

Retention: :func:`inactive_customers` finds the customers with no deal, activity or order
since a date (and no open deal), for ``salesflow forget --inactive-since``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from salesflow_xl.actions.changes import Changes
from salesflow_xl.actions.privacy import find_customer
from salesflow_xl.core import i18n, limits
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError
from salesflow_xl.core.i18n import W_, _
from salesflow_xl.core.model import PrivacyEntry

#: The pseudonym an erased customer's name becomes, in the workbook's language.
PSEUDONYM = W_("Erased customer {id}")
#: Why, when the user gives no reason.
REQUEST = W_("erasure request")
RETENTION = W_("retention: no deal, activity or order since {date}")

#: The customer fields erased (blanked, or the name pseudonymised), with their headers.
PERSONAL: dict[str, str] = {
    "name": W_("Name"),
    "company": W_("Company"),
    "email": W_("E-mail"),
    "phone": W_("Phone"),
    "consent": W_("Marketing consent"),
    "consent_date": W_("Consent date"),
    "consent_source": W_("Consent source"),
    "source": W_("Data source"),
}
#: Free-text fields searched for mentions of an erased customer: table → fields.
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "deals": ("title",),
    "activities": ("note",),
    "stage_log": ("note",),
}
#: The shortest name or phone number looked for in other rows' text (shorter ones would
#: match by chance).
MIN_MENTION = 2


class AlreadyErasedError(SalesflowError):
    """A customer whose personal data was erased before."""


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erasure did to one customer (counts only: never the data).

    Attributes:
        customer_id: whose data.
        fields: the customer fields that held a value, now blank or pseudonymised.
        activity_notes, stage_notes: the notes blanked.
        mentions: rows of other records whose text named them.
    """

    customer_id: str
    fields: tuple[str, ...]
    activity_notes: int
    stage_notes: int
    mentions: int

    def described(self) -> str:
        """What was erased, in the workbook's language, for the Privacy log."""
        word = i18n.workbook_name
        parts = [", ".join(word(PERSONAL[f]) for f in self.fields)]
        for count, label in (
            (self.activity_notes, W_("activity notes: {count}")),
            (self.stage_notes, W_("stage-log notes: {count}")),
            (self.mentions, W_("mentions in other rows: {count}")),
        ):
            if count:
                parts.append(word(label).format(count=count))
        return "; ".join(p for p in parts if p)


@dataclass
class Erasure:
    """The planned erasure: the changes to write and what each customer lost."""

    changes: Changes
    erased: list[Erased]


def pseudonym(customer_id: str) -> str:
    """The name an erased customer keeps, in the workbook's language."""
    return i18n.workbook_name(PSEUDONYM).format(id=customer_id)


def is_erased(customer_id: str, name: object) -> bool:
    """Whether a customer's name is the pseudonym of an erasure (in either language)."""
    return isinstance(name, str) and name.strip() in {
        i18n.workbook_name(PSEUDONYM, code).format(id=customer_id) for code in i18n.LANGUAGES
    }


def forget(
    data: SalesData,
    keys: Sequence[str],
    at: datetime,
    reason: str | None = None,
    inactive_since: date | None = None,
) -> Erasure:
    """Plan erasing the customers ``keys`` name (IDs or e-mail addresses, see
    :func:`~salesflow_xl.actions.privacy.find_customer`), logged at ``at`` with ``reason``
    (default: an erasure request, or the retention rule when they were found inactive since
    ``inactive_since``). Raises for an unknown or already erased customer; nothing is planned
    then."""
    if reason is not None:
        reason = limits.text("--reason", reason.strip()) or None
    rule = i18n.workbook_name(RETENTION).format(date=inactive_since) if inactive_since else None
    why = reason or rule or i18n.workbook_name(REQUEST)
    customers = data.customers
    ids = customers["id"].astype(str).str.strip()
    chosen = list(dict.fromkeys(find_customer(data, key) for key in keys))
    if not chosen:
        raise InvalidArgumentError(_("customer"), "", _("at least one customer ID"))
    positions = {cid: int(np.flatnonzero((ids == cid).to_numpy())[0]) for cid in chosen}
    for cid, position in positions.items():
        if is_erased(cid, customers["name"].iat[position]):
            raise AlreadyErasedError(
                _(
                    "{customer} was erased already: the workbook holds nothing more about them"
                ).format(customer=cid)
            )
    changes = Changes(erasure=True)
    mentions = _mentions(customers, positions)
    counts: dict[str, dict[str, int]] = {cid: {} for cid in chosen}
    own_deals = data.deals["customer_id"].astype(str).str.strip()
    for table, fields in FREE_TEXT.items():
        frame = data.table(table)
        owner = _owner(table, frame, own_deals, data.deals["id"])
        for field in fields:
            values = frame[field]
            for position in np.flatnonzero(values.notna().to_numpy()):
                text, whose = str(values.iat[position]), owner.iat[position]
                if whose in positions and field == "note":
                    counts[whose][table] = counts[whose].get(table, 0) + 1
                    changes.update(table, int(position), {field: None})
                    continue
                replaced, named = _replace_mentions(text, mentions)
                if named:
                    changes.update(table, int(position), {field: replaced})
                    for cid in named:
                        counts[cid]["mentions"] = counts[cid].get("mentions", 0) + 1
    erased = []
    for cid, position in positions.items():
        row = customers.iloc[position]
        held = tuple(f for f in PERSONAL if _held(row[f]))
        values = {f: None for f in held if f != "name"}
        values["name"] = pseudonym(cid)
        changes.update("customers", position, values)
        changes.cleared.setdefault("customers", []).append(position)
        done = Erased(
            cid,
            held,
            counts[cid].get("activities", 0),
            counts[cid].get("stage_log", 0),
            counts[cid].get("mentions", 0),
        )
        erased.append(done)
        entry = PrivacyEntry(at.replace(microsecond=0), cid, done.described(), why)
        changes.privacy_log.append(asdict(entry))
        changes.say(_summary(done))
    return Erasure(changes, erased)


def _summary(done: Erased) -> str:
    notes = done.activity_notes + done.stage_notes
    return _(
        "{customer}: personal data erased ({fields}; notes: {count}); amounts, dates and "
        "stages kept."
    ).format(
        customer=done.customer_id,
        fields=", ".join(i18n.workbook_name(PERSONAL[f]) for f in done.fields),
        count=notes,
    )


def _held(value: object) -> bool:
    return not (
        value is None
        or value is pd.NaT
        or (isinstance(value, float) and np.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def _owner(
    table: str, frame: pd.DataFrame, deal_customers: pd.Series, deal_ids: pd.Series
) -> pd.Series:
    """The customer each row of ``table`` is about (a deal's customer; an activity's customer,
    else its deal's; a stage-log row's deal's customer), as text; "" for none."""
    by_deal = dict(zip(deal_ids.astype(str), deal_customers, strict=True))
    if table == "deals":
        return deal_customers.reset_index(drop=True)
    on_deal = frame["deal_id"].map(lambda d: by_deal.get(str(d), "") if d is not None else "")
    if table == "activities":
        own = frame["customer_id"].map(lambda c: str(c).strip() if c is not None else "")
        return own.where(own != "", on_deal).reset_index(drop=True)
    return on_deal.reset_index(drop=True)


#: A mention pattern and, by the casefolded text it matches, whose pseudonym replaces it.
Mentions = tuple[re.Pattern[str] | None, dict[str, str]]


def _mentions(customers: pd.DataFrame, positions: dict[str, int]) -> Mentions:
    """The names, e-mail addresses and phone numbers of the customers erased, as one pattern."""
    whose: dict[str, str] = {}
    for cid, position in positions.items():
        for field in ("name", "email", "phone"):
            value = customers[field].iat[position]
            if _held(value) and len(str(value).strip()) >= MIN_MENTION:
                whose.setdefault(str(value).strip().casefold(), cid)
    if not whose:
        return None, whose
    alternatives = [_word(text) for text in sorted(whose, key=len, reverse=True)]
    return re.compile("|".join(alternatives), re.IGNORECASE), whose


def _word(text: str) -> str:
    """``text`` as a pattern; edges in Latin letters or digits must not run on into more."""
    ascii_word = re.compile(r"[A-Za-z0-9]")
    before = r"(?<![A-Za-z0-9])" if ascii_word.match(text[0]) else ""
    after = r"(?![A-Za-z0-9])" if ascii_word.match(text[-1]) else ""
    return before + re.escape(text) + after


def _replace_mentions(text: str, mentions: Mentions) -> tuple[str, set[str]]:
    """``text`` with every mention replaced by the pseudonym; whose mentions there were."""
    pattern, whose = mentions
    named: set[str] = set()
    if pattern is None:
        return text, named

    def replace(match: re.Match[str]) -> str:
        cid = whose[match.group(0).casefold()]
        named.add(cid)
        return pseudonym(cid)

    return pattern.sub(replace, text), named


# -- retention --------------------------------------------------------------------------------


def inactive_customers(data: SalesData, since: date) -> pd.DataFrame:
    """The customers with no deal, activity or order on or after ``since`` and no open deal,
    not erased already: columns ``id``, ``name`` and ``last_contact`` (their latest dated
    record: first touch, a deal's creation, stage change, close or last activity, an
    activity's due or done date, an order; NaT when none), oldest contact first."""
    customers = data.customers
    ids = customers["id"].astype(str).str.strip()
    latest = pd.Series(pd.NaT, index=ids, dtype="datetime64[ns]")

    def seen(owner: pd.Series, when: pd.Series) -> None:
        frame = pd.DataFrame({"id": owner.astype(str).str.strip(), "when": pd.to_datetime(when)})
        found = frame.dropna().groupby("id")["when"].max()
        found = found[found.index.isin(latest.index)]
        latest.loc[found.index] = np.fmax(latest.loc[found.index], found)

    seen(ids, customers["first_touch"])
    deals = data.deals
    for column in ("created", "stage_entered", "closed", "last_activity"):
        seen(deals["customer_id"], deals[column])
    by_deal = dict(zip(deals["id"].astype(str), deals["customer_id"], strict=True))
    log = data.stage_log
    seen(log["deal_id"].astype(str).map(by_deal).fillna(""), log["timestamp"].dt.normalize())
    activities = data.activities
    owner = (
        activities["customer_id"]
        .where(activities["customer_id"].notna(), activities["deal_id"].astype(str).map(by_deal))
        .fillna("")
    )
    for column in ("due", "done"):
        seen(owner, activities[column])
    seen(data.orders["customer_id"], data.orders["date"])
    open_deals = set(deals.loc[deals["status"] == "open", "customer_id"].astype(str).str.strip())
    erased = [is_erased(c, n) for c, n in zip(ids, customers["name"], strict=True)]
    keep = (
        (latest.isna() | (latest < pd.Timestamp(since))).to_numpy()
        & ~ids.isin(open_deals).to_numpy()
        & ~np.array(erased, dtype=bool)
    )
    found = pd.DataFrame(
        {
            "id": ids[keep].to_numpy(),
            "name": customers["name"][keep].to_numpy(),
            "last_contact": latest[keep].to_numpy(),
        }
    )
    return found.sort_values("last_contact", na_position="first", kind="stable").reset_index(
        drop=True
    )
