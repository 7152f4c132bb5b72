"""The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting Your Customers the
Easy Way").

While alive, a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase she drops
out with probability p ~ Beta(a, b). From each customer's frequency x (repeat purchases),
recency t_x (time of the last purchase since the first) and age T (time since the first
purchase), all in one time unit, the model is fitted by maximum likelihood.

The fit works on log-parameters with the analytic gradient (digamma functions) and L-BFGS-B,
on customers grouped by identical (x, t_x, T), so a million customers fit in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, special

from salesflow_xl.core.clv import uncertainty
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError
from salesflow_xl.core.i18n import _

Array = npt.NDArray[np.float64]


class FitError(SalesflowError):
    """The model could not be fitted; the message says why and what to try."""


@dataclass(frozen=True)
class BetaGeoParams:
    """Fitted BG/NBD parameters (names as in the paper) and the fit's log-likelihood (sum over
    customers)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int
    iterations: int
    #: parameters that ran to the search's limit (e^±12): the data cannot pin them down
    at_limit: tuple[str, ...] = ()


def _check_summary(frequency: Array, recency: Array, age: Array) -> None:
    for name, values in (("frequency", frequency), ("recency", recency), ("T", age)):
        if values.size and (not np.all(np.isfinite(values)) or values.min() < 0):
            raise InvalidArgumentError(name, _("a negative or missing value"), _("numbers >= 0"))
    if np.any(recency > age + 1e-9):
        raise InvalidArgumentError(
            "recency", _("greater than T"), _("at most T (the customer's age)")
        )
    if np.any((frequency == 0) & (recency > 0)):
        raise InvalidArgumentError("recency", _("> 0 with frequency 0"), _("0 when frequency is 0"))
    if np.any(frequency != np.floor(frequency)):
        raise InvalidArgumentError(
            "frequency", _("a fraction"), _("whole numbers of repeat purchases")
        )


@dataclass(frozen=True)
class _Data:
    """Customers prepared for the fit: per-row ages and weights, and the distinct x values
    with each row's index into them and the total weight per x."""

    x: Array
    t_x: Array
    age: Array
    weight: Array
    values_x: Array
    index: npt.NDArray[np.intp]
    weight_x: Array

    @classmethod
    def of(cls, x: Array, t_x: Array, age: Array) -> _Data:
        x, t_x, age, weight = _grouped(x, t_x, age)
        values_x, index = np.unique(x, return_inverse=True)
        weight_x = np.bincount(index, weights=weight, minlength=len(values_x))
        return cls(x, t_x, age, weight, values_x, index, weight_x)


def _objective(log_params: Array, data: _Data) -> tuple[float, Array]:
    """Total log-likelihood and its gradient with respect to the log-parameters.

    With L_i = exp(common(x)) · (exp(c1) + δ(x>0) exp(c2)), c1 = ln B(a, b+x) − (r+x) ln(α+T)
    and c2 = ln B(a+1, b+x−1) − (r+x) ln(α+t_x), the gradient is the digamma derivatives of
    each part weighted by w1 = exp(c1) / (exp(c1) + exp(c2)) and w2 = 1 − w1. Gamma, beta and
    digamma terms depend on a customer only through x (few distinct whole numbers): they are
    computed once per x; per row only ln(α+T), ln(α+t_x) and the weights are.
    """
    r, alpha, a, b = np.exp(log_params)
    vx = data.values_x
    repeat_x = vx > 0
    b_minus = np.where(repeat_x, b + vx - 1, 1.0)
    psi_ab = special.digamma(a + b)
    psi_abx = special.digamma(a + b + vx)
    common = special.gammaln(r + vx) - special.gammaln(r) + r * np.log(alpha) - special.betaln(a, b)
    beta1 = special.betaln(a, b + vx)
    beta2 = np.where(repeat_x, special.betaln(a + 1, b_minus), -np.inf)

    x, w = data.x, data.weight
    log_age = np.log(alpha + data.age)
    log_tx = np.log(alpha + data.t_x)
    c1 = beta1[data.index] - (r + x) * log_age
    c2 = beta2[data.index] - (r + x) * log_tx  # −inf without repeat purchases
    total = np.logaddexp(c1, c2)
    w1 = np.exp(c1 - total)
    w2 = 1.0 - w1
    log_likelihood = float(common @ data.weight_x + total @ w)

    w1_x = np.bincount(data.index, weights=w * w1, minlength=len(vx))
    w2_x = data.weight_x - w1_x
    d_r = (
        (special.digamma(r + vx) - special.digamma(r) + np.log(alpha)) @ data.weight_x
        - (w * w1) @ log_age
        - (w * w2) @ log_tx
    )
    d_alpha = r / alpha * w.sum() - (w * (r + x)) @ (
        w1 / (alpha + data.age) + w2 / (alpha + data.t_x)
    )
    d_a = (
        -(special.digamma(a) - psi_ab) * w.sum()
        + (special.digamma(a) - psi_abx) @ w1_x
        + (special.digamma(a + 1) - psi_abx) @ w2_x
    )
    db2 = np.where(repeat_x, special.digamma(b_minus) - psi_abx, 0.0)
    d_b = (
        -(special.digamma(b) - psi_ab) * w.sum()
        + (special.digamma(b + vx) - psi_abx) @ w1_x
        + db2 @ w2_x
    )
    gradient = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
    return log_likelihood, gradient


def _grouped(x: Array, t_x: Array, age: Array) -> tuple[Array, Array, Array, Array]:
    """Unique (x, t_x, T) rows and how many customers share each (summaries in whole days or
    weeks repeat a lot); the rows as they are when grouping would not halve them."""
    if pd.Series(t_x).nunique() > len(x) / 2:
        return x, t_x, age, np.ones(len(x))
    frame = pd.DataFrame({"x": x, "t_x": t_x, "age": age})
    counts = frame.groupby(["x", "t_x", "age"], sort=False).size()
    keys = counts.index.to_frame(index=False)
    return (
        keys["x"].to_numpy(float),
        keys["t_x"].to_numpy(float),
        keys["age"].to_numpy(float),
        counts.to_numpy(float),
    )


def fit(
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    age: npt.ArrayLike,
    initial: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0),
) -> BetaGeoParams:
    """Maximum-likelihood BG/NBD parameters for customers with repeat purchases ``frequency``,
    ``recency`` and age ``T`` (same time unit; recency and T measured from the first purchase).
    """
    x = np.asarray(frequency, dtype="float64")
    t_x = np.asarray(recency, dtype="float64")
    big_t = np.asarray(age, dtype="float64")
    if not len(x) == len(t_x) == len(big_t):
        raise InvalidArgumentError(
            "frequency, recency, T",
            _("columns of different lengths"),
            _("columns of the same length"),
        )
    if len(x) < 2 or not np.any(x > 0):
        raise FitError(
            _(
                "BG/NBD needs at least two customers and some repeat purchases; "
                "collect more order history before fitting"
            )
        )
    _check_summary(x, t_x, big_t)
    data = _Data.of(x, t_x, big_t)
    total = float(data.weight.sum())

    def objective(log_params: Array) -> tuple[float, Array]:
        log_likelihood, gradient = _objective(log_params, data)
        return -log_likelihood / total, -gradient / total

    result = optimize.minimize(
        objective,
        np.log(np.asarray(initial, dtype="float64")),
        jac=True,
        method="L-BFGS-B",
        bounds=[(-LIMIT, LIMIT)] * 4,
        options={"maxiter": 2000, "gtol": 1e-10, "ftol": 1e-15},
    )
    r, alpha, a, b = np.exp(result.x)
    if not converged(result):
        raise FitError(
            _(
                "BG/NBD did not converge ({reason}); try another time unit (weeks instead "
                "of days), a longer calibration period, or more customers with repeat purchases"
            ).format(reason=result.message)
        )
    return BetaGeoParams(
        float(r),
        float(alpha),
        float(a),
        float(b),
        float(-result.fun * total),
        len(x),
        int(result.nit),
        at_limit(("r", "alpha", "a", "b"), result.x),
    )


def covariance(
    params: BetaGeoParams, frequency: npt.ArrayLike, recency: npt.ArrayLike, age: npt.ArrayLike
) -> Array | None:
    """The covariance of the fitted log-parameters (ln r, ln α, ln a, ln b) by the Laplace
    approximation (:mod:`.uncertainty`); None when a parameter ran to the search's limit or the
    likelihood is flat in some direction."""
    if params.at_limit:
        return None
    data = _Data.of(
        np.asarray(frequency, dtype="float64"),
        np.asarray(recency, dtype="float64"),
        np.asarray(age, dtype="float64"),
    )
    centre = np.log([params.r, params.alpha, params.a, params.b])
    return uncertainty.covariance(lambda log_params: _objective(log_params, data)[1], centre)


def converged(result: optimize.OptimizeResult) -> bool:
    """Whether an L-BFGS-B result is a fit: it succeeded, or its line search could make no
    more progress ("ABNORMAL") at a flat optimum, where the gradient is negligible; and its
    parameters are finite."""
    settled = np.isfinite(result.fun) and float(np.max(np.abs(result.jac))) < 1e-4
    return bool((result.success or settled) and np.all(np.isfinite(result.x)))


#: The search runs over log-parameters in [-LIMIT, LIMIT].
LIMIT = 12.0


def at_limit(names: tuple[str, ...], log_params: Array) -> tuple[str, ...]:
    """The parameters whose fitted log value lies at (within 0.1 of) the search's limit."""
    return tuple(n for n, v in zip(names, log_params, strict=True) if abs(v) >= LIMIT - 0.1)


def probability_alive(
    params: BetaGeoParams, frequency: npt.ArrayLike, recency: npt.ArrayLike, age: npt.ArrayLike
) -> Array:
    """P(alive | x, t_x, T) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))."""
    return alive_chance(params.r, params.alpha, params.a, params.b, frequency, recency, age)


def alive_chance(
    r: npt.ArrayLike,
    alpha: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    age: npt.ArrayLike,
) -> Array:
    """:func:`probability_alive` of parameters that may be arrays, broadcast against the
    customers' (parameter sets in a column, customers in a row: one row per set)."""
    x = np.asarray(frequency, dtype="float64")
    t_x = np.asarray(recency, dtype="float64")
    big_t = np.asarray(age, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = (
            np.log(a)
            - np.log(np.where(x > 0, b + x - 1, 1.0))
            + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
        )
    return np.where(x > 0, 1.0 / (1.0 + np.exp(log_ratio)), 1.0)


def expected_purchases(
    params: BetaGeoParams,
    t: float,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    age: npt.ArrayLike,
) -> Array:
    """Expected purchases in the next ``t`` time units given (x, t_x, T) (paper, eq. 10)."""
    x = np.asarray(frequency, dtype="float64")
    t_x = np.asarray(recency, dtype="float64")
    big_t = np.asarray(age, dtype="float64")
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + big_t + t))
    first = (a + b + x - 1) / (a - 1)
    second = 1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyper
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = 1 + np.where(
            x > 0,
            a / np.where(x > 0, b + x - 1, 1.0) * ((alpha + big_t) / (alpha + t_x)) ** (r + x),
            0.0,
        )
    return first * second / denominator


def expected_purchases_new_customer(params: BetaGeoParams, t: float) -> float:
    """E[X(t)] for a new customer: (a+b−1)/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b; a+b−1;
    t/(α+t))] (paper, eq. 7)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    hyper = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
    return float((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyper))
