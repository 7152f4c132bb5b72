"""Run as a script, in a Python set up like xlwings Lite's: import the worksheet functions and
the workbook actions, then call every worksheet function, and print what happened as JSON.

``python tests/lite_udf_calls.py`` first makes this Python resemble Pyodide in what matters
here:

- the ``[cli]`` extra's packages (click, rich, openpyxl, python-calamine, matplotlib) cannot be
  imported: a finder at the front of ``sys.meta_path`` raises ``ModuleNotFoundError`` for them
  (xlwings tries some of them inside ``try/except ImportError``; that keeps working, and the
  attempts are reported);
- ``threading.Thread.start`` raises ``RuntimeError("can't start new thread")``, as it does in
  Pyodide 314.0.7 (docs/design/xlwings-lite.md §1.3).

It then imports ``salesflow_udfs``, every module of ``salesflow_xl.core`` and
``salesflow_xl.actions``, and ``salesflow_xl.gateway.excel``; calls each function of
:data:`CALLS` (every function of ``salesflow_udfs.FUNCTIONS`` at least once, or it says which it
missed); and prints one JSON object: the results, the problems found (a result that is not
plain JSON: a numpy or pandas scalar, NaN), the blocked imports tried and the versions.

The tests run it in the development environment (tests/test_lite_imports.py, against
hand-worked values) and in a fresh virtual environment holding only what Pyodide provides
(tests/test_lite_install.py, against the development environment's results). It reads nothing
but the CDNOW summary in the source tree, and writes nothing."""

from __future__ import annotations

import csv
import importlib
import importlib.abc
import json
import math
import os
import pkgutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

#: The ``[cli]`` extra's modules, which xlwings Lite does not install.
BLOCKED = ("click", "rich", "openpyxl", "python_calamine", "matplotlib")
CDNOW = (
    Path(__file__).resolve().parents[1]
    / "salesflow_xl"
    / "data"
    / "cdnow"
    / "cdnow_customers_summary_with_transactions.csv"
)
STAGES = ["Lead acquisition", "Nurturing", "Negotiation", "Closed won", "Closed lost"]
#: The orders of two customers: A buys on 2026-06-01 and 2026-06-20, B on 2026-01-05
#: (serial dates, as Lite passes them), each column with its header.
ORDER_IDS = ["Customer ID", "A", "A", "B"]
ORDER_DATES = ["Date", 46174.0, 46193.0, 46027.0]
ORDER_AMOUNTS = ["Amount", 100.0, 50.0, 20.0]
AS_OF = 46203.0  # 2026-06-30


def cdnow_columns(rows: int = 400) -> list[list[list[Any]]]:
    """The first ``rows`` customers of the CDNOW summary as four columns Excel would pass
    (frequency x, recency t_x, age T, mean repeat spend zbar), each with a header row and a
    blank last row."""
    with CDNOW.open(encoding="utf-8") as file:
        records = list(csv.DictReader(file))[:rows]
    return [
        [[key], *[[float(record[key])] for record in records], [None]]
        for key in ("x", "t_x", "T", "zbar")
    ]


def calls() -> list[tuple[str, str, tuple[Any, ...]]]:
    """(label, function, arguments) of every call made."""
    x, t_x, age, spend = cdnow_columns()
    stage_log = [  # deal, from, to: D1 skips Negotiation, D2 starts in Nurturing
        ("D1", None, "Lead acquisition"),
        ("D1", "Lead acquisition", "Nurturing"),
        ("D1", "Nurturing", "Closed won"),
        ("D2", None, "Nurturing"),
        ("D2", "Nurturing", "Closed lost"),
        ("D3", None, "Lead acquisition"),
    ]
    furthest, statuses = [[3], [1], [2], [4]], [["won"], ["lost"], ["lost"], ["won"]]
    return [
        ("clv", "CLV", (1000, 1, 24)),
        ("clv discounted", "CLV", (100, 1, 2, 1, 0.1)),
        ("clv empty optional", "CLV", (50, 2, 12, 0.4, None)),
        (
            "clv columns",
            "CLV",
            (
                [["Avg order value"], [1000.0], [None], [50.0], ["bad"], [-1.0]],
                [["Orders per month"], [1.0], [None], [2.0], [1.0], [1.0]],
                24,
                0.5,
            ),
        ),
        ("conversion", "CONVERSION_RATE", (20, 100)),
        ("conversion over", "CONVERSION_RATE", (120, 100)),
        ("roi", "ROI", (100000, 50000)),
        ("roi no cost", "ROI", (1, 0)),
        ("roas", "ROAS", (15000, 5000)),
        ("cac", "CAC", (6000, 12)),
        ("ltv cac", "LTV_CAC", (1500, 500)),
        ("win rate", "WIN_RATE", (3, 1)),
        ("win rate none closed", "WIN_RATE", (0, 0)),
        ("weighted", "WEIGHTED_VALUE", (8000, 0.6)),
        ("weighted text", "WEIGHTED_VALUE", (100, "high")),
        ("velocity", "PIPELINE_VELOCITY", (40, 0.25, 5000, 50)),
        (
            "funnel",
            "FUNNEL",
            (
                ["Stage", *STAGES[:4], "Closed won", "Closed lost", None],
                ["Value", 100.0, 200.0, 300.0, 400.0, 500.0, 600.0, None],
                STAGES,
            ),
        ),
        ("funnel unknown stage", "FUNNEL", (["Demo"], [1.0])),
        (
            "stage conversion",
            "STAGE_CONVERSION",
            (
                ["Deal ID", *(d for d, _f, _t in stage_log)],
                ["From stage", *(f for _d, f, _t in stage_log)],
                ["To stage", *(t for _d, _f, t in stage_log)],
                STAGES,
            ),
        ),
        ("learned", "LEARNED_PROBABILITY", (2, furthest, statuses, 0.4)),
        (
            "learned column",
            "LEARNED_PROBABILITY",
            (
                [["Funnel step"], [1], [2], [3], [4], [0]],
                furthest,
                statuses,
                [["Probability"], [0.1], [0.3], [0.6], [1.0], [0.0]],
                0,
            ),
        ),
        ("p alive", "P_ALIVE", (x, t_x, age)),
        ("clv bgnbd", "CLV_BGNBD", (x, t_x, age, spend, 12, 0.01)),
        ("clv bgnbd no horizon", "CLV_BGNBD", (x, t_x, age, spend, 0, 0.01)),
        ("rfm", "RFM_SCORE", (ORDER_IDS, ORDER_DATES, ORDER_AMOUNTS, AS_OF)),
        ("cohorts", "COHORT_RETENTION", (ORDER_IDS, ORDER_DATES, ORDER_AMOUNTS, AS_OF)),
    ]


class Blocker(importlib.abc.MetaPathFinder):
    """Refuses to find the modules of :data:`BLOCKED` (and theirs), remembering who asked."""

    def __init__(self) -> None:
        self.tried: set[str] = set()

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        top = fullname.partition(".")[0]
        if top in BLOCKED:
            self.tried.add(top)
            raise ModuleNotFoundError(f"No module named {fullname!r} (not in xlwings Lite)")
        return None


def _no_thread(self: threading.Thread) -> None:
    raise RuntimeError("can't start new thread")


def not_plain(value: Any, where: str) -> list[str]:
    """Where ``value`` holds something other than JSON's own types (list, str, int, float,
    bool, None): a numpy or pandas scalar, a tuple, a date."""
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in not_plain(item, f"{where}[{i}]")]
    if value is None or type(value) in (str, int, float, bool):
        return []
    return [f"{where}: {type(value).__module__}.{type(value).__qualname__}"]


def differences(got: Any, expected: Any, rel: float, where: str = "") -> list[str]:
    """Where ``got`` differs from ``expected``: floats within ``rel`` of each other, everything
    else equal and of the same type (an int count stays an int); lists and dicts item by item."""
    if isinstance(expected, dict) and isinstance(got, dict):
        if sorted(got) != sorted(expected):
            return [f"{where}: keys {sorted(got)}, expected {sorted(expected)}"]
        return [
            d
            for key in expected
            for d in differences(got[key], expected[key], rel, f"{where}.{key}")
        ]
    if isinstance(expected, list) and isinstance(got, list):
        if len(got) != len(expected):
            return [f"{where}: {len(got)} items, expected {len(expected)}"]
        return [
            d
            for i, (g, e) in enumerate(zip(got, expected, strict=True))
            for d in differences(g, e, rel, f"{where}[{i}]")
        ]
    if type(got) is not type(expected):
        return [f"{where}: {got!r} is no {type(expected).__name__} like {expected!r}"]
    if isinstance(expected, float):
        return (
            []
            if math.isclose(got, expected, rel_tol=rel)
            else [f"{where}: {got!r} != {expected!r}"]
        )
    return [] if got == expected else [f"{where}: {got!r} != {expected!r}"]


def modules_to_import() -> list[str]:
    """The modules a Lite workbook may reach: the worksheet functions, the core, the actions
    and the Excel gateway."""
    import salesflow_xl.actions
    import salesflow_xl.core

    names = ["salesflow_udfs", "salesflow_xl.gateway.excel", "salesflow_xl.gateway.base"]
    for package in (salesflow_xl.core, salesflow_xl.actions):
        names += [
            info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
        ]
    return names


def run() -> dict[str, Any]:
    """Block, patch, import, call; the report printed as JSON."""
    already = sorted(name for name in BLOCKED if name in sys.modules)
    blocker = Blocker()
    sys.meta_path.insert(0, blocker)
    threading.Thread.start = _no_thread  # type: ignore[method-assign]
    imported = modules_to_import()
    for name in imported:
        importlib.import_module(name)
    import numpy
    import pandas
    import scipy
    import xlwings

    import salesflow_udfs

    functions = salesflow_udfs.FUNCTIONS
    made = calls()
    results: dict[str, Any] = {}
    problems: list[str] = []
    for label, name, args in made:
        result = functions[name](*args)
        problems += not_plain(result, label)
        results[label] = result
    problems += [
        f"{name}: never called" for name in functions if name not in {n for _l, n, _a in made}
    ]
    return {
        "results": results,
        "problems": problems,
        "imported": imported,
        "salesflow_udfs": salesflow_udfs.__file__,
        "blocked_tried": sorted(blocker.tried),
        "blocked_loaded": sorted(set(already) | {n for n in BLOCKED if n in sys.modules}),
        "versions": {
            "python": sys.version.split()[0],
            "numpy": numpy.__version__,
            "pandas": pandas.__version__,
            "scipy": scipy.__version__,
            "xlwings": xlwings.__version__,
        },
    }


# -- for the tests that run this script -----------------------------------------------------


def run_with(python: str | Path, env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """This script's report, run by ``python`` with ``env`` in ``cwd``."""
    done = subprocess.run(
        [str(python), __file__],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
        timeout=300,
    )
    if done.returncode:
        raise RuntimeError(f"{python} {__file__} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def this_tree_env() -> dict[str, str]:
    """This process's environment variables, importing SalesFlow from this source tree."""
    root = Path(__file__).resolve().parents[1]
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(root / "udfs")])}


if __name__ == "__main__":
    print(json.dumps(run(), allow_nan=False, ensure_ascii=False))
