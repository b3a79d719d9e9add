"""Random draws the generator's stages share: a categorical draw by weights, normal scores by
rank, and ranks within groups. Each takes the generator's ``numpy.random.Generator`` and draws
from it in a fixed order, so that a seed gives the same extract every time.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def choice_draw(rng: np.random.Generator, n: int, p: tuple[float, ...] | FloatArray) -> IntArray:
    """``n`` indices drawn with probabilities proportional to the weights ``p`` (inverse CDF of
    ``n`` uniform draws).

    >>> choice_draw(np.random.default_rng(0), 5, (0.0, 1.0, 0.0)).tolist()
    [1, 1, 1, 1, 1]
    """
    cumulative = np.cumsum(np.asarray(p, dtype=float))
    return np.searchsorted(cumulative / cumulative[-1], rng.random(n), side="right").astype(
        np.int64
    )


def rank_normal(values: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Normal scores of ``values`` by rank (ties broken at random): the standard normal quantile
    of each value's mid-rank, shape as ``values``."""
    from scipy.special import ndtri

    order = np.lexsort((rng.random(values.size), values))
    ranks = np.empty(values.size)
    ranks[order] = (np.arange(values.size) + 0.5) / values.size
    return np.asarray(ndtri(ranks), dtype=float)


def group_rank(groups: IntArray, keys: FloatArray) -> IntArray:
    """Position of each element within its group when the group is sorted by key.

    >>> group_rank(np.array([0, 1, 0, 0]), np.array([3.0, 1.0, 1.0, 2.0])).tolist()
    [2, 0, 0, 1]
    """
    order = np.lexsort((keys, groups))
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    sizes = np.diff(np.r_[starts, sorted_groups.size])
    within = np.arange(groups.size) - np.repeat(starts, sizes)
    rank = np.empty(groups.size, dtype=np.int64)
    rank[order] = within
    return rank
