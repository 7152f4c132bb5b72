"""What the two surfaces on a workbook open in Excel share — the classic ribbon's buttons
(:mod:`salesflow_xl.excel.ribbon`) and the xlwings Lite scripts (:mod:`salesflow_xl.lite.scripts`):
the time an action records, running a planned action and saying what it did, the follow-ups
as a message, and turning a user's mistake into a message instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from salesflow_xl.actions import activities
from salesflow_xl.actions.changes import Changes
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import _
from salesflow_xl.gateway.base import run
from salesflow_xl.gateway.excel import ExcelBook

#: The title of the boxes a surface shows.
TITLE = "SalesFlow"
#: At most this many follow-ups are listed in the message.
SHOWN_FOLLOWUPS = 20


class CancelledError(SalesflowError):
    """The user cancelled: nothing was changed. A surface shows its text, when it has one, as
    a quiet note, never as an error."""


def now() -> datetime:
    """The time an action records: this minute."""
    return datetime.now().replace(second=0, microsecond=0)


def summary(changes: Changes) -> str:
    return "\n".join(changes.summary)


def act(book: ExcelBook, plan: Callable[[Any], Changes]) -> str:
    """Run a planned action on the workbook and return its summary for the message, with what
    to do when the Dashboard needs a new layout that Excel cannot take while open."""
    said = summary(run(book, plan))
    note = book.relayout_note()
    return f"{said}\n\n{note}" if note else said


def followups_message(data: SalesData) -> str:
    """What is due as of the workbook's date, one line each (the first
    :data:`SHOWN_FOLLOWUPS`)."""
    due = activities.followups(data)
    if due.empty:
        return _("Nothing is due.")
    lines = [
        f"{row.due:%Y-%m-%d}  {row.deal_id or ''}  {row.what}"
        for row in due.head(SHOWN_FOLLOWUPS).itertuples(index=False)
    ]
    more = ""
    if len(due) > SHOWN_FOLLOWUPS:
        more = "\n" + _("… and {count} more").format(count=len(due) - SHOWN_FOLLOWUPS)
    heading = _("{count} follow-up(s) due:").format(count=len(due))
    return heading + "\n" + "\n".join(lines) + more


def outcome(work: Callable[[], str | None]) -> tuple[str, bool] | None:
    """Run ``work`` and return what to show: (its message, False), or for a mistake (the
    error's message, True); a cancel shows its text, when it has one, as a note. None: nothing
    to show."""
    try:
        message = work()
    except CancelledError as note:
        return (str(note), False) if str(note) else None
    except SalesflowError as error:
        return str(error), True
    return (message, False) if message else None
