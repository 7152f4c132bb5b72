"""Import sources: CSV files and Excel sheets read into the same rows, Chinese headers matched."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from salesflow_xl.actions import import_sources
from salesflow_xl.actions.csv_rows import header_key
from salesflow_xl.actions.import_sources import SourceTable
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.gateway import import_source
from salesflow_xl.gateway.import_source import read_source

DATA = Path(__file__).parent / "data" / "imports"


def by_key(header: list[str]) -> dict[str, int]:
    """Every named column, by its header's key."""
    return {header_key(h): i for i, h in enumerate(header) if header_key(h)}


def needing(*keys: str):
    """A ``columns_of`` that refuses a header without the columns ``keys``."""

    def columns_of(header: list[str]) -> Mapping[str, int]:
        columns = by_key(header)
        missing = [k for k in keys if k not in columns]
        if missing:
            raise SalesflowError(f"no column {', '.join(missing)}")
        return columns

    return columns_of


def sample(name: str, **options: Any) -> SourceTable:
    return read_source((DATA / name).read_bytes(), name, by_key, **options)


def xlsx(*sheets: tuple[str, list[list[Any]]], hidden: tuple[str, ...] = ()) -> bytes:
    """A workbook of ``sheets`` (title, rows from A1; None leaves a cell empty)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    sheet.cell(r, c, value)
        if title in hidden:
            sheet.sheet_state = "hidden"
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def labels(table: SourceTable) -> list[str]:
    return [label for label, _row in table.rows]


def values(table: SourceTable) -> list[Any]:
    return [row for _label, row in table.rows]


# --- header keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("E-mail", "email"),
        ("Phone Number", "phonenumber"),
        ("  First_Name ", "firstname"),
        ("Probability (%)", "probability"),
        ("客户名称", "客户名称"),
        ("Ｅｍａｉｌ", "email"),  # full-width letters
        ("手机号(必填)", "手机号"),
        ("手机号（必填）", "手机号"),
        ("备注（选填）", "备注"),
        ("创建人(系统)", "创建人"),
        ("Person - Name*", "personname"),
        ("*姓名", "姓名"),
        ("Amount (required)", "amount"),
        ("Amount (Required)", "amount"),
        ("Deal – Title", "dealtitle"),  # en dash
        ("电子 邮件", "电子邮件"),
        ("Société", "société"),
        ("２０２４", "2024"),  # full-width digits
        ("", ""),
    ],
)
def test_header_keys_match_headers_of_any_script(header, key) -> None:
    assert header_key(header) == key


def test_a_marker_is_dropped_only_at_the_end() -> None:
    assert header_key("(必填)手机号") == "必填手机号"
    assert header_key("required") == "required"


# --- the sample files -----------------------------------------------------------------------


def test_an_english_xlsx_list_reads_as_people_see_it() -> None:
    table = sample("contacts.xlsx")
    assert table.where == "contacts.xlsx, sheet Contacts"
    assert table.sheets == ("Contacts",)
    assert table.note is None
    assert table.header == ["First Name", "Last Name", "Company", "Email", "Phone", "Notes"]
    assert labels(table) == [f"row {n}" for n in range(2, 12)]
    rows = dict(table.rows)
    assert rows["row 5"] == {
        "firstname": "Sam",
        "lastname": "Rivera",
        "company": "Northwind Yoga",
        "email": "sam@northwindyoga.example.com",
        "phone": "5550102233",  # a number cell
        "notes": None,
    }
    assert rows["row 8"]["firstname"] == "Jonas"  # "  Jonas " stripped
    assert rows["row 8"]["email"] == "J.Kessler@Kessler.example.com"
    assert rows["row 10"] == {
        "firstname": None,
        "lastname": None,
        "company": "Copper Kettle Catering",
        "email": "hello@copperkettle.example.com",
        "phone": None,
        "notes": "Only the company is known",
    }
    assert rows["row 11"]["company"] == "=Becker & Partner"  # text, as written


def test_the_chinese_template_needs_its_sheet_named() -> None:
    content = (DATA / "chinese-contacts-split.xlsx").read_bytes()
    name = "chinese-contacts-split.xlsx"
    with pytest.raises(SalesflowError) as caught:
        read_source(content, name, needing("电子邮件"))
    message = str(caught.value)
    assert message.startswith("no column 电子邮件")
    assert "sheet 填写说明" in message
    assert "填写说明, 客户" in message
    assert "--sheet" in message

    table = read_source(content, name, needing("电子邮件"), sheet="客户")
    assert table.where == "chinese-contacts-split.xlsx, sheet 客户"
    assert table.sheets == ("填写说明", "客户")
    assert table.header == ["姓", "名", "公司名称", "电子邮件", "手机号", "客户来源", "创建日期"]
    assert len(table.rows) == 10
    rows = dict(table.rows)
    assert rows["row 2"] == {
        "姓": "王",
        "名": "小明",
        "公司名称": "杭州云帆科技有限公司",
        "电子邮件": "xiaoming.wang@example.cn",
        "手机号": "13800138000",  # stored as a number
        "客户来源": "展会",
        "创建日期": "2024-03-05",  # a date cell
    }
    assert rows["row 3"]["电子邮件"] is None
    assert rows["row 5"]["创建日期"] == "2024-03-08 14:30"
    assert rows["row 9"]["创建日期"] == "2024年3月11日"  # a text date stays text
    assert rows["row 10"]["姓"] == "黄"  # " 黄 " stripped
    assert rows["row 10"]["名"] == "磊"
    assert rows["row 11"]["名"] is None


def test_chinese_deals_keep_amounts_and_dates_as_written() -> None:
    table = sample("chinese-deals.xlsx")
    assert table.where == "chinese-deals.xlsx, sheet 商机"
    assert table.sheets == ("商机", "阶段说明")
    assert len(table.rows) == 12
    rows = dict(table.rows)
    assert rows["row 2"]["金额"] == "88000"
    assert rows["row 2"]["创建时间"] == "2024-01-10 09:30"
    assert rows["row 2"]["预计成交日期"] == "2024-04-30"
    assert rows["row 4"]["金额"] == "¥12,800.00"
    assert rows["row 6"]["金额"] == "3.5万"
    assert rows["row 6"]["预计成交日期"] == "2024/4/15"
    assert rows["row 10"]["金额"] is None
    assert rows["row 11"]["金额"] == "5999.5"
    assert rows["row 11"]["币种"] is None
    assert rows["row 13"]["商机名称"] == "=展会物料设计"

    stages = sample("chinese-deals.xlsx", sheet="阶段说明")
    assert stages.header == ["销售阶段", "赢率"]
    assert values(stages)[:2] == [
        {"销售阶段": "初步接洽", "赢率": "0.1"},
        {"销售阶段": "需求确认", "赢率": "0.3"},
    ]
    assert values(stages)[4] == {"销售阶段": "赢单", "赢率": "1"}


def test_a_gbk_csv_reads_with_its_chinese_headers() -> None:
    table = sample("chinese-contacts.csv")
    assert table.note == "Read chinese-contacts.csv as GB18030 (not UTF-8)."
    assert table.where == "chinese-contacts.csv"
    assert table.sheets == ()
    assert table.header == ["姓名", "公司", "邮箱", "手机", "来源", "备注", "创建时间"]
    assert labels(table) == [f"line {n}" for n in range(2, 14)]
    assert table.rows[0][1] == {
        "姓名": "王小明",
        "公司": "杭州云帆科技有限公司",
        "邮箱": "xiaoming.wang@example.cn",
        "手机": "+86 138 0013 8000",
        "来源": "展会",
        "备注": "对年度维护感兴趣",
        "创建时间": "2024/3/5",
    }
    assert table.rows[6][1]["手机"] == "１５８００００１１１１"  # full width, as written
    assert table.rows[9][1]["备注"] == '备注含逗号，以及"引号", 还有英文逗号'


def test_a_csv_with_a_byte_order_mark_has_a_clean_first_header() -> None:
    table = sample("hubspot-contacts.csv")
    assert table.header[:3] == ["Record ID", "First Name", "Last Name"]
    assert table.note is None
    assert len(table.rows) == 12
    assert table.rows[0][1]["recordid"] == "51200001"
    assert table.rows[5][1]["firstname"] == "小明"


# --- a list as CSV and as a sheet -----------------------------------------------------------

#: One list, as a person keeps it in Excel (numbers as numbers) and as Excel saves it as CSV.
PEOPLE = [
    ["Name", "E-mail", "Phone", "Value"],
    ["Ann Lee", "ann@example.com", "+44 20 7946 0101", 3600.5],
    ["王芳", None, 13812345678, 1200],
    [None, None, None, None],
    ["Bo Chen", "bo@example.com", None, None],
]
PEOPLE_CSV = (
    "Name,E-mail,Phone,Value\r\n"
    "Ann Lee,ann@example.com,+44 20 7946 0101,3600.5\r\n"
    "王芳,,13812345678,1200\r\n"
    ",,,\r\n"
    "Bo Chen,bo@example.com,,\r\n"
)


def test_a_sheet_reads_like_the_same_list_as_csv() -> None:
    from_csv = read_source(PEOPLE_CSV.encode("utf-8"), "people.csv", by_key)
    from_xlsx = read_source(xlsx(("People", PEOPLE)), "people.xlsx", by_key)
    expected = [
        {
            "name": "Ann Lee",
            "email": "ann@example.com",
            "phone": "+44 20 7946 0101",
            "value": "3600.5",
        },
        {"name": "王芳", "email": None, "phone": "13812345678", "value": "1200"},
        {"name": "Bo Chen", "email": "bo@example.com", "phone": None, "value": None},
    ]
    assert values(from_csv) == expected
    assert values(from_xlsx) == expected
    assert labels(from_csv) == ["line 2", "line 3", "line 5"]
    assert labels(from_xlsx) == ["row 2", "row 3", "row 5"]
    assert from_csv.header == from_xlsx.header == ["Name", "E-mail", "Phone", "Value"]
    assert from_xlsx.where == "people.xlsx, sheet People"


def test_numbers_in_cells_read_as_written() -> None:
    rows = [
        ["Phone", "Value", "Flag", "Code"],
        [13812345678, 3600.5, True, "#N/A"],
        [13812345678.0, 0.1 + 0.2, False, "  text  "],
        [-42, 1e20, None, 7],
    ]
    table = read_source(xlsx(("S", rows)), "n.xlsx", by_key)
    assert values(table) == [
        {"phone": "13812345678", "value": "3600.5", "flag": "TRUE", "code": None},
        {"phone": "13812345678", "value": "0.3", "flag": "FALSE", "code": "text"},
        {"phone": "-42", "value": "1e+20", "flag": None, "code": "7"},
    ]


def test_dates_read_as_iso_text() -> None:
    rows = [
        ["Day", "At", "Time"],
        [date(2024, 3, 5), datetime(2024, 3, 8, 14, 30), time(9, 15)],
        [datetime(2024, 3, 9), datetime(2024, 3, 9, 0, 0, 30), None],
    ]
    table = read_source(xlsx(("S", rows)), "d.xlsx", by_key)
    assert values(table) == [
        {"day": "2024-03-05", "at": "2024-03-08 14:30", "time": "09:15"},
        {"day": "2024-03-09", "at": "2024-03-09 00:00", "time": None},
    ]


# --- finding the sheet and its header --------------------------------------------------------


def test_sheets_are_found_by_name_and_the_default_is_the_first_visible() -> None:
    content = xlsx(
        ("Notes", [["internal"]]),
        ("Leads", [["Name"], ["Ann"]]),
        ("Other", [["Name"], ["Bo"]]),
        hidden=("Notes",),
    )
    assert values(read_source(content, "b.xlsx", by_key)) == [{"name": "Ann"}]
    assert values(read_source(content, "b.xlsx", by_key, sheet="Other")) == [{"name": "Bo"}]
    assert values(read_source(content, "b.xlsx", by_key, sheet="other")) == [{"name": "Bo"}]
    assert read_source(content, "b.xlsx", by_key, sheet="Notes").header == ["internal"]
    with pytest.raises(SalesflowError, match=r"b\.xlsx has no sheet Missing; its sheets: "):
        read_source(content, "b.xlsx", by_key, sheet="Missing")
    with pytest.raises(SalesflowError, match="Notes, Leads, Other"):
        read_source(content, "b.xlsx", by_key, sheet="Missing")


def test_a_title_above_the_header_is_left_out() -> None:
    rows = [
        ["客户名单"],
        [None],
        ["请从第4行开始填写"],
        ["姓名", "手机(必填)", "公司"],
        ["王芳", 13812345678, "上海咖啡馆"],
        [None, None, None],
        ["李娜", "139 1234 5678", None],
    ]
    table = read_source(xlsx(("客户", rows)), "t.xlsx", needing("姓名", "手机"))
    assert table.header == ["姓名", "手机(必填)", "公司"]
    assert table.rows == [
        ("row 5", {"姓名": "王芳", "手机": "13812345678", "公司": "上海咖啡馆"}),
        ("row 7", {"姓名": "李娜", "手机": "139 1234 5678", "公司": None}),
    ]


def test_a_one_column_list_keeps_its_first_row_as_header() -> None:
    rows = [[None], ["Email"], ["ann@example.com"], ["bo@example.com"]]
    table = read_source(xlsx(("S", rows)), "e.xlsx", by_key)
    assert table.header == ["Email"]
    assert table.rows == [
        ("row 3", {"email": "ann@example.com"}),
        ("row 4", {"email": "bo@example.com"}),
    ]


def test_a_header_is_looked_for_within_ten_rows_of_the_title() -> None:
    rows = [["Title"], *([f"note {n}"] for n in range(2, 11)), ["Name", "Email"], ["Ann", "a@x"]]
    table = read_source(xlsx(("S", rows)), "far.xlsx", by_key)
    assert table.header == ["Title"]  # row 11 is too far down to be the header
    assert labels(table)[0] == "row 2"
    assert table.rows[-1] == ("row 12", {"title": "Ann"})


def test_short_long_and_gapped_rows() -> None:
    rows = [
        ["Name", None, "Email", None],
        ["Ann"],
        ["Bo", "x", "bo@example.com", "y", "extra"],
    ]
    table = read_source(xlsx(("S", rows)), "g.xlsx", by_key)
    assert table.header == ["Name", "", "Email"]  # trailing blank header cells dropped
    assert values(table) == [
        {"name": "Ann", "email": None},
        {"name": "Bo", "email": "bo@example.com"},
    ]


def test_a_sheet_that_understates_its_size_is_read_to_the_end() -> None:
    content = xlsx(("S", [["Name"], ["Ann"], ["Bo"], ["Cy"]]))
    stream = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(stream, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:A4"' in data
                data = data.replace(b'<dimension ref="A1:A4"', b'<dimension ref="A1"')
            out.writestr(info, data)
    table = read_source(stream.getvalue(), "s.xlsx", by_key)
    assert values(table) == [{"name": "Ann"}, {"name": "Bo"}, {"name": "Cy"}]


def test_an_empty_sheet_is_refused_naming_the_sheets() -> None:
    content = xlsx(("Blank", []), ("Data", [["Name"], ["Ann"]]))
    with pytest.raises(SalesflowError, match=r"sheet Blank of e\.xlsx is empty.*Blank, Data"):
        read_source(content, "e.xlsx", by_key)


def test_a_missing_column_in_a_csv_is_reported_as_it_is() -> None:
    with pytest.raises(SalesflowError) as caught:
        read_source(b"Company\nAcme\n", "c.csv", needing("email"))
    assert str(caught.value) == "no column email"


def test_too_many_rows_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(import_sources, "MAX_ROWS", 2)
    content = xlsx(("S", [["Name"], ["Ann"], ["Bo"], ["Cy"]]))
    with pytest.raises(SalesflowError, match="more than 2 rows; split it"):
        read_source(content, "big.xlsx", by_key)


def test_too_large_a_file_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(import_source, "MAX_BYTES", 100)
    content = xlsx(("S", [["Name"], ["Ann"]]))
    with pytest.raises(SalesflowError, match="imports are limited to"):
        read_source(content, "big.xlsx", by_key)


# --- what is not read ------------------------------------------------------------------------


def test_sheet_is_refused_for_a_csv() -> None:
    with pytest.raises(SalesflowError, match="--sheet is for Excel files"):
        read_source(b"Name\nAnn\n", "leads.csv", by_key, sheet="Leads")


def test_an_xls_file_is_refused() -> None:
    ole2 = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
    for name in ("old.xls", "renamed.csv"):
        with pytest.raises(SalesflowError, match=r"save it as \.xlsx or CSV"):
            read_source(ole2, name, by_key)


def test_a_workbook_with_a_password_is_refused_as_such() -> None:
    ole2 = bytes.fromhex("D0CF11E0A1B11AE1") + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(SalesflowError, match="protected with a password"):
        read_source(ole2, "secret.xlsx", by_key)


def test_an_xlsb_file_is_refused() -> None:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    for content in (stream.getvalue(), b"\x00\x01binary"):
        with pytest.raises(SalesflowError, match=r"\.xlsb.*save it as \.xlsx or CSV"):
            read_source(content, "book.XLSB", by_key)


def test_an_xlsx_renamed_xls_is_read() -> None:
    content = xlsx(("S", [["Name"], ["Ann"]]))
    assert values(read_source(content, "export.xls", by_key)) == [{"name": "Ann"}]


def test_a_zip_that_is_no_workbook_is_refused() -> None:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("leads.csv", "Name\nAnn\n")
    with pytest.raises(SalesflowError, match="not an Excel workbook"):
        read_source(stream.getvalue(), "leads.zip", by_key)


def test_a_damaged_workbook_is_refused() -> None:
    content = xlsx(("S", [["Name"], ["Ann"]]))
    with pytest.raises(SalesflowError, match="readable Excel workbook"):
        read_source(content[: len(content) // 2], "cut.xlsx", by_key)
