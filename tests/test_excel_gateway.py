"""The live-Excel gateway and the ribbon's entry points, driven through a fake xlwings Book
that records every call: the same actions as the CLI, one call per range, and errors shown as
message boxes."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import derived_mismatches
from fake_excel import FakeBook

from salesflow_xl.actions import deals, leads
from salesflow_xl.actions.changes import Changes
from salesflow_xl.core.clv import rfm
from salesflow_xl.core.model import Activity
from salesflow_xl.excel import ribbon
from salesflow_xl.gateway import run
from salesflow_xl.gateway.excel import ExcelBook, SelectionError
from salesflow_xl.gateway.file import WorkbookFile
from salesflow_xl.ooxml.refs import column_index
from salesflow_xl.workbook import build, reader, schema

DEMO = (Path(__file__).parent.parent / "workbook" / build.DEMO_NAME).read_bytes()


@pytest.fixture
def fake() -> FakeBook:
    return FakeBook(DEMO)


@pytest.fixture(scope="module")
def data():
    back, problems = reader.read_bytes(DEMO)
    assert problems == []
    return back


def nurturing_rows(data, count: int) -> list[int]:
    deals_ = data.deals
    positions = deals_.index[(deals_["status"] == "open") & (deals_["stage"] == "Nurturing")]
    return [int(p) + 2 for p in positions[:count]]


def test_reads_the_same_data_as_the_file_reader(fake, data) -> None:
    live = ExcelBook(fake).read()
    for key in ("deals", "customers", "stage_log", "orders"):
        assert live.table(key)["id" if key != "stage_log" else "deal_id"].tolist() == (
            data.table(key)["id" if key != "stage_log" else "deal_id"].tolist()
        )
    assert live.settings == data.settings
    reads = [c for c in fake.calls if c[0] == "read"]
    assert len(reads) <= len(fake.sheets)  # one call per sheet
    assert ExcelBook(fake).snapshot().rows == reader.read_snapshot(DEMO).rows


def test_selected_rows_map_to_deal_ids(fake, data) -> None:
    rows = nurturing_rows(data, 1)
    fake.select("Deals", rows[0], rows[0] + 2, column=5)
    expected = data.deals["id"].iloc[rows[0] - 2 : rows[0] + 1].tolist()
    assert ExcelBook(fake).selected_deal_ids() == expected


def test_selection_elsewhere_is_refused(fake) -> None:
    fake.select("Customers", 2, 3)
    with pytest.raises(SelectionError, match="Deals sheet"):
        ExcelBook(fake).selected_deal_ids()


def test_advance_writes_one_call_per_range(fake, data) -> None:
    rows = nurturing_rows(data, 2)
    ids = [data.deals["id"].iloc[r - 2] for r in rows]
    book = ExcelBook(fake)
    furthest = {r: fake.sheets["Deals"].cells[(r, 25)] for r in rows}
    fake.calls.clear()
    run(book, lambda d: deals.advance(d, ids, datetime(2026, 6, 30, 9)))
    writes = fake.writes()
    # per deal: Stage (F), Stage entered (J) and Next follow-up (L, by Negotiation's
    # follow-up days) are three runs; the log: one resize, one block; then the furthest step
    # (Y) of a deal that now reaches Negotiation for the first time
    assert furthest == {rows[0]: 2, rows[1]: 3}  # the second had been there before
    assert [w for w in writes if w[1] == "Deals"] == [
        ("write", "Deals", f"F{rows[0]}:F{rows[0]}"),
        ("write", "Deals", f"J{rows[0]}:J{rows[0]}"),
        ("write", "Deals", f"L{rows[0]}:L{rows[0]}"),
        ("write", "Deals", f"F{rows[1]}:F{rows[1]}"),
        ("write", "Deals", f"J{rows[1]}:J{rows[1]}"),
        ("write", "Deals", f"L{rows[1]}:L{rows[1]}"),
        ("write", "Deals", f"Y{rows[0]}:Y{rows[0]}"),
    ]
    assert fake.sheets["Deals"].cells[(rows[0], 25)] == 3
    n = len(data.stage_log)
    assert [w for w in writes if w[1] != "Deals"] == [
        ("resize", "tblStageLog", f"A1:G{n + 3}"),
        ("write", "StageLog", f"A{n + 2}:G{n + 3}"),
    ]
    after = ExcelBook(fake).read()
    assert after.deals.set_index("id").loc[ids, "stage"].tolist() == ["Negotiation"] * 2
    assert after.stage_log["to_stage"].iloc[-2:].tolist() == ["Negotiation"] * 2
    formula = fake.sheets["StageLog"].cells[(n + 2, 6)]
    assert formula.startswith('=IF(tblStageLog[[#This Row],[Timestamp]]="","",IFERROR(INDEX(')


def test_a_new_deal_gets_its_furthest_step_in_its_rows_block(fake, data) -> None:
    """The derived "Furthest step" of a new deal goes into the block of its new row: no
    further call."""
    fake.calls.clear()
    run(ExcelBook(fake), lambda d: leads.add_lead(d, leads.Lead("Ada Park"), datetime(2026, 6, 30)))
    row = len(data.deals) + 2
    assert [w for w in fake.writes() if w[1] in ("Deals", "tblDeals")] == [
        ("resize", "tblDeals", f"A1:Y{row}"),
        ("write", "Deals", f"A{row}:Y{row}"),
    ]
    assert fake.sheets["Deals"].cells[(row, 25)] == 1  # its log's first row: Lead acquisition
    assert derived_mismatches(ExcelBook(fake).snapshot()) == {}


def test_text_excel_would_read_as_a_number_or_date_keeps_its_quote_prefix(fake, data) -> None:
    """A phone typed with its leading zero, a title that looks like a month: written with the
    apostrophe Excel keeps as the cell's quote prefix (typed plainly, Excel would make them
    301234567 and a date); other text as it is."""
    lead = leads.Lead("Ada Park", phone="0301234567", title="2026-07")
    run(ExcelBook(fake), lambda d: leads.add_lead(d, lead, datetime(2026, 6, 30)))
    customers, deals = fake.sheets["Customers"].cells, fake.sheets["Deals"].cells
    customer_row, deal_row = len(data.customers) + 2, len(data.deals) + 2
    phone, name = (column_index(schema.CUSTOMERS.letter(f)) for f in ("phone", "name"))
    title = column_index(schema.DEALS.letter("title"))
    assert customers[(customer_row, phone)] == "'0301234567"
    assert customers[(customer_row, name)] == "Ada Park"
    assert deals[(deal_row, title)] == "'2026-07"


def test_ribbon_advance_shows_the_summary(fake, data, monkeypatch) -> None:
    monkeypatch.setattr(ribbon, "_active_book", lambda: fake)
    row = nurturing_rows(data, 1)[0]
    fake.select("Deals", row, row)
    ribbon.advance()
    alerts = [c for c in fake.calls if c[0] == "alert"]
    assert alerts[-1][1] == "info"
    assert "Nurturing → Negotiation" in alerts[-1][2]


def test_ribbon_error_is_a_message_box_and_nothing_is_written(fake, monkeypatch) -> None:
    monkeypatch.setattr(ribbon, "_active_book", lambda: fake)
    fake.select("Deals", 2, 2)  # D00001 is closed
    ribbon.advance()
    assert fake.writes() == []
    mode, message = [c for c in fake.calls if c[0] == "alert"][-1][1:]
    assert mode == "critical"
    assert "reopen it before moving it" in message


def test_ribbon_mark_lost_asks_for_the_reason(fake, data, monkeypatch) -> None:
    monkeypatch.setattr(ribbon, "_active_book", lambda: fake)
    row = nurturing_rows(data, 1)[0]
    fake.select("Deals", row, row)
    fake.app.answers = ["timing"]
    ribbon.mark_lost()
    asked = [c for c in fake.calls if c[0] == "macro"]
    assert asked[0][1] == "'SalesFlow.xlam'!SalesFlowAsk"
    after = ExcelBook(fake).read()
    assert after.deals["lost_reason"].iloc[row - 2] == "Timing"


def test_ribbon_cancel_changes_nothing(fake, data, monkeypatch) -> None:
    monkeypatch.setattr(ribbon, "_active_book", lambda: fake)
    row = nurturing_rows(data, 1)[0]
    fake.select("Deals", row, row)
    fake.app.answers = [""]
    ribbon.mark_lost()
    assert fake.writes() == []
    assert "cancelled" in [c for c in fake.calls if c[0] == "alert"][-1][2]


def test_ribbon_refresh_sets_the_named_as_of_cell(fake, monkeypatch) -> None:
    monkeypatch.setattr(ribbon, "_active_book", lambda: fake)
    ribbon.refresh_dashboard()
    # the as-of date, then the four prediction columns of every customer in one block, then
    # the Dashboard's forecast: below the 6 channels (rows 9-14) and 5 segments (18-22) of
    # column K, its title in row 24 and headers in 25; 6 months and a note, 7 columns
    first = schema.CUSTOMERS.letter("P(alive)")
    last = schema.CUSTOMERS.letter("RFM segment")
    assert fake.writes() == [
        ("write", "Settings", "B3:B3"),
        ("write", "Customers", f"{first}2:{last}151"),
        ("write", "Dashboard", "K26:Q32"),
    ]
    today = date.today()
    assert fake.sheets["Settings"].cells[(3, 2)].date() == today
    board = fake.sheets["Dashboard"].cells
    tomorrow = today + timedelta(days=1)
    assert board[(26, 11)] == f"'{tomorrow.year}-{tomorrow.month:02d}"  # text, not a date
    expected, low, high = (board[(26, column)] for column in (12, 13, 14))
    assert 0 <= low <= expected <= high
    assert str(today) in board[(32, 11)]
    column = schema.CUSTOMERS.columns.index(schema.CUSTOMERS.column("RFM segment")) + 1
    segments = {fake.sheets["Customers"].cells.get((row, column)) for row in range(2, 152)}
    assert segments - {None} <= set(rfm.SEGMENTS)


def test_every_button_is_a_no_argument_function() -> None:
    import inspect

    from salesflow_xl.addin import build

    tags = re.findall(r'tag="(\w+)"', (build.INSTALL / "ribbon.xml").read_text("utf-8"))
    assert len(tags) >= 14
    assert set(ribbon.BUTTONS) == set(tags)
    for name, function in ribbon.BUTTONS.items():
        assert inspect.signature(function).parameters == {}, name
        assert function.__doc__, name


def invalid_plan(data) -> Changes:
    """A plan with a bug: it moves a deal to a stage the pipeline does not have and logs an
    activity under an ID already in use, on a deal that does not exist."""
    changes = Changes()
    changes.update("deals", 3, {"stage": "Maybe"})
    taken = data.activities["id"].iloc[0]
    changes.append(Activity(taken, "D99999", None, "Call", date(2026, 6, 30), None, None))
    return changes


def test_both_gateways_refuse_the_same_invalid_result(fake, tmp_path) -> None:
    """The validation is the gateway boundary's, not the file's: the Excel gateway refuses
    what the file gateway refuses, with the same problems, and writes nothing."""
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(DEMO)
    with pytest.raises(reader.WorkbookInvalidError) as by_file:
        run(WorkbookFile(path), invalid_plan)
    assert path.read_bytes() == DEMO
    fake.calls.clear()
    with pytest.raises(reader.WorkbookInvalidError) as by_excel:
        run(ExcelBook(fake), invalid_plan)
    assert fake.writes() == []
    assert by_excel.value.problems == by_file.value.problems
    found = {(p.sheet, p.row, p.column, p.value) for p in by_file.value.problems}
    first_new = len(reader.read_snapshot(DEMO).data.activities) + 2
    assert found == {
        ("Deals", 5, "Stage", "Maybe"),
        ("Activities", first_new, "Activity ID", invalid_plan_taken()),
        ("Activities", first_new, "Deal ID", "D99999"),
    }


def invalid_plan_taken() -> str:
    return reader.read_snapshot(DEMO).data.activities["id"].iloc[0]


def test_the_excel_gateway_refuses_a_workbook_with_problems(fake) -> None:
    fake.sheets["Deals"].cells[(5, 5)] = "twelve hundred"  # Value
    with pytest.raises(reader.WorkbookInvalidError, match="Deals row 5, column 'Value'"):
        run(ExcelBook(fake), lambda d: deals.advance(d, ["D00016"], datetime(2026, 6, 30)))
    assert fake.writes() == []


def test_a_blank_row_in_a_table_does_not_shift_the_rows_written(fake, data) -> None:
    """Records are addressed by the row they were read from, never by position + 2."""
    sheet = fake.sheets["Deals"]
    sheet.cells = {(r + 1 if r >= 3 else r, c): v for (r, c), v in sheet.cells.items()}
    row = nurturing_rows(data, 1)[0] + 1  # one blank row (3) above it now
    deal_id = data.deals["id"].iloc[row - 3]
    assert ExcelBook(fake).snapshot().rows["deals"][:3] == (2, 4, 5)
    fake.calls.clear()
    run(ExcelBook(fake), lambda d: deals.advance(d, [deal_id], datetime(2026, 6, 30, 9)))
    assert ("write", "Deals", f"F{row}:F{row}") in fake.writes()
    assert sheet.cells[(row, 1)] == deal_id
    assert sheet.cells[(row, 6)] == "Negotiation"


def test_ribbon_add_lead_with_a_value_that_is_no_number_is_a_message(fake, monkeypatch) -> None:
    monkeypatch.setattr(ribbon, "_active_book", lambda: fake)
    fake.app.answers = ["Ada Park", "", "", "lots"]
    ribbon.add_lead()
    assert fake.writes() == []
    mode, message = [c for c in fake.calls if c[0] == "alert"][-1][1:]
    assert mode == "critical"
    assert message == "'lots' is not a number like 3600"


def test_ribbon_add_lead_refuses_control_characters(fake, monkeypatch) -> None:
    monkeypatch.setattr(ribbon, "_active_book", lambda: fake)
    fake.app.answers = ["Ada\x0bPark", "", "", "100"]
    ribbon.add_lead()
    assert fake.writes() == []
    message = [c for c in fake.calls if c[0] == "alert"][-1][2]
    assert "name must be text without control characters" in message
