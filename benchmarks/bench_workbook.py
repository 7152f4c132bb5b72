"""Workbook benchmarks: reading, computing every metric, recalculation and the ribbon's actions on
demo workbooks of 10,000 and 100,000 deals (customers, stage changes, activities and orders in
proportion), against the goals of the reports-and-benchmarks issue.

Every measurement is a fresh process, as a user runs it: wall time and the process's peak memory
(resident set, from the kernel's accounting of that child). Actions are timed on a fresh copy
of the workbook each run, best of ``--runs``.

    python benchmarks/bench_workbook.py                  # 10k and 100k deals (~20 minutes)
    python benchmarks/bench_workbook.py --deals 10000    # one size

Writes the results table into docs/benchmarks.md (the "Workbook" section) and prints it.
Building a 100,000-deal workbook with the demo generator takes several minutes and a few GB;
``--keep DIR`` keeps the built workbooks for another run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from salesflow_xl.recalc import libreoffice as recalc_module

ROOT = Path(__file__).resolve().parents[1]
DEALS_PER_SCALE = 300  # salesflow demo --scale 1

#: Times the phases of reading and computing inside one process (after imports).
PHASES = """
import json, sys, time
t0 = time.perf_counter()
from salesflow_xl.core.report import build_report
from salesflow_xl.workbook import cached, reader
t1 = time.perf_counter()
data = reader.load(sys.argv[1])
t2 = time.perf_counter()
report = build_report(data)
t3 = time.perf_counter()
values = cached.core_values(data)
t4 = time.perf_counter()
open_deal = data.deals.loc[data.deals["status"] == "open", "id"].iloc[0]
print(json.dumps({"open_deal": open_deal, "imports": t1 - t0, "read": t2 - t1, "report": t3 - t2,
                  "every_cell": t4 - t3, "cells": sum(map(len, values.values())),
                  "rows": {k: len(data.table(k)) for k in ("customers", "deals", "stage_log",
                           "activities", "orders")}}))
"""

OPENPYXL = """
import sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1])
book.save(sys.argv[1])
"""


@dataclass
class Run:
    seconds: float
    peak_mb: float
    output: str


def run(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``command`` to completion: wall seconds, peak resident memory (MB), stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        error = process.stderr.read().decode(errors="replace") if process.stderr else ""
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{error}")
        out.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, out.read().decode())


def best(runs: int, make: Callable[[], Run]) -> Run:
    """The fastest of ``runs`` runs (peak memory: the largest seen)."""
    results = [make() for _ in range(runs)]
    fastest = min(results, key=lambda r: r.seconds)
    return Run(fastest.seconds, max(r.peak_mb for r in results), fastest.output)


def salesflow(*args: str) -> list[str]:
    return [sys.executable, "-m", "salesflow_xl", *map(str, args)]


def leads_csv(path: Path, count: int) -> None:
    lines = ["Name,Company,E-mail,Phone,Segment,Channel,Deal value"]
    segments = ("Cafés", "Restaurants", "Hotels", "Offices", "Retail")
    for n in range(count):
        lines.append(
            f"Lead {n:04d},Bench Company {n % 97},lead{n:04d}@bench.example,"
            f"+49 30 {900000 + n},{segments[n % 5]},Website,{1000 + 10 * (n % 50)}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure(deals: int, work: Path, runs: int, recalc: bool) -> list[dict]:
    scale = deals / DEALS_PER_SCALE
    book = work / f"Demo-{deals}.xlsx"
    rows: list[dict] = []
    size = f"{deals:,} deals"

    def add(what: str, result: Run, goal: str = "–", **extra: object) -> None:
        rows.append(
            {
                "size": size,
                "what": what,
                "seconds": result.seconds,
                "peak_mb": result.peak_mb,
                "goal": goal,
                **extra,
            }
        )

    if not book.exists():
        built = run(salesflow("new", book, "--demo", "--scale", f"{scale:.4f}"))
        add("build the demo workbook (`salesflow new --demo`)", built)
    megabytes = book.stat().st_size / 1e6

    phases = best(runs, lambda: run([sys.executable, "-c", PHASES, str(book)]))
    timing = json.loads(phases.output)
    add(
        "read the workbook (in process, after imports)",
        Run(timing["read"], phases.peak_mb, ""),
        file_mb=megabytes,
        rows=timing["rows"],
    )
    add(
        "compute the report (every figure of `salesflow report`)",
        Run(timing["report"], phases.peak_mb, ""),
    )
    add(
        f"compute every formula cell's figure ({timing['cells']:,} cells)",
        Run(timing["every_cell"], phases.peak_mb, ""),
    )
    end_to_end = timing["read"] + timing["report"]
    add(
        "read + compute every metric, from the file",
        Run(end_to_end, phases.peak_mb, ""),
        goal="100k deals < 1 s" if deals >= 100_000 else "–",
        goal_seconds=1.0 if deals >= 100_000 else None,
    )
    report = best(runs, lambda: run(salesflow("report", book, "--json")))
    add("`salesflow report --json` (whole command)", report)

    if deals <= 10_000:
        copy = work / "action.xlsx"
        csv = work / "leads.csv"
        deal = timing["open_deal"]
        leads_csv(csv, 1000)
        actions = {
            "advance": lambda: ("advance", copy, deal, "--at", "2026-06-30 10:00"),
            "log": lambda: ("log", copy, deal, "--type", "Call", "--at", "2026-06-30 10:00"),
            "import 1,000 leads": lambda: ("import", copy, csv, "--at", "2026-06-30 10:00"),
        }

        def fresh(args: tuple) -> Run:
            shutil.copy(book, copy)
            return run(salesflow(*args))

        openpyxl_run = best(
            1,
            lambda: (shutil.copy(book, copy), run([sys.executable, "-c", OPENPYXL, str(copy)]))[1],
        )
        add("openpyxl `load_workbook` + `save` (the comparison)", openpyxl_run)
        for name, args in actions.items():
            result = best(runs, lambda args=args: fresh(args()))
            add(
                f"`salesflow {name}`",
                result,
                goal="< 1 s and ≥ 3× faster than openpyxl",
                goal_seconds=1.0,
                versus=openpyxl_run.seconds,
            )

    if recalc:
        copy = work / "recalc.xlsx"
        shutil.copy(book, copy)
        # the same LibreOffice, profile (recalculate on load, the UDF bridge), command line and
        # environment as salesflow recalc, without SalesFlow's work before and after
        command = recalc_module.convert_command(copy, work / "converted")
        bare = run(command, env=recalc_module.office_environment())
        add("bare LibreOffice recalculation (same profile and command line)", bare)
        ours = run(salesflow("recalc", copy))
        add(
            "`salesflow recalc`",
            ours,
            goal="small overhead over the bare conversion",
            bare=bare.seconds,
        )
    return rows


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| size | what is timed | wall time | peak memory | goal | measured against the goal |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        verdict = "–"
        if "versus" in row:
            ratio = row["versus"] / row["seconds"]
            misses = [
                *(["not under 1 s"] if row["seconds"] >= row["goal_seconds"] else []),
                *(["less than 3× faster"] if ratio < 3 else []),
            ]
            verdict = f"{ratio:.1f}× faster than openpyxl: " + (
                "met" if not misses else "missed (" + ", ".join(misses) + ")"
            )
        elif "bare" in row:
            overhead = row["seconds"] - row["bare"]
            verdict = (
                f"{overhead:+.1f} s, {row['seconds'] / row['bare']:.2f}× the bare run "
                "(one run each)"
            )
        elif row.get("goal_seconds"):
            times = row["seconds"] / row["goal_seconds"]
            verdict = "met" if times < 1 else f"missed ({times:.1f}× the goal)"
        memory = f"{row['peak_mb']:,.0f} MB" if row["peak_mb"] else "–"
        lines.append(
            f"| {row['size']} | {row['what']} | {row['seconds']:.2f} s | {memory} | "
            f"{row['goal']} | {verdict} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="Keep the built workbooks here.")
    parser.add_argument("--no-recalc", action="store_true", help="Skip the LibreOffice timings.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="salesflow-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    notes: list[str] = []
    for deals in args.deals:
        rows += measure(deals, work, args.runs, recalc=not args.no_recalc and deals <= 10_000)
        reading = next(r for r in rows if r["size"] == f"{deals:,} deals" and "file_mb" in r)
        counts = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in reading["rows"].items())
        notes.append(f"- {deals:,} deals: {counts}; a {reading['file_mb']:.1f} MB file.")
    lines = [
        "## Workbook",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()}; measured "
        f"{time.strftime('%Y-%m-%d')} with `python benchmarks/bench_workbook.py` "
        f"(best of {args.runs} runs; every command a fresh process, from the file):",
        "",
        *notes,
        "",
        *table(rows),
    ]
    section = "\n".join(lines) + "\n"
    target = ROOT / "docs" / "benchmarks.md"
    existing = target.read_text(encoding="utf-8") if target.exists() else "# Benchmarks\n"
    start = existing.find("## Workbook\n")
    if start >= 0:  # replace the section where it is; the notes after it stay
        end = existing.find("\n## ", start + 1)
        rest = existing[end + 1 :] if end >= 0 else ""
        updated = existing[:start] + section + ("\n" + rest if rest else "")
    else:
        updated = existing.rstrip("\n") + "\n\n" + section
    target.write_text(updated, encoding="utf-8")
    print(section)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
