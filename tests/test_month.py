"""A workbook created today and worked for a simulated month, as a user works it: every command
runs as its own process under ``faketime`` (the system clock itself moves, so nothing passes a
date the user would not pass), with a new campaign, a new stage, imported and single orders,
won and lost deals, and refreshes. Every day the report and the workbook's figures are as of
that day and no day count is negative; on days with an action every formula cell's stored
value equals the core's; the new campaign and stage get their Dashboard rows and chart series;
and on the last day — days after the last action — LibreOffice, itself under the same clock,
recalculates the workbook (TODAY() included) with no error cell and equal to the core."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import cell_mismatches
from openpyxl import load_workbook

from salesflow_xl.ooxml.package import Package
from salesflow_xl.ooxml.refs import range_bounds
from salesflow_xl.workbook import cached, reader, schema

pytestmark = pytest.mark.libreoffice

START = date(2026, 12, 1)
LAST = START + timedelta(days=29)


def on(day: date, *args: object, clock: str = "10:00:00") -> str:
    """Run ``salesflow ARGS`` as its own process on ``day`` (faketime moves the clock)."""
    if shutil.which("faketime") is None:
        pytest.fail("faketime is not installed: run scripts/test, which installs it")
    command = ["faketime", f"{day} {clock}", sys.executable, "-c"]
    command += ["from salesflow_xl.cli import main; main()", *map(str, args)]
    env = dict(os.environ, COLUMNS="200")
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


class Expect:
    """What the test counts by hand as it works the workbook."""

    def __init__(self) -> None:
        self.deals = 0
        self.won = 0
        self.lost = 0
        self.orders = 0
        self.revenue = 0.0


def check_day(path: Path, day: date, expect: Expect, monkeypatch, acted: bool) -> dict[str, Any]:
    """The report and (on a day with an action) every stored figure, as of ``day``."""
    monkeypatch.setattr(reader, "today", lambda: day)
    snapshot = reader.read_snapshot(path.read_bytes(), path.name)
    assert snapshot.problems == []
    settings = snapshot.data.settings
    assert (settings.as_of, settings.as_of_pinned) == (day, False)
    report = json.loads(on(day, "report", path, "--json"))
    assert report["as_of"] == day.isoformat()
    totals = report["totals"]
    assert (totals["deals"], totals["won"], totals["lost"]) == (
        expect.deals,
        expect.won,
        expect.lost,
    )
    assert totals["orders"] == expect.orders
    assert totals["order_revenue"] == pytest.approx(expect.revenue)
    assert all(s["average_days"] is None or s["average_days"] >= 0 for s in report["days_in_stage"])
    assert all(d["days_idle"] >= 0 for d in report["rotting_deals"])
    assert all(f["days_overdue"] >= 0 for f in report["followups_due"])
    cycle = report["velocity"]["sales_cycle_days"]
    assert cycle is None or cycle >= 0
    if acted:  # the action wrote that day's figures as the cached values
        book = load_workbook(path, data_only=True)
        expected = cached.core_values(snapshot.data, snapshot.rows)
        assert cell_mismatches(expected, book) == {}
        deals = book[schema.DEALS.sheet]
        header = [c.value for c in deals[1]]
        column = header.index("Days in stage")
        for position, deal in snapshot.data.deals.iterrows():
            if deal["status"] == "open":
                row = snapshot.rows["deals"][position]
                days = deals.cell(row=row, column=column + 1).value
                assert days == (day - deal["stage_entered"].date()).days >= 0
    return report


def dashboard_cell(path: Path, text: str) -> tuple[int, int]:
    """(column, row) of the Dashboard cell whose stored value is ``text``."""
    sheet = load_workbook(path, data_only=True)[schema.DASHBOARD_SHEET]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.column, cell.row
    raise AssertionError(f"the Dashboard shows no {text!r}")


def chart_ranges(path: Path) -> list[tuple[int, int, int, int]]:
    """The bounds of every Dashboard cell range a chart series reads."""
    package = Package.from_bytes(path.read_bytes())
    found = []
    for name in package.parts:
        if re.fullmatch(r"xl/charts/chart\d+\.xml", name):
            for ref in re.findall(rb"<(?:\w+:)?f>([^<]+)</(?:\w+:)?f>", package.read(name)):
                sheet, _, cells = ref.decode().rpartition("!")
                if sheet.strip("'") == schema.DASHBOARD_SHEET:
                    found.append(range_bounds(cells.replace("$", "")))
    return found


def covered(point: tuple[int, int], ranges: list[tuple[int, int, int, int]]) -> bool:
    column, row = point
    return any(c1 <= column <= c2 and r1 <= row <= r2 for c1, r1, c2, r2 in ranges)


def test_a_month_of_daily_work(tmp_path, monkeypatch) -> None:
    path = tmp_path / "Sales.xlsx"
    expect = Expect()
    orders_csv = tmp_path / "orders.csv"
    day = START

    def at(offset: int) -> date:
        return START + timedelta(days=offset)

    script: dict[int, list[tuple[object, ...]]] = {
        0: [
            ("new", path),
            (
                "add-lead",
                path,
                "--name",
                "Ada Park",
                "--email",
                "ada@park.example",
                "--value",
                4000,
            ),
            ("add-lead", path, "--name", "Bo Lind", "--email", "bo@lind.example", "--value", 2500),
            ("add-lead", path, "--name", "Cy Moss", "--email", "cy@moss.example", "--value", 6000),
        ],
        1: [("advance", path, "D00001", "D00002")],
        3: [("log", path, "D00001", "--type", "Call", "--next", at(6))],
        5: [
            (
                "campaign",
                "add",
                path,
                "Winter fair",
                *("--channel", "Events", "--spend", 1200),
                *("--start", at(5), "--end", at(12)),
            )
        ],
        6: [
            (
                "add-lead",
                path,
                "--name",
                "Dee Ray",
                "--email",
                "dee@ray.example",
                *("--campaign", "Winter fair", "--channel", "Events", "--value", 3000),
            )
        ],
        8: [("stage", "add", path, "Proposal", "--probability", "50%", "--after", "Nurturing")],
        9: [("advance", path, "D00001")],
        12: [("import-orders", path, orders_csv)],
        15: [("won", path, "D00001"), ("lost", path, "D00003", "--reason", "Price")],
        18: [("order", path, "--customer", "ada@park.example", "--amount", 500)],
        20: [("refresh", path)],
        22: [("advance", path, "D00002")],
        25: [("refresh", path)],
    }
    orders_csv.write_text(
        "email,date,amount\n"
        f"ada@park.example,{at(10)},1200\n"
        f"ada@park.example,{at(12)},800\n"
        f"bo@lind.example,{at(11)},450\n"
        f"eve@stone.example,{at(11)},300\n",
        encoding="utf-8",
    )
    for offset in range(30):
        day = at(offset)
        actions = script.get(offset, [])
        for number, args in enumerate(actions):
            on(day, *args, clock=f"{10 + number}:00:00")
        expect.deals += {0: 3, 6: 1}.get(offset, 0)
        expect.won += offset == 15
        expect.lost += offset == 15
        if offset == 12:
            expect.orders, expect.revenue = 4, 2750.0
        if offset == 18:
            expect.orders, expect.revenue = 5, 3250.0
        check_day(path, day, expect, monkeypatch, acted=bool(actions))
        if offset == 8:
            assert "Proposal" in [s.name for s in reader.load(path).pipeline.stages]

    # the new campaign and stage have their Dashboard rows and chart series
    ranges = chart_ranges(path)
    for label in ("Winter fair", "Proposal"):
        assert covered(dashboard_cell(path, label), ranges), label

    # days after the last action, LibreOffice under the same clock computes today's figures
    assert day == LAST
    on(LAST, "recalc", path)
    monkeypatch.setattr(reader, "today", lambda: LAST)
    snapshot = reader.read_snapshot(path.read_bytes(), path.name)
    book = load_workbook(path, data_only=True)
    assert book[schema.DASHBOARD_SHEET][cached.AS_OF_CELL].value.date() == LAST
    assert cell_mismatches(cached.core_values(snapshot.data, snapshot.rows), book) == {}
    # and every sheet, the re-laid-out ones included, still prints one page wide
    for sheet in book.worksheets:
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
