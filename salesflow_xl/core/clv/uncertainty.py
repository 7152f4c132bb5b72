"""How uncertain fitted model parameters are: the Laplace (normal) approximation at the maximum
of the log-likelihood.

The log-parameters θ = ln(params) are approximately normal around the fit θ̂ with covariance
Σ = (−H)⁻¹, H the Hessian of the total log-likelihood at θ̂ (its observed information): the
posterior under a flat prior on θ, as a large sample makes it. H is found by central
differences of the analytic gradient (step :data:`STEP` in θ) and symmetrised. A parameter's
standard error on its own scale is then params × √Σᵢᵢ (the delta method). Layer: core.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: Step of the central differences, in log-parameters.
STEP = 1e-4


def covariance(gradient: Callable[[Array], Array], centre: Array) -> Array | None:
    """Σ = (−H)⁻¹ at ``centre`` (the fitted log-parameters), ``gradient`` giving the total
    log-likelihood's gradient in log-parameters; None when −H is not positive definite (the
    data do not pin the parameters down: a flat or runaway direction)."""
    size = len(centre)
    hessian = np.empty((size, size))
    for i in range(size):
        step = np.zeros(size)
        step[i] = STEP
        hessian[:, i] = (gradient(centre + step) - gradient(centre - step)) / (2 * STEP)
    information = -(hessian + hessian.T) / 2
    if not np.all(np.isfinite(information)):
        return None
    try:
        np.linalg.cholesky(information)
    except np.linalg.LinAlgError:
        return None
    return np.linalg.inv(information)


def draws(
    centre: Array, spread: Array | None, count: int, rng: np.random.Generator, limit: float
) -> Array:
    """``count`` parameter sets (rows; on the parameters' own scale) drawn from the normal
    approximation: exp(θ̂ + L·z), L the Cholesky factor of Σ = ``spread``, each log-parameter
    kept within ±``limit`` (the fit's own search range: a direction the data hardly pin down
    would otherwise reach zero or infinity); the fit itself in every row when ``spread`` is
    None."""
    if spread is None:
        return np.tile(np.exp(centre), (count, 1))
    factor = np.linalg.cholesky(spread)
    drawn = centre[None, :] + rng.standard_normal((count, len(centre))) @ factor.T
    return np.exp(np.clip(drawn, -limit, limit))
