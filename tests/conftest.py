"""Shared test helpers: small tables written inline as CSV, typed like the real ones; cell
comparisons; the command line on a copy of the demo workbook."""

from __future__ import annotations

import io
import math
import shutil
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl.utils.datetime import to_excel

from salesflow_xl.core.dataset import column_kinds, typed


def table(csv_text: str, record_type: type) -> pd.DataFrame:
    """An inline CSV (header = field names, missing fields blank) as a typed frame."""
    frame = pd.read_csv(io.StringIO(textwrap.dedent(csv_text).strip()), dtype=str)
    for name in column_kinds(record_type):
        if name not in frame:
            frame[name] = None
    frame = frame.astype(object).where(frame.notna(), None)
    return typed(frame, record_type)


@pytest.fixture(autouse=True)
def _engines_required(request: pytest.FixtureRequest) -> None:
    """Tests marked ``libreoffice`` need LibreOffice, ``browser`` needs Chromium: without them
    they fail (never skip), naming the command that installs them."""
    if request.node.get_closest_marker("libreoffice") and not (
        shutil.which("soffice") or shutil.which("libreoffice")
    ):
        pytest.fail("LibreOffice is not installed: run scripts/test, which installs it")
    if request.node.get_closest_marker("browser") and not (
        shutil.which("chromium") or shutil.which("chromium-browser")
    ):
        pytest.fail("Chromium is not installed: run scripts/test, which installs it")


def same_cell_value(expected: Any, got: Any) -> bool:
    """A cell's value as a spreadsheet engine computed it equals the core's: blanks alike,
    text exactly, numbers to 1e-9 (dates compared as Excel serial numbers)."""
    blank = (None, "")
    if expected in blank or (isinstance(expected, float) and math.isnan(expected)):
        return got in blank
    if isinstance(got, date):
        got = to_excel(got)
    if isinstance(expected, str) or isinstance(got, str) or got is None:
        return expected == got
    return math.isclose(float(expected), float(got), rel_tol=1e-9, abs_tol=1e-9)


def cell_mismatches(expected: dict[str, dict[str, Any]], book: Any) -> dict[str, tuple[Any, Any]]:
    """{"Sheet!A1": (expected, got)} for every expected cell whose value in ``book`` (an
    openpyxl workbook read with data_only) differs."""
    return {
        f"{sheet}!{ref}": (value, book[sheet][ref].value)
        for sheet, cells in expected.items()
        for ref, value in cells.items()
        if not same_cell_value(value, book[sheet][ref].value)
    }


def older_furthest_step(funnel_length: int) -> str:
    """The Deals' "Furthest step" formula of workbooks made before it became a value (full
    form, no "="): one pair of COUNTIFS over the whole stage log per funnel position."""
    from salesflow_xl.workbook import schema

    tests = "+".join(
        f'(COUNTIFS(tblStageLog[Deal ID],[@Deal ID],tblStageLog[To step],">={k}")'
        f'+COUNTIFS(tblStageLog[Deal ID],[@Deal ID],tblStageLog[From step],">={k}")>0)'
        for k in range(1, funnel_length + 1)
    )
    return schema.expand(f'IF([@Deal ID]="","",{tests})', "tblDeals")


def older_workbook(content: bytes, funnel_length: int = 4, calculated: bool = True) -> bytes:
    """``content`` as an earlier SalesFlow wrote it: the Deals' "Furthest step" a formula in
    every row (its value cached) and, with ``calculated``, the table's calculated-column
    formula (a file LibreOffice saved has the cells' formulas only)."""
    import re
    from xml.sax.saxutils import escape

    from salesflow_xl.ooxml.package import Package
    from salesflow_xl.workbook.editor import Editor

    layout = Editor(content).tables["tblDeals"]
    letter = layout.letter("Furthest step").encode()
    formula = escape(older_furthest_step(funnel_length)).encode()
    package = Package.from_bytes(content)
    cells = re.compile(rb'<c r="' + letter + rb'(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)

    def with_formula(match: re.Match[bytes]) -> bytes:
        number, attrs, body = match.group(1), match.group(2), match.group(3) or b""
        if not layout.first_row < int(number) <= layout.last_row:
            return match.group(0)  # the header
        head = b'<c r="' + letter + number + b'"' + attrs + b"><f>" + formula + b"</f>"
        return head + body + b"</c>"

    package.replace(layout.sheet_part, cells.sub(with_formula, package.read(layout.sheet_part)))
    if calculated:
        table = package.read(layout.part)
        element = b"<calculatedColumnFormula>" + formula + b"</calculatedColumnFormula>"
        table = re.sub(
            rb'name="Furthest step"\s*/>',
            lambda _: b'name="Furthest step">' + element + b"</tableColumn>",
            table,
        )
        assert element in table
        package.replace(layout.part, table)
    return package.to_bytes()


def derived_mismatches(snapshot: Any) -> dict[str, tuple[Any, Any]]:
    """{"Deals!Y5": (expected, stored)} for every derived cell (Deals' "Furthest step") whose
    stored value in ``snapshot`` (a reader Snapshot, from a file or from Excel) is not the
    core's figure for the snapshot's data."""
    from salesflow_xl.ooxml.refs import column_letter
    from salesflow_xl.workbook import cached, computed, schema

    found = {}
    for spec in schema.TABLES.values():
        if not spec.derived:
            continue
        cells = snapshot.cells[spec.sheet]
        headers = [str(h).strip() if h is not None else "" for h in cells[0]]
        frame = computed.derived_columns(snapshot.data, spec)
        for column in spec.derived:
            index = headers.index(column.header)
            values = cached.column_values(frame[column.header])
            for row, value in zip(snapshot.rows[spec.key], values, strict=True):
                line = cells[row - 1] if row <= len(cells) else []
                stored = line[index] if index < len(line) else None
                if not same_cell_value(value, stored):
                    found[f"{spec.sheet}!{column_letter(index + 1)}{row}"] = (value, stored)
    return found


# -- the command line on a copy of the demo workbook (shared by the import tests) -------------

DEMO_WORKBOOK = Path(__file__).parent.parent / "workbook" / "SalesFlow-demo.xlsx"


def demo_copy(tmp_path: Path, name: str = "Sales.xlsx") -> Path:
    """A copy of the committed demo workbook in ``tmp_path``."""
    book = tmp_path / name
    shutil.copy(DEMO_WORKBOOK, book)
    return book


def invoke(*args: Any) -> Any:
    """``salesflow`` run with ``args`` (paths and numbers as text), its click Result."""
    from click.testing import CliRunner

    from salesflow_xl.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


def ok(*args: Any) -> str:
    """The output of a command that must succeed."""
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def lite_calls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """tests/lite_udf_calls.py's report in the development environment (the worksheet
    functions called with the [cli] packages blocked and threads refused), for
    test_lite_imports and for test_lite_install to compare the fresh environment's with."""
    import sys

    from lite_udf_calls import run_with, this_tree_env

    return run_with(sys.executable, this_tree_env(), tmp_path_factory.mktemp("lite-calls"))


@pytest.fixture(scope="session")
def lite_venv(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A fresh virtual environment holding only what xlwings Lite's Python can have and
    SalesFlow's wheel (tests/lite_venv.py): ``lite_venv.run(script, *args)`` runs a script in
    it. Made once a session, for every test that needs it (about 15 s with pip's cache warm)."""
    import lite_venv as builder

    return builder.create(tmp_path_factory.mktemp("lite"))
