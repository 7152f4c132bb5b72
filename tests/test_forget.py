"""``salesflow forget``: a customer's personal data erased from the workbook, its backup and
its cache, every figure kept, one Privacy log row (issue 17). Checked against the files'
own bytes (every part unzipped), openpyxl's reading and the report before the erasure."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.table import TableColumn

from salesflow_xl.actions import erasure, privacy
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.model import Activity, Customer, Deal, Settings, StageEvent
from salesflow_xl.workbook import cache, store
from tests.conftest import DEMO_WORKBOOK, invoke, ok

OLDER = Path(__file__).parent / "data" / "demo-before-customer-values.xlsx"
#: A demo customer with deals, activities with notes and orders.
CUSTOMER = "C0127"
AT = "2026-07-01 09:30"


def out(*args: Any) -> str:
    """The standard output of a command that must succeed."""
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def personal(path: Path, customer_id: str) -> list[str]:
    """The customer's name, e-mail and phone as openpyxl reads them from the Customers sheet."""
    sheet = openpyxl.load_workbook(path)["Customers"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row[0] == customer_id:
            return [str(row[header.index(h)]) for h in ("Name", "E-mail", "Phone")]
    raise AssertionError(f"no {customer_id}")


def parts_holding(content: bytes, texts: list[str]) -> dict[str, list[str]]:
    """Part of the .xlsx ``content`` → which of ``texts`` it holds (as stored, XML-escaped or
    not), reading every part decompressed."""
    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        for name in package.namelist():
            data = package.read(name).decode("utf-8", "replace")
            hits = [t for t in texts if t in data or t.replace("&", "&amp;") in data]
            if hits:
                found[name] = hits
    return found


def figures_only(report: Any, erased: set[str]) -> Any:
    """The report with the texts of the erased customers' rows (name, company, what, title)
    taken out: what must not change."""
    if isinstance(report, dict):
        mine = report.get("customer_id") in erased
        return {
            k: figures_only(v, erased)
            for k, v in report.items()
            if not (mine and k in ("name", "company", "what", "title"))
        }
    if isinstance(report, list):
        return [figures_only(v, erased) for v in report]
    return report


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "Sales.xlsx"
    shutil.copy(DEMO_WORKBOOK, path)
    return path


def test_forget_leaves_the_person_in_no_sheet_backup_or_cache_and_every_figure_as_it_was(
    book: Path,
) -> None:
    texts = personal(book, CUSTOMER)
    # an action first: the backup and the cache then hold the person's data
    ok("log", book, "D00064", "--type", "Call", "--at", "2026-06-30", "--note", "x")
    backup = store.backup_path(book)
    assert parts_holding(backup.read_bytes(), texts)
    assert texts[0].encode() in cache.path_for(book).read_bytes()
    exported = json.loads(out("export-customer", book, CUSTOMER, "--json"))
    assert exported["activities"]
    assert exported["deals"]
    before = json.loads(out("report", book, "--json"))

    assert "Privacy log" in out("forget", book, CUSTOMER, "--at", AT)

    content = book.read_bytes()
    assert parts_holding(content, texts) == {}
    assert backup.read_bytes() == content
    assert not any(t.encode() in cache.path_for(book).read_bytes() for t in texts)
    after = json.loads(out("report", book, "--json"))
    assert after != before  # the top-customers list showed the name
    assert figures_only(after, {CUSTOMER}) == figures_only(before, {CUSTOMER})

    sheets = openpyxl.load_workbook(book)
    log = list(sheets["Privacy log"].iter_rows(values_only=True))
    assert log[0] == ("When", "Customer ID", "Erased", "Why")
    assert len(log) == 2
    when, customer, erased, why = log[1]
    assert (when, customer, why) == (datetime(2026, 7, 1, 9, 30), CUSTOMER, "erasure request")
    assert "Name" in erased
    assert "activity notes" in erased
    assert not any(t in erased for t in texts)
    # the rows are all still there: the same IDs, amounts and dates
    again = json.loads(out("export-customer", book, CUSTOMER, "--json"))
    assert again["customer"]["name"] == f"Erased customer {CUSTOMER}"

    def kept(row: dict[str, Any]) -> dict[str, Any]:
        """A row's cells but its notes, title and the Deals' Customer (the company, erased)."""
        other = {k: v for k, v in row["other_columns"].items() if k != "Customer"}
        return {k: v for k, v in row.items() if k not in {"note", "title", "other_columns"}} | {
            "other": other
        }

    for table in ("deals", "stage_log", "orders"):
        assert [kept(r) for r in again[table]] == [kept(r) for r in exported[table]]
    assert all(r["note"] is None for r in again["activities"] + again["stage_log"])
    ok("check", book)


def test_a_mention_elsewhere_is_replaced_and_a_word_that_only_contains_the_name_is_not(
    book: Path,
) -> None:
    name, email, _phone = personal(book, CUSTOMER)
    other = "D00064"  # another customer's deal
    note = f"Referred by {name} ({email.upper()}); {name}son is someone else"
    ok("log", book, other, "--type", "Call", "--at", "2026-06-30", "--note", note)
    ok("forget", book, CUSTOMER, "--at", AT)
    sheet = openpyxl.load_workbook(book)["Activities"]
    notes = [r[6] for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == other]
    erased = f"Erased customer {CUSTOMER}"
    assert f"Referred by {erased} ({erased}); {name}son is someone else" in notes


def test_the_cells_of_columns_the_user_added_are_cleared_on_the_customers_row(book) -> None:
    sheets = openpyxl.load_workbook(book)
    customers = sheets["Customers"]
    extra = customers.max_column + 1
    customers.cell(1, extra, "Home address")
    rows = {customers.cell(r, 1).value: r for r in range(2, customers.max_row + 1)}
    customers.cell(rows[CUSTOMER], extra, "Hauptstraße 1, Berlin")
    customers.cell(rows["C0003"], extra, "Kept street 2")
    table = customers.tables["tblCustomers"]
    last_row = range_boundaries(table.ref)[3]
    table.ref = table.autoFilter.ref = f"A1:{get_column_letter(extra)}{last_row}"
    table.tableColumns.append(TableColumn(id=extra, name="Home address"))
    sheets.save(book)
    ok("forget", book, CUSTOMER, "--at", AT)
    customers = openpyxl.load_workbook(book)["Customers"]
    assert customers.cell(rows[CUSTOMER], extra).value is None
    assert customers.cell(rows["C0003"], extra).value == "Kept street 2"
    assert parts_holding(book.read_bytes(), ["Hauptstraße 1"]) == {}


def test_an_older_workbook_gets_its_privacy_log_sheet(tmp_path: Path) -> None:
    book = tmp_path / "Older.xlsx"
    shutil.copy(OLDER, book)
    assert "Privacy log" not in openpyxl.load_workbook(book).sheetnames
    texts = personal(book, "C0003")
    ok("forget", book, "C0003", "--at", AT)
    ok("forget", book, "C0004", "--at", "2026-07-02 08:00", "--reason", "asked by phone")
    sheets = openpyxl.load_workbook(book)
    assert sheets.sheetnames.index("Privacy log") == sheets.sheetnames.index("Settings") + 1
    log = sheets["Privacy log"]
    assert log.tables["tblPrivacyLog"].ref == "A1:D3"
    rows = list(log.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (datetime(2026, 7, 1, 9, 30), "C0003", "erasure request"),
        (datetime(2026, 7, 2, 8, 0), "C0004", "asked by phone"),
    ]
    assert parts_holding(book.read_bytes(), texts) == {}
    ok("check", book)


def test_a_refused_erasure_writes_nothing(book: Path) -> None:
    ok("forget", book, CUSTOMER, "--at", AT)
    content = book.read_bytes()
    for args, said in (
        ((CUSTOMER,), "erased already"),
        (("nobody@example.com",), "no customer with the e-mail address"),
        (("C0003", "--reason", "a\x01b"), "control character"),
        (("C0003", "--inactive-since", "2025-01-01"), "not both"),
        ((), "name a customer"),
    ):
        result = invoke("forget", book, *args)
        assert result.exit_code != 0
        assert said in result.output, result.output
        assert book.read_bytes() == content


def test_a_chinese_workbook_logs_and_pseudonymises_in_chinese(tmp_path: Path) -> None:
    book = tmp_path / "销售.xlsx"
    ok("new", book, "--demo", "--lang", "zh-CN")
    sheets = openpyxl.load_workbook(book)
    customers = sheets["客户"]
    header = [c.value for c in customers[1]]
    first = next(customers.iter_rows(min_row=2, values_only=True))
    customer, name = first[0], first[header.index("姓名")]
    ok("forget", book, customer, "--at", AT)
    sheets = openpyxl.load_workbook(book)
    rows = list(sheets["隐私日志"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[3]) for r in rows] == [(customer, "删除请求")]
    names = [r[header.index("姓名")] for r in sheets["客户"].iter_rows(values_only=True)]
    assert f"已删除客户 {customer}" in names
    assert name not in names


# -- retention ------------------------------------------------------------------------------


def test_inactive_customers_are_those_whose_rows_all_end_before_the_date(book: Path) -> None:
    since = date(2025, 6, 1)
    listed = out("forget", book, "--inactive-since", since.isoformat())
    from salesflow_xl.gateway.file import WorkbookFile

    data = WorkbookFile(book).read()
    found = set(erasure.inactive_customers(data, since)["id"])
    assert found
    assert all(c in listed for c in found)
    others = [c for c in data.customers["id"] if c not in found][:12]
    for customer in sorted(found) + others:
        record = json.loads(out("export-customer", book, customer, "--json"))
        days = [record["customer"]["first_touch"]]
        for deal in record["deals"]:
            days += [deal[k] for k in ("created", "stage_entered", "closed", "last_activity")]
        days += [e["timestamp"][:10] for e in record["stage_log"]]
        days += [a[k] for a in record["activities"] for k in ("due", "done")]
        days += [o["date"] for o in record["orders"]]
        latest = max((d for d in days if d), default=None)
        still_open = any(d["status"] == "open" for d in record["deals"])
        expected = not still_open and (latest is None or latest < since.isoformat())
        assert (customer in found) == expected, (customer, latest, still_open)


def test_retention_erases_with_yes_and_says_why(book: Path) -> None:
    since = "2025-06-01"
    data_before = json.loads(out("report", book, "--json"))
    from salesflow_xl.gateway.file import WorkbookFile

    found = list(erasure.inactive_customers(WorkbookFile(book).read(), date(2025, 6, 1))["id"])
    ok("forget", book, "--inactive-since", since, "--yes", "--at", AT)
    log = list(openpyxl.load_workbook(book)["Privacy log"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in log] == found
    assert {r[3] for r in log} == {f"retention: no deal, activity or order since {since}"}
    after = json.loads(out("report", book, "--json"))
    assert figures_only(after, set(found)) == figures_only(data_before, set(found))
    listed = out("forget", book, "--inactive-since", since)
    assert ": 0" in listed


# -- the pure planning ----------------------------------------------------------------------

DAY = date(2026, 3, 2)


def small(name: str = "Anna", note: str = "") -> SalesData:
    return SalesData.from_records(
        Settings(as_of=DAY),
        {
            "customers": (
                Customer("C1", name, "Anna GmbH", "anna@example.com", "+49 1"),
                Customer("C2", "Bob", email="bob@example.com"),
            ),
            "deals": [
                Deal("D1", "C1", f"Beans for {name}", 100.0, "Nurturing", "open", DAY, DAY),
                Deal("D2", "C2", "Cups", 50.0, "Nurturing", "open", DAY, DAY),
            ],
            "stage_log": [StageEvent(datetime(2026, 3, 2, 9), "D1", None, "Nurturing", "hi")],
            "activities": [
                Activity("A1", None, "C1", "Call", DAY, note="own note"),
                Activity("A2", "D2", None, "Call", DAY, note=note),
            ],
        },
    )


@pytest.mark.parametrize(
    ("name", "note", "expected"),
    [
        ("Anna", "Annapolis trip with Anna.", "Annapolis trip with Erased customer C1."),
        ("Anna", "mail ANNA@example.com now", "mail Erased customer C1 now"),
        ("李娜", "联系李娜确认", "联系Erased customer C1确认"),
        ("Anna", "nothing about her", None),
    ],
)
def test_mentions_are_whole_words_in_latin_script_and_anywhere_in_others(
    name: str, note: str, expected: str | None
) -> None:
    planned = erasure.forget(small(name, note), ["C1"], datetime(2026, 3, 3, 8))
    updates = {(u.table, u.position): u.values for u in planned.changes.updates}
    assert updates.get(("activities", 1)) == (None if expected is None else {"note": expected})
    assert updates[("activities", 0)] == {"note": None}
    assert updates[("stage_log", 0)] == {"note": None}
    assert updates[("deals", 0)] == {"title": "Beans for Erased customer C1"}
    assert updates[("customers", 0)] == {
        "company": None,
        "email": None,
        "phone": None,
        "name": "Erased customer C1",
    }
    assert ("customers", 1) not in updates
    (entry,) = planned.changes.privacy_log
    assert entry["customer_id"] == "C1"
    assert name not in entry["erased"]


def test_an_e_mail_address_finds_the_customer_to_erase() -> None:
    planned = erasure.forget(small(), ["ANNA@example.com"], datetime(2026, 3, 3, 8))
    assert [e.customer_id for e in planned.erased] == ["C1"]
    with pytest.raises(privacy.UnknownCustomerError):
        erasure.forget(small(), ["C9"], datetime(2026, 3, 3, 8))


@pytest.mark.libreoffice
def test_text_a_workbook_kept_as_shared_strings_is_emptied_too(tmp_path: Path) -> None:
    """Excel and LibreOffice keep a cell's text in the shared strings; the edited cells no
    longer use the erased text, which must not stay there unused."""
    from salesflow_xl.recalc import libreoffice

    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(DEMO_WORKBOOK, source / "Sales.xlsx")
    book = libreoffice.convert(source / "Sales.xlsx", tmp_path)
    texts = personal(book, CUSTOMER)
    assert set(parts_holding(book.read_bytes(), texts)) == {"xl/sharedStrings.xml"}
    ok("forget", book, CUSTOMER, "--at", AT)
    assert parts_holding(book.read_bytes(), texts) == {}
    ok("check", book)
    sheet = openpyxl.load_workbook(book)["Customers"]
    names = [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert names.count(f"Erased customer {CUSTOMER}") == 1
    assert len([n for n in names if n]) == 150
