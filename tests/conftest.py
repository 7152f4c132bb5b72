"""Shared test helpers: small tables written inline as CSV, typed like the real ones."""

from __future__ import annotations

import io
import math
import shutil
import textwrap
from datetime import datetime
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
    if isinstance(got, datetime):
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
