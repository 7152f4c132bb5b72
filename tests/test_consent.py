"""Marketing consent (issue 17): the Customers' Marketing consent, Consent date, Consent
source and Data source columns; `salesflow export-contacts` lists only customers whose consent
is yes, and its CSV never carries a formula; imports map an export's consent column; a
workbook made before these columns keeps working and says how to add them."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from salesflow_xl.core import i18n
from salesflow_xl.workbook import reader
from tests.conftest import demo_copy, invoke
from tests.conftest import ok as run

ROOT = Path(__file__).parent.parent
OLDER = Path(__file__).parent / "data" / "demo-before-customer-values.xlsx"


@pytest.fixture
def book(tmp_path) -> Path:
    return demo_copy(tmp_path)


def customers(path: Path):
    return reader.load(path).customers.set_index("id")


def test_consent_is_kept_with_its_date_and_source(book) -> None:
    run("customer", "edit", book, "C0003", "--consent", "YES ", "--consent-date", "2026-06-01",
        "--consent-source", "web form", "--source", "trade fair card")  # fmt: skip
    row = customers(book).loc["C0003"]
    assert (row["consent"], row["consent_source"], row["source"]) == (
        "yes",
        "web form",
        "trade fair card",
    )
    assert row["consent_date"].date().isoformat() == "2026-06-01"
    refused = invoke("customer", "edit", book, "C0004", "--consent", "maybe")
    assert refused.exit_code == 1
    assert "marketing consent must be one of yes, no, unknown, got 'maybe'" in refused.output
    assert run("check", book).startswith("Sales.xlsx: OK")


def test_only_customers_who_said_yes_are_exported(book, tmp_path) -> None:
    data = reader.load(book)
    hotels = data.customers.loc[data.customers["segment"] == "Hotels", "id"].tolist()[:2]
    other = data.customers.loc[data.customers["segment"] != "Hotels", "id"].tolist()[:1]
    for customer in [*hotels, *other]:
        run("customer", "edit", book, customer, "--consent", "yes")
    run("customer", "edit", book, hotels[1], "--company", '=HYPERLINK("http://x","y")')
    nos = data.customers["id"].tolist()[-2:]
    run("customer", "edit", book, nos[0], "--consent", "no")
    out = tmp_path / "mailing.csv"
    assert "Wrote 3 consenting customer(s)" in run("export-contacts", book, "--csv", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel opens it as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["Customer ID"] for r in rows] == sorted([*hotels, *other])
    assert nos[0] not in {r["Customer ID"] for r in rows}
    company = next(r["Company"] for r in rows if r["Customer ID"] == hotels[1])
    assert company == '\'=HYPERLINK("http://x","y")'  # shown as text, never run
    segment = tmp_path / "hotels.csv"
    run("export-contacts", book, "--segment", "hotels", "--csv", segment)
    ids = [r["Customer ID"] for r in csv.DictReader(io.StringIO(segment.read_text("utf-8-sig")))]
    assert ids == hotels
    assert invoke("export-contacts", book, "--segment", "Pets").exit_code == 1


def test_a_chinese_workbook_writes_its_own_words(tmp_path) -> None:
    path = tmp_path / "网店.xlsx"
    run("new", path, "--lang", "zh-CN", "--preset", "ecommerce", "--demo")
    run("customer", "edit", path, "C0001", "--consent", "yes")  # the English word is understood
    run("customer", "edit", path, "C0002", "--consent", "否")
    with i18n.use("zh-CN"):
        found = reader.read_bytes(path.read_bytes())[0].customers.set_index("id")["consent"]
    assert (found["C0001"], found["C0002"]) == ("是", "否")
    assert "C0001" in run("export-contacts", path)


def test_an_import_maps_consent_and_records_the_data_source(book, tmp_path) -> None:
    source = tmp_path / "shop-customers.csv"
    source.write_text(
        "First Name,Last Name,Email,Accepts Email Marketing\n"
        "Ada,Park,ada@park.example,yes\n"
        "Bo,Lind,bo@lind.example,no\n"
        "Cy,Moss,cy@moss.example,\n",
        encoding="utf-8",
    )
    run("import", book, source, "--kind", "contacts", "--at", "2026-06-30 10:00")
    new = customers(book).set_index("email")
    assert new.loc["ada@park.example", "consent"] == "yes"
    assert new.loc["bo@lind.example", "consent"] == "no"
    assert new.loc["cy@moss.example", "consent"] is None  # unknown: never taken for a yes
    assert set(new.loc[["ada@park.example", "cy@moss.example"], "source"]) == {"shop-customers.csv"}


def test_an_older_workbook_keeps_working_and_says_how_to_add_a_column(tmp_path) -> None:
    path = tmp_path / "Old.xlsx"
    shutil.copy(OLDER, path)
    run("add-lead", path, "--name", "Ada Park", "--at", "2026-06-30 10:00")
    run("stage", "add", path, "Proposal", "--probability", "40%")
    before = path.read_bytes()
    refused = invoke("customer", "edit", path, "C0003", "--consent", "yes")
    assert refused.exit_code == 1
    assert "'Marketing consent' column yet" in refused.output
    assert "type the header" in refused.output
    refused = invoke("stage", "set", path, "Proposal", "--follow-up-days", "2")
    assert refused.exit_code == 1
    assert "'Follow up after (days)' column yet" in refused.output
    assert path.read_bytes() == before  # nothing written
    assert run("check", path).startswith("Old.xlsx: OK")
