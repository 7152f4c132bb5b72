"""salesflow clv and cohorts on the CDNOW files, a CSV and the demo workbook."""

from __future__ import annotations

import json
import re
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


def refused(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", ["clv", "cohorts"])
def test_an_empty_file_is_a_message(tmp_path, command) -> None:
    empty = tmp_path / "orders.csv"
    empty.write_bytes(b"")
    assert refused(command, empty) == "Error: orders.csv is empty: it holds no orders"


def test_the_cdnow_master_layout_with_a_header_line_is_read(tmp_path) -> None:
    """Copies of CDNOW_master.txt circulate with a header line; the sample's rows in the
    master's four columns (id, date, CDs, dollars) give the same orders as the sample."""
    lines = CDNOW.read_text().splitlines()
    master = ["customer_id date cds value"] + [
        " ".join(fields[:1] + fields[2:]) for fields in (line.split() for line in lines)
    ]
    path = tmp_path / "CDNOW_master.txt"
    path.write_text("\n".join(master) + "\n")
    orders, end = load_orders(path)
    sample, sample_end = load_orders(CDNOW)
    assert end == sample_end
    assert len(orders) == len(sample) == len(lines)
    assert orders["amount"].sum() == pytest.approx(sample["amount"].sum())


def test_a_bad_row_is_named_by_its_line(tmp_path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,date,amount\n1,2020-01-01,5\n2,someday,3\n")
    line = refused("clv", path)
    assert line == "Error: orders.csv line 3, column date: expected a date, found 'someday'"


def test_a_latin1_order_file_is_read_as_windows_1252(tmp_path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes("customer_id,date,amount\nJürgen,2020-01-01,5\n".encode("latin-1"))
    orders, _ = load_orders(path)
    assert orders["customer_id"].tolist() == ["Jürgen"]


@pytest.mark.parametrize("width", ["60", "80", "200"])
def test_cohorts_show_every_month_folded_to_the_width(width) -> None:
    """No month is hidden and no line is wider than the terminal (80 columns when piped)."""
    result = CliRunner().invoke(main, ["cohorts", str(CDNOW)], env={"COLUMNS": width})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= int(width)
    headers = " ".join(line for line in lines if "Cohort" in line)
    shown = {int(m) for m in re.findall(r"\bM(\d+)\b", headers)}
    _, end = load_orders(CDNOW)
    orders, _ = load_orders(CDNOW)
    months, _, _ = cohort_retention(orders, end)
    assert shown == {int(c) for c in months.columns}


def test_piped_output_cuts_no_cell() -> None:
    """Piped (no terminal, no COLUMNS), tables take their natural width: rich would otherwise
    squeeze them into 80 columns and cut cells with an ellipsis."""
    result = CliRunner().invoke(main, ["demo"], env={"COLUMNS": None})
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    assert "│ Lead acquisition │" in result.output
    wide = CliRunner().invoke(main, ["cohorts", str(CDNOW)], env={"COLUMNS": None})
    assert "M17" in wide.output
    assert wide.output.count("Cohort") == 1  # one table: nothing to fold when piped
