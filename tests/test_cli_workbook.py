"""The workbook commands: new, check, report, recalc."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from salesflow_xl.cli import main
from salesflow_xl.core import demo
from salesflow_xl.core.report import build_report


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def demo_book(tmp_path, runner):
    path = tmp_path / "Demo.xlsx"
    result = runner.invoke(main, ["new", str(path), "--demo"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Created {path} with 150 customers and 300 deals.\n"
    return path


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_blank_workbook_checks_clean(tmp_path, runner) -> None:
    path = tmp_path / "Sales.xlsx"
    assert runner.invoke(main, ["new", str(path)]).exit_code == 0
    result = runner.invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "OK — 0 customers, 0 deals" in result.output


def test_new_refuses_to_overwrite(demo_book, runner) -> None:
    before = digest(demo_book)
    result = runner.invoke(main, ["new", str(demo_book)])
    assert result.exit_code == 1
    assert "exists already; use --force" in result.output
    assert digest(demo_book) == before


def test_check_reports_a_text_value_and_leaves_the_file(demo_book, runner) -> None:
    book = load_workbook(demo_book)
    book["Deals"]["E5"] = "twelve hundred"
    book.save(demo_book)
    before = digest(demo_book)
    result = runner.invoke(main, ["check", str(demo_book)])
    assert result.exit_code == 1
    assert "Deals row 5, column 'Value': expected a number, found 'twelve hundred'" in result.output
    assert "Error: Demo.xlsx: 1 problem(s)" in result.output
    assert digest(demo_book) == before


def test_report_on_the_demo_workbook_equals_the_demo_report(demo_book, runner) -> None:
    result = runner.invoke(main, ["report", str(demo_book), "--json"])
    assert result.exit_code == 0, result.output
    expected = json.loads(json.dumps(build_report(demo.generate()).to_dict()))
    assert json.loads(result.output) == expected


def test_report_refuses_a_broken_workbook(demo_book, runner) -> None:
    book = load_workbook(demo_book)
    book["Deals"]["F3"] = "Maybe"
    book.save(demo_book)
    result = runner.invoke(main, ["report", str(demo_book)])
    assert result.exit_code == 1
    assert "column 'Stage'" in result.output


@pytest.mark.libreoffice
def test_recalc_stores_values_and_keeps_formulas(demo_book, runner) -> None:
    book = load_workbook(demo_book)
    formulas_before = book["Deals"]["T2"].value
    # every cell a spreadsheet computes, counted with openpyxl: formulas, and the cells an
    # array formula fills
    computed = 0
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, ArrayFormula):
                    computed += len([c for r in sheet[cell.value.ref] for c in r])
                elif isinstance(cell.value, str) and cell.value.startswith("="):
                    computed += 1
    result = runner.invoke(main, ["recalc", str(demo_book)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Recalculated {computed:,} formulas in ")
    after = load_workbook(io.BytesIO(demo_book.read_bytes()))
    assert after["Deals"]["T2"].value == formulas_before
    assert demo_book.with_name("Demo.backup.xlsx").exists()
