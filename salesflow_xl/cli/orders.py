"""Reading an orders history for the customer-value commands: a SalesFlow workbook's Orders,
a CSV with customer_id, date and amount columns, or the CDNOW research files as published
(whitespace-separated: customer id, [sample id,] yyyymmdd date, number of CDs, dollar value)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.workbook import reader

CSV_COLUMNS = ("customer_id", "date", "amount")


def load_orders(path: Path) -> tuple[pd.DataFrame, date]:
    """(orders with customer_id, date, amount; the observation end): a workbook's as-of date,
    otherwise the last order's date."""
    path = Path(path)
    if not path.exists():
        raise SalesflowError(f"{path} does not exist")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        data = reader.load(path)
        orders = data.orders[list(CSV_COLUMNS)]
        return orders, data.settings.as_of
    if suffix == ".csv":
        orders = _csv(path)
    elif suffix in (".txt", ".dat"):
        orders = _cdnow(path)
    else:
        raise SalesflowError(
            f"{path.name}: expected a workbook (.xlsx), a CSV or a CDNOW .txt file"
        )
    if orders.empty:
        raise SalesflowError(f"{path.name} holds no orders")
    return orders, orders["date"].max().date()


def _csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, encoding="utf-8-sig")
    columns = {c.strip().lower().replace(" ", "_"): c for c in frame.columns}
    missing = [c for c in CSV_COLUMNS if c not in columns]
    if missing:
        raise SalesflowError(
            f"{path.name} needs the columns customer_id, date and amount; missing "
            + ", ".join(missing)
            + f" (it has {', '.join(map(str, frame.columns))})"
        )
    orders = frame[[columns[c] for c in CSV_COLUMNS]].set_axis(list(CSV_COLUMNS), axis=1)
    dates = pd.to_datetime(orders["date"], errors="coerce")
    amounts = pd.to_numeric(orders["amount"], errors="coerce")
    for name, parsed, expected in (("date", dates, "a date"), ("amount", amounts, "a number")):
        bad = parsed.isna()
        if bad.any():
            line = int(bad.to_numpy().nonzero()[0][0]) + 2
            raise SalesflowError(
                f"{path.name} line {line}, column {name}: expected {expected}, "
                f"found {orders[name].iloc[line - 2]!r}"
            )
    return orders.assign(customer_id=orders["customer_id"].astype(str), date=dates, amount=amounts)


def _cdnow(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, sep=r"\s+", header=None, dtype=str)
    if raw.shape[1] == 5:  # CDNOW_sample: master id, sample id, date, CDs, dollars
        ids, dates, amounts = raw[1], raw[2], raw[4]
    elif raw.shape[1] == 4:  # CDNOW_master: id, date, CDs, dollars
        ids, dates, amounts = raw[0], raw[1], raw[3]
    else:
        raise SalesflowError(f"{path.name}: not a CDNOW file (expected 4 or 5 columns)")
    return pd.DataFrame(
        {
            "customer_id": ids.str.lstrip("0"),
            "date": pd.to_datetime(dates, format="%Y%m%d"),
            "amount": pd.to_numeric(amounts),
        }
    )
