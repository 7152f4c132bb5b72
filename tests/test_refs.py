"""The reference and date helpers against openpyxl's functions of the same purpose."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import to_excel

from salesflow_xl.ooxml import refs


def test_every_column_letter_and_index() -> None:
    for index in range(1, 18279):
        letters = get_column_letter(index)
        assert refs.column_letter(index) == letters
        assert refs.column_index(letters) == column_index_from_string(letters) == index
    for bad in (0, 18279):
        with pytest.raises(ValueError, match="outside"):
            refs.column_letter(bad)
    with pytest.raises(ValueError, match="column letter"):
        refs.column_index("a1")


@pytest.mark.parametrize("ref", ["A1", "B2:D9", "$A$1:$C$3", "A1:XFD1048576", "A:C", "3:7"])
def test_range_bounds(ref) -> None:
    assert refs.range_bounds(ref) == range_boundaries(ref)


@given(st.datetimes(min_value=datetime(1899, 12, 31), max_value=datetime(2200, 1, 1)))
def test_excel_serials_equal_openpyxl_to_the_bit(moment) -> None:
    assert refs.excel_serial(moment) == to_excel(moment)
    assert refs.excel_serial(moment.date()) == to_excel(moment.date())


def test_excel_serials_hand_worked() -> None:
    assert refs.excel_serial(date(1900, 1, 1)) == 1  # Excel's day 1
    assert refs.excel_serial(date(1900, 3, 1)) == 61  # after the phantom 29 February 1900
    assert refs.excel_serial(datetime(2026, 6, 30, 18, 0)) == 46203.75
    assert refs.excel_serial(date(2026, 6, 30) + timedelta(days=1)) == 46204


@given(st.integers(1, 18278), st.integers(1, 1_048_576))
def test_cell_position(column, row) -> None:
    from openpyxl.utils.cell import coordinate_from_string

    ref = f"{get_column_letter(column)}{row}"
    assert refs.cell_position(ref) == coordinate_from_string(ref)


@pytest.mark.parametrize("bad", ["B", "12", "b3", "$B$3", "B3:C4", "ABCD1"])
def test_cell_position_refuses_what_is_not_one_cell(bad) -> None:
    with pytest.raises(ValueError, match="not a cell reference"):
        refs.cell_position(bad)
