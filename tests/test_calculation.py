"""No full recalculation on load where SalesFlow stored every value; a full one where a sheet of
the user's own holds formulas (their stored values predate the change)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from salesflow_xl.cli import main
from salesflow_xl.ooxml import calc
from salesflow_xl.ooxml.package import Package
from salesflow_xl.workbook import build, schema

DEMO = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME


def calc_pr(path: Path) -> bytes:
    found = re.search(
        rb"<calcPr\b[^>]*>", Package.from_bytes(path.read_bytes()).read(calc.WORKBOOK)
    )
    assert found is not None
    return found.group(0)


def run(*args: object) -> None:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output


def test_a_new_workbook_is_not_recalculated_on_load(tmp_path) -> None:
    path = tmp_path / "Sales.xlsx"
    run("new", path)
    assert b"fullCalcOnLoad" not in calc_pr(path)
    assert b'calcId="191029"' in calc_pr(path)
    assert b"fullCalcOnLoad" not in calc_pr(DEMO)


def test_an_older_workbook_loses_its_full_recalculation_on_the_next_action(tmp_path) -> None:
    path = tmp_path / "Sales.xlsx"
    package = Package.from_bytes(DEMO.read_bytes())
    xml = package.read(calc.WORKBOOK)
    package.replace(
        calc.WORKBOOK,
        re.sub(rb"<calcPr\b[^>]*>", b'<calcPr calcId="124519" fullCalcOnLoad="1"/>', xml),
    )
    path.write_bytes(package.to_bytes())
    run("log", path, "D00016", "--type", "Call", "--at", "2026-06-30 10:00")
    assert calc_pr(path) == b'<calcPr calcId="191029"/>'


def test_a_sheet_of_the_users_own_with_formulas_keeps_the_full_recalculation(tmp_path) -> None:
    path = tmp_path / "Sales.xlsx"
    book = load_workbook(DEMO)
    book.create_sheet("My figures")["A1"] = "=SUM(tblDeals[Value])"
    book.save(path)
    run("log", path, "D00016", "--type", "Call", "--at", "2026-06-30 10:00")
    assert b'fullCalcOnLoad="1"' in calc_pr(path)


@pytest.mark.libreoffice
def test_libreoffice_still_computes_today_without_a_full_recalculation(tmp_path) -> None:
    """A workbook that follows the calendar, its values stored on another day, opened with
    LibreOffice's own settings: the as-of date is today, not the stored one."""
    if shutil.which("faketime") is None:
        pytest.fail("faketime is not installed: run scripts/test, which installs it")
    path = tmp_path / "Sales.xlsx"
    command = ["faketime", "2030-01-10 10:00:00", "salesflow", "new", str(path)]
    subprocess.run(command, check=True, capture_output=True)
    assert b"fullCalcOnLoad" not in calc_pr(path)
    assert load_workbook(path, data_only=True)["Dashboard"]["B2"].value.date() == date(2030, 1, 10)
    profile = (tmp_path / "profile").as_uri()
    out = tmp_path / "out"
    env = dict(os.environ, PATH="/usr/bin:/bin")  # LibreOffice's Python, not a virtualenv's
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
         "--outdir", str(out), str(path)],
        check=True, capture_output=True, env=env, timeout=300,
    )  # fmt: skip
    opened = load_workbook(out / path.name, data_only=True)
    assert opened[schema.DASHBOARD_SHEET]["B2"].value.date() == date.today()
