"""Reading a workbook: what was written comes back, and every problem is named with its sheet,
row, column, the value found and what was expected."""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from salesflow_xl.core import demo
from salesflow_xl.core.dataset import RECORD_TYPES
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.model import DEFAULT_LISTS, DEFAULT_PIPELINE
from salesflow_xl.workbook import build, reader, schema, template
from salesflow_xl.workbook import cells as cells_module
from salesflow_xl.workbook.reader import Problem


@pytest.fixture(scope="module")
def data():
    return demo.generate(seed=3)


@pytest.fixture(scope="module")
def content(data) -> bytes:
    return template.render(data)


def test_read_returns_what_was_written(data, content) -> None:
    back, problems = reader.read_bytes(content)
    assert problems == []
    for key in RECORD_TYPES:
        pd.testing.assert_frame_equal(back.table(key), data.table(key), check_index_type=False)
    assert (back.settings, back.pipeline, back.lists) == (data.settings, data.pipeline, data.lists)


def edited(content: bytes, sheet: str, cells: dict[str, object]) -> bytes:
    """The workbook with some cells changed (openpyxl is fine for making test input)."""
    book = load_workbook(io.BytesIO(content))
    for ref, value in cells.items():
        book[sheet][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("sheet", "cells", "problem"),
    [
        ("Deals", {"E5": "abc"}, Problem("Deals", 5, "Value", "abc", "a number")),
        ("Deals", {"E6": -10}, Problem("Deals", 6, "Value", -10, "a number ≥ 0")),
        (
            "Deals",
            {"H7": 1.5},
            Problem("Deals", 7, "Probability", 1.5, "a percentage from 0 % to 100 %"),
        ),
        ("Deals", {"I8": "yesterday"}, Problem("Deals", 8, "Created", "yesterday", "a date")),
        (
            "Deals",
            {"D9": None},
            Problem("Deals", 9, "Title", None, "a value (this column is required)"),
        ),
        (
            "Deals",
            {"F10": "Demo"},
            Problem(
                "Deals",
                10,
                "Stage",
                "Demo",
                "one of the stages: Lead acquisition, Nurturing, Negotiation, Closed won, "
                "Closed lost",
            ),
        ),
        (
            "Deals",
            {"B11": "C9999"},
            Problem("Deals", 11, "Customer ID", "C9999", "an ID from the Customers sheet"),
        ),
        (
            "Deals",
            {"A12": "D00001"},
            Problem("Deals", 12, "Deal ID", "D00001", "an ID not used by an earlier row"),
        ),
        (
            "Customers",
            {"F3": "Bakeries"},
            Problem(
                "Customers",
                3,
                "Segment",
                "Bakeries",
                "a value from the 'Segment' list on the Lists sheet",
            ),
        ),
        ("Orders", {"D4": True}, Problem("Orders", 4, "Amount", True, "a number")),
        ("Settings", {"B3": "soon"}, Problem("Settings", 3, "As of date", "soon", "a date")),
    ],
)
def test_problems_name_sheet_row_column_value_and_expectation(content, sheet, cells, problem):
    _, problems = reader.read_bytes(edited(content, sheet, cells))
    assert problem in problems


def test_lost_deal_without_reason(content, data) -> None:
    lost_row = int(data.deals.index[data.deals["status"] == "lost"][0]) + 2
    _, problems = reader.read_bytes(edited(content, "Deals", {f"O{lost_row}": None}))
    assert Problem("Deals", lost_row, "Lost reason", None, "a reason for a lost deal") in problems


def test_every_problem_is_collected(content) -> None:
    _, problems = reader.read_bytes(edited(content, "Deals", {"E5": "abc", "E6": "def", "I7": "x"}))
    assert [(p.row, p.column) for p in problems] == [(5, "Value"), (6, "Value"), (7, "Created")]


def test_problem_reads_well() -> None:
    problem = Problem("Deals", 5, "Value", "abc", "a number")
    assert str(problem) == "Deals row 5, column 'Value': expected a number, found 'abc'"


def test_missing_sheet_and_column(content) -> None:
    book = load_workbook(io.BytesIO(content))
    del book["Orders"]
    book["Deals"]["E1"] = "Amount"
    out = io.BytesIO()
    book.save(out)
    _, problems = reader.read_bytes(out.getvalue())
    assert Problem("Orders", None, None, None, "a sheet named 'Orders'") in problems
    assert Problem("Deals", 1, "Value", None, "this column in the header row") in problems


def test_columns_are_found_by_header_not_position(content, data) -> None:
    book = load_workbook(io.BytesIO(content))
    sheet = book["Orders"]
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row):
        row[0].value, row[1].value = row[1].value, row[0].value  # swap two columns
    out = io.BytesIO()
    book.save(out)
    back, problems = reader.read_bytes(out.getvalue())
    assert problems == []
    pd.testing.assert_frame_equal(back.orders, data.orders, check_index_type=False)


def test_not_a_workbook() -> None:
    with pytest.raises(SalesflowError, match=r"notes\.xlsx is not a readable Excel workbook"):
        reader.read_bytes(b"this is not a zip file", source="notes.xlsx")


def test_load_raises_with_every_problem(tmp_path, content) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(edited(content, "Deals", {"E5": "abc"}))
    with pytest.raises(reader.WorkbookInvalidError) as caught:
        reader.load(path)
    assert caught.value.problems == [Problem("Deals", 5, "Value", "abc", "a number")]
    assert "bad.xlsx has 1 problem(s)" in str(caught.value)


# -- the column-wise conversion equals the cell-by-cell one -----------------------------------

CELL_VALUES = st.one_of(
    st.none(),
    st.sampled_from(["", "  ", "Cafés", " cafés ", "Referral", "negotiation ", "Closed Won", "x"]),
    st.text(max_size=6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-5, 10**12),
    st.booleans(),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
    st.sampled_from([0.0, 0.5, 1.0, 1.5, -1.0, 2.0, 3.25]),
)
INPUT_COLUMNS = [(spec, column) for spec in schema.TABLES.values() for column in spec.inputs]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(INPUT_COLUMNS), st.lists(CELL_VALUES, max_size=12))
def test_column_conversion_equals_cell_by_cell(spec_column, cells) -> None:
    spec, column = spec_column
    numbers = list(range(2, 2 + len(cells)))
    by_column: list[Problem] = []
    by_cell: list[Problem] = []
    args = (DEFAULT_LISTS, DEFAULT_PIPELINE)
    got = cells_module.convert_column(by_column, spec.sheet, numbers, column, cells, *args)
    expected = [
        cells_module.convert_cell(by_cell, spec.sheet, n, column, v, *args)
        for n, v in zip(numbers, cells, strict=True)
    ]
    assert got == expected
    assert [type(v) for v in got] == [type(v) for v in expected]
    assert sorted(by_column, key=lambda p: p.row) == by_cell


def test_a_setting_labelled_twice_is_a_problem() -> None:
    """Which of two 'As of date' rows counts would be a guess: reading, writing and Excel's
    named cell could each take another one."""
    content = build.committed_workbooks()[build.DEMO_NAME]
    changed = edited(content, "Settings", {"A9": "As of date", "B9": datetime(2026, 7, 1)})
    _, problems = reader.read_bytes(changed)
    assert problems == [Problem("Settings", 9, "As of date", None, "one row only (row 3 has it)")]
