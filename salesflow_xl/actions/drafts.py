"""E-mail drafts for the follow-ups due: one message (.eml, RFC 5322, UTF-8) per follow-up, to
the customer, from the Templates sheet's template for the deal's stage.

Which follow-ups: exactly those :func:`salesflow_xl.actions.activities.followups` lists (and
``salesflow followups --json``) for the same as-of date and days. Which template: the first
whose Stage is the deal's stage, else the first without a stage; a follow-up without a deal
takes the one without a stage. Skipped, each with its reason: a follow-up whose customer is
not known, has no usable e-mail address, or, for a marketing template, has not said yes to
marketing (:func:`salesflow_xl.core.consent.given`); and one no template is for.

The message: To the customer (their name and address), From ``sender`` when given (else the
mail program fills it in), Subject and body from the template, Date the ``at`` time, a
Message-ID that names the follow-up, its due day and the workbook (the same run gives the
same IDs), ``X-Unsent: 1`` — the header Outlook reads as "open this as a draft to send"
(mail libraries such as Symfony's DraftEmail write the same; there is no standard header for
it, and Apple Mail and Thunderbird open the file as a received message, from which Send Again
or Edit as New makes the draft) — and a text/plain UTF-8 body. The subject and the names in
the headers are cut to one line (control characters and line breaks become spaces, very long
text is shortened), so nothing typed in a cell can add a header.

File names: "<due> <follow-up ID> <customer name>.eml" (``2026-06-30 D00064 Jonas Dahl.eml``),
with characters Windows or macOS refuse replaced, at most :data:`MAX_NAME_BYTES` bytes, made
unique (case ignored) with " (2)"; the same follow-ups give the same names.
"""

from __future__ import annotations

import email.errors
import email.policy
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

import pandas as pd

from salesflow_xl.actions.calendar import UID_DOMAIN
from salesflow_xl.actions.catalog import money
from salesflow_xl.core import consent, email_text
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.i18n import _
from salesflow_xl.core.model import EmailTemplate

#: The longest subject written (characters); longer text ends in "…".
MAX_HEADER_TEXT = 200
#: The longest name written beside an address (characters).
MAX_NAME_TEXT = 100
#: The longest file name (UTF-8 bytes, ".eml" included): file systems take 255.
MAX_NAME_BYTES = 120
#: Characters Windows or macOS refuse in a file name.
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|]')
#: How a message is written: RFC 5322's CRLF line ends, and header lines folded only past
#: RFC 5322's hard limit of 998 characters — the subject and names are capped well below it —
#: because Python's email package (3.11) folds an address's display name wrongly: a quoted
#: name with a comma came out unquoted, a second recipient.
WRITING = email.policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True, slots=True)
class Draft:
    """One draft e-mail.

    Attributes:
        file_name: the file to write it to ("2026-06-30 D00064 Jonas Dahl.eml").
        followup_id: the follow-up's activity or deal ID.
        customer_id: whose it is.
        template: the name of the template it was made from.
        message: the message itself.
    """

    file_name: str
    followup_id: str
    customer_id: str
    template: str
    message: EmailMessage

    def content(self) -> bytes:
        """The .eml file's bytes (CRLF line ends; headers in ASCII, non-ASCII text encoded as
        RFC 2047 words; the body UTF-8)."""
        return self.message.as_bytes(policy=WRITING)


@dataclass(frozen=True, slots=True)
class Skip:
    """A follow-up no draft was made for.

    Attributes:
        followup_id: the activity or deal ID.
        due: its due day.
        customer: the customer's ID and name as shown ("C0064 Ines Petrov"), or "".
        reason: why, in words.
    """

    followup_id: str
    due: date
    customer: str
    reason: str

    def __str__(self) -> str:
        who = f" {self.customer}" if self.customer else ""
        return f"{self.due:%Y-%m-%d} {self.followup_id}{who}: {self.reason}"


@dataclass(frozen=True, slots=True)
class DraftPlan:
    """The drafts for the follow-ups due, and the follow-ups skipped, both in due order."""

    drafts: tuple[Draft, ...]
    skipped: tuple[Skip, ...]


def sender(text: str) -> Address:
    """The From address ``text`` gives ("me@example.com" or "Ada Park <ada@example.com>");
    refuses anything else with what was expected."""
    expected = _("an e-mail address like me@example.com or 'Ada Park <ada@example.com>'")
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise InvalidArgumentError("--from", text, expected)
    found = getaddresses([text])
    if len(found) != 1 or not found[0][1]:
        raise InvalidArgumentError("--from", text, expected)
    name, address = found[0]
    made = _address(_one_line(name, MAX_NAME_TEXT), address)
    if made is None:
        raise InvalidArgumentError("--from", text, expected)
    return made


def choose(templates: Sequence[EmailTemplate], stage: str | None) -> EmailTemplate | None:
    """The template for a follow-up on a deal in ``stage`` (None: no deal): the first for that
    stage, else the first without a stage."""
    if stage is not None:
        key = " ".join(stage.split()).casefold()
        for template in templates:
            if template.stage is not None and " ".join(template.stage.split()).casefold() == key:
                return template
    return next((t for t in templates if t.stage is None), None)


def plan(
    data: SalesData,
    due: pd.DataFrame,
    templates: Sequence[EmailTemplate],
    workbook: str,
    at: datetime,
    sender: Address | None = None,
) -> DraftPlan:
    """The drafts for the follow-ups ``due`` (as :func:`~salesflow_xl.actions.activities.
    followups` lists them), from ``templates``; ``workbook`` is the workbook file's name (for
    the Message-IDs), ``at`` the messages' Date (with its time zone), ``sender`` their From."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidArgumentError("at", at, _("a time with its time zone"))
    deals = _by_id(data.deals)
    customers = _by_id(data.customers)
    currency = data.settings.currency
    drafts: list[Draft] = []
    skipped: list[Skip] = []
    taken: set[str] = set()
    for row in due.itertuples(index=False):
        record_id = str(row.id)
        day = pd.Timestamp(row.due).date()
        deal = deals.get(row.deal_id, {}) if _given(row.deal_id) else {}
        customer_id = row.customer_id if _given(row.customer_id) else deal.get("customer_id")
        customer = customers.get(customer_id, {}) if _given(customer_id) else {}
        who = " ".join(_one_line(str(v)) for v in (customer_id, customer.get("name")) if _given(v))

        def skip(reason: str, key: str = record_id, day: date = day, who: str = who) -> None:
            skipped.append(Skip(_one_line(key), day, who, reason))

        if not customer:
            skip(_("no customer to write to"))
            continue
        if not _given(customer.get("email")):
            skip(_("the customer has no e-mail address"))
            continue
        stage = str(deal["stage"]) if deal and _given(deal.get("stage")) else None
        template = choose(templates, stage)
        if template is None:
            skip(
                _("no template for the stage {stage} and none without a stage").format(stage=stage)
                if stage
                else _("no template without a stage")
            )
            continue
        if template.marketing and not consent.given(customer.get("consent")):
            skip(
                _(
                    "{template} is a marketing e-mail and the customer has not given marketing "
                    "consent"
                ).format(template=template.name)
            )
            continue
        to = _address(
            _one_line(str(customer.get("name") or ""), MAX_NAME_TEXT), str(customer["email"])
        )
        if to is None:
            skip(
                _("the e-mail address {email} cannot be written to").format(
                    email=_one_line(str(customer["email"]))
                )
            )
            continue
        values = _values(customer, deal, currency, day)
        message = EmailMessage(policy=email.policy.default)
        message["To"] = to
        if sender is not None:
            message["From"] = sender
        message["Subject"] = _one_line(email_text.fill(template.subject, values))
        message["Date"] = at.replace(microsecond=0)
        message["Message-ID"] = message_id(row.source, record_id, day, workbook)
        message["X-Unsent"] = "1"
        message.set_content(_body(email_text.fill(template.body, values)), charset="utf-8")
        name = file_name(day, record_id, str(customer.get("name") or customer_id), taken)
        drafts.append(Draft(name, record_id, str(customer_id), template.name, message))
    return DraftPlan(tuple(drafts), tuple(skipped))


def _values(customer: dict[str, Any], deal: dict[str, Any], currency: str, day: date) -> dict:
    """The placeholders' values for a follow-up: blank where the follow-up has no deal."""
    value = ""
    if deal and _given(deal.get("value")):
        value = f"{currency}{money(float(deal['value']))}"
    return {
        "name": str(customer.get("name") or ""),
        "company": str(customer["company"]) if _given(customer.get("company")) else "",
        "deal": str(deal["title"]) if deal and _given(deal.get("title")) else "",
        "value": value,
        "stage": str(deal["stage"]) if deal and _given(deal.get("stage")) else "",
        "due": day.isoformat(),
    }


def message_id(source: str, record_id: str, day: date, workbook: str) -> str:
    """The draft's Message-ID: "<D00064-followup.20260630.sales@salesflow-xl>" for a deal's
    follow-up due 2026-06-30 in Sales.xlsx ("<A000181.….@…>" for an activity): the same
    follow-up due the same day in the same workbook (its file name) gets the same ID."""
    record = record_id if source == "activity" else f"{record_id}-followup"
    stem = _id_part(PurePath(workbook).stem.lower())
    if len(stem) > 40:  # a long name: its start and a digest, so the ID stays short
        stem = stem[:30] + hashlib.sha1(stem.encode()).hexdigest()[:8]
    return f"<{_id_part(record)}.{day:%Y%m%d}.{stem}@{UID_DOMAIN}>"


def _id_part(text: str) -> str:
    """``text`` as one dot-free part of a Message-ID: letters, digits and "-_~" as they are,
    everything else percent-encoded (UTF-8)."""
    return quote(str(text), safe="-_~") or "_"


def file_name(day: date, record_id: str, customer: str, taken: set[str]) -> str:
    """The draft's file name, "2026-06-30 D00064 Jonas Dahl.eml": the characters Windows and
    macOS refuse replaced by "_", control characters and line breaks by spaces, at most
    :data:`MAX_NAME_BYTES` bytes; " (2)", " (3)" … when ``taken`` (names already given, case
    ignored; the name is added to it) has it."""
    stem = _one_line(_UNSAFE_NAME.sub("_", f"{day:%Y-%m-%d} {record_id} {customer}"), None)
    stem = stem.strip(" .")
    number = 1
    while True:
        tail = f" ({number})" if number > 1 else ""
        name = _cut_bytes(stem, MAX_NAME_BYTES - len(tail.encode()) - 4).rstrip(" .") + tail
        if (name + ".eml").casefold() not in taken:
            taken.add((name + ".eml").casefold())
            return name + ".eml"
        number += 1


def _cut_bytes(text: str, size: int) -> str:
    """``text`` cut to at most ``size`` UTF-8 bytes, never inside a character."""
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


def _one_line(text: str, limit: int | None = MAX_HEADER_TEXT) -> str:
    """``text`` on one line, as a header may hold it: control and format characters, line and
    paragraph separators as spaces, runs of spaces as one; longer than ``limit`` characters:
    cut, ending in "…"."""
    cleaned = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in str(text)
    )
    cleaned = " ".join(cleaned.split())
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned


def _body(text: str) -> str:
    """A body as a text/plain part holds it: line ends as "\\n", control characters other
    than tab and line feed removed, ending in a line end."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    return text.rstrip("\n") + "\n"


def _address(name: str, address: str) -> Address | None:
    """The mailbox ``name <address>``, or None when ``address`` is not one address that can be
    written in a header: one addr-spec, its local part ASCII (a non-ASCII domain is written in
    its ASCII form, IDNA)."""
    address = address.strip()
    if not address or any(c.isspace() or unicodedata.category(c) == "Cc" for c in address):
        return None
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or not local.isascii():
        return None
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    try:
        made = Address(display_name=name, addr_spec=f"{local}@{domain}")
        EmailMessage(policy=email.policy.default)["To"] = made  # parses it: defects raise
    except (ValueError, TypeError, IndexError, email.errors.MessageError):
        return None
    if made.domain != domain or "." not in domain:
        return None
    return made


def _by_id(frame: pd.DataFrame) -> dict[Any, dict[str, Any]]:
    """A table's rows by ID, as dicts (blank cells None)."""
    rows = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    return {row["id"]: row for row in rows}


def _given(value: object) -> bool:
    """Not blank: neither None, NaN nor empty text."""
    return value is not None and value == value and value != ""
