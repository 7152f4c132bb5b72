"""The ribbon's Follow-ups to calendar and Export customer buttons (issue 17): the ribbon XML,
the VBA and ribbon.py name each other; driven through the recording fake Excel book, the
calendar holds exactly the follow-ups the workbook's rows say are due (counted here with
pandas) and the events ``salesflow followups --ics`` writes for the same data,
the export exactly what ``salesflow export-customer --json`` prints, each written atomically
where the save dialog says, and nothing anywhere on Cancel."""

from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import stat
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd
import pytest
from click.testing import CliRunner
from fake_excel import FakeBook
from fake_excel import active_book as fake_book
from icalendar import Calendar
from oletools.olevba import VBA_Parser

from salesflow_xl.actions import calendar as ical
from salesflow_xl.addin import build
from salesflow_xl.cli import followups, main
from salesflow_xl.core import i18n
from salesflow_xl.excel import ribbon
from salesflow_xl.gateway.excel import ExcelBook
from salesflow_xl.workbook import build as workbook_build
from salesflow_xl.workbook import reader

UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
DEMO_PATH = Path(__file__).parent.parent / "workbook" / workbook_build.DEMO_NAME
DEMO = DEMO_PATH.read_bytes()
SAVE = "'SalesFlow.xlam'!SalesFlowPickSaveFile"
ASK = "'SalesFlow.xlam'!SalesFlowAsk"
#: A demo customer with deals, a stage log, activities and orders; their row on Customers.
CUSTOMER, CUSTOMER_ROW = "C0003", 4
#: The buttons: id → (group, tag, label).
BUTTONS = {
    "sfCalendar": ("SalesFlowReports", "followups_calendar", "Follow-ups to calendar"),
    "sfExportCustomer": ("SalesFlowCustomers", "export_customer", "Export customer"),
    "sfDrafts": ("SalesFlowReports", "draft_followups", "Draft follow-up e-mails"),
}


@pytest.fixture
def fake(monkeypatch) -> FakeBook:
    return fake_book(DEMO, monkeypatch)


class Areas:
    """A selection of several areas (Ctrl+click), as xlwings gives it."""

    def __init__(self, sheet: Any, areas: list[Any]) -> None:
        self.sheet, self.areas = sheet, areas
        self.row, self.rows = areas[0].row, areas[0].rows


def alerts(fake: FakeBook) -> list[tuple[Any, ...]]:
    return [c for c in fake.calls if c[0] == "alert"]


def macros(fake: FakeBook, name: str) -> list[tuple[Any, ...]]:
    return [c[2] for c in fake.calls if c[0] == "macro" and c[1] == name]


def run(*args: Any) -> Any:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def strict(text: str | bytes) -> Any:
    """JSON as RFC 8259 has it: NaN or Infinity fail."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def events_of(content: bytes) -> dict[str, Any]:
    """UID → the VEVENT of an .ics file, parsed by icalendar."""
    calendar = Calendar.from_ical(content)
    found = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(found) == len(calendar.walk("VEVENT"))  # no UID twice
    return found


# -- the ribbon, the VBA and Python name each other -------------------------------------------


def ribbon_root() -> ElementTree.Element:
    return ElementTree.fromstring((build.INSTALL / "ribbon.xml").read_bytes())


def vba_procedures(source: str) -> dict[str, str]:
    """Procedure name → its parameter list."""
    pattern = r"^Public (?:Sub|Function) (\w+)\(((?:[^()]|\([^()]*\))*)\)"
    return dict(re.findall(pattern, source, re.M | re.S))


def committed_vba() -> str:
    parser = VBA_Parser(str(build.INSTALL / build.ADDIN_NAME))
    try:
        modules = {name.rsplit(".", 1)[0]: code for *_, name, code in parser.extract_macros()}
    finally:
        parser.close()
    return modules["SalesFlow"]


@pytest.mark.parametrize("button_id", list(BUTTONS))
def test_the_ribbon_has_the_button_in_its_group(button_id) -> None:
    group_id, tag, label = BUTTONS[button_id]
    root = ribbon_root()
    (group,) = [g for g in root.iter(f"{UI}group") if g.get("id") == group_id]
    (button,) = [b for b in group.iter(f"{UI}button") if b.get("id") == button_id]
    assert (button.get("tag"), button.get("label")) == (tag, label)
    for attribute in ("imageMso", "screentip", "supertip"):
        assert button.get(attribute), attribute
    source = (build.INSTALL / "SalesFlow.bas").read_text(encoding="ascii")
    assert button.get("onAction") in vba_procedures(source)
    assert button.get("onAction") in vba_procedures(committed_vba())  # the add-in as built
    assert ribbon.BUTTONS[tag] is getattr(ribbon, tag)
    assert inspect.signature(ribbon.BUTTONS[tag]).parameters == {}


def test_the_save_dialog_takes_the_name_filter_and_title_python_passes() -> None:
    for source in ((build.INSTALL / "SalesFlow.bas").read_text(encoding="ascii"), committed_vba()):
        params = vba_procedures(source)["SalesFlowPickSaveFile"]
        assert re.findall(r"ByVal (\w+) As String", params) == [
            "initialName",
            "fileFilter",
            "title",
        ]
        assert "GetSaveAsFilename(initialName, fileFilter, 1, title)" in source
    # the ribbon's horizon is the command line's --json and --ics default, defined once
    assert ribbon.CALENDAR_DAYS is followups.CALENDAR_DAYS is ical.CALENDAR_DAYS == 14


# -- Follow-ups to calendar -------------------------------------------------------------------


def expected_follow_ups(path: Path, days: int = 14) -> tuple[date, dict[str, date]]:
    """The workbook file's as-of date, and UID → due date of what its rows say is due by the
    as-of date + ``days``: open activities and open deals' next follow-up dates, counted with
    pandas (the UIDs name the record and the file, "D00064-followup.sales@salesflow-xl")."""
    data = reader.load(path)
    as_of = data.settings.as_of
    until = pd.Timestamp(as_of + timedelta(days=days))
    acts, deals = data.activities, data.deals
    todo = acts[acts["done"].isna() & (acts["due"] <= until)]
    chase = deals[(deals["status"] == "open") & (deals["next_follow_up"] <= until)]
    workbook = path.stem.lower()
    expected = {
        f"{i}.{workbook}@salesflow-xl": d.date()
        for i, d in zip(todo["id"], todo["due"], strict=True)
    }
    expected |= {
        f"{i}-followup.{workbook}@salesflow-xl": d.date()
        for i, d in zip(chase["id"], chase["next_follow_up"], strict=True)
    }
    return as_of, expected


def test_the_calendar_holds_the_follow_ups_the_workbook_has_due(fake, tmp_path) -> None:
    target = tmp_path / "calendar.ics"
    fake.app.answers = [str(target)]
    ribbon.followups_calendar()

    (asked,) = macros(fake, SAVE)
    initial, file_filter, title = asked
    assert initial == "Sales follow-ups.ics"  # no folder: the fake book has no full name
    assert file_filter.split(",")[1] == "*.ics"
    assert title == "Save the follow-ups as a calendar file"

    book = tmp_path / "file" / "Sales.xlsx"  # the same workbook, named as the open book
    book.parent.mkdir()
    book.write_bytes(DEMO)
    as_of, expected = expected_follow_ups(book)
    found = events_of(target.read_bytes())
    # both sources, overdue and upcoming: the demo has every case
    assert any("-followup." in uid for uid in expected)
    assert any("-followup." not in uid for uid in expected)
    assert min(expected.values()) < as_of < max(expected.values())
    assert set(found) == set(expected)
    for uid, due in expected.items():
        day = max(due, as_of)  # an overdue follow-up is shown on the as-of date
        start, end = found[uid].decoded("DTSTART"), found[uid].decoded("DTEND")
        assert type(start) is date, uid  # all-day: DTSTART;VALUE=DATE
        assert (start, end) == (day, day + timedelta(days=1)), uid
        assert str(found[uid]["SUMMARY"]).endswith(f" (due {due})") == (due < as_of), uid
    dues = [expected[uid] for uid in found]
    assert dues == sorted(dues)  # oldest first

    assert fake.writes() == []  # the workbook is only read
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calendar.ics", "file"]  # no temporary
    ((_alert, mode, message, _buttons),) = alerts(fake)
    until = as_of + timedelta(days=14)
    assert mode == "info"
    assert message.startswith(f"Wrote {len(expected)} follow-up(s) due by {until} to {target}.")


def test_the_calendar_is_the_command_lines_for_the_same_workbook(fake, tmp_path) -> None:
    """``salesflow followups --ics`` on the same workbook file, named as the open book is:
    the same events with the same UIDs, days, summaries and descriptions."""
    book = tmp_path / "Sales.xlsx"
    book.write_bytes(DEMO)
    run("followups", book, "--ics", tmp_path / "cli.ics")
    fake.app.answers = [str(tmp_path / "ribbon.ics")]
    ribbon.followups_calendar()
    cli = events_of((tmp_path / "cli.ics").read_bytes())
    ours = events_of((tmp_path / "ribbon.ics").read_bytes())
    assert list(ours) == list(cli)
    for uid, event in cli.items():
        for key in ("DTSTART", "DTEND"):
            assert ours[uid][key].dt == event[key].dt
        for key in ("SUMMARY", "DESCRIPTION"):
            assert str(ours[uid][key]) == str(event[key])


def test_cancel_writes_nothing(fake, tmp_path) -> None:
    fake.app.answers = [False]  # GetSaveAsFilename's Cancel
    ribbon.followups_calendar()
    assert len(macros(fake, SAVE)) == 1
    assert list(tmp_path.iterdir()) == []
    assert fake.writes() == []
    assert alerts(fake) == []


def test_a_name_without_the_extension_gets_it(fake, tmp_path) -> None:
    fake.app.answers = [str(tmp_path / "follow-ups")]
    ribbon.followups_calendar()
    assert [p.name for p in tmp_path.iterdir()] == ["follow-ups.ics"]
    assert events_of((tmp_path / "follow-ups.ics").read_bytes())


def test_a_name_completed_to_an_existing_file_asks_before_replacing_it(fake, tmp_path) -> None:
    old = tmp_path / "follow-ups.ics"
    old.write_bytes(b"old")
    fake.app.answers = [str(tmp_path / "follow-ups")]
    fake.app.replies = ["no"]
    ribbon.followups_calendar()
    assert old.read_bytes() == b"old"
    ((_alert, _mode, question, buttons),) = alerts(fake)
    assert buttons == "yes_no"
    assert question == f"{old} already exists. Replace it?"


def test_nothing_due_asks_for_no_file(fake, tmp_path) -> None:
    fake.sheets["Settings"].cells[(3, 2)] = datetime(2024, 6, 1)  # before every follow-up
    ribbon.followups_calendar()
    assert macros(fake, SAVE) == []
    ((_alert, mode, message, _buttons),) = alerts(fake)
    assert (mode, message) == (
        "info",
        "No follow-ups are due by 2024-06-15: no calendar file was written.",
    )


def test_a_failed_write_leaves_the_old_file_and_no_temporary(fake, tmp_path, monkeypatch) -> None:
    old = tmp_path / "calendar.ics"
    old.write_bytes(b"old")

    def refuse(source: Any, target: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(ribbon.os, "replace", refuse)
    fake.app.answers = [str(old)]
    ribbon.followups_calendar()
    assert old.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["calendar.ics"]
    ((_alert, mode, message, _buttons),) = alerts(fake)
    assert (mode, message) == ("critical", f"cannot write {old}: Permission denied")


def test_the_default_folder_is_the_workbooks(fake, tmp_path) -> None:
    fake.fullname = str(tmp_path / "Sales.xlsx")
    fake.app.answers = [False]
    ribbon.followups_calendar()
    assert macros(fake, SAVE)[0][0] == str(tmp_path / "Sales follow-ups.ics")


# -- Export customer --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / workbook_build.DEMO_NAME
    shutil.copy(DEMO_PATH, path)
    return path


def cli_export(path: Path, customer: str) -> Any:
    return strict(run("export-customer", path, customer, "--json").stdout)


def test_a_selected_customer_row_exports_what_the_command_line_prints(
    fake, tmp_path, demo_file
) -> None:
    fake.select("Customers", CUSTOMER_ROW, CUSTOMER_ROW, column=3)
    target = tmp_path / "export.json"
    fake.app.answers = [str(target)]
    ribbon.export_customer()

    assert macros(fake, ASK) == []  # the selection named the customer
    (asked,) = macros(fake, SAVE)
    initial, file_filter, title = asked
    assert initial == f"{CUSTOMER} export.json"
    assert file_filter.split(",")[1] == "*.json"
    assert title == "Export everything the workbook holds about C0003 Mara Yilmaz"

    exported = strict(target.read_bytes().decode("utf-8"))
    expected = cli_export(demo_file, CUSTOMER)
    assert exported == expected
    assert exported["customer"]["row"] == CUSTOMER_ROW
    assert exported["customer"]["other_columns"]["First order"] == "2026-03-03"  # a date

    assert fake.writes() == []
    assert [p.name for p in tmp_path.iterdir()] == ["export.json"]
    if os.name == "posix":  # personal data: a new file is its owner's alone
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    ((_alert, mode, message, _buttons),) = alerts(fake)
    counts = {t: len(expected[t]) for t in ("deals", "stage_log", "activities", "orders")}
    assert counts["deals"] > 1
    assert counts["orders"] > 1
    assert mode == "info"
    assert message == (
        f"C0003 Mara Yilmaz: 1 customer row, {counts['deals']} deals, "
        f"{counts['stage_log']} stage-log rows, {counts['activities']} activities, "
        f"{counts['orders']} orders → {target}"
    )


def test_a_selected_deal_row_exports_its_customer(fake, tmp_path, demo_file) -> None:
    data = ExcelBook(fake).read()
    deal = data.deals.iloc[40]  # row 42: the header and 40 deals above it
    assert deal["customer_id"] != CUSTOMER
    fake.select("Deals", 42, 42)
    fake.app.answers = [str(tmp_path / "deal.json")]
    ribbon.export_customer()
    exported = strict((tmp_path / "deal.json").read_bytes())
    assert exported["customer_id"] == deal["customer_id"]
    assert deal["id"] in [d["id"] for d in exported["deals"]]
    assert exported == cli_export(demo_file, deal["customer_id"])
    assert macros(fake, SAVE)[0][0] == f"{deal['customer_id']} export.json"


def test_several_rows_of_one_customer_are_that_customer(fake, tmp_path) -> None:
    data = ExcelBook(fake).read()
    rows = [n + 2 for n, owner in enumerate(data.deals["customer_id"]) if owner == CUSTOMER]
    assert len(rows) > 1
    sheet = fake.sheets["Deals"]
    fake.selection = Areas(sheet, [sheet.range((r, 1), (r, 5)) for r in rows])  # type: ignore
    fake.app.answers = [str(tmp_path / "one.json")]
    ribbon.export_customer()
    assert strict((tmp_path / "one.json").read_bytes())["customer_id"] == CUSTOMER


def test_several_customers_selected_is_a_message(fake, tmp_path) -> None:
    fake.select("Customers", 2, 9)
    ribbon.export_customer()
    assert macros(fake, SAVE) == []
    ((_alert, mode, message, _buttons),) = alerts(fake)
    assert mode == "critical"
    assert message == (
        "the selection holds 8 customers (C0001, C0002, C0003, C0004, C0005 …): select the row "
        "of the one to export"
    )


@pytest.mark.parametrize(
    "selection",
    [None, ("Dashboard", 5, 5), ("Customers", 1, 1), ("Orders", 3, 3)],
    ids=["none", "dashboard", "customers header", "orders"],
)
def test_without_a_customer_selected_it_asks_for_an_id_or_e_mail(
    fake, tmp_path, demo_file, selection
) -> None:
    if selection:
        fake.select(*selection)
    email = str(ExcelBook(fake).read().customers.set_index("id").loc[CUSTOMER, "email"])
    fake.app.answers = [f"  {email.upper()} ", str(tmp_path / "asked.json")]
    ribbon.export_customer()
    ((prompt, default),) = macros(fake, ASK)
    assert prompt.startswith("Export which customer? Type a customer ID (like C0042) or an e-mail")
    assert default == ""
    assert strict((tmp_path / "asked.json").read_bytes()) == cli_export(demo_file, CUSTOMER)


def test_cancelling_the_question_or_the_dialog_does_nothing(fake, tmp_path) -> None:
    fake.app.answers = [""]  # InputBox's Cancel
    ribbon.export_customer()
    assert macros(fake, SAVE) == []
    fake.select("Customers", CUSTOMER_ROW, CUSTOMER_ROW)
    fake.app.answers = [False]  # the save dialog's Cancel
    ribbon.export_customer()
    assert list(tmp_path.iterdir()) == []
    assert alerts(fake) == []
    assert fake.writes() == []


def test_an_unknown_customer_is_a_message(fake) -> None:
    fake.app.answers = ["C9999"]
    ribbon.export_customer()
    assert macros(fake, SAVE) == []
    ((_alert, mode, message, _buttons),) = alerts(fake)
    assert (mode, message) == ("critical", "no customer C9999 on the Customers sheet")


@pytest.fixture(scope="module")
def chinese_demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("zh") / "销售.xlsx"
    run("new", path, "--lang", "zh-CN", "--demo")
    return path


def test_a_chinese_workbook_exports_and_writes_its_calendar_in_chinese(
    chinese_demo, tmp_path, monkeypatch
) -> None:
    fake = fake_book(chinese_demo.read_bytes(), monkeypatch, name=chinese_demo.name)
    customers = i18n.workbook_name("Customers", "zh-CN")
    assert customers != "Customers"
    fake.select(customers, CUSTOMER_ROW, CUSTOMER_ROW)
    fake.app.answers = [str(tmp_path / "export.json")]
    ribbon.export_customer()
    exported = strict((tmp_path / "export.json").read_bytes())
    assert exported == cli_export(chinese_demo, CUSTOMER)
    assert exported["customer"]["sheet"] == customers

    fake.app.answers = [str(tmp_path / "calendar.ics")]
    ribbon.followups_calendar()
    cli = tmp_path / "cli.ics"
    run("followups", chinese_demo, "--ics", cli)
    ours, theirs = events_of((tmp_path / "calendar.ics").read_bytes()), events_of(cli.read_bytes())
    assert list(ours) == list(theirs)
    assert all(str(e["DESCRIPTION"]).startswith("商机：") for e in ours.values())
    assert [str(e["SUMMARY"]) for e in ours.values()] == [
        str(e["SUMMARY"]) for e in theirs.values()
    ]


# -- in real Excel ----------------------------------------------------------------------------


@pytest.mark.excel
def test_both_buttons_in_excel(tmp_path, monkeypatch, demo_file) -> None:  # pragma: no cover
    """The buttons in real Excel, the save dialog answered by the test: the files are those
    the command line writes for the same workbook."""
    import xlwings as xw

    path = tmp_path / "Sales.xlsx"
    path.write_bytes(DEMO)
    app = xw.App(visible=False)
    try:
        book = app.books.open(str(path))
        monkeypatch.setattr(ribbon, "_active_book", lambda: book)
        monkeypatch.setattr(ribbon, "tell", lambda *args, **kwargs: None)
        targets = iter([tmp_path / "out" / "calendar.ics", tmp_path / "out" / "export.json"])
        (tmp_path / "out").mkdir()
        monkeypatch.setattr(ribbon, "pick_save_file", lambda *args: str(next(targets)))
        ribbon.followups_calendar()
        book.sheets["Customers"].range((CUSTOMER_ROW, 2)).select()
        ribbon.export_customer()
        run("followups", demo_file, "--ics", tmp_path / "cli.ics")
        cli = events_of((tmp_path / "cli.ics").read_bytes())
        assert len(events_of((tmp_path / "out" / "calendar.ics").read_bytes())) == len(cli)
        exported = strict((tmp_path / "out" / "export.json").read_bytes())
        assert exported == cli_export(demo_file, CUSTOMER)
    finally:
        app.quit()
