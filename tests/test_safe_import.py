"""Imports from untrusted CSV files: encodings, formula injection, size limits, bad rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesflow_xl.actions import safe_text
from salesflow_xl.cli import main
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.workbook import build, reader

DEMO = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME
AT = ["--at", "2026-06-30 12:00"]


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://evil","click")', '\'=HYPERLINK("http://evil","click")'),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("+49 30 555 0101", "+49 30 555 0101"),
        ("-12.5", "-12.5"),
        ("Ada Park", "Ada Park"),
        ("", ""),
    ],
)
def test_neutralise(value, safe) -> None:
    assert safe_text.neutralise(value) == safe


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""), ("gb18030", b"")],
)
def test_encodings_are_detected(encoding, bom) -> None:
    text = "名称,公司\n王芳,上海咖啡馆\n"
    assert safe_text.decode(bom + text.encode(encoding), "leads.csv") == text


def test_undecodable_bytes_name_the_option() -> None:
    with pytest.raises(SalesflowError, match="--encoding cp1252"):
        safe_text.decode(b"\x81\x30\x81", "leads.csv")  # an incomplete GB18030 sequence
    assert safe_text.decode("Müller".encode("cp1252"), "x.csv", "cp1252") == "Müller"


def test_absurd_sizes_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(safe_text, "MAX_BYTES", 100)
    with pytest.raises(SalesflowError, match="imports are limited to"):
        safe_text.decode(b"x" * 101, "big.csv")


def test_import_of_a_chinese_export_with_an_injection(tmp_path) -> None:
    book = tmp_path / "Sales.xlsx"
    shutil.copy(DEMO, book)
    csv_file = tmp_path / "leads.csv"
    csv_file.write_bytes(
        (
            "name,company,email,phone\n"
            "王芳,上海咖啡馆,wang@cafe.example,+86 21 5555 0101\n"
            '"=HYPERLINK(""http://evil"")",Evil Ltd,evil@evil.example,\n'
            "Bad Row,,not-an-email,\n"
        ).encode("gbk")
    )
    result = CliRunner().invoke(main, ["import", str(book), str(csv_file), *AT])
    assert result.exit_code == 0, result.output
    assert "Imported 3 row(s): 2 added, 0 merged, 1 skipped." in result.output
    assert "Skipped: line 4:" in result.output
    data, problems = reader.read(book)
    assert problems == []
    added = data.customers.set_index("email").loc[["wang@cafe.example", "evil@evil.example"]]
    assert added["name"].tolist() == ["王芳", '\'=HYPERLINK("http://evil")']
    assert added["company"].tolist() == ["上海咖啡馆", "Evil Ltd"]
    assert added["phone"].iloc[0] == "+86 21 5555 0101"
