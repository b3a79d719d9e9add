"""Ridge-penalised GLMs fitted by Newton's method in NumPy (the learned method's three models,
:mod:`vawg.rank.learned_fit`). Deterministic: no seed. Rows may carry weights, a row standing for
that many identical rows (:func:`vawg.rank.learned_fit.rows_collapse`): the fit is the same as on
the rows written out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # NumPy is imported where a model is fitted, not by every `vawg rank`
    import numpy as np
    import numpy.typing as npt

NEWTON_STEPS = 30
"""At most this many Newton steps per fit (they converge in about ten)."""

RIDGE = 1.0
"""The L2 penalty on the standardised coefficients (the intercept is not penalised)."""


def ridge_logistic(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    *,
    ridge: float = RIDGE,
    weights: npt.NDArray[np.float64] | None = None,
) -> tuple[npt.NDArray[np.float64], float]:
    """Fit ``P(y) = 1 / (1 + exp(-(b0 + x b)))`` with penalty ``ridge * |b|^2 / 2`` by Newton's
    method (deterministic: no seed). ``x`` should be standardised. With ``weights``, row ``i``
    stands for ``weights[i]`` identical rows and ``y[i]`` is the share of them with the label
    (the same fit as on the rows written out, :func:`rows_collapse`).

    >>> import numpy as np
    >>> x = np.array([[-1.0], [-0.5], [0.5], [1.0]] * 5)
    >>> y = np.array([0.0, 0.0, 1.0, 1.0] * 5)
    >>> b, b0 = ridge_logistic(x, y)
    >>> bool(b[0] > 1), abs(b0) < 1e-6
    (True, True)
    """
    import numpy as np

    n, k = x.shape
    count = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    design = np.hstack([np.ones((n, 1)), x])
    beta = np.zeros(k + 1)
    penalty = np.full(k + 1, ridge)
    penalty[0] = 0.0
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        gradient = design.T @ (count * (p - y)) + penalty * beta
        w = count * p * (1.0 - p)
        hessian = (design.T * w) @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-6:
            break
    return beta[1:], float(beta[0])


def ridge_poisson(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    *,
    ridge: float = RIDGE,
    weights: npt.NDArray[np.float64] | None = None,
) -> tuple[npt.NDArray[np.float64], float]:
    """Fit ``E[y] = exp(b0 + x b)`` (a Poisson quasi-likelihood: any non-negative ``y``) with
    penalty ``ridge * |b|^2 / 2`` by Newton's method with step halving (deterministic). With
    ``weights``, row ``i`` stands for ``weights[i]`` identical rows and ``y[i]`` is their mean.

    >>> import numpy as np
    >>> x = np.array([[-1.0], [1.0]] * 50)
    >>> y = np.array([1.0, 4.0] * 50)
    >>> b, b0 = ridge_poisson(x, y, ridge=0.0)
    >>> round(float(np.exp(b0 - b[0])), 3), round(float(np.exp(b0 + b[0])), 3)
    (1.0, 4.0)
    """
    import numpy as np

    n, k = x.shape
    count = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    design = np.hstack([np.ones((n, 1)), x])
    beta = np.zeros(k + 1)
    beta[0] = np.log(max(float(np.sum(count * y) / np.sum(count)), 1e-9))
    penalty = np.full(k + 1, ridge)
    penalty[0] = 0.0

    def loss(b: npt.NDArray[np.float64]) -> float:
        eta = design @ b
        return float(np.sum(count * (np.exp(eta) - y * eta)) + 0.5 * np.sum(penalty * b * b))

    current = loss(beta)
    for _ in range(NEWTON_STEPS):
        mu = np.exp(design @ beta)
        gradient = design.T @ (count * (mu - y)) + penalty * beta
        hessian = (design.T * (count * mu)) @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        t = 1.0
        while t > 1e-6:
            trial = beta - t * step
            value = loss(trial)
            if value <= current:
                break
            t /= 2
        beta, improvement = trial, current - value
        current = value
        if np.max(np.abs(t * step)) < 1e-6 or improvement < 1e-9 * (1 + abs(current)):
            break
    return beta[1:], float(beta[0])
