"""The follow-ups as a calendar: an iCalendar file (RFC 5545) that Outlook, Google Calendar and
Apple Calendar import, one all-day event per follow-up, by default those due within
:data:`CALENDAR_DAYS` of the as-of date, overdue ones included. An event's DTEND is the next
day (exclusive); one on 9999-12-31, which has no next day, has none, which RFC 5545 reads as
one day too.

Each event names what to do, the customer and the deal (SUMMARY "Call: Ada Park — House blend
subscription", in the language in effect), and gives the deal, its stage and value, the
customer's company, e-mail and phone, and the activity's note (DESCRIPTION). An overdue
follow-up sits on the as-of date, where it is seen today, and its summary says when it was
due: "(due 2026-05-26)".

Its UID names the record and the workbook, never the day: "A000123.sales@salesflow-xl" for an
activity, "D00064-followup.sales@salesflow-xl" for a deal's next follow-up date (the workbook
file's name, lower case, without its extension, percent-encoded). Importing a newer export
again therefore updates the events it had brought in, a moved follow-up included, instead of
adding them twice. The workbook's part is its file name only, not its folder: two workbooks
named alike (Sales.xlsx in two folders) give the same UIDs, and one's export updates the
events the other's brought in. Its SEQUENCE grows with the export's time (minutes since 2000),
so a calendar that keeps the highest version takes the newer one. A follow-up done or closed
since stays in the calendar: an import adds and updates, it does not delete.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import PurePath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.i18n import _

if TYPE_CHECKING:
    import pandas as pd

    from salesflow_xl.core.dataset import SalesData

# pandas, icalendar and the catalog are imported where used: the command line reads
# CALENDAR_DAYS for its help, which must load no pandas

#: The calendar's horizon: what falls due within two weeks of the as-of date (the ribbon's
#: Follow-ups to calendar, and ``salesflow followups --json`` and ``--ics`` by default).
CALENDAR_DAYS = 14
PRODID = "-//SalesFlow XL//EN"
#: The domain-like part after "@" of every UID.
UID_DOMAIN = "salesflow-xl"
#: SEQUENCE counts the minutes from this moment to the export's.
SEQUENCE_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
#: A record as a dict: column → value (blank None).
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One follow-up as a calendar event.

    Attributes:
        uid: stable across exports: the record's ID and the workbook's (:func:`uid`).
        day: the all-day event's date: the due date, or the as-of date when it is overdue.
        due: the follow-up's own due date.
        summary: one line: what to do, the customer and the deal.
        description: the details, one per line.
    """

    uid: str
    day: date
    due: date
    summary: str
    description: str


def uid(source: str, record_id: str, workbook: str) -> str:
    """The UID of an activity's (``source`` "activity") or a deal's follow-up ("deal") event:
    "A000123.sales@salesflow-xl", "D00064-followup.sales@salesflow-xl"; ``workbook`` is the
    workbook file's name ("Sales.xlsx")."""
    record = record_id if source == "activity" else f"{record_id}-followup"
    stem = PurePath(workbook).stem
    return f"{_safe(record)}.{_safe(stem.lower())}@{UID_DOMAIN}"


def _safe(text: str) -> str:
    """``text`` with only letters, digits and "-._~" left as they are, the rest
    percent-encoded (UTF-8): distinct texts stay distinct, and no "@" is left."""
    return quote(str(text), safe="-._~")


def events(data: SalesData, due: pd.DataFrame, as_of: date, workbook: str) -> list[CalendarEvent]:
    """The follow-ups ``due`` (as :func:`salesflow_xl.actions.activities.followups` lists them
    for ``as_of``) as calendar events, in the same order; ``workbook`` is the workbook file's
    name, for the UIDs."""
    import pandas as pd

    activities = _by_id(data.activities, due["id"])
    deals = _by_id(data.deals, due["deal_id"])
    of_deals = pd.Series([deal["customer_id"] for deal in deals.values()], dtype=object)
    customers = _by_id(data.customers, pd.concat([due["customer_id"], of_deals]))
    currency = data.settings.currency
    found = []
    for row in due.itertuples(index=False):
        activity = activities.get(row.id, {}) if row.source == "activity" else {}
        deal = deals.get(row.deal_id, {}) if _given(row.deal_id) else {}
        customer_id = row.customer_id if _given(row.customer_id) else deal.get("customer_id")
        customer = customers.get(customer_id, {}) if _given(customer_id) else {}
        what = activity.get("type") if row.source == "activity" else None
        due_day = pd.Timestamp(row.due).date()
        summary = _summary(str(what) if _given(what) else _("Follow up"), customer, deal)
        if due_day < as_of:
            summary = _("{summary} (due {day})").format(summary=summary, day=due_day)
        lines = _details(activity, deal, customer, currency, due_day)
        found.append(
            CalendarEvent(
                uid=uid(row.source, row.id, workbook),
                day=max(due_day, as_of),
                due=due_day,
                summary=summary,
                description="\n".join(lines),
            )
        )
    return found


def _summary(what: str, customer: Row, deal: Row) -> str:
    """The summary on one line: "Call: Ada Park — House blend subscription"."""
    parts = [str(p) for p in (customer.get("name"), deal.get("title")) if _given(p)]
    subject = " — ".join(parts)
    text = _("{what}: {subject}").format(what=what, subject=subject) if subject else what
    return " ".join(text.split())  # a line break in a name would end the line


def _details(activity: Row, deal: Row, customer: Row, currency: str, due_day: date) -> list[str]:
    """The description's lines: the deal, its stage and value, the customer and how to reach
    them, the activity and its note, the due date."""
    from salesflow_xl.actions.catalog import money

    lines = []
    if deal:
        lines.append(_("Deal: {deal} {title}").format(deal=deal["id"], title=deal["title"]))
        lines.append(_("Stage: {stage}").format(stage=deal["stage"]))
        if _given(deal.get("value")):
            value = f"{currency}{money(float(deal['value']))}"
            lines.append(_("Value: {value}").format(value=value))
    if customer:
        name = str(customer["name"])
        if _given(customer.get("company")) and customer["company"] != name:
            name = _("{customer}, {company}").format(customer=name, company=customer["company"])
        lines.append(_("Customer: {customer}").format(customer=name))
        if _given(customer.get("email")):
            lines.append(_("E-mail: {email}").format(email=customer["email"]))
        if _given(customer.get("phone")):
            lines.append(_("Phone: {phone}").format(phone=customer["phone"]))
    if activity:
        lines.append(_("Activity: {activity}").format(activity=activity["id"]))
        if _given(activity.get("note")):
            note = str(activity["note"]).replace("\r\n", "\n").replace("\r", "\n")
            lines.append(_("Note: {note}").format(note=note))
    lines.append(_("Due: {day}").format(day=due_day))
    return lines


def ics(found: Iterable[CalendarEvent], stamp: datetime) -> bytes:
    """The iCalendar file (RFC 5545, UTF-8, CRLF, long lines folded) holding ``found``.

    ``stamp`` is the export's time, with its time zone: every event's DTSTAMP, and its
    SEQUENCE in minutes since 2000-01-01 UTC, so a later export is a newer version of the same
    events. The same events and stamp give the same bytes (the CLI's ``--at`` fixes it).
    Without follow-ups the calendar holds no event, and importing it changes nothing."""
    from icalendar import Calendar, Event

    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise InvalidArgumentError("stamp", stamp, _("a time with its time zone"))
    stamp = stamp.astimezone(UTC).replace(microsecond=0)
    sequence = max(0, int((stamp - SEQUENCE_EPOCH).total_seconds() // 60))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("SalesFlow follow-ups"))
    for item in found:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("sequence", sequence)
        event.add("dtstart", item.day)
        if item.day < date.max:  # 9999-12-31 has no next day: no DTEND is one day too
            event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("transp", "TRANSPARENT")  # a reminder, not a busy day
        calendar.add_component(event)
    return calendar.to_ical()


def records(due: pd.DataFrame, found: list[CalendarEvent]) -> list[dict[str, object]]:
    """The follow-ups ``due`` and their ``events`` as JSON-ready rows: ``due``'s columns
    (dates as "2026-06-30"), then the event's ``day``, ``uid`` and ``summary``."""
    rows = []
    for row, event in zip(due.to_dict(orient="records"), found, strict=True):
        rows.append(
            {
                "source": row["source"],
                "id": row["id"],
                "deal_id": row["deal_id"] if _given(row["deal_id"]) else None,
                "customer_id": row["customer_id"] if _given(row["customer_id"]) else None,
                "what": row["what"],
                "due": event.due.isoformat(),
                "days_overdue": int(row["days_overdue"]),
                "day": event.day.isoformat(),
                "uid": event.uid,
                "summary": event.summary,
            }
        )
    return rows


def _by_id(frame: pd.DataFrame, ids: pd.Series) -> dict[str, Row]:
    """The rows of a table whose ID is among ``ids``, by ID, as dicts (blank cells None)."""
    frame = frame[frame["id"].isin(ids.dropna())]
    rows = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    return {row["id"]: row for row in rows}


def _given(value: object) -> bool:
    """Not blank: neither None, NaN nor empty text."""
    return value is not None and value == value and value != ""
