"""Customer value models against the published CDNOW results and hand-worked examples."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import table
from scipy import optimize

from salesflow_xl.core.clv import bgnbd, cohorts, gamma_gamma, rfm, simulate, summary, value
from salesflow_xl.core.model import Order

CDNOW = Path(__file__).parent.parent / "salesflow_xl" / "data" / "cdnow"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    raw = pd.read_csv(
        CDNOW / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master", "sample", "date", "cds", "amount"],
        dtype={"date": str},
    )
    return pd.DataFrame(
        {"customer_id": raw["sample"], "date": pd.to_datetime(raw["date"]), "amount": raw["amount"]}
    )


@pytest.fixture(scope="module")
def fitted(cdnow) -> bgnbd.BetaGeoParams:
    return bgnbd.fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


def test_bgnbd_reproduces_the_published_parameters(fitted) -> None:
    # Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4
    assert f"{fitted.r:.3g} {fitted.alpha:.4g} {fitted.a:.3g} {fitted.b:.4g}" == (
        "0.243 4.414 0.793 2.426"
    )
    assert fitted.log_likelihood == pytest.approx(-9582.4, abs=0.05)


def test_gamma_gamma_reproduces_the_published_parameters(cdnow) -> None:
    # Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value": p 6.25, q 3.74, γ 15.44
    params = gamma_gamma.fit(cdnow["x"], cdnow["zbar"])
    assert (round(params.p, 2), round(params.q, 2), round(params.v, 1)) == (6.25, 3.74, 15.4)
    assert params.customers == int((cdnow["x"] > 0).sum())


def test_summary_from_transactions_reproduces_the_published_summary(transactions, cdnow) -> None:
    # calibration: the 39 weeks to 1997-09-30; the published summary is rounded to 2 decimals
    built = summary.customer_summary(
        transactions, date(1998, 6, 30), "weeks", calibration_end=date(1997, 9, 30)
    )
    built = built.reindex(cdnow["ID"])
    assert (built["frequency"].to_numpy() == cdnow["x"].to_numpy()).all()
    for ours, theirs in (("recency", "t_x"), ("T", "T"), ("monetary_value", "zbar")):
        assert np.abs(built[ours].to_numpy() - cdnow[theirs].to_numpy()).max() <= 0.005 + 1e-9


def test_the_model_recovers_what_it_simulates() -> None:
    """Customers drawn from the BG/NBD story: the fit recovers the parameters, and the
    conditional expectations predict the holdout purchases the simulation made."""
    true = bgnbd.BetaGeoParams(0.243, 4.414, 0.793, 2.426, 0.0, 0, 0)
    ages = np.random.default_rng(1).uniform(27, 39, 50_000)
    customers = simulate.simulate(true, 50_000, ages, holdout=39, seed=2)
    fitted = bgnbd.fit(customers["frequency"], customers["recency"], customers["T"])
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fitted, name) == pytest.approx(getattr(true, name), rel=0.05), name
    predicted = bgnbd.expected_purchases(
        fitted, 39.0, customers["frequency"], customers["recency"], customers["T"]
    ).sum()
    assert predicted == pytest.approx(customers["frequency_holdout"].sum(), rel=0.03)


def test_new_customer_expectation_matches_simulation() -> None:
    true = bgnbd.BetaGeoParams(0.243, 4.414, 0.793, 2.426, 0.0, 0, 0)
    new = simulate.simulate(true, 400_000, 0.0, holdout=39, seed=3)
    assert new["frequency_holdout"].mean() == pytest.approx(
        bgnbd.expected_purchases_new_customer(true, 39), rel=0.01
    )


def test_the_analytic_gradient_matches_finite_differences(cdnow) -> None:
    data = bgnbd._Data.of(
        cdnow["x"].to_numpy(float), cdnow["t_x"].to_numpy(), cdnow["T"].to_numpy()
    )
    theta = np.log([0.3, 5.0, 0.9, 2.0])
    _, gradient = bgnbd._objective(theta, data)
    numeric = optimize.approx_fprime(theta, lambda th: bgnbd._objective(th, data)[0], 1e-7)
    assert gradient == pytest.approx(numeric, rel=1e-4)


def test_predictions_behave(fitted) -> None:
    assert bgnbd.probability_alive(fitted, [0], [0], [30]).tolist() == [1.0]
    # a repeat buyer silent for a long time is less likely alive than a recent one
    quiet, recent = bgnbd.probability_alive(fitted, [3, 3], [5, 35], [38, 38])
    assert quiet < recent
    short, long = (bgnbd.expected_purchases(fitted, t, [2], [30.43], [38.86])[0] for t in (10, 39))
    assert 0 < short < long
    assert bgnbd.expected_purchases_new_customer(fitted, 39) > 0


def test_fit_errors_say_what_to_do() -> None:
    with pytest.raises(bgnbd.FitError, match="collect more order history"):
        bgnbd.fit([0, 0, 0], [0, 0, 0], [10, 10, 10])
    with pytest.raises(Exception, match="recency must be at most T"):
        bgnbd.fit([1, 2], [5, 50], [10, 20])


def test_clv_combines_the_models(cdnow) -> None:
    frame = cdnow.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})
    model = value.fit(frame, "weeks")
    result = value.predict(
        model, frame, horizon_months=12, monthly_discount_rate=0.0, gross_margin=0.5
    )
    one_year = 12 * (365.25 / 12) / 7  # weeks
    purchases = bgnbd.expected_purchases(
        model.purchases, one_year, frame["frequency"], frame["recency"], frame["T"]
    )
    spend = gamma_gamma.expected_average_spend(
        model.spend, frame["frequency"], frame["monetary_value"]
    )
    # without discounting the monthly sum telescopes to purchases × spend × margin
    assert result["clv"].to_numpy() == pytest.approx(purchases * spend * 0.5, rel=1e-9)
    discounted = value.predict(model, frame, 12, 0.01, 0.5)["clv"]
    assert (discounted <= result["clv"] + 1e-9).all()


def test_rfm_tie_rule_hand_worked() -> None:
    values = pd.Series([1, 1, 1, 1, 2, 2, 3, 5, 5, 8])
    # strictly worse: 0,0,0,0,4,4,6,7,7,9 of 10 → 1 + ⌊5 × share⌋
    assert rfm.tie_safe_scores(values).tolist() == [1, 1, 1, 1, 3, 3, 4, 4, 4, 5]
    days = pd.Series([3, 30, 30, 400])  # fewer days since the last order is better
    assert rfm.tie_safe_scores(days, higher_is_better=False).tolist() == [4, 2, 2, 1]


@pytest.mark.parametrize(
    ("r", "f", "name"),
    [
        (5, 5, "Champions"),
        (3, 3, "Loyal"),
        (5, 1, "New customers"),
        (4, 2, "Potential loyalists"),
        (1, 4, "At risk"),
        (3, 1, "Needs attention"),
        (1, 1, "Hibernating"),
        (2, 2, "Hibernating"),
    ],
)
def test_rfm_segments(r, f, name) -> None:
    assert rfm.segment(r, f) == name


def test_rfm_table() -> None:
    orders = table(
        """
        id,customer_id,date,amount
        O1,A,2026-06-01,100
        O2,A,2026-06-20,50
        O3,B,2026-01-05,20
        O4,C,2026-06-25,500
        """,
        Order,
    )
    result = rfm.rfm(orders, date(2026, 6, 30))
    assert result.loc["A", ["recency_days", "frequency", "monetary"]].tolist() == [10, 2, 150.0]
    assert result.loc["B", "segment"] == "Hibernating"
    # C: 5 days (beats 2 of 3 → R 4), one order (beats nobody → F 1), 500 (beats 2 → M 4)
    assert result.loc["C", "rfm"] == "414"


def test_rfm_segment_summary_lists_every_segment_with_shares() -> None:
    scores = pd.DataFrame(
        {
            "recency_days": [10, 30, 200, 5],
            "frequency": [8, 4, 1, 1],
            "monetary": [800.0, 200.0, 50.0, 150.0],
            "segment": ["Champions", "Champions", "Hibernating", "New customers"],
        },
        index=["A", "B", "C", "D"],
    )
    result = rfm.segment_summary(scores).set_index("segment")
    assert list(result.index) == list(rfm.SEGMENTS)
    champions = result.loc["Champions"]
    # two of four customers, 1000 of 1200 revenue, recency (10 + 30) / 2, frequency (8 + 4) / 2
    assert champions[["customers", "customer_share", "revenue", "revenue_share"]].tolist() == (
        pytest.approx([2, 0.5, 1000.0, 1000 / 1200])
    )
    assert champions[["recency_days", "frequency"]].tolist() == [20.0, 6.0]
    assert result.loc["Loyal", "customers"] == 0
    assert np.isnan(result.loc["Loyal", "recency_days"])
    assert result["customers"].sum() == 4


def test_cohort_retention_hand_worked() -> None:
    orders = table(
        """
        id,customer_id,date,amount
        O1,A,2026-01-10,100
        O2,A,2026-02-03,50
        O3,B,2026-01-20,200
        O4,B,2026-03-01,100
        O5,C,2026-02-14,80
        O6,C,2026-03-30,40
        """,
        Order,
    )
    customers, revenue, sizes = cohorts.cohort_retention(orders, date(2026, 3, 31))
    assert sizes.to_dict() == {"2026-01": 2, "2026-02": 1}
    # January cohort: A buys in February (month 1), B in March (month 2)
    assert customers.loc["2026-01"].tolist() == [1.0, 0.5, 0.5]
    assert customers.loc["2026-02", [0, 1]].tolist() == [1.0, 1.0]
    assert np.isnan(customers.loc["2026-02", 2])  # not reached yet
    assert revenue.loc["2026-01"].tolist() == pytest.approx([1.0, 50 / 300, 100 / 300])


# -- real data: order lines on one day, zero-value repeats, data the models cannot fit --------


def test_rfm_counts_purchase_days_not_order_lines() -> None:
    """Five lines on one day are one purchase (as BG/NBD counts them): such a customer ties
    with a one-order customer on F, not with a five-time buyer."""
    day = pd.Timestamp("2026-03-02")
    orders = pd.DataFrame(
        {
            "customer_id": ["lines"] * 5 + ["once"] + ["often"] * 5,
            "date": [day] * 5 + [day] + [day - pd.Timedelta(days=30 * k) for k in range(5)],
            "amount": [10.0] * 11,
        }
    )
    table = rfm.rfm(orders, date(2026, 3, 31))
    assert table.loc["lines", "frequency"] == table.loc["once", "frequency"] == 1
    assert table.loc["often", "frequency"] == 5
    assert table.loc["lines", "f_score"] == table.loc["once", "f_score"]
    assert table.loc["lines", "segment"] != "Champions"


def test_no_one_day_buyer_of_cdnow_scores_as_a_frequent_one(transactions) -> None:
    """On the CDNOW sample 13 one-day buyers scored F ≥ 3 when order lines were counted."""
    table = rfm.rfm(transactions, date(1998, 6, 30))
    days = transactions.groupby("customer_id")["date"].nunique()
    one_day = days.index[days == 1]
    assert len(one_day) > 1000
    assert (table.loc[one_day, "f_score"] == table["f_score"].min()).all()


def test_gamma_gamma_leaves_out_repeat_buyers_worth_nothing(cdnow) -> None:
    frequency = cdnow["x"].to_numpy(dtype=float)
    spend = cdnow["zbar"].to_numpy(dtype=float).copy()
    repeat = np.flatnonzero(frequency > 0)
    spend[repeat[:3]] = 0.0  # three customers whose repeat purchases were free
    fitted = gamma_gamma.fit(frequency, spend)
    assert fitted.left_out == 3
    assert fitted.customers == len(repeat) - 3
    published = gamma_gamma.fit(cdnow["x"], cdnow["zbar"])
    assert fitted.p == pytest.approx(published.p, rel=0.05)
    assert published.left_out == 0
    assert published.at_limit == ()


def random_orders(seed: int) -> pd.DataFrame:
    """Purchases at uniformly random days and amounts: nothing the models describe."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(300):
        for day in rng.integers(0, 365, rng.integers(1, 6)):
            when = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(day))
            rows.append((str(customer), when, float(rng.uniform(5, 100))))
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


def test_a_fit_the_data_cannot_support_says_so() -> None:
    data = summary.customer_summary(random_orders(1), date(2024, 12, 31), "weeks")
    model = value.fit(data, "weeks")
    assert "alpha" in model.purchases.at_limit  # alpha ran to e^12 ≈ 1.6e5
    said = value.warnings(model)
    assert any(s.startswith("BG/NBD: alpha ran to the limit") for s in said)
    assert all("cannot support the model" in s for s in said)


def test_the_published_fit_gives_no_warning(cdnow) -> None:
    columns = {"x": "frequency", "t_x": "recency", "zbar": "monetary_value"}
    model = value.fit(cdnow.rename(columns=columns), "weeks")
    assert value.warnings(model) == []
