"""The golden workbook: build the demo workbook, let LibreOffice recalculate every native formula,
and hold every computed cell of every sheet equal to the core's value. The mismatch dictionary
{cell: (expected, got)} must be empty and no cell may hold an error value."""

from __future__ import annotations

import io
import math
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from salesflow_xl.core import demo
from salesflow_xl.core.metrics import monthly_rate
from salesflow_xl.core.report import build_report
from salesflow_xl.workbook import dashboard, recalc, schema, template
from salesflow_xl.workbook.computed import computed_columns

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def data():
    return demo.generate()


@pytest.fixture(scope="module")
def recalculated(data):
    result = recalc.recalculate(template.to_bytes(template.build(data)))
    book = load_workbook(io.BytesIO(result.content), data_only=True)
    return result, book


def _same(expected: Any, got: Any) -> bool:
    blank = (None, "")
    if expected in blank or (isinstance(expected, float) and math.isnan(expected)):
        return got in blank
    if isinstance(expected, str) or isinstance(got, str):
        return expected == got
    return math.isclose(float(expected), float(got), rel_tol=1e-9, abs_tol=1e-9)


def test_no_cell_holds_an_error(recalculated) -> None:
    result, _ = recalculated
    assert result.formulas > 5000
    assert result.errors == {}


@pytest.mark.parametrize("key", [*schema.TABLES, "stages"])
def test_every_computed_column_equals_the_core(recalculated, data, key) -> None:
    _, book = recalculated
    spec = schema.STAGES if key == "stages" else schema.TABLES[key]
    expected = computed_columns(data, spec)
    headers = [c.header for c in spec.columns]
    sheet = book[spec.sheet]
    assert len(expected) > 0
    mismatches = {}
    for column in spec.computed:
        letter = get_column_letter(headers.index(column.header) + 1)
        for offset, value in enumerate(expected[column.header].tolist()):
            ref = f"{letter}{offset + 2}"
            got = sheet[ref].value
            if not _same(value, got):
                mismatches[f"{spec.sheet}!{ref} {column.header}"] = (value, got)
    assert mismatches == {}


def test_every_dashboard_figure_equals_the_report(recalculated, data) -> None:
    _, book = recalculated
    report = build_report(data)
    sheet = book[schema.DASHBOARD_SHEET]
    figures = dashboard.layout(data).figures()
    assert len(figures) > 80
    mismatches = {
        f.cell: (f.expected(report), sheet[f.cell].value)
        for f in figures
        if not _same(f.expected(report), sheet[f.cell].value)
    }
    assert mismatches == {}


def test_settings_formula_equals_the_core(recalculated, data) -> None:
    _, book = recalculated
    cell = template.settings_cells()["MonthlyDiscountRate"]
    got = book[schema.SETTINGS_SHEET][cell].value
    assert got == pytest.approx(monthly_rate(data.settings.annual_discount_rate), rel=1e-12)
