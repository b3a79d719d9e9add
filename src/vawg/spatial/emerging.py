"""Emerging hotspots: monthly space-time Gi* and a Mann-Kendall trend per location.

The space-time cube holds one value per location and month. A bin's neighbourhood is its spatial
neighbourhood (binary, itself included) in the same month and the ``time_steps`` months before
it, as in ArcGIS's Emerging Hot Spot Analysis (neighbourhood time step 1 by default); Gi* z-scores
use the whole cube as the reference (``n = locations x months``). Each bin is significant when its
Benjamini-Hochberg q-value over all bins is at most ``alpha`` (default 0.05). The trend of each
location's z-scores is tested with Mann-Kendall (Mann 1945; Kendall 1975; no ties correction, which
is conservative), two-sided at ``alpha``. The categories follow the ArcGIS Pro documentation
("How Emerging Hot Spot Analysis works"); each is defined in ``docs/hotspots.md``:

``new``, ``consecutive``, ``intensifying``, ``persistent``, ``diminishing``, ``sporadic``,
``oscillating`` and ``historical``, each ``-hot`` or ``-cold``, else ``no-pattern``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vawg.spatial.gistar import gistar_z
from vawg.spatial.inference import fdr_bh

SpatialSum = Callable[[NDArray[np.float64]], NDArray[np.float64]]
"""Maps values of shape (n,) to their spatial neighbourhood sums (itself included), shape (n,)."""


@dataclass(frozen=True)
class MannKendall:
    """Mann-Kendall trend test per series.

    Attributes
    ----------
    s : ndarray, shape (n,), the statistic ``sum_{i<j} sign(x_j - x_i)``.
    z : ndarray, shape (n,), continuity-corrected normal score.
    p : ndarray, shape (n,), two-sided p-value.
    """

    s: NDArray[np.float64]
    z: NDArray[np.float64]
    p: NDArray[np.float64]


@dataclass(frozen=True)
class EmergingResult:
    """Emerging-hotspot classes and their evidence, per location.

    Attributes
    ----------
    classes : ndarray of str, shape (n,)
    z : ndarray, shape (T, n), space-time Gi* z-scores.
    q : ndarray, shape (T, n), Benjamini-Hochberg q-values.
    trend_z, trend_p : ndarray, shape (n,), Mann-Kendall on each location's z-series.
    alpha : float
    time_steps : int
    """

    classes: NDArray[np.str_]
    z: NDArray[np.float64]
    q: NDArray[np.float64]
    trend_z: NDArray[np.float64]
    trend_p: NDArray[np.float64]
    alpha: float
    time_steps: int


def mann_kendall(series: NDArray[np.float64]) -> MannKendall:
    """Mann-Kendall trend test on each column of ``series`` (shape (T, n), time along axis 0).

    Examples
    --------
    >>> import numpy as np
    >>> mk = mann_kendall(np.array([[1.0, 3], [2, 2], [3, 1], [4, 0], [5, -1]]))
    >>> mk.s.tolist(), mk.p.round(4).tolist()
    ([10.0, -10.0], [0.0275, 0.0275])
    """
    from scipy.special import erfc

    x = np.asarray(series, dtype=np.float64)
    t = x.shape[0]
    s = np.zeros(x.shape[1:])
    for lag in range(1, t):
        s += np.sign(x[lag:] - x[:-lag]).sum(axis=0)
    var = t * (t - 1) * (2 * t + 5) / 18.0
    z = np.where(s > 0, (s - 1) / math.sqrt(var), np.where(s < 0, (s + 1) / math.sqrt(var), 0.0))
    p = erfc(np.abs(z) / math.sqrt(2.0))
    return MannKendall(s=s, z=z, p=p)


def spacetime_gistar(
    *, cube: NDArray[np.float64], spatial_sum: SpatialSum, time_steps: int = 1
) -> NDArray[np.float64]:
    """Space-time Gi* z-scores for a cube of shape (T, n).

    Parameters
    ----------
    cube : ndarray, shape (T, n)
        Counts (or harm-days) per month and location.
    spatial_sum : callable
        Spatial neighbourhood sum of a (n,) vector, the location itself included.
    time_steps : int
        Previous months in the neighbourhood (ArcGIS default 1).

    Returns
    -------
    ndarray, shape (T, n)

    Examples
    --------
    >>> import numpy as np
    >>> cube = np.array([[0.0, 0, 0], [0, 5, 0]])
    >>> spacetime_gistar(cube=cube, spatial_sum=lambda v: v, time_steps=0)[1].round(3).tolist()
    [-0.447, 2.236, -0.447]
    """
    x = np.asarray(cube, dtype=np.float64)
    t_n = x.shape[0]
    ones = np.ones(x.shape[1])
    spatial = np.stack([spatial_sum(x[t]) for t in range(t_n)])
    k_space = spatial_sum(ones)
    lag = np.zeros_like(x)
    k = np.zeros_like(x)
    for t in range(t_n):
        lo = max(0, t - time_steps)
        lag[t] = spatial[lo : t + 1].sum(axis=0)
        k[t] = k_space * (t + 1 - lo)
    _, z = gistar_z(
        values=x.ravel(), lag=lag.ravel(), n_neighbours=np.rint(k.ravel()).astype(np.int64)
    )
    return z.reshape(x.shape)


def emerging_classify(
    *,
    cube: NDArray[np.float64],
    spatial_sum: SpatialSum,
    time_steps: int = 1,
    alpha: float = 0.05,
) -> EmergingResult:
    """Emerging-hotspot category of each location of a monthly cube (ArcGIS's definitions).

    Parameters
    ----------
    cube : ndarray, shape (T, n)
        Counts per month and location (T >= 2).
    spatial_sum : callable
        Spatial neighbourhood sum, itself included (see :func:`spacetime_gistar`).
    time_steps : int
        Previous months in a bin's neighbourhood.
    alpha : float
        Significance of a bin (BH q-value) and of the trend.

    Returns
    -------
    EmergingResult

    Examples
    --------
    >>> import numpy as np
    >>> cube = np.zeros((10, 20)); cube[-1, 3] = 30.0
    >>> r = emerging_classify(cube=cube, spatial_sum=lambda v: v, time_steps=0)
    >>> str(r.classes[3]), str(r.classes[0])
    ('new-hot', 'no-pattern')
    """
    from scipy.special import erfc

    z = spacetime_gistar(cube=cube, spatial_sum=spatial_sum, time_steps=time_steps)
    zz = np.nan_to_num(z)
    p = erfc(np.abs(zz) / math.sqrt(2.0))
    q = fdr_bh(p.ravel()).reshape(p.shape)
    hot = (q <= alpha) & (zz > 0)
    cold = (q <= alpha) & (zz < 0)
    mk = mann_kendall(zz)
    up = (mk.p <= alpha) & (mk.z > 0)
    down = (mk.p <= alpha) & (mk.z < 0)
    classes = np.full(z.shape[1], "no-pattern", dtype="<U18")
    for kind, sig, other, rising, falling in (
        ("cold", cold, hot, down, up),
        ("hot", hot, cold, up, down),
    ):
        _classify_one(classes, kind, sig, other, rising, falling)
    return EmergingResult(
        classes=classes,
        z=z,
        q=q,
        trend_z=mk.z,
        trend_p=mk.p,
        alpha=alpha,
        time_steps=time_steps,
    )


def _classify_one(
    out: NDArray[np.str_],
    kind: str,
    sig: NDArray[np.bool_],
    other: NDArray[np.bool_],
    intensifying: NDArray[np.bool_],
    diminishing: NDArray[np.bool_],
) -> None:
    t_n = sig.shape[0]
    final = sig[-1]
    share = sig.mean(axis=0)
    before = sig[:-1].any(axis=0)
    # Length of the run of significant bins ending at the final month.
    run = np.zeros(sig.shape[1], dtype=np.int64)
    alive = np.ones(sig.shape[1], dtype=bool)
    for t in range(t_n - 1, -1, -1):
        alive &= sig[t]
        run += alive
    any_before_run = np.array(
        [sig[: t_n - r, i].any() if r < t_n else False for i, r in enumerate(run.tolist())]
    )
    other_before = other[:-1].any(axis=0)
    mostly = share >= 0.9
    label = np.full(sig.shape[1], "", dtype="<U18")
    label[final & ~before] = "new"
    label[final & (run >= 2) & ~any_before_run & ~mostly] = "consecutive"
    label[final & mostly & intensifying] = "intensifying"
    label[final & mostly & ~intensifying & ~diminishing] = "persistent"
    label[final & mostly & diminishing] = "diminishing"
    label[~final & mostly] = "historical"
    rest = (label == "") & sig.any(axis=0)
    label[rest & final & other_before] = "oscillating"
    label[rest & ~other.any(axis=0) & (label == "")] = "sporadic"
    set_ = label != ""
    out[set_] = np.char.add(label[set_], f"-{kind}")
