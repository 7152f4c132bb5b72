"""The xlwings Lite scripts on a recording fake of Lite's remote Book (tests/fake_lite.py):
each action gives the same data as the command line (the file gateway) on a copy of the same
workbook, English and Chinese alike; mistakes give the command line's and the ribbon's text
and write nothing; no thread starts; nothing the Lite install lacks is imported."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
import threading
import typing
from datetime import date, datetime
from pathlib import Path
from typing import Any

import fake_lite
import lite_driver
import pandas as pd
import pytest
import xlwings as xw
from conftest import DEMO_WORKBOOK, demo_copy, derived_mismatches, invoke, ok, same_cell_value
from fake_excel import active_book
from lite_udf_calls import differences

from salesflow_xl.core import i18n
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.excel import ribbon
from salesflow_xl.gateway.lite import LiteBook, extent
from salesflow_xl.lite import scripts
from salesflow_xl.workbook import reader, schema

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 6, 30, 9, 0)
AT = ["--at", "2026-06-30 09:00"]
SCRIPTS = [
    "add_lead",
    "advance",
    "log_activity",
    "mark_lost",
    "mark_won",
    "move_to_stage",
    "refresh_dashboard",
    "reopen",
    "show_followups",
]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def pinned(monkeypatch) -> None:
    monkeypatch.setattr(scripts, "_now", lambda: NOW)
    monkeypatch.setattr(scripts, "_today", lambda: NOW.date())


@pytest.fixture(scope="module")
def english() -> tuple[bytes, dict[str, Any]]:
    content = DEMO_WORKBOOK.read_bytes()
    return content, fake_lite.snapshot_of_file(content)


@pytest.fixture(scope="module")
def chinese(tmp_path_factory) -> tuple[bytes, dict[str, Any]]:
    path = tmp_path_factory.mktemp("zh") / "销售.xlsx"
    ok("new", path, "--demo", "--lang", "zh-CN")
    content = path.read_bytes()
    return content, fake_lite.snapshot_of_file(content, name=path.name)


def lite_result(book: fake_lite.FakeLiteBook, content: bytes, snapshot: dict[str, Any]) -> Any:
    """The reader's snapshot of ``content`` after Excel applied the script's actions."""
    return reader.read_snapshot(fake_lite.apply(book.actions, content, snapshot))


def same_data(lite: Any, cli: Any, code: str = "en") -> None:
    """Every table, the settings and the lists alike; the derived cells right (the workbook
    in language ``code``)."""
    assert lite.problems == []
    assert cli.problems == []
    for key in schema.TABLES:
        pd.testing.assert_frame_equal(lite.data.table(key), cli.data.table(key), obj=key)
    assert lite.data.settings == cli.data.settings
    assert lite.data.lists == cli.data.lists
    with i18n.use_workbook(code):
        for spec in schema.TABLES.values():
            for column in spec.derived:  # Deals' Furthest step: the file's cells
                assert cells_of(lite, spec.sheet, column.header) == pytest.approx(
                    cells_of(cli, spec.sheet, column.header)
                ), column.header
    if code == "en":
        assert derived_mismatches(lite) == {}  # … and the core's figures


def cells_of(snapshot: Any, sheet: str, header: str) -> list[Any]:
    """A column's cells under its header."""
    grid = snapshot.cells[sheet]
    index = [str(h).strip() for h in grid[0]].index(header)
    return [row[index] if index < len(row) else None for row in grid[1:]]


def deals_of(content: bytes) -> pd.DataFrame:
    return reader.read_snapshot(content).data.deals


def open_ids(content: bytes, count: int) -> list[str]:
    frame = deals_of(content)
    rows = frame[(frame["status"] == "open") & (frame["stage"] == frame["stage"].iloc[15])]
    return [str(i) for i in rows["id"].iloc[:count]]


def row_of(content: bytes, deal: str) -> int:
    frame = deals_of(content)
    return int(frame.index[frame["id"] == deal][0]) + 2


# -- the scripts as Lite finds them -------------------------------------------------------------


def test_the_scripts_are_the_ribbons_actions_and_only_they_are_exported() -> None:
    assert sorted(scripts.__all__) == SCRIPTS
    for name in SCRIPTS:
        function = getattr(scripts, name)
        hints = typing.get_type_hints(inspect.unwrap(function))
        # Lite supplies the parameter hinted xw.Book, resolved at run time
        first = next(iter(inspect.signature(function).parameters))
        assert hints[first] is xw.Book, name
        assert function.__doc__, name  # App Mode shows it beside the button
        parameters = list(inspect.signature(function).parameters.values())[1:]
        assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in parameters), name


# -- the same data as the command line ---------------------------------------------------------


def cli_and_script(content: bytes, ids: list[str], extra: date) -> list[tuple[Any, ...]]:
    """(script, its arguments, the command line's arguments after the path) per action."""
    frame = deals_of(content)
    closed = str(frame.loc[frame["status"] != "open", "id"].iloc[0])
    return [
        ("advance", {"deal_ids": " ".join(ids)}, ["advance", *ids]),
        ("move_to_stage", {"stage": "Lead acquisition", "deal_ids": ids[0]}, ["move", ids[0]]),
        ("mark_won", {"deal_ids": ids[1]}, ["won", ids[1]]),
        ("mark_lost", {"reason": "Timing", "deal_ids": ids[0]}, ["lost", ids[0]]),
        ("reopen", {"deal_ids": closed}, ["reopen", closed]),
        (
            "log_activity",
            {"kind": "Meeting", "note": "Tasting", "next_followup": extra, "deal_id": ids[1]},
            ["log", ids[1], "--type", "Meeting", "--note", "Tasting", "--next", f"{extra}"],
        ),
        (
            "add_lead",
            {"name": "Ada Park", "company": "Park Café", "email": "ada@example.com", "value": 3600},
            [
                "add-lead",
                "--name",
                "Ada Park",
                "--company",
                "Park Café",
                "--email",
                "ada@example.com",
                "--value",
                "3600",
            ],
        ),
    ]


CASES = ["advance", "move_to_stage", "mark_won", "mark_lost", "reopen", "log_activity", "add_lead"]


@pytest.mark.parametrize("script", CASES)
def test_each_action_gives_the_command_lines_data(english, tmp_path, script) -> None:
    content, snapshot = english
    ids = open_ids(content, 2)
    case = {c[0]: c for c in cli_and_script(content, ids, date(2026, 7, 3))}[script]
    name, arguments, command = case
    book = fake_lite.FakeLiteBook(snapshot)
    getattr(scripts, name)(book, **arguments)
    assert [a["mode"] for a in book.alerts] == ["info"], book.alerts
    path = demo_copy(tmp_path)
    extra = ["--to", "Lead acquisition"] if name == "move_to_stage" else []
    extra += ["--reason", "Timing"] if name == "mark_lost" else []
    ok(command[0], path, *command[1:], *extra, *AT)
    same_data(lite_result(book, content, snapshot), reader.read_snapshot(path.read_bytes()))


def test_refresh_gives_the_command_lines_data(english, tmp_path) -> None:
    content, snapshot = english
    book = fake_lite.FakeLiteBook(snapshot)
    scripts.refresh_dashboard(book)
    path = demo_copy(tmp_path)
    ok("refresh", path, "--as-of", "2026-06-30")
    lite, cli = lite_result(book, content, snapshot), reader.read_snapshot(path.read_bytes())
    same_data(lite, cli)
    # the refitted predictions are cells the data does not hold: the same as the file's
    spec = schema.CUSTOMERS
    headers = [str(h) for h in cli.cells[spec.sheet][0]]
    predicted = [headers.index(c.header) for c in spec.columns if c.prediction]
    assert predicted
    numbers = 0
    for column in predicted:
        ours = [row[column] for row in lite.cells[spec.sheet][1:]]
        theirs = [row[column] for row in cli.cells[spec.sheet][1:]]
        assert [same_cell_value(a, b) for a, b in zip(ours, theirs, strict=True)] == [True] * len(
            theirs
        ), headers[column]
        numbers += sum(isinstance(v, float) for v in ours)
    assert numbers > 0


def test_the_selected_rows_are_the_deals_when_none_are_typed(english, tmp_path) -> None:
    content, snapshot = english
    frame = deals_of(content)
    is_open = (frame["status"] == "open").tolist()
    first = next(i for i in range(len(is_open) - 2) if all(is_open[i : i + 3]))
    selected = [str(i) for i in frame["id"].iloc[first : first + 3]]
    book = fake_lite.FakeLiteBook(snapshot)
    book.select("Deals", first + 2, first + 4, column=3)
    scripts.mark_won(book)
    assert all(deal in book.alerts[0]["prompt"] for deal in selected)
    path = demo_copy(tmp_path)
    ok("won", path, *selected, *AT)
    same_data(lite_result(book, content, snapshot), reader.read_snapshot(path.read_bytes()))


def test_a_chinese_workbook_is_read_and_answered_in_chinese(chinese, tmp_path) -> None:
    content, snapshot = chinese
    assert LiteBook(fake_lite.FakeLiteBook(snapshot)).language() == "zh-CN"
    ids = open_ids(content, 1)
    book = fake_lite.FakeLiteBook(snapshot)
    with i18n.use("zh-CN"):
        reason = i18n.workbook_name("Price")
    scripts.mark_lost(book, reason, ids[0])
    (alert,) = book.alerts
    assert CHINESE.search(alert["prompt"]), alert
    assert "Lost" not in alert["prompt"], alert
    path = tmp_path / "销售.xlsx"
    path.write_bytes(content)
    ok("lost", path, ids[0], "--reason", reason, *AT)
    lite = lite_result(book, content, snapshot)
    same_data(lite, reader.read_snapshot(path.read_bytes()), "zh-CN")


def test_a_chinese_mistake_is_said_in_chinese(chinese, tmp_path) -> None:
    content, snapshot = chinese
    book = fake_lite.FakeLiteBook(snapshot)
    scripts.advance(book, "D09999")
    (alert,) = book.alerts
    assert alert["mode"] == "critical"
    assert CHINESE.search(alert["prompt"]), alert
    path = tmp_path / "销售.xlsx"
    path.write_bytes(content)
    result = invoke("advance", path, "D09999", *AT)
    assert result.exit_code == 1
    # the command line speaks the workbook's language: its words are the script's
    said = result.output.strip()
    assert said.endswith(alert["prompt"])
    assert len(said) - len(alert["prompt"]) <= 4, said  # "错误：" before it
    assert book.writes() == []


# -- mistakes: the same words as the command line and the ribbon, nothing written ------------


def test_an_unknown_stage_is_refused_as_the_command_line_refuses_it(english, tmp_path) -> None:
    content, snapshot = english
    ids = open_ids(content, 1)
    book = fake_lite.FakeLiteBook(snapshot)
    scripts.move_to_stage(book, "Nowhere", ids[0])
    result = invoke("move", demo_copy(tmp_path), ids[0], "--to", "Nowhere", *AT)
    assert result.exit_code == 1
    assert [a["prompt"] for a in book.alerts] == [result.output.removeprefix("Error: ").strip()]
    assert book.alerts[0]["mode"] == "critical"
    assert book.writes() == []


def test_an_unknown_deal_is_refused_as_the_command_line_refuses_it(english, tmp_path) -> None:
    _content, snapshot = english
    book = fake_lite.FakeLiteBook(snapshot)
    scripts.advance(book, "D09999")
    result = invoke("advance", demo_copy(tmp_path), "D09999", *AT)
    assert [a["prompt"] for a in book.alerts] == [result.output.removeprefix("Error: ").strip()]
    assert book.writes() == []


@pytest.mark.parametrize("where", [None, "Customers"])
def test_nothing_selected_is_refused_as_the_ribbon_refuses_it(english, monkeypatch, where) -> None:
    content, snapshot = english
    book = fake_lite.FakeLiteBook(snapshot)
    classic = active_book(content, monkeypatch)
    if where is not None:
        book.select(where, 2, 3)
        classic.select(where, 2, 3)
    scripts.advance(book)
    ribbon.advance()
    shown = [c[2] for c in classic.calls if c[0] == "alert"]
    assert [a["prompt"] for a in book.alerts] == shown
    assert shown == ["select one or more deal rows on the Deals sheet first"]
    assert book.writes() == []


def test_a_printed_message_is_what_the_box_says(english, capsys) -> None:
    _content, snapshot = english
    book = fake_lite.FakeLiteBook(snapshot)
    scripts.show_followups(book)
    (alert,) = book.alerts
    assert capsys.readouterr().out == alert["prompt"] + "\n"
    assert alert["prompt"].startswith("30 follow-up(s) due:")
    assert book.writes() == []


def test_an_older_workbook_needing_a_formula_read_is_refused_with_what_to_do() -> None:
    content = (ROOT / "tests" / "data" / "demo-before-customer-values.xlsx").read_bytes()
    book = fake_lite.FakeLiteBook(fake_lite.snapshot_of_file(content))
    scripts.add_lead(book, "Ada Park")
    (alert,) = book.alerts
    assert alert["mode"] == "critical"
    assert "xlwings Lite cannot read" in alert["prompt"]
    assert "Months active" in alert["prompt"]
    assert book.writes() == []


# -- the gateway's Lite parts ----------------------------------------------------------------


def test_the_extent_is_the_snapshots_size(english) -> None:
    _content, snapshot = english
    book = fake_lite.FakeLiteBook(snapshot)
    deals = snapshot["sheets"][[s["name"] for s in snapshot["sheets"]].index("Deals")]
    assert extent(book.sheets["Deals"]) == (len(deals["values"]), len(deals["values"][0]))
    assert LiteBook(book).values("Deals")[0][0] == "Deal ID"


def test_without_a_values_block_nor_used_range_the_workbook_is_refused(english) -> None:
    _content, snapshot = english
    book = fake_lite.FakeLiteBook(snapshot, sends_values_block=False)
    with pytest.raises(SalesflowError, match="does not say how far sheet"):
        extent(book.sheets["Deals"])
    scripts.advance(book, "D00016")
    assert [a["mode"] for a in book.alerts] == ["critical"]
    assert book.writes() == []


def test_an_engine_with_used_range_is_read_through_it(english) -> None:
    """A newer remote engine has ``used_range``: the fallback takes it."""
    _content, snapshot = english
    book = fake_lite.FakeLiteBook(snapshot, sends_values_block=False)
    sheet = book.sheets["Deals"]

    class Newer:
        name = sheet.name
        used_range = sheet.range((1, 1), (7, 3))

    assert extent(Newer()) == (7, 3)


def test_each_language_names_its_sheets_apart() -> None:
    """The language is known by the sheet names: no sheet SalesFlow reads has the same name in
    two languages."""
    names = {}
    for code in i18n.LANGUAGES:
        with i18n.use_workbook(code):
            names[code] = set(schema.sheets_read())
    codes = list(names)
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            assert names[a] & names[b] == set(), (a, b)


def test_the_relayout_note_names_no_path_and_says_lite(english) -> None:
    _content, snapshot = english
    book = LiteBook(fake_lite.FakeLiteBook(snapshot))
    book.layout_differences = ["stage 'Trial' has no row", "campaign 'Fair' has no row"]
    note = book.relayout_note()
    assert "xlwings Lite cannot lay" in note
    assert 'salesflow refresh "Sales.xlsx"' in note
    assert "stage 'Trial' has no row, and 1 more difference(s)" in note


def test_the_fake_reads_the_snapshot_from_before_its_writes(english) -> None:
    _content, snapshot = english
    book = fake_lite.FakeLiteBook(snapshot)
    cell = book.sheets["Deals"].range((2, 1))
    before = cell.value
    cell.value = "changed"
    assert cell.value == before
    assert book.writes()[0]["values"] == [["changed"]]
    with pytest.raises(NotImplementedError):
        _ = book.sheets["Deals"].used_range
    with pytest.raises(NotImplementedError):
        _ = cell.formula
    with pytest.raises(NotImplementedError):
        book.save()
    with pytest.raises(NotImplementedError):
        book.app.macro("'SalesFlow.xlam'!SalesFlowAsk")


# -- the Lite environment's rules ------------------------------------------------------------


def test_no_script_starts_a_thread(english, monkeypatch) -> None:
    content, snapshot = english
    ids = open_ids(content, 1)
    started: list[Any] = []

    def refuse(thread: threading.Thread) -> None:
        started.append(thread)
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    for name, arguments in [
        ("advance", {"deal_ids": ids[0]}),
        ("refresh_dashboard", {}),
        ("show_followups", {}),
        ("add_lead", {"name": "Ada Park"}),
    ]:
        book = fake_lite.FakeLiteBook(snapshot)
        getattr(scripts, name)(book, **arguments)
        assert [a["mode"] for a in book.alerts] == ["info"], (name, book.alerts)
    assert started == []


BLOCKER = """
import importlib.abc, sys, traceback
BLOCKED = {"openpyxl", "click", "rich", "python_calamine", "matplotlib"}
tried = []
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            importers = [
                f.f_globals.get("__name__", "") for f, _ in traceback.walk_stack(None)
            ]
            who = next((m for m in importers if not m.startswith(("importlib", "_frozen"))), "")
            tried.append([name, who])
            raise ImportError(name)
sys.meta_path.insert(0, Block())
import salesflow_xl.lite.scripts
import json
loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
print(json.dumps({"tried": tried, "loaded": loaded}))
"""


def test_importing_the_scripts_needs_none_of_the_command_lines_libraries() -> None:
    """With openpyxl, click, rich, python-calamine and matplotlib blocked (xlwings tries some
    of them and does without), the scripts import, and no SalesFlow module asks for them."""
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    found = json.loads(result.stdout)
    assert found["loaded"] == []
    askers = {who for _name, who in found["tried"]}
    assert [w for w in askers if w.startswith(("salesflow", "salesflow_udfs"))] == []


# -- the driver the Pyodide-only venv runs ---------------------------------------------------


def test_the_driver_runs_every_script_and_prints_strict_json(english, tmp_path, capsys) -> None:
    _content, snapshot = english
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot), encoding="utf-8")
    assert lite_driver.main([str(path)]) == 0
    output = json.loads(capsys.readouterr().out, parse_constant=_no_constants)
    assert output["language"] == "en"
    results = output["scripts"]
    assert sorted(results) == SCRIPTS
    for name, result in results.items():
        assert result["escaped"] is None, name
        assert [a["mode"] for a in result["alerts"]] == ["info"], (name, result["alerts"])
        assert result["printed"] == result["alerts"][0]["prompt"] + "\n"
    assert [a["func"] for a in results["show_followups"]["actions"]] == ["alert"]
    # advance: the selected row's deal, D00016 at row 17, hand-worked from the demo: Stage (F),
    # Stage entered (J) and Next follow-up (L; Negotiation's three days), then one log row
    advance = results["advance"]
    assert advance["selection"] == "E17"
    cells = [
        (a["start_row"] + 1, a["start_column"] + 1, a["values"])
        for a in advance["actions"]
        if a["func"] == "setValues"
    ]
    assert cells[:3] == [
        (17, 6, [["Negotiation"]]),
        (17, 10, [["2026-06-30"]]),
        (17, 12, [["2026-07-03"]]),
    ]
    log = [a for a in advance["actions"] if a["func"] == "resizeTable"]
    assert [a["args"][1] for a in log] == ["A1:G932"]
    assert cells[3][0] == 932
    assert cells[3][2][0][:4] == [
        "2026-06-30 09:00:00",
        "D00016",
        "Nurturing",
        "Negotiation",
    ]


def _no_constants(text: str) -> None:
    raise ValueError(f"not strict JSON: {text}")


@pytest.mark.parametrize("language", ["english", "chinese"])
def test_every_script_does_the_same_in_the_pyodide_only_environment(
    language, lite_venv, tmp_path, capsys, request
) -> None:
    """The driver run in the fresh environment holding only Pyodide's packages and SalesFlow's
    wheel (conftest's lite_venv) queues the same actions, alerts and output as here."""
    _content, snapshot = request.getfixturevalue(language)
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot), encoding="utf-8")
    done = lite_venv.run(ROOT / "tests" / "lite_driver.py", path)
    assert done.returncode == 0, done.stderr
    there = json.loads(done.stdout, parse_constant=_no_constants)
    assert lite_driver.main([str(path)]) == 0
    here = json.loads(capsys.readouterr().out)
    assert sorted(there["scripts"]) == SCRIPTS
    # the model fits agree to about 1e-9 across the two environments' SciPy versions
    assert differences(there, here, rel=1e-6) == []
