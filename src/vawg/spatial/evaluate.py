"""Scores that point at where events will concentrate next, and their evaluation on the future.

Each method turns the months before a test month into a score per cell or area (higher is
hotter). The evaluation is rolling-origin: for every test month, methods see only earlier months,
and the cells (areas) with the highest scores are selected until they cover 1 %, 5 % and 10 % of
the study area. Reported per method and area share, averaged over the test months:

* hit rate: the share of the test month's events that fall in the selected cells;
* PAI, the Predictive Accuracy Index (Chainey, Tompson & Uhlig 2008): hit rate / area share.

Cells tied at the cut-off are taken fractionally (the expected result of breaking ties at random),
so every method covers exactly the stated area. Methods:

* ``last-period``: events in the month before the test month (counts; per km² on areas);
* ``kde``: quartic KDE of the training window's events, default bandwidth (:mod:`.kde`);
* ``gistar``: Gi* z-score of the training window's counts (queen neighbourhood);
* ``recency``: our method: exponentially recency-weighted counts (half-life ``half_life_months``)
  plus ``neighbour_weight`` times the same over the queen neighbours, which breaks ties among
  cells with few events towards busy surroundings. On areas both are per km².

References
----------
Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for predicting spatial
patterns of crime. *Security Journal* 21, 4-28.
Chainey, S. (2014). *Examining the extent to which hotspot analysis can support spatial
predictions of crime*. PhD thesis, UCL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from vawg.spatial.gistar import band_offsets, distance_default, gistar_z, window_sum
from vawg.spatial.grid import Grid, cell_index
from vawg.spatial.kde import kde_grid

METHODS = ("last-period", "kde", "gistar", "recency")
AREA_SHARES = (0.01, 0.05, 0.10)
HALF_LIFE_MONTHS = 3.0
NEIGHBOUR_WEIGHT = 0.25
DEFAULT_METHOD = "recency"


@dataclass(frozen=True)
class EvaluationRow:
    """One method at one area share, averaged over the test months."""

    method: str
    area_share: float
    hit_rate: float
    pai: float


@dataclass(frozen=True)
class Evaluation:
    """The evaluation table and how it was made.

    Attributes
    ----------
    rows : tuple of EvaluationRow
    units : str, ``grid`` or ``areas``
    test_months : tuple of str
    train_months : int, months of history each method may use
    n_units : int, cells or areas in the study area
    events : float, test events summed over the test months
    """

    rows: tuple[EvaluationRow, ...]
    units: str
    test_months: tuple[str, ...]
    train_months: int
    n_units: int
    events: float

    def table(self) -> pl.DataFrame:
        """Wide table: one row per method, hit rate and PAI per area share.

        Examples
        --------
        >>> e = Evaluation(rows=(EvaluationRow("kde", 0.05, 0.2, 4.0),), units="grid",
        ...                test_months=("2017-12",), train_months=6, n_units=10, events=5)
        >>> e.table().columns
        ['method', 'hit_5%', 'pai_5%']
        """
        out: dict[str, list[Any]] = {"method": []}
        methods = list(dict.fromkeys(r.method for r in self.rows))
        shares = list(dict.fromkeys(r.area_share for r in self.rows))
        for share in shares:
            out[f"hit_{share:.0%}"] = []
            out[f"pai_{share:.0%}"] = []
        for m in methods:
            out["method"].append(m)
            for share in shares:
                row = next(r for r in self.rows if r.method == m and r.area_share == share)
                out[f"hit_{share:.0%}"].append(round(row.hit_rate, 4))
                out[f"pai_{share:.0%}"].append(round(row.pai, 3))
        return pl.DataFrame(out)


def capture(
    *,
    score: NDArray[np.float64],
    actual: NDArray[np.float64],
    area: NDArray[np.float64] | None = None,
    share: float,
) -> float:
    """Share of ``actual`` events inside the top-scored units covering ``share`` of the area.

    Parameters
    ----------
    score : ndarray, shape (n,)
        Higher is hotter.
    actual : ndarray, shape (n,)
        Events in the test period.
    area : ndarray, shape (n,), optional
        Area of each unit (any unit); default equal areas (grid cells).
    share : float
        Area share to select, in (0, 1].

    Returns
    -------
    float
        The hit rate in [0, 1]; units tied at the cut-off count in proportion to the area taken.

    Examples
    --------
    >>> import numpy as np
    >>> capture(score=np.array([3.0, 2, 2, 0]), actual=np.array([5.0, 4, 0, 1]), share=0.5)
    0.7
    """
    s = np.asarray(score, dtype=np.float64)
    a = np.ones(s.size) if area is None else np.asarray(area, dtype=np.float64)
    y = np.asarray(actual, dtype=np.float64)
    total = y.sum()
    if total <= 0:
        return float("nan")
    s = np.nan_to_num(s, nan=-np.inf)
    order = np.argsort(-s, kind="stable")
    s_sorted = s[order]
    # Group ties: a new group starts where the score changes.
    starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
    group_area = np.add.reduceat(a[order], starts)
    group_hits = np.add.reduceat(y[order], starts)
    target = share * a.sum()
    cum_area = np.cumsum(group_area)
    g = int(np.searchsorted(cum_area, target, side="left"))
    g = min(g, len(starts) - 1)
    before_area = cum_area[g - 1] if g > 0 else 0.0
    before_hits = group_hits[:g].sum()
    frac = min(1.0, max(0.0, (target - before_area) / group_area[g])) if group_area[g] else 0.0
    return float((before_hits + frac * group_hits[g]) / total)


def recency_weights(
    *, n_months: int, half_life_months: float = HALF_LIFE_MONTHS
) -> NDArray[np.float64]:
    """Weights of the months of a window, oldest first, halving every ``half_life_months``.

    Examples
    --------
    >>> recency_weights(n_months=3, half_life_months=1).tolist()
    [0.25, 0.5, 1.0]
    """
    age = np.arange(n_months - 1, -1, -1, dtype=np.float64)
    return np.asarray(0.5 ** (age / half_life_months), dtype=np.float64)


def recency_score(
    *,
    cube: NDArray[np.float64],
    neighbour_mean: Any,
    half_life_months: float = HALF_LIFE_MONTHS,
    neighbour_weight: float = NEIGHBOUR_WEIGHT,
) -> NDArray[np.float64]:
    """Our score: recency-weighted counts plus a share of the neighbours' recency-weighted mean.

    Parameters
    ----------
    cube : ndarray, shape (T, n)
        Counts (or harm-days, or densities) per month, oldest first.
    neighbour_mean : callable
        Mean over each unit's neighbours (itself excluded) of a (n,) vector.
    half_life_months, neighbour_weight : float

    Returns
    -------
    ndarray, shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> cube = np.array([[4.0, 0], [0, 2]])
    >>> recency_score(cube=cube, neighbour_mean=lambda v: v[::-1], half_life_months=1,
    ...               neighbour_weight=0.5).tolist()
    [3.0, 3.0]
    """
    w = recency_weights(n_months=cube.shape[0], half_life_months=half_life_months)
    own = w @ np.asarray(cube, dtype=np.float64)
    return np.asarray(own + neighbour_weight * neighbour_mean(own), dtype=np.float64)


def grid_cube(
    *, grid: Grid, events: pl.DataFrame, months: list[str], weight: str | None = None
) -> NDArray[np.float64]:
    """Counts (or a weight column's sums) per month and study-area cell, shape (T, n).

    Examples
    --------
    >>> import polars as pl
    >>> from vawg.spatial.grid import grid_from_bounds
    >>> g = grid_from_bounds(x_min=0, y_min=0, x_max=199, y_max=99, cell_size_m=100)
    >>> ev = pl.DataFrame({"month": ["2017-01", "2017-02"], "x": [50.0, 150.0], "y": [50.0, 50]})
    >>> grid_cube(grid=g, events=ev, months=["2017-01", "2017-02"]).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    col, row, ok = cell_index(grid=grid, x=events["x"].to_numpy(), y=events["y"].to_numpy())
    flat_ids = np.full(grid.shape, -1, dtype=np.int64)
    flat_ids[grid.in_area] = np.arange(grid.n_cells)
    site = flat_ids[row, col]
    month_of = {m: i for i, m in enumerate(months)}
    t = np.array([month_of.get(m, -1) for m in events["month"].to_list()], dtype=np.int64)
    keep = ok & (t >= 0) & (site >= 0)
    w = np.ones(events.height) if weight is None else events[weight].to_numpy()
    flat = t[keep] * grid.n_cells + site[keep]
    out = np.bincount(flat, weights=w[keep], minlength=len(months) * grid.n_cells)
    return np.asarray(out, dtype=np.float64).reshape(len(months), grid.n_cells)


def grid_neighbour_ops(grid: Grid) -> tuple[Any, Any]:
    """(queen neighbourhood sum incl. self, queen neighbour mean excl. self) over study-area cells.

    Examples
    --------
    >>> import numpy as np
    >>> from vawg.spatial.grid import grid_from_bounds
    >>> g = grid_from_bounds(x_min=0, y_min=0, x_max=299, y_max=99, cell_size_m=100)
    >>> total, mean = grid_neighbour_ops(g)
    >>> total(np.array([1.0, 2, 3])).tolist(), mean(np.array([1.0, 2, 3])).tolist()
    ([3.0, 6.0, 5.0], [2.0, 2.0, 2.0])
    """
    offsets = band_offsets(
        cell_size_m=grid.cell_size_m, distance_m=distance_default(cell_size_m=grid.cell_size_m)
    )
    mask = grid.in_area
    k = window_sum(values=mask.astype(np.float64), offsets=offsets)[mask]

    def total(v: NDArray[np.float64]) -> NDArray[np.float64]:
        full = np.zeros(grid.shape)
        full[mask] = v
        return window_sum(values=full, offsets=offsets)[mask]

    def mean(v: NDArray[np.float64]) -> NDArray[np.float64]:
        with np.errstate(invalid="ignore", divide="ignore"):
            out = (total(v) - v) / (k - 1)
        return np.nan_to_num(out)

    return total, mean


def evaluate_grid(
    *,
    grid: Grid,
    events: pl.DataFrame,
    test_months: list[str],
    train_months: int = 12,
    shares: tuple[float, ...] = AREA_SHARES,
    bandwidth_m: float | None = None,
) -> Evaluation:
    """Rolling-origin evaluation of the methods on a grid.

    Parameters
    ----------
    grid : Grid
    events : polars.DataFrame
        Columns ``month``, ``x``, ``y`` (EPSG:27700 metres).
    test_months : list of str
        ``YYYY-MM`` months to predict, each from the ``train_months`` months before it.
    train_months : int
        Months of history each method may use.
    shares : tuple of float
        Area shares.
    bandwidth_m : float, optional
        KDE bandwidth; default the nrd rule on each training window.

    Returns
    -------
    Evaluation

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> from vawg.spatial.grid import grid_from_bounds
    >>> g = grid_from_bounds(x_min=0, y_min=0, x_max=999, y_max=999, cell_size_m=100)
    >>> ev = pl.DataFrame({"month": ["2017-01"] * 3 + ["2017-02"] * 3,
    ...                    "x": [150.0, 160, 870] * 2, "y": [150.0, 140, 820] * 2})
    >>> e = evaluate_grid(grid=g, events=ev, test_months=["2017-02"], train_months=1)
    >>> e.table().filter(pl.col("method") == "last-period")["hit_1%"].item()
    0.6667
    """
    all_months = sorted(set(events["month"].to_list()) | set(test_months))
    total, mean = grid_neighbour_ops(grid)
    results: dict[tuple[str, float], list[float]] = {}
    n_events = 0.0
    for test in test_months:
        pos = all_months.index(test)
        window = all_months[max(0, pos - train_months) : pos]
        if not window:
            continue
        cube = grid_cube(grid=grid, events=events, months=[*window, test])
        actual = cube[-1]
        n_events += actual.sum()
        history = cube[:-1]
        train = events.filter(pl.col("month").is_in(window))
        counts = history.sum(axis=0)
        scores = {
            "last-period": history[-1],
            "kde": kde_grid(
                grid=grid,
                x=train["x"].to_numpy(),
                y=train["y"].to_numpy(),
                bandwidth_m=bandwidth_m,
            ).density[grid.in_area],
            "gistar": np.nan_to_num(
                gistar_z(
                    values=counts,
                    lag=total(counts),
                    n_neighbours=np.rint(total(np.ones(counts.size))).astype(np.int64),
                )[1]
            ),
            "recency": recency_score(cube=history, neighbour_mean=mean),
        }
        for method, score in scores.items():
            for share in shares:
                results.setdefault((method, share), []).append(
                    capture(score=score, actual=actual, share=share)
                )
    return _evaluation(results, "grid", test_months, train_months, grid.n_cells, n_events)


def _evaluation(
    results: dict[tuple[str, float], list[float]],
    units: str,
    test_months: list[str],
    train_months: int,
    n_units: int,
    n_events: float,
) -> Evaluation:
    rows = []
    for (method, share), hits in results.items():
        hit = float(np.nanmean(hits))
        rows.append(EvaluationRow(method=method, area_share=share, hit_rate=hit, pai=hit / share))
    return Evaluation(
        rows=tuple(rows),
        units=units,
        test_months=tuple(test_months),
        train_months=train_months,
        n_units=n_units,
        events=n_events,
    )


def evaluate_areas(
    *,
    counts: NDArray[np.float64],
    months: list[str],
    area_m2: NDArray[np.float64],
    neighbours: Any,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    test_months: list[str],
    train_months: int = 12,
    shares: tuple[float, ...] = AREA_SHARES,
) -> Evaluation:
    """Rolling-origin evaluation of the methods on areas (e.g. wards).

    Parameters
    ----------
    counts : ndarray, shape (n, T)
        Events per area and month.
    months : list of str
        The T months, oldest first.
    area_m2 : ndarray, shape (n,)
    neighbours : scipy.sparse matrix, shape (n, n)
        Binary contiguity, zero diagonal.
    x, y : ndarray, shape (n,)
        A point inside each area (for the KDE), metres.
    test_months, train_months, shares
        As in :func:`evaluate_grid`.

    Returns
    -------
    Evaluation

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> c = np.array([[5.0, 6], [1, 0], [0, 1]])
    >>> nb = sparse.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]))
    >>> e = evaluate_areas(counts=c, months=["2020-01", "2020-02"], area_m2=np.ones(3) * 1e6,
    ...                    neighbours=nb, x=np.array([0.0, 1000, 2000]), y=np.zeros(3),
    ...                    test_months=["2020-02"], train_months=1, shares=(0.34,))
    >>> e.table()["hit_34%"].to_list()
    [0.8571, 0.8571, 0.8571, 0.8571]
    """
    from scipy import sparse

    from vawg.spatial.gistar import gistar_sparse
    from vawg.spatial.kde import _kernel_at, bandwidth_nrd

    km2 = np.asarray(area_m2, dtype=np.float64) / 1e6
    w = sparse.csr_matrix(neighbours, dtype=np.float64)
    k = np.asarray(w.sum(axis=1)).ravel()

    def mean(v: NDArray[np.float64]) -> NDArray[np.float64]:
        with np.errstate(invalid="ignore", divide="ignore"):
            out: NDArray[np.float64] = np.nan_to_num(
                np.asarray(w @ v, dtype=np.float64).ravel() / k
            )
            return out

    results: dict[tuple[str, float], list[float]] = {}
    n_events = 0.0
    d2 = (x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2
    for test in test_months:
        pos = months.index(test)
        lo = max(0, pos - train_months)
        if pos == lo:
            continue
        history = counts[:, lo:pos].T
        actual = counts[:, pos]
        n_events += actual.sum()
        total = history.sum(axis=0)
        reps = np.repeat(np.arange(len(x)), np.rint(total).astype(np.int64))
        h = (
            bandwidth_nrd(x=x[reps], y=y[reps])
            if reps.size >= 2
            else float(np.sqrt(km2.mean()) * 1e3)
        )
        kde = _kernel_at(kernel="quartic", bandwidth_m=h, d2=d2) @ total
        scores = {
            "last-period": history[-1] / km2,
            "kde": kde,
            "gistar": np.nan_to_num(gistar_sparse(values=total, neighbours=w, permutations=0).z),
            "recency": recency_score(cube=history / km2, neighbour_mean=mean),
        }
        for method, score in scores.items():
            for share in shares:
                results.setdefault((method, share), []).append(
                    capture(score=score, actual=actual, area=km2, share=share)
                )
    return _evaluation(results, "areas", test_months, train_months, len(x), n_events)
