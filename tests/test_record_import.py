"""Importing existing data (issue 19, "Bring your existing data"): contacts, deals with their own
stages, and past activities, from the sample CRM exports in tests/data/imports/.

Every expectation below was worked out by hand from the sample files (their rows, line numbers,
stages, amounts and dates), never taken from the import's own output.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from conftest import demo_copy, invoke, ok

from salesflow_xl.actions import record_import
from salesflow_xl.actions.csv_rows import header_key
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.report import build_report
from salesflow_xl.workbook import build, reader

DEMO = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME
DATA = Path(__file__).parent / "data" / "imports"
AT = ["--at", "2026-06-30 12:00"]

#: HubSpot's default sales pipeline stages onto the demo workbook's open stages.
HUBSPOT_STAGES = {
    "Appointment Scheduled": "Lead acquisition",
    "Qualified To Buy": "Nurturing",
    "Presentation Scheduled": "Nurturing",
    "Decision Maker Bought-In": "Negotiation",
    "Contract Sent": "Negotiation",
}
#: Pipedrive's default stages onto the demo workbook's open stages.
PIPEDRIVE_STAGES = {
    "Qualified": "Lead acquisition",
    "Contact Made": "Nurturing",
    "Demo Scheduled": "Nurturing",
    "Proposal Made": "Negotiation",
    "Negotiations Started": "Negotiation",
}
#: Salesforce's standard stages onto the demo workbook's open stages.
SALESFORCE_STAGES = {
    "Prospecting": "Lead acquisition",
    "Qualification": "Lead acquisition",
    "Needs Analysis": "Nurturing",
    "Value Proposition": "Nurturing",
    "Id. Decision Makers": "Nurturing",
    "Perception Analysis": "Nurturing",
    "Proposal/Price Quote": "Negotiation",
    "Negotiation/Review": "Negotiation",
}

#: hubspot-deals.csv by hand, per line: title → (stage, status, value, created,
#: expected close, closed, lost reason). "Close Date" is the expected close of an open deal
#: and the closing day of a won or lost one; a blank amount is 0.
D = date
HUBSPOT_DEALS: dict[str, tuple[Any, ...]] = {
    "Quill & Co - website refresh": (
        "Closed won", "won", 4800.0, D(2024, 1, 10), None, D(2024, 2, 28), None
    ),
    "Ferreira Bakery - POS bundle": (
        "Negotiation", "open", 12500.0, D(2024, 1, 16), D(2024, 4, 15), None, None
    ),
    "Hart Bakery - loyalty app": (
        "Nurturing", "open", 7200.0, D(2024, 2, 2), D(2024, 5, 31), None, None
    ),
    "Mori Logistics - route audit": (
        "Nurturing", "open", 15000.0, D(2024, 2, 10), D(2024, 6, 30), None, None
    ),
    "Nair Textiles - catalogue shoot": (
        "Closed lost", "lost", 3200.0, D(2024, 2, 13), None, D(2024, 3, 1),
        "Went with a cheaper competitor",
    ),
    "杭州云帆 - 年度维护合同": (
        "Negotiation", "open", 88000.0, D(2024, 2, 21), D(2024, 4, 30), None, None
    ),
    "Adeyemi Studio - brand kit": (
        "Lead acquisition", "open", 2500.0, D(2024, 3, 15), D(2024, 5, 15), None, None
    ),
    "Nordic Paper - annual renewal": (
        "Closed won", "won", 12400.5, D(2023, 12, 1), None, D(2024, 2, 27), None
    ),
    "Greenleaf Florist - webshop": (
        "Closed lost", "lost", 1800.0, D(2024, 3, 1), None, D(2024, 3, 10), "No budget"
    ),
    "Moreau Vins - export labels": (
        "Nurturing", "open", 5400.0, D(2024, 3, 5), D(2024, 6, 15), None, None
    ),
    "O'Neill Design - partnership": (
        "Closed won", "won", 9600.0, D(2023, 10, 3), None, D(2024, 1, 31), None
    ),
    "Quill & Co - retainer 2024": (
        "Lead acquisition", "open", 0.0, D(2024, 3, 18), D(2024, 7, 1), None, None
    ),
    "Ferreira Bakery - second store fit-out": (
        "Closed lost", "lost", 22000.0, D(2024, 1, 20), None, D(2024, 3, 20),
        "Timing - postponed to next year",
    ),
    "Nordic Paper - print pilot": (
        "Negotiation", "open", 3100.0, D(2024, 3, 8), D(2024, 4, 30), None, None
    ),
}  # fmt: skip


# -- helpers ----------------------------------------------------------------------------------


def stage_map(pairs: dict[str, str]) -> list[str]:
    return [
        option for source, stage in pairs.items() for option in ("--stage-map", f"{source}={stage}")
    ]


def day(value: Any) -> date | None:
    """A cell read back by the reader (Timestamp, NaT, None) as a date or None."""
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def added_rows(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``after`` whose ID ``before`` lacks (what an import added)."""
    return after[~after["id"].isin(set(before["id"]))].reset_index(drop=True)


def lines_with(output: str, *parts: str) -> list[str]:
    return [line for line in output.splitlines() if all(p in line for p in parts)]


def import_hubspot_deals(book: Path) -> str:
    return ok("import", book, DATA / "hubspot-deals.csv", *stage_map(HUBSPOT_STAGES), *AT)


# -- 1. contacts in the common CRM export layout ---------------------------------------------


def test_hubspot_contacts_arrive_with_full_names_and_companies_without_deals(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    output = ok("import", book, DATA / "hubspot-contacts.csv", "--kind", "contacts", *AT)
    after = reader.load(book)

    new = added_rows(before.customers, after.customers)
    # 12 rows; Mara Quill's second row (line 9, e-mail in capitals with spaces) merges
    assert len(new) == 11
    named = dict(zip(new["name"], new["company"], strict=True))
    assert named["Mara Quill"] == "Quill & Co"
    assert named["Tomás Ferreira"] == "Ferreira Bakery"
    assert named["Lena Hart"] == "Hart Bakery"
    assert named["Kenji Mori"] == "Mori Logistics"
    assert named["Priya Nair"] == "Nair Textiles"
    assert named["王小明"] == "杭州云帆科技有限公司"  # First Name 小明, Last Name 王
    assert named["Olu Adeyemi"] == '=HYPERLINK("http://example.com","Adeyemi Studio")'
    assert named["Sofia Lindqvist"] == "Nordic Paper AB"
    assert named["Jean-Luc Moreau"] == "Moreau Vins, SARL"
    assert named["Grace O'Neill"] == "O'Neill Design"
    greenleaf = new[new["email"] == "info@greenleaf.example.com"]
    assert greenleaf["company"].tolist() == ["Greenleaf Florist"]
    assert list(new["name"]).count("Mara Quill") == 1

    mara = new[new["name"] == "Mara Quill"].iloc[0]
    assert mara["email"] == "mara.quill@quillandco.example.com"
    assert mara["phone"] == "+44 20 7946 0101"
    assert day(mara["first_touch"]) == date(2024, 1, 8)
    olu = new[new["name"] == "Olu Adeyemi"].iloc[0]
    assert day(olu["first_touch"]) == date(2024, 3, 15)  # "3/15/2024 2:30 PM"

    # customers only: no deal, no stage change
    assert len(after.deals) == len(before.deals)
    assert len(after.stage_log) == len(before.stage_log)
    merged = lines_with(output, "line 9")
    assert len(merged) == 1
    assert "Mara Quill" in merged[0]
    assert "Skipped" not in output


# -- 2. a Chinese-headed GBK list -------------------------------------------------------------


def test_a_gbk_chinese_contact_list_imports_without_a_mapping(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    result = invoke("import", book, DATA / "chinese-contacts.csv", *AT)
    assert result.exit_code == 0, result.output
    after = reader.load(book)

    new = added_rows(before.customers, after.customers)
    expected = [  # by hand from the file; line 6 (王小明 again, e-mail in other case) merges
        ("王小明", "杭州云帆科技有限公司", "xiaoming.wang@example.cn"),
        ("李娜", "上海青禾文化传媒有限公司", "lina@qinghe.example.cn"),
        ("欧阳娜娜", "深圳瑞和电子有限公司", None),
        ("张伟", "北京北辰咨询有限公司", "zhang.wei@beichen.example.cn"),
        ("陈静", '=HYPERLINK("http://example.cn","蜀锦贸易")', "chenjing@shujin.example.cn"),
        ("刘洋", "广州百川物流有限公司", "liuyang@baichuan.example.cn"),
        ("赵敏", "南京金陵食品有限公司", "zhaomin@jinling.example.cn"),
        ("孙磊", None, "sunlei@example.cn"),
        ("周婷", "苏州嘉禾家具有限公司", "zhouting@jiahe.example.cn"),
        ("吴强", "重庆山城餐饮管理有限公司", "wuqiang@shancheng.example.cn"),
        ("Emily Chen", "Pacific Trade Ltd", "emily.chen@pacifictrade.example.com"),
    ]
    got = [
        (r.name, None if blank(r.company) else r.company, None if blank(r.email) else r.email)
        for r in new.itertuples()
    ]
    assert got == expected
    wang = new[new["name"] == "王小明"].iloc[0]
    assert wang["phone"] == "+86 138 0013 8000"
    assert day(wang["first_touch"]) == date(2024, 3, 5)  # 2024/3/5
    assert day(new[new["name"] == "欧阳娜娜"].iloc[0]["first_touch"]) == date(2024, 3, 7)  # 年月日
    # a lead list: one deal in the first stage per new customer
    assert len(after.deals) == len(before.deals) + 11
    assert lines_with(result.output, "line 6", "王小明")
    assert "GB18030" in result.output  # the guessed encoding is said


# -- 3. split Chinese names on a named sheet --------------------------------------------------


def test_chinese_split_names_join_family_name_first_on_the_named_sheet(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    source = DATA / "chinese-contacts-split.xlsx"

    # the first sheet is the instructions: without --sheet the error names the sheets
    refused = invoke("import", book, source, "--kind", "contacts", *AT)
    assert refused.exit_code != 0
    assert "客户" in refused.output
    assert "--sheet" in refused.output
    assert book.read_bytes() == DEMO.read_bytes()

    output = ok("import", book, source, "--sheet", "客户", "--kind", "contacts", *AT)
    new = added_rows(before.customers, reader.load(book).customers)
    assert new["name"].tolist() == [
        "王小明",  # 王 + 小明
        "欧阳娜娜",  # compound surname
        "李娜",
        "司马晓峰",
        "John Smith",  # 姓 Smith, 名 John: a Western name, given name first with a space
        "陈静",
        "刘洋",
        "黄磊",  # " 黄 " + "磊 "
        "赵",  # only 姓
    ]
    assert new["company"].tolist()[:2] == ["杭州云帆科技有限公司", "深圳瑞和电子有限公司"]
    assert new[new["name"] == "王小明"]["phone"].tolist() == ["13800138000"]  # a number cell
    assert lines_with(output, "row 7", "王小明")  # the second 王 小明 merges


# -- 4. deals with their own stage names ------------------------------------------------------


def test_hubspot_deals_land_in_the_mapped_stages_with_their_values_and_dates(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    output = import_hubspot_deals(book)
    after = reader.load(book)

    new = added_rows(before.deals, after.deals)
    assert sorted(new["title"]) == sorted(HUBSPOT_DEALS)
    for deal in new.itertuples():
        stage, status, value, created, expected, closed, reason = HUBSPOT_DEALS[deal.title]
        assert (deal.stage, deal.status) == (stage, status), deal.title
        assert deal.value == pytest.approx(value), deal.title
        assert day(deal.created) == created, deal.title
        assert day(deal.expected_close) == expected, deal.title
        assert day(deal.closed) == closed, deal.title
        assert (None if blank(deal.lost_reason) else deal.lost_reason) == reason, deal.title
    # the lost reasons the workbook lacked are added to its list
    assert "Went with a cheaper competitor" in after.lists.lost_reasons
    assert "Timing - postponed to next year" in after.lists.lost_reasons

    # customers by contact and company: Quill, Ferreira and Nordic Paper have two deals each
    customers = after.customers.set_index("id")
    owner = {
        t: customers.loc[c, "name"] for t, c in zip(new["title"], new["customer_id"], strict=True)
    }
    assert owner["Quill & Co - website refresh"] == "Mara Quill"
    assert owner["Greenleaf Florist - webshop"] == "Greenleaf Florist"  # company only
    same = new.set_index("title")["customer_id"]
    assert same["Quill & Co - website refresh"] == same["Quill & Co - retainer 2024"]
    assert same["Nordic Paper - annual renewal"] == same["Nordic Paper - print pilot"]
    assert len(added_rows(before.customers, after.customers)) == 11

    # each imported deal's history starts with one entry naming the file, from blank to its
    # stage; a lost deal's (3 in the file) enters at the first stage, then a second entry
    # takes it to Closed lost
    log = after.stage_log.iloc[len(before.stage_log) :]
    assert len(log) == len(new) + 3 == 17
    first = log.groupby("deal_id").head(1)
    assert sorted(first["deal_id"]) == sorted(new["id"])
    stages = new.set_index("id")["stage"]
    for entry in first.itertuples():
        assert blank(entry.from_stage), entry
        expected = "Lead acquisition" if stages[entry.deal_id] == "Closed lost" else None
        assert entry.to_stage == (expected or stages[entry.deal_id])
        assert "hubspot-deals.csv" in entry.note
    closing = log.drop(first.index)
    assert sorted(closing["deal_id"]) == sorted(new.loc[new["stage"] == "Closed lost", "id"])
    assert set(closing["from_stage"]) == {"Lead acquisition"}
    assert set(closing["to_stage"]) == {"Closed lost"}
    assert "Skipped" not in output

    check = invoke("check", book)
    assert check.exit_code == 0, check.output


def test_the_report_counts_the_imported_deals(tmp_path) -> None:
    """By hand from hubspot-deals.csv with HUBSPOT_STAGES: Lead acquisition 2 (Adeyemi, Quill
    retainer), Nurturing 3, Negotiation 3, Closed won 3, Closed lost 3."""
    book = demo_copy(tmp_path)
    old = build_report(reader.load(book))
    import_hubspot_deals(book)
    new = build_report(reader.load(book))

    deals = new.funnel.set_index("stage")["deals"] - old.funnel.set_index("stage")["deals"]
    assert deals.to_dict() == {
        "Lead acquisition": 2,
        "Nurturing": 3,
        "Negotiation": 3,
        "Closed won": 3,
        "Closed lost": 3,
    }
    value = new.funnel.set_index("stage")["value"] - old.funnel.set_index("stage")["value"]
    assert value.to_dict() == pytest.approx(
        {
            "Lead acquisition": 2500.0,  # 2500 + blank
            "Nurturing": 27600.0,  # 7200 + 15000 + 5400
            "Negotiation": 103600.0,  # 12500 + 88000 + 3100
            "Closed won": 26800.5,  # 4800 + 12400.50 + 9600
            "Closed lost": 27000.0,  # 3200 + 1800 + 22000
        }
    )
    # reached a stage or a later one: open deals their stage, won deals every stage
    reached = (
        new.stage_conversion.set_index("stage")["reached"]
        - old.stage_conversion.set_index("stage")["reached"]
    )
    assert reached["Nurturing"] == 3 + 3 + 3  # Nurturing, Negotiation and won deals
    assert reached["Negotiation"] == 3 + 3
    assert reached["Closed won"] == 3
    assert new.totals["won"] - old.totals["won"] == 3
    assert new.totals["lost"] - old.totals["lost"] == 3
    assert new.closed["won"] - old.closed["won"] == 3  # all closed in 2024, before the as-of
    assert new.closed["lost"] - old.closed["lost"] == 3
    assert new.totals["deals"] - old.totals["deals"] == 14


def test_imported_lost_deals_count_as_having_entered_the_pipeline(tmp_path) -> None:
    """Every deal of the file was in the pipeline, so each reached its first stage: the
    funnel's first row goes up by all 14, as it counts every one of the demo's deals (lost
    ones included). The 3 lost deals' only stage-log entry is blank → Closed lost."""
    book = demo_copy(tmp_path)
    old = build_report(reader.load(book))
    assert old.stage_conversion["reached"].iloc[0] == len(reader.load(book).deals)
    import_hubspot_deals(book)
    new = build_report(reader.load(book))
    first = new.stage_conversion["reached"].iloc[0] - old.stage_conversion["reached"].iloc[0]
    assert first == 14


# -- 5. unknown stages without --stage-map ----------------------------------------------------


def test_without_a_stage_map_unknown_stages_are_skipped_and_listed(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    # lines (header = line 1) whose HubSpot stage the demo workbook does not know
    unknown = {
        3: "Contract Sent",
        4: "Presentation Scheduled",
        5: "Qualified To Buy",
        7: "Decision Maker Bought-In",
        8: "Appointment Scheduled",
        11: "Qualified To Buy",
        13: "Appointment Scheduled",
        15: "Contract Sent",
    }
    dry = ok("import", book, DATA / "hubspot-deals.csv", "--dry-run", *AT)
    counts = {
        "Contract Sent": 2,
        "Presentation Scheduled": 1,
        "Qualified To Buy": 2,
        "Decision Maker Bought-In": 1,
        "Appointment Scheduled": 2,
    }
    for stage, count in counts.items():
        listed = [
            line
            for line in dry.splitlines()
            if f"'{stage}'" in line and f"({count} row" in line and "--stage-map" in line
        ]
        assert len(listed) == 1, (stage, dry)

    output = ok("import", book, DATA / "hubspot-deals.csv", *AT)
    skipped = lines_with(output, "Skipped")
    assert len(skipped) == len(unknown)
    for line, stage in unknown.items():
        found = lines_with(output, "Skipped", f"line {line}:")
        assert len(found) == 1, (line, output)
        assert stage in found[0]
        assert f'--stage-map "{stage}=' in found[0]
    # the won and lost rows (lines 2, 6, 9, 10, 12, 14) need no map and are imported
    new = added_rows(before.deals, reader.load(book).deals)
    assert sorted(new["title"]) == sorted(
        t for t, spec in HUBSPOT_DEALS.items() if spec[1] in ("won", "lost")
    )


# -- 6. an .xlsx list imports like a CSV ------------------------------------------------------

HEADER = ["First Name", "Last Name", "Company", "Email", "Phone", "Create Date"]
PEOPLE = [
    ("Ada", "Lovelace", "Analytical Engines Ltd", "ada@engines.example", "+44 20 7946 0000",
     date(2024, 3, 5)),
    ("小明", "王", "杭州云帆科技有限公司", "xm@yunfan.example.cn", 13800138000, date(2024, 3, 6)),
    (None, None, "Copper Kettle", "hello@copper.example", None, date(2024, 3, 7)),
    ("Ada", "Lovelace", "Analytical Engines Ltd", "ADA@engines.example ", None, date(2024, 3, 8)),
]  # fmt: skip


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return f'"{text}"' if "," in text else text


def test_an_xlsx_list_imports_like_the_same_csv(tmp_path) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "\n".join(",".join(_csv_cell(v) for v in row) for row in [HEADER, *PEOPLE]) + "\n",
        encoding="utf-8",
    )
    xlsx_file = tmp_path / "people.xlsx"
    sheet_book = openpyxl.Workbook()
    sheet = sheet_book.active
    sheet.title = "People"
    sheet.append(HEADER)
    for row in PEOPLE:  # dates as date cells, the phone as a number cell
        sheet.append([datetime.combine(v, datetime.min.time()) if isinstance(v, date) else v
                      for v in row])  # fmt: skip
    sheet_book.save(xlsx_file)

    results = []
    for source in (csv_file, xlsx_file):
        book = demo_copy(tmp_path, f"Sales-{source.suffix[1:]}.xlsx")
        ok("import", book, source, "--kind", "contacts", *AT)
        new = added_rows(reader.load(DEMO).customers, reader.load(book).customers)
        results.append(new.astype(object).where(new.notna(), None).to_dict("records"))
    from_csv, from_xlsx = results
    # the same customers; only their data source names the file each came from
    assert {c.pop("source") for c in from_csv} == {"people.csv"}
    assert {c.pop("source") for c in from_xlsx} == {"people.xlsx, sheet People"}
    assert from_csv == from_xlsx
    # and by hand: three customers (Ada's second row merges), names joined
    assert [c["name"] for c in from_csv][:2] == ["Ada Lovelace", "王小明"]
    assert len(from_csv) == 3
    assert [c["company"] for c in from_csv] == [
        "Analytical Engines Ltd",
        "杭州云帆科技有限公司",
        "Copper Kettle",
    ]
    assert from_csv[1]["phone"] == "13800138000"
    assert [day(c["first_touch"]) for c in from_csv] == [
        date(2024, 3, 5),
        date(2024, 3, 6),
        date(2024, 3, 7),
    ]


# -- 7. the dry run changes nothing -----------------------------------------------------------


def test_a_dry_run_writes_nothing_and_shows_the_column_mapping(tmp_path) -> None:
    book = demo_copy(tmp_path)
    original = book.read_bytes()
    output = ok(
        "import", book, DATA / "hubspot-contacts.csv", "--kind", "contacts", "--dry-run", *AT
    )
    assert book.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Sales.xlsx"]  # no cache, no backup
    for shown in (
        "first_name ← First Name",
        "last_name ← Last Name",
        "company ← Company Name",
        "email ← Email",
    ):
        assert shown in output
    would_add = lines_with(output, "Would add")
    assert len(would_add) == 11  # 12 rows, one merge (line 9)
    assert lines_with(output, "Would add", "line 2:", "Mara Quill")
    assert lines_with(output, "line 9", "Mara Quill")
    assert "Dry run" in output


def test_a_dry_run_of_deals_beside_a_cache_and_backup_touches_none_of_them(tmp_path) -> None:
    book = demo_copy(tmp_path)
    ok("import", book, DATA / "hubspot-contacts.csv", "--kind", "contacts", *AT)
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert len(files) > 1  # the real import left its cache and backup
    output = ok(
        "import", book, DATA / "hubspot-deals.csv", *stage_map(HUBSPOT_STAGES), "--dry-run", *AT
    )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files
    assert "stage ← Deal Stage" in output
    assert len(lines_with(output, "Would add")) == 14


# -- 8. every skipped row with its line or sheet row and reason -------------------------------


def test_pipedrive_rows_in_other_currencies_and_deleted_deals_are_skipped(tmp_path) -> None:
    """pipedrive-deals.csv: 8 EUR rows, USD on lines 6 and 10, CNY on line 7, GBP on line
    11 (Harbor Books, won), and line 8 Deleted."""
    book = demo_copy(tmp_path)
    before = reader.load(book)
    output = ok("import", book, DATA / "pipedrive-deals.csv", *stage_map(PIPEDRIVE_STAGES), *AT)
    skipped = lines_with(output, "Skipped")
    assert len(skipped) == 5, output
    for line, currency in ((6, "USD"), (7, "CNY"), (10, "USD"), (11, "GBP")):
        found = lines_with(output, "Skipped", f"line {line}:")
        assert len(found) == 1, (line, output)
        assert currency in found[0]
        assert "EUR" in found[0]
    deleted = lines_with(output, "Skipped", "line 8:")
    assert len(deleted) == 1
    assert "deleted" in deleted[0].lower()

    after = reader.load(book)
    new = added_rows(before.deals, after.deals).set_index("title")
    assert sorted(new.index) == sorted(
        [
            "Brightwater Dental - booking system",
            "Kessler Metalworks - ERP link",
            "Blue Fig Café - menu boards",
            "Kessler Metalworks - support contract",
            "Torres Legal - intranet",
            "=Quick quote",
            "Torres Legal - document templates",
        ]
    )
    brightwater = new.loc["Brightwater Dental - booking system"]
    assert (brightwater["stage"], brightwater["status"]) == ("Negotiation", "open")
    assert brightwater["value"] == 8400.0
    assert brightwater["probability"] == pytest.approx(0.6)  # "60"
    assert day(brightwater["expected_close"]) == date(2024, 4, 30)
    assert day(brightwater["created"]) == date(2024, 1, 30)  # 2024-01-30 15:55:37
    kessler = new.loc["Kessler Metalworks - ERP link"]
    assert (kessler["stage"], kessler["status"]) == ("Closed won", "won")
    assert day(kessler["closed"]) == date(2024, 2, 26)  # its Won time
    support = new.loc["Kessler Metalworks - support contract"]
    assert support["value"] == pytest.approx(3600.5)  # "€ 3.600,50"
    assert support["customer_id"] == kessler["customer_id"]
    assert new.loc["Blue Fig Café - menu boards", "status"] == "lost"
    assert new.loc["Blue Fig Café - menu boards", "lost_reason"] == "Price too high"
    assert new.loc["Torres Legal - intranet", "lost_reason"] == "Went with a competitor"
    assert new.loc["Torres Legal - document templates", "stage"] == "Nurturing"
    eva = after.customers.set_index("id").loc[new.loc["=Quick quote", "customer_id"]]
    assert eva["name"] == "Eva Lind"


def test_pipedrive_lost_deals_close_on_their_lost_time(tmp_path) -> None:
    """Pipedrive writes a lost deal's closing time in "Deal - Lost time" (a won one's in
    "Deal - Won time"): Blue Fig Café lost 2024-02-10 (expected close 2024-02-15), Torres
    Legal lost 2024-01-25 (expected close 2024-01-31)."""
    book = demo_copy(tmp_path)
    before = reader.load(book)
    ok("import", book, DATA / "pipedrive-deals.csv", *stage_map(PIPEDRIVE_STAGES), *AT)
    new = added_rows(before.deals, reader.load(book).deals).set_index("title")
    assert day(new.loc["Blue Fig Café - menu boards", "closed"]) == date(2024, 2, 10)
    assert day(new.loc["Torres Legal - intranet", "closed"]) == date(2024, 1, 25)


def test_skipped_sheet_rows_name_their_row(tmp_path) -> None:
    """chinese-deals.xlsx, sheet 商机: row 7 is in USD (the file's deals are in CNY), row 11
    has the stage 待定, which no option maps."""
    book = demo_copy(tmp_path)
    chinese_stages = {
        "初步接洽": "Lead acquisition",
        "需求确认": "Nurturing",
        "方案报价": "Negotiation",
        "谈判": "Negotiation",
    }
    output = ok("import", book, DATA / "chinese-deals.xlsx", *stage_map(chinese_stages), *AT)
    usd = lines_with(output, "Skipped", "row 7:")
    assert len(usd) == 1
    assert "USD" in usd[0]
    pending = lines_with(output, "Skipped", "row 11:")
    assert len(pending) == 1
    assert "待定" in pending[0]
    assert "--stage-map" in pending[0]
    for row in (2, 3, 4, 8, 9, 10, 12, 13):  # CNY rows in mapped, won or lost stages
        assert not lines_with(output, "Skipped", f"row {row}:"), output


def test_salesforce_footer_lines_are_no_unmapped_blank_stage(tmp_path) -> None:
    """salesforce-opportunities.csv ends with a blank line and two footer lines ("Confidential
    Information - Do Not Distribute", the copyright): they are no deals with a blank stage,
    and `--stage-map "=STAGE"` (refused as an option) is no hint to give for them. Line 8 is
    the one JPY row among USD ones."""
    book = demo_copy(tmp_path)
    before = reader.load(book)
    output = ok(
        "import", book, DATA / "salesforce-opportunities.csv", *stage_map(SALESFORCE_STAGES), *AT
    )
    jpy = lines_with(output, "Skipped", "line 8:")
    assert len(jpy) == 1
    assert "JPY" in jpy[0]
    assert len(added_rows(before.deals, reader.load(book).deals)) == 11
    assert '"=STAGE"' not in output
    assert "Stage ''" not in output


# -- 9. re-importing adds no second copy ------------------------------------------------------


def test_reimporting_the_same_deals_adds_nothing(tmp_path) -> None:
    book = demo_copy(tmp_path)
    import_hubspot_deals(book)
    once = reader.load(book)
    output = import_hubspot_deals(book)
    twice = reader.load(book)
    assert len(twice.deals) == len(once.deals)
    assert len(twice.customers) == len(once.customers)
    assert len(twice.stage_log) == len(once.stage_log)
    for line in range(2, 16):
        found = lines_with(output, f"line {line}:")
        assert len(found) == 1, (line, output)
        assert "already" in found[0]
    assert "Skipped" not in output


# -- 10. activities after the deals -----------------------------------------------------------


def test_activities_land_on_their_deals_and_customers(tmp_path) -> None:
    book = demo_copy(tmp_path)
    ok("import", book, DATA / "hubspot-contacts.csv", "--kind", "contacts", *AT)
    import_hubspot_deals(book)
    before = reader.load(book)
    output = ok("import", book, DATA / "activities.csv", *AT)
    after = reader.load(book)
    # line 2 (2024-03-01) names the Quill retainer, created 2024-03-18: no activity before
    # its deal was created
    skipped = lines_with(output, "Skipped")
    assert len(skipped) == 1
    assert "line 2:" in skipped[0]
    assert "2024-03-18" in skipped[0]

    deal_id = dict(zip(after.deals["title"], after.deals["id"], strict=False))
    customer_id = dict(zip(after.customers["name"], after.customers["id"], strict=False))
    new = added_rows(before.activities, after.activities)
    # by hand, per line of activities.csv from line 3: (deal title or None, customer, type,
    # due, done)
    expected = [
        ("Ferreira Bakery - POS bundle", "Tomás Ferreira", "E-mail", D(2024, 3, 4),
         D(2024, 3, 4)),
        ("Hart Bakery - loyalty app", "Lena Hart", "Meeting", D(2024, 3, 5), D(2024, 3, 5)),
        # no deal named: Kenji Mori's one open deal; "Phone call" is a Call; 05.03.2024
        ("Mori Logistics - route audit", "Kenji Mori", "Call", D(2024, 3, 5), D(2024, 3, 5)),
        ("Mori Logistics - route audit", "Kenji Mori", "Task", D(2024, 3, 7), None),
        # "Lunch" is a Meeting; Done "2024-03-08"
        ("Nordic Paper - print pilot", "Sofia Lindqvist", "Meeting", D(2024, 3, 8),
         D(2024, 3, 8)),
        # only an e-mail: Olu Adeyemi, whose one open deal, the brand kit, was created later
        # (2024-03-15): on the customer only
        (None, "Olu Adeyemi", "E-mail", D(2024, 3, 11), D(2024, 3, 11)),
        ("杭州云帆 - 年度维护合同", None, "Call", D(2024, 3, 12), D(2024, 3, 12)),
        # Done blank and the date past: done
        ("Moreau Vins - export labels", "Jean-Luc Moreau", "Meeting", D(2024, 3, 15),
         D(2024, 3, 15)),
        ("Quill & Co - retainer 2024", "Mara Quill", "Call", D(2024, 3, 18), None),
        # Priya Nair's and Grace O'Neill's deals are closed: on the customer only
        (None, "Priya Nair", "Demo", D(2024, 3, 20), D(2024, 3, 20)),
        (None, "Grace O'Neill", "Task", D(2024, 3, 25), None),
    ]  # fmt: skip
    assert len(new) == len(expected)
    deals = after.deals.set_index("id")
    for activity, (title, person, kind, due, done) in zip(new.itertuples(), expected, strict=True):
        if title is None:
            assert blank(activity.deal_id), activity
        else:
            assert activity.deal_id == deal_id[title], activity
            assert activity.customer_id == deals.loc[deal_id[title], "customer_id"]
        if person is not None:
            assert activity.customer_id == customer_id[person], activity
        assert activity.type == kind, activity
        assert day(activity.due) == due, activity
        assert day(activity.done) == done, activity

    notes = new["note"].tolist()
    assert notes[1] == "Demo at the shop.\nShe wants a stamp card first, app later."
    assert notes[5] == "=Sent the brand kit price list"

    # a deal's last activity: the latest done one (not-done ones later do not count)
    last = after.deals.set_index("title")["last_activity"]
    assert day(last["Quill & Co - retainer 2024"]) is None  # line 11 is not done
    assert day(last["Mori Logistics - route audit"]) == date(2024, 3, 5)
    assert day(last["Nordic Paper - print pilot"]) == date(2024, 3, 8)
    assert day(last["Moreau Vins - export labels"]) == date(2024, 3, 15)
    assert day(last["Quill & Co - website refresh"]) is None
    assert invoke("check", book).exit_code == 0


def test_a_spaced_chinese_contact_in_a_deals_file_is_the_imported_contact(tmp_path) -> None:
    """hubspot-contacts.csv makes 王小明 (First Name 小明, Last Name 王) of 杭州云帆科技有限公司;
    hubspot-deals.csv names the same person "王 小明" (README: a Chinese name split in a
    Western export). The deal belongs to that customer; no second customer "王 小明"."""
    book = demo_copy(tmp_path)
    ok("import", book, DATA / "hubspot-contacts.csv", "--kind", "contacts", *AT)
    wang = reader.load(book).customers.set_index("name").loc["王小明", "id"]
    import_hubspot_deals(book)
    data = reader.load(book)
    deal = data.deals.set_index("title").loc["杭州云帆 - 年度维护合同"]
    assert deal["customer_id"] == wang
    assert "王 小明" not in set(data.customers["name"])


def test_a_blank_phone_number_falls_back_to_the_mobile_column(tmp_path) -> None:
    """HubSpot has "Phone Number" and "Mobile Phone Number" (both phone aliases); where the
    first is blank the second holds the number, the first not-blank one being the one to take
    (import_columns: "the first one that is not blank in a row")."""
    book = demo_copy(tmp_path)
    ok("import", book, DATA / "hubspot-contacts.csv", "--kind", "contacts", *AT)
    phones = reader.load(book).customers.set_index("name")["phone"]
    assert phones["Mara Quill"] == "+44 20 7946 0101"  # Phone Number given: it wins
    assert phones["Tomás Ferreira"] == "+351 912 345 678"
    assert phones["王小明"] == "+86 138 0013 8000"
    assert phones["Jean-Luc Moreau"] == "+33 6 12 34 56 78"


# -- 11. formula-looking text stays text ------------------------------------------------------


def test_formula_looking_text_is_stored_as_text(tmp_path) -> None:
    book = demo_copy(tmp_path)
    import_hubspot_deals(book)
    text = '=HYPERLINK("http://example.com","Adeyemi Studio")'
    data = reader.load(book)
    assert text in set(data.customers["company"])
    sheet = openpyxl.load_workbook(book)["Customers"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == text]
    assert len(cells) == 1
    assert cells[0].data_type == "s"
    formulas = [
        c
        for row in sheet.iter_rows()
        for c in row
        if c.data_type == "f" and "HYPERLINK" in str(c.value)
    ]
    assert formulas == []


# -- 12. a Chinese workbook -------------------------------------------------------------------


def _chinese_workbook(tmp_path: Path) -> tuple[Path, tuple[str, ...]]:
    book = tmp_path / "销售.xlsx"
    ok("new", book, "--lang", "zh-CN", "--demo")
    names = reader.load(book).pipeline.names
    assert len(names) == 5  # three open stages, won, lost
    return book, names


def _chinese_stage_map(names: tuple[str, ...]) -> list[str]:
    return stage_map(
        {"初步接洽": names[0], "需求确认": names[1], "方案报价": names[2], "谈判": names[2]}
    )


def test_chinese_deals_land_in_a_chinese_workbooks_stages_and_it_speaks_chinese(tmp_path) -> None:
    book, names = _chinese_workbook(tmp_path)
    before = reader.load(book)
    output = ok("import", book, DATA / "chinese-deals.xlsx", *_chinese_stage_map(names), *AT)
    after = reader.load(book)
    new = added_rows(before.deals, after.deals).set_index("title")

    expected = {  # by hand from sheet 商机 (won 赢单 and lost 输单 need no map)
        "年度维护合同": (names[2], "open", 88000.0, None),
        "品牌宣传片拍摄": (names[3], "won", 26800.0, D(2024, 3, 1)),
        "生产线监控系统": (names[1], "open", 12800.0, None),  # "¥12,800.00"
        "员工培训课程": (names[4], "lost", 9800.0, D(2024, 2, 29)),
        "会员小程序": (names[2], "open", 1200.0, None),  # "1,200"
        "年度维护合同（续约）": (names[0], "open", 0.0, None),  # amount blank
        "数据分析报告": (names[3], "won", 7600.0, D(2024, 3, 8)),
        "=展会物料设计": (names[4], "lost", 3000.0, D(2024, 3, 15)),
    }
    for title, (stage, status, value, closed) in expected.items():
        deal = new.loc[title]
        assert (deal["stage"], deal["status"]) == (stage, status), title
        assert deal["value"] == pytest.approx(value), title
        assert day(deal["closed"]) == closed, title
    assert new.loc["员工培训课程", "lost_reason"] == "选择了竞争对手"
    assert new.loc["=展会物料设计", "lost_reason"] == "预算取消"
    assert day(new.loc["年度维护合同", "expected_close"]) == date(2024, 4, 30)
    assert day(new.loc["会员小程序", "created"]) == date(2024, 3, 5)  # text "2024-03-05 10:30:00"
    assert "外贸官网改版" not in new.index  # USD
    assert "火锅店点餐系统" not in new.index  # 待定
    customers = after.customers.set_index("id")
    assert customers.loc[new.loc["年度维护合同", "customer_id"], "name"] == "王小明"
    assert new.loc["年度维护合同", "customer_id"] == new.loc["年度维护合同（续约）", "customer_id"]

    # the report in the workbook's language: Chinese, no English words
    assert any("\u4e00" <= ch <= "\u9fff" for ch in output)
    for english in ("Imported", "Skipped", "Added", "row(s)", "line "):
        assert english not in output, output
    assert lines_with(output, "第 7 行", "USD")
    assert lines_with(output, "第 11 行", "待定")
    dry = ok("import", book, DATA / "chinese-deals.xlsx", "--dry-run", *AT)
    for english in ("Would add", "Skipped", "Dry run", "Not read", "read as"):
        assert english not in dry, dry
    assert invoke("check", book).exit_code == 0


def test_rmb_and_renminbi_are_the_files_cny(tmp_path) -> None:
    """chinese-deals.xlsx writes its currency CNY, 人民币 (row 5) and RMB (row 6): the same
    currency (docs/imports.md: "currency written CNY, RMB, 人民币 or ¥"). Only row 7 (USD) and
    row 11 (stage 待定) are left out: 10 of the 12 deals are imported."""
    book, names = _chinese_workbook(tmp_path)
    before = reader.load(book)
    output = ok("import", book, DATA / "chinese-deals.xlsx", *_chinese_stage_map(names), *AT)
    new = added_rows(before.deals, reader.load(book).deals).set_index("title")
    assert not lines_with(output, "第 5 行", "人民币"), output
    assert not lines_with(output, "第 6 行", "RMB"), output
    assert (new.loc["门店收银系统", "stage"], new.loc["门店收银系统", "status"]) == (
        names[4],
        "lost",
    )
    assert new.loc["门店收银系统", "lost_reason"] == "价格太高"
    assert new.loc["冷链物流看板", "stage"] == names[2]
    assert new.loc["冷链物流看板", "value"] == pytest.approx(35000.0)  # "3.5万"
    assert day(new.loc["冷链物流看板", "expected_close"]) == date(2024, 4, 15)  # "2024/4/15"
    assert len(new) == 10


# -- 13. the rules, unit by unit --------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "name"),
    [
        ({"first_name": "小明", "last_name": "王"}, "王小明"),
        ({"last_name": "王", "first_name": "小明"}, "王小明"),
        ({"first_name": "娜娜", "last_name": "欧阳"}, "欧阳娜娜"),
        ({"first_name": "Ada", "last_name": "Lovelace"}, "Ada Lovelace"),
        (
            {"first_name": "Ada", "middle_name": "King", "last_name": "Lovelace"},
            "Ada King Lovelace",
        ),
        ({"first_name": "John", "last_name": "Smith"}, "John Smith"),
        ({"last_name": "Lovelace"}, "Lovelace"),
        ({"name": "Ada Byron", "first_name": "Ada", "last_name": "Lovelace"}, "Ada Byron"),
        ({"name": "王小明", "first_name": "Xiaoming", "last_name": "Wang"}, "王小明"),
        ({"first_name": None, "last_name": None}, None),
        ({}, None),
    ],
)
def test_person_name(row, name) -> None:
    assert record_import.person_name(row) == name


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3,600", 3600.0),
        ("3600", 3600.0),
        ("¥ 3,600.50", 3600.5),
        ("$12,400.50", 12400.5),
        ("3.5万", 35000.0),
        ("€ 3.600,50", 3600.5),
        ("1,250.00", 1250.0),
        (None, None),
    ],
)
def test_amount(text, value) -> None:
    assert record_import.amount(text, "value") == value


def test_an_amount_that_is_no_number_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="value"):
        record_import.amount("abc", "value")


@pytest.mark.parametrize(
    ("text", "fraction"), [("60", 0.6), ("60%", 0.6), ("0.6", 0.6), ("100", 1.0), (None, None)]
)
def test_probability(text, fraction) -> None:
    got = record_import.probability(text)
    assert got == (None if fraction is None else pytest.approx(fraction))


def test_a_probability_out_of_range_is_refused() -> None:
    with pytest.raises(InvalidArgumentError):
        record_import.probability("150")


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        (["Deal Name", "Deal Stage", "Amount"], "deals"),
        (["Deal - Title", "Deal - Status", "Deal - Value"], "deals"),
        (["商机名称", "销售阶段", "金额"], "deals"),
        (["Date", "Type", "Contact", "Deal", "Note", "Done"], "activities"),
        (["跟进时间", "跟进方式", "跟进内容"], "activities"),
        (["Type", "Note"], "leads"),  # a type without a date
        (["Date", "Note"], "leads"),  # a date without a type
        (["First Name", "Last Name", "Email"], "leads"),
        (["姓名", "公司", "邮箱", "手机"], "leads"),
    ],
)
def test_detect_kind(header, kind) -> None:
    assert record_import.detect_kind([header_key(h) for h in header]) == kind


def test_detect_kind_follows_a_mapped_stage() -> None:
    keys = [header_key(h) for h in ("Name", "Phase")]
    assert record_import.detect_kind(keys) == "leads"
    assert record_import.detect_kind(keys, {"stage": "Phase"}) == "deals"
