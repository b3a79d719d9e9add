"""Getis-Ord Gi* with binary distance-band weights (the cell itself included), on grids and areas.

For site ``i`` with neighbourhood ``N(i)`` (itself included, ``k_i`` sites) over ``n`` sites with
values ``x`` (mean ``xbar``, population variance ``s^2``), following Getis & Ord (1992) and Ord &
Getis (1995) in the form computed by PySAL esda's ``G_Local(star=True, transform="B")``::

    G*_i = sum_{j in N(i)} x_j / sum_j x_j
    z_i  = (sum_{j in N(i)} x_j - k_i xbar) / (s sqrt(k_i (n - k_i) / (n - 1)))

On a grid the neighbourhood sums are a convolution with a disc of cells whose centres lie within
``distance_m`` of the cell's centre (shifted sums for small discs, FFT for large ones), so the
analytic statistic costs ``O(n k)`` or ``O(n log n)`` and no weights matrix is built. On areas the
neighbourhood is a sparse matrix. Significance: the analytic normal p-value (two-sided), or the
conditional permutation test of :mod:`vawg.spatial.inference`; then Benjamini-Hochberg q-values
and ArcGIS-style 99/95/90 % hot and cold classes.

References
----------
Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance statistics.
*Geographical Analysis* 24(3), 189-206.
Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional issues and
an application. *Geographical Analysis* 27(4), 286-306.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vawg.spatial.grid import Grid
from vawg.spatial.inference import (
    Alternative,
    classes_from,
    fdr_bh,
    permutation_counts,
    pvalues_from_counts,
)

SHIFT_SUM_MAX_OFFSETS = 121
"""Above this many cells in the disc, neighbourhood sums use FFT convolution."""


@dataclass(frozen=True)
class GiStarResult:
    """Gi* for every site of the study area (arrays of shape (n,), in the order of the sites).

    Attributes
    ----------
    g : Gi* statistic (share of the total within the neighbourhood).
    z : analytic z-score.
    p_norm : two-sided normal p-value of ``z``.
    p_sim : permutation p-value for ``alternative`` (NaN when ``permutations == 0``).
    p : the p-value in force: ``p_sim`` when permutations were run, else ``p_norm``.
    q : Benjamini-Hochberg q-value of ``p`` (equal to ``p`` when ``fdr`` is False).
    classes : ``hot-99`` ... ``cold-90`` or ``not-significant``, from ``z`` and ``q``.
    n_neighbours : ``k_i``, sites in the neighbourhood including the site itself.
    alternative, permutations, fdr, seed : the inference settings used.
    """

    g: NDArray[np.float64]
    z: NDArray[np.float64]
    p_norm: NDArray[np.float64]
    p_sim: NDArray[np.float64]
    p: NDArray[np.float64]
    q: NDArray[np.float64]
    classes: NDArray[np.str_]
    n_neighbours: NDArray[np.int64]
    alternative: str
    permutations: int
    fdr: bool
    seed: int | None


def distance_default(*, cell_size_m: float) -> float:
    """Default Gi* neighbourhood on a grid: one cell diagonal, i.e. the 3 x 3 queen neighbourhood.

    Examples
    --------
    >>> round(distance_default(cell_size_m=100), 3)
    141.421
    """
    return cell_size_m * math.sqrt(2.0)


def band_offsets(*, cell_size_m: float, distance_m: float) -> NDArray[np.int64]:
    """Row/column offsets of the cells whose centres lie within ``distance_m`` (self included).

    Parameters
    ----------
    cell_size_m, distance_m : float
        Metres. A tolerance of 1e-9 of the cell size keeps exact diagonals inside.

    Returns
    -------
    ndarray of int, shape (k, 2)
        ``(d_row, d_col)`` pairs.

    Examples
    --------
    >>> band_offsets(cell_size_m=100, distance_m=100).tolist()
    [[-1, 0], [0, -1], [0, 0], [0, 1], [1, 0]]
    >>> len(band_offsets(cell_size_m=100, distance_m=150))
    9
    """
    if distance_m < 0:
        raise ValueError("distance_m must be non-negative")
    r = math.floor(distance_m / cell_size_m + 1e-9)
    d = np.arange(-r, r + 1)
    dr, dc = np.meshgrid(d, d, indexing="ij")
    keep = (dr**2 + dc**2) * cell_size_m**2 <= (distance_m * (1 + 1e-9)) ** 2
    return np.stack([dr[keep], dc[keep]], axis=1).astype(np.int64)


def window_sum(*, values: NDArray[np.float64], offsets: NDArray[np.int64]) -> NDArray[np.float64]:
    """Sum of ``values`` over the cells at ``offsets`` from each cell (zero beyond the grid).

    Parameters
    ----------
    values : ndarray, shape (n_rows, n_cols)
    offsets : ndarray of int, shape (k, 2)

    Returns
    -------
    ndarray, shape (n_rows, n_cols)

    Examples
    --------
    >>> import numpy as np
    >>> v = np.arange(9.0).reshape(3, 3)
    >>> window_sum(values=v, offsets=band_offsets(cell_size_m=1, distance_m=1.5))[1, 1]
    np.float64(36.0)
    """
    v = np.asarray(values, dtype=np.float64)
    if len(offsets) > SHIFT_SUM_MAX_OFFSETS:
        from scipy.signal import fftconvolve

        r = int(np.abs(offsets).max())
        kernel = np.zeros((2 * r + 1, 2 * r + 1))
        kernel[offsets[:, 0] + r, offsets[:, 1] + r] = 1.0
        out = np.asarray(fftconvolve(v, kernel, mode="same"), dtype=np.float64)
        if np.all(v == np.round(v)):
            out = np.round(out)  # integer counts: the exact sum is an integer
        return out
    n_rows, n_cols = v.shape
    out = np.zeros_like(v)
    for dr, dc in offsets.tolist():
        # out[r, c] += v[r + dr, c + dc] where that cell exists
        r0, r1 = max(0, -dr), min(n_rows, n_rows - dr)
        c0, c1 = max(0, -dc), min(n_cols, n_cols - dc)
        if r0 < r1 and c0 < c1:
            out[r0:r1, c0:c1] += v[r0 + dr : r1 + dr, c0 + dc : c1 + dc]
    return out


def gistar_z(
    *, values: NDArray[np.float64], lag: NDArray[np.float64], n_neighbours: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Analytic Gi* and its z-score from neighbourhood sums (esda's formula, binary weights).

    Parameters
    ----------
    values : ndarray, shape (n,)
        The attribute at every site of the study area.
    lag : ndarray, shape (n,)
        Sum of ``values`` over each site's neighbourhood, the site itself included.
    n_neighbours : ndarray of int, shape (n,)
        ``k_i``, sites in the neighbourhood including itself.

    Returns
    -------
    (g, z) : ndarrays, shape (n,)
        ``z`` is NaN where it is undefined (constant values, or ``k_i == n``).

    Examples
    --------
    >>> import numpy as np
    >>> g, z = gistar_z(values=np.array([1.0, 2, 3, 4]), lag=np.array([3.0, 6, 9, 7]),
    ...                 n_neighbours=np.array([2, 3, 3, 2]))
    >>> z.round(4).tolist()  # site 0: (3 - 2 * 2.5) / (sqrt(1.25) * sqrt(2 * 2 / 3))
    [-1.5492, -1.3416, 1.3416, 1.5492]
    """
    x = np.asarray(values, dtype=np.float64)
    n = x.size
    k = np.asarray(n_neighbours, dtype=np.float64)
    total = x.sum()
    mean = total / n
    var = max(float((x * x).mean() - mean * mean), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.asarray(lag, dtype=np.float64) / total
        sd = np.sqrt(var * k * (n - k) / (n - 1))
        z = (np.asarray(lag, dtype=np.float64) - k * mean) / sd
    z[~np.isfinite(z)] = np.nan
    return g, z


def _infer(
    *,
    values: NDArray[np.float64],
    lag: NDArray[np.float64],
    k: NDArray[np.int64],
    permutations: int,
    seed: int | None,
    alternative: Alternative,
    fdr: bool,
    block_size: int,
) -> GiStarResult:
    from scipy.special import erfc

    g, z = gistar_z(values=values, lag=lag, n_neighbours=k)
    p_norm = np.where(np.isnan(z), 1.0, erfc(np.abs(np.nan_to_num(z)) / math.sqrt(2.0)))
    if permutations > 0:
        counts = permutation_counts(
            values=values,
            neighbour_sum=lag - values,
            n_neighbours=k - 1,
            permutations=permutations,
            seed=seed,
            block_size=block_size,
        )
        p_sim = pvalues_from_counts(counts, alternative=alternative)
        p = p_sim
    else:
        p_sim = np.full(values.size, np.nan)
        p = p_norm
    q = fdr_bh(p) if fdr else p.copy()
    direction = np.nan_to_num(z)
    if alternative == "greater":
        direction = np.where(direction > 0, direction, 0.0)
    elif alternative == "less":
        direction = np.where(direction < 0, direction, 0.0)
    return GiStarResult(
        g=g,
        z=z,
        p_norm=p_norm,
        p_sim=p_sim,
        p=p,
        q=q,
        classes=classes_from(z=direction, p=q),
        n_neighbours=k,
        alternative=alternative,
        permutations=permutations,
        fdr=fdr,
        seed=seed,
    )


def gistar_grid(
    *,
    grid: Grid,
    values: NDArray[np.float64],
    distance_m: float | None = None,
    permutations: int = 999,
    seed: int | None = 0,
    alternative: Alternative = "two-sided",
    fdr: bool = True,
    block_size: int = 256,
) -> GiStarResult:
    """Gi* on a grid with a binary distance band, the cell itself included.

    Parameters
    ----------
    grid : Grid
        Only cells with ``grid.in_area`` are sites (``n`` of them).
    values : ndarray, shape (n_rows, n_cols)
        Counts or harm-days per cell.
    distance_m : float, optional
        Neighbourhood radius between cell centres, metres; default one cell diagonal (queen).
    permutations : int
        Conditional permutations (0 for the analytic normal p-value only). Default 999.
    seed : int or None
        Seed of the permutations.
    alternative : {"two-sided", "greater", "less", "folded"}
        Alternative of the permutation p-value (``folded`` is esda's ``p_sim``).
    fdr : bool
        Benjamini-Hochberg over the ``n`` cells (default True).
    block_size : int
        Sites sharing one matrix of draws (see :mod:`vawg.spatial.inference`).

    Returns
    -------
    GiStarResult
        Arrays of shape (n,) in row-major order of the study-area cells.

    Examples
    --------
    >>> import numpy as np
    >>> from vawg.spatial.grid import grid_from_bounds
    >>> g = grid_from_bounds(x_min=0, y_min=0, x_max=499, y_max=499, cell_size_m=100)
    >>> v = np.zeros((5, 5)); v[2, 2] = 9.0
    >>> r = gistar_grid(grid=g, values=v, permutations=0)
    >>> round(float(r.z[12]), 3), int(r.n_neighbours[0]), int(r.n_neighbours[12])
    (1.333, 4, 9)
    """
    v = np.asarray(values, dtype=np.float64)
    if v.shape != grid.shape:
        raise ValueError(f"values must have the grid's shape {grid.shape}")
    mask = grid.in_area
    d = distance_default(cell_size_m=grid.cell_size_m) if distance_m is None else distance_m
    offsets = band_offsets(cell_size_m=grid.cell_size_m, distance_m=d)
    inside = np.where(mask, v, 0.0)
    lag = window_sum(values=inside, offsets=offsets)[mask]
    k = np.rint(window_sum(values=mask.astype(np.float64), offsets=offsets)[mask]).astype(np.int64)
    return _infer(
        values=v[mask],
        lag=lag,
        k=k,
        permutations=permutations,
        seed=seed,
        alternative=alternative,
        fdr=fdr,
        block_size=block_size,
    )


def gistar_sparse(
    *,
    values: NDArray[np.float64],
    neighbours: Any,
    permutations: int = 999,
    seed: int | None = 0,
    alternative: Alternative = "two-sided",
    fdr: bool = True,
) -> GiStarResult:
    """Gi* over areas with binary weights from a sparse adjacency matrix, the area itself included.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Counts or harm-days per area.
    neighbours : scipy.sparse matrix, shape (n, n)
        Binary adjacency (e.g. queen contiguity); the diagonal is ignored and set to 1.
    permutations, seed, alternative, fdr
        As in :func:`gistar_grid`.

    Returns
    -------
    GiStarResult

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.sparse import csr_matrix
    >>> a = csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]))
    >>> r = gistar_sparse(values=np.array([1.0, 2, 6]), neighbours=a, permutations=0)
    >>> r.n_neighbours.tolist(), r.z.round(3).tolist()
    ([2, 3, 2], [-1.389, nan, 0.926])
    """
    from scipy import sparse

    x = np.asarray(values, dtype=np.float64)
    w = sparse.csr_matrix(neighbours, dtype=np.float64, copy=True)
    w.data[:] = 1.0
    w.setdiag(1.0)
    w.eliminate_zeros()
    lag = np.asarray(w @ x, dtype=np.float64)
    k = np.diff(w.indptr).astype(np.int64)
    return _infer(
        values=x,
        lag=lag,
        k=k,
        permutations=permutations,
        seed=seed,
        alternative=alternative,
        fdr=fdr,
        block_size=256,
    )
