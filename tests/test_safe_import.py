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
    ("text", "encoding", "name"),
    [
        ("名称,公司\n王芳,上海咖啡馆\n", "utf-8", "UTF-8"),
        ("\ufeff名称,公司\n王芳,上海咖啡馆\n", "utf-8", "UTF-8"),
        ("名称,公司\n王芳,上海咖啡馆\n", "gbk", "GB18030"),
        ("名称\n王芳\n", "gb18030", "GB18030"),
        ("Name\nJürgen\n", "latin-1", "Windows-1252"),  # was read as GB18030: J黵gen
        ("Nom,Société\nCécile Dubois,Café Noël – Lyon\n", "cp1252", "Windows-1252"),
        ("名稱,公司\n王芳,台北咖啡館\n", "big5", "Big5"),
        ("名前,会社\n田中,東京カフェ\n", "shift_jis", "Shift-JIS"),
        ("Имя,Компания\nИван Петров,Кофейня Москва\n", "cp1251", "Windows-1251"),
        ("Name\nJürgen\n", "utf-16", "UTF-16"),
    ],
)
def test_encodings_are_found_and_named(text, encoding, name) -> None:
    decoded = safe_text.decode(text.encode(encoding), "leads.csv")
    assert decoded.text == text.removeprefix("\ufeff")
    assert decoded.name == name
    assert decoded.guessed == (encoding not in ("utf-8", "utf-16"))


def test_garbled_in_every_encoding_is_refused_with_the_option() -> None:
    with pytest.raises(SalesflowError, match=r"could not tell the encoding of x\.bin.*--encoding"):
        safe_text.decode(bytes(range(128, 256)) * 8, "x.bin")


def test_a_given_encoding_is_used_or_refused() -> None:
    assert safe_text.decode("Müller".encode("cp1252"), "x.csv", "cp1252").text == "Müller"
    with pytest.raises(SalesflowError, match=r"x\.csv is not utf-8 text"):
        safe_text.decode("Müller".encode("cp1252"), "x.csv", "utf-8")


def test_absurd_sizes_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(safe_text, "MAX_BYTES", 100)
    with pytest.raises(SalesflowError, match="imports are limited to"):
        safe_text.decode(b"x" * 101, "big.csv")


def test_import_of_a_chinese_export_with_formula_text(tmp_path) -> None:
    """Formula-looking text is stored as typed (a text cell never runs), quote-prefixed so it
    stays text when edited in Excel; the guessed encoding is reported."""
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
    assert "Read leads.csv as GB18030 (not UTF-8). If names look wrong, give --encoding." in (
        result.stderr
    )
    assert "Imported 3 row(s): 2 added, 0 merged, 1 skipped." in result.output
    assert "Skipped: line 4:" in result.output
    data, problems = reader.read(book)
    assert problems == []
    added = data.customers.set_index("email").loc[["wang@cafe.example", "evil@evil.example"]]
    assert added["name"].tolist() == ["王芳", '=HYPERLINK("http://evil")']
    assert quote_prefixed(book, "Customers", '=HYPERLINK("http://evil")')
    assert added["company"].tolist() == ["上海咖啡馆", "Evil Ltd"]
    assert added["phone"].iloc[0] == "+86 21 5555 0101"


def quote_prefixed(book: Path, sheet: str, text: str) -> bool:
    """Whether the cell holding ``text`` on ``sheet`` has a quote-prefixed cell format."""
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(book)[sheet].iter_rows() for c in row if c.value == text]
    assert len(cells) == 1
    return bool(cells[0].quotePrefix) and cells[0].data_type == "s"


def test_add_lead_stores_formula_text_the_same_way(tmp_path) -> None:
    book = tmp_path / "Sales.xlsx"
    shutil.copy(DEMO, book)
    result = CliRunner().invoke(main, ["add-lead", str(book), "--name", "=1+1", *AT])
    assert result.exit_code == 0, result.output
    assert reader.load(book).customers["name"].iloc[-1] == "=1+1"
    assert quote_prefixed(book, "Customers", "=1+1")


@pytest.mark.parametrize(
    ("csv_text", "skipped", "imported"),
    [
        (  # the stray quote swallows two rows and closes on the third: all three reported
            'name,company,email\nAda,"Park Café,ada@park.example\nBo,Lind AB,bo@lind.example\n'
            'Cy,"Cy Co",cy@co.example\nDi,Di AG,di@ag.example\n',
            "line 2: a quoted field runs over lines 2–4, so they were not imported",
            ["Di"],
        ),
        (  # never closed: the lines after it are read again
            'name,company\nAda,"Park Café\nBo,Lind AB\nCy,Cy Co\n',
            "line 2: cannot be read (unexpected end of data); is a quote not closed?",
            ["Bo", "Cy"],
        ),
    ],
)
def test_an_unclosed_quote_is_reported_not_swallowed(tmp_path, csv_text, skipped, imported):
    book = tmp_path / "Sales.xlsx"
    shutil.copy(DEMO, book)
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text(csv_text, encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(book), str(csv_file), *AT])
    assert result.exit_code == 0, result.output
    assert f"Skipped: {skipped}" in result.output
    before = set(reader.load(DEMO).customers["name"])
    added = [n for n in reader.load(book).customers["name"] if n not in before]
    assert added == imported


def test_a_multi_line_note_column_is_fine() -> None:
    from salesflow_xl.actions.leads import Lead, parse_csv

    rows = parse_csv('name,note\nAda,"called twice\nwants samples"\nBo,x\n')
    assert [(label, lead.name) for label, lead in rows if isinstance(lead, Lead)] == [
        ("line 2", "Ada"),
        ("line 4", "Bo"),
    ]


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("3600", 3600.0),
        ("3,600 USD", 3600.0),
        ("€ 3.600,50", 3600.5),
        ("1,234,567.89", 1234567.89),
        ("12,5", 12.5),
        ("¥12,000", 12000.0),
    ],
)
def test_values_in_local_forms(value, amount) -> None:
    from salesflow_xl.actions.csv_rows import number

    assert number(value) == amount


def test_a_workbook_given_as_the_csv_is_named() -> None:
    with pytest.raises(SalesflowError, match=r"is a zip file \(an Excel workbook\?\), not text"):
        safe_text.decode(DEMO.read_bytes(), "Sales.xlsx")


def test_a_utf8_mark_before_text_of_a_given_encoding_is_dropped() -> None:
    raw = b"\xef\xbb\xbf" + "name\n王芳\n".encode("gbk")
    assert safe_text.decode(raw, "x.csv", "gbk").text == "name\n王芳\n"
    with pytest.raises(SalesflowError, match="--encoding gb18030"):
        safe_text.decode(raw, "x.csv")


def test_lines_break_only_at_line_ends() -> None:
    """\\x1d, \\x0c and U+2028 are no line ends for the csv module: a row is not split there
    (the control characters then make the row a skipped one)."""
    from salesflow_xl.actions.leads import BadRow, Lead, parse_csv

    rows = parse_csv("name,company\nAnn\u2028X,Co\nBo\x1dY,Co\nCy,Co\n")
    assert [label for label, _ in rows] == ["line 2", "line 3", "line 4"]
    assert isinstance(rows[0][1], Lead)
    assert rows[0][1].name == "Ann\u2028X"
    assert not isinstance(rows[1][1], BadRow)  # read whole; refused when validated
    assert rows[2][1].name == "Cy"
