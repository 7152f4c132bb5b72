"""One place for Excel's error values and the text a failing worksheet function shows: the
xlwings functions, the LibreOffice bridge and the file writer all use it."""

from __future__ import annotations

import pytest

import salesflow_udfs as udfs
from salesflow_xl.core import excel_errors
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError, UnknownStageError
from salesflow_xl.ooxml import sheetxml
from salesflow_xl.recalc import udf_bridge


def test_the_seven_error_values_in_error_type_order() -> None:
    assert excel_errors.ERRORS == (
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
    )


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (InvalidArgumentError("cost", 0, "a number > 0"), "cost must be a number > 0, got 0"),
        (UnknownStageError("D1", "no stage 'X'"), "deal D1: no stage 'X'"),
        (
            SalesflowError("the columns must have the same number of rows (2)"),
            "the columns must have the same number of rows (2)",
        ),
        (ValueError("could not convert 'x'"), "#VALUE! could not convert 'x'"),
        (TypeError("unsupported operand"), "#VALUE! unsupported operand"),
        (ZeroDivisionError("float division by zero"), "#DIV/0! float division by zero"),
        (OverflowError("math range error"), "#NUM! math range error"),
        (KeyError("Stage"), "#VALUE! 'Stage'"),
        (RuntimeError(), "#VALUE! RuntimeError"),
    ],
)
def test_cell_text(error, text) -> None:
    assert excel_errors.cell_text(error) == text


def test_worksheet_functions_show_the_same_text() -> None:
    @udfs.excel_errors
    def divide(a, b):
        return a / b

    assert divide(1, 0) == "#DIV/0! division by zero"
    assert divide(1, "x") == "#VALUE! unsupported operand type(s) for /: 'int' and 'str'"
    assert udfs.ROI(1, 0) == "cost must be a number > 0, got 0"


def test_worksheet_functions_let_a_bug_through() -> None:
    @udfs.excel_errors
    def lookup(key):
        return {}[key]

    with pytest.raises(KeyError):
        lookup("x")


def test_the_libreoffice_bridge_shows_the_same_text() -> None:
    namespace: dict = {}
    exec(udf_bridge.python_script([]), namespace)
    call = namespace["_call"]
    assert call("salesflow_udfs", "ROI", (1, 0)) == "cost must be a number > 0, got 0"
    assert call("salesflow_udfs", "ROI", (100.0, 50.0)) == 1.0
    assert call("salesflow_udfs", "NO_SUCH", ()) == (
        "#VALUE! module 'salesflow_udfs' has no attribute 'NO_SUCH'"
    )


def test_the_file_writer_stores_the_same_error_values() -> None:
    assert sheetxml.ExcelError is excel_errors.ExcelError
    cell = b'<c r="A1"><f>EXP(1000)</f></c>'
    xml = b'<worksheet><sheetData><row r="1">' + cell + b"</row></sheetData></worksheet>"
    written = sheetxml.set_cached_values(xml, {"A1": float("inf")})
    assert b'<c r="A1" t="e"><f>EXP(1000)</f><v>#NUM!</v></c>' in written
    assert str(excel_errors.ExcelError(excel_errors.DIV0)) == "#DIV/0!"
