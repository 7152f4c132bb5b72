"""Campaigns, stages, the Lists sheet's values, and deal and customer edits: each command on a
copy of the demo workbook, read back; renames keep every reference (and the stage history)
valid; a stage added, moved or removed rewrites the deals' furthest steps for the new
pipeline; a refused command leaves the file byte for byte; the Excel gateway applies the same
changes."""

from __future__ import annotations

import hashlib
import html
import io
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import cell_mismatches, derived_mismatches, older_workbook
from fake_excel import FakeBook
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from salesflow_xl import gateway
from salesflow_xl.actions import catalog, records
from salesflow_xl.actions.changes import Changes, StageRow
from salesflow_xl.cli import main
from salesflow_xl.core import metrics
from salesflow_xl.core.dataset import RECORD_TYPES
from salesflow_xl.core.model import Stage
from salesflow_xl.gateway.excel import ExcelBook
from salesflow_xl.gateway.file import WorkbookFile
from salesflow_xl.ooxml.package import Package
from salesflow_xl.workbook import build, cached, computed, reader, schema
from salesflow_xl.workbook.editor import Editor

DEMO = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME
DEMO_BYTES = DEMO.read_bytes()


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "Sales.xlsx"
    shutil.copy(DEMO, path)
    return path


@pytest.fixture(scope="module")
def before():
    data, problems = reader.read(DEMO)
    assert problems == []
    return data


def run(*args: Any) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def check(path: Path) -> None:
    assert run("check", path).startswith(f"{path.name}: OK")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read(path: Path):
    snapshot = reader.read_snapshot(path.read_bytes())
    assert snapshot.problems == []
    return snapshot.data


def part(path: Path, name: str) -> bytes:
    return Package.from_bytes(path.read_bytes()).read(name)


def sheet_part(path: Path, sheet: str) -> bytes:
    package = Package.from_bytes(path.read_bytes())
    return package.read(package.sheet_parts()[sheet])


def table_part(path: Path, table: str) -> bytes:
    return part(path, Editor(path.read_bytes()).tables[table].part)


def formulas_in_column(xml: bytes, letter: str) -> dict[int, str]:
    """Row → formula text of the formula cells in one column of a sheet's XML."""
    cells = re.finditer(rb'<c r="' + letter.encode() + rb'(\d+)"[^>]*>(.*?)</c>', xml, re.S)
    found = {}
    for match in cells:
        formula = re.search(rb"<f>(.*?)</f>", match.group(2), re.S)
        if formula:
            found[int(match.group(1))] = formula.group(1).decode()
    return found


def furthest_steps(path: Path) -> dict[str, int]:
    """Deal ID → its "Furthest step" as stored in the file (checked against the core)."""
    snapshot = reader.read_snapshot(path.read_bytes())
    assert derived_mismatches(snapshot) == {}
    index = schema.DEALS.columns.index(schema.DEALS.column("Furthest step"))
    cells = snapshot.cells["Deals"]
    return {cells[r - 1][0]: int(cells[r - 1][index]) for r in snapshot.rows["deals"]}


def assert_only(after, before, changed: set[str]) -> None:
    for key in RECORD_TYPES:
        if key not in changed:
            pd.testing.assert_frame_equal(after.table(key), before.table(key))


# -- campaigns ----------------------------------------------------------------------------------


def test_campaign_add_appends_one_row(book, before) -> None:
    out = run(
        "campaign",
        "add",
        book,
        "Spring fair",
        "--channel",
        "events",
        "--spend",
        "1200",
        "--start",
        "2026-07-01",
        "--end",
        "2026-07-31",
    )
    assert out == "Added campaign 'Spring fair' (Events, spend 1,200, 2026-07-01 – 2026-07-31).\n"
    after = read(book)
    assert len(after.campaigns) == len(before.campaigns) + 1 == 7
    row = after.campaigns.iloc[-1]
    assert (row["name"], row["channel"], row["spend"]) == ("Spring fair", "Events", 1200.0)
    assert (row["start"].date(), row["end"].date()) == (date(2026, 7, 1), date(2026, 7, 31))
    assert_only(after, before, {"campaigns"})
    assert Editor(book.read_bytes()).tables["tblCampaigns"].ref == "A1:L8"
    check(book)


def test_campaign_rename_follows_into_deals_and_customers(book, before) -> None:
    old = "Autumn newsletter"
    deals = before.deals.index[before.deals["campaign"] == old].tolist()
    customers = before.customers.index[before.customers["campaign"] == old].tolist()
    assert (len(deals), len(customers)) == (8, 8)  # the demo's
    out = run("campaign", "edit", book, "autumn NEWSLETTER", "--name", "Autumn mailing")
    assert (
        out == "Renamed campaign 'Autumn newsletter' → 'Autumn mailing': 8 deals and 8 customers "
        "updated.\n"
    )
    after = read(book)
    assert after.deals.index[after.deals["campaign"] == "Autumn mailing"].tolist() == deals
    assert after.customers.index[after.customers["campaign"] == "Autumn mailing"].tolist() == (
        customers
    )
    assert old not in set(after.campaigns["name"])
    assert_only(after, before, {"campaigns", "deals", "customers"})
    check(book)


def test_campaign_edit_spend_and_dates(book, before) -> None:
    out = run(
        "campaign", "edit", book, "Autumn newsletter", "--spend", "2000.5", "--end", "2025-12-31"
    )
    spend = before.campaigns.set_index("name").loc["Autumn newsletter"]
    assert out == (
        "Updated campaign 'Autumn newsletter': end 2025-11-28 → 2025-12-31, "
        "spend 1,800 → 2,000.50.\n"
    )
    after = read(book).campaigns.set_index("name").loc["Autumn newsletter"]
    assert (after["spend"], after["end"]) == (2000.5, pd.Timestamp("2025-12-31"))
    assert after["start"] == spend["start"]


# -- stages -------------------------------------------------------------------------------------


def test_stage_add_grows_the_stages_table(book, before) -> None:
    out = run(
        "stage", "add", book, "Proposal", "--probability", "45%", "--rotting-days", "10",
        "--after", "nurturing",
    )  # fmt: skip
    assert out == (
        "Added stage 'Proposal' after 'Nurturing' (probability 45 %, rots after 10 idle days).\n"
        "Stages: Lead acquisition → Nurturing → Proposal → Negotiation → Closed won / "
        "Closed lost.\n"
    )
    stages = load_workbook(book, data_only=True)["Stages"]
    rows = [[c.value for c in row] for row in stages.iter_rows(min_row=2)]
    assert [row[:6] for row in rows] == [
        ["Lead acquisition", 0.1, 14, 3, "open", 1],
        ["Nurturing", 0.3, 21, 7, "open", 2],
        ["Proposal", 0.45, 10, None, "open", 3],
        ["Negotiation", 0.6, 14, 3, "open", 4],
        ["Closed won", 1, None, None, "won", 5],
        ["Closed lost", 0, None, None, "lost", 0],
    ]
    assert Editor(book.read_bytes()).tables["tblStages"].ref == "A1:G7"
    after = read(book)
    # the learned probabilities for the new pipeline: Proposal's counts the deals that got
    # to Negotiation, as having passed through it
    learned = computed.stage_columns(after)["Learned probability"]
    assert [row[6] for row in rows[:4]] == pytest.approx(learned[:4].tolist())
    assert [row[6] for row in rows[4:]] == [None, None]
    assert learned[2] > learned[1]
    assert after.pipeline.names[2] == "Proposal"
    assert_only(after, before, set())  # no record changes; deals and the log keep their stages
    check(book)


def test_adding_a_stage_rewrites_the_furthest_steps_for_the_new_pipeline(book, before) -> None:
    """ "Furthest step" is a value SalesFlow derives from the stage log: a stage added before
    Negotiation moves every deal that got that far one step on; no formula appears."""
    steps = furthest_steps(book)
    assert formulas_in_column(sheet_part(book, "Deals"), "Y") == {}
    run("stage", "add", book, "Proposal", "--probability", "0.45", "--after", "Nurturing")
    assert formulas_in_column(sheet_part(book, "Deals"), "Y") == {}
    assert furthest_steps(book) == {d: s + (s >= 3) for d, s in steps.items()}
    assert re.search(rb'name="Furthest step"\s*/>', table_part(book, "tblDeals"))
    # no formula depends on the number of stages
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWX":
        original = formulas_in_column(DEMO_BYTES_SHEETS["Deals"], letter)
        assert formulas_in_column(sheet_part(book, "Deals"), letter) == original, letter


DEMO_BYTES_SHEETS = {
    sheet: Package.from_bytes(DEMO_BYTES).read(name)
    for sheet, name in Package.from_bytes(DEMO_BYTES).sheet_parts().items()
}


def test_adding_then_removing_a_stage_restores_the_deals_sheet(book) -> None:
    steps = furthest_steps(book)
    run("stage", "add", book, "Proposal", "--probability", "0.45", "--first")
    assert furthest_steps(book) == {d: s + (s > 0) for d, s in steps.items()}
    out = run("stage", "remove", book, "proposal")
    assert out == (
        "Removed stage 'Proposal'.\n"
        "Stages: Lead acquisition → Nurturing → Negotiation → Closed won / Closed lost.\n"
    )
    assert furthest_steps(book) == steps
    # every other cell as it was (the furthest steps are written anew, as plain numbers)
    y_cells = re.compile(rb'<c r="Y\d+"[^>]*?(?:/>|>.*?</c>)', re.S)
    assert y_cells.sub(b"", sheet_part(book, "Deals")) == y_cells.sub(
        b"", DEMO_BYTES_SHEETS["Deals"]
    )
    assert table_part(book, "tblDeals") == Package.from_bytes(DEMO_BYTES).read(
        Editor(DEMO_BYTES).tables["tblDeals"].part
    )
    assert Editor(book.read_bytes()).tables["tblStages"].ref == "A1:G6"


def test_stage_rename_keeps_the_history_valid(book, before) -> None:
    in_stage = int((before.deals["stage"] == "Negotiation").sum())
    log = before.stage_log
    logged = int(((log["from_stage"] == "Negotiation") | (log["to_stage"] == "Negotiation")).sum())
    out = run("stage", "rename", book, "Negotiation", "Proposal")
    assert out == (
        f"Renamed stage 'Negotiation' → 'Proposal': {in_stage} deals and {logged} stage-log "
        "rows updated.\n"
    )
    assert in_stage == 7
    check(book)
    after = read(book)
    assert after.pipeline.names == (
        "Lead acquisition", "Nurturing", "Proposal", "Closed won", "Closed lost"
    )  # fmt: skip
    old = metrics.stage_conversion(before.stage_log, before.pipeline)
    new = metrics.stage_conversion(after.stage_log, after.pipeline)
    assert new.index.tolist() == ["Lead acquisition", "Nurturing", "Proposal", "Closed won"]
    pd.testing.assert_frame_equal(new.reset_index(drop=True), old.reset_index(drop=True))
    assert new.loc["Proposal", "reached"] == 163
    renamed = log.replace(
        {"from_stage": {"Negotiation": "Proposal"}, "to_stage": {"Negotiation": "Proposal"}}
    )
    pd.testing.assert_frame_equal(after.stage_log, renamed)
    assert (after.deals["stage"] == "Proposal").sum() == in_stage
    assert_only(after, before, {"deals", "stage_log"})


def test_stage_move_reorders_the_open_stages(book, before) -> None:
    out = run("stage", "move", book, "Negotiation", "--after", "Lead acquisition")
    assert out == (
        "Moved stage 'Negotiation' after 'Lead acquisition'.\n"
        "Stages: Lead acquisition → Negotiation → Nurturing → Closed won / Closed lost.\n"
    )
    stages = load_workbook(book, data_only=True)["Stages"]
    assert [row[0].value for row in stages.iter_rows(min_row=2)] == [
        "Lead acquisition", "Negotiation", "Nurturing", "Closed won", "Closed lost"
    ]  # fmt: skip
    assert [row[5].value for row in stages.iter_rows(min_row=2)] == [1, 2, 3, 4, 0]
    assert [row[1].value for row in stages.iter_rows(min_row=2)] == [0.1, 0.6, 0.3, 1, 0]
    assert [row[3].value for row in stages.iter_rows(min_row=2)] == [3, 3, 7, None, None]
    check(book)
    assert run("stage", "move", book, "Negotiation", "--after", "Lead acquisition") == (
        "Stage 'Negotiation' is after 'Lead acquisition' already: nothing changed.\n"
    )


def test_stage_set_probability_and_rotting(book, before) -> None:
    out = run("stage", "set", book, "Nurturing", "--probability", "35%", "--rotting-days", "28")
    assert out == "Stage 'Nurturing': probability 30 % → 35 %, rotting 21 days → 28 days.\n"
    out = run("stage", "set", book, "Negotiation", "--never-rots")
    assert out == "Stage 'Negotiation': rotting 14 days → never.\n"
    after = read(book).pipeline
    assert after.stage("Nurturing") == Stage("Nurturing", 0.35, 28, follow_up_days=7)
    assert after.stage("Negotiation") == Stage("Negotiation", 0.6, None, follow_up_days=3)
    out = run("stage", "set", book, "Negotiation", "--follow-up-days", "2")
    assert out == "Stage 'Negotiation': follow-up 3 days → 2 days.\n"
    out = run("stage", "set", book, "Nurturing", "--no-follow-up")
    assert out == "Stage 'Nurturing': follow-up 7 days → no date.\n"
    cadences = {s.name: s.follow_up_days for s in read(book).pipeline.stages}
    assert cadences == {
        "Lead acquisition": 3,
        "Nurturing": None,
        "Negotiation": 2,
        "Closed won": None,
        "Closed lost": None,
    }
    weighted = metrics.weighted_pipeline(read(book).deals, after)
    assert weighted > metrics.weighted_pipeline(before.deals, before.pipeline)


def test_stage_remove_is_refused_while_used(book, before) -> None:
    in_stage = int((before.deals["stage"] == "Nurturing").sum())
    log = before.stage_log
    logged = int(((log["from_stage"] == "Nurturing") | (log["to_stage"] == "Nurturing")).sum())
    original = digest(book)
    out = fails("stage", "remove", book, "Nurturing")
    assert f"stage 'Nurturing' is in use ({in_stage} deals and {logged} stage-log rows)" in out
    assert digest(book) == original


# -- the Lists sheet ----------------------------------------------------------------------------


def list_column(path: Path, header: str) -> list[str]:
    ws = load_workbook(path)["Lists"]
    column = next(c.column for c in ws[1] if c.value == header)
    return [r[0].value for r in ws.iter_rows(min_row=2, min_col=column, max_col=column)]


def test_list_add_grows_the_table_and_the_drop_down_follows(book, before) -> None:
    out = run("list", "add", book, "channel", "Trade fair")
    assert out == "Added channel 'Trade fair' to the Lists sheet (7 channels).\n"
    assert list_column(book, "Channel") == [*before.lists.channels, "Trade fair"]
    assert list_column(book, "Segment") == [*before.lists.segments, None, None]  # untouched
    editor = Editor(book.read_bytes())
    assert editor.tables["tblChannels"].ref == "C1:C8"
    assert b'<autoFilter ref="C1:C8"' in table_part(book, "tblChannels")
    assert b'<dimension ref="A1:G8"' in sheet_part(book, "Lists")
    # the drop-downs name ChannelList, a structured reference to the table's column
    workbook = part(book, "xl/workbook.xml")
    assert b'<definedName name="ChannelList">tblChannels[Channel]</definedName>' in workbook
    assert re.search(rb"<formula1>ChannelList</formula1>", sheet_part(book, "Deals"))
    assert read(book).lists.channels[-1] == "Trade fair"
    run("customer", "edit", book, "C0001", "--channel", "trade fair")
    assert read(book).customers["channel"].iloc[0] == "Trade fair"
    check(book)


def test_list_rename_rewrites_every_reference(book, before) -> None:
    used = {
        t: before.table(t).index[before.table(t)["channel"] == "Events"].tolist()
        for t in ("customers", "deals", "campaigns")
    }
    assert [len(p) for p in used.values()] == [11, 20, 1]
    out = run("list", "rename", book, "channels", "events", "Trade fairs")
    assert (
        out == "Renamed channel 'Events' → 'Trade fairs': 11 customers, 20 deals and 1 campaign "
        "updated.\n"
    )
    after = read(book)
    assert after.lists.channels == tuple(
        "Trade fairs" if c == "Events" else c for c in before.lists.channels
    )
    for table, positions in used.items():
        assert after.table(table).index[
            after.table(table)["channel"] == "Trade fairs"
        ].tolist() == (positions)
    assert_only(after, before, {"customers", "deals", "campaigns"})
    check(book)


def test_list_remove_is_refused_while_used_and_names_where(book) -> None:
    original = digest(book)
    out = fails("list", "remove", book, "lost-reason", "Price")
    assert re.search(r"lost reason 'Price' is in use by \d+ deals \(D\d{5}, ", out)
    out = fails("list", "remove", book, "channel", "Events")
    assert "by 11 customers (C0019, C0032, C0054, C0066, C0068 and 6 more), 20 deals" in out
    assert "and 1 campaign (Hotel & Gastro fair)" in out
    assert digest(book) == original


def test_list_remove_an_unused_value(book, before) -> None:
    run("list", "add", book, "activity-type", "Site visit")
    out = run("list", "remove", book, "Activity types", "site visit")
    assert out == "Removed activity type 'Site visit' from the Lists sheet (6 left).\n"
    assert list_column(book, "Activity type") == list(before.lists.activity_types)
    assert Editor(book.read_bytes()).tables["tblActivityTypes"].ref == "G1:G7"
    assert b'<row r="8"' not in sheet_part(book, "Lists")
    check(book)


# -- deals and customers ------------------------------------------------------------------------


def test_deal_edit(book, before) -> None:
    position = int(before.deals.index[before.deals["id"] == "D00016"][0])
    out = run(
        "deal", "edit", book, "D00016", "--value", "4800", "--probability", "70%",
        "--expected-close", "2026-08-15", "--title", "Private-label blend, 2 kg",
    )  # fmt: skip
    assert out == (
        "Updated deal D00016 'Private-label blend': title 'Private-label blend' → "
        "'Private-label blend, 2 kg', value 4,360 → 4,800, expected close 2026-07-19 → "
        "2026-08-15, probability the stage's → 70 %.\n"
    )
    deal = read(book).deals.iloc[position]
    assert (deal["value"], deal["probability"]) == (4800.0, 0.7)
    assert deal["expected_close"] == pd.Timestamp("2026-08-15")
    run(
        "deal",
        "edit",
        book,
        "D00016",
        "--stage-probability",
        "--no-expected-close",
        "--channel",
        "",
    )
    deal = read(book).deals.iloc[position]
    assert pd.isna(deal["probability"])
    assert pd.isna(deal["expected_close"])
    assert deal["channel"] is None
    assert deal["stage"] == before.deals["stage"].iloc[position]
    check(book)


def test_customer_edit(book, before) -> None:
    out = run(
        "customer",
        "edit",
        book,
        "C0012",
        "--segment",
        "hotels",
        "--phone",
        "+49 30 1234567",
        "--company",
        "",
    )
    row = before.customers.set_index("id").loc["C0012"]
    assert out == (
        f"Updated customer C0012 {row['name']}: company {row['company']!r} → (blank), "
        f"phone {row['phone']!r} → '+49 30 1234567', segment {row['segment']!r} → 'Hotels'.\n"
    )
    after = read(book).customers.set_index("id").loc["C0012"]
    assert (after["segment"], after["phone"], after["company"]) == (
        "Hotels",
        "+49 30 1234567",
        None,
    )


# -- refusals -----------------------------------------------------------------------------------


def fails(*args: Any, code: int = 1) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    return result.output


CAMPAIGN = ["--channel", "Events", "--spend", "100", "--start", "2026-07-01", "--end", "2026-07-31"]
SPEND = CAMPAIGN[:2], CAMPAIGN[4:]  # the options around --spend
ADD_X = ["stage", "add", "{book}", "X", "--probability"]

#: (command, part of its one-line message, exit code)
REFUSED = [
    (["campaign", "add", "{book}", "Autumn NEWSLETTER", *CAMPAIGN], "other campaign has", 1),
    (["campaign", "add", "{book}", "X", *CAMPAIGN[:-1], "2026-06-30"], "on or after the start", 1),
    (["campaign", "add", "{book}", "X", "--channel", "Fax", *CAMPAIGN[2:]], "one of Referral", 1),
    (["campaign", "add", "{book}", "X", *SPEND[0], "--spend", "-5", *SPEND[1]], "an amount", 1),
    (["campaign", "add", "{book}", "X", *SPEND[0], "--spend", "inf", *SPEND[1]], "an amount", 1),
    (["campaign", "add", "{book}", " ", *CAMPAIGN], "name must be text that is not blank", 1),
    (["campaign", "add", "{book}", "X\x0b", *CAMPAIGN], "without control characters", 1),
    (["campaign", "edit", "{book}", "Nope", "--spend", "1"], "must be one of Spring search", 1),
    (
        ["campaign", "edit", "{book}", "Autumn newsletter", "--name", "Winter search ads"],
        "other",
        1,
    ),
    (["campaign", "edit", "{book}", "Autumn newsletter"], "give at least one of --name", 2),
    (["stage", "add", "{book}", "nurturing", "--probability", "0.5"], "('Nurturing' exists)", 1),
    ([*ADD_X, "60"], "'60' is not a probability: give a fraction from 0 to 1 (0.6) or a", 2),
    ([*ADD_X, "120%"], "'120%' is not a probability", 2),
    ([*ADD_X, "0.5", "--after", "Closed won"], "after must be an open stage (Lead acq", 1),
    ([*ADD_X, "0.5", "--rotting-days", "0"], "Invalid value for '--rotting-days'", 2),
    ([*ADD_X, "0.5", "--after", "Nurturing", "--first"], "left out when --first is given", 1),
    (["stage", "rename", "{book}", "Nurturing", "negotiation"], "other stage has", 1),
    (["stage", "rename", "{book}", "Maybe", "X"], "stage must be one of Lead acquisition", 1),
    (["stage", "move", "{book}", "Closed won", "--first"], "the won and lost stages stay last", 1),
    (["stage", "move", "{book}", "Nurturing"], "either --after STAGE or --first", 1),
    (["stage", "move", "{book}", "Nurturing", "--after", "Nurturing"], "another stage than", 1),
    (["stage", "set", "{book}", "Closed won", "--probability", "0.5"], "a won deal counts", 1),
    (["stage", "set", "{book}", "Nurturing", "--rotting-days", "3", "--never-rots"], "left out", 1),
    (["stage", "remove", "{book}", "Closed lost"], "a pipeline keeps its won and lost", 1),
    (["list", "add", "{book}", "colour", "Red"], "'colour' is not a list: segment, channel", 2),
    (["list", "add", "{book}", "channel", "referral"], "not on the list yet ('Referral')", 1),
    (["list", "rename", "{book}", "segment", "Offices", "hotels"], "('Hotels' is)", 1),
    (["list", "rename", "{book}", "segment", "Bakeries", "X"], "segment must be one of", 1),
    (["list", "remove", "{book}", "segment", "Hotels"], "segment 'Hotels' is in use by", 1),
    (["deal", "edit", "{book}", "D99999", "--value", "1"], "no deal D99999 on the Deals", 1),
    (["deal", "edit", "{book}", "D00016", "--value", "nan"], "value must be an amount", 1),
    (["deal", "edit", "{book}", "D00016", "--title", ""], "title must be text that is not", 1),
    (["deal", "edit", "{book}", "D00016", "--campaign", "Nope"], "campaign must be one of", 1),
    (["deal", "edit", "{book}", "D00016", "--next", "2026-02-30"], "2026-02-30 does not exist", 2),
    (["deal", "edit", "{book}", "D00016", "--next", "2026-07-01", "--no-next"], "not both", 2),
    (["deal", "edit", "{book}", "D00016"], "nothing to change: give at least one of --title", 2),
    (["customer", "edit", "{book}", "C9999", "--name", "X"], "no customer C9999 on the", 1),
    (["customer", "edit", "{book}", "C0012", "--email", "not-an-email"], "an e-mail address", 1),
    (["customer", "edit", "{book}", "C0012", "--name", ""], "name must be text that is not", 1),
    (["customer", "edit", "{book}", "C0012", "--segment", "Bakeries"], "must be one of Cafés", 1),
]


@pytest.mark.parametrize(("args", "message", "code"), REFUSED)
def test_a_refused_command_leaves_the_file_byte_for_byte(book, args, message, code) -> None:
    original = digest(book)
    out = fails(*[a.format(book=book) for a in args], code=code)
    assert message in out
    assert digest(book) == original
    assert not book.with_name("Sales.backup.xlsx").exists()


def test_unchanged_values_write_nothing(book) -> None:
    original = digest(book)
    assert run("deal", "edit", book, "D00016", "--value", "4360") == (
        "Deal D00016 'Private-label blend' has these values already: nothing changed.\n"
    )
    assert run("stage", "rename", book, "Nurturing", "Nurturing").endswith("nothing changed.\n")
    assert digest(book) == original


# -- the gateway: validated result, both gateways -----------------------------------------------

PLANS = {
    "campaign add": lambda d: catalog.add_campaign(
        d, "Spring fair", "Events", 1200, date(2026, 7, 1), date(2026, 7, 31)
    ),
    "campaign rename": lambda d: catalog.edit_campaign(d, "Autumn newsletter", "Autumn mailing"),
    "stage add": lambda d: catalog.add_stage(d, "Proposal", 0.45, 10, "Nurturing"),
    "stage rename": lambda d: catalog.rename_stage(d, "Negotiation", "Proposal"),
    "stage move": lambda d: catalog.move_stage(d, "Negotiation", first=True),
    "stage set": lambda d: catalog.set_stage(d, "Nurturing", 0.35, never_rots=True),
    "list add": lambda d: catalog.add_list_value(d, "segments", "Bakeries"),
    "list rename": lambda d: catalog.rename_list_value(d, "channels", "Events", "Trade fairs"),
    "deal edit": lambda d: records.edit_deal(d, "D00016", {"value": 5000.0, "probability": 0.7}),
    "customer edit": lambda d: records.edit_customer(d, "C0012", {"segment": "Hotels"}),
}


class RecordingFile(WorkbookFile):
    """The file gateway, keeping the validated result it was given to write."""

    def write(self, snapshot, changes, after) -> None:
        self.after = after
        super().write(snapshot, changes, after)


@pytest.mark.parametrize("plan", list(PLANS))
def test_the_gateway_knows_what_the_file_will_read_back(plan, tmp_path) -> None:
    """The validated result (lists, pipeline, records, rows) is what reading the written file
    gives, and every formula cell of every sheet holds the core's figure for it."""
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(DEMO_BYTES)
    file = RecordingFile(path)
    gateway.run(file, PLANS[plan])
    written = path.read_bytes()
    back = reader.read_snapshot(written)
    assert back.problems == []
    assert file.after.problems == []
    expected = file.after
    assert expected.data.lists == back.data.lists
    assert expected.data.pipeline == back.data.pipeline
    assert expected.rows["stages"] == back.rows["stages"]
    for key in RECORD_TYPES:
        pd.testing.assert_frame_equal(expected.data.table(key), back.data.table(key))
        assert expected.rows[key] == back.rows[key]
    book = CalamineWorkbook.from_filelike(io.BytesIO(written))
    for sheet, cells in cached.core_values(back.data, back.rows).items():
        stored = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        assert cached.changed_cells(cells, stored) == {}, sheet
    assert derived_mismatches(back) == {}


@pytest.mark.parametrize("plan", list(PLANS))
def test_the_excel_gateway_applies_the_same_changes(plan, tmp_path) -> None:
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(DEMO_BYTES)
    gateway.run(WorkbookFile(path), PLANS[plan])
    by_file = read(path)
    fake = FakeBook(DEMO_BYTES)
    gateway.run(ExcelBook(fake), PLANS[plan])
    live = ExcelBook(fake).snapshot()
    assert live.problems == []
    assert live.data.lists == by_file.lists
    assert live.data.pipeline == by_file.pipeline
    for key in RECORD_TYPES:
        pd.testing.assert_frame_equal(live.data.table(key), by_file.table(key))
    assert derived_mismatches(live) == {}  # the same furthest steps as the file's


def test_the_excel_gateway_writes_a_new_stage_in_one_block(before) -> None:
    fake = FakeBook(DEMO_BYTES)
    fake.calls.clear()
    gateway.run(ExcelBook(fake), PLANS["stage add"])
    deal_rows = len(before.deals) + 1
    assert fake.writes() == [
        ("resize", "tblStages", "A1:G7"),
        ("write", "Stages", "A2:G7"),
        ("write", "Deals", f"Y2:Y{deal_rows}"),
    ]
    stages = fake.sheets["Stages"].cells
    assert [stages[(r, 1)] for r in range(2, 8)][2] == "Proposal"
    assert stages[(4, 6)] == schema.formula_of(schema.STAGES, schema.STAGES.column("Funnel step"))
    # the furthest steps for the new pipeline, as values, in one block
    live = ExcelBook(fake).snapshot()
    assert derived_mismatches(live) == {}
    steps = [fake.sheets["Deals"].cells[(r, 25)] for r in range(2, deal_rows + 1)]
    assert max(steps) == 5


def test_the_excel_gateway_writes_the_furthest_steps_that_change(before) -> None:
    """An action through Excel writes the furthest steps that change, one call per run of
    rows; a value typed there by hand is put right at the next write."""
    fake = FakeBook(DEMO_BYTES)
    fake.sheets["Deals"].cells[(9, 25)] = 42  # typed by hand
    fake.calls.clear()
    gateway.run(ExcelBook(fake), PLANS["deal edit"])  # another deal's value and probability
    assert fake.writes()[-1] == ("write", "Deals", "Y9:Y9")
    assert fake.sheets["Deals"].cells[(9, 25)] != 42
    assert derived_mismatches(ExcelBook(fake).snapshot()) == {}


def test_an_older_workbooks_formulas_become_values_when_a_stage_is_added(tmp_path) -> None:
    """A workbook made when "Furthest step" was a formula (of four funnel stages): a stage
    added through either gateway leaves every deal's furthest step right for five stages,
    values in the file, and no calculated-column formula for it."""
    older = older_workbook(DEMO_BYTES)
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(older)
    run("stage", "add", path, "Proposal", "--probability", "45%", "--first")
    assert formulas_in_column(sheet_part(path, "Deals"), "Y") == {}
    assert b"COUNTIFS(tblStageLog" not in table_part(path, "tblDeals")
    by_file = furthest_steps(path)
    assert max(by_file.values()) == 5
    fake = FakeBook(older)
    gateway.run(ExcelBook(fake), lambda d: catalog.add_stage(d, "Proposal", 0.45, first=True))
    live = ExcelBook(fake).snapshot()
    assert derived_mismatches(live) == {}
    index = schema.DEALS.columns.index(schema.DEALS.column("Furthest step"))
    by_excel = {
        live.cells["Deals"][r - 1][0]: live.cells["Deals"][r - 1][index] for r in live.rows["deals"]
    }
    assert by_excel == by_file


def test_the_excel_gateway_writes_a_list_in_one_block(before) -> None:
    fake = FakeBook(DEMO_BYTES)
    fake.calls.clear()
    gateway.run(ExcelBook(fake), lambda d: catalog.add_list_value(d, "channels", "Trade fair"))
    assert fake.writes() == [("resize", "tblChannels", "C1:C8"), ("write", "Lists", "C2:C8")]
    assert fake.sheets["Lists"].cells[(8, 3)] == "Trade fair"


def test_a_list_or_stage_change_is_validated_against_every_row(before, tmp_path) -> None:
    """A plan that drops a value still in use (bypassing the actions' own refusal) is refused
    by both gateways with the rows that use it, and nothing is written."""

    def drop_events(data) -> Changes:
        changes = Changes()
        changes.lists["channels"] = tuple(c for c in data.lists.channels if c != "Events")
        return changes

    def drop_nurturing(data) -> Changes:
        changes = Changes()
        changes.stages = tuple(
            StageRow(s, i) for i, s in enumerate(data.pipeline.stages) if s.name != "Nurturing"
        )
        return changes

    path = tmp_path / "Sales.xlsx"
    path.write_bytes(DEMO_BYTES)
    for plan, sheets in (
        (drop_events, {"Customers", "Deals", "Campaigns"}),
        (drop_nurturing, {"Deals", "StageLog"}),
    ):
        with pytest.raises(reader.WorkbookInvalidError) as by_file:
            gateway.run(WorkbookFile(path), plan)
        assert path.read_bytes() == DEMO_BYTES
        fake = FakeBook(DEMO_BYTES)
        with pytest.raises(reader.WorkbookInvalidError) as by_excel:
            gateway.run(ExcelBook(fake), plan)
        assert fake.writes() == []
        assert by_excel.value.problems == by_file.value.problems
        assert {p.sheet for p in by_file.value.problems} == sheets
    events = int((before.customers["channel"] == "Events").sum())
    assert events == 11


def test_a_stages_table_with_a_blank_row_is_laid_out_anew(tmp_path) -> None:
    """A blank row inside the Stages table (typed by hand): the table is rewritten from its
    first row without the gap, and reads back as validated, with every cached figure."""
    workbook = load_workbook(DEMO)
    stages = workbook["Stages"]
    stages.insert_rows(4)  # a blank row between the second and third stage
    table = stages.tables["tblStages"]
    table.ref = "A1:G7"
    path = tmp_path / "Sales.xlsx"
    workbook.save(path)
    assert reader.read_snapshot(path.read_bytes()).rows["stages"] == (2, 3, 5, 6, 7)
    file = RecordingFile(path)
    gateway.run(file, lambda d: catalog.move_stage(d, "Negotiation", first=True))
    back = reader.read_snapshot(path.read_bytes())
    assert back.problems == []
    assert back.rows["stages"] == file.after.rows["stages"] == (2, 3, 4, 5, 6)
    assert back.data.pipeline.names[:3] == ("Negotiation", "Lead acquisition", "Nurturing")
    assert Editor(path.read_bytes()).tables["tblStages"].ref == "A1:G6"
    assert b'<row r="7"' not in sheet_part(path, "Stages")
    stored = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    expected = cached.core_values(back.data, back.rows)
    cells = stored.get_sheet_by_name("Stages").to_python(skip_empty_area=False)
    assert cached.changed_cells(expected["Stages"], cells) == {}
    assert [row[5] for row in cells[1:]] == [1, 2, 3, 4, 0]


def test_tables_without_calculated_formulas_get_the_schemas(tmp_path) -> None:
    """LibreOffice drops the table parts' calculated-column formulas when it saves: a rewritten
    Stages table still gets its Funnel step formula, and the Deals' formula cells follow."""
    package = Package.from_bytes(DEMO_BYTES)
    for name in [n for n in package.parts if n.startswith("xl/tables/")]:
        xml = package.read(name)
        package.replace(
            name, re.sub(rb"<calculatedColumnFormula>.*?</calculatedColumnFormula>", b"", xml)
        )
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(package.to_bytes())
    run("stage", "add", path, "Proposal", "--probability", "45%", "--first")
    stages = formulas_in_column(sheet_part(path, "Stages"), "F")
    funnel_step = schema.formula_of(schema.STAGES, schema.STAGES.column("Funnel step"))
    assert sorted(stages) == [2, 3, 4, 5, 6, 7]
    assert set(stages.values()) == {funnel_step.removeprefix("=").replace("&", "&amp;")}
    learned = schema.formula_of(schema.STAGES, schema.STAGES.column("Learned probability"))
    assert {
        html.unescape(f) for f in formulas_in_column(sheet_part(path, "Stages"), "G").values()
    } == {learned.removeprefix("=")}
    assert formulas_in_column(sheet_part(path, "Deals"), "Y") == {}
    assert max(furthest_steps(path).values()) == 5
    assert b"calculatedColumnFormula" not in table_part(path, "tblDeals")
    back = reader.read_snapshot(path.read_bytes())
    cells = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    expected = cached.core_values(back.data, back.rows)
    for sheet in ("Stages", "Deals", "StageLog"):
        stored = cells.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        assert cached.changed_cells(expected[sheet], stored) == {}, sheet


def test_the_number_of_stages_is_no_longer_bound_by_a_formulas_length(book) -> None:
    """The furthest step was a formula with a COUNTIFS pair per funnel stage, which refused
    more than about 40 stages (Excel's 8,192 characters); as a value it takes any number."""

    def many(data) -> Changes:
        changes = Changes()
        extra = [Stage(f"Step {i}", 0.5) for i in range(60)]
        opened, closing = data.pipeline.open_stages, (data.pipeline.won, data.pipeline.lost)
        changes.stages = tuple(StageRow(s) for s in (*opened, *extra, *closing))
        return changes

    gateway.run(WorkbookFile(book), many)
    assert len(read(book).pipeline.funnel) == 64
    assert max(furthest_steps(book).values()) == 64  # the won deals


def test_list_fields_are_the_schemas_drop_downs() -> None:
    from_schema: dict[str, set[tuple[str, str]]] = {}
    for key, spec in schema.TABLES.items():
        for column in spec.inputs:
            if column.choices in schema.LISTS:
                from_schema.setdefault(column.choices, set()).add((key, column.field))
    assert {k: set(v) for k, v in catalog.LIST_FIELDS.items()} == from_schema


def test_a_stage_change_sets_relayout_and_a_probability_change_does_not(before) -> None:
    assert PLANS["stage add"](before).relayout
    assert PLANS["stage rename"](before).relayout
    assert PLANS["campaign add"](before).relayout
    assert PLANS["list add"](before).relayout  # a segment
    assert not PLANS["stage set"](before).relayout
    assert not catalog.add_list_value(before, "lost_reasons", "Went quiet").relayout


# -- LibreOffice agrees with the core after a stage is added -----------------------------------


@pytest.mark.libreoffice
def test_libreoffice_agrees_with_the_core_after_a_stage_is_added(book) -> None:
    from salesflow_xl.recalc import libreoffice as recalc

    run("stage", "add", book, "Proposal", "--probability", "45%", "--after", "Nurturing")
    run("advance", book, "D00016", "--at", "2026-06-30 10:00")  # Nurturing → Proposal
    data = read(book)
    assert data.deals.set_index("id").loc["D00016", "stage"] == "Proposal"
    result = recalc.recalculate(book.read_bytes())
    assert result.errors == {}
    recalculated = load_workbook(io.BytesIO(result.content), data_only=True)
    expected = cached.core_values(data, reader.read_snapshot(book.read_bytes()).rows)
    assert cell_mismatches(expected, recalculated) == {}
    steps = [recalculated["Deals"][f"Y{r}"].value for r in range(2, len(data.deals) + 2)]
    assert max(steps) == 5  # won deals passed all five steps of the new funnel


@pytest.mark.libreoffice
def test_names_that_look_like_conditions_or_wildcards_count_exactly(book) -> None:
    """COUNTIFS reads a bare "<10 staff" as "less than 10 staff" and "*" as a wildcard; every
    name criterion is matched exactly, so LibreOffice's figures stay the core's (the segment
    has the three deals of its three customers, not every deal)."""
    from salesflow_xl.recalc import libreoffice as recalc

    segment, channel, campaign = "<10 staff*", "=Word ~ mouth?", "Spring *sale*"
    run("list", "add", book, "segment", segment)
    run("list", "add", book, "channel", channel)
    run(
        *("campaign", "add", book, campaign, "--channel", channel, "--spend", 500),
        *("--start", "2026-06-01", "--end", "2026-06-30"),
    )
    for customer in ("C0001", "C0002", "C0003"):
        run("customer", "edit", book, customer, "--segment", segment, "--channel", channel)
        run("customer", "edit", book, customer, "--campaign", campaign)
    data = read(book)
    segments = data.deals["customer_id"].map(data.customers.set_index("id")["segment"])
    assert 0 < (segments == segment).sum() < len(data.deals) / 10
    result = recalc.recalculate(book.read_bytes())
    assert result.errors == {}
    recalculated = load_workbook(io.BytesIO(result.content), data_only=True)
    expected = cached.core_values(data, reader.read_snapshot(book.read_bytes()).rows)
    assert cell_mismatches(expected, recalculated) == {}
