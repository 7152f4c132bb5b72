"""The streamed template: ``template.render`` has openpyxl build the workbook around a sample of
each data table's records and streams every row into the file itself. The file must be the one
the openpyxl-only build makes (``to_bytes(build(data), core_values(data))``), byte for byte —
for the demo, the empty workbook, and text, numbers and dates that openpyxl writes specially."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from salesflow_xl.core import demo
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.excel_errors import ExcelError
from salesflow_xl.ooxml import sheetxml
from salesflow_xl.workbook import schema, template, template_stream
from salesflow_xl.workbook.cached import core_values
from salesflow_xl.workbook.schema import Column
from salesflow_xl.workbook.template_cells import (
    formula_cell,
    number_cell,
    number_texts,
    value_cell,
)
from salesflow_xl.workbook.template_stream import cell_kind, sample_rows
from salesflow_xl.workbook.template_tables import record_key, table_value


def openpyxl_only(data: SalesData) -> bytes:
    """The workbook as openpyxl alone builds it: every cell an object, cached values set on
    the saved XML (the reference the streamed build must equal)."""
    return template.to_bytes(template.build(data), core_values(data))


def differing_parts(got: bytes, expected: bytes) -> list[str]:
    """The parts whose content differs (or that only one file has), for a failure message."""
    with zipfile.ZipFile(io.BytesIO(got)) as a, zipfile.ZipFile(io.BytesIO(expected)) as b:
        names = dict.fromkeys(a.namelist() + b.namelist())
        return [
            name
            for name in names
            if name not in a.namelist() or name not in b.namelist() or a.read(name) != b.read(name)
        ]


def assert_same_file(data: SalesData) -> None:
    got, expected = template.render(data), openpyxl_only(data)
    assert got == expected, f"parts that differ: {differing_parts(got, expected)}"


@pytest.mark.parametrize(
    ("make", "chunk_rows"),
    [
        (lambda: template.blank(date(2026, 1, 1)), None),
        (lambda: demo.generate(), 7),  # many chunks, the last one short
        (lambda: demo.generate(scale=3, seed=7), None),
    ],
    ids=["empty", "demo", "demo-x3"],
)
def test_the_streamed_workbook_is_the_openpyxl_workbook(make, chunk_rows, monkeypatch) -> None:
    if chunk_rows is not None:
        monkeypatch.setattr(template_stream, "CHUNK_ROWS", chunk_rows)
    assert_same_file(make())


#: Text openpyxl writes specially (formulas and errors kept as text, quote-prefixed,
#: whitespace kept, escaped, cut at 32,767 characters), and text SalesFlow escapes.
ODD_TEXT = [
    "=1+1",
    "+49 30 1234",
    "-5 % off",
    "@home",
    "#N/A",
    "#REF! text",
    " leading",
    "trailing ",
    "   ",
    "a & b < c > d \"q\" 'a'",
    "",
    "Café 😀 ü",
    "two\nlines",
    "tab\there",
    "cr\rhere",
    "_x0041_ literal",
    "x" * 40_000,
]


def odd_data() -> SalesData:
    """A small demo whose tables hold odd text, numbers and dates in their later rows, so that
    kinds of cell first appear after the first row."""
    data = demo.generate(scale=0.3)
    customers, deals = data.customers.copy(), data.deals.copy()
    activities, log = data.activities.copy(), data.stage_log.copy()
    for offset, text in enumerate(ODD_TEXT, start=1):
        customers.loc[len(customers) - offset, "company"] = text
        activities.loc[len(activities) - offset, "note"] = text
    last = len(deals) - 1
    deals.loc[last - 1, "value"] = 1e20
    deals.loc[last - 2, "value"] = 0.1 + 0.2
    deals.loc[last - 3, "probability"] = 1 / 3
    deals.loc[last - 4, "expected_close"] = pd.Timestamp("1900-01-15")
    deals.loc[last - 5, "expected_close"] = pd.Timestamp("9999-12-31")
    log.loc[len(log) - 1, "timestamp"] = pd.Timestamp("2026-03-04 05:06:07.891234")
    return dataclasses.replace(
        data, customers=customers, deals=deals, activities=activities, stage_log=log
    )


def test_odd_values_are_written_as_openpyxl_writes_them() -> None:
    assert_same_file(odd_data())


def test_text_no_cell_can_hold_fails_as_openpyxl_fails() -> None:
    data = demo.generate(scale=0.3)
    activities = data.activities.copy()
    activities.loc[len(activities) - 1, "note"] = "bell\x07"
    data = dataclasses.replace(data, activities=activities)
    with pytest.raises(IllegalCharacterError):
        template.build(data)
    with pytest.raises(IllegalCharacterError):
        template.render(data)


def test_openpyxl_holds_only_the_sample_rows(monkeypatch) -> None:
    built = []

    def build(*args, **kwargs):
        built.append(template_build(*args, **kwargs))
        return built[-1]

    template_build = template.build
    monkeypatch.setattr(template, "build", build)
    data = demo.generate(scale=3)
    template.render(data)
    for spec in schema.TABLES.values():
        if len(data.table(spec.key)) > 100:
            assert built[0][spec.sheet].max_row < 20, spec.sheet


def kinds(spec, records: pd.DataFrame) -> set[tuple[int, tuple[type, bool]]]:
    """(column position, kind of cell) of every value of ``records``, one by one."""
    return {
        (index, cell_kind(table_value(value, column), column))
        for index, column in enumerate(spec.columns)
        if record_key(column) in records.columns
        for value in records[record_key(column)].tolist()
    }


@pytest.mark.parametrize("spec", list(schema.TABLES.values()), ids=lambda s: s.key)
def test_the_sample_holds_every_kind_of_cell_where_it_first_appears(spec) -> None:
    records = template.table_records(odd_data())[spec.key]
    rows = sample_rows(spec, records)
    assert rows[0] == 0
    assert kinds(spec, records.iloc[rows]) == kinds(spec, records)
    for position in rows[1:]:  # each row brings a kind no earlier row has
        assert kinds(spec, records.iloc[[position]]) - kinds(spec, records.iloc[:position])


VALUES = [
    *ODD_TEXT[6:],
    True,
    0,
    -0.0,
    1.5,
    0.1 + 0.2,
    1e17,
    10**17,
    2**70,
    float("inf"),
    date(2026, 1, 2),
    date(1900, 1, 15),
    datetime(2026, 1, 2, 10, 30, 15, 123456),
    None,
]


def test_cells_are_written_as_openpyxl_writes_them() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(VALUES)
    raw = io.BytesIO()
    wb.save(raw)
    xml = zipfile.ZipFile(raw).read("xl/worksheets/sheet1.xml")
    written = sheetxml.cells(sheetxml.rows(xml)[1])
    for cell, value in zip(ws[1], VALUES, strict=True):
        style = f' s="{cell.style_id}"' if cell.has_style else ""
        expected = written.get(cell.coordinate, b"").decode()
        assert value_cell(cell.coordinate, value, style) == expected, value


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ([1.5, None, 0.1 + 0.2, float("inf"), 1e20, -0.0], "money"),
        ([3, 0, 2**40], "integer"),
        (["2026-01-02", None, "1969-12-31", "1970-01-01", "9999-12-31"], "date"),
        (["2026-01-02", None, "1900-02-28", "1900-03-01"], "date"),
        (["2026-01-02 10:30:15.123456", None, "1969-12-31 23:59:59.5"], "timestamp"),
        (["1900-01-01 06:00", "2026-01-02 10:30"], "timestamp"),
    ],
)
def test_whole_columns_are_written_as_value_by_value(values, kind) -> None:
    column = Column("X", "x", kind)
    dtype = {"money": "float64", "integer": "int64"}.get(kind, "datetime64[us]")
    series = pd.Series(values).astype(dtype)
    texts = number_texts(series, column)
    assert texts is not None
    style = ' s="1"'
    for raw, text in zip(series.tolist(), texts, strict=True):
        streamed = value_cell("A1", None, style) if text is None else number_cell("A1", text, style)
        assert streamed == value_cell("A1", table_value(raw, column), style), raw


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        7,
        -0.0,
        0.1,
        1e15,
        123456789.125,
        1e300,
        float("inf"),
        float("nan"),
        ExcelError("#DIV/0!"),
        "",
        "a<b&c>",
        "_x0041_",
        "two\nlines",
        "Café",
    ],
)
def test_cached_values_are_stored_as_set_cached_values_stores_them(value) -> None:
    cell = b'<c r="A1" s="3"><f>1+1</f><v /></c>'
    sheet = b'<worksheet><sheetData><row r="1">' + cell + b"</row></sheetData></worksheet>"
    expected = sheetxml.set_cached_values(sheet, {"A1": value})
    streamed = formula_cell("A1", ' s="3"', "1+1", value, cached=True).encode()
    assert sheet.replace(cell, streamed) == expected
    assert formula_cell("A1", ' s="3"', "1+1", None, cached=False).encode() == cell
