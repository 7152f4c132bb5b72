"""Customer-value worksheet functions over order columns: BG/NBD chance of being alive,
BG/NBD × Gamma-Gamma CLV, RFM scores and cohort retention. SciPy loads on first use."""

from __future__ import annotations

from typing import Any

import pandas as pd
import xlwings as xw

from salesflow_udfs.cells import CATEGORY, column, default, excel_errors, is_number
from salesflow_xl.core.errors import SalesflowError

EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _date(value: Any) -> pd.Timestamp:
    """A cell's date: a datetime from Excel, or a serial number (LibreOffice passes those)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return EXCEL_EPOCH + pd.Timedelta(days=float(value))
    return pd.Timestamp(value)


def _summary_rows(frequency: Any, recency: Any, age: Any) -> tuple[list[int], pd.DataFrame, int]:
    """(the rows with numbers, the summary frame of those rows, the number of rows) from three
    columns."""
    f, r, t = column(frequency), column(recency), column(age)
    if not len(f) == len(r) == len(t):
        raise SalesflowError("frequency, recency and T must have the same number of rows")
    rows = [i for i in range(len(f)) if all(is_number(v) for v in (f[i], r[i], t[i]))]
    frame = pd.DataFrame(
        {
            "frequency": [float(f[i]) for i in rows],
            "recency": [float(r[i]) for i in rows],
            "T": [float(t[i]) for i in rows],
        }
    )
    return rows, frame, len(f)


def _spread(rows: list[int], values: Any, length: int) -> list[list[Any]]:
    """One result per row of the input columns; the rows without numbers stay blank."""
    out: list[list[Any]] = [[""] for _ in range(length)]
    for row, value in zip(rows, values, strict=True):
        out[row] = [float(value)]
    return out


@xw.func(category=CATEGORY)
@xw.arg("frequency", doc="Repeat purchases per customer (a column).")
@xw.arg("recency", doc="Time from first to last purchase (a column, same unit as T).")
@xw.arg("age", doc="T: time from the first purchase to today (a column).")
@excel_errors
def P_ALIVE(frequency, recency, age):
    """Probability each customer is still active, from a BG/NBD model fitted to the columns
    (Fader, Hardie & Lee 2005). One result per row; header and blank rows stay blank.
    Example: =P_ALIVE(B2:B200, C2:C200, D2:D200)"""
    from salesflow_xl.core.clv import bgnbd

    rows, frame, length = _summary_rows(frequency, recency, age)
    params = bgnbd.fit(frame["frequency"], frame["recency"], frame["T"])
    alive = bgnbd.probability_alive(params, frame["frequency"], frame["recency"], frame["T"])
    return _spread(rows, alive, length)


@xw.func(category=CATEGORY)
@xw.arg("frequency", doc="Repeat purchases per customer (a column).")
@xw.arg("recency", doc="Time from first to last purchase, in weeks (a column).")
@xw.arg("age", doc="T: time from the first purchase to today, in weeks (a column).")
@xw.arg("monetary", doc="Mean value of each customer's repeat purchases (a column).")
@xw.arg("horizon_months", doc="Optional: months ahead (default 12).")
@xw.arg("discount_rate", doc="Optional: monthly discount rate (default 1 %).")
@excel_errors
def CLV_BGNBD(frequency, recency, age, monetary, horizon_months=12.0, discount_rate=0.01):
    """Predicted customer value over the horizon: BG/NBD purchases × Gamma-Gamma spend,
    discounted monthly, both models fitted to the columns (recency and T in weeks).
    Example: =CLV_BGNBD(B2:B200, C2:C200, D2:D200, E2:E200, 12, 1%)"""
    from salesflow_xl.core.clv import value

    rows, frame, length = _summary_rows(frequency, recency, age)
    spend = column(monetary)
    if len(spend) != length:
        raise SalesflowError("monetary must have as many rows as frequency")
    frame["monetary_value"] = [float(spend[i]) if is_number(spend[i]) else 0.0 for i in rows]
    model = value.fit(frame, "weeks")
    horizon, rate = default(horizon_months, 12.0), default(discount_rate, 0.01)
    result = value.predict(model, frame, horizon, rate)
    return _spread(rows, result["clv"], length)


def _orders(customer_ids: Any, order_dates: Any, amounts: Any) -> pd.DataFrame:
    """Orders (customer_id, date, amount) from three columns; rows missing one are left out."""
    ids, dates, money = column(customer_ids), column(order_dates), column(amounts)
    if not len(ids) == len(dates) == len(money):
        raise SalesflowError("customer_ids, order_dates and amounts must have the same rows")
    rows = [
        (str(i).strip(), _date(d), float(m))
        for i, d, m in zip(ids, dates, money, strict=True)
        if i not in (None, "") and d not in (None, "") and is_number(m)
    ]
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


@xw.func(category=CATEGORY)
@xw.arg("customer_ids", doc="The Orders' customer column, e.g. tblOrders[Customer ID].")
@xw.arg("order_dates", doc="The Orders' date column.")
@xw.arg("amounts", doc="The Orders' amount column.")
@xw.arg("as_of", doc="The date recency is counted to, e.g. AsOf.")
@excel_errors
def RFM_SCORE(customer_ids, order_dates, amounts, as_of):
    """RFM scores 1–5 per customer (ties get equal scores: 1 + ⌊5 × share of customers
    strictly worse⌋) and the segment. Spills: customer, R, F, M, RFM, segment.
    Example: =RFM_SCORE(tblOrders[Customer ID], tblOrders[Date], tblOrders[Amount], AsOf)"""
    from salesflow_xl.core.clv import rfm

    table = rfm.rfm(_orders(customer_ids, order_dates, amounts), _date(as_of).date())
    out = [["Customer", "R", "F", "M", "RFM", "Segment"]]
    for customer, row in table.iterrows():
        out.append(
            [
                customer,
                int(row["r_score"]),
                int(row["f_score"]),
                int(row["m_score"]),
                row["rfm"],
                row["segment"],
            ]
        )
    return out


@xw.func(category=CATEGORY)
@xw.arg("customer_ids", doc="The Orders' customer column.")
@xw.arg("order_dates", doc="The Orders' date column.")
@xw.arg("amounts", doc="The Orders' amount column.")
@xw.arg("as_of", doc="The last date to count, e.g. AsOf.")
@excel_errors
def COHORT_RETENTION(customer_ids, order_dates, amounts, as_of):
    """Share of each first-purchase-month cohort buying in each later month (month 0 = 100 %).
    Spills: cohort, size, then one column per month.
    Example: =COHORT_RETENTION(tblOrders[Customer ID], tblOrders[Date], tblOrders[Amount],
    AsOf)"""
    from salesflow_xl.core.clv import cohorts

    customers, _, sizes = cohorts.cohort_retention(
        _orders(customer_ids, order_dates, amounts), _date(as_of).date()
    )
    out = [["Cohort", "Customers", *[f"M{k}" for k in customers.columns]]]
    for cohort, row in customers.iterrows():
        out.append([cohort, int(sizes[cohort]), *["" if pd.isna(v) else float(v) for v in row]])
    return out
