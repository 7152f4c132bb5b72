"""The "five-year web shop" benchmark: 20,000 customers, 100,000 orders over five years and
10,000 deals with their stage history and activities; the import of the orders, ``report``,
``refresh`` and the CLV fit, each against reading the same workbook with pandas +
python-calamine.

The shop: a small online coffee roaster, open since 2021-07-01, whose owner also sells
wholesale. Its pipeline is the demo business at 10,000 deals (5,000 customers, stage history,
activities, campaigns over the last 18 months: the wholesale line); its web shop brings 15,000
more customers, each first known by their first order. Orders come from Shopify's orders
export: BG/NBD-like buyers (a personal rate, dropping out after any order), one to three lines
an order, a few partial refunds (imported net) and refunded or cancelled orders (skipped).

What a shop owner does, and so what is timed: on the day they start with SalesFlow
(2026-06-30) they import the shop's whole history (the export up to 2026-05-31: 94,594
orders, 14,550 new customers) into the workbook holding their pipeline; from then on, once a
month, the month's export (June 2026: 5,406 orders; the shop has grown). Both imports are
timed; the workbook they leave (exactly 20,000 customers, 100,000 orders) is the one
``report``, ``refresh`` and the CLV fit read. Every date is pinned (``--at``, ``--as-of``,
the workbook's pinned as-of date) and the data come from a fixed seed, so a run does not
depend on the day it is made.

Every measurement is a fresh process, as a user runs it: wall time, CPU time (user + system)
and peak resident memory of that child, from the kernel's accounting (``wait4``). Actions run
on a fresh copy of their input workbook. The machine is noisy: each is run ``--runs`` times;
the table shows the fastest and the wall time of each.

    python benchmarks/bench_webshop.py                     # about 5-10 minutes on 2 cores
    python benchmarks/bench_webshop.py --runs 3 --out webshop.md --keep /tmp/webshop

Prints a markdown table (and writes it to ``--out``); ``--keep DIR`` keeps the workbooks and
the exports for another run (a kept workbook is not built again).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from salesflow_xl.core.demo import FIRST_NAMES, LAST_NAMES  # the demo's people, by name

if TYPE_CHECKING:  # pandas is imported when the data are made, not at the benchmark's start
    from salesflow_xl.core.dataset import SalesData

CUSTOMERS = 20_000
ORDERS = 100_000
DEALS = 10_000
DEALS_PER_SCALE = 300  # the demo at scale 1: 150 customers, 300 deals
SEED = 2026
OPENED = date(2021, 7, 1)  # five years before AS_OF
AS_OF = date(2026, 6, 30)
MONTH = date(2026, 6, 1)  # the monthly export: June 2026
AT = "2026-06-30 18:00"
#: Refunded and cancelled orders in the export on top of the imported ones (skipped).
VOIDED_SHARE = 0.01
PARTIAL_REFUND_SHARE = 0.02

PRODUCTS = (
    ("House blend 1 kg", 24.0),
    ("Espresso blend 1 kg", 32.0),
    ("Single origin Ethiopia 500 g", 19.2),
    ("Decaf 1 kg", 28.5),
    ("Hand grinder", 29.0),
    ("Espresso cups (set of 6)", 18.0),
    ("Filter papers (100)", 4.5),
)
HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Subtotal,Shipping,Taxes,"
    "Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,"
    "Lineitem price,Billing Name,Billing Company,Cancelled at,Refunded Amount,Id"
).split(",")


# -- the shop's data ----------------------------------------------------------------------------


@dataclasses.dataclass
class Buyer:
    """A customer as the shop's export knows them, and how they buy."""

    email: str
    name: str
    company: str | None
    first: date  # the first order's date
    rate: float  # orders per day while active
    dropout: float  # chance of stopping after each order
    spend: float  # mean order value


@dataclasses.dataclass
class ShopOrder:
    """One order of the export (its lines are made when it is written)."""

    day: date
    buyer: Buyer
    subtotal: float
    status: str = "paid"  # paid, partially_refunded, refunded, cancelled
    refunded: float = 0.0


def pipeline_data() -> SalesData:
    """The demo business at 10,000 deals as of AS_OF, without its orders (the export brings
    them) and with each customer's e-mail address made unique (the demo's generated addresses
    repeat now and then; a shop's customer accounts do not)."""
    from salesflow_xl.core import demo

    data = demo.generate(scale=DEALS / DEALS_PER_SCALE, seed=SEED, as_of=AS_OF)
    customers = data.customers.copy()
    local, _, domain = customers["email"].str.partition("@").T.values
    customers["email"] = local + "." + customers["id"].str.lower() + "@" + domain
    return dataclasses.replace(data, customers=customers, orders=data.orders.iloc[0:0])


def shop_buyers(data: SalesData, rng: random.Random) -> list[Buyer]:
    """The workbook's customers with a won deal (wholesale, ordering from their first win)
    and the web shop's own customers (first order anywhere in the five years, more of them
    as the shop grows), each with a personal buying rate, dropout and order value."""
    buyers = []
    won = data.deals[data.deals["status"] == "won"].groupby("customer_id")["closed"].min()
    for row in data.customers.itertuples(index=False):
        if row.id in won.index:
            buyers.append(
                Buyer(
                    row.email,
                    row.name,
                    row.company,
                    won[row.id].date(),
                    rng.gammavariate(2.0, 0.6) / 30.4,
                    rng.betavariate(1.0, 30.0),
                    rng.gammavariate(4.0, 45.0),
                )
            )
    shop = CUSTOMERS - len(data.customers)
    span = (AS_OF - OPENED).days
    names = rng.sample(range(len(FIRST_NAMES) * len(LAST_NAMES) * 26), shop)  # all different
    for n, code in enumerate(names, start=1):
        code, initial = divmod(code, 26)
        first, last = FIRST_NAMES[code % len(FIRST_NAMES)], LAST_NAMES[code // len(FIRST_NAMES)]
        letter = chr(ord("A") + initial)
        buyers.append(
            Buyer(
                f"{first}.{letter}.{last}.{n}@mail.example".lower(),
                f"{first} {letter}. {last}",
                None,
                OPENED + timedelta(days=round(span * rng.random() ** 0.5)),  # growing shop
                rng.gammavariate(0.8, 1.0) / 30.4,
                rng.betavariate(1.0, 5.0),
                rng.gammavariate(3.0, 20.0),
            )
        )
    return buyers


def shop_orders(buyers: list[Buyer], rng: random.Random) -> list[ShopOrder]:
    """Exactly ORDERS imported orders: every buyer's first order, and repeat orders thinned at
    random to the total; plus VOIDED_SHARE refunded or cancelled ones. Sorted by date."""
    first: list[ShopOrder] = []
    repeats: list[ShopOrder] = []
    for buyer in buyers:
        day = buyer.first
        while day <= AS_OF:
            order = ShopOrder(day, buyer, round(rng.gammavariate(5.0, buyer.spend / 5), 2))
            (repeats if day > buyer.first else first).append(order)
            if rng.random() < buyer.dropout:
                break
            gap = max(1, round(min(rng.expovariate(buyer.rate), 10_000)))
            day += timedelta(days=gap)
    if len(first) + len(repeats) < ORDERS:
        raise SystemExit(f"the generator made {len(first) + len(repeats):,} orders: too few")
    kept = first + rng.sample(repeats, ORDERS - len(first))
    for order in kept:
        order.subtotal = max(order.subtotal, 5.0)
        if rng.random() < PARTIAL_REFUND_SHARE:
            order.status = "partially_refunded"
            order.refunded = round(order.subtotal * rng.uniform(0.1, 0.5), 2)
    voided = [
        ShopOrder(
            o.day, o.buyer, o.subtotal, rng.choice(("refunded", "cancelled")), round(o.subtotal, 2)
        )
        for o in rng.sample(kept, round(ORDERS * VOIDED_SHARE))
    ]
    return sorted(kept + voided, key=lambda o: (o.day, o.buyer.email))


def write_export(path: Path, orders: list[tuple[int, ShopOrder]], rng: random.Random) -> float:
    """A Shopify orders export: the order's columns on its first line, one line per item;
    returns the amount SalesFlow should import (totals of the orders kept, net of refunds)."""
    imported = 0.0
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(HEADER)
        for number, order in orders:
            lines = rng.choices((1, 2, 3), weights=(65, 25, 10))[0]
            items = [(rng.randint(1, 3), *rng.choice(PRODUCTS)) for _ in range(lines)]
            scale = order.subtotal / sum(q * p for q, _, p in items)
            items = [(q, name, round(p * scale, 2)) for q, name, p in items]
            subtotal = round(sum(q * p for q, _, p in items), 2)
            shipping = 4.9 if subtotal < 50 else 0.0
            offset = "+0200" if 4 <= order.day.month <= 10 else "+0100"
            minute = rng.randrange(7 * 60, 23 * 60)
            stamp = f"{order.day} {minute // 60:02d}:{minute % 60:02d}:{rng.randrange(60):02d}"
            cancelled = order.status == "cancelled"
            if order.status in ("paid", "partially_refunded"):
                imported += round(subtotal + shipping, 2) - order.refunded
            for index, (quantity, name, price) in enumerate(items):
                head = index == 0
                out.writerow(
                    [
                        f"#{number}",
                        order.buyer.email if head else "",
                        ("voided" if cancelled else order.status) if head else "",
                        f"{stamp} {offset}" if head and not cancelled else "",
                        ("unfulfilled" if cancelled else "fulfilled") if head else "",
                        "EUR" if head else "",
                        f"{subtotal:.2f}" if head else "",
                        f"{shipping:.2f}" if head else "",
                        "0.00" if head else "",
                        f"{subtotal + shipping:.2f}" if head else "",
                        "",
                        "0.00" if head else "",
                        f"{stamp} {offset}" if head else "",
                        quantity,
                        name,
                        f"{price:.2f}",
                        order.buyer.name if head else "",
                        (order.buyer.company or "") if head else "",
                        f"{stamp} {offset}" if head and cancelled else "",
                        f"{order.refunded:.2f}" if head else "",
                        5_500_000 + number if head else "",
                    ]
                )
    return imported


def build(work: Path) -> dict[str, object]:
    """The pipeline workbook and the two exports (history, June); what they hold."""
    book, history, month = work / "Shop.xlsx", work / "history.csv", work / "june.csv"
    facts_file = work / "facts.json"
    if book.exists() and history.exists() and month.exists() and facts_file.exists():
        return json.loads(facts_file.read_text())
    from salesflow_xl.workbook import store, template

    rng = random.Random(SEED)
    data = pipeline_data()
    orders = shop_orders(shop_buyers(data, rng), rng)
    numbered = list(enumerate(orders, start=1001))
    amount = write_export(history, [(n, o) for n, o in numbered if o.day < MONTH], rng)
    amount += write_export(month, [(n, o) for n, o in numbered if o.day >= MONTH], rng)
    started = time.perf_counter()
    store.save(book, template.render(data))
    imported = [o for o in orders if o.status in ("paid", "partially_refunded")]
    facts = {
        "render_seconds": time.perf_counter() - started,
        "workbook": {
            k: len(data.table(k))
            for k in ("customers", "deals", "stage_log", "activities", "campaigns")
        },
        "history": {
            "orders": sum(o.day < MONTH for o in imported),
            "lines": sum(1 for _ in history.open(encoding="utf-8")) - 1,
            "megabytes": history.stat().st_size / 1e6,
        },
        "june": {
            "orders": sum(o.day >= MONTH for o in imported),
            "lines": sum(1 for _ in month.open(encoding="utf-8")) - 1,
            "megabytes": month.stat().st_size / 1e6,
        },
        "voided": len(orders) - len(imported),
        "amount": round(amount, 2),
        "megabytes": book.stat().st_size / 1e6,
    }
    facts_file.write_text(json.dumps(facts, indent=1))
    return facts


# -- measuring ----------------------------------------------------------------------------------

#: Reading every sheet with pandas + python-calamine: the baseline.
BASELINE = """
import json, sys, time
t0 = time.perf_counter()
import pandas as pd
t1 = time.perf_counter()
frames = pd.read_excel(sys.argv[1], sheet_name=None, engine="calamine")
t2 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "read": t2 - t1,
                  "rows": {name: len(frame) for name, frame in frames.items()}}))
"""

#: Reading the workbook as SalesFlow does, then the CLV fit as the Customers sheet's
#: predictions are made (BG/NBD + Gamma-Gamma, in weeks, as of the workbook's date).
CLV_FIT = """
import json, sys, time
t0 = time.perf_counter()
import pandas as pd
from salesflow_xl.core.clv import summary, value
from salesflow_xl.core.clv.predictions import customer_predictions
from salesflow_xl.workbook import reader
t1 = time.perf_counter()
data = reader.load(sys.argv[1])
t2 = time.perf_counter()
predictions = customer_predictions(data.customers, data.orders, data.settings)
t3 = time.perf_counter()
past = data.orders[data.orders["date"] <= pd.Timestamp(data.settings.as_of)]
table = summary.customer_summary(past, data.settings.as_of, "weeks")
t4 = time.perf_counter()
model = value.fit(table, "weeks")
t5 = time.perf_counter()
print(json.dumps({
    "imports": t1 - t0, "read": t2 - t1, "predictions": t3 - t2, "summary": t4 - t3,
    "fit": t5 - t4, "as_of": str(data.settings.as_of),
    "rows": {k: len(data.table(k)) for k in ("customers", "deals", "stage_log", "activities",
                                              "campaigns", "orders")},
    "amount": round(float(data.orders["amount"].sum()), 2),
    "predicted": int(predictions["p_alive"].notna().sum()),
    "bgnbd": {k: getattr(model.purchases, k) for k in ("r", "alpha", "a", "b")},
    "gamma_gamma": {k: getattr(model.spend, k) for k in ("p", "q", "v")},
}))
"""


@dataclasses.dataclass
class Run:
    seconds: float
    cpu: float
    peak_mb: float
    output: str


def run(command: list[str]) -> Run:
    """Run ``command`` to completion: wall and CPU seconds, peak resident memory (MB), stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(command)} failed ({code}):\n{err.read().decode()}")
        out.seek(0)
        return Run(
            seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read().decode()
        )


def salesflow(*args: object) -> list[str]:
    return [sys.executable, "-m", "salesflow_xl", *map(str, args)]


def python(script: str, *args: object) -> list[str]:
    return [sys.executable, "-c", script, *map(str, args)]


@dataclasses.dataclass
class Timing:
    what: str
    runs: list[Run]

    @property
    def best(self) -> Run:
        return min(self.runs, key=lambda r: r.seconds)


def timed(what: str, runs: int, make: Callable[[], Run]) -> Timing:
    result = Timing(what, [make() for _ in range(runs)])
    print(f"  {what}: " + ", ".join(f"{r.seconds:.2f} s" for r in result.runs), file=sys.stderr)
    return result


def on_copy(source: Path, copy: Path, command: list[str]) -> Callable[[], Run]:
    """Run ``command`` (which changes ``copy``) on a fresh copy of ``source``."""

    def make() -> Run:
        shutil.copy(source, copy)
        return run(command)

    return make


def measure(work: Path, runs: int) -> tuple[list[Timing], dict[str, object]]:
    facts = build(work)
    book, history, june = work / "Shop.xlsx", work / "history.csv", work / "june.csv"
    with_history, final = work / "Shop-history.xlsx", work / "Shop-final.xlsx"
    copy = work / "copy.xlsx"
    timings = []
    print("timing (wall seconds of each run):", file=sys.stderr)
    importing = ("import-orders", copy, history, "--at", AT)
    timings.append(
        timed(
            f"`salesflow import-orders`: the history, {facts['history']['orders']:,} orders "
            f"({facts['history']['lines']:,} lines)",
            runs,
            on_copy(book, copy, salesflow(*importing)),
        )
    )
    shutil.copy(copy, with_history)
    timings.append(
        timed(
            f"`salesflow import-orders`: June's export, {facts['june']['orders']:,} orders "
            f"({facts['june']['lines']:,} lines)",
            runs,
            on_copy(with_history, copy, salesflow("import-orders", copy, june, "--at", AT)),
        )
    )
    shutil.copy(copy, final)
    facts["final_megabytes"] = final.stat().st_size / 1e6
    baseline = timed(
        "pandas + python-calamine: `read_excel(sheet_name=None)` (the baseline)",
        runs,
        lambda: run(python(BASELINE, final)),
    )
    timings.append(baseline)
    timings.append(timed("`salesflow report`", runs, lambda: run(salesflow("report", final))))
    timings.append(
        timed("`salesflow report --json`", runs, lambda: run(salesflow("report", final, "--json")))
    )
    timings.append(
        timed(
            f"`salesflow refresh --as-of {AS_OF}` (refits the predictions)",
            runs,
            on_copy(final, copy, salesflow("refresh", copy, "--as-of", AS_OF)),
        )
    )
    clv = timed(
        "read + CLV fit as the Customers' predictions (one process)",
        runs,
        lambda: run(python(CLV_FIT, final)),
    )
    timings.append(clv)
    timings.append(
        timed(
            "`salesflow clv` (BG/NBD + Gamma-Gamma, whole command)",
            runs,
            lambda: run(salesflow("clv", final, "--margin", "0.45", "--json")),
        )
    )
    copy.unlink(missing_ok=True)
    facts["baseline"] = [json.loads(r.output) for r in baseline.runs]
    facts["clv"] = [json.loads(r.output) for r in clv.runs]
    rows = facts["clv"][0]["rows"]
    if (rows["customers"], rows["orders"], rows["deals"]) != (CUSTOMERS, ORDERS, DEALS):
        raise SystemExit(f"the imported workbook holds {rows}, not the shop's counts")
    if abs(facts["clv"][0]["amount"] - facts["amount"]) > 0.005:
        raise SystemExit(f"imported {facts['clv'][0]['amount']:,.2f}, exported {facts['amount']}")
    return timings, facts


def table(timings: list[Timing], facts: dict) -> list[str]:
    base = next(t for t in timings if "baseline" in t.what).best
    lines = [
        "| what is timed (a fresh process each) | wall time | CPU time | peak memory "
        "| each run (wall) | wall ÷ baseline | CPU ÷ baseline |",
        "|---|---|---|---|---|---|---|",
    ]
    for timing in timings:
        best = timing.best
        spread = " / ".join(f"{r.seconds:.1f}" for r in timing.runs)
        lines.append(
            f"| {timing.what} | {best.seconds:.2f} s | {best.cpu:.2f} s | {best.peak_mb:,.0f} MB "
            f"| {spread} s | {best.seconds / base.seconds:.2f}× | {best.cpu / base.cpu:.2f}× |"
        )
    clv = min(facts["clv"], key=lambda p: p["read"] + p["predictions"])
    read = min(p["read"] for p in facts["baseline"])
    lines += [
        "",
        "In-process phases (wall time after the imports, fastest run):",
        "",
        "| phase | seconds | ÷ pandas + calamine read |",
        "|---|---|---|",
        f"| pandas + python-calamine: read every sheet | {read:.2f} s | 1× |",
        f"| SalesFlow: read and check every table (`reader.load`) | {clv['read']:.2f} s "
        f"| {clv['read'] / read:.2f}× |",
        f"| the Customers' predictions (summary, BG/NBD + Gamma-Gamma fit, predict, RFM) "
        f"| {clv['predictions']:.2f} s | {clv['predictions'] / read:.2f}× |",
        f"| the fit alone, timed again (BG/NBD + Gamma-Gamma on the customer summary) "
        f"| {clv['fit']:.2f} s | {clv['fit'] / read:.2f}× |",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None, help="Keep the files here.")
    parser.add_argument("--out", type=Path, default=None, help="Also write the table here.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="salesflow-webshop-"))
    work.mkdir(parents=True, exist_ok=True)
    timings, facts = measure(work, args.runs)
    rows = facts["clv"][0]["rows"]
    fitted = facts["clv"][0]
    history, june = facts["history"], facts["june"]
    lines = [
        "## Five-year web shop",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()}; measured {time.strftime('%Y-%m-%d')}"
        f" with `python benchmarks/bench_webshop.py --runs {args.runs}` (every command a fresh "
        "process, from the file; an action on a fresh copy).",
        "",
        f"- The workbook before the import: {facts['workbook']['customers']:,} customers, "
        f"{facts['workbook']['deals']:,} deals, {facts['workbook']['stage_log']:,} stage log, "
        f"{facts['workbook']['activities']:,} activities, no orders; "
        f"{facts['megabytes']:.1f} MB (rendered in {facts['render_seconds']:.0f} s).",
        f"- Shopify exports: the history to {MONTH - timedelta(days=1)} "
        f"({history['orders']:,} orders, {history['lines']:,} lines, "
        f"{history['megabytes']:.1f} MB) and June 2026 ({june['orders']:,} orders, "
        f"{june['lines']:,} lines); {facts['voided']:,} refunded or cancelled orders are "
        "skipped; partial refunds are imported net.",
        f"- After both imports: {rows['customers']:,} customers, {rows['orders']:,} orders "
        f"({OPENED} to {AS_OF}), {rows['deals']:,} deals, {rows['stage_log']:,} stage log, "
        f"{rows['activities']:,} activities; {facts['final_megabytes']:.1f} MB; "
        f"{fitted['predicted']:,} customers with predictions (BG/NBD r="
        f"{fitted['bgnbd']['r']:.3f} alpha={fitted['bgnbd']['alpha']:.2f} "
        f"a={fitted['bgnbd']['a']:.3f} b={fitted['bgnbd']['b']:.3f}).",
        "",
        *table(timings, facts),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
