"""How uncertain the fitted customer value models are (the Laplace approximation), against
published standard errors, a hand-worked quadratic likelihood and a parametric bootstrap."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesflow_xl.core.clv import bgnbd, gamma_gamma, uncertainty

CDNOW = Path(__file__).parent.parent / "salesflow_xl" / "data" / "cdnow"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")


def test_bgnbd_standard_errors_are_the_published_ones(cdnow) -> None:
    # lifetimes' BetaGeoFitter.summary on the same CDNOW sample (its Quickstart): se(coef)
    # r 0.012557, alpha 0.378221, a 0.185719, b 0.705345 (the delta method from the Hessian)
    fitted = bgnbd.fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    spread = bgnbd.covariance(fitted, cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert spread is not None
    params = np.array([fitted.r, fitted.alpha, fitted.a, fitted.b])
    errors = params * np.sqrt(np.diag(spread))
    assert errors == pytest.approx([0.012557, 0.378221, 0.185719, 0.705345], rel=2e-3)


def test_the_covariance_of_a_quadratic_log_likelihood_is_its_inverse_curvature() -> None:
    # ℓ(θ) = −½ (θ − m)ᵀ A (θ − m): the gradient is −A (θ − m), the covariance exactly A⁻¹
    curvature = np.array([[4.0, 1.0], [1.0, 2.0]])
    centre = np.array([0.5, -1.0])
    spread = uncertainty.covariance(lambda theta: -curvature @ (theta - centre), centre)
    assert spread == pytest.approx(np.array([[2.0, -1.0], [-1.0, 4.0]]) / 7.0, rel=1e-6)


def test_a_likelihood_flat_in_some_direction_has_no_covariance() -> None:
    # ℓ depends on θ₁ + θ₂ alone: the data cannot tell the two apart
    def gradient(theta: np.ndarray) -> np.ndarray:
        return -np.array([1.0, 1.0]) * (theta.sum() - 1.0)

    assert uncertainty.covariance(gradient, np.array([0.5, 0.5])) is None


def test_draws_follow_the_covariance_and_stay_within_the_limit() -> None:
    centre = np.log([2.0, 3.0])
    spread = np.array([[0.04, 0.01], [0.01, 0.09]])
    drawn = uncertainty.draws(centre, spread, 200_000, np.random.default_rng(1), 12.0)
    assert np.cov(np.log(drawn).T) == pytest.approx(spread, abs=2e-3)
    wide = uncertainty.draws(centre, np.eye(2) * 400.0, 1000, np.random.default_rng(2), 12.0)
    assert np.all((wide >= np.exp(-12.0)) & (wide <= np.exp(12.0)))
    fixed = uncertainty.draws(centre, None, 3, np.random.default_rng(3), 12.0)
    assert fixed == pytest.approx(np.array([[2.0, 3.0]] * 3))


def test_gamma_gamma_standard_errors_match_a_parametric_bootstrap(cdnow) -> None:
    # refit the model on data it simulates itself (CDNOW's repeat buyers, their purchase
    # counts kept): the spread of those fits is what the Laplace approximation claims
    x = cdnow["x"].to_numpy(float)
    fitted = gamma_gamma.fit(x, cdnow["zbar"])
    spread = gamma_gamma.covariance(fitted, x, cdnow["zbar"])
    assert spread is not None
    repeat = x[x > 0]
    rng = np.random.default_rng(7)
    fits = []
    for _ in range(60):
        nu = rng.gamma(fitted.q, 1.0 / fitted.v, len(repeat))
        mean = rng.gamma(fitted.p * repeat, 1.0 / nu) / repeat
        again = gamma_gamma.fit(repeat, mean)
        fits.append(np.log([again.p, again.q, again.v]))
    bootstrap = np.std(fits, axis=0, ddof=1)
    assert np.sqrt(np.diag(spread)) == pytest.approx(bootstrap, rel=0.25)
