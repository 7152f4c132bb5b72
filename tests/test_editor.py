"""Editing a workbook's tables: rows appended and cells changed where the change says, nothing
else touched, the native formulas of new rows computing what the core computes, and the
derived "Furthest step" written as values (an older workbook's formulas there replaced)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pandas as pd
import pytest
from conftest import cell_mismatches, older_workbook

from salesflow_xl.core import demo, metrics
from salesflow_xl.ooxml.sheetxml import formula_cells
from salesflow_xl.ooxml.sheetxml import rows as _rows
from salesflow_xl.recalc import libreoffice as recalc
from salesflow_xl.workbook import build, cached, reader, schema, template
from salesflow_xl.workbook.editor import EditError, Editor

NEW_CUSTOMER = {
    "id": "C9001",
    "name": "Zoe Test",
    "company": "Test Café",
    "segment": "Cafés",
    "channel": "Website",
    "first_touch": date(2026, 6, 1),
}
NEW_DEAL = {
    "id": "D99001",
    "customer_id": "C9001",
    "title": "Trial order",
    "value": 1234.5,
    "stage": "Nurturing",
    "status": "open",
    "created": date(2026, 6, 1),
    "stage_entered": date(2026, 6, 20),
    "next_follow_up": date(2026, 6, 25),
}
NEW_EVENTS = [
    {
        "timestamp": datetime(2026, 6, 1, 9),
        "deal_id": "D99001",
        "from_stage": None,
        "to_stage": "Lead acquisition",
    },
    {
        "timestamp": datetime(2026, 6, 20, 15, 30),
        "deal_id": "D99001",
        "from_stage": "Lead acquisition",
        "to_stage": "Nurturing",
        "note": "Tasting went well",
    },
]


@pytest.fixture(scope="module")
def data():
    return demo.generate(seed=5)


@pytest.fixture(scope="module")
def original(data) -> bytes:
    return template.render(data)


@pytest.fixture(scope="module")
def edited(original) -> bytes:
    """The new rows and a changed row, then the derived values for the data after the edit
    where they changed, as the file gateway writes them."""
    before = reader.read_snapshot(original)
    editor = Editor(original)
    editor.append(schema.CUSTOMERS, [NEW_CUSTOMER])
    editor.append(schema.DEALS, [NEW_DEAL])
    editor.append(schema.STAGE_LOG, NEW_EVENTS)
    editor.update(schema.DEALS, 5, {"title": "Renamed <&> deal", "value": 777.0})
    after = reader.read_snapshot(editor.to_bytes())
    editor.write_derived(after.data, after.rows, before.cells)
    return editor.to_bytes()


def parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_read_back_is_the_data_plus_the_change(data, edited) -> None:
    back, problems = reader.read_bytes(edited)
    assert problems == []
    assert back.deals["id"].tolist() == [*data.deals["id"], "D99001"]
    assert back.deals.loc[3, "title"] == "Renamed <&> deal"
    assert back.deals.loc[3, "value"] == 777.0
    new = back.deals.iloc[-1]
    assert (new["stage"], new["status"], new["value"]) == ("Nurturing", "open", 1234.5)
    assert new["next_follow_up"] == pd.Timestamp(2026, 6, 25)
    assert back.stage_log["note"].iloc[-1] == "Tasting went well"
    unchanged = back.deals.drop(index=[3, len(back.deals) - 1])
    pd.testing.assert_frame_equal(unchanged, data.deals.drop(index=3), check_index_type=False)
    pd.testing.assert_frame_equal(back.orders, data.orders)


def test_parts_it_does_not_own_stay_byte_identical(original, edited) -> None:
    before, after = parts(original), parts(edited)
    assert list(before) == list(after)
    changed = {name for name in before if before[name] != after[name]}
    editor = Editor(original)
    owned = {
        part
        for spec in (schema.CUSTOMERS, schema.DEALS, schema.STAGE_LOG)
        for part in (editor.tables[spec.name].sheet_part, editor.tables[spec.name].part)
    }
    assert changed == owned


def test_untouched_rows_stay_byte_identical(original, edited) -> None:
    editor = Editor(original)
    part = editor.tables["tblDeals"].sheet_part
    before, after = _rows(parts(original)[part]), _rows(parts(edited)[part])
    assert set(after) == set(before) | {302}
    assert {n for n in before if before[n] != after[n]} == {5}


def test_new_rows_copy_the_styles_of_the_row_above(edited) -> None:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(edited))["Deals"]
    for column in ("E", "I", "J", "L", "T"):
        assert sheet[f"{column}302"].number_format == sheet[f"{column}301"].number_format
    assert "tblDeals[[#This Row],[Value]]*" in sheet["T302"].value
    assert sheet["Y302"].value == 2  # Furthest step: the log reached Nurturing
    assert sheet["Y302"].number_format == sheet["Y301"].number_format
    assert sheet.tables["tblDeals"].ref == "A1:Y302"


def test_first_row_of_an_empty_table_replaces_the_placeholder() -> None:
    blank = build.committed_workbooks()[build.TEMPLATE_NAME]
    editor = Editor(blank)
    customer = {**NEW_CUSTOMER, "segment": "Retail"}  # the blank workbook's default segments
    assert editor.append(schema.CUSTOMERS, [customer]) == [2]
    assert editor.append(schema.CUSTOMERS, [{**customer, "id": "C9002"}]) == [3]
    back, problems = reader.read_bytes(editor.to_bytes())
    assert problems == []
    assert back.customers["id"].tolist() == ["C9001", "C9002"]


def test_refuses_to_overwrite_cells_below_a_table(original) -> None:
    from openpyxl import load_workbook

    note_row = Editor(original).tables["tblOrders"].last_row + 5
    book = load_workbook(io.BytesIO(original))
    book["Orders"][f"B{note_row}"] = "a note of mine"
    out = io.BytesIO()
    book.save(out)
    before = out.getvalue()
    editor = Editor(before)
    rows = [
        {"id": f"O{i}", "customer_id": "C0001", "date": date(2026, 6, 1), "amount": 1.0}
        for i in range(20)
    ]
    message = f"row {note_row} of sheet Orders below the table is not empty"
    with pytest.raises(EditError, match=message):
        editor.append(schema.ORDERS, rows)
    assert editor.to_bytes() == Editor(before).to_bytes()


def test_refresh_sets_every_formula_cells_cached_value(edited) -> None:
    snapshot = reader.read_snapshot(edited)
    data = snapshot.data
    editor = Editor(edited)
    editor.refresh_cached_values(data, snapshot.rows)
    refreshed = editor.to_bytes()
    expected = cached.core_values(data)
    deals_part = editor.tables["tblDeals"].sheet_part
    assert set(formula_cells(parts(refreshed)[deals_part])) == set(expected["Deals"])
    frame = pd.read_excel(io.BytesIO(refreshed), sheet_name="Deals", engine="openpyxl")
    assert frame["Customer"].iloc[-1] == "Test Café"
    assert frame["Weighted value"].iloc[-1] == pytest.approx(1234.5 * 0.3)


@pytest.mark.libreoffice
def test_libreoffice_agrees_with_the_core_on_an_edited_workbook(edited) -> None:
    from openpyxl import load_workbook

    data, _ = reader.read_bytes(edited)
    expected = cached.core_values(data)
    result = recalc.recalculate(edited)
    assert result.errors == {}
    book = load_workbook(io.BytesIO(result.content), data_only=True)
    assert cell_mismatches(expected, book) == {}


def test_rows_past_excels_last_row_are_refused() -> None:
    editor = Editor(build.committed_workbooks()[build.DEMO_NAME])
    record = {"id": "O1", "customer_id": "C0001", "date": date(2026, 6, 1), "amount": 1.0}
    with pytest.raises(EditError, match="Excel has 1,048,576 rows"):
        editor.append(schema.ORDERS, [record, record], at=[1_048_576, 1_048_577])


def furthest_steps(content: bytes) -> tuple[dict[int, object], list[int]]:
    """The Deals' "Furthest step" column as stored (Excel row → value) and the rows whose cell
    holds a formula."""
    editor = Editor(content)
    layout = editor.tables["tblDeals"]
    letter = layout.letter("Furthest step")
    xml = editor.package.read(layout.sheet_part)
    snapshot = reader.read_snapshot(content)
    index = layout.headers.index("Furthest step")
    values = {n: snapshot.cells["Deals"][n - 1][index] for n in snapshot.rows["deals"]}
    formulas = [int(n) for n in re.findall(rb'<c r="' + letter.encode() + rb'(\d+)"[^>]*><f', xml)]
    return values, formulas


def expected_steps(content: bytes) -> dict[int, int]:
    snapshot = reader.read_snapshot(content)
    data = snapshot.data
    reach = metrics.stage_reach(data.stage_log, data.pipeline) + 1
    steps = data.deals["id"].map(reach).fillna(0).astype(int)
    return dict(zip(snapshot.rows["deals"], steps.tolist(), strict=True))


def test_derived_values_are_written_where_they_changed_only(original, edited) -> None:
    values, formulas = furthest_steps(edited)
    assert formulas == []
    assert values == expected_steps(edited)
    # a value typed by hand is put right, and only that cell changes
    editor = Editor(edited)
    editor.write_values(schema.DEALS, {7: {"Furthest step": 99}})
    typed = editor.to_bytes()
    snapshot = reader.read_snapshot(typed)
    assert snapshot.problems == []  # not the reader's business: SalesFlow's own figure
    editor = Editor(typed)
    editor.write_derived(snapshot.data, snapshot.rows, snapshot.cells)
    part = editor.tables["tblDeals"].sheet_part
    before, after = _rows(parts(edited)[part]), _rows(parts(editor.to_bytes())[part])
    assert {n for n in before if before[n] != after[n]} == {7}
    assert furthest_steps(editor.to_bytes())[0] == values


@pytest.mark.parametrize("calculated", [True, False], ids=["by SalesFlow", "by LibreOffice"])
def test_an_older_workbooks_furthest_step_formulas_become_values(original, calculated) -> None:
    """A workbook made before "Furthest step" was a value holds its formula in every row (and,
    unless LibreOffice saved it, as the table's calculated-column formula): the next write
    puts values in every row and drops the calculated-column formula, so Excel does not fill
    it into new rows."""
    older = older_workbook(original, calculated=calculated)
    assert len(furthest_steps(older)[1]) == len(reader.read_snapshot(older).rows["deals"])
    snapshot = reader.read_snapshot(older)
    editor = Editor(older)
    table = editor.package.read(editor.tables["tblDeals"].part)
    assert (b"COUNTIFS(tblStageLog" in table) == calculated
    editor.write_derived(snapshot.data, snapshot.rows, snapshot.cells)
    converted = editor.to_bytes()
    values, formulas = furthest_steps(converted)
    assert formulas == []
    assert values == expected_steps(converted)
    table = Editor(converted).package.read(editor.tables["tblDeals"].part)
    assert b"COUNTIFS(tblStageLog" not in table
    assert re.search(rb'<tableColumn id="25" name="Furthest step"\s*/>', table)
    assert table.count(b"<calculatedColumnFormula>") == len(schema.DEALS.computed)
    # the next edit finds values: nothing to convert, nothing rewritten
    again = Editor(converted)
    again.write_derived(snapshot.data, snapshot.rows, reader.read_snapshot(converted).cells)
    assert again.to_bytes() == converted
