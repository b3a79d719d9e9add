"""Significance for local statistics: conditional permutation, Benjamini-Hochberg FDR, classes.

Conditional permutation follows Anselin (1995) as implemented in PySAL esda (``crand``): each
site keeps its own value and its ``k - 1`` neighbours are replaced by a random ``(k - 1)``-subset
of the other ``N - 1`` values. The engine here never holds an ``N x P`` matrix: it streams, for
each site, how many simulated neighbour sums are at least (``n_ge``) and at most (``n_le``) the
observed one, and from how many valid draws (``n_valid``).

Exactness. Sites are processed in blocks. For each block one matrix of ``P`` ordered tuples of
``m_max`` *distinct* indices is drawn uniformly from all ``N`` sites (integers with rejection of
rows holding a repeat). The first ``m`` entries of such a tuple are a uniform ``m``-subset of the
``N`` sites, so one matrix serves every neighbour count in the block (cumulative sums). For a site
``i`` the draws whose first ``m_i`` entries contain ``i`` itself are discarded, and conditioning
a uniform subset of ``N`` on not containing ``i`` gives exactly a uniform subset of the other
``N - 1``: the kept draws are independent, exact conditional-permutation draws for site ``i``.
The few discarded draws (about ``P m / N`` per site) are subtracted from the counts, so ``n_valid``
may be slightly below ``P``; the p-value uses ``n_valid``. Sites of one block share their draws,
as all sites share them in esda; blocks are independent. Small problems (``N`` below
``small_n``) use independent draws per site instead.

References
----------
Anselin, L. (1995). Local indicators of spatial association - LISA. *Geographical Analysis* 27(2).
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57(1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Alternative = Literal["two-sided", "greater", "less", "folded"]
ALTERNATIVES: tuple[Alternative, ...] = ("two-sided", "greater", "less", "folded")

CLASS_LEVELS: tuple[tuple[float, str], ...] = ((0.01, "99"), (0.05, "95"), (0.10, "90"))
"""Confidence bins as in ArcGIS's Gi_Bin: 99 %, 95 % and 90 %."""


@dataclass(frozen=True)
class PermutationCounts:
    """Streaming exceedance counts of a conditional permutation test.

    Attributes
    ----------
    n_ge, n_le : ndarray of int64, shape (n,)
        Number of valid simulated neighbour sums at least / at most the observed sum.
    n_valid : ndarray of int64, shape (n,)
        Number of valid simulations for the site (``permutations`` minus draws that hit itself).
    permutations : int
        Simulations drawn per site.
    """

    n_ge: NDArray[np.int64]
    n_le: NDArray[np.int64]
    n_valid: NDArray[np.int64]
    permutations: int


def _distinct_rows(rng: np.random.Generator, *, n: int, rows: int, cols: int) -> NDArray[np.int64]:
    """``rows`` ordered tuples of ``cols`` distinct indices in ``[0, n)``, uniformly at random."""
    idx = rng.integers(0, n, size=(rows, cols), dtype=np.int64)
    if cols < 2:
        return idx
    while True:
        srt = np.sort(idx, axis=1)
        bad = np.flatnonzero((srt[:, 1:] == srt[:, :-1]).any(axis=1))
        if bad.size == 0:
            return idx
        idx[bad] = rng.integers(0, n, size=(bad.size, cols), dtype=np.int64)


def permutation_counts(
    *,
    values: NDArray[np.float64],
    neighbour_sum: NDArray[np.float64],
    n_neighbours: NDArray[np.int64],
    permutations: int = 999,
    seed: int | None = 0,
    block_size: int = 256,
    small_n: int = 4096,
) -> PermutationCounts:
    """Count, per site, simulated neighbour sums beyond the observed one (conditional permutation).

    Parameters
    ----------
    values : ndarray, shape (n,)
        The attribute at each site (counts or harm-days).
    neighbour_sum : ndarray, shape (n,)
        Observed sum of the attribute over each site's neighbours, the site itself excluded.
    n_neighbours : ndarray of int, shape (n,)
        Number of neighbours of each site, itself excluded (``k - 1`` for a Gi* neighbourhood).
    permutations : int
        Simulations per site (``P``).
    seed : int or None
        Seed for ``numpy.random.default_rng``; the same seed gives the same counts.
    block_size : int
        Sites sharing one matrix of draws (large problems).
    small_n : int
        Below this many sites every site gets its own draws.

    Returns
    -------
    PermutationCounts
        ``n_ge``, ``n_le`` and ``n_valid`` per site; memory is ``O(n + P * max_k)``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 0.0, 0.0, 10.0])
    >>> c = permutation_counts(values=x, neighbour_sum=np.array([10.0, 0, 0, 0]),
    ...                        n_neighbours=np.array([1, 1, 1, 1]), permutations=99, seed=1)
    >>> int(c.n_le[0]) == int(c.n_valid[0])  # no draw can exceed the maximum, 10
    True
    >>> bool(0 < c.n_ge[0] < 99)  # site 0 draws the 10 about one time in three
    True
    """
    x = np.ascontiguousarray(values, dtype=np.float64)
    t = np.asarray(neighbour_sum, dtype=np.float64)
    m = np.asarray(n_neighbours, dtype=np.int64)
    n = x.size
    if t.shape != (n,) or m.shape != (n,):
        raise ValueError("values, neighbour_sum and n_neighbours must have the same length")
    if permutations < 1:
        raise ValueError("permutations must be at least 1")
    if n and (m.min() < 0 or m.max() > n - 1):
        raise ValueError("n_neighbours must lie in 0..n-1")
    rng = np.random.default_rng(seed)
    n_ge = np.zeros(n, dtype=np.int64)
    n_le = np.zeros(n, dtype=np.int64)
    n_valid = np.full(n, permutations, dtype=np.int64)
    # Sums are compared with a tolerance so that equal sums added in another order stay ties.
    tol = 1e-9 * max(1.0, float(np.abs(x).max(initial=0.0))) * max(1, int(m.max(initial=0)))
    if n < small_n or (n and m.max() * 8 > n):
        _counts_per_site(rng, x, t, m, permutations, tol, n_ge, n_le)
        return PermutationCounts(n_ge=n_ge, n_le=n_le, n_valid=n_valid, permutations=permutations)
    for start in range(0, n, block_size):
        stop = min(n, start + block_size)
        _counts_block(rng, x, t, m, permutations, tol, start, stop, n_ge, n_le, n_valid)
    return PermutationCounts(n_ge=n_ge, n_le=n_le, n_valid=n_valid, permutations=permutations)


def _counts_per_site(
    rng: np.random.Generator,
    x: NDArray[np.float64],
    t: NDArray[np.float64],
    m: NDArray[np.int64],
    permutations: int,
    tol: float,
    n_ge: NDArray[np.int64],
    n_le: NDArray[np.int64],
) -> None:
    """Independent draws for each site: indices into the other ``n - 1`` sites (esda's skip)."""
    n = x.size
    for i in range(n):
        mi = int(m[i])
        if mi == 0:
            sims = np.zeros(permutations)
        else:
            idx = _distinct_rows(rng, n=n - 1, rows=permutations, cols=mi)
            idx += idx >= i
            sims = x[idx].sum(axis=1)
        n_ge[i] = int(np.count_nonzero(sims >= t[i] - tol))
        n_le[i] = int(np.count_nonzero(sims <= t[i] + tol))


def _counts_block(
    rng: np.random.Generator,
    x: NDArray[np.float64],
    t: NDArray[np.float64],
    m: NDArray[np.int64],
    permutations: int,
    tol: float,
    start: int,
    stop: int,
    n_ge: NDArray[np.int64],
    n_le: NDArray[np.int64],
    n_valid: NDArray[np.int64],
) -> None:
    """Shared draws for sites ``start..stop``, with the self-hit draws removed per site."""
    n = x.size
    mb = m[start:stop]
    m_max = int(mb.max())
    if m_max == 0:
        n_ge[start:stop] = np.where(t[start:stop] <= tol, permutations, 0)
        n_le[start:stop] = permutations
        return
    idx = _distinct_rows(rng, n=n, rows=permutations, cols=m_max)
    # csum[:, j] is the sum of the first j drawn values; column 0 is the empty sum.
    csum = np.zeros((permutations, m_max + 1))
    np.cumsum(x[idx], axis=1, out=csum[:, 1:])
    tb = t[start:stop]
    for mi in np.unique(mb):
        sites = np.flatnonzero(mb == mi)
        ref = np.sort(csum[:, mi])
        lo = np.searchsorted(ref, tb[sites] - tol, side="left")
        hi = np.searchsorted(ref, tb[sites] + tol, side="right")
        n_ge[start + sites] = permutations - lo
        n_le[start + sites] = hi
    # Draws that contain the site itself among its first m_i entries are not valid for it.
    hit_p, hit_j = np.nonzero((idx >= start) & (idx < stop))
    if hit_p.size == 0:
        return
    site = idx[hit_p, hit_j]
    msite = m[site]
    keep = hit_j < msite
    hit_p, site, msite = hit_p[keep], site[keep], msite[keep]
    sims = csum[hit_p, msite]
    np.subtract.at(n_ge, site, (sims >= t[site] - tol).astype(np.int64))
    np.subtract.at(n_le, site, (sims <= t[site] + tol).astype(np.int64))
    np.subtract.at(n_valid, site, 1)


def pvalues_from_counts(
    counts: PermutationCounts, *, alternative: Alternative = "two-sided"
) -> NDArray[np.float64]:
    """Pseudo p-values from permutation counts.

    Parameters
    ----------
    counts : PermutationCounts
        From :func:`permutation_counts`.
    alternative : {"two-sided", "greater", "less", "folded"}
        ``two-sided``: ``min(1, 2 min(n_ge + 1, n_le + 1) / (n_valid + 1))`` (the default);
        ``greater`` / ``less``: one-sided; ``folded``: esda's ``p_sim`` (the smaller tail, about
        half the two-sided value).

    Returns
    -------
    ndarray, shape (n,)
        p-values in ``(0, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> c = PermutationCounts(n_ge=np.array([0]), n_le=np.array([99]), n_valid=np.array([99]),
    ...                       permutations=99)
    >>> float(pvalues_from_counts(c)[0]), float(pvalues_from_counts(c, alternative="folded")[0])
    (0.02, 0.01)
    """
    ge = counts.n_ge.astype(np.float64)
    le = counts.n_le.astype(np.float64)
    denom = counts.n_valid.astype(np.float64) + 1.0
    if alternative == "greater":
        return (ge + 1.0) / denom
    if alternative == "less":
        return (le + 1.0) / denom
    if alternative == "two-sided":
        return np.minimum(1.0, 2.0 * (np.minimum(ge, le) + 1.0) / denom)
    if alternative == "folded":
        larger = ge.copy()
        below = (counts.n_valid - counts.n_ge) < counts.n_ge
        larger[below] = counts.n_valid[below] - counts.n_ge[below]
        return (larger + 1.0) / denom
    raise ValueError(f"alternative must be one of {ALTERNATIVES}")


def fdr_bh(p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Benjamini-Hochberg adjusted p-values (q-values) over all tests given.

    Parameters
    ----------
    p : ndarray, shape (n,)
        p-values; NaN entries are left NaN and not counted as tests.

    Returns
    -------
    ndarray, shape (n,)
        ``q_(i) = min_{j >= i} p_(j) n / j``, capped at 1 (Benjamini & Hochberg 1995). A site is
        a discovery at false discovery rate ``alpha`` when ``q <= alpha``.

    Examples
    --------
    >>> import numpy as np
    >>> fdr_bh(np.array([0.01, 0.04, 0.03, 0.5])).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.5]
    """
    p = np.asarray(p, dtype=np.float64)
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    n = ok.size
    if n == 0:
        return q
    order = ok[np.argsort(p[ok], kind="stable")]
    ranked = p[order] * n / np.arange(1, n + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q[order] = np.minimum(ranked, 1.0)
    return q


def classes_from(*, z: NDArray[np.float64], p: NDArray[np.float64]) -> NDArray[np.str_]:
    """Hot/cold confidence classes: ``hot-99``, ``hot-95``, ``hot-90``, ``not-significant``, ...

    Parameters
    ----------
    z : ndarray, shape (n,)
        Direction of the statistic (Gi* z-score).
    p : ndarray, shape (n,)
        The p- or q-value in force (q under FDR control).

    Returns
    -------
    ndarray of str, shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> classes_from(z=np.array([3.0, -2.0, 1.0]), p=np.array([0.001, 0.04, 0.5])).tolist()
    ['hot-99', 'cold-95', 'not-significant']
    """
    out = np.full(np.shape(z), "not-significant", dtype="<U15")
    pv = np.nan_to_num(np.asarray(p, dtype=np.float64), nan=1.0)
    for level, label in reversed(CLASS_LEVELS):
        sig = pv <= level
        out[sig & (z > 0)] = f"hot-{label}"
        out[sig & (z < 0)] = f"cold-{label}"
    return out
