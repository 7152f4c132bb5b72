"""The currency symbol: a Settings row, set when a workbook is made (``salesflow new
--currency``; ¥ for a Chinese workbook, none for an English one), that every money cell's
number format shows in front of the amount; older workbooks without the row read as before."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from salesflow_xl.cli import main
from salesflow_xl.core import demo, i18n
from salesflow_xl.workbook import reader, schema, template

OLDER = Path(__file__).parent / "data" / "demo-before-customer-values.xlsx"


def make(tmp_path: Path, *options: str) -> Path:
    path = tmp_path / "Book.xlsx"
    result = CliRunner().invoke(main, ["new", str(path), "--demo", *options])
    assert result.exit_code == 0, result.output
    return path


def money_formats(path: Path, language: str) -> dict[str, set[str]]:
    """Sheet → the number formats of its money cells (table columns of kind money, and the
    Dashboard's money KPIs), read back from the file."""
    book = load_workbook(path)
    found: dict[str, set[str]] = {}
    with i18n.use(language):
        for spec in schema.TABLES.values():
            ws = book[spec.sheet]
            for index, column in enumerate(spec.columns, start=1):
                if column.kind == "money":
                    cells = ws.iter_rows(min_row=2, max_row=6, min_col=index, max_col=index)
                    found.setdefault(spec.sheet, set()).update(c.number_format for (c,) in cells)
        board = book[schema.DASHBOARD_SHEET]
        settings = book[schema.SETTINGS_SHEET]
        label = next(s.label for s in schema.SETTINGS if s.field == "currency")
        found["symbol"] = {str(row[1]) for row in settings.values if row[0] == label}
    found["dashboard"] = {
        cell.number_format
        for row in board.iter_rows()
        for cell in row
        if "#,##0" in cell.number_format and "." not in cell.number_format
    }
    return found


def test_a_chinese_workbook_shows_yuan(tmp_path) -> None:
    path = make(tmp_path, "--lang", "zh-CN")
    formats = money_formats(path, "zh-CN")
    assert formats.pop("symbol") == {"¥"}
    assert formats.pop("dashboard") == {'"¥"#,##0'}
    assert len(formats) >= 4  # Deals, Customers, Orders, Campaigns
    assert all(found == {'"¥"#,##0.00'} for found in formats.values()), formats
    with i18n.use("zh-CN"):
        assert reader.read_bytes(path.read_bytes())[0].settings.currency == "¥"


def test_an_english_workbook_has_no_symbol_unless_asked(tmp_path) -> None:
    plain = money_formats(make(tmp_path), "en")
    assert plain.pop("symbol") == {"None"}  # the row is there, blank
    assert plain.pop("dashboard") == {"#,##0"}
    assert all(found == {"#,##0.00"} for found in plain.values())
    euro = money_formats(make(tmp_path, "--currency", "€", "--force"), "en")
    assert euro.pop("symbol") == {"€"}
    assert euro.pop("dashboard") == {'"€"#,##0'}
    assert all(found == {'"€"#,##0.00'} for found in euro.values())


def test_a_symbol_that_would_break_the_format_is_refused(tmp_path) -> None:
    result = CliRunner().invoke(main, ["new", str(tmp_path / "X.xlsx"), "--currency", 'U"S'])
    assert result.exit_code == 2
    assert "--currency" in result.output
    assert not (tmp_path / "X.xlsx").exists()


def test_the_reader_names_a_bad_symbol_typed_in_settings(tmp_path) -> None:
    book = load_workbook(io.BytesIO(template.render(demo.generate())))
    settings = book[schema.SETTINGS_SHEET]
    row = next(r for r in range(1, 20) if settings.cell(r, 1).value == "Currency symbol")
    settings.cell(row, 2).value = "DOLLARS"
    raw = io.BytesIO()
    book.save(raw)
    _data, problems = reader.read_bytes(raw.getvalue())
    assert [(p.sheet, p.row, p.column, p.value) for p in problems] == [
        ("Settings", row, "Currency symbol", "DOLLARS")
    ]
    assert "at most 4 characters" in problems[0].expected


@pytest.mark.parametrize("symbol", ["¥", "$", "€", "CHF", "US$", ""])
def test_number_formats_take_the_symbol_as_a_literal(symbol) -> None:
    expected = f'"{symbol}"#,##0.00' if symbol else "#,##0.00"
    assert schema.number_format("money", symbol) == expected
    assert schema.number_format("percent", symbol) == "0.0%"


def test_a_workbook_made_before_the_setting_reads_without_a_problem() -> None:
    data, problems = reader.read_bytes(OLDER.read_bytes())
    assert problems == []
    assert data.settings.currency == ""
