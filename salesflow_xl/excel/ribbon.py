"""The SalesFlow ribbon's buttons. Each function takes no arguments: the add-in's one VBA
callback runs ``RunPython "import salesflow_xl.excel.ribbon as r; r.<tag>()"`` with the
button's tag. Each works on the active workbook (the add-in itself is the caller), asks for
what it needs, and reports in a message box — a mistake is a message, never a traceback. It
speaks the workbook's language: prompts, messages and errors alike.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from salesflow_xl.actions import (
    activities,
    catalog,
    deals,
    erasure,
    leads,
    privacy,
    record_import,
)
from salesflow_xl.actions import calendar as ical
from salesflow_xl.actions.calendar import CALENDAR_DAYS
from salesflow_xl.actions.import_sources import SourceTable
from salesflow_xl.actions.privacy import Entry
from salesflow_xl.core import i18n
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import N_, _
from salesflow_xl.core.json_text import strict_json
from salesflow_xl.core.model import Pipeline
from salesflow_xl.gateway import customer_export as privacy_export
from salesflow_xl.gateway import drafts as email_drafts
from salesflow_xl.gateway import run
from salesflow_xl.gateway.excel import ExcelBook
from salesflow_xl.gateway.import_source import read_source
from salesflow_xl.gateway.live import (
    TITLE,
    CancelledError,
    act,
    followups_message,
    now,
    outcome,
    summary,
)


def _active_book() -> Any:
    import xlwings as xw  # imported here: on Linux it loads, but there is no Excel to talk to

    return xw.books.active


def _now() -> datetime:
    return now()


ADDIN = "SalesFlow.xlam"


def ask(book: Any, prompt: str, default: str = "") -> str | None:
    """Ask the user for a line of text through the add-in's VBA ``InputBox`` helper (the same
    on Windows and macOS); None when cancelled."""
    reply = book.app.macro(f"'{ADDIN}'!SalesFlowAsk")(prompt, default)
    return None if reply in (None, False, "") else str(reply)


def pick_file(book: Any, file_filter: str, title: str) -> str | None:
    """Let the user choose a file (the add-in's ``GetOpenFilename`` helper; ``file_filter`` in
    its "Description (*.csv),*.csv,…" form); None when cancelled."""
    reply = book.app.macro(f"'{ADDIN}'!SalesFlowPickFile")(file_filter, title)
    return None if reply in (None, False, "", "False") else str(reply)


def pick_save_file(book: Any, initial_name: str, file_filter: str, title: str) -> str | None:
    """Let the user choose where to save a file (the add-in's ``GetSaveAsFilename`` helper;
    ``initial_name`` the suggested name, a folder may lead it; ``file_filter`` as for
    :func:`pick_file`); None when cancelled."""
    reply = book.app.macro(f"'{ADDIN}'!SalesFlowPickSaveFile")(initial_name, file_filter, title)
    return None if reply in (None, False, "", "False") else str(reply)


def tell(book: Any, message: str, critical: bool = False) -> None:
    book.app.alert(message, title=TITLE, mode="critical" if critical else "info")


def confirm(book: Any, message: str) -> bool:
    """Ask a yes/no question in a message box (xlwings' ``alert``, on Windows and macOS)."""
    return book.app.alert(message, title=TITLE, buttons="yes_no", mode="info") == "yes"


def choose(book: Any, message: str) -> bool:
    """Ask a yes/no question that may be cancelled (Yes is the box's default button): True for
    Yes, False for No; raises :class:`CancelledError` on Cancel or when the box is closed."""
    reply = book.app.alert(message, title=TITLE, buttons="yes_no_cancel", mode="info")
    if reply not in ("yes", "no"):
        raise CancelledError()
    return reply == "yes"


def button(function: Callable[[ExcelBook], str | None]) -> Callable[[], None]:
    """A ribbon entry point: runs ``function`` on the active workbook, in the workbook's
    language, and shows its message, or the error's message."""

    def entry() -> None:
        book = _active_book()
        excel_book = ExcelBook(book)
        with i18n.use(excel_book.language()):
            shown = outcome(lambda: function(excel_book))
            if shown is not None:
                message, critical = shown
                tell(book, message, critical)

    # name and document the entry like the function, but keep its own (empty) signature:
    # RunPython calls it with no arguments
    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(entry, attribute, getattr(function, attribute))
    return entry


def _required(answer: str | None) -> str:
    if answer is None or not answer.strip():
        raise CancelledError(_("cancelled: nothing was changed"))
    return answer.strip()


@button
def advance(book: ExcelBook) -> str:
    """Advance the selected deals to their next stage."""
    ids = book.selected_deal_ids()
    return act(book, lambda data: deals.advance(data, ids, _now()))


@button
def move_to_stage(book: ExcelBook) -> str:
    """Move the selected deals to a stage the user names."""
    ids = book.selected_deal_ids()
    stage = _required(ask(book.book, _("Move to which stage?")))
    return act(book, lambda data: deals.move(data, ids, stage, _now()))


@button
def mark_won(book: ExcelBook) -> str:
    """Mark the selected deals won."""
    ids = book.selected_deal_ids()
    return act(book, lambda data: deals.won(data, ids, _now()))


@button
def mark_lost(book: ExcelBook) -> str:
    """Mark the selected deals lost, asking for the reason from the workbook's list."""
    ids = book.selected_deal_ids()
    reasons = book.read().lists.lost_reasons
    prompt = _("Why was it lost? {reasons}").format(reasons=", ".join(reasons))
    reason = _required(ask(book.book, prompt))
    return act(book, lambda data: deals.lost(data, ids, reason, _now()))


@button
def reopen(book: ExcelBook) -> str:
    """Reopen the selected won or lost deals into the stage they were closed from."""
    ids = book.selected_deal_ids()
    return act(book, lambda data: deals.reopen(data, ids, _now()))


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
    return act(
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
    return act(book, lambda data: leads.add_lead(data, lead, _now()))


@button
def import_file(book: ExcelBook) -> str:
    """Import leads, contacts, deals or activities from a CSV file or a sheet of an Excel
    workbook the user picks, as ``salesflow import`` does (a file of people: asks whether they
    are customers only, ``--kind contacts``, or leads with a deal each): shows what the import
    would do (the dry run) and writes it, all or nothing, only when the user says Yes."""
    path = pick_file(book.book, _import_filter(), _("Import leads, contacts, deals or activities"))
    if not path:
        raise CancelledError()
    source = pathlib.Path(path)
    try:
        content = source.read_bytes()
    except OSError as error:
        raise SalesflowError(
            _("cannot read {source}: {error}").format(source=source.name, error=error.strerror)
        ) from error
    table, columns = _read_import(book, content, source.name)
    at = _now()

    def plan(data: SalesData) -> record_import.Plan:
        planned = record_import.plan_import(data, table.rows, columns, at, table.where)
        unmapped = getattr(planned.report, "unmapped", {})
        if unmapped:
            stage_map = _ask_stages(book, data.pipeline, unmapped)
            if stage_map:
                planned = record_import.plan_import(
                    data, table.rows, columns, at, table.where, stage_map
                )
        if planned.changes.empty:
            return planned
        details = _dry_run(book, planned, table, source)
        question = _("Import these into {workbook}?").format(workbook=book.source)
        if not confirm(book.book, details + "\n\n" + question):
            raise CancelledError()  # nothing is written: the gateway writes after the plan
        return planned

    planned = run(book, plan, lambda result: result.changes)
    if planned.changes.empty:
        nothing = _("Nothing to import: the workbook is unchanged.")
        return _dry_run(book, planned, table, source) + "\n\n" + nothing
    said = summary(planned.changes)
    note = book.relayout_note()
    return f"{said}\n\n{note}" if note else said


#: How many skipped rows, sheets and unmapped stages the ribbon's boxes list.
SHOWN_SKIPPED = 5
SHOWN_SHEETS = 15
ASKED_STAGES = 10


def _import_filter() -> str:
    """The file dialog's filter: CSV files and workbooks, either, or any file."""

    return ",".join(
        [
            _filter_entry(_("CSV files and Excel workbooks"), "*.csv;*.xlsx;*.xlsm"),
            _filter_entry(_("CSV files"), "*.csv"),
            _filter_entry(_("Excel workbooks"), "*.xlsx;*.xlsm"),
            _filter_entry(_("All files"), "*.*"),
        ]
    )


def _filter_entry(description: str, patterns: str) -> str:
    """One entry of a file dialog's filter: "Description (*.csv),*.csv"."""
    # commas separate the filter's entries: a description may have none
    return f"{description.replace(',', ' ')} ({patterns}),{patterns}"


def _read_import(
    book: ExcelBook, content: bytes, filename: str
) -> tuple[SourceTable, record_import.ColumnMap]:
    """The rows of the import file and how its columns were read. A workbook with several
    sheets: the user is asked which (the first by default). People (a file that is neither
    deals nor activities): the user is asked whether they are contacts, customers only (the
    default), or leads, each with a deal."""
    columns = record_import.ColumnReader(None)
    refused: list[SalesflowError] = []

    def first_read(header: list[str]) -> Mapping[str, int]:
        # the first read also tells a workbook's sheets: a header another sheet may not
        # have is no reason to stop before the user has chosen
        try:
            return columns(header)
        except SalesflowError as error:
            refused.append(error)
            return {}

    table = read_source(content, filename, first_read)
    sheet: str | None = None
    if len(table.sheets) > 1:
        sheet = _which_sheet(book, filename, table.sheets)
        columns = record_import.ColumnReader(None)
        table = read_source(content, filename, columns, sheet=sheet)
    elif refused:
        table = read_source(content, filename, columns)  # raises as the CLI would
    assert columns.map is not None  # the reader read the header
    if columns.map.kind == "leads" and _customers_only(book, table):
        # the header never tells contacts from leads: read it as contacts' (no deal columns)
        columns = record_import.ColumnReader("contacts")
        table = read_source(content, filename, columns, sheet=sheet)
        assert columns.map is not None
    return table, columns.map


def _customers_only(book: ExcelBook, table: SourceTable) -> bool:
    """Whether the people of ``table`` are imported as customers only (contacts: Yes, the
    default) or as leads, each with a deal in the first stage (No); Cancel imports nothing."""
    question = _(
        "{where} lists people ({rows} row(s)). Import them as customers only?\n\n"
        "Yes: customers only (contacts).\n"
        "No: leads, each also with a new deal in the pipeline's first stage.\n"
        "Cancel: import nothing."
    ).format(where=table.where, rows=f"{len(table.rows):,}")
    return choose(book.book, question)


def _which_sheet(book: ExcelBook, filename: str, sheets: Sequence[str]) -> str:
    """The sheet the user names (or numbers) of a workbook's ``sheets``."""
    listed = "\n".join(f"{n}. {name}" for n, name in enumerate(sheets[:SHOWN_SHEETS], 1))
    if len(sheets) > SHOWN_SHEETS:
        listed += "\n" + _("… and {count} more").format(count=len(sheets) - SHOWN_SHEETS)
    prompt = _("{source} has {count} sheets:\n{sheets}\nImport which one? (its name or number)")
    answer = ask(
        book.book, prompt.format(source=filename, count=len(sheets), sheets=listed), sheets[0]
    )
    if answer is None or not answer.strip():
        raise CancelledError()
    answer = answer.strip()
    if answer not in sheets and answer.isdigit() and 1 <= int(answer) <= len(sheets):
        return sheets[int(answer) - 1]
    return answer


def _ask_stages(book: ExcelBook, pipeline: Pipeline, unmapped: Mapping[str, int]) -> dict[str, str]:
    """Source stage → workbook stage, as the user answers for each stage of a deals file that
    is none of the workbook's (blank: its rows stay skipped)."""
    names = pipeline.names
    listed = "\n".join(f"{n}. {name}" for n, name in enumerate(names, 1))
    mapped: dict[str, str] = {}
    for stage, count in list(unmapped.items())[:ASKED_STAGES]:
        if not stage.strip():
            continue
        question = _(
            "Stage {stage} of the file ({count} row(s)) is not one of the workbook's stages. "
            "Which stage is it?\n{stages}\nType its name or number; leave it blank to skip "
            "these rows."
        ).format(stage=repr(stage), count=count, stages=listed)
        prompt = question
        while (answer := ask(book.book, prompt)) is not None and answer.strip():
            answer = answer.strip()
            if answer.isdigit() and 1 <= int(answer) <= len(names):
                answer = names[int(answer) - 1]
            found = pipeline.find(answer)
            if found is not None:
                mapped[stage] = found.name
                break
            wrong = _("{answer} is not one of the workbook's stages.").format(answer=repr(answer))
            prompt = wrong + "\n\n" + question
    return mapped


def _dry_run(
    book: ExcelBook, planned: record_import.Plan, table: SourceTable, source: pathlib.Path
) -> str:
    """What the import would do, as ``salesflow import --dry-run`` says it: what the file was
    read as, each column's field, how many rows would be added, merged and skipped, the first
    skipped rows and the stages no workbook stage took."""
    kinds = {
        "leads": _("leads"),
        "contacts": _("contacts"),
        "deals": _("deals"),
        "activities": _("activities"),
    }
    columns, report = planned.columns, planned.report
    lines = [
        _("{where}: {rows} row(s), read as {kind}.").format(
            where=table.where, rows=f"{len(table.rows):,}", kind=kinds[columns.kind]
        )
    ]
    lines += [
        "  " + _("{field} ← {column}").format(field=f, column=c) for f, c in columns.fields.items()
    ]
    if columns.ignored:
        ignored = ", ".join(columns.ignored)
        lines.append("  " + _("Recognised, not imported: {columns}").format(columns=ignored))
    if columns.unused:
        unused = ", ".join(columns.unused)
        lines.append("  " + _("Not read: {columns}").format(columns=unused))
    lines.append("")
    lines.append(
        _(
            "Of {rows} row(s), {added} would be added, {merged} merged with what the workbook "
            "has and {skipped} skipped."
        ).format(
            rows=f"{len(table.rows):,}",
            added=f"{len(report.added):,}",
            merged=f"{len(report.merged):,}",
            skipped=f"{len(report.skipped):,}",
        )
    )
    # every line of the plan's summary but its count, said above: a deals file's currency note
    # may come first
    count = _count_line(planned, len(table.rows))
    said = list(planned.changes.summary)
    counted = next((line for line in said if count.fullmatch(line)), None)
    if counted is not None:
        said.remove(counted)
    lines += said
    for line in report.skipped[:SHOWN_SKIPPED]:
        lines.append("  " + _("{title}: {line}").format(title=_("Skipped"), line=line))
    if len(report.skipped) > SHOWN_SKIPPED:
        more = len(report.skipped) - SHOWN_SKIPPED
        lines.append("  " + _("… and {count} more").format(count=f"{more:,}"))
    unmapped = getattr(report, "unmapped", {})
    for stage, count in unmapped.items():
        lines.append(
            "  "
            + _(
                'Stage {stage} ({count} row(s)) is not mapped: --stage-map "{stage_name}=STAGE"'
            ).format(stage=repr(stage), count=count, stage_name=stage)
        )
    if unmapped:
        workbook = getattr(book.book, "fullname", None) or book.source
        maps = " ".join(f'--stage-map "{stage}=STAGE"' for stage in unmapped)
        command = f'salesflow import "{workbook}" "{source}" {maps}'
        lines.append(
            _(
                "To map them from the command line, answer No, save and close the workbook "
                "and run:\n    {command}"
            ).format(command=command)
        )
    if table.note:
        lines.append(table.note)
    return "\n".join(lines)


#: The line an import's summary counts its rows with, per kind, as
#: :mod:`~salesflow_xl.actions.record_import` says it: the dry run says its own instead.
COUNT_LINES: dict[record_import.Kind, str] = {
    "leads": N_("Imported {rows} row(s): {added} added, {merged} merged, {skipped} skipped."),
    "contacts": N_("Imported {rows} row(s): {added} added, {merged} merged, {skipped} skipped."),
    "deals": N_(
        "Imported {rows} row(s) of deals: {added} added, {duplicates} already there, "
        "{skipped} skipped; {customers} new customer(s)."
    ),
    "activities": N_("Imported {rows} row(s) of activities: {added} added, {skipped} skipped."),
}


def _count_line(planned: record_import.Plan, rows: int) -> re.Pattern[str]:
    """The summary's count line of ``planned`` (:data:`COUNT_LINES`, in the language in
    effect), known by the report's numbers: any other line, a currency note first among them,
    is not it. A number the report does not hold (new customers) may be any."""
    report = planned.report
    numbers = {
        "rows": rows,
        "added": len(report.added),
        "merged": len(report.merged),
        "duplicates": len(report.merged),
        "skipped": len(report.skipped),
    }
    parts = re.split(r"\{(\w+)\}", _(COUNT_LINES[planned.columns.kind]))
    # re.split with a group: the text between the placeholders, then each placeholder's name
    pattern = "".join(
        re.escape(part) if n % 2 == 0 else _number_pattern(numbers.get(part))
        for n, part in enumerate(parts)
    )
    return re.compile(pattern)


def _number_pattern(number: int | None) -> str:
    """A count as a summary may write it ("1234" or "1,234"); None: any count."""
    if number is None:
        return r"\d[\d,]*"
    return "(?:" + "|".join(re.escape(f) for f in dict.fromkeys((f"{number}", f"{number:,}"))) + ")"


@button
def refresh_dashboard(book: ExcelBook) -> str:
    """Bring every figure up to today (a pinned as-of date moves to today; a blank one follows
    the calendar already), refit the predictions, check the Dashboard and Analytics are laid
    out for the data and make the Dashboard's revenue forecast anew."""
    return act(book, lambda data: activities.refresh(data, date.today()))


@button
def show_followups(book: ExcelBook) -> str:
    """List what is due as of the workbook's date."""
    return followups_message(book.read())


@button
def followups_calendar(book: ExcelBook) -> str:
    """Save the follow-ups due within two weeks (overdue ones included) as a calendar file for
    Outlook, Google Calendar or Apple Calendar, as ``salesflow followups --ics`` writes it:
    asks where, "<workbook> follow-ups.ics" beside the workbook by default. Nothing due:
    says so and asks nothing."""
    data = book.read()
    day = data.settings.as_of
    due = activities.followups(data, day, CALENDAR_DAYS)
    until = activities.followups_until(day, CALENDAR_DAYS)
    if due.empty:
        return _("No follow-ups are due by {day}: no calendar file was written.").format(day=until)
    path = _save_path(
        book,
        _("{workbook} follow-ups").format(workbook=pathlib.PurePath(book.source).stem),
        ".ics",
        _filter_entry(_("Calendar files"), "*.ics"),
        _("Save the follow-ups as a calendar file"),
    )
    # the UIDs name the workbook's file, as the command line's do: either file updates the
    # events the other brought into the calendar
    events = ical.events(data, due, day, book.source)
    _write_file(path, ical.ics(events, datetime.now().astimezone()))
    return _(
        "Wrote {count} follow-up(s) due by {day} to {path}. Import it into Outlook, Google "
        "Calendar or Apple Calendar; importing a newer file again updates its events."
    ).format(count=len(events), day=until, path=path)


#: At most this many skipped follow-ups are named in the message box.
SHOWN_SKIPS = 10


@button
def draft_followups(book: ExcelBook) -> str:
    """Write a draft e-mail to the customer of each follow-up due by the workbook's as-of date
    (overdue ones included), as ``salesflow drafts`` writes them: into the folder "<workbook>
    drafts" beside the workbook (made when missing), one .eml file each, which Outlook opens
    as a draft to send. Says how many, where, and which follow-ups were skipped and why."""
    parent = _workbook_folder(book)
    if parent is None:
        raise SalesflowError(
            _("Save the workbook first: the drafts are written into a folder beside it.")
        )
    data = book.read()
    day = data.settings.as_of
    until = activities.followups_until(day, 0)
    found = email_drafts.excel_templates(book, data.pipeline)
    planned = email_drafts.drafts(data, found, book.source, day, 0, _now().astimezone())
    if not planned.drafts and not planned.skipped:
        return _("No follow-ups are due by {day}: no drafts were written.").format(day=until)
    folder = parent / _file_name(
        _("{workbook} drafts").format(workbook=pathlib.PurePath(book.source).stem)
    )
    written = email_drafts.write(folder, planned)
    lines = [
        _(
            "Wrote {count} draft e-mail(s) for the follow-ups due by {day} to {folder}. Open "
            "one in your mail program to check and send it."
        ).format(count=len(written), day=until, folder=folder)
    ]
    if planned.skipped:
        lines.append(_("Skipped {count} follow-up(s):").format(count=len(planned.skipped)))
        lines += [str(skip) for skip in planned.skipped[:SHOWN_SKIPS]]
        if len(planned.skipped) > SHOWN_SKIPS:
            more = len(planned.skipped) - SHOWN_SKIPS
            lines.append(_("… and {count} more").format(count=more))
    if not found.from_sheet:
        lines.append(email_drafts.no_sheet_note())
    return "\n".join(lines)


#: Orders counted in words, one and several, as :data:`catalog.RECORDS` counts the other tables.
ORDERS_COUNTED = (N_("{count} order"), N_("{count} orders"))


@button
def export_customer(book: ExcelBook) -> str:
    """Save everything the workbook holds about one customer as a JSON file, as
    ``salesflow export-customer --json`` prints it (an answer to a data-subject access
    request): the customer of the selected row on the Customers sheet, or of the selected deal
    on the Deals sheet; with neither selected, asks for a customer ID or e-mail address. Asks
    where to save, "<customer ID> export.json" beside the workbook by default."""
    snapshot = privacy_export.check(book.snapshot(), book.source)
    key = _chosen_customer(
        book,
        snapshot,
        N_("select the row of the one to export"),
        N_(
            "Export which customer? Type a customer ID (like C0042) or an e-mail address.\n"
            "(Or select the customer's row, or one of their deals, and click Export customer.)"
        ),
    )
    export = privacy_export.customer_export(snapshot, key)
    record = _dates_as_in_file(export.record)
    customer, name = record.customer_id, record.customer.record.name
    path = _save_path(
        book,
        _("{customer} export").format(customer=customer),
        ".json",
        _filter_entry(_("JSON files"), "*.json"),
        _("Export everything the workbook holds about {customer} {name}").format(
            customer=customer, name=name
        ),
    )
    _write_file(path, (strict_json(record.as_json(export.sheets)) + "\n").encode("utf-8"))
    one, many = ORDERS_COUNTED
    orders = len(record.orders)
    rows = [
        _("1 customer row"),
        catalog.count(len(record.deals), "deals"),
        catalog.count(len(record.stage_log), "stage_log"),
        catalog.count(len(record.activities), "activities"),
        _(one if orders == 1 else many).format(count=f"{orders:,}"),
    ]
    return _("{customer} {name}: {rows} → {path}").format(
        customer=customer, name=name, rows=_(", ").join(rows), path=path
    )


@button
def forget_customer(book: ExcelBook) -> str:
    """Erase one customer's personal data, as ``salesflow forget`` does: the customer of the
    selected row on the Customers sheet, or of the selected deal on the Deals sheet; with
    neither selected, asks for a customer ID or e-mail address. Asks first, naming the
    customer and what is erased and kept. Then saves the workbook (its file keeps none of the
    data) and deletes SalesFlow's backup and cache beside it, which hold the data."""
    snapshot = privacy_export.check(book.snapshot(), book.source)
    key = _chosen_customer(
        book,
        snapshot,
        N_("select the row of the one to erase"),
        N_(
            "Erase which customer? Type a customer ID (like C0042) or an e-mail address.\n"
            "(Or select the customer's row, or one of their deals, and click Forget customer.)"
        ),
    )
    data = snapshot.data
    customer = privacy.find_customer(data, key)
    name = data.customers.loc[data.customers["id"].astype(str).str.strip() == customer, "name"]
    question = _(
        "Erase the personal data of {customer} {name}?\n\n"
        "Their name, company, e-mail, phone, consent, the notes of their activities and stage "
        "changes and the cells of columns you added to the Customers table are erased, and "
        "their name, e-mail or phone wherever other rows mention it. Their deals, orders, "
        "amounts, dates and stages stay, so every figure is unchanged. The Privacy log sheet "
        "records the erasure.\n\n"
        "The workbook is then saved. This cannot be undone."
    ).format(customer=customer, name=name.iloc[0])
    if not confirm(book.book, question):
        raise CancelledError()
    changes = run(book, lambda d: erasure.forget(d, [customer], _now()).changes)
    lines = [*changes.summary]
    if book.saved_to is not None:
        lines.append(
            _(
                "Saved {file}; SalesFlow's backup and cache beside it, which held the data, "
                "were deleted."
            ).format(file=book.saved_to.name)
        )
    else:
        lines.append(_("Save the workbook to keep the erasure."))
    return "\n".join(lines)


#: At most this many customers are named when the selection holds several.
SHOWN_CUSTOMERS = 5


def _chosen_customer(book: ExcelBook, snapshot: Any, which: str, prompt: str) -> str:
    """The customer of the selected rows (:func:`_selected_customer`; several are refused,
    saying ``which`` one to select), else the ID or e-mail address the user types when asked
    ``prompt`` (both marked N_, said in the language in effect); raises
    :class:`CancelledError` on Cancel or a blank answer."""
    key = _selected_customer(book, snapshot, which)
    if key is not None:
        return key
    answer = ask(book.book, _(prompt))
    if answer is None or not answer.strip():
        raise CancelledError()
    return answer.strip()


def _selected_customer(book: ExcelBook, snapshot: Any, which: str) -> str | None:
    """The customer of the selected rows: their rows on the Customers sheet, or their deals on
    the Deals sheet; None when the selection is on neither or holds no record. Several
    customers are refused, saying ``which`` one to select."""
    try:
        selection = book.book.selection
    except Exception:  # a chart or a shape is selected: no cells
        return None
    if selection is None:
        return None
    areas = [
        (area.row, area.row + area.rows.count - 1)
        for area in getattr(selection, "areas", [selection])
    ]
    found = privacy_export.customers_at(snapshot, selection.sheet.name, areas)
    if len(found) > 1:
        listed = _(", ").join(found[:SHOWN_CUSTOMERS])
        if len(found) > SHOWN_CUSTOMERS:
            listed += " …"
        raise SalesflowError(
            _("the selection holds {count} customers ({customers}): {which}").format(
                count=len(found), customers=listed, which=_(which)
            )
        )
    return found[0] if found else None


def _dates_as_in_file(record: privacy.CustomerRecord) -> privacy.CustomerRecord:
    """``record`` with its other cells' dates as the workbook file gives them: Excel gives a
    date cell as a datetime at midnight, the file (and so ``salesflow export-customer``) as a
    date."""

    def entry(item: Entry) -> Entry:
        other = {
            header: value.date()
            if isinstance(value, datetime) and value.time() == time()
            else value
            for header, value in item.other.items()
        }
        return dataclasses.replace(item, other=other)

    return dataclasses.replace(
        record,
        customer=entry(record.customer),
        **{t: tuple(entry(e) for e in record.entries(t)) for t in privacy.TABLES[1:]},
    )


def _save_path(
    book: ExcelBook, name: str, suffix: str, file_filter: str, title: str
) -> pathlib.Path:
    """Where the user chooses to save a file, suggested as ``name`` + ``suffix`` beside the
    workbook; the suffix is added to a name without it. Raises :class:`CancelledError` on
    Cancel."""
    initial = _file_name(name) + suffix
    folder = _workbook_folder(book)
    reply = pick_save_file(
        book.book, str(folder / initial) if folder else initial, file_filter, title
    )
    if not reply:
        raise CancelledError()
    path = pathlib.Path(reply)
    if not path.name.lower().endswith(suffix):
        # the dialog asked about replacing the name it returned, not this one
        path = path.with_name(path.name + suffix)
        if path.exists():
            question = _("{file} already exists. Replace it?").format(file=path)
            if not confirm(book.book, question):
                raise CancelledError()
    return path


def _file_name(name: str) -> str:
    """``name`` as a file name on Windows and macOS: the characters they refuse replaced."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" .")
    return cleaned or TITLE


def _workbook_folder(book: ExcelBook) -> pathlib.Path | None:
    """The folder of the workbook's file; None for a workbook not saved yet or one in the
    cloud (its full name is a web address)."""
    full = getattr(book.book, "fullname", None)
    if not full:
        return None
    path = pathlib.Path(str(full))
    return path.parent if path.is_absolute() and path.parent.is_dir() else None


def _write_file(path: pathlib.Path, content: bytes) -> None:
    """Write ``content`` to ``path`` all or nothing: into a temporary file beside it, renamed
    over it when complete, so a failure leaves neither a half-written file nor a changed old
    one. A new file is its owner's alone (an export holds personal data); a replaced one keeps
    its permissions."""
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=path.parent
        )
    except OSError as error:
        raise _cannot_write(path, error) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException as error:
        pathlib.Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _cannot_write(path, error) from error
        raise


def _cannot_write(path: pathlib.Path, error: OSError) -> SalesflowError:
    return SalesflowError(
        _("cannot write {path}: {error}").format(path=path, error=error.strerror or error)
    )


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
        import_file,
        export_customer,
        forget_customer,
        refresh_dashboard,
        show_followups,
        followups_calendar,
        draft_followups,
    )
}

# An add-in installed before "Import leads…" became Import… still sends the old tag, and
# RunPython runs "r.import_leads()": keep the name for the new button's function. It is not in
# BUTTONS, which holds the tags of the current ribbon.
import_leads = import_file
