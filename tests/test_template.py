"""The template: the committed workbooks match the builder, and the workbook carries the tables,
drop-downs, names, formats and charts the schema describes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from salesflow_xl.core import demo
from salesflow_xl.workbook import build, schema, template

WORKBOOK_DIR = Path(__file__).parent.parent / "workbook"


@pytest.mark.parametrize("name", [build.TEMPLATE_NAME, build.DEMO_NAME])
def test_committed_workbooks_match_the_builder(name) -> None:
    committed = (WORKBOOK_DIR / name).read_bytes()
    assert committed == build.committed_workbooks()[name], (
        f"workbook/{name} is out of date: run python -m salesflow_xl.workbook.build"
    )


@pytest.fixture(scope="module")
def content() -> bytes:
    return template.render(demo.generate())


@pytest.fixture(scope="module")
def book(content):
    return load_workbook(io.BytesIO(content))


def test_sheets_in_order(book) -> None:
    assert book.sheetnames == list(schema.SHEET_ORDER)


@pytest.mark.parametrize("spec", list(schema.all_tables()), ids=lambda s: s.sheet)
def test_each_table_is_an_excel_table_with_schema_headers(book, spec) -> None:
    sheet = book[spec.sheet]
    assert spec.name in sheet.tables
    table = sheet.tables[spec.name]
    assert [c.name for c in table.tableColumns] == [c.header for c in spec.columns]
    calculated = {c.name for c in table.tableColumns if c.calculatedColumnFormula is not None}
    assert calculated == {c.header for c in spec.computed}
    assert sheet.freeze_panes in ("A2", "B2")


def test_rows_and_formats(book) -> None:
    deals = book["Deals"]
    assert deals.max_row == 301
    headers = [c.value for c in deals[1]]
    value = deals.cell(row=2, column=headers.index("Value") + 1)
    created = deals.cell(row=2, column=headers.index("Created") + 1)
    weighted = deals.cell(row=2, column=headers.index("Weighted value") + 1)
    assert value.number_format == "#,##0.00"
    assert created.number_format == "yyyy-mm-dd"
    assert weighted.value == (
        '=IF(tblDeals[[#This Row],[Deal ID]]="","",'
        "tblDeals[[#This Row],[Value]]*tblDeals[[#This Row],[Win chance]])"
    )


def test_drop_downs_come_from_lists_and_tables(book) -> None:
    formulas = {
        sheet: {v.formula1 for v in book[sheet].data_validations.dataValidation}
        for sheet in ("Deals", "Customers", "Activities", "Campaigns")
    }
    # as Excel writes them: the name alone, no leading "=" (ECMA-376 ST_Formula)
    assert {"StageList", "LostReasonList", "ChannelList", "CampaignList"} <= formulas["Deals"]
    assert "SegmentList" in formulas["Customers"]
    assert "ActivityTypeList" in formulas["Activities"]
    names = set(book.defined_names)
    assert {"StageList", "CampaignList", "SegmentList", "AsOf", "GrossMargin"} <= names
    assert book.defined_names["StageList"].attr_text == "tblStages[Stage]"


def test_conditional_formatting_marks_rotting_and_overdue(book) -> None:
    rules = [rule.formula[0] for cf in book["Deals"].conditional_formatting for rule in cf.rules]
    assert any("Rotting" in r for r in rules)
    assert any("AsOf" in r for r in rules)
    assert book["Activities"].conditional_formatting


def test_dashboard_has_three_native_charts(content) -> None:
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    charts = [n for n in names if n.startswith("xl/charts/chart")]
    assert len(charts) == 3
    text = b"".join(zipfile.ZipFile(io.BytesIO(content)).read(n) for n in charts)
    assert b"Sales funnel" in text
    assert b"ROI per campaign" in text


def test_blank_workbook_has_one_empty_row_per_table() -> None:
    book = load_workbook(io.BytesIO(build.committed_workbooks()[build.TEMPLATE_NAME]))
    assert book["Deals"].tables["tblDeals"].ref.endswith("2")
    assert book["Deals"]["A2"].value is None


def test_every_table_sheet_prints_one_page_wide_with_its_header_on_every_page() -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(build.committed_workbooks()[build.DEMO_NAME]))
    for spec in schema.all_tables():
        sheet = book[spec.sheet]
        setup = sheet.page_setup
        wide = len(spec.columns) > 6
        assert setup.orientation == ("landscape" if wide else "portrait"), spec.sheet
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), spec.sheet
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, spec.sheet
        assert sheet.print_title_rows == "$1:$1", spec.sheet
        for index, column in enumerate(spec.columns, start=1):
            header = sheet.cell(row=1, column=index)
            assert header.alignment.wrap_text, (spec.sheet, column.header)
            width = sheet.column_dimensions[header.column_letter].width
            longest_word = max(len(w) for w in column.header.split())
            assert width > longest_word, (spec.sheet, column.header, width)


def test_every_sheet_prints_one_page_wide_on_a4() -> None:
    """Not only the tables: the Dashboard, Analytics, Lists, Settings and xlwings.conf too."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(build.committed_workbooks()[build.DEMO_NAME]))
    assert book.sheetnames == list(schema.SHEET_ORDER)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert str(setup.paperSize) == str(sheet.PAPERSIZE_A4), sheet.title


def test_typical_text_shows_uncut() -> None:
    """Nine in ten e-mail addresses (and other texts) of the demo fit their column."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(build.committed_workbooks()[build.DEMO_NAME]))
    data = demo.generate()
    sheet = book[schema.CUSTOMERS.sheet]
    letter = schema.CUSTOMERS.letter("email")
    width = sheet.column_dimensions[letter].width
    lengths = data.customers["email"].dropna().str.len()
    assert (lengths <= width).mean() >= 0.9
