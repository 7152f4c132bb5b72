"""The golden workbook: build the demo workbook, let LibreOffice recalculate every native formula,
and hold every formula cell of every sheet equal to the core's value. The mismatch dictionary
{cell: (expected, got)} must be empty and no cell may hold an error value."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from conftest import cell_mismatches, same_cell_value
from openpyxl import load_workbook

from salesflow_xl.core import demo
from salesflow_xl.core.report import build_report
from salesflow_xl.ooxml.package import Package
from salesflow_xl.ooxml.sheetxml import computed_cells
from salesflow_xl.recalc import libreoffice as recalc
from salesflow_xl.workbook import analytics, cached, dashboard, schema, template

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def data():
    return demo.generate()


@pytest.fixture(scope="module")
def recalculated(data):
    # no cached values in the input: every value read back was computed by LibreOffice
    result = recalc.recalculate(template.to_bytes(template.build(data)))
    return result, load_workbook(io.BytesIO(result.content), data_only=True)


def test_no_cell_holds_an_error(recalculated) -> None:
    result, _ = recalculated
    assert result.formulas > 5000
    assert result.errors == {}


def test_every_formula_cell_equals_the_core(recalculated, data) -> None:
    result, book = recalculated
    expected = cached.core_values(data)
    package = Package.from_bytes(result.content)
    mismatches: dict[str, tuple[Any, Any]] = {}
    without_core_value = []
    checked = 0
    for sheet, part in package.sheet_parts().items():
        for ref in computed_cells(package.read(part)):
            if ref not in expected.get(sheet, {}):
                without_core_value.append(f"{sheet}!{ref}")
                continue
            checked += 1
            got = book[sheet][ref].value
            if not same_cell_value(expected[sheet][ref], got):
                mismatches[f"{sheet}!{ref}"] = (expected[sheet][ref], got)
    assert without_core_value == []
    assert mismatches == {}
    assert checked == result.formulas


def test_dashboard_win_rate_counted_by_hand(recalculated, data) -> None:
    _, book = recalculated
    won = int((data.deals["status"] == "won").sum())
    lost = int((data.deals["status"] == "lost").sum())
    win_rate = next(f for label, f in dashboard.layout(data).kpis if label == "Win rate")
    assert book[schema.DASHBOARD_SHEET][win_rate.cell].value == pytest.approx(won / (won + lost))


def test_ever_reached_counts_the_furthest_steps_as_the_core_does(recalculated, data) -> None:
    """The Dashboard's "ever reached" column counts the deals' "Furthest step" — values
    SalesFlow writes from the stage log — and LibreOffice's counts are the core's."""
    _, book = recalculated
    first, last = dashboard.layout(data).funnel_rows
    counted = [book[schema.DASHBOARD_SHEET][f"E{r}"].value for r in range(first, last + 1)]
    reached = build_report(data).stage_conversion["reached"].tolist()
    assert counted == reached
    assert reached[0] == len(data.deals)
    assert reached == sorted(reached, reverse=True)


def test_monthly_discount_rate_setting(recalculated, data) -> None:
    _, book = recalculated
    ref = cached.settings_refs()["MonthlyDiscountRate"]
    # (1 + 10 %)^(1/12) − 1, the demo's 10 % a year as a monthly rate
    assert data.settings.annual_discount_rate == 0.1
    assert book[schema.SETTINGS_SHEET][ref].value == pytest.approx(1.1 ** (1 / 12) - 1)


def test_core_cached_values_are_what_libreoffice_computes(data) -> None:
    """The file SalesFlow writes already carries the core's figures as cached values."""
    book = load_workbook(io.BytesIO(template.render(data)), data_only=True)
    expected = cached.core_values(data)
    assert cell_mismatches(expected, book) == {}


def test_recalc_changes_only_the_formula_sheets(recalculated, data) -> None:
    result, _ = recalculated
    original = Package.from_bytes(template.to_bytes(template.build(data)))
    after = Package.from_bytes(result.content)
    changed = {name for name in original.parts if original.parts[name] != after.parts[name]}
    assert list(original.parts) == list(after.parts)
    assert changed <= set(original.sheet_parts().values())
    assert "xl/charts/chart1.xml" in original.parts


def test_every_excel_function_cell_equals_its_native_twin(recalculated, data) -> None:
    """Analytics: each SalesFlow function (evaluated by LibreOffice through the bridge to the
    very Python code Excel runs) equals the native formula beside it."""
    _, book = recalculated
    sheet = book[analytics.SHEET]
    rows = analytics.layout(data).rows
    assert len(rows) >= 19
    differences = {
        f"row {row} {comparison.label}": (sheet[f"B{row}"].value, sheet[f"C{row}"].value)
        for row, comparison in rows
        if not same_cell_value(sheet[f"C{row}"].value, sheet[f"B{row}"].value)
    }
    assert differences == {}


def test_the_empty_templates_placeholder_rows_stay_blank() -> None:
    """A new workbook's tables have one blank row; recalculated, none of its computed or
    derived cells shows a 0 or a day count since 1900 (46,356 "days overdue" before)."""
    result = recalc.recalculate(template.render(template.blank(date(2026, 6, 30))))
    book = load_workbook(io.BytesIO(result.content), data_only=True)
    shown = {}
    for spec in schema.all_tables():
        if spec.key == "stages":
            continue  # the pipeline's own rows are not blank
        sheet = book[spec.sheet]
        headers = [c.value for c in sheet[1]]
        for column in (*spec.computed, *spec.derived):
            value = sheet.cell(row=2, column=headers.index(column.header) + 1).value
            if value not in (None, ""):
                shown[f"{spec.sheet}!{column.header}"] = value
    assert shown == {}


def test_without_the_add_in_analytics_shows_no_error_and_says_why(data) -> None:
    """LibreOffice without SalesFlow's bridge knows none of its functions, as Excel without the
    add-in: no cell holds an error, each function cell says the add-in is needed, the table
    functions stay blank, the banner says what is missing, and every native twin still equals
    the core."""
    result = recalc.recalculate(template.to_bytes(template.build(data)), bridge=False)
    assert result.errors == {}
    book = load_workbook(io.BytesIO(result.content), data_only=True)
    sheet = book[analytics.SHEET]
    assert sheet[analytics.BANNER_CELL].value == analytics.BANNER_MISSING
    plan = analytics.layout(data)
    expected = analytics.expected_cells(data, build_report(data))
    for row, _comparison in plan.rows:
        assert sheet[f"B{row}"].value == analytics.WITHOUT_ADDIN
        assert same_cell_value(expected[f"C{row}"], sheet[f"C{row}"].value), row
    for block in plan.blocks:
        assert {cell.value for line in sheet[block.ref] for cell in line} <= {None, ""}
