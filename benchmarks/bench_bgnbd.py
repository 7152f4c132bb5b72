"""BG/NBD fit: SalesFlow against lifetimes on CDNOW, and SalesFlow on a million customers.

lifetimes is archived and does not run on pandas 3, so it runs in its own environment:

    python3 -m venv /tmp/lifetimes-env
    /tmp/lifetimes-env/bin/pip install "pandas<3" "scipy<1.16" "setuptools<82" "numpy<2.3" lifetimes
    LIFETIMES_PYTHON=/tmp/lifetimes-env/bin/python python benchmarks/bench_bgnbd.py

Writes the results table to docs/benchmarks.md (the BG/NBD section).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from salesflow_xl.core.clv import bgnbd, simulate

ROOT = Path(__file__).resolve().parents[1]
CDNOW = ROOT / "salesflow_xl" / "data" / "cdnow" / "cdnow_customers_summary.csv"
LIFETIMES = """
import json, sys, time
import pandas as pd
from lifetimes import BetaGeoFitter
data = pd.read_csv(sys.argv[1])
times = []
for _ in range(int(sys.argv[2])):
    model = BetaGeoFitter(penalizer_coef=0.0)
    start = time.perf_counter()
    model.fit(data["frequency"], data["recency"], data["T"])
    times.append(time.perf_counter() - start)
p = model.params_
print(json.dumps({"seconds": min(times), "r": p["r"], "alpha": p["alpha"], "a": p["a"],
                  "b": p["b"]}))
"""


def best_of(runs: int, function) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    data = pd.read_csv(CDNOW)
    ours_seconds, ours = best_of(
        5, lambda: bgnbd.fit(data["frequency"], data["recency"], data["T"])
    )
    rows = [("CDNOW, 2,357 customers", "SalesFlow", ours_seconds, ours)]
    lifetimes_python = os.environ.get("LIFETIMES_PYTHON")
    theirs = None
    if lifetimes_python:
        out = subprocess.run(
            [lifetimes_python, "-c", LIFETIMES, str(CDNOW), "5"],
            capture_output=True,
            text=True,
            check=True,
        )
        theirs = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(("CDNOW, 2,357 customers", "lifetimes 0.11.3", theirs["seconds"], theirs))
    true = bgnbd.BetaGeoParams(0.243, 4.414, 0.793, 2.426, 0.0, 0, 0)
    ages = np.random.default_rng(1).uniform(1, 39, 1_000_000)
    million = simulate.simulate(true, 1_000_000, ages, seed=4)
    big_seconds, big = best_of(
        3, lambda: bgnbd.fit(million["frequency"], million["recency"], million["T"])
    )
    rows.append(("1,000,000 simulated customers", "SalesFlow", big_seconds, big))

    def params(p) -> str:
        get = (lambda k: p[k]) if isinstance(p, dict) else (lambda k: getattr(p, k))
        return " ".join(f"{k}={get(k):.4f}" for k in ("r", "alpha", "a", "b"))

    lines = [
        "## BG/NBD fit",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; best of 5 runs (3 for a million). Command: "
        "`LIFETIMES_PYTHON=… python benchmarks/bench_bgnbd.py`.",
        "",
        "| data | library | seconds | parameters |",
        "|---|---|---|---|",
        *[f"| {d} | {lib} | {s:.3f} | {params(p)} |" for d, lib, s, p in rows],
    ]
    if theirs is not None:
        worst = max(
            abs(getattr(ours, k) - theirs[k]) / abs(theirs[k]) for k in ("r", "alpha", "a", "b")
        )
        lines += [
            "",
            f"SalesFlow is {theirs['seconds'] / ours_seconds:.0f}× faster than "
            f"lifetimes on CDNOW; the largest relative parameter difference is "
            f"{worst:.1e}.",
        ]
    section = "\n".join(lines) + "\n"
    target = ROOT / "docs" / "benchmarks.md"
    existing = target.read_text(encoding="utf-8") if target.exists() else "# Benchmarks\n\n"
    start = existing.find("## BG/NBD fit")
    if start >= 0:
        end = existing.find("\n## ", start + 1)
        existing = existing[:start] + existing[end + 1 if end >= 0 else len(existing) :]
    target.write_text(existing.rstrip("\n") + "\n\n" + section, encoding="utf-8")
    print(section)
    sys.exit(0)


if __name__ == "__main__":
    main()
