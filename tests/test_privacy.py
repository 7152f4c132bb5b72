"""``salesflow export-customer``: every row about one customer (issue 17, the answer to a
data-subject access request), checked against an independent reading of the sheets."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from salesflow_xl.actions import privacy
from salesflow_xl.actions.records import UnknownCustomerError
from salesflow_xl.cli import main
from salesflow_xl.core import i18n
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.model import Activity, Customer, Deal, Order, Settings, StageEvent
from salesflow_xl.workbook import schema

DEMO = Path(__file__).parent.parent / "workbook" / "SalesFlow-demo.xlsx"
#: A demo customer with deals, a stage log, activities and orders.
CUSTOMER = "C0003"


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def strict(text: str) -> Any:
    """JSON as RFC 8259 has it: NaN or Infinity fail."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "Sales.xlsx"
    shutil.copy(DEMO, path)
    return path


def rows_mentioning(path: Path, customer_id: str) -> dict[str, list[int]]:
    """Sheet → every row with a cell holding the customer's ID or one of their deals' IDs,
    read with openpyxl (not SalesFlow's reader)."""
    book = openpyxl.load_workbook(path, data_only=True)
    deals = book["Deals"]
    header = [c.value for c in deals[1]]
    deal_id, owner = header.index("Deal ID"), header.index("Customer ID")
    ids = {customer_id}
    ids |= {row[deal_id] for row in deals.iter_rows(min_row=2, values_only=True)
            if row[owner] == customer_id}  # fmt: skip
    found: dict[str, list[int]] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            if any(isinstance(c.value, str) and c.value.strip() in ids for c in row):
                found.setdefault(sheet.title, []).append(row[0].row)
    return found


def exported_rows(payload: dict[str, Any]) -> dict[str, list[int]]:
    """Sheet → rows of every record in the export (each record names its sheet and row)."""
    found: dict[str, list[int]] = {}
    for item in [payload["customer"], *(r for t in privacy.TABLES[1:] for r in payload[t])]:
        found.setdefault(item["sheet"], []).append(item["row"])
    return found


def test_the_export_lists_exactly_the_rows_about_the_customer(book) -> None:
    result = run("export-customer", book, CUSTOMER, "--json")
    assert result.exit_code == 0, result.output
    payload = strict(result.stdout)
    expected = rows_mentioning(book, CUSTOMER)
    assert set(expected) == {"Customers", "Deals", "StageLog", "Activities", "Orders"}
    assert exported_rows(payload) == expected
    assert {s["sheet"]: s["rows"] for s in payload["sources"]} == expected
    assert payload["customer_id"] == CUSTOMER
    assert payload["customer"]["id"] == CUSTOMER
    assert all(d["customer_id"] == CUSTOMER for d in [*payload["deals"], *payload["orders"]])


def test_the_export_holds_the_notes_and_values_as_the_sheets_do(book) -> None:
    payload = strict(run("export-customer", book, CUSTOMER, "--json").stdout)
    sheets = openpyxl.load_workbook(book, data_only=True)
    for key, sheet, field, header in (
        ("stage_log", "StageLog", "note", "Note"),
        ("activities", "Activities", "note", "Note"),
        ("orders", "Orders", "amount", "Amount"),
        ("deals", "Deals", "title", "Title"),
    ):
        column = [c.value for c in sheets[sheet][1]].index(header) + 1
        for item in payload[key]:
            assert item[field] == sheets[sheet].cell(item["row"], column).value, (key, item)
    assert any(item["note"] for item in payload["stage_log"] + payload["activities"])
    day = payload["orders"][0]["date"]
    assert date.fromisoformat(day).isoformat() == day
    assert datetime.fromisoformat(payload["stage_log"][0]["timestamp"])


def test_rows_come_from_the_sheet_not_from_positions(book) -> None:
    """A blank row inside the Orders and a column the user added to the Customers: the rows
    are the sheet's own, and the added column is in the export."""
    sheets = openpyxl.load_workbook(book)
    orders = sheets["Orders"]
    first = next(r for r in range(2, orders.max_row) if orders.cell(r, 2).value != CUSTOMER)
    for cell in orders[first]:
        cell.value = None
    customers = sheets["Customers"]
    extra = customers.max_column + 1
    customers.cell(1, extra, "Birthday note")
    row = next(r for r in range(2, customers.max_row + 1) if customers.cell(r, 1).value == CUSTOMER)
    customers.cell(row, extra, "likes oat milk")
    sheets.save(book)
    result = run("export-customer", book, CUSTOMER, "--json")
    assert result.exit_code == 0, result.output
    payload = strict(result.stdout)
    assert exported_rows(payload) == rows_mentioning(book, CUSTOMER)
    assert payload["customer"]["other_columns"]["Birthday note"] == "likes oat milk"
    text = run("export-customer", book, CUSTOMER)
    assert "likes oat milk" in text.stdout


def test_the_readable_export_names_every_sheet_and_row(book) -> None:
    result = run("export-customer", book, CUSTOMER)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    expected = rows_mentioning(book, CUSTOMER)
    for sheet, rows in expected.items():
        assert f"  {sheet}: {', '.join(map(str, rows))}" in lines
    titles = {line.strip() for line in lines}
    assert {"Deals", "StageLog", "Activities", "Orders"} <= titles
    assert f"({CUSTOMER}): Customers, row {expected['Customers'][0]}" in result.stdout


def test_an_email_address_finds_the_customer_whatever_its_case(book) -> None:
    sheets = openpyxl.load_workbook(book, read_only=True)
    email = next(
        row[3] for row in sheets["Customers"].iter_rows(values_only=True) if row[0] == CUSTOMER
    )
    result = run("export-customer", book, f" {email.upper()} ", "--json")
    assert result.exit_code == 0, result.output
    assert strict(result.stdout)["customer_id"] == CUSTOMER


@pytest.mark.parametrize("key", ["C9999", "nobody@example.com"])
def test_an_unknown_customer_is_refused_naming_what_was_looked_for(book, key) -> None:
    result = run("export-customer", book, key)
    assert result.exit_code == 1
    assert key in result.output
    assert "Customers" in result.output
    assert "Traceback" not in result.output


def test_an_address_several_customers_share_lists_them(book) -> None:
    email = "shared@example.com"
    for customer_id in ("C0003", "C0005"):
        edit = run("customer", "edit", book, customer_id, "--email", email)
        assert edit.exit_code == 0, edit.output
    result = run("export-customer", book, email.upper())
    assert result.exit_code == 1
    assert "C0003" in result.output
    assert "C0005" in result.output
    assert run("export-customer", book, "C0005").exit_code == 0


def test_a_chinese_workbook_exports_with_chinese_sections(tmp_path) -> None:
    path = tmp_path / "销售.xlsx"
    assert run("new", path, "--lang", "zh-CN", "--demo").exit_code == 0
    with i18n.use("zh-CN"):
        sheets = {key: schema.TABLES[key].sheet for key in privacy.TABLES}
        headers = [schema.DEALS.header_of("title"), schema.CUSTOMERS.header_of("email")]
    result = run("export-customer", path, CUSTOMER)
    assert result.exit_code == 0, result.output
    titles = {line.strip() for line in result.stdout.splitlines()}
    for key in privacy.TABLES[1:]:
        assert sheets[key] in titles
        assert schema.TABLES[key].sheet_name not in titles  # not the English one
    assert sheets["customers"] in result.stdout.splitlines()[0]  # the customer's sheet and row
    assert all(header in result.stdout for header in headers)
    payload = strict(run("export-customer", path, CUSTOMER, "--json").stdout)
    assert [s["sheet"] for s in payload["sources"]] == list(sheets.values())


# -- the pure planning, on inline records -----------------------------------------------------

DAY = date(2026, 3, 2)


def data(*customers: Customer) -> SalesData:
    deals = [
        Deal("D1", "C1", "Beans", 100.0, "Nurturing", "open", DAY, DAY, campaign="Spring"),
        Deal("D2", "C2", "Cups", 50.0, "Nurturing", "open", DAY, DAY),
    ]
    return SalesData.from_records(
        Settings(as_of=DAY),
        {
            "customers": customers
            or (
                Customer("C1", "Ann", email="Ann@Example.com", campaign="Spring"),
                Customer("C2", "Bob", email="bob@example.com"),
            ),
            "deals": deals,
            "stage_log": [
                StageEvent(datetime(2026, 3, 2, 9), "D1", None, "Nurturing", "called Ann"),
                StageEvent(datetime(2026, 3, 2, 9), "D2", None, "Nurturing"),
            ],
            "activities": [
                Activity("A1", None, "C1", "Call", DAY, note="no deal, on Ann"),
                Activity("A2", "D1", None, "Call", DAY, note="on Ann's deal"),
                Activity("A3", "D2", "C2", "Call", DAY),
            ],
            "orders": [Order("O1", "C2", DAY, 10.0), Order("O2", "C1", DAY, 20.0)],
        },
    )


def test_the_record_gathers_the_rows_about_one_customer() -> None:
    rows = dict.fromkeys(privacy.TABLES, (10, 12, 15))  # a blank row here and there
    record = privacy.customer_record(data(), rows, "C1")
    assert record.customer_id == "C1"
    assert record.customer.row == 10
    assert [(e.record.id, e.row) for e in record.deals] == [("D1", 10)]
    assert [e.record.note for e in record.stage_log] == ["called Ann"]
    assert [(e.record.id, e.row) for e in record.activities] == [("A1", 10), ("A2", 12)]
    assert [(e.record.id, e.row) for e in record.orders] == [("O2", 12)]
    assert record.campaigns == ("Spring",)
    assert record.sources() == {
        "customers": (10,),
        "deals": (10,),
        "stage_log": (10,),
        "activities": (10, 12),
        "orders": (12,),
    }


def test_without_rows_a_record_has_no_row_numbers() -> None:
    record = privacy.customer_record(data(), None, "c1")
    assert record.customer.row is None
    assert record.sources() == {}
    payload = record.as_json({t: t for t in privacy.TABLES})
    assert payload["stage_log"][0]["timestamp"] == "2026-03-02T09:00:00"
    assert payload["orders"][0] == {
        "sheet": "orders",
        "row": None,
        "id": "O2",
        "customer_id": "C1",
        "date": "2026-03-02",
        "amount": 20.0,
        "other_columns": {},
    }
    assert strict(json.dumps(payload)) == payload


def test_the_finder_takes_an_id_or_an_address_and_refuses_the_rest() -> None:
    assert privacy.find_customer(data(), " C2 ") == "C2"
    assert privacy.find_customer(data(), "ANN@example.COM") == "C1"
    with pytest.raises(UnknownCustomerError, match="C3"):
        privacy.find_customer(data(), "C3")
    with pytest.raises(UnknownCustomerError, match=r"eve@example\.com"):
        privacy.find_customer(data(), "eve@example.com")
    twins = data(Customer("C1", "Ann", email="a@x.io"), Customer("C2", "Bob", email="A@x.io"))
    with pytest.raises(privacy.AmbiguousCustomerError) as raised:
        privacy.find_customer(twins, "a@x.io")
    assert raised.value.customer_ids == ("C1", "C2")
    assert "C1 (Ann), C2 (Bob)" in str(raised.value)


def test_other_cells_are_the_rows_cells_the_record_does_not_hold() -> None:
    record = privacy.customer_record(data(), dict.fromkeys(privacy.TABLES, (2, 3)), "C1")
    grid = [
        ["Customer ID", "Name", "CLV", "Hobby", None],
        ["C1", "Ann", 120.5, "  ", "stray"],
        ["C2", "Bob", 0.0, "chess", None],
    ]
    filled = privacy.with_other_cells(record, {"customers": (grid, {"Customer ID", "Name"})})
    assert filled.customer.other == {"CLV": 120.5, "column E": "stray"}
    assert filled.deals == record.deals
