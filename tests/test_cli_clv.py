"""salesflow clv and cohorts on the CDNOW files, a CSV and the demo workbook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesflow_xl.cli import main
from salesflow_xl.cli.orders import load_orders
from salesflow_xl.core.clv.cohorts import cohort_retention

ROOT = Path(__file__).parent.parent
CDNOW = ROOT / "salesflow_xl" / "data" / "cdnow" / "CDNOW_sample.txt"
DEMO = ROOT / "workbook" / "SalesFlow-demo.xlsx"


def run(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_clv_on_cdnow_reproduces_the_published_fit() -> None:
    payload = json.loads(run("clv", CDNOW, "--calibration-end", "1997-09-30", "--json"))
    fit = payload["bgnbd"]
    assert (round(fit["r"], 3), round(fit["alpha"], 3), round(fit["a"], 3), round(fit["b"], 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert round(payload["gamma_gamma"]["p"], 2) == 6.25
    assert len(payload["customers"]) == 2357
    first = payload["customers"][0]
    assert set(first) >= {
        "customer_id",
        "frequency",
        "recency",
        "T",
        "probability_alive",
        "expected_purchases",
        "clv",
        "frequency_holdout",
    }
    assert payload["holdout"]["actual_purchases"] == sum(
        c["frequency_holdout"] for c in payload["customers"]
    )


def test_clv_table_on_the_demo_workbook() -> None:
    out = run("clv", DEMO, "--unit", "weeks", "--margin", "0.45", "--top", "3")
    assert out.startswith("BG/NBD (weeks): r=")
    assert "Top 3 customers by predicted CLV" in out


def test_clv_on_a_csv_and_its_errors(tmp_path) -> None:
    good = tmp_path / "orders.csv"
    lines = ["Customer ID,Date,Amount"]
    orders, _ = load_orders(CDNOW)
    for row in orders.head(600).itertuples(index=False):
        lines.append(f"{row.customer_id},{row.date:%Y-%m-%d},{row.amount}")
    good.write_text("\n".join(lines) + "\n")
    assert "Gamma-Gamma: p=" in run("clv", good)
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,date,amount\nA,2026-01-01,10\nB,yesterday,5\n")
    result = CliRunner().invoke(main, ["clv", str(bad)])
    assert result.exit_code == 1
    assert "bad.csv line 3, column date: expected a date, found 'yesterday'" in result.output


def test_cohorts_json_is_the_core_matrix() -> None:
    payload = json.loads(run("cohorts", DEMO, "--json"))
    orders, end = load_orders(DEMO)
    customers, _, sizes = cohort_retention(orders, end)
    assert payload["cohorts"] == list(sizes.index)
    assert payload["sizes"] == sizes.tolist()
    assert payload["customer_retention"][2][:3] == pytest.approx(customers.iloc[2, :3].tolist())
    assert all(row[0] == 1.0 for row in payload["customer_retention"])


def test_cohorts_table() -> None:
    out = run("cohorts", CDNOW, "--revenue")
    assert "Revenue retention by first-purchase month" in out
    assert "1997-01" in out
