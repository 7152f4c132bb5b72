"""Hostile and tricky import files (the review of issue 19's import): text no cell may hold in a
deal's customer or stage, rows that are skipped yet left traces, amounts with units, activities
naming a missing deal or another person, dates after the import, over-long notes, columns read
but dropped, per-column probabilities, duplicates without a creation day, and the language of
what an import writes into the workbook.

Every file is written here, row by row; every expectation is worked out from those rows and the
demo workbook (its customers, deals and lists read back), never from the import's own output.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import demo_copy, invoke, ok

from salesflow_xl.actions import record_import
from salesflow_xl.actions.import_sources import in_workbook
from salesflow_xl.core import i18n
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.gateway.import_source import read_source
from salesflow_xl.workbook import build, reader

DEMO = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME
DATA = Path(__file__).parent / "data" / "imports"
AT = ["--at", "2026-06-30 12:00"]

DEALS_HEADER = [
    "Deal Name",
    "Deal Stage",
    "Amount",
    "Create Date",
    "Close Date",
    "Company Name",
    "Contact Name",
    "Email",
    "Phone Number",
]
ACTIVITIES_HEADER = ["Date", "Type", "Contact", "Email", "Deal", "Note", "Done"]


# -- helpers ----------------------------------------------------------------------------------


def write_csv(tmp_path: Path, name: str, header: list[str], rows: list[list[Any]]) -> Path:
    """A UTF-8 CSV file of ``header`` and ``rows`` (line 2 is the first row)."""
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([header, *[[str(v) for v in r] for r in rows]])
    return path


def deal_row(title: str, **cells: Any) -> list[Any]:
    """A row of :data:`DEALS_HEADER`: an open Nurturing deal of 1000 created 2026-06-01 for
    a customer of its own, with ``cells`` (header → value) changed."""
    row = {
        "Deal Name": title,
        "Deal Stage": "Nurturing",
        "Amount": "1000",
        "Create Date": "2026-06-01",
        "Close Date": "",
        "Company Name": f"{title} Ltd",
        "Contact Name": f"{title} Person",
        "Email": "",
        "Phone Number": "",
        **cells,
    }
    return [row[h] for h in DEALS_HEADER]


def closed_row(title: str, stage: str, day: str, **cells: Any) -> list[Any]:
    """A :func:`deal_row` won or lost (``stage``) on ``day`` (its Close Date)."""
    return deal_row(title, **{"Deal Stage": stage, "Close Date": day, **cells})


def added_rows(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``after`` whose ID ``before`` lacks (what an import added)."""
    return after[~after["id"].isin(set(before["id"]))].reset_index(drop=True)


def lines_with(output: str, *parts: str) -> list[str]:
    return [line for line in output.splitlines() if all(p in line for p in parts)]


def skipped(output: str, line: int) -> str:
    """The one report line saying line ``line`` was skipped."""
    found = lines_with(output, "Skipped", f"line {line}:")
    assert len(found) == 1, (line, output)
    return found[0]


def day(value: Any) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def has_control(frame: pd.DataFrame) -> bool:
    """Whether any text cell of ``frame`` holds a control character."""
    return any(
        isinstance(v, str) and any(ord(c) < 32 and c not in "\t\n\r" for c in v)
        for v in frame.to_numpy().ravel()
    )


# -- 1. a deal's customer text is checked as a lead's is ---------------------------------------


def test_a_deal_customers_text_no_cell_may_hold_skips_the_row(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    source = write_csv(
        tmp_path,
        "deals.csv",
        DEALS_HEADER,
        [
            deal_row("Good deal", **{"Email": "gina@good.example", "Phone Number": "+1 555 0100"}),
            deal_row("Ctrl company", **{"Company Name": "Bad\x01Co"}),
            deal_row("Ctrl phone", **{"Phone Number": "+1\x01555 0101"}),
            deal_row("Ctrl email", **{"Email": "bad\x01@x.example"}),
            deal_row("Long company", **{"Company Name": "C" * 40_000}),
            deal_row("Long phone", **{"Phone Number": "5" * 40_000}),
        ],
    )
    output = ok("import", book, source, *AT)
    after = reader.load(book)

    new = added_rows(before.deals, after.deals)
    assert new["title"].tolist() == ["Good deal"]
    for line in (3, 4, 5):
        assert "U+0001" in skipped(output, line)
    for line in (6, 7):
        assert "32,767" in skipped(output, line)
        assert "40,000" in skipped(output, line)
    assert not has_control(after.customers)
    assert len(added_rows(before.customers, after.customers)) == 1
    assert invoke("check", book).exit_code == 0


# -- 2. one bad stage text skips its row, not the file -----------------------------------------


def test_a_stage_text_with_a_control_character_skips_only_its_row(tmp_path) -> None:
    """A status column says won; the stage text (quoted in the stage-log note) holds \\x01."""
    book = demo_copy(tmp_path)
    before = reader.load(book)
    header = ["Deal Name", "Deal Stage", "Status", "Amount", "Close Date", "Company Name"]
    source = write_csv(
        tmp_path,
        "deals.csv",
        header,
        [
            ["Odd stage", "Closed\x01Won", "Won", "500", "2026-06-10", "Odd Ltd"],
            ["Fine stage", "Closed Won", "Won", "700", "2026-06-11", "Fine Ltd"],
        ],
    )
    output = ok("import", book, source, *AT)
    after = reader.load(book)
    assert added_rows(before.deals, after.deals)["title"].tolist() == ["Fine stage"]
    assert "U+0001" in skipped(output, 2)
    assert not has_control(after.stage_log)
    assert len(after.stage_log) == len(before.stage_log) + 1


# -- 3. skipped rows leave nothing in the lists -----------------------------------------------


def test_a_skipped_deal_adds_no_lost_reason_or_channel(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    header = [*DEALS_HEADER, "Closed Lost Reason", "Lead Source"]
    source = write_csv(
        tmp_path,
        "deals.csv",
        header,
        [
            # lost, with a new reason and channel, but its amount is no amount
            [
                *closed_row("Skipped", "Closed Lost", "2026-06-15", Amount="abc"),
                "Brand-new reason",
                "Carrier pigeon",
            ],
            [*closed_row("Kept", "Closed Lost", "2026-06-15"), "Kept reason", "Podcast"],
        ],
    )
    dry = ok("import", book, source, "--dry-run", *AT)
    assert "Brand-new reason" not in "\n".join(lines_with(dry, "Lists"))
    output = ok("import", book, source, *AT)
    after = reader.load(book)
    assert "amount" in skipped(output, 2)
    assert after.lists.lost_reasons == (*before.lists.lost_reasons, "Kept reason")
    assert after.lists.channels == (*before.lists.channels, "Podcast")
    assert "Carrier pigeon" not in output


def test_a_skipped_activity_adds_no_activity_type(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    source = write_csv(
        tmp_path,
        "activities.csv",
        ACTIVITIES_HEADER,
        [
            ["someday", "Juggling", "", "", "D00016", "", "yes"],  # no date
            ["2026-06-11", "Site visit", "", "", "D00016", "Looked around", "yes"],
        ],
    )
    output = ok("import", book, source, *AT)
    after = reader.load(book)
    assert "someday" in skipped(output, 2)
    assert after.lists.activity_types == (*before.lists.activity_types, "Site visit")
    assert "Juggling" not in output


def test_a_lead_skipped_by_the_lead_rules_adds_no_segment_or_channel(tmp_path) -> None:
    """_lead takes the segment and channel before the lead import refuses the e-mail."""
    book = demo_copy(tmp_path)
    before = reader.load(book)
    source = write_csv(
        tmp_path,
        "leads.csv",
        ["Name", "Email", "Industry", "Lead Source"],
        [
            ["Bad Mail", "not-an-e-mail", "Zeppelin makers", "Carrier pigeon"],
            ["Good Mail", "good@mail.example", "Bakeries", "Podcast"],
        ],
    )
    output = ok("import", book, source, *AT)
    after = reader.load(book)
    assert "not-an-e-mail" in skipped(output, 2)
    assert after.lists.segments == (*before.lists.segments, "Bakeries")
    assert after.lists.channels == (*before.lists.channels, "Podcast")
    assert "Zeppelin" not in output
    assert "Carrier pigeon" not in output


# -- 4. amounts with a unit -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1亿", 100_000_000.0),
        ("5k", 5_000.0),
        ("5K", 5_000.0),
        ("1.2M", 1_200_000.0),
        ("3.5万", 35_000.0),
        ("3.5 万元", 35_000.0),
        ("¥3.5万", 35_000.0),
        ("￥12,800.00", 12_800.0),
        ("RMB 12,800", 12_800.0),
        ("12,800 CNY", 12_800.0),
        ("USD 1,000", 1_000.0),
        ("1,000 eur", 1_000.0),
        ("£99", 99.0),
        ("€ 3.600,50", 3_600.5),
        ("2000元", 2_000.0),
        ("1e5", 100_000.0),
    ],
)
def test_an_amount_with_a_unit_or_a_currency(text: str, value: float) -> None:
    assert record_import.amount(text, "value") == pytest.approx(value)


@pytest.mark.parametrize(
    "text", ["12万5千", "约3万", "3.5 万元整", "5 apples", "1.2B", "3千", "万3", "10 kg", "1.2m"]
)
def test_an_amount_with_other_words_is_refused(text: str) -> None:
    with pytest.raises(InvalidArgumentError, match=re.escape("3,600.50 or 3.5万")):
        record_import.amount(text, "value")


def test_deals_with_amounts_in_units_import_their_values(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    source = write_csv(
        tmp_path,
        "deals.csv",
        DEALS_HEADER,
        [
            deal_row("Five k", Amount="5k"),
            deal_row("One yi", Amount="1亿"),
            deal_row("About", Amount="约3万"),
            deal_row("Mixed", Amount="12万5千"),
        ],
    )
    output = ok("import", book, source, *AT)
    new = added_rows(before.deals, reader.load(book).deals).set_index("title")
    assert new.loc["Five k", "value"] == 5_000.0
    assert new.loc["One yi", "value"] == 100_000_000.0
    assert "3.5万" in skipped(output, 4)
    assert "3.5万" in skipped(output, 5)
    assert sorted(new.index) == ["Five k", "One yi"]


# -- 5. activities on the deal and the person they name ---------------------------------------


def test_an_activity_naming_a_missing_deal_is_skipped(tmp_path) -> None:
    """Noah Meyer (C0016) has one open deal, D00016; the row names another deal."""
    book = demo_copy(tmp_path)
    before = reader.load(book)
    assert (before.deals["customer_id"] == "C0016").sum() == 1
    source = write_csv(
        tmp_path,
        "activities.csv",
        ACTIVITIES_HEADER,
        [["2026-06-10", "Call", "Noah Meyer", "", "No such deal", "", "yes"]],
    )
    output = ok("import", book, source, *AT)
    assert "No such deal" in skipped(output, 2)
    assert "no deal titled" in skipped(output, 2)
    assert len(reader.load(book).activities) == len(before.activities)


def test_a_bare_name_with_another_e_mail_is_another_person(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    noah = before.customers[before.customers["name"] == "Noah Meyer"]
    assert noah["id"].tolist() == ["C0016"]  # one customer of that name
    source = write_csv(
        tmp_path,
        "activities.csv",
        ACTIVITIES_HEADER,
        [
            ["2026-06-10", "Call", "Noah Meyer", "noah@elsewhere.example", "", "", "yes"],
            ["2026-06-11", "Call", "Noah Meyer", "", "", "", "yes"],
            ["2026-06-12", "Call", "Noah Meyer", noah["email"].iloc[0].upper(), "", "", "yes"],
        ],
    )
    output = ok("import", book, source, *AT)
    assert "Noah Meyer" in skipped(output, 2)
    new = added_rows(before.activities, reader.load(book).activities)
    assert new["customer_id"].tolist() == ["C0016", "C0016"]
    assert new["deal_id"].tolist() == ["D00016", "D00016"]
    assert [day(d) for d in new["due"]] == [date(2026, 6, 11), date(2026, 6, 12)]


# -- 6. dates after the import or before the deal ---------------------------------------------


def test_deal_dates_after_the_import_or_before_creation_are_refused(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    header = [*DEALS_HEADER, "Next Activity Date"]
    source = write_csv(
        tmp_path,
        "deals.csv",
        header,
        [
            [*closed_row("Won later", "Closed Won", "2026-07-15"), ""],
            [*closed_row("Lost later", "Closed Lost", "2026-07-01"), ""],
            [*deal_row("Made later", **{"Create Date": "2026-07-01"}), ""],
            [*deal_row("Follow-up first"), "2026-05-31"],
            [*deal_row("Fine", **{"Create Date": "2026-06-30"}), "2026-07-10"],
            [*closed_row("Won today", "Closed Won", "2026-06-30"), ""],
        ],
    )
    output = ok("import", book, source, *AT)
    new = added_rows(before.deals, reader.load(book).deals).set_index("title")
    assert sorted(new.index) == ["Fine", "Won today"]
    for line in (2, 3):
        assert "2026-06-30" in skipped(output, line)
    assert "2026-07-01" in skipped(output, 4)
    assert "2026-05-31" in skipped(output, 5)
    assert day(new.loc["Fine", "next_follow_up"]) == date(2026, 7, 10)


def test_activity_dates_after_the_import_or_before_the_deal(tmp_path) -> None:
    """D00016 was created 2026-06-03; the import runs 2026-06-30 12:00."""
    book = demo_copy(tmp_path)
    before = reader.load(book)
    created = before.deals.set_index("id").loc["D00016", "created"]
    assert day(created) == date(2026, 6, 3)
    source = write_csv(
        tmp_path,
        "activities.csv",
        ACTIVITIES_HEADER,
        [
            ["2026-07-05", "Call", "", "", "D00016", "done in the future", "yes"],
            ["2026-07-05", "Call", "", "", "D00016", "planned", ""],
            ["2026-06-01", "Call", "", "", "D00016", "before the deal", "yes"],
            ["2026-06-20", "Call", "", "", "D00016", "not done", "no"],
            ["2026-06-30", "Call", "", "", "D00016", "today", ""],
        ],
    )
    output = ok("import", book, source, *AT)
    new = added_rows(before.activities, reader.load(book).activities).set_index("note")
    assert "2026-07-05" in skipped(output, 2)
    assert "2026-06-03" in skipped(output, 4)
    assert sorted(new.index) == ["not done", "planned", "today"]
    assert day(new.loc["planned", "done"]) is None
    assert day(new.loc["not done", "done"]) is None
    assert day(new.loc["today", "done"]) == date(2026, 6, 30)


# -- 7. an over-long activity note -------------------------------------------------------------


def test_an_activity_note_over_a_cells_limit_is_skipped_not_cut(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    source = write_csv(
        tmp_path,
        "activities.csv",
        ["Date", "Type", "Deal", "Subject", "Note", "Done"],
        [
            ["2026-06-10", "Call", "D00016", "", "N" * 40_000, "yes"],
            ["2026-06-11", "Call", "D00016", "S" * 20_000, "N" * 20_000, "yes"],
            ["2026-06-12", "Call", "D00016", "", "Short", "yes"],
        ],
    )
    output = ok("import", book, source, *AT)
    assert "32,767" in skipped(output, 2)
    assert "32,767" in skipped(output, 3)
    new = added_rows(before.activities, reader.load(book).activities)
    assert new["note"].tolist() == ["Short"]


# -- 8. columns read are imported, or said not to be ------------------------------------------


def test_a_deals_notes_column_is_recognised_not_imported(tmp_path) -> None:
    book = demo_copy(tmp_path)
    source = write_csv(
        tmp_path, "deals.csv", [*DEALS_HEADER, "Description"], [[*deal_row("Noted"), "A note"]]
    )
    dry = ok("import", book, source, "--dry-run", *AT)
    assert lines_with(dry, "Recognised, not imported", "Description")
    assert not lines_with(dry, "notes ←")


def test_an_activitys_next_follow_up_moves_its_deals_later(tmp_path) -> None:
    """D00113's next follow-up is 2026-06-30, D00016's 2026-07-14: the later of each stays."""
    book = demo_copy(tmp_path)
    before = reader.load(book).deals.set_index("id")["next_follow_up"]
    assert (day(before["D00113"]), day(before["D00016"])) == (date(2026, 6, 30), date(2026, 7, 14))
    source = write_csv(
        tmp_path,
        "activities.csv",
        ["Date", "Type", "Deal", "Note", "Done", "Next Activity Date"],
        [
            ["2026-06-20", "Call", "D00113", "", "yes", "2026-07-20"],
            ["2026-06-21", "Call", "D00016", "", "yes", "2026-07-01"],
        ],
    )
    dry = ok("import", book, source, "--dry-run", *AT)
    assert lines_with(dry, "next_follow_up ←", "Next Activity Date")
    ok("import", book, source, *AT)
    after = reader.load(book).deals.set_index("id")["next_follow_up"]
    assert day(after["D00113"]) == date(2026, 7, 20)
    assert day(after["D00016"]) == date(2026, 7, 14)


def test_a_next_follow_up_without_an_open_deal_is_said_not_kept(tmp_path) -> None:
    """D00001 is lost: the activity lands on it, its next follow-up has nowhere to go."""
    book = demo_copy(tmp_path)
    assert reader.load(book).deals.set_index("id").loc["D00001", "status"] == "lost"
    source = write_csv(
        tmp_path,
        "activities.csv",
        ["Date", "Type", "Deal", "Note", "Done", "Next Activity Date"],
        [["2026-06-20", "Call", "D00001", "", "yes", "2026-07-20"]],
    )
    output = ok("import", book, source, *AT)
    (added,) = lines_with(output, "line 2:")
    assert "2026-07-20" in added
    assert "not kept" in added
    assert day(reader.load(book).deals.set_index("id").loc["D00001", "next_follow_up"]) is None


# -- 9. what the import writes is in the workbook's language ----------------------------------


def test_the_stage_log_note_is_in_the_workbooks_language(tmp_path) -> None:
    """An English workbook, messages in Chinese: the note names the sheet in English."""
    book = demo_copy(tmp_path)
    before = reader.load(book)
    output = ok("--lang", "zh-CN", "import", book, DATA / "chinese-deals.xlsx", *AT)
    assert "第" in output  # the messages are Chinese
    log = reader.load(book).stage_log.iloc[len(before.stage_log) :]
    notes = [n for n in log["note"] if isinstance(n, str) and n]
    assert notes
    assert "Imported from chinese-deals.xlsx, sheet 商机 (输单)" in notes
    for note in notes:
        assert note.startswith("Imported from chinese-deals.xlsx, sheet 商机 ("), note
        assert "工作表" not in note


def test_a_contacts_data_source_is_in_the_workbooks_language(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    ok("--lang", "zh-CN", "import", book, DATA / "contacts.xlsx", "--kind", "contacts", *AT)
    new = added_rows(before.customers, reader.load(book).customers)
    sources = {s for s in new["source"] if isinstance(s, str) and s}
    assert sources
    assert all("工作表" not in s for s in sources), sources
    assert any(s.startswith("contacts.xlsx, sheet ") for s in sources), sources


def test_a_source_keeps_its_file_and_sheet_as_data() -> None:
    content = (DATA / "chinese-deals.xlsx").read_bytes()
    table = read_source(content, "chinese-deals.xlsx", lambda header: {})
    assert (table.source_name, table.sheet) == ("chinese-deals.xlsx", "商机")
    with i18n.use("en"):
        assert table.where == "chinese-deals.xlsx, sheet 商机"
        assert table.where.in_workbook() == "chinese-deals.xlsx, sheet 商机"
    braces = read_source(b"Name\nAnn\n", "{odd}.csv", lambda header: {"name": 0})
    assert (braces.where, braces.sheet, in_workbook(braces.where)) == (
        "{odd}.csv",
        None,
        "{odd}.csv",
    )


# -- 16. probabilities decided per column -----------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "fractions"),
    [
        (["1%", "1"], [0.01, 0.01]),
        (["50", "1"], [0.5, 0.01]),
        (["0.5", "1"], [0.5, 1.0]),
        (["0.25", "", "0.75"], [0.25, None, 0.75]),
    ],
)
def test_probabilities_are_read_per_column(texts, fractions) -> None:
    percent = record_import.percentages(texts)
    got = [record_import.probability(t or None, percent) for t in texts]
    assert got == [None if f is None else pytest.approx(f) for f in fractions]


def test_a_deals_probability_column_with_a_percent_is_percentages(tmp_path) -> None:
    book = demo_copy(tmp_path)
    before = reader.load(book)
    source = write_csv(
        tmp_path,
        "deals.csv",
        [*DEALS_HEADER, "Probability"],
        [[*deal_row("One percent"), "1%"], [*deal_row("Plain one"), "1"]],
    )
    ok("import", book, source, *AT)
    new = added_rows(before.deals, reader.load(book).deals).set_index("title")
    assert new.loc["One percent", "probability"] == pytest.approx(0.01)
    assert new.loc["Plain one", "probability"] == pytest.approx(0.01)


# -- 17. a deal without a creation day is a duplicate by customer and title -------------------


def test_deals_without_a_creation_column_are_not_imported_twice(tmp_path) -> None:
    book = demo_copy(tmp_path)
    header = ["Deal Name", "Deal Stage", "Amount", "Company Name"]
    source = write_csv(
        tmp_path, "deals.csv", header, [["Undated", "Nurturing", "800", "Undated Ltd"]]
    )
    ok("import", book, source, "--at", "2026-06-29 12:00")
    once = reader.load(book)
    output = ok("import", book, source, *AT)  # a day later
    twice = reader.load(book)
    assert len(twice.deals) == len(once.deals)
    assert lines_with(output, "line 2:", "already")
