"""A new sheet with an Excel table added to a workbook made before it existed
(:mod:`salesflow_xl.ooxml.new_sheet`): openpyxl, python-calamine and LibreOffice read it, the
project's reader still reads the workbook, every other part stays byte for byte, and names
Excel would refuse are refused."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from salesflow_xl.ooxml.new_sheet import (
    APP,
    CONTENT_TYPES,
    TABLE_TYPE,
    WORKBOOK,
    WORKBOOK_RELS,
    WORKSHEET_TYPE,
    NewSheetError,
    add_table_sheet,
)
from salesflow_xl.ooxml.package import Package
from salesflow_xl.ooxml.styles import STYLES, date_format, resolved_format
from salesflow_xl.ooxml.transplant import rels_name
from salesflow_xl.recalc import libreoffice as recalc
from salesflow_xl.workbook import reader
from salesflow_xl.workbook.editor import Editor
from salesflow_xl.workbook.schema_spec import Column, TableSpec

ROOT = Path(__file__).parent.parent
TEMPLATE = ROOT / "workbook" / "SalesFlow.xlsx"
DEMO = ROOT / "workbook" / "SalesFlow-demo.xlsx"
HEADERS = ["Date", "Customer ID", "What was erased", "原因 (Why)"]
ROWS = [
    ["2026-05-01", "C-0001", "Name, e-mail, phone", "客户要求删除"],
    ["2026-05-02", "C-0002", "Phone", "Asked by phone"],
    ["2026-05-03", "C-0003", 3, "重复 & <duplicate>"],
]
#: The parts adding a sheet may change (besides the three it adds).
CHANGED = {WORKBOOK, WORKBOOK_RELS, CONTENT_TYPES}


def plain_workbook() -> bytes:
    """A workbook without tables, as openpyxl writes it: two sheets, print titles on the
    second, the second tab active."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Data"
    first.append(["Name", "Amount"])
    first.append(["Li Na", 12.5])
    second = book.create_sheet("Notes")
    second.append(["Note"])
    second.print_title_rows = "1:1"
    book.active = 1
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


WORKBOOKS = {
    "template": TEMPLATE.read_bytes,
    "demo": DEMO.read_bytes,
    "openpyxl": plain_workbook,
}


def added(content: bytes) -> tuple[Package, bytes]:
    """The package of ``content`` with an Erasures sheet added, and its bytes."""
    package = Package.from_bytes(content)
    add_table_sheet(package, "Erasures", "tblErasures", HEADERS, ROWS)
    return package, package.to_bytes()


@pytest.fixture(params=sorted(WORKBOOKS))
def original(request: pytest.FixtureRequest) -> bytes:
    return WORKBOOKS[request.param]()


def test_openpyxl_sees_the_sheet_and_its_table(original) -> None:
    _, content = added(original)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames[-1] == "Erasures"
    sheet = book["Erasures"]
    table = sheet.tables["tblErasures"]
    assert table.ref == "A1:D4"
    assert [c.name for c in table.tableColumns] == HEADERS
    assert table.tableStyleInfo.name == "TableStyleMedium2"
    assert table.autoFilter.ref == "A1:D4"
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [HEADERS, *ROWS]
    ids = [t.id for ws in book.worksheets for t in ws.tables.values()]
    assert len(ids) == len(set(ids))


def test_calamine_reads_the_sheet(original) -> None:
    _, content = added(original)
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names[-1] == "Erasures"
    rows = book.get_sheet_by_name("Erasures").to_python()
    assert rows == [HEADERS, *[[3.0 if v == 3 else v for v in r] for r in ROWS]]


def test_every_other_part_is_byte_identical(original) -> None:
    before = Package.from_bytes(original)
    _, content = added(original)
    after = Package.from_bytes(content)
    sheet = after.sheet_parts()["Erasures"]
    (table,) = after.relationships(sheet).values()
    assert set(after.names) - set(before.names) == {sheet, rels_name(sheet), table}
    assert set(before.names) <= set(after.names)
    types = after.read(CONTENT_TYPES).decode()
    assert f'<Override PartName="/{sheet}" ContentType="{WORKSHEET_TYPE}"/>' in types
    assert f'<Override PartName="/{table}" ContentType="{TABLE_TYPE}"/>' in types
    changed = {n for n in before.names if before.read(n) != after.read(n)}
    assert changed == CHANGED
    # the unchanged parts travel compressed as they came
    assert all(
        after._raw(after._info(n)) == before._raw(before._info(n))
        for n in before.names
        if n not in changed
    )


def test_the_reader_still_reads_the_demo_workbook() -> None:
    content = DEMO.read_bytes()
    data, problems = reader.read_bytes(content)
    after, after_problems = reader.read_bytes(added(content)[1])
    assert problems == after_problems == []
    for name in ("deals", "customers", "activities", "stage_log", "orders"):
        assert getattr(after, name).equals(getattr(data, name)), name


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", sorted(WORKBOOKS))
def test_libreoffice_opens_and_converts_it(name, tmp_path) -> None:
    source = tmp_path / "in" / "Book.xlsx"
    source.parent.mkdir()
    source.write_bytes(added(WORKBOOKS[name]())[1])
    converted = recalc.convert(source, tmp_path / "out")
    book = openpyxl.load_workbook(converted)
    sheet = book["Erasures"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [HEADERS, *ROWS]
    assert sheet.tables["tblErasures"].ref == "A1:D4"


# -- an empty table, dates, and the editor -------------------------------------------------


def test_an_empty_table_keeps_one_blank_row_the_editor_fills(tmp_path) -> None:
    package = Package.from_bytes(DEMO.read_bytes())
    styles = package.read(STYLES)
    part = add_table_sheet(
        package, "Erasures", "tblErasures", HEADERS, after="xlwings.conf", dates=["Date"]
    )
    assert package.read(STYLES) == styles  # the demo has a plain date format
    row = re.search(rb'<row r="2">.*?</row>', package.read(part))
    assert row is not None
    assert re.fullmatch(rb'<row r="2"><c r="A2" s="\d+"/></row>', row.group(0))
    content = package.to_bytes()
    table = openpyxl.load_workbook(io.BytesIO(content))["Erasures"].tables["tblErasures"]
    assert table.ref == "A1:D2"

    spec = TableSpec(
        "privacy",
        "Erasures",
        "tblErasures",
        (
            Column("Date", field="date", kind="date"),
            Column("Customer ID", field="customer", required=True),
            Column("What was erased", field="what"),
            Column("原因 (Why)", field="why"),
        ),
    )
    editor = Editor(content)
    entries = [
        {"date": date(2026, 6, 1), "customer": "C-0001", "what": "Everything", "why": "请求"},
        {"date": date(2026, 6, 2), "customer": "C-0002", "what": "Phone", "why": "Asked"},
    ]
    assert editor.append(spec, entries) == [2, 3]
    book = openpyxl.load_workbook(io.BytesIO(editor.package.to_bytes()))
    sheet = book["Erasures"]
    assert sheet.tables["tblErasures"].ref == "A1:D3"
    assert sheet["A2"].value == datetime(2026, 6, 1)
    assert sheet["A3"].value == datetime(2026, 6, 2)
    assert sheet["A3"].number_format == sheet["A2"].number_format == "yyyy-mm-dd"
    assert sheet["D3"].value == "Asked"


def test_dates_get_a_date_format_appended_where_the_workbook_has_none() -> None:
    package = Package.from_bytes(plain_workbook())
    rows = [[date(2026, 5, 1), "C-1"], [datetime(2026, 5, 2, 9, 30), "C-2"], [None, "C-3"]]
    add_table_sheet(package, "Log", "tblLog", ["Date", "Customer"], rows, dates=["Date"])
    sheet = openpyxl.load_workbook(io.BytesIO(package.to_bytes()))["Log"]
    assert sheet["A2"].value == datetime(2026, 5, 1)
    assert sheet["A2"].is_date
    assert sheet["A4"].is_date
    assert sheet["A3"].value == datetime(2026, 5, 2, 9, 30)
    assert "h" in sheet["A3"].number_format
    assert not sheet["B2"].is_date


def test_date_format_reuses_a_plain_date_format() -> None:
    styles = Package.from_bytes(DEMO.read_bytes()).read(STYLES)
    same, index = date_format(styles)
    assert same == styles
    assert resolved_format(styles, index)["numFmt"] == "yyyy-mm-dd"
    grown, index = date_format(Package.from_bytes(plain_workbook()).read(STYLES))
    assert b'<xf numFmtId="14"' in grown
    assert date_format(grown) == (grown, index)


def test_text_excel_would_take_for_a_formula_is_quote_prefixed() -> None:
    package = Package.from_bytes(plain_workbook())
    add_table_sheet(package, "Log", "tblLog", ["Note"], [["=1+1"], ["plain"]])
    sheet = openpyxl.load_workbook(io.BytesIO(package.to_bytes()))["Log"]
    assert sheet["A2"].value == "=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].quotePrefix
    assert not sheet["A3"].quotePrefix


# -- placement, several sheets, app.xml -----------------------------------------------------


def test_a_sheet_put_in_the_middle_keeps_sheet_indexes_pointing_at_their_sheets() -> None:
    package = Package.from_bytes(TEMPLATE.read_bytes())
    add_table_sheet(package, "Erasures", "tblErasures", HEADERS, ROWS, after="Orders")
    book = openpyxl.load_workbook(io.BytesIO(package.to_bytes()))
    assert book.sheetnames[6:9] == ["Orders", "Erasures", "Analytics"]
    titles = r'<definedName name="_xlnm.Print_Titles" localSheetId="(\d+)">\'(\w+)\'!'
    local = re.findall(titles, package.read(WORKBOOK).decode())
    before = re.findall(titles, Package.from_bytes(TEMPLATE.read_bytes()).read(WORKBOOK).decode())
    assert len(local) == len(before) >= 8
    assert all(book.sheetnames[int(index)] == sheet for index, sheet in local)
    for name in ("Deals", "Orders", "Stages", "Lists"):
        assert book[name].print_title_rows == "$1:$1", name
    assert book["Erasures"].print_title_rows is None

    package = Package.from_bytes(plain_workbook())
    add_table_sheet(package, "Log", "tblLog", ["A"], after="Data")
    book = openpyxl.load_workbook(io.BytesIO(package.to_bytes()))
    assert book.sheetnames == ["Data", "Log", "Notes"]
    assert book.active.title == "Notes"
    assert book["Notes"].print_title_rows == "$1:$1"


def test_two_sheets_get_their_own_ids() -> None:
    package = Package.from_bytes(DEMO.read_bytes())
    first = add_table_sheet(package, "Erasures", "tblErasures", HEADERS, ROWS)
    second = add_table_sheet(package, "Snippets", "tblSnippets", ["Name", "模板"])
    assert first != second
    content = package.to_bytes()
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames[-2:] == ["Erasures", "Snippets"]
    assert book["Snippets"].tables["tblSnippets"].ref == "A1:B2"
    workbook = Package.from_bytes(content).read(WORKBOOK).decode()
    sheet_ids = re.findall(r'sheetId="(\d+)"', workbook)
    assert len(sheet_ids) == len(set(sheet_ids)) == len(book.sheetnames)
    ids = [t.id for ws in book.worksheets for t in ws.tables.values()]
    assert sorted(ids) == list(range(1, len(ids) + 1))
    demo = openpyxl.load_workbook(DEMO)
    assert len(ids) == 2 + sum(len(ws.tables) for ws in demo.worksheets)


EXCEL_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>Microsoft Excel</Application><HeadingPairs>"
    '<vt:vector size="4" baseType="variant">'
    "<vt:variant><vt:lpstr>工作表</vt:lpstr></vt:variant><vt:variant><vt:i4>2</vt:i4></vt:variant>"
    "<vt:variant><vt:lpstr>命名范围</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant>"
    "</vt:vector></HeadingPairs><TitlesOfParts>"
    '<vt:vector size="3" baseType="lpstr">'
    "<vt:lpstr>Data</vt:lpstr><vt:lpstr>Notes</vt:lpstr><vt:lpstr>Notes!Print_Titles</vt:lpstr>"
    "</vt:vector></TitlesOfParts><AppVersion>16.0300</AppVersion></Properties>"
)


def test_app_xml_lists_the_new_sheet_where_excel_listed_the_worksheets() -> None:
    package = Package.from_bytes(plain_workbook())
    package.replace(APP, EXCEL_APP.encode())
    package = Package.from_bytes(package.to_bytes())
    add_table_sheet(package, "Privacy & log", "tblLog", ["A"], after="Data")
    expected = (
        EXCEL_APP.replace("<vt:i4>2</vt:i4>", "<vt:i4>3</vt:i4>")
        .replace('size="3" baseType="lpstr"', 'size="4" baseType="lpstr"')
        .replace(
            "<vt:lpstr>Data</vt:lpstr>",
            "<vt:lpstr>Data</vt:lpstr><vt:lpstr>Privacy &amp; log</vt:lpstr>",
        )
    )
    assert package.read(APP).decode() == expected
    openpyxl.load_workbook(io.BytesIO(package.to_bytes()))


def test_app_xml_that_lists_other_sheets_is_left_alone() -> None:
    package = Package.from_bytes(plain_workbook())
    package.replace(
        APP,
        EXCEL_APP.replace("Notes</vt:lpstr><vt:lpstr>N", "Other</vt:lpstr><vt:lpstr>N").encode(),
    )
    app = package.read(APP)
    add_table_sheet(package, "Log", "tblLog", ["A"])
    assert package.read(APP) == app


def test_a_workbook_with_prefixed_elements() -> None:
    """A workbook part whose SpreadsheetML elements carry a prefix (as some libraries write
    them) gets a prefixed sheet entry, and the relationship prefix the part binds."""
    package = Package.from_bytes(plain_workbook())
    xml = package.read(WORKBOOK)
    xml = re.sub(rb"<(/?)(?=[a-zA-Z])", rb"<\1x:", xml)
    xml = xml.replace(b' xmlns="', b' xmlns:x="').replace(b"xmlns:r=", b"xmlns:rel=")
    xml = xml.replace(b" r:id=", b" rel:id=")
    package.replace(WORKBOOK, xml)
    add_table_sheet(package, "Log", "tblLog", ["A"])
    assert b'<x:sheet name="Log" sheetId="3" rel:id="rId5"/></x:sheets>' in package.read(WORKBOOK)
    book = openpyxl.load_workbook(io.BytesIO(package.to_bytes()))
    assert book.sheetnames == ["Data", "Notes", "Log"]


# -- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sheet",
    [
        "",
        "x" * 32,
        "a:b",
        "a/b",
        "a\\b",
        "a?",
        "a*",
        "[a]",
        "'quoted",
        "quoted'",
        "History",
        "tab\there",
        "Deals",  # the workbook has it
        "deals",  # … whatever the case
    ],
)
def test_sheet_names_excel_refuses_are_refused(sheet) -> None:
    package = Package.from_bytes(TEMPLATE.read_bytes())
    with pytest.raises(NewSheetError):
        add_table_sheet(package, sheet, "tblNew", HEADERS)
    assert package.changed == set()


@pytest.mark.parametrize(
    "table",
    [
        "",
        "1table",
        "tbl new",
        "tbl-new",
        "A1",
        "xfd1048576",
        "R1C1",
        "R",
        "c",
        "x" * 256,
        "tblDeals",  # a table of the workbook
        "TBLDEALS",
        "StageList",  # a defined name
    ],
)
def test_table_names_excel_refuses_are_refused(table) -> None:
    package = Package.from_bytes(TEMPLATE.read_bytes())
    with pytest.raises(NewSheetError):
        add_table_sheet(package, "New", table, HEADERS)
    assert package.changed == set()


def test_a_table_name_in_chinese_or_with_periods_is_taken() -> None:
    package = Package.from_bytes(TEMPLATE.read_bytes())
    add_table_sheet(package, "隐私记录", "隐私记录表", HEADERS)
    add_table_sheet(package, "New", "_tbl.new_2", HEADERS)
    book = openpyxl.load_workbook(io.BytesIO(package.to_bytes()))
    assert set(book["隐私记录"].tables) == {"隐私记录表"}


@pytest.mark.parametrize(
    ("headers", "rows", "options"),
    [
        ([], [], {}),
        (["A", "a"], [], {}),
        (["A", ""], [], {}),
        (["A", "line\nbreak"], [], {}),
        (["A"], [["x", "y"]], {}),
        (["A"], [[float("inf")]], {}),
        (["A"], [[10**400]], {}),
        (["A"], [[object()]], {}),
        (["A"], [["x" * 32_768]], {}),
        (["A"], [[date(1899, 12, 31)]], {}),
        (["A"], [], {"dates": ["B"]}),
        (["A"], [], {"widths": [10, 10]}),
        (["A"], [], {"widths": [-1]}),
        (["A"], [], {"after": "No such sheet"}),
    ],
)
def test_columns_and_values_no_table_holds_are_refused(headers, rows, options) -> None:
    package = Package.from_bytes(TEMPLATE.read_bytes())
    with pytest.raises(NewSheetError):
        add_table_sheet(package, "New", "tblNew", headers, rows, **options)
    assert package.changed == set()
