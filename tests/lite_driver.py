"""Run every SalesFlow xlwings Lite script on a fake Lite workbook and print what each did.

Usage::

    python tests/lite_driver.py SNAPSHOT.json

SNAPSHOT.json is the snapshot Lite sends (the shape :mod:`fake_lite` documents), made in the
main environment by ``fake_lite.snapshot_of_file`` from a SalesFlow workbook with data (the
demo). This script needs only what Pyodide offers: it imports ``salesflow_xl.lite.scripts``
and ``fake_lite`` (beside it), no openpyxl, click, rich, python-calamine or matplotlib. As in
Pyodide, a thread cannot start (``threading.Thread.start`` raises).

Every script of ``salesflow_xl.lite.scripts.__all__`` runs once, each on a fresh fake book of
the same snapshot, with the clock pinned to :data:`NOW` (and today to its day), arguments
picked from the workbook's own data (:func:`arguments`); ``advance`` takes the selected row
(the first open deal not in the last open stage), the others name their deals.

Output (stdout), strict JSON (no NaN), one object::

    {"language": "en" | "zh-CN",          # the workbook's, as the Lite gateway knows it
     "now": "2026-06-30T09:00:00",
     "scripts": {
        "<script>": {
            "arguments": {name: value},   # dates as "YYYY-MM-DD"; the book is not listed
            "selection": "E17" | null,    # the address selected on the Deals sheet
            "actions": [action, ...],     # every queued action, in order, alerts included
                                          # (fake_lite's shape: func, args, values, ...)
            "alerts": [{"prompt", "title", "mode"}, ...],
            "printed": "…",               # what the script printed (Lite's output pane)
            "escaped": null | "Type: message"   # an exception the script let through
        }, ...}}

Exit status 0 when no script let an exception through, 1 otherwise (the JSON is printed
either way).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import threading
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # fake_lite beside this file

import fake_lite

#: The time every script records.
NOW = datetime(2026, 6, 30, 9, 0)


@contextlib.contextmanager
def no_threads() -> Iterator[None]:
    """``threading.Thread.start`` raising as in Pyodide ("can't start new thread")."""
    start = threading.Thread.start

    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    threading.Thread.start = refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        threading.Thread.start = start  # type: ignore[method-assign]


@contextlib.contextmanager
def pinned_clock(scripts: Any) -> Iterator[None]:
    """The scripts' clock at :data:`NOW`."""
    saved = scripts._now, scripts._today
    scripts._now, scripts._today = (lambda: NOW), (lambda: NOW.date())
    try:
        yield
    finally:
        scripts._now, scripts._today = saved


def arguments(snapshot: dict[str, Any]) -> tuple[str, dict[str, dict[str, Any]], int]:
    """The workbook's language, each script's arguments, and the Excel row of the deal
    ``advance`` runs on (selected), picked from the workbook's data."""
    from salesflow_xl.core import i18n
    from salesflow_xl.gateway.lite import LiteBook

    book = LiteBook(fake_lite.FakeLiteBook(snapshot))
    code = book.language()
    with i18n.use(code):
        snapshot_read = book.snapshot()
    data = snapshot_read.data
    frame = data.deals
    open_stages = [stage.name for stage in data.pipeline.open_stages]
    is_open = frame["status"] == "open"
    movable = frame[is_open & (frame["stage"] != open_stages[-1])]
    closed = frame[~is_open]
    _first, second, third, fourth = (str(i) for i in movable["id"].iloc[:4])
    target = next(s for s in open_stages if s != movable["stage"].iloc[1])
    advanced_row = snapshot_read.row("deals", int(movable.index[0]))
    return (
        code,
        {
            "advance": {},
            "move_to_stage": {"stage": target, "deal_ids": second},
            "mark_won": {"deal_ids": third},
            "mark_lost": {"reason": data.lists.lost_reasons[0], "deal_ids": fourth},
            "reopen": {"deal_ids": str(closed["id"].iloc[0])},
            "log_activity": {
                "kind": data.lists.activity_types[0],
                "note": "Wants samples",
                "next_followup": date(2026, 7, 3),
                "deal_id": second,
            },
            "add_lead": {
                "name": "Ada Park",
                "company": "Park Café",
                "email": "ada@example.com",
                "value": 3600.0,
            },
            "refresh_dashboard": {},
            "show_followups": {},
        },
        advanced_row,
    )


def run(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Every script on its own fake book of ``snapshot``: the output object above."""
    from salesflow_xl.lite import scripts

    code, given, advanced_row = arguments(snapshot)
    deals_sheet = snapshot["sheets"][
        next(i for i, s in enumerate(snapshot["sheets"]) if s["name"] in _deals_sheets())
    ]["name"]
    results: dict[str, Any] = {}
    with no_threads(), pinned_clock(scripts):
        for name in scripts.__all__:
            book = fake_lite.FakeLiteBook(snapshot)
            selection = None
            if name == "advance":
                book.select(deals_sheet, advanced_row, advanced_row, column=5)
                selection = book.snapshot["book"]["selection"]
            printed = io.StringIO()
            escaped = None
            with contextlib.redirect_stdout(printed):
                try:
                    getattr(scripts, name)(book, **given.get(name, {}))
                except Exception as error:  # what Lite would show as a traceback
                    escaped = f"{type(error).__name__}: {error}"
            results[name] = {
                "arguments": {k: _plain(v) for k, v in given.get(name, {}).items()},
                "selection": selection,
                "actions": book.actions,
                "alerts": book.alerts,
                "printed": printed.getvalue(),
                "escaped": escaped,
            }
    return {"language": code, "now": NOW.isoformat(), "scripts": results}


def _deals_sheets() -> set[str]:
    """The Deals sheet's name in every language."""
    from salesflow_xl.core import i18n

    return {i18n.workbook_name("Deals", code) for code in i18n.LANGUAGES}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    snapshot = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    output = run(snapshot)
    print(json.dumps(output, ensure_ascii=False, allow_nan=False))
    return 0 if all(r["escaped"] is None for r in output["scripts"].values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
