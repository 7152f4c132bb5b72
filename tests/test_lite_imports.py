"""What xlwings Lite imports works without the command line's packages and without threads:
``salesflow_udfs``, the core, the actions and the Excel gateway import in a child process where
click, rich, openpyxl, python-calamine and matplotlib cannot be imported and a thread cannot
start (tests/lite_udf_calls.py), and every worksheet function gives there the values worked by
hand below (the same cases as tests/test_udfs.py). tests/test_lite_install.py runs the same
child in a fresh virtual environment holding only what Pyodide provides."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from lite_udf_calls import BLOCKED, STAGES, cdnow_columns, differences, this_tree_env

import salesflow_udfs
from salesflow_xl import __main__ as entry

ROOT = Path(__file__).resolve().parents[1]


def test_the_lite_path_imports_no_cli_package_and_starts_no_thread(lite_calls) -> None:
    assert lite_calls["problems"] == []
    assert lite_calls["blocked_loaded"] == []
    # xlwings tries matplotlib inside try/except ImportError: it met the blocker and went on
    assert "matplotlib" in lite_calls["blocked_tried"]
    imported = set(lite_calls["imported"])
    assert {"salesflow_udfs", "salesflow_xl.gateway.excel", "salesflow_xl.actions.deals"} <= (
        imported
    )
    assert {"salesflow_xl.core.forecast.calibration", "salesflow_xl.core.clv.bgnbd"} <= imported


def test_the_blocker_and_the_thread_patch_bite(tmp_path) -> None:
    """The child's conditions are real: the command line cannot be imported under them, and a
    thread cannot start (a ThreadPoolExecutor, as the file reader uses, fails on submit)."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import lite_udf_calls as c; "
        "sys.meta_path.insert(0, c.Blocker()); import threading; "
        "threading.Thread.start = c._no_thread\n"
        "try:\n    import salesflow_xl.cli\nexcept ImportError as e:\n    print('cli:', e)\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "try:\n    ThreadPoolExecutor(2).submit(print, 1)\nexcept RuntimeError as e:\n"
        "    print('thread:', e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "tests")],
        capture_output=True,
        text=True,
        env=this_tree_env(),
        cwd=tmp_path,
        check=True,
    )
    assert done.stdout.splitlines() == [
        "cli: No module named 'click' (not in xlwings Lite)",
        "thread: can't start new thread",
    ]


def test_every_worksheet_function_is_called(lite_calls) -> None:
    assert "never called" not in " ".join(lite_calls["problems"])
    assert len(salesflow_udfs.FUNCTIONS) >= 16


#: Worked by hand (as in tests/test_udfs.py and the functions' help examples).
EXPECTED: dict[str, Any] = {
    "clv": 24000.0,  # 1000 × 1 × 24
    "clv discounted": 100 / 1.1 + 100 / 1.21,
    "clv empty optional": 480.0,  # 50 × 2 × 12 × 0.4
    "clv columns": [
        [""],
        [12000.0],  # 1000 × 1 × 24 × 0.5
        [""],
        [1200.0],  # 50 × 2 × 24 × 0.5
        ["average_order_value must be a number, got 'bad'"],
        ["average_order_value must be a number >= 0, got -1.0"],
    ],
    "conversion": 0.2,
    "conversion over": "closed must be at most potential (100), got 120",
    "roi": 1.0,
    "roi no cost": "cost must be a number > 0, got 0",
    "roas": 3.0,
    "cac": 500.0,
    "ltv cac": 3.0,
    "win rate": 0.75,
    "win rate none closed": "won + lost must be > 0 (no deal was closed), got 0",
    "weighted": 4800.0,
    "weighted text": "probability must be a number, got 'high'",
    "velocity": 1000.0,  # 40 × 0.25 × 5000 ÷ 50
    "funnel": [
        ["Stage", "Deals", "Value", "At or beyond", "Conversion"],
        ["Lead acquisition", 1, 100.0, 5, ""],
        ["Nurturing", 1, 200.0, 4, 4 / 5],
        ["Negotiation", 1, 300.0, 3, 3 / 4],
        ["Closed won", 2, 900.0, 2, 2 / 3],
        ["Closed lost", 1, 600.0, "", ""],
    ],
    "funnel unknown stage": "unknown stage 'Demo'; the stages are " + ", ".join(STAGES),
    "stage conversion": [  # reached: lead 3, nurturing 2 (D2 skipped lead), negotiation 1, won 1
        ["Stage", "Reached", "Conversion", "From first"],
        ["Lead acquisition", 3, "", 1.0],
        ["Nurturing", 2, 2 / 3, 2 / 3],
        ["Negotiation", 1, 1 / 2, 1 / 3],
        ["Closed won", 1, 1.0, 1 / 3],
    ],
    "learned": 6 / 13,  # 3 closed deals reached step 2, 2 won: (2 + 10 × 0.4) ÷ (3 + 10)
    # no prior: step 1 reached by 4 closed, 2 won; step 2 by 3, 2 won; steps 3 and 4 all won
    "learned column": [[""], [1 / 2], [2 / 3], [1.0], [1.0], [""]],
    "clv bgnbd no horizon": "horizon_months must be a number > 0, got 0",
    "cohorts": [  # B: January's cohort, no order after; A: June's, as of the end of June
        ["Cohort", "Customers", "M0", "M1", "M2", "M3", "M4", "M5"],
        ["2026-01", 1, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        ["2026-06", 1, 1.0, "", "", "", "", ""],
    ],
}


@pytest.mark.parametrize("label", sorted(EXPECTED))
def test_worked_by_hand(lite_calls, label) -> None:
    assert differences(lite_calls["results"][label], EXPECTED[label], rel=1e-12) == []


def test_customer_value_over_cdnow_columns(lite_calls) -> None:
    """P_ALIVE: a customer who never bought again is alive for sure (BG/NBD: P = 1 when x = 0),
    the others less so; the header and the blank last row stay blank. CLV_BGNBD likewise keeps
    the rows, every value >= 0. RFM: A (two orders, 150, ten days ago) beats B on all three
    scores: 1 + ⌊5 × ½⌋ = 3 against 1."""
    results = lite_calls["results"]
    alive, value = results["p alive"], results["clv bgnbd"]
    frequencies = [row[0] for row in cdnow_columns()[0][1:-1]]
    assert alive[0] == alive[-1] == value[0] == value[-1] == [""]
    assert len(alive) == len(value) == len(frequencies) + 2
    for (chance,), (clv,), x in zip(alive[1:-1], value[1:-1], frequencies, strict=True):
        assert chance == 1.0 if x == 0 else 0 < chance < 1
        assert clv >= 0
    rfm = results["rfm"]
    assert rfm[0] == ["Customer", "R", "F", "M", "RFM", "Segment"]
    assert [row[:5] for row in rfm[1:]] == [["A", 3, 3, 3, "333"], ["B", 1, 1, 1, "111"]]
    assert all(isinstance(row[5], str) and row[5] for row in rfm[1:])


def test_the_entry_point_names_the_cli_extra() -> None:
    """``salesflow`` checks for the very modules of pyproject's [cli] extra (what the child
    blocks, too)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = project["optional-dependencies"]["cli"]
    names = {requirement.split(">")[0].split("=")[0].replace("-", "_") for requirement in extra}
    assert names == set(entry.CLI_MODULES) == set(BLOCKED)
    assert project["scripts"]["salesflow"] == "salesflow_xl.__main__:main"
    base = {requirement.split(">")[0] for requirement in project["dependencies"]}
    assert not base & {requirement.split(">")[0] for requirement in extra}


def test_without_the_cli_extra_the_command_says_what_to_install(tmp_path) -> None:
    """The same check, with click made unfindable: one line naming the extra, exit code 2."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import lite_udf_calls as c; "
        "sys.meta_path.insert(0, c.Blocker()); "
        "from salesflow_xl.__main__ import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "tests")],
        capture_output=True,
        text=True,
        env={**this_tree_env(), "SALESFLOW_LANG": ""},
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        'SalesFlow\'s command line needs: pip install "salesflow-xl[cli]" '
        "(missing: click, rich, openpyxl, python_calamine, matplotlib)\n"
    )
