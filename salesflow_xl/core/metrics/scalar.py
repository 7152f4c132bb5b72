"""Scalar sales metrics: numbers in, a number out, every input checked.

Rates are fractions (0.2 means 20 %), as Excel stores percentages. Money is in the business's
currency. Each function names its period convention; mixing periods (a monthly frequency with a
retention in years) is the caller's mistake the formula cannot see.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from salesflow_xl.core import checks
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.i18n import _

FloatArray = npt.NDArray[np.float64]


def clv(
    average_order_value: float,
    purchase_frequency: float,
    retention_time: float,
    gross_margin: float = 1.0,
    discount_rate: float = 0.0,
) -> float:
    """Customer lifetime value from the classic formula, optionally with margin and discounting.

    ``M = average_order_value × purchase_frequency × gross_margin`` is the margin a customer brings
    per period; over ``n = retention_time`` periods

    - undiscounted: ``CLV = M × n``;
    - discounted at rate ``d`` per period, margin received at each period's end:
      ``CLV = M × (1 − (1 + d)^−n) / d`` (Excel: ``=PV(d, n, -M)``).

    Period convention: ``purchase_frequency`` is orders per period, ``retention_time`` is in the
    same periods and ``discount_rate`` is per that period (a monthly frequency goes with months
    and a monthly rate).
    Example: 1000 per order × 1 order a month × 24 months = 24000.
    """
    aov = checks.non_negative("average_order_value", average_order_value)
    frequency = checks.non_negative("purchase_frequency", purchase_frequency)
    periods = checks.non_negative("retention_time", retention_time)
    margin = checks.fraction("gross_margin", gross_margin)
    rate = checks.non_negative("discount_rate", discount_rate)
    return float(clv_formula(aov, frequency, periods, margin, rate))


def clv_formula(
    average_order_value: float | FloatArray,
    purchase_frequency: float | FloatArray,
    retention_time: float | FloatArray,
    gross_margin: float | FloatArray = 1.0,
    discount_rate: float | FloatArray = 0.0,
) -> float | FloatArray:
    """:func:`clv` without the checks, broadcasting over numpy arrays (for whole columns)."""
    margin_per_period = (
        np.asarray(average_order_value, dtype="float64")
        * np.asarray(purchase_frequency, dtype="float64")
        * np.asarray(gross_margin, dtype="float64")
    )
    periods = np.asarray(retention_time, dtype="float64")
    rate = np.asarray(discount_rate, dtype="float64")
    # (1 − (1 + d)^−n) / d written as −expm1(−n·log1p(d)) / d: exact also for small rates, where
    # the textbook form cancels to 0. Below 1e-12 (subnormal rates lose their digits in the
    # division) its series n·(1 − (n + 1)·d/2) is exact to double precision.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        exact = -np.expm1(-periods * np.log1p(rate)) / rate
    annuity = np.where(rate > 1e-12, exact, periods * (1 - (periods + 1) * rate / 2))
    result = margin_per_period * annuity
    return float(result) if result.ndim == 0 else result


def conversion_rate(closed: float, potential: float) -> float:
    """Share of potential customers who closed: ``closed ÷ potential`` (20 of 100 → 0.2).

    Both are counts over the same period; ``closed`` cannot exceed ``potential``.
    """
    won = checks.non_negative("closed", closed)
    total = checks.positive("potential", potential)
    if won > total:
        raise InvalidArgumentError(
            "closed", closed, _("at most potential ({potential})").format(potential=repr(potential))
        )
    return won / total


def roi(revenue: float, cost: float) -> float:
    """Return on investment: ``(revenue − cost) ÷ cost`` (100000 on 50000 → 1.0, i.e. 100 %).

    Revenue and cost cover the same period and the same campaign(s); count each cost once.
    """
    income = checks.non_negative("revenue", revenue)
    spend = checks.positive("cost", cost)
    return (income - spend) / spend


def roas(revenue: float, spend: float) -> float:
    """Return on ad spend: ``revenue ÷ spend`` (a ratio; 3.0 means 3 of revenue per 1 spent)."""
    income = checks.non_negative("revenue", revenue)
    cost = checks.positive("spend", spend)
    return income / cost


def cac(spend: float, new_customers: float) -> float:
    """Customer acquisition cost: ``spend ÷ new customers`` won with it (currency per customer)."""
    cost = checks.non_negative("spend", spend)
    customers = checks.positive("new_customers", new_customers)
    return cost / customers


def ltv_cac(ltv: float, cac: float) -> float:
    """Lifetime value to acquisition cost: ``ltv ÷ cac`` (3 or more is the usual healthy mark)."""
    value = checks.non_negative("ltv", ltv)
    cost = checks.positive("cac", cac)
    return value / cost


def cac_payback_months(
    cac: float, monthly_revenue_per_customer: float, gross_margin: float = 1.0
) -> float:
    """Months of margin needed to earn back the acquisition cost:
    ``cac ÷ (monthly revenue per customer × gross margin)``."""
    cost = checks.non_negative("cac", cac)
    revenue = checks.positive("monthly_revenue_per_customer", monthly_revenue_per_customer)
    margin = checks.fraction("gross_margin", gross_margin)
    if margin == 0:
        raise InvalidArgumentError("gross_margin", gross_margin, _("> 0 to ever pay back"))
    return cost / (revenue * margin)


def win_rate(won: float, lost: float) -> float:
    """Share of closed deals that were won: ``won ÷ (won + lost)``, for deals closed in a period."""
    wins = checks.non_negative("won", won)
    losses = checks.non_negative("lost", lost)
    if wins + losses == 0:
        raise InvalidArgumentError("won + lost", 0, _("> 0 (no deal was closed)"))
    return wins / (wins + losses)


def weighted_value(value: float, probability: float) -> float:
    """Expected value of a deal: ``value × probability`` (probability a fraction)."""
    amount = checks.non_negative("value", value)
    chance = checks.fraction("probability", probability)
    return amount * chance


def pipeline_velocity(
    open_deals: float, win_rate: float, average_deal: float, cycle_days: float
) -> float:
    """Revenue the pipeline produces per day:
    ``open deals × win rate × average won deal ÷ sales-cycle days`` (currency per day)."""
    count = checks.non_negative("open_deals", open_deals)
    rate = checks.fraction("win_rate", win_rate)
    size = checks.non_negative("average_deal", average_deal)
    days = checks.positive("cycle_days", cycle_days)
    return count * rate * size / days
