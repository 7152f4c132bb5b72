"""The Customers sheet's prediction columns: written with the workbook, refitted by refresh,
never read back as input."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from salesflow_xl.cli import main
from salesflow_xl.core import demo
from salesflow_xl.core.clv import rfm
from salesflow_xl.core.clv.predictions import customer_predictions
from salesflow_xl.workbook import build, reader, schema

DEMO = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME
HEADERS = [c.header for c in schema.CUSTOMERS.predictions]


def prediction_frame(content: bytes) -> pd.DataFrame:
    frame = pd.read_excel(io.BytesIO(content), sheet_name="Customers", engine="openpyxl")
    return frame[["Customer ID", *HEADERS]]


def test_the_demo_workbook_carries_the_predictions() -> None:
    data = demo.generate()
    expected = customer_predictions(data.customers, data.orders, data.settings)
    frame = prediction_frame(DEMO.read_bytes())
    assert frame["P(alive)"].to_numpy() == pytest.approx(
        expected["p_alive"].astype(float).to_numpy(), nan_ok=True
    )
    has_orders = data.customers["id"].isin(data.orders["customer_id"])
    assert frame.loc[~has_orders, HEADERS].isna().all().all()
    assert frame.loc[has_orders, "P(alive)"].between(0, 1).all()
    assert set(frame.loc[has_orders, "RFM segment"]) <= set(rfm.SEGMENTS)


def test_refresh_refits_them_and_reading_ignores_them(tmp_path) -> None:
    book = tmp_path / "Sales.xlsx"
    shutil.copy(DEMO, book)
    before = prediction_frame(book.read_bytes())
    result = CliRunner().invoke(main, ["refresh", str(book), "--as-of", "2026-12-31"])
    assert result.exit_code == 0, result.output
    assert "Predictions refitted for 90 customers with orders." in result.output
    after = prediction_frame(book.read_bytes())
    # six months without new orders: every buyer is less likely to be still active
    buyers = before["P(alive)"].notna()
    assert (after.loc[buyers, "P(alive)"] <= before.loc[buyers, "P(alive)"] + 1e-12).all()
    assert (after.loc[buyers, "P(alive)"] < before.loc[buyers, "P(alive)"]).any()
    # a stray value in a prediction column is not an input problem
    workbook = load_workbook(book)
    workbook["Customers"]["Q2"] = "whatever"
    workbook.save(book)
    _, problems = reader.read(book)
    assert problems == []
