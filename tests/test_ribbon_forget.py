"""The ribbon's Forget customer button (issue 17), driven through the recording fake Excel
book: after a Yes it leaves the customer's row, notes and Privacy log as ``salesflow forget``
leaves the file (read back with openpyxl), saves the workbook and deletes SalesFlow's backup
and cache beside it; after a No, or Cancel, it writes nothing."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from fake_excel import FakeBook, active_book

from salesflow_xl.addin import build
from salesflow_xl.excel import ribbon
from salesflow_xl.workbook import cache, store
from tests.conftest import DEMO_WORKBOOK, ok

UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
OLDER = Path(__file__).parent / "data" / "demo-before-customer-values.xlsx"
CUSTOMER, CUSTOMER_ROW = "C0003", 4
ASK = "'SalesFlow.xlam'!SalesFlowAsk"
NOW = datetime(2026, 7, 1, 9, 30)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder holding the workbook's file, with SalesFlow's backup and cache beside it."""
    shutil.copy(DEMO_WORKBOOK, tmp_path / "Sales.xlsx")
    ok("log", tmp_path / "Sales.xlsx", "D00064", "--type", "Call", "--at", "2026-06-30")
    assert store.backup_path(tmp_path / "Sales.xlsx").exists()
    assert cache.path_for(tmp_path / "Sales.xlsx").exists()
    return tmp_path


def fake_book(path: Path, monkeypatch) -> FakeBook:
    monkeypatch.setattr(ribbon, "_now", lambda: NOW)
    return active_book(path.read_bytes(), monkeypatch, path.name, path.parent)


def rows(book: FakeBook, sheet: str) -> list[list[Any]]:
    cells = book.sheets[sheet].cells
    last_row = max((r for r, _ in cells), default=0)
    last_column = max((c for _, c in cells), default=0)
    return [[cells.get((r, c)) for c in range(1, last_column + 1)] for r in range(1, last_row + 1)]


def file_rows(path: Path, sheet: str) -> list[list[Any]]:
    return [list(r) for r in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


def test_the_ribbon_names_the_button_and_ribbon_py_has_it() -> None:
    root = ElementTree.fromstring((build.INSTALL / "ribbon.xml").read_bytes())
    (found,) = [b for b in root.iter(f"{UI}button") if b.get("id") == "sfForgetCustomer"]
    assert found.get("tag") == "forget_customer"
    assert found.get("onAction") == "SalesFlowButton"
    assert ribbon.BUTTONS["forget_customer"] is ribbon.forget_customer


def test_yes_erases_as_the_command_line_does_and_saves(folder: Path, monkeypatch) -> None:
    path = folder / "Sales.xlsx"
    book = fake_book(path, monkeypatch)
    book.select("Customers", CUSTOMER_ROW, CUSTOMER_ROW, column=2)
    book.app.replies = ["yes"]
    name = book.sheets["Customers"].cells[(CUSTOMER_ROW, 2)]
    ribbon.forget_customer()

    question = next(c for c in book.calls if c[0] == "alert" and c[3] == "yes_no")[2]
    assert f"{CUSTOMER} {name}" in question
    assert ("save", "Sales.xlsx") in book.calls
    assert not store.backup_path(path).exists()
    assert not cache.path_for(path).exists()
    *_, (_alert, mode, message, _buttons) = [c for c in book.calls if c[0] == "alert"]
    assert mode == "info"
    assert "Saved Sales.xlsx" in message

    # the command line on the same file gives the same cells
    twin = folder / "Twin.xlsx"
    shutil.copy(path, twin)  # the file is as it was: the fake's save writes nothing
    ok("forget", twin, CUSTOMER, "--at", NOW.strftime("%Y-%m-%d %H:%M"))
    expected = file_rows(twin, "Customers")
    got = rows(book, "Customers")
    assert got[CUSTOMER_ROW - 1][:5] == expected[CUSTOMER_ROW - 1][:5]
    assert got[CUSTOMER_ROW - 1][1] == f"Erased customer {CUSTOMER}"
    notes = {r[0]: r[6] for r in file_rows(twin, "Activities")[1:]}
    assert {r[0]: r[6] for r in rows(book, "Activities")[1:] if r[0]} == notes
    log = rows(book, "Privacy log")
    assert log[1] == file_rows(twin, "Privacy log")[1]
    assert book.sheets["Privacy log"].formats[(2, 1)] == "yyyy-mm-dd hh:mm"


def test_no_or_cancel_writes_nothing(folder: Path, monkeypatch) -> None:
    path = folder / "Sales.xlsx"
    book = fake_book(path, monkeypatch)
    book.select("Customers", CUSTOMER_ROW, CUSTOMER_ROW)
    book.app.replies = ["no"]
    ribbon.forget_customer()
    assert book.writes() == []
    assert ("save", "Sales.xlsx") not in book.calls
    assert store.backup_path(path).exists()

    book.selection = None
    book.app.answers = [None]  # the customer asked for: cancelled
    ribbon.forget_customer()
    assert book.writes() == []


def test_with_nothing_selected_it_asks_and_an_older_workbook_gets_the_log_sheet(
    tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "Older.xlsx"
    shutil.copy(OLDER, path)
    book = fake_book(path, monkeypatch)
    assert "Privacy log" not in [s.name for s in book.sheets]
    book.app.answers = ["c0004"]
    book.app.replies = ["yes"]
    ribbon.forget_customer()
    assert [c[2] for c in book.calls if c[0] == "macro" and c[1] == ASK]
    names = [s.name for s in book.sheets]
    assert names.index("Privacy log") == names.index("Settings") + 1
    assert ("add table", "Privacy log", "tblPrivacyLog", "A1:D2") in book.calls
    log = rows(book, "Privacy log")
    assert log == [
        ["When", "Customer ID", "Erased", "Why"],
        [NOW, "C0004", log[1][2], "erasure request"],
    ]
    assert "Name" in log[1][2]
