"""The SalesFlow ribbon's buttons. Each function takes no arguments: the add-in's one VBA
callback runs ``RunPython "import salesflow_xl.excel.ribbon as r; r.<tag>()"`` with the
button's tag. Each works on the active workbook (the add-in itself is the caller), asks for
what it needs, and reports in a message box — a mistake is a message, never a traceback. It
speaks the workbook's language: prompts, messages and errors alike.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from salesflow_xl.actions import activities, deals, leads, safe_text
from salesflow_xl.actions.changes import Changes
from salesflow_xl.core import i18n
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import _
from salesflow_xl.gateway import run
from salesflow_xl.gateway.excel import ExcelBook

TITLE = "SalesFlow"


def _active_book() -> Any:
    import xlwings as xw  # imported here: on Linux it loads, but there is no Excel to talk to

    return xw.books.active


def _now() -> datetime:
    return datetime.now().replace(second=0, microsecond=0)


ADDIN = "SalesFlow.xlam"


def ask(book: Any, prompt: str, default: str = "") -> str | None:
    """Ask the user for a line of text through the add-in's VBA ``InputBox`` helper (the same
    on Windows and macOS); None when cancelled."""
    reply = book.app.macro(f"'{ADDIN}'!SalesFlowAsk")(prompt, default)
    return None if reply in (None, False, "") else str(reply)


def pick_file(book: Any) -> str | None:
    """Let the user choose a CSV file (the add-in's ``GetOpenFilename`` helper)."""
    reply = book.app.macro(f"'{ADDIN}'!SalesFlowPickFile")()
    return None if reply in (None, False, "", "False") else str(reply)


def tell(book: Any, message: str, critical: bool = False) -> None:
    book.app.alert(message, title=TITLE, mode="critical" if critical else "info")


def button(function: Callable[[ExcelBook], str | None]) -> Callable[[], None]:
    """A ribbon entry point: runs ``function`` on the active workbook, in the workbook's
    language, and shows its message, or the error's message."""

    def entry() -> None:
        book = _active_book()
        excel_book = ExcelBook(book)
        with i18n.use(excel_book.language()):
            try:
                message = function(excel_book)
            except SalesflowError as error:
                tell(book, str(error), critical=True)
                return
            if message:
                tell(book, message)

    # name and document the entry like the function, but keep its own (empty) signature:
    # RunPython calls it with no arguments
    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(entry, attribute, getattr(function, attribute))
    return entry


def _summary(changes: Changes) -> str:
    return "\n".join(changes.summary)


def _act(book: ExcelBook, plan: Callable[[Any], Changes]) -> str:
    """Run a planned action on the workbook and return its summary for the message box, with
    what to do when the Dashboard needs a new layout that Excel cannot take while open."""
    summary = _summary(run(book, plan))
    note = book.relayout_note()
    return f"{summary}\n\n{note}" if note else summary


def _required(answer: str | None) -> str:
    if answer is None or not answer.strip():
        raise SalesflowError(_("cancelled: nothing was changed"))
    return answer.strip()


@button
def advance(book: ExcelBook) -> str:
    """Advance the selected deals to their next stage."""
    ids = book.selected_deal_ids()
    return _act(book, lambda data: deals.advance(data, ids, _now()))


@button
def move_to_stage(book: ExcelBook) -> str:
    """Move the selected deals to a stage the user names."""
    ids = book.selected_deal_ids()
    stage = _required(ask(book.book, _("Move to which stage?")))
    return _act(book, lambda data: deals.move(data, ids, stage, _now()))


@button
def mark_won(book: ExcelBook) -> str:
    """Mark the selected deals won."""
    ids = book.selected_deal_ids()
    return _act(book, lambda data: deals.won(data, ids, _now()))


@button
def mark_lost(book: ExcelBook) -> str:
    """Mark the selected deals lost, asking for the reason from the workbook's list."""
    ids = book.selected_deal_ids()
    reasons = book.read().lists.lost_reasons
    prompt = _("Why was it lost? {reasons}").format(reasons=", ".join(reasons))
    reason = _required(ask(book.book, prompt))
    return _act(book, lambda data: deals.lost(data, ids, reason, _now()))


@button
def reopen(book: ExcelBook) -> str:
    """Reopen the selected won or lost deals into the stage they were closed from."""
    ids = book.selected_deal_ids()
    return _act(book, lambda data: deals.reopen(data, ids, _now()))


@button
def log_activity(book: ExcelBook) -> str:
    """Log an activity on the selected deal, with an optional next follow-up date."""
    ids = book.selected_deal_ids()
    if len(ids) != 1:
        raise SalesflowError(_("select the one deal the activity was about"))
    kinds = book.read().lists.activity_types
    prompt = _("What did you do? {types}").format(types=", ".join(kinds))
    kind = _required(ask(book.book, prompt, kinds[0]))
    note = ask(book.book, _("A note (optional):")) or None
    follow = ask(book.book, _("Next follow-up date, YYYY-MM-DD (optional):"))
    next_date = _date(follow) if follow else None
    return _act(
        book, lambda data: activities.log_activity(data, ids[0], kind, _now(), note, next_date)
    )


@button
def add_lead(book: ExcelBook) -> str:
    """Add a lead: asks for name, company, e-mail and the deal's value."""
    name = _required(ask(book.book, _("Contact name:")))
    company = ask(book.book, _("Company (optional):")) or None
    email = ask(book.book, _("E-mail (optional):")) or None
    value = ask(book.book, _("Expected deal value (optional):"))
    lead = leads.Lead(name=name, company=company, email=email, value=_number(value))
    return _act(book, lambda data: leads.add_lead(data, lead, _now()))


@button
def import_leads(book: ExcelBook) -> str:
    """Import leads from a CSV file the user picks."""
    path = pick_file(book.book)
    if not path:
        raise SalesflowError(_("cancelled: nothing was imported"))
    with open(path, "rb") as handle:
        decoded = safe_text.decode(handle.read(), path)
    rows = leads.parse_csv(decoded.text)
    changes, report = run(
        book, lambda data: leads.import_leads(data, rows, _now()), lambda result: result[0]
    )
    details = report.added[:10] + report.merged[:10] + report.skipped[:10]
    read_as = [note] if (note := decoded.note(pathlib.Path(path).name)) else []
    return _summary(changes) + "".join("\n" + line for line in read_as + details)


@button
def refresh_dashboard(book: ExcelBook) -> str:
    """Bring every figure up to today (a pinned as-of date moves to today; a blank one follows
    the calendar already), refit the predictions and lay the Dashboard and Analytics out anew."""
    return _act(book, lambda data: activities.refresh(data, date.today()))


@button
def show_followups(book: ExcelBook) -> str:
    """List what is due as of the workbook's date."""
    due = activities.followups(book.read())
    if due.empty:
        return _("Nothing is due.")
    lines = [
        f"{row.due:%Y-%m-%d}  {row.deal_id or ''}  {row.what}"
        for row in due.head(20).itertuples(index=False)
    ]
    more = "\n" + _("… and {count} more").format(count=len(due) - 20) if len(due) > 20 else ""
    heading = _("{count} follow-up(s) due:").format(count=len(due))
    return heading + "\n" + "\n".join(lines) + more


def _number(text: str | None) -> float | None:
    """A number typed into an input box (blank: none)."""
    if text is None or not text.strip():
        return None
    try:
        return float(text.strip().replace(",", ""))
    except ValueError as error:
        raise SalesflowError(
            _("{text} is not a number like 3600").format(text=repr(text))
        ) from error


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise SalesflowError(
            _("{text} is not a date like 2026-07-03").format(text=repr(text))
        ) from error


#: The functions a ribbon button may name in its tag.
BUTTONS: dict[str, Callable[[], None]] = {
    f.__name__: f
    for f in (
        advance,
        move_to_stage,
        mark_won,
        mark_lost,
        reopen,
        log_activity,
        add_lead,
        import_leads,
        refresh_dashboard,
        show_followups,
    )
}
