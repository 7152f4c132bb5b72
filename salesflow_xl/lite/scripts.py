"""The SalesFlow ribbon's actions as xlwings Lite scripts: one ``@script`` per action, whose
arguments after the workbook App Mode shows as a form (text boxes, a date picker). The
workbook's ``main.py`` registers them with ``from salesflow_xl.lite.scripts import *``.

Each plans through the same :mod:`salesflow_xl.actions` function as the ribbon's button and the
command line, and runs it through :func:`~salesflow_xl.gateway.base.run` (read, plan, check,
write) on a :class:`~salesflow_xl.gateway.lite.LiteBook`. Blank deal IDs mean the rows
selected on the Deals sheet. A mistake (an unknown stage or deal, nothing selected) is a
message, never a traceback: printed (Lite's output pane) and queued as a message box, in the
workbook's language; nothing is written then.

xlwings finds the workbook parameter by its type hint, resolved at run time: so ``xlwings`` is
imported here at module level (this module postpones its annotations).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

import xlwings as xw
from xlwings import script

from salesflow_xl.actions import activities, deals, leads
from salesflow_xl.actions.changes import Changes
from salesflow_xl.core import i18n
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import _
from salesflow_xl.gateway import live
from salesflow_xl.gateway.lite import LiteBook

__all__ = [
    "add_lead",
    "advance",
    "log_activity",
    "mark_lost",
    "mark_won",
    "move_to_stage",
    "refresh_dashboard",
    "reopen",
    "show_followups",
]


def _now() -> datetime:
    """The time an action records (a test pins it)."""
    return live.now()


def _today() -> date:
    """The day a refresh brings the figures up to (a test pins it)."""
    return date.today()


def _report(book: xw.Book, work: Callable[[LiteBook], str | None]) -> None:
    """Run ``work`` on ``book`` in the workbook's language; print what it says, or the
    mistake's message, and show it in a message box (queued: Lite shows it after the script)."""
    lite = LiteBook(book)
    with i18n.use(lite.language()):
        shown = live.outcome(lambda: work(lite))
    if shown is None:
        return
    message, critical = shown
    print(message)
    book.app.alert(message, title=live.TITLE, mode="critical" if critical else "info")


def _ids(book: LiteBook, deal_ids: str) -> list[str]:
    """The deal IDs typed (separated by commas, semicolons or spaces); none typed: the deals
    of the rows selected on the Deals sheet."""
    typed = [i for i in re.split(r"[\s,;，；、]+", deal_ids or "") if i]
    return list(dict.fromkeys(typed)) or book.selected_deal_ids()


def _on_deals(
    book: xw.Book, deal_ids: str, plan: Callable[[SalesData, list[str]], Changes]
) -> None:
    """Run ``plan(data, ids)`` on the deals typed in ``deal_ids`` (blank: the rows selected on
    the Deals sheet) and report what it did."""

    def work(lite: LiteBook) -> str:
        ids = _ids(lite, deal_ids)
        return live.act(lite, lambda data: plan(data, ids))

    _report(book, work)


def _text(value: str | None) -> str | None:
    """A form's text, None when blank."""
    return value.strip() if value and value.strip() else None


@script
def advance(book: xw.Book, deal_ids: str = "") -> None:
    """Advance deals to their next stage (from the last open stage: won). Deal IDs such as
    D00016, D00045; blank: the rows selected on the Deals sheet."""
    _on_deals(book, deal_ids, lambda data, ids: deals.advance(data, ids, _now()))


@script
def move_to_stage(book: xw.Book, stage: str, deal_ids: str = "") -> None:
    """Move deals to a stage of the workbook's pipeline, forward or back. Deal IDs blank: the
    rows selected on the Deals sheet."""
    _on_deals(book, deal_ids, lambda data, ids: deals.move(data, ids, stage.strip(), _now()))


@script
def mark_won(book: xw.Book, deal_ids: str = "") -> None:
    """Mark deals won. Deal IDs blank: the rows selected on the Deals sheet."""
    _on_deals(book, deal_ids, lambda data, ids: deals.won(data, ids, _now()))


@script
def mark_lost(book: xw.Book, reason: str, deal_ids: str = "") -> None:
    """Mark deals lost, with a reason from the workbook's Lists sheet (a new workbook's: Price,
    Timing, Competitor, No budget, No response, Not a fit). Deal IDs blank: the rows selected
    on the Deals sheet."""
    _on_deals(book, deal_ids, lambda data, ids: deals.lost(data, ids, reason.strip(), _now()))


@script
def reopen(book: xw.Book, deal_ids: str = "") -> None:
    """Reopen won or lost deals into the stage they were closed from. Deal IDs blank: the rows
    selected on the Deals sheet."""
    _on_deals(book, deal_ids, lambda data, ids: deals.reopen(data, ids, _now()))


@script
def log_activity(
    book: xw.Book,
    kind: str,
    note: str = "",
    next_followup: date | None = None,
    deal_id: str = "",
) -> None:
    """Log an activity done on a deal (a type from the Lists sheet: Call, E-mail, Meeting …),
    with an optional note and next follow-up date; it resets the deal's rotting clock. Deal ID
    blank: the one row selected on the Deals sheet."""

    def work(lite: LiteBook) -> str:
        ids = _ids(lite, deal_id)
        if len(ids) != 1:
            raise SalesflowError(_("select the one deal the activity was about"))
        return live.act(
            lite,
            lambda data: activities.log_activity(
                data, ids[0], kind.strip(), _now(), _text(note), next_followup
            ),
        )

    _report(book, work)


@script
def add_lead(
    book: xw.Book, name: str, company: str = "", email: str = "", value: float | None = None
) -> None:
    """Add a lead: a customer and a deal in the first stage (or a merge into the customer with
    the same e-mail, or name and company)."""

    def work(lite: LiteBook) -> str:
        lead = leads.Lead(name=_text(name), company=_text(company), email=_text(email), value=value)
        return live.act(lite, lambda data: leads.add_lead(data, lead, _now()))

    _report(book, work)


@script
def refresh_dashboard(book: xw.Book) -> None:
    """Bring every figure up to today (a pinned as-of date moves to today; a blank one follows
    the calendar already), refit the customer predictions and make the Dashboard's revenue
    forecast anew."""
    _report(book, lambda lite: live.act(lite, lambda data: activities.refresh(data, _today())))


@script
def show_followups(book: xw.Book) -> None:
    """List the follow-ups due as of the workbook's date."""
    _report(book, lambda lite: live.followups_message(lite.read()))
