"""Scalar metrics against the seed's worked examples and hand-worked figures, errors included."""

from __future__ import annotations

import math

import numpy as np
import pytest

from salesflow_xl.core import metrics
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError


def test_seed_clv_example() -> None:
    # 1000 per order × 1 order a month × 24 months
    assert metrics.clv(1000, 1, 24) == pytest.approx(24000)


def test_seed_conversion_rate_example() -> None:
    assert metrics.conversion_rate(20, 100) == pytest.approx(0.20)


def test_seed_roi_example() -> None:
    assert metrics.roi(100000, 50000) == pytest.approx(1.00)


@pytest.mark.parametrize(
    ("func", "args", "expected"),
    [
        # CLV with margin: 50 × 2/month × 12 months × 40 % = 480
        (metrics.clv, (50, 2, 12, 0.4), 480.0),
        # CLV discounted 10 % a period, 100 a period for 2 periods: 100/1.1 + 100/1.1² = 173.5537…
        (metrics.clv, (100, 1, 2, 1.0, 0.1), 100 / 1.1 + 100 / 1.21),
        # 3 periods at 5 %, margin 50 %: 60 × (1/1.05 + 1/1.05² + 1/1.05³)
        (metrics.clv, (40, 3, 3, 0.5, 0.05), 60 * (1 / 1.05 + 1 / 1.05**2 + 1 / 1.05**3)),
        (metrics.clv, (0, 5, 10), 0.0),
        (metrics.conversion_rate, (0, 7), 0.0),
        (metrics.conversion_rate, (7, 7), 1.0),
        (metrics.roi, (30000, 50000), -0.4),
        (metrics.roi, (0, 10), -1.0),
        (metrics.roas, (15000, 5000), 3.0),
        (metrics.cac, (6000, 12), 500.0),
        (metrics.ltv_cac, (1500, 500), 3.0),
        # 900 CAC, 200 revenue a month at 45 % margin → 10 months
        (metrics.cac_payback_months, (900, 200, 0.45), 10.0),
        (metrics.win_rate, (3, 1), 0.75),
        (metrics.win_rate, (0, 4), 0.0),
        (metrics.weighted_value, (8000, 0.6), 4800.0),
        # 40 open × 25 % × 5000 ÷ 50 days = 1000 a day
        (metrics.pipeline_velocity, (40, 0.25, 5000, 50), 1000.0),
    ],
)
def test_hand_worked(func, args, expected) -> None:
    assert func(*args) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("func", "args", "argument", "shown"),
    [
        (metrics.clv, (-1, 1, 24), "average_order_value", "-1"),
        (metrics.clv, (1000, -1, 24), "purchase_frequency", "-1"),
        (metrics.clv, (1000, 1, -24), "retention_time", "-24"),
        (metrics.clv, (1000, 1, 24, 1.3), "gross_margin", "1.3"),
        (metrics.clv, (1000, 1, 24, 1.0, -0.1), "discount_rate", "-0.1"),
        (metrics.clv, ("1000", 1, 24), "average_order_value", "'1000'"),
        (metrics.clv, (float("nan"), 1, 24), "average_order_value", "nan"),
        (metrics.clv, (math.inf, 1, 24), "average_order_value", "inf"),
        (metrics.clv, (None, 1, 24), "average_order_value", "None"),
        (metrics.clv, (True, 1, 24), "average_order_value", "True"),
        (metrics.conversion_rate, (-1, 100), "closed", "-1"),
        (metrics.conversion_rate, (120, 100), "closed", "120"),
        (metrics.conversion_rate, (0, 0), "potential", "0"),
        (metrics.conversion_rate, (5, "ten"), "potential", "'ten'"),
        (metrics.roi, (100000, 0), "cost", "0"),
        (metrics.roi, (100000, -5), "cost", "-5"),
        (metrics.roi, (-1, 5), "revenue", "-1"),
        (metrics.roas, (10, 0), "spend", "0"),
        (metrics.cac, (100, 0), "new_customers", "0"),
        (metrics.ltv_cac, (100, 0), "cac", "0"),
        (metrics.cac_payback_months, (100, 0), "monthly_revenue_per_customer", "0"),
        (metrics.cac_payback_months, (100, 10, 0.0), "gross_margin", "0.0"),
        (metrics.win_rate, (0, 0), "won + lost", "0"),
        (metrics.win_rate, (-2, 3), "won", "-2"),
        (metrics.weighted_value, (100, 60), "probability", "60"),
        (metrics.pipeline_velocity, (10, 0.2, 1000, 0), "cycle_days", "0"),
    ],
)
def test_bad_input_names_argument_and_value(func, args, argument, shown) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        func(*args)
    error = caught.value
    assert isinstance(error, SalesflowError)
    assert error.argument == argument
    assert str(error).startswith(f"{argument} must be ")
    assert str(error).endswith(f"got {shown}")


def test_numpy_numbers_are_accepted() -> None:
    assert metrics.roi(np.float64(150.0), np.int64(100)) == pytest.approx(0.5)


def test_clv_formula_broadcasts_over_columns() -> None:
    values = metrics.clv_formula(np.array([1000.0, 50.0]), np.array([1.0, 2.0]), 24, 0.5, 0.0)
    assert values == pytest.approx([12000.0, 1200.0])


@pytest.mark.parametrize("rate", [1e-300, 2.2e-311, 1e-12])
def test_tiny_discount_rates_tend_to_the_undiscounted_value(rate: float) -> None:
    # found by hypothesis: the textbook (1 − (1 + d)^−n) / d cancels to 0 for tiny d
    assert metrics.clv(1000, 1, 24, 1.0, rate) == pytest.approx(24000, rel=1e-9)
