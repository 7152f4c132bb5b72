"""LibreOffice's forced recalculation of demo workbooks against merely opening and saving them,
with the size of the Deals sheet's XML: how recalculation grows with the number of deals.

For each size it builds the demo workbook (``salesflow new --demo``, 300 deals per scale unit)
and measures, one fresh process each (wall time and CPU time of the process and its children):

- LibreOffice recalculating everything on load and saving (the profile and command line of
  ``salesflow recalc``, UDF bridge included),
- LibreOffice opening and saving the same file with "recalculate on load" set to never (the
  same profile otherwise): it still recalculates what is volatile, the Settings' ``TODAY()``
  and every formula that reads the as-of date,
- the same for a copy whose ``TODAY()`` formula is replaced by its value: loading and saving
  alone, nothing recalculated,
- ``salesflow recalc`` (LibreOffice's run plus SalesFlow's work before and after),

and reads the file: the Deals sheet's uncompressed XML per deal row, all parts uncompressed,
the number of formula cells. One run each (a 10,000-deal recalculation took minutes before
the Deals' "Furthest step" became a value).

    python benchmarks/bench_recalc.py --deals 2500 10000 --work /tmp/recalc-bench
    python benchmarks/bench_recalc.py --measure libreoffice_recalc   # one timing only

Run it with another checkout first on ``PYTHONPATH`` to measure that version's workbooks.

Prints one JSON object per size and a Markdown table; the growth from the first size to the
last on a log-log scale (1.0 is linear) closes the table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from salesflow_xl.ooxml.package import Package
from salesflow_xl.ooxml.sheetxml import computed_cells
from salesflow_xl.recalc import libreoffice

DEALS_PER_SCALE = 300  # salesflow demo --scale 1


def timed(command: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run ``command`` to completion: wall and CPU seconds (user + system, children included)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=env
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            log.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{log.read().decode(errors='replace')}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime}


def no_recalc_profile(work: Path) -> Path:
    """A copy of ``salesflow recalc``'s LibreOffice profile that never recalculates on load."""
    target = work / "lo-profile-no-recalc"
    if not target.exists():
        shutil.copytree(libreoffice.profile(), target)
        registry = target / "user" / "registrymodifications.xcu"
        text = registry.read_text(encoding="utf-8")
        for name in ("OOXMLRecalcMode", "ODFRecalcMode"):
            old = f'<prop oor:name="{name}" oor:op="fuse"><value>0</value>'
            assert old in text, name
            text = text.replace(old, f'<prop oor:name="{name}" oor:op="fuse"><value>1</value>')
        registry.write_text(text, encoding="utf-8")
    return target


def without_volatile(book: Path, target: Path) -> Path:
    """A copy of ``book`` whose ``TODAY()`` formulas (the Settings' as-of date) are replaced
    by their cached values: nothing in it is volatile."""
    package = Package.from_bytes(book.read_bytes())
    for part in package.sheet_parts().values():
        xml = package.read(part)
        if b"TODAY()" in xml:
            package.replace(part, re.sub(rb"<f>[^<]*TODAY\(\)[^<]*</f>", b"", xml))
    target.write_bytes(package.to_bytes())
    return target


def sizes(path: Path) -> dict[str, float]:
    """The Deals sheet's uncompressed XML (bytes, and per deal row), every part uncompressed,
    and the number of formula cells."""
    package = Package.from_bytes(path.read_bytes())
    parts = package.sheet_parts()
    deals = package.read(parts["Deals"])
    rows = deals.count(b"<row ") - 1  # the header row
    formulas = sum(len(computed_cells(package.read(part))) for part in parts.values())
    return {
        "deal_rows": rows,
        "deals_xml": len(deals),
        "deals_xml_per_row": len(deals) / rows,
        "all_xml": sum(len(package.read(name)) for name in package.parts),
        "formulas": formulas,
        "file": path.stat().st_size,
    }


MEASURES = (
    "libreoffice_recalc",
    "libreoffice_open_save",
    "libreoffice_load_save",
    "salesflow_recalc",
)


def measure(deals: int, work: Path, measures: tuple[str, ...] = MEASURES) -> dict[str, object]:
    book = work / f"Demo-{deals}.xlsx"
    salesflow = [sys.executable, "-m", "salesflow_xl"]
    result: dict[str, object] = {"deals": deals}
    if not book.exists():
        scale = f"{deals / DEALS_PER_SCALE:.4f}"
        result["build"] = timed([*salesflow, "new", str(book), "--demo", "--scale", scale])
    result.update(sizes(book))
    env = libreoffice.office_environment()
    out = work / "converted"
    forced = libreoffice.convert_command(book, out)
    profile = forced.index(next(a for a in forced if a.startswith("-env:UserInstallation=")))
    never = f"-env:UserInstallation={no_recalc_profile(work).as_uri()}"
    if "libreoffice_recalc" in measures:
        result["libreoffice_recalc"] = timed(forced, env)
    if "libreoffice_open_save" in measures:
        plain = [never if i == profile else a for i, a in enumerate(forced)]
        result["libreoffice_open_save"] = timed(plain, env)
    if "libreoffice_load_save" in measures:
        still = without_volatile(book, work / f"Still-{deals}.xlsx")
        plain = libreoffice.convert_command(still, out)
        plain[profile] = never
        result["libreoffice_load_save"] = timed(plain, env)
    if "salesflow_recalc" in measures:
        copy = work / "recalc.xlsx"
        shutil.copy(book, copy)
        result["salesflow_recalc"] = timed([*salesflow, "recalc", str(copy)])
    return result


def table(results: list[dict]) -> list[str]:
    """The results as Markdown: sizes, then each timing as wall / CPU seconds."""
    timed_keys = [k for k in MEASURES if all(k in r for r in results)]
    lines = [
        "| deals | Deals XML per row | all parts | formula cells | "
        + " | ".join(f"{k} (wall / CPU)" for k in timed_keys)
        + " |",
        "|---" * (4 + len(timed_keys)) + "|",
    ]
    for r in results:
        times = " | ".join(f"{r[k]['wall']:.1f} s / {r[k]['cpu']:.1f} s" for k in timed_keys)
        lines.append(
            f"| {r['deal_rows']:,} | {r['deals_xml_per_row'] / 1024:.2f} KB "
            f"| {r['all_xml'] / 1e6:.1f} MB | {r['formulas']:,} | {times} |"
        )
    if len(results) > 1:
        first, last = results[0], results[-1]
        rows = math.log(last["deal_rows"] / first["deal_rows"])
        for key in timed_keys:
            cpu = math.log(last[key]["cpu"] / first[key]["cpu"]) / rows
            wall = math.log(last[key]["wall"] / first[key]["wall"]) / rows
            lines.append(f"\nlog-log growth of {key}: CPU {cpu:.2f}, wall {wall:.2f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, nargs="+", default=[2_500, 10_000])
    parser.add_argument("--work", type=Path, default=None, help="Keep the workbooks here.")
    parser.add_argument("--measure", nargs="+", choices=MEASURES, default=list(MEASURES))
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="salesflow-recalc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for deals in args.deals:
        results.append(measure(deals, work, tuple(args.measure)))
        print(json.dumps(results[-1]), flush=True)
    print("\n".join(table(results)))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
