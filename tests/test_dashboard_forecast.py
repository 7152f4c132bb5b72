"""The Dashboard's revenue forecast block: the months `salesflow forecast` prints, written as
values where the Dashboard's layout puts them, made anew by every refresh and new layout, in
the workbook's language; in Excel only where the Dashboard shown is laid out for the data.

The block is found the way a reader of the sheet finds it — by its title in column K — not
through the layout code that wrote it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import demo_copy, ok
from fake_excel import FakeBook
from openpyxl import load_workbook

from salesflow_xl.actions import activities
from salesflow_xl.gateway.base import run
from salesflow_xl.gateway.excel import ExcelBook
from salesflow_xl.workbook import relayout, schema
from salesflow_xl.workbook.reader import load

MAY_31 = date(2026, 5, 31)
TITLE = {"en": "Revenue forecast: the next months", "zh-CN": "收入预测：未来几个月"}
#: the block's columns, K to Q, and the forecast JSON's key for each
KEYS = ("month", "total", "low", "high", "deals", "new_deals", "orders")


def block(path: Path, language: str = "en") -> tuple[int, list[tuple[Any, ...]], str]:
    """(title row, the six month rows K:Q, the note) of the Dashboard's forecast block."""
    book = load_workbook(path)
    board = book[book.sheetnames[0]]
    assert board.title in ("Dashboard", "仪表板")
    title_rows = [
        row for (row,) in board.iter_rows(min_col=11, max_col=11) if row.value == TITLE[language]
    ]
    assert len(title_rows) == 1, "one forecast title in column K"
    top = title_rows[0].row
    months = list(
        board.iter_rows(min_row=top + 2, max_row=top + 7, min_col=11, max_col=17, values_only=True)
    )
    return top, months, board.cell(row=top + 8, column=11).value


def printed(path: Path, *options: str) -> list[dict[str, Any]]:
    return json.loads(ok("forecast", path, "--months", "6", "--json", *options))["months"]


def assert_block_is(months: list[tuple[Any, ...]], expected: list[dict[str, Any]]) -> None:
    assert [row[0] for row in months] == [m["month"] for m in expected]
    for row, month in zip(months, expected, strict=True):
        for value, key in zip(row[1:], KEYS[1:], strict=True):
            assert value == pytest.approx(month[key], abs=0.006), (month["month"], key)


def test_the_demo_dashboard_shows_the_forecast_the_command_prints(tmp_path) -> None:
    path = demo_copy(tmp_path)
    _top, months, note = block(path)
    assert_block_is(months, printed(path))
    assert note.startswith("Simulated from the history up to 2026-06-30")


def test_a_refresh_makes_the_forecast_anew_from_its_date(tmp_path) -> None:
    path = demo_copy(tmp_path)
    said = ok("refresh", path, "--as-of", "2026-03-31")
    expected = printed(path)
    assert expected[0]["month"] == "2026-04"
    assert_block_is(block(path)[1], expected)
    total = sum(m["total"] for m in expected)
    assert f"Revenue forecast made anew: {total:,.0f} expected from 2026-04 to 2026-09." in said
    assert "2026-03-31" in block(path)[2]


def test_another_new_layout_keeps_the_forecast_and_puts_the_charts_below_it(tmp_path) -> None:
    path = demo_copy(tmp_path)
    before = block(path)
    # a new segment gives the block a row further down: the Dashboard is laid out anew
    ok("list", "add", path, "segment", "Wholesale")
    after = block(path)
    assert after[0] == before[0] + 1
    assert after[1:] == before[1:]
    book = load_workbook(path)
    anchors = [chart.anchor._from.row + 1 for chart in book[schema.DASHBOARD_SHEET]._charts]
    assert min(anchors) > after[0] + 8  # below the note


def test_a_workbook_without_history_says_how_to_get_one(tmp_path) -> None:
    path = tmp_path / "Empty.xlsx"
    ok("new", path)
    _top, months, note = block(path)
    assert all(value is None for row in months for value in row)
    assert note == (
        "No forecast yet: refresh the dashboard once the workbook holds deals or orders."
    )


def test_the_chinese_dashboard_names_its_forecast_in_chinese(tmp_path) -> None:
    path = tmp_path / "演示.xlsx"
    ok("new", path, "--demo", "--lang", "zh-CN")
    _top, months, note = block(path, "zh-CN")
    assert_block_is(months, printed(path))
    assert note.startswith("根据截至 2026-06-30 的历史模拟")


def test_a_dashboard_without_the_block_is_not_laid_out_for_the_data(tmp_path) -> None:
    """A workbook made before the forecast: the file is laid out anew by its next action,
    Excel is told to refresh the file."""
    path = demo_copy(tmp_path)
    data = load(path)
    top = block(path)[0]
    board = load_workbook(path)[schema.DASHBOARD_SHEET]
    shown = [list(row) for row in board.iter_rows(values_only=True)]
    assert relayout.layout_differences({schema.DASHBOARD_SHEET: shown}, data) == []
    shown[top - 1][10] = None
    assert relayout.layout_differences({schema.DASHBOARD_SHEET: shown}, data) == [
        f"{schema.DASHBOARD_SHEET}!K{top} shows None, not 'Revenue forecast: the next months'"
    ]


def test_excel_writes_the_forecast_only_where_the_dashboard_is_laid_out(tmp_path) -> None:
    path = demo_copy(tmp_path)
    expected = printed(path, "--as-of", "2026-05-31")
    top = block(path)[0]
    fake = FakeBook(path.read_bytes())
    gateway = ExcelBook(fake)
    run(gateway, lambda data: activities.refresh(data, data.settings.as_of, pin=MAY_31))
    cells = fake.sheets[schema.DASHBOARD_SHEET].cells
    shown = [
        tuple(cells.get((row, col)) for col in range(11, 18)) for row in range(top + 2, top + 8)
    ]
    assert {month[0] for month, *_ in shown} == {"'"}  # Excel's quote prefix: text, not a date
    assert_block_is([(month[1:], *values) for month, *values in shown], expected)

    stale = FakeBook(path.read_bytes())
    stale.sheets[schema.DASHBOARD_SHEET].cells[(top, 11)] = "something else"
    gateway = ExcelBook(stale)
    run(gateway, lambda data: activities.refresh(data, data.settings.as_of, pin=MAY_31))
    assert [w for w in stale.writes() if w[1] == schema.DASHBOARD_SHEET] == []
    assert "salesflow refresh" in gateway.relayout_note()
