"""The time model: figures are as of today unless a date is pinned; actions and refresh keep a
pinned date current; no day count is ever negative."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from salesflow_xl import gateway
from salesflow_xl.actions import activities
from salesflow_xl.cli import main
from salesflow_xl.core.report import build_report
from salesflow_xl.gateway.file import WorkbookFile
from salesflow_xl.workbook import build, reader, schema

DEMO = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME
DEMO_AS_OF = date(2026, 6, 30)


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "Sales.xlsx"
    shutil.copy(DEMO, path)
    return path


def run(*args: object) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def settings_cells(path: Path) -> dict[str, object]:
    """Settings label → the value cell (column B) as stored (formulas as text)."""
    sheet = load_workbook(path)[schema.SETTINGS_SHEET]
    return {row[0].value: row[1].value for row in sheet.iter_rows(min_row=3) if row[0].value}


def test_a_new_workbook_follows_the_calendar(tmp_path, monkeypatch) -> None:
    path = tmp_path / "Sales.xlsx"
    run("new", path)
    cells = settings_cells(path)
    assert cells["As of date"] is None
    assert cells["Figures as of"] == '=IF(PinnedAsOf="",TODAY(),PinnedAsOf)'
    for day in (date(2027, 3, 1), date(2027, 3, 2)):
        monkeypatch.setattr(reader, "today", lambda day=day: day)
        settings = reader.load(path).settings
        assert (settings.as_of, settings.as_of_pinned) == (day, False)


def test_the_demo_is_pinned() -> None:
    settings = reader.load(DEMO).settings
    assert (settings.as_of, settings.as_of_pinned) == (DEMO_AS_OF, True)
    assert settings_cells(DEMO)["As of date"].date() == DEMO_AS_OF


def closed_counts(deals: pd.DataFrame, as_of: date) -> tuple[int, int]:
    """Deals won and lost on or before ``as_of``, counted here from the Deals table."""
    closed = deals[deals["closed"].notna() & (deals["closed"] <= pd.Timestamp(as_of))]
    return int((closed["status"] == "won").sum()), int((closed["status"] == "lost").sum())


def test_a_win_after_the_pinned_date_moves_it_and_counts_in_the_win_rate(book) -> None:
    before = reader.load(book)
    won, lost = closed_counts(before.deals, DEMO_AS_OF)
    deal = before.deals[before.deals["status"] == "open"].iloc[0]["id"]
    output = run("won", book, deal, "--at", "2026-07-03 10:00")
    assert "As-of date 2026-06-30 → 2026-07-03, the day recorded" in output
    after = reader.load(book)
    assert (after.settings.as_of, after.settings.as_of_pinned) == (date(2026, 7, 3), True)
    assert build_report(after).win_rate == pytest.approx((won + 1) / (won + 1 + lost))
    dashboard = load_workbook(book, data_only=True)["Dashboard"]
    assert dashboard["B2"].value.date() == date(2026, 7, 3)


def test_an_action_before_the_pinned_date_leaves_it(book) -> None:
    before = reader.load(book)
    deal = before.deals[before.deals["status"] == "open"].iloc[0]
    output = run("log", book, deal["id"], "--type", "Call", "--at", "2026-06-29")
    assert "As-of date" not in output
    assert reader.load(book).settings.as_of == DEMO_AS_OF


def test_no_day_count_is_negative_when_a_date_is_pinned_before_events(book) -> None:
    pinned = date(2026, 6, 1)  # before many deals' stage changes and activities
    run("refresh", book, "--as-of", pinned)
    data = reader.load(book)
    open_deals = data.deals[data.deals["status"] == "open"]
    entered = open_deals["stage_entered"]
    assert (entered > pd.Timestamp(pinned)).any(), "the test needs an event after the date"
    sheet = load_workbook(book, data_only=True)["Deals"]
    header = [c.value for c in sheet[1]]
    in_stage = header.index("Days in stage")
    idle = header.index("Days idle")
    for position, deal in open_deals.iterrows():
        row = [c.value for c in sheet[position + 2]]
        touched = max(deal["stage_entered"], deal["last_activity"] or deal["stage_entered"])
        assert row[in_stage] == max(0, (pd.Timestamp(pinned) - deal["stage_entered"]).days)
        assert row[idle] == max(0, (pd.Timestamp(pinned) - touched).days)
    report = build_report(data)
    assert (report.rotting_deals["days_idle"] >= 0).all()


def test_refresh_pins_unpins_and_moves_a_pinned_date(book, monkeypatch) -> None:
    monkeypatch.setattr(reader, "today", lambda: date(2026, 9, 10))
    output = run("refresh", book, "--unpin")
    assert "As-of date 2026-06-30 → blank: figures follow the calendar" in output
    assert settings_cells(book)["As of date"] is None
    settings = reader.load(book).settings
    assert (settings.as_of, settings.as_of_pinned) == (date(2026, 9, 10), False)

    run("refresh", book, "--as-of", "2026-08-01")
    assert settings_cells(book)["As of date"].date() == date(2026, 8, 1)

    # a plain refresh (the ribbon's) moves a pinned date to today …
    changes = gateway.run(WorkbookFile(book), lambda d: activities.refresh(d, date(2026, 9, 1)))
    assert changes.relayout
    assert reader.load(book).settings.as_of == date(2026, 9, 1)
    # … and leaves a blank one blank
    run("refresh", book, "--unpin")
    gateway.run(WorkbookFile(book), lambda d: activities.refresh(d, date(2026, 9, 10)))
    assert settings_cells(book)["As of date"] is None


def test_an_action_on_a_workbook_that_follows_today_writes_no_date(book, monkeypatch) -> None:
    monkeypatch.setattr(reader, "today", lambda: date(2026, 7, 5))
    run("refresh", book, "--unpin")
    deal = reader.load(book).deals.query("status == 'open'").iloc[0]["id"]
    output = run("advance", book, deal, "--at", "2026-07-05 09:00")
    assert "As-of date" not in output
    assert settings_cells(book)["As of date"] is None
    values = load_workbook(book, data_only=True)
    assert values[schema.SETTINGS_SHEET]["B4"].value.date() == date(2026, 7, 5)


def test_pinning_and_unpinning_at_once_is_a_usage_error(book) -> None:
    before = book.read_bytes()
    result = CliRunner().invoke(main, ["refresh", str(book), "--as-of", "2026-07-01", "--unpin"])
    assert result.exit_code == 2
    assert "not both" in result.output
    assert book.read_bytes() == before


def older_workbook(path: Path) -> None:
    """The demo as SalesFlow wrote it before a blank as-of date meant today: no "Figures as
    of" row, the name AsOf on the as-of date cell itself."""
    from openpyxl.workbook.defined_name import DefinedName

    book = load_workbook(DEMO)
    sheet = book[schema.SETTINGS_SHEET]
    row = next(c.row for c in sheet["A"] if c.value == "Figures as of")
    sheet.delete_rows(row)
    del book.defined_names[schema.PINNED_AS_OF]
    book.defined_names[schema.AS_OF] = DefinedName(schema.AS_OF, attr_text="'Settings'!$B$3")
    book.save(path)


def test_an_older_workbook_cannot_be_unpinned(tmp_path) -> None:
    """Its formulas read AsOf straight from the as-of cell: blank, every figure would be
    computed at day 0. Unpinning is refused, naming the row, and nothing is written."""
    path = tmp_path / "Older.xlsx"
    older_workbook(path)
    assert reader.read(path)[1] == []
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["refresh", str(path), "--unpin"])
    assert result.exit_code == 1
    assert "no 'Figures as of' row, so a blank cannot follow today" in result.output
    assert path.read_bytes() == before
    # the same cell left blank by hand is a problem of check
    book = load_workbook(path)
    book[schema.SETTINGS_SHEET]["B3"] = None
    book.save(path)
    problems = reader.read(path)[1]
    assert [(p.sheet, p.row, p.column) for p in problems] == [("Settings", 3, "As of date")]


def test_a_plain_refresh_never_moves_a_pinned_date_back(book) -> None:
    """An order dated tomorrow (allowed: time zones) moved the pinned date there; refreshing
    today keeps it, so the order is not after the as-of date."""
    changes = gateway.run(WorkbookFile(book), lambda d: activities.refresh(d, date(2026, 7, 1)))
    assert reader.load(book).settings.as_of == date(2026, 7, 1)
    gateway.run(WorkbookFile(book), lambda d: activities.refresh(d, date(2026, 6, 30)))
    assert reader.load(book).settings.as_of == date(2026, 7, 1)
    assert changes.relayout
