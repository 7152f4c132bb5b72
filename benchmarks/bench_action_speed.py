"""How long an action takes on the 300-deal demo and on a 10,000-deal demo workbook, and the
ratio of the two (issue 15: at most 1 s and at most 1.5× at 10,000 deals).

Every action runs as its own ``salesflow`` process on a fresh copy of the workbook, as a user
runs it. Two cases are timed:

- *after an action* (the usual case in a working session): the copy is made of a workbook a
  SalesFlow action wrote, with the table cache that action left beside it, so the action reads
  the cache instead of the sheets and computes only the figures whose inputs changed;
- *first read* (the first action after the workbook was saved elsewhere, in Excel say): the
  copy has no cache, so the action reads and checks every sheet and computes every figure.

    python benchmarks/bench_action_speed.py                 # 7 runs each, medians
    python benchmarks/bench_action_speed.py --runs 3 --keep /tmp/bench

Prints a Markdown table of medians (wall and CPU seconds) and the 10k ÷ 300 ratios. The
machine's load shows in both; the ratios are the steadier figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {"300 deals": 1.0, "10,000 deals": 33.3334}  # salesflow new --demo --scale
AT = ("--at", "2026-06-30 10:00")
VALID_CACHE = """
import sys
from pathlib import Path
from salesflow_xl.workbook import cache
book = Path(sys.argv[1])
print(cache.load(book, book.read_bytes()) is not None)
"""
FIND_DEALS = """
import sys
from salesflow_xl.workbook import reader
deals = reader.load(sys.argv[1]).deals
print(*deals.loc[deals["status"] == "open", "id"].iloc[:4])
"""


def salesflow(*args: object) -> list[str]:
    return [sys.executable, "-m", "salesflow_xl", *map(str, args)]


def cache_of(book: Path) -> Path:
    return book.with_name(f".{book.name}.salesflow-cache")


def prepare(folder: Path, name: str, scale: float) -> tuple[Path, list[str]]:
    """A demo workbook after three actions (a cache beside it; the parts those actions change
    written in chunks, as a working session leaves them) and open deals to act on."""
    book = folder / f"{name.split()[0]}.xlsx"
    if not book.exists():
        subprocess.run(salesflow("new", book, "--demo", "--scale", scale), check=True)
    work = folder / f"session-{book.name}"
    shutil.copy(book, work)
    cache_of(work).unlink(missing_ok=True)
    found = subprocess.run(
        [sys.executable, "-c", FIND_DEALS, work], capture_output=True, text=True, check=True
    )
    first, second, third = found.stdout.split()[:3]
    for args in (
        ("log", work, first, "--type", "Call", *AT),
        ("advance", work, second, *AT),
        ("won", work, third, *AT),
    ):
        subprocess.run(salesflow(*args), check=True, capture_output=True)
    found = subprocess.run(
        [sys.executable, "-c", FIND_DEALS, work], capture_output=True, text=True, check=True
    )
    if not cached(work):
        raise SystemExit(f"{work.name}: the actions left no valid cache")
    return work, found.stdout.split()


def cached(book: Path) -> bool:
    """Whether ``book`` has a valid cache (SalesFlow's sources unchanged since it was made)."""
    found = subprocess.run(
        [sys.executable, "-c", VALID_CACHE, book], capture_output=True, text=True, check=True
    )
    return found.stdout.strip() == "True"


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``command`` (CPU: user + system of the child)."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = os.times()
    user = after.children_user - before.children_user
    return wall, user + after.children_system - before.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="Keep the workbooks in this folder.")
    options = parser.parse_args()
    folder = options.keep or Path(tempfile.mkdtemp(prefix="salesflow-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    prepared = {name: prepare(folder, name, scale) for name, scale in SIZES.items()}
    actions = {
        "advance": lambda book, deals: ("advance", book, deals[0], *AT),
        "log": lambda book, deals: ("log", book, deals[1], "--type", "Call", *AT),
        "won": lambda book, deals: ("won", book, deals[2], *AT),
    }
    print("| action | case | 300 deals: wall (CPU) | 10,000 deals: wall (CPU) | 10k ÷ 300 |")
    print("|---|---|---|---|---|")
    for action, args in actions.items():
        for case in ("after an action", "first read"):
            medians = {}
            for name, (book, deals) in prepared.items():
                copy = folder / f"copy-{book.name}"
                walls, cpus = [], []
                for _ in range(options.runs):
                    shutil.copy(book, copy)
                    cache_of(copy).unlink(missing_ok=True)
                    if case == "after an action":
                        shutil.copy(cache_of(book), cache_of(copy))
                    wall, cpu = timed(salesflow(*args(copy, deals)))
                    walls.append(wall)
                    cpus.append(cpu)
                medians[name] = (statistics.median(walls), statistics.median(cpus))
            small, large = medians["300 deals"], medians["10,000 deals"]
            print(
                f"| `{action}` | {case} | {small[0]:.2f} s ({small[1]:.2f} s) | "
                f"{large[0]:.2f} s ({large[1]:.2f} s) | {large[0] / small[0]:.2f}× |",
                flush=True,
            )
    if not all(cached(book) for book, _ in prepared.values()):
        print("SalesFlow's sources changed during the run: the cases timed are not what they say")
    if options.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
