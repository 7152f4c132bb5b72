"""The learned revenue forecast (``salesflow_xl.core.forecast.revenue.forecast``): its time, and
that a faster version simulates the same futures as an earlier one.

Timing: ``forecast(data, 6)`` (2,000 simulated futures) on the b2b demo at each ``--scale``,
best of ``--runs`` calls in one process after a warm-up call, wall and CPU time; with
``--against COMMIT`` that commit's forecast module (read with ``git show``) is timed beside.

Comparison (``--compare --against COMMIT``): the forecast module of ``COMMIT`` and this
checkout's, on the same demo, with ``--seeds`` seeds each. The expected revenue
(deals, new_deals, orders, total) is computed, not simulated, so it must be equal; the
interval's ends (low, high, deals_low, deals_high) are simulated, so each month's mean over
the seeds must agree within Monte-Carlo error: the script prints, per column and month, the
difference of the two means in standard errors (the seeds' spread, both versions' added),
and the largest of them. Then the parts the faster version simulates differently (new deals,
new customers' orders, repeat orders) are simulated with ``--big`` futures by each version,
and each month's two samples are compared with a two-sample Kolmogorov–Smirnov test: p-values
spread over (0, 1) say the two draw from the same distribution.

    python benchmarks/bench_forecast.py --scale 1 10 --against d3ee4c8
    python benchmarks/bench_forecast.py --scale 1 --compare --against d3ee4c8 --seeds 20

Run it with ``PYTHONPATH`` set to the checkout to measure.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np
from scipy import stats

from salesflow_xl.core import demo
from salesflow_xl.core.forecast import revenue

ROOT = Path(__file__).resolve().parents[1]
MODULE = "salesflow_xl/core/forecast/revenue.py"
EXPECTED = ("deals", "new_deals", "orders", "total")
SIMULATED = ("low", "high", "deals_low", "deals_high")


def best_of(runs: int, function) -> tuple[float, float]:
    """The least wall and CPU seconds of ``runs`` calls (after one call not counted)."""
    function()
    wall, cpu = float("inf"), float("inf")
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def module_at(commit: str) -> ModuleType:
    """The forecast module as it was at ``commit``."""
    text = subprocess.run(
        ["git", "show", f"{commit}:{MODULE}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "revenue_before.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("revenue_before", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def timing(scales: list[float], runs: int, before: ModuleType | None) -> None:
    versions = [("this checkout", revenue)]
    if before is not None:
        versions.insert(0, ("before", before))
    print("| demo (b2b) | deals | customers with orders | version | wall | CPU |")
    print("|---|---|---|---|---|---|")
    for scale in scales:
        data = demo.generate(scale=scale)
        customers = data.orders["customer_id"].nunique()
        for name, module in versions:
            wall, cpu = best_of(runs, lambda data=data, module=module: module.forecast(data, 6))
            print(
                f"| scale {scale:g} | {len(data.deals):,} | {customers:,} | {name} "
                f"| {wall:.3f} s | {cpu:.3f} s |"
            )


def spread(module: ModuleType, data, seeds: int, draws: int) -> dict[str, np.ndarray]:
    """Per column: a (seeds × months) array of the forecast's values."""
    found: dict[str, list[np.ndarray]] = {c: [] for c in (*EXPECTED, *SIMULATED)}
    for seed in range(seeds):
        months = module.forecast(data, 6, draws=draws, seed=seed).months
        for column in found:
            found[column].append(months[column].to_numpy(dtype="float64"))
    return {column: np.array(values) for column, values in found.items()}


def components(module: ModuleType, data, draws: int, seed: int) -> dict[str, np.ndarray]:
    """The simulated parts of the forecast the faster version changed, ``draws`` futures each:
    new deals, new customers' orders, repeat orders."""
    from salesflow_xl.core.clv import value as clv_value
    from salesflow_xl.core.clv.summary import UNITS, customer_summary
    from salesflow_xl.core.forecast.history import deals_at

    at = data.settings.as_of
    edges = np.array([module._days(at, end) for _s, end in module.windows(at, 6)])
    then = deals_at(data.deals, data.stage_log, data.pipeline, at)
    summary = customer_summary(data.orders, at, module.UNIT)
    model = clv_value.fit(summary, module.UNIT)
    rng = np.random.default_rng(seed)
    return {
        "new deals": module._new_business(then, at, edges, draws, rng)[1],
        "new customers": module._new_customers(data.orders, at, edges, draws, rng)[1],
        "repeat orders": module._simulate_orders(
            model, summary, edges / UNITS[module.UNIT], draws, rng
        ),
    }


def compare(before: ModuleType | None, scale: float, seeds: int, draws: int, big: int) -> None:
    if before is None:
        raise SystemExit("--compare needs --against")
    data = demo.generate(scale=scale)
    old = spread(before, data, seeds, draws)
    new = spread(revenue, data, seeds, draws)
    for column in EXPECTED:
        same = np.allclose(old[column], new[column], rtol=1e-9, atol=1e-6)
        print(f"{column}: {'equal' if same else 'DIFFERENT'}")
    print(f"\nInterval ends, mean over {seeds} seeds ({draws:,} futures each), before → after")
    print("| column | month | before | after | difference (standard errors) |")
    print("|---|---|---|---|---|")
    largest = 0.0
    for column in SIMULATED:
        a, b = old[column], new[column]
        error = np.sqrt(a.var(axis=0, ddof=1) / seeds + b.var(axis=0, ddof=1) / seeds)
        z = np.divide(b.mean(axis=0) - a.mean(axis=0), error, where=error > 0, out=np.zeros(6))
        largest = max(largest, float(np.abs(z).max()))
        for month in range(6):
            print(
                f"| {column} | {month + 1} | {a[:, month].mean():,.0f} | "
                f"{b[:, month].mean():,.0f} | {z[month]:+.2f} |"
            )
    print(f"\nlargest difference: {largest:.2f} standard errors (of {4 * 6} compared)")
    old_parts = components(before, data, big, seed=1)
    new_parts = components(revenue, data, big, seed=2)
    print(f"\nEach part's simulated futures ({big:,} each), before and after: two-sample KS test")
    print("| part | month | mean before | after | sd before | after | KS p |")
    print("|---|---|---|---|---|---|---|")
    for part, a in old_parts.items():
        b = new_parts[part]
        for month in range(6):
            p = stats.ks_2samp(a[:, month], b[:, month]).pvalue
            print(
                f"| {part} | {month + 1} | {a[:, month].mean():,.0f} | {b[:, month].mean():,.0f} "
                f"| {a[:, month].std():,.0f} | {b[:, month].std():,.0f} | {p:.2f} |"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", help="a commit whose forecast module to time beside")
    parser.add_argument(
        "--compare", action="store_true", help="compare the statistics with --against's instead"
    )
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--draws", type=int, default=revenue.DRAWS)
    parser.add_argument("--big", type=int, default=40_000, help="futures per part in the KS test")
    options = parser.parse_args(argv)
    before = module_at(options.against) if options.against else None
    if options.compare:
        for scale in options.scale:
            print(f"## scale {scale:g}\n")
            compare(before, scale, options.seeds, options.draws, options.big)
        return
    timing(options.scale, options.runs, before)


if __name__ == "__main__":
    sys.exit(main())
