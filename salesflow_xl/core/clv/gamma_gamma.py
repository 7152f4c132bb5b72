"""The Gamma-Gamma model of spend per transaction (Fader & Hardie, "The Gamma-Gamma Model of
Monetary Value", 2013; Colombo & Jiang 1999).

A customer's transaction values are Gamma(p, ν) around her own mean; ν ~ Gamma(q, γ) across
customers (γ is called ``v`` here, as in lifetimes). Fitted on customers with at least one
repeat purchase, from their repeat-purchase count x and mean repeat transaction value z̄.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from salesflow_xl.core.clv import uncertainty
from salesflow_xl.core.clv.bgnbd import LIMIT, FitError, at_limit, converged
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.i18n import _

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters p, q, v and the log-likelihood (sum over customers)."""

    p: float
    q: float
    v: float
    log_likelihood: float
    customers: int
    #: repeat buyers left out because their repeat purchases are worth nothing
    left_out: int = 0
    #: parameters that ran to the search's limit: the data cannot pin them down
    at_limit: tuple[str, ...] = ()


def _terms(log_params: Array, x: Array, z: Array) -> tuple[Array, Array]:
    p, q, v = np.exp(log_params)
    px = p * x
    values = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(z)
        + px * np.log(x)
        - (px + q) * np.log(x * z + v)
    )
    psi_pxq = special.digamma(px + q)
    log_xzv = np.log(x * z + v)
    d_p = x * (psi_pxq - special.digamma(px) + np.log(z) + np.log(x) - log_xzv)
    d_q = psi_pxq - special.digamma(q) + np.log(v) - log_xzv
    d_v = q / v - (px + q) / (x * z + v)
    return values, np.stack([d_p * p, d_q * q, d_v * v])


def _kept(x: Array, z: Array) -> npt.NDArray[np.bool_]:
    """The customers the model is fitted on: repeat buyers whose repeat purchases are worth
    something (the model's spend is positive)."""
    return (x > 0) & (z > 0) & np.isfinite(z)


def fit(frequency: npt.ArrayLike, monetary_value: npt.ArrayLike) -> GammaGammaParams:
    """Maximum-likelihood p, q, v from customers' repeat purchases ``frequency`` and mean repeat
    transaction value ``monetary_value``. Customers without repeat purchases are left out, and so
    are repeat buyers whose repeat purchases are worth nothing (the model's spend is positive):
    :attr:`GammaGammaParams.left_out` counts those."""
    x = np.asarray(frequency, dtype="float64")
    z = np.asarray(monetary_value, dtype="float64")
    if len(x) != len(z):
        raise InvalidArgumentError(
            "frequency, monetary_value",
            _("columns of different lengths"),
            _("columns of the same length"),
        )
    keep = _kept(x, z)
    left_out = int(np.sum((x > 0) & ~keep))
    x, z = x[keep], z[keep]
    if len(x) < 3:
        raise FitError(_("Gamma-Gamma needs at least three customers with repeat purchases"))

    def objective(log_params: Array) -> tuple[float, Array]:
        values, gradient = _terms(log_params, x, z)
        return float(-values.mean()), -gradient.mean(axis=1)

    result = optimize.minimize(
        objective,
        np.zeros(3),
        jac=True,
        method="L-BFGS-B",
        bounds=[(-LIMIT, LIMIT)] * 3,
        options={"maxiter": 2000, "gtol": 1e-10, "ftol": 1e-15},
    )
    if not converged(result):
        raise FitError(
            _(
                "Gamma-Gamma did not converge ({reason}); check that the "
                "spend values are order amounts in one currency"
            ).format(reason=result.message)
        )
    p, q, v = np.exp(result.x)
    return GammaGammaParams(
        float(p),
        float(q),
        float(v),
        float(-result.fun * len(x)),
        len(x),
        left_out,
        at_limit(("p", "q", "v"), result.x),
    )


def covariance(
    params: GammaGammaParams, frequency: npt.ArrayLike, monetary_value: npt.ArrayLike
) -> Array | None:
    """The covariance of the fitted log-parameters (ln p, ln q, ln v) by the Laplace
    approximation (:mod:`.uncertainty`), over the customers :func:`fit` kept; None when a
    parameter ran to the search's limit or the likelihood is flat in some direction."""
    if params.at_limit:
        return None
    x = np.asarray(frequency, dtype="float64")
    z = np.asarray(monetary_value, dtype="float64")
    keep = _kept(x, z)
    x, z = x[keep], z[keep]
    centre = np.log([params.p, params.q, params.v])

    def gradient(log_params: Array) -> Array:
        return _terms(log_params, x, z)[1].sum(axis=1)

    return uncertainty.covariance(gradient, centre)


def expected_average_spend(
    params: GammaGammaParams, frequency: npt.ArrayLike, monetary_value: npt.ArrayLike
) -> Array:
    """E[M | x, z̄] = (q − 1)/(px + q − 1) · pv/(q − 1) + px/(px + q − 1) · z̄: a weighted
    average of the population mean and the customer's own mean (needs q > 1)."""
    if params.q <= 1:
        raise FitError(_("the Gamma-Gamma q parameter is <= 1: the mean spend is not defined"))
    x = np.asarray(frequency, dtype="float64")
    z = np.asarray(monetary_value, dtype="float64")
    p, q, v = params.p, params.q, params.v
    population = p * v / (q - 1)
    weight = p * x / (p * x + q - 1)
    return (1 - weight) * population + weight * np.where(x > 0, z, 0.0)
