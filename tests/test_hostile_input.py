"""Careless and hostile input at the command line: every answer is one line and exit code 1
(2 for a command typed wrong), never a traceback, and a refused action leaves the workbook
byte for byte as it was. Each case is one of issue 13's findings; the property test at the end
throws arbitrary text, numbers and dates at the actions."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from defusedxml import ElementTree
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from salesflow_xl.cli import main
from salesflow_xl.cli.app import strict_json
from salesflow_xl.core import demo, limits
from salesflow_xl.ooxml import sheetxml, xstring
from salesflow_xl.workbook import build, reader, template

DEMO = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME
AT = "2026-07-01 10:00"


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "Sales.xlsx"
    shutil.copy(DEMO, path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def answer(*args: object, code: int = 1) -> str:
    """Run the command, expect it to refuse with exit ``code`` and one line on stderr; return
    that line."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def refused(path: Path, *args: object, code: int = 1) -> str:
    """:func:`answer` for a command on ``path``, which must be left as it was."""
    before = digest(path)
    line = answer(*args, code=code)
    assert digest(path) == before
    return line


def parts_parse(path: Path) -> None:
    """Every XML part of the workbook is well-formed."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(archive.read(name))


# -- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Ada\x0bPark", "control character U+000B at character 4"),
        ("Ada\x01", "control character U+0001 at character 4"),
        ("Ada\udc80", "lone surrogate U+DC80 at character 4"),
        ("x" * 40_000, "at most 32,767 characters (40,000 given)"),
    ],
)
def test_text_a_cell_cannot_hold_is_refused_by_name(book, name, said) -> None:
    line = refused(book, "add-lead", book, "--name", name, "--at", AT)
    assert line.startswith("Error: name must be ")
    assert said in line
    assert len(line) < 300  # a 40,000-character value is not repeated


def test_a_note_with_control_characters_is_refused(book) -> None:
    data = reader.load(book)
    deal = data.deals.loc[data.deals["status"] == "open", "id"].iloc[0]
    line = refused(book, "advance", book, deal, "--note", "ok\x07", "--at", AT)
    assert "note must be text without control characters" in line


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40))
def test_any_python_text_is_written_as_well_formed_xml_and_reads_back(text) -> None:
    """The writer's last line of defence: whatever text reaches a cell, the sheet stays XML
    and the text comes back as it was (ST_Xstring escapes, as Excel writes them)."""
    cell = sheetxml.cell_xml("A1", text, "text", None)
    ElementTree.fromstring(cell)
    assert xstring.decode(xstring.encode(text)) == text


def test_an_escaped_cell_reads_back_through_calamine(tmp_path) -> None:
    """python-calamine (the reader) decodes what the writer encodes."""
    from salesflow_xl.workbook.editor import Editor

    editor = Editor(DEMO.read_bytes())
    data = reader.load(DEMO)
    row = data.customers.index[0] + 2
    text = "Ada\x0bPark _x0041_ \x01"
    from salesflow_xl.workbook import schema

    editor.update(schema.CUSTOMERS, row, {"company": text})
    out = tmp_path / "out.xlsx"
    out.write_bytes(editor.to_bytes())
    parts_parse(out)
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Customers").to_python()
    column = [c.header for c in schema.CUSTOMERS.columns].index("Company")
    assert sheet[row - 1][column] == text


# -- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e308", "inf", "nan", "-500", "1e16"])
def test_amounts_outside_what_a_cell_keeps_are_refused(book, value) -> None:
    line = refused(book, "add-lead", book, "--name", "Neg Val", "--value", value, "--at", AT)
    assert line.startswith("Error: value must be an amount from 0 to 1,000,000,000,000,000")
    assert "lead must be" not in line  # said once, not wrapped in a second message


def test_a_workbook_holding_an_overflowing_amount_is_a_problem_not_infinity(book) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(book)
    workbook["Deals"]["E2"] = 1.7e308
    workbook["Deals"]["E3"] = 1.7e308
    workbook.save(book)
    result = CliRunner().invoke(main, ["check", str(book)])
    assert result.exit_code == 1
    assert "Deals row 2, column 'Value': expected an amount up to 1,000,000,000,000,000" in (
        result.output
    )


def test_json_is_strict() -> None:
    text = strict_json({"a": math.inf, "b": [math.nan, 1.5], "c": {"d": -math.inf}})
    assert json.loads(text, parse_constant=lambda c: pytest.fail(f"not JSON: {c}")) == {
        "a": None,
        "b": [None, 1.5],
        "c": {"d": None},
    }


@pytest.mark.parametrize(
    ("scale", "said"),
    [
        ("inf", "scale must be at most 500"),
        ("1e12", "scale must be at most 500"),
        ("nan", "scale must be a number > 0"),
        ("0", "scale must be a number > 0"),
    ],
)
def test_demo_sizes_have_bounds(scale, said) -> None:
    assert said in answer("demo", "--scale", scale)


# -- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "said"),
    [
        ("1800-01-01", "1800-01-01 is outside Excel's dates (1900-01-01 to 9999-12-31)"),
        ("0001-01-01", "outside Excel's dates"),
        ("2026-02-30", "2026-02-30 does not exist: February 2026 has 28 days"),
        ("2026-13-01", "there is no month 13"),
        ("tomorrow", "'tomorrow' is not a date like 2026-07-03"),
    ],
)
def test_dates_outside_excel_or_the_calendar_are_refused(book, day, said) -> None:
    assert said in refused(book, "refresh", book, "--as-of", day, code=2)


def test_refresh_to_the_first_day_excel_knows_keeps_a_readable_workbook(book) -> None:
    result = CliRunner().invoke(main, ["refresh", str(book), "--as-of", "1900-01-01"])
    assert result.exit_code == 0, result.output
    assert reader.load(book).settings.as_of == date(1900, 1, 1)


@pytest.mark.parametrize(
    ("as_of", "said"),
    [
        ("0001-01-01", "outside Excel's dates"),
        ("9999-12-31", "as-of date must be a date from 1902-01-01 to 9998-12-31"),
    ],
)
def test_demo_dates_have_bounds(as_of, said) -> None:
    code = 2 if as_of.startswith("0001") else 1
    assert said in answer("demo", "--as-of", as_of, code=code)


def test_a_stage_change_before_the_deal_entered_its_stage_is_refused(book) -> None:
    data = reader.load(book)
    deal = data.deals[data.deals["status"] == "open"].iloc[0]
    line = refused(book, "advance", book, deal["id"], "--at", "1900-01-01")
    assert "a stage change on 1900-01-01 would be before the deal entered its stage on " in line
    assert str(deal["stage_entered"].date()) in line


def test_a_stage_change_in_the_future_is_refused(book) -> None:
    data = reader.load(book)
    deal = data.deals.loc[data.deals["status"] == "open", "id"].iloc[0]
    assert "is in the future" in refused(book, "advance", book, deal, "--at", "2999-01-01")


# -- paths -----------------------------------------------------------------------------------


def test_a_read_only_workbook_is_refused_not_replaced(book) -> None:
    data = reader.load(book)
    deal = data.deals.loc[data.deals["status"] == "open", "id"].iloc[0]
    os.chmod(book, 0o444)
    line = refused(book, "advance", book, deal, "--at", AT)
    assert "Sales.xlsx is read-only: make it writable" in line
    assert not book.with_name("Sales.backup.xlsx").exists()


def test_a_folder_that_refuses_the_lock_file_is_a_message(book, monkeypatch) -> None:
    data = reader.load(book)
    deal = data.deals.loc[data.deals["status"] == "open", "id"].iloc[0]
    real_open = os.open

    def no_permission(path, flags, *args):
        if str(path).endswith(".salesflow-lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", no_permission)
    assert "cannot lock Sales.xlsx" in refused(book, "advance", book, deal, "--at", AT)


def test_a_report_into_a_missing_folder_is_a_message(book, tmp_path) -> None:
    line = answer("report", book, "--html", tmp_path / "nowhere" / "r.html")
    assert "the folder" in line
    assert "does not exist" in line


def test_an_xls_workbook_is_named_for_what_it_is(tmp_path) -> None:
    path = tmp_path / "Old.xls"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(4096))
    assert "Excel 97–2003 workbook (.xls): open it in Excel" in answer("check", path)


def test_a_password_protected_workbook_is_named_for_what_it_is(tmp_path) -> None:
    path = tmp_path / "Secret.xlsx"
    entry = "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1024) + entry + bytes(512))
    assert "is protected with a password: open it in Excel, remove the password" in answer(
        "check", path
    )


# -- usage -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["advance"], ["advance", "Sales.xlsx"], ["frobnicate"], ["demo", "--scale", "many"]],
)
def test_a_command_typed_wrong_is_one_line_and_exit_2(args, tmp_path) -> None:
    shutil.copy(DEMO, tmp_path / "Sales.xlsx")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        line = answer(*args, code=2)
    finally:
        os.chdir(cwd)
    assert "--help" in line


# -- anything at all -------------------------------------------------------------------------


@functools.cache
def small_workbook() -> bytes:
    """A demo business of 15 customers and 30 deals (4 open): an action on it is quick."""
    return template.render(demo.generate(scale=0.1))


ANY_TEXT = st.one_of(
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=30),
    st.sampled_from(["x" * 40_000, "مرحبا بالعالم", "👩‍💻🚀", '=HYPERLINK("x")', "-0", ""]),
)
ANY_NUMBER = st.one_of(
    st.sampled_from(["inf", "-inf", "nan", "1e308", "-1e308", "-0", "0", "12.5", "1e15"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
ANY_DAY = st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat)


@settings(
    max_examples=int(os.environ.get("SALESFLOW_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=ANY_TEXT, note=ANY_TEXT, value=ANY_NUMBER, day=ANY_DAY)
@example(name="مرحبا 👩‍💻", note='=HYPERLINK("x")', value="-0", day="2026-07-02")
@example(name="Ada Park", note="tab\tand\nline", value="1e15", day="9999-12-31")
def test_arbitrary_input_never_crashes_or_damages(tmp_path_factory, name, note, value, day) -> None:
    """add-lead and log with arbitrary text, numbers and dates: exit 0 or 1/2 with one line,
    every XML part well-formed, every cell within Excel's limits, the workbook checks clean
    after a success and is untouched after a failure."""
    path = tmp_path_factory.mktemp("fuzz") / "Sales.xlsx"
    path.write_bytes(small_workbook())
    deal = reader.load(path).deals.query("status == 'open'")["id"].iloc[0]
    runs = [
        ["add-lead", path, "--name", name, "--value", value, "--at", day],
        ["log", path, deal, "--type", "Call", "--note", note, "--next", day, "--at", AT],
    ]
    for args in runs:
        before = digest(path)
        result = CliRunner().invoke(main, [str(a) for a in args])
        assert result.exit_code in (0, 1, 2), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        if result.exit_code:
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
            assert digest(path) == before
        else:
            parts_parse(path)
            snapshot = reader.read_snapshot(path.read_bytes())
            assert snapshot.problems == []
            for frame in (snapshot.data.customers, snapshot.data.activities):
                for column in frame.columns:
                    texts = [v for v in frame[column] if isinstance(v, str)]
                    assert all(len(v) <= limits.MAX_CELL_TEXT for v in texts), column


CSV_CELL = st.one_of(
    ANY_TEXT,
    ANY_NUMBER,
    st.sampled_from(['"', '"unclosed', "a,b", "line\nbreak", "ada@park.example", "+49 30 5"]),
)


@settings(
    max_examples=int(os.environ.get("SALESFLOW_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(st.lists(CSV_CELL, min_size=1, max_size=4), max_size=5),
    encoding=st.sampled_from(["utf-8", "gb18030", "cp1252", "utf-16"]),
)
def test_arbitrary_csv_imports_never_crash_or_damage(tmp_path_factory, rows, encoding) -> None:
    """Any CSV text in any of the usual encodings: the import exits 0 or 1 with one line, and
    the workbook checks clean after it or is untouched."""
    folder = tmp_path_factory.mktemp("import")
    path = folder / "Sales.xlsx"
    path.write_bytes(small_workbook())
    text = "name,company,email,value\n" + "\n".join(",".join(row) for row in rows) + "\n"
    csv_file = folder / "leads.csv"
    csv_file.write_bytes(text.encode(encoding, errors="replace"))
    before = digest(path)
    result = CliRunner().invoke(main, ["import", str(path), str(csv_file), "--at", AT])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1), result.output
    if result.exit_code:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert digest(path) == before
    else:
        parts_parse(path)
        assert reader.read_snapshot(path.read_bytes()).problems == []


def test_salesflow_alone_shows_the_help() -> None:
    result = CliRunner().invoke(main, [], prog_name="salesflow")
    assert result.exit_code == 0
    assert result.output.startswith("Usage: salesflow [OPTIONS] COMMAND [ARGS]...")
    assert "advance " in result.output


# -- found in review --------------------------------------------------------------------------


def test_html_over_a_workbook_is_refused(book) -> None:
    line = refused(book, "report", book, "--html", book)
    assert "the report is a web page; give a file name ending in .html" in line


def test_a_name_at_the_cell_limit_makes_a_valid_deal_title(book) -> None:
    name = "x" * (limits.MAX_CELL_TEXT - 5)
    result = CliRunner().invoke(main, ["add-lead", str(book), "--name", name, "--at", AT])
    assert result.exit_code == 0, result.output
    data = reader.load(book)
    assert data.customers["name"].iloc[-1] == name
    assert len(data.deals["title"].iloc[-1]) == limits.MAX_CELL_TEXT


def test_a_stage_change_earlier_the_same_day_is_refused(book) -> None:
    data = reader.load(book)
    log = data.stage_log
    deal = data.deals.loc[data.deals["status"] == "open", "id"].iloc[0]
    last = log.loc[log["deal_id"] == deal, "timestamp"].max()
    earlier = (last - pd.Timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    line = refused(book, "advance", book, deal, "--at", earlier)
    assert f"would be before its last one at {last:%Y-%m-%d %H:%M}" in line


def test_an_activity_before_the_deal_was_created_is_refused(book) -> None:
    data = reader.load(book)
    deal = data.deals[data.deals["status"] == "open"].iloc[0]
    line = refused(book, "log", book, deal["id"], "--type", "Call", "--at", "1900-01-01")
    assert f"on or after the deal was created ({deal['created'].date()})" in line


def test_a_carriage_return_is_stored_as_typed(book) -> None:
    result = CliRunner().invoke(main, ["add-lead", str(book), "--name", "Ann\rLee", "--at", AT])
    assert result.exit_code == 0, result.output
    assert reader.load(book).customers["name"].iloc[-1] == "Ann\rLee"


def test_quote_prefix_in_a_styles_part_with_a_namespace_prefix() -> None:
    from salesflow_xl.ooxml.styles import quote_prefixed

    styles = (
        b'<x:styleSheet xmlns:x="m"><x:cellXfs count="1"><x:xf a="1"/></x:cellXfs></x:styleSheet>'
    )
    edited, index = quote_prefixed(styles, 0)
    assert index == 1
    ElementTree.fromstring(edited)
    assert b'<x:cellXfs count="2">' in edited
    assert b'<x:xf a="1" quotePrefix="1" />' in edited


def test_order_files_keep_customer_ids_like_na_and_read_offsets(tmp_path) -> None:
    from salesflow_xl.cli.orders import load_orders

    path = tmp_path / "orders.csv"
    path.write_text(
        "customer_id,date,amount\nNA,2025-01-01T10:00+02:00,5\nNone,2025-01-01 10:00,3\n"
        "x,2025-02-01,3\n"
    )
    orders, _ = load_orders(path)
    assert orders["customer_id"].tolist() == ["NA", "None", "x"]
    assert orders["date"].tolist() == [
        pd.Timestamp("2025-01-01 08:00"),
        pd.Timestamp("2025-01-01 10:00"),
        pd.Timestamp("2025-02-01"),
    ]
    path.write_text("customer_id,date,amount\n,2025-01-01,5\n")
    line = answer("cohorts", path)
    assert line == "Error: orders.csv line 2, column customer_id: expected a customer ID, found ''"


def test_output_piped_into_head_ends_quietly(book) -> None:
    import subprocess
    import sys

    command = f"{sys.executable} -m salesflow_xl followups {book} --as-of 2026-12-31 | head -1"
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True)
    assert result.stdout.count("\n") == 1
    assert "Error" not in result.stderr
