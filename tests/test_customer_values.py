"""Customers' Won deals, Orders, Revenue and First order: values SalesFlow derives (issue 15),
no longer a COUNTIFS or SUMIFS over the whole Deals or Orders table in every row.

The independent truth is a workbook made by SalesFlow before the change
(tests/data/demo-before-customer-values.xlsx, the demo workbook as commit 2630b8f wrote it),
whose Customers still compute those figures with formulas: LibreOffice recalculates it, and
the values SalesFlow now derives for the same data must be the figures those formulas give.
The same old workbook shows that a workbook made before the change keeps working.
"""

from __future__ import annotations

import io
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import same_cell_value
from fake_excel import FakeBook
from openpyxl import load_workbook

from salesflow_xl.actions import leads
from salesflow_xl.actions.leads import Lead
from salesflow_xl.cli import main
from salesflow_xl.gateway import run
from salesflow_xl.gateway.excel import ExcelBook
from salesflow_xl.ooxml import sheetxml
from salesflow_xl.ooxml.package import Package
from salesflow_xl.recalc import libreoffice as recalc
from salesflow_xl.workbook import cached, computed, reader, schema
from salesflow_xl.workbook.editor import Editor

OLD = Path(__file__).parent / "data" / "demo-before-customer-values.xlsx"
DERIVED = ("Won deals", "Orders", "Revenue")
AT_END = ("--date", "2026-06-30", "--at", "2026-06-30")  # the demo's pinned as-of date


def customer_cells(content: bytes, headers: tuple[str, ...]) -> dict[str, list[object]]:
    """Header → the Customers' values in that column (openpyxl, cached values)."""
    sheet = load_workbook(io.BytesIO(content), data_only=True)[schema.CUSTOMERS.sheet]
    rows = list(sheet.iter_rows(values_only=True))
    index = {h: rows[0].index(h) for h in headers}
    return {h: [r[i] for r in rows[1:] if r[0] is not None] for h, i in index.items()}


@pytest.fixture(scope="module")
def old_recalculated() -> bytes:
    return recalc.recalculate(OLD.read_bytes(), bridge=False).content


@pytest.mark.libreoffice
def test_derived_values_are_what_the_old_formulas_compute(old_recalculated) -> None:
    data = reader.read_bytes(OLD.read_bytes())[0]
    derived = computed.derived_columns(data, schema.CUSTOMERS)
    engine = customer_cells(old_recalculated, DERIVED)
    assert len(engine["Orders"]) == len(data.customers) == 150
    assert sum(engine["Orders"]) > 1000  # the formulas counted real orders
    for header in DERIVED:
        ours = cached.column_values(derived[header])
        wrong = [
            (n, a, b)
            for n, (a, b) in enumerate(zip(ours, engine[header], strict=True), 2)
            if not same_cell_value(a, b)
        ]
        assert wrong == [], header


def test_first_order_is_each_customers_earliest_order() -> None:
    data = reader.read_bytes(OLD.read_bytes())[0]
    as_of = data.settings.as_of
    earliest: dict[str, date] = {}
    for customer, day in zip(data.orders["customer_id"], data.orders["date"], strict=True):
        day = day.date()
        if day <= as_of and (customer not in earliest or day < earliest[customer]):
            earliest[customer] = day
    derived = computed.derived_columns(data, schema.CUSTOMERS)["First order"]
    got = {c: d for c, d in zip(data.customers["id"], derived, strict=True) if d is not None}
    assert {c: d.date() for c, d in got.items()} == earliest
    assert len(earliest) < len(data.customers)  # some customers have no order: blank


def test_the_template_writes_values_not_formulas() -> None:
    """The Customers' derived columns hold plain values in the table part and the sheet; the
    formulas left in the Customers read only their own row and named settings."""
    content = (Path(__file__).parents[1] / "workbook" / "SalesFlow-demo.xlsx").read_bytes()
    package = Package.from_bytes(content)
    editor = Editor(content)
    layout = editor.tables[schema.CUSTOMERS.name]
    table = package.read(layout.part).decode()
    for header in (*DERIVED, "First order"):
        assert re.search(rf'name="{header}"\s*/>', table), header
    formulas = re.findall(r"<calculatedColumnFormula>(.*?)</calculatedColumnFormula>", table)
    assert len(formulas) == len(schema.CUSTOMERS.computed) == 4
    for formula in formulas:
        assert "tblOrders" not in formula, formula
        assert "tblDeals" not in formula, formula


def test_an_older_workbook_checks_clean_and_takes_an_order(tmp_path) -> None:
    """An order on a workbook made before the change: Won deals, Orders and Revenue become
    values (their calculated-column formulas dropped), Months active keeps its old formula,
    the customer's figures grow by the order, every formula cell holds the core's value."""
    book = tmp_path / "Old.xlsx"
    shutil.copy(OLD, book)
    assert CliRunner().invoke(main, ["check", str(book)]).exit_code == 0
    before = customer_cells(book.read_bytes(), ("Customer ID", "Orders", "Revenue"))
    result = CliRunner().invoke(
        main,
        ["order", str(book), "--customer", "C0003", "--amount", "120.50", *AT_END],
    )
    assert result.exit_code == 0, result.output
    content = book.read_bytes()
    after = customer_cells(content, ("Customer ID", "Orders", "Revenue", "Months active"))
    row = before["Customer ID"].index("C0003")
    assert after["Orders"][row] == before["Orders"][row] + 1
    assert after["Revenue"][row] == pytest.approx(before["Revenue"][row] + 120.50)
    editor = Editor(content)
    layout = editor.tables[schema.CUSTOMERS.name]
    table = editor.package.read(layout.part)
    assert b"SUMIFS(tblOrders" not in table
    assert b"COUNTIFS(tblDeals" not in table
    assert b"SUMPRODUCT" in table  # the old Months active, which needs no First order
    sheet = editor.package.read(layout.sheet_part)
    cells = sheetxml.cells(sheetxml.row_at(sheet, row + 2) or b"")
    for header in DERIVED:
        assert b"<f" not in cells[f"{layout.letter(header)}{row + 2}"], header
    snapshot = reader.read_snapshot(content)
    assert snapshot.problems == []
    assert CliRunner().invoke(main, ["check", str(book)]).exit_code == 0


@pytest.mark.libreoffice
def test_libreoffice_agrees_with_an_older_workbook_after_an_action(tmp_path) -> None:
    """The older workbook after an action, recalculated by LibreOffice: every formula cell
    (the old Months active formula over the new values among them) equals the core."""
    book = tmp_path / "Old.xlsx"
    shutil.copy(OLD, book)
    args = ["order", str(book), "--customer", "C0001", "--amount", "99", "--at", "2026-06-30"]
    assert CliRunner().invoke(main, args).exit_code == 0
    snapshot = reader.read_snapshot(book.read_bytes())
    layout = Editor(book.read_bytes()).tables[schema.CUSTOMERS.name]
    columns = {schema.CUSTOMERS.sheet: {h: layout.letter(h) for h in layout.headers}}
    expected = cached.core_values(snapshot.data, snapshot.rows, columns=columns)
    result = recalc.recalculate(book.read_bytes(), bridge=False)
    assert result.errors == {}
    engine = load_workbook(io.BytesIO(result.content), data_only=True)
    sheet = schema.CUSTOMERS.sheet
    checked = dict(expected[sheet])
    assert len(checked) == len(schema.CUSTOMERS.computed) * len(snapshot.data.customers)
    wrong = {
        ref: (v, engine[sheet][ref].value)
        for ref, v in checked.items()
        if not same_cell_value(v, engine[sheet][ref].value)
    }
    assert wrong == {}


def test_excel_gives_a_new_customer_of_an_older_workbook_its_own_formulas() -> None:
    """In Excel, a lead added to an older workbook gets the Months active formula its first
    row holds (the schema's names a First order column that workbook lacks)."""
    fake = FakeBook(OLD.read_bytes())
    customers = fake.sheets[schema.CUSTOMERS.sheet]
    headers = [customers.cells.get((1, c)) for c in range(1, 30)]
    column = headers.index("Months active") + 1
    old = "=IF([@Orders]>0,MAX(1,SUMPRODUCT(MAX((tblOrders[Customer ID]=[@Customer ID]))))"
    customers.formulas[(2, column)] = old
    last = max(r for r, c in customers.cells if c == 1)
    run(
        ExcelBook(fake),
        lambda d: leads.add_lead(d, Lead(name="Ada Park"), datetime(2026, 6, 30, 9)),
    )
    assert customers.cells[(last + 1, 2)] == "Ada Park"
    assert customers.cells[(last + 1, column)] == old
    orders_column = headers.index("Orders") + 1
    assert customers.cells[(last + 1, orders_column)] == 0
