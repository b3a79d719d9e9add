"""The hotspot runs behind ``vawg hotspots grid|areal``: events in, one table row per cell or area.

Output columns are those of ``docs/hotspots.md``, Output. ``score`` is the method's ranking of
where events will concentrate next (default ``recency``, the best method of the evaluation in
``docs/hotspots.md``); ``z``, ``p``, ``q`` and ``class`` are always the Gi* significance layer
(or, for ``--method emerging``, the emerging-hotspot class), so a map can show both. Tables are
written as CSV, or as GeoJSON in WGS84 when the file name ends in ``.geojson``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from vawg.errors import UserInputError
from vawg.spatial.areal import Areas
from vawg.spatial.grid import Grid, to_wgs84

GRID_METHODS = ("recency", "kde", "gistar", "counts", "emerging")
AREAL_METHODS = ("recency", "gistar", "counts", "emerging")


@dataclass(frozen=True)
class HotspotRun:
    """A hotspot table and the settings actually used (defaults resolved).

    Attributes
    ----------
    table : polars.DataFrame
        One row per cell or area (the columns of ``docs/hotspots.md``, Output).
    settings : dict
        ``cell_size_m``, ``distance_m``, ``bandwidth_m``, ``permutations``, ``fdr`` ... as used.
    """

    table: pl.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)


def _months(events: pl.DataFrame) -> list[str]:
    return sorted(set(events["month"].to_list()))


def grid_hotspots(
    *,
    events: pl.DataFrame,
    grid: Grid,
    method: str = "recency",
    weight: str = "count",
    distance_m: float | None = None,
    permutations: int = 999,
    seed: int | None = 0,
    alternative: str = "two-sided",
    fdr: bool = True,
    bandwidth_m: float | None = None,
    kernel: str = "quartic",
) -> HotspotRun:
    """Grid hotspots from events: counts, the method's score, Gi* significance, classes.

    Parameters
    ----------
    events : polars.DataFrame
        Columns ``month``, ``x``, ``y`` (EPSG:27700 metres) and ``harm_days``.
    grid : Grid
    method : {"recency", "kde", "gistar", "counts", "emerging"}
    weight : {"count", "harm"}
        Count events, or sum their CCHI harm-days.
    distance_m, permutations, seed, alternative, fdr
        Gi* settings (:func:`vawg.spatial.gistar.gistar_grid`).
    bandwidth_m, kernel
        KDE settings (:func:`vawg.spatial.kde.kde_grid`), for ``method="kde"``.

    Returns
    -------
    HotspotRun

    Examples
    --------
    >>> import polars as pl
    >>> from vawg.spatial.grid import grid_from_bounds
    >>> g = grid_from_bounds(x_min=0, y_min=0, x_max=299, y_max=299, cell_size_m=100)
    >>> ev = pl.DataFrame({"month": ["2020-01"] * 3, "x": [150.0, 150, 50],
    ...                    "y": [150.0, 160, 50], "harm_days": [1.0, 1, 1]})
    >>> run = grid_hotspots(events=ev, grid=g, permutations=0)
    >>> run.table.columns
    ['x', 'y', 'cell_size_m', 'count', 'score', 'z', 'p', 'q', 'class']
    >>> run.table["count"].sum()
    3.0
    """
    from vawg.spatial.emerging import emerging_classify
    from vawg.spatial.evaluate import grid_cube, grid_neighbour_ops, recency_score
    from vawg.spatial.gistar import distance_default, gistar_grid
    from vawg.spatial.kde import kde_grid

    if method not in GRID_METHODS:
        raise UserInputError(f"--method must be one of {', '.join(GRID_METHODS)}")
    column = _weight_column(weight)
    months = _months(events)
    cube = grid_cube(grid=grid, events=events, months=months, weight=column)
    values = cube.sum(axis=0)
    full = np.zeros(grid.shape)
    full[grid.in_area] = values
    d = distance_default(cell_size_m=grid.cell_size_m) if distance_m is None else distance_m
    gi = gistar_grid(
        grid=grid,
        values=full,
        distance_m=d,
        permutations=permutations,
        seed=seed,
        alternative=alternative,  # type: ignore[arg-type]
        fdr=fdr,
    )
    settings: dict[str, Any] = {
        "cells": grid.n_cells,
        "cell_size_m": grid.cell_size_m,
        "distance_m": round(d, 3),
        "method": method,
        "weight": weight,
        "permutations": permutations,
        "alternative": alternative,
        "fdr": "benjamini-hochberg" if fdr else "none",
        "seed": seed,
        "months": [months[0], months[-1]] if months else [],
        "events": int(events.height),
    }
    classes = gi.classes
    total, mean = grid_neighbour_ops(grid)
    if method == "recency":
        score = recency_score(cube=cube, neighbour_mean=mean)
    elif method == "kde":
        w = None if column is None else events[column].to_numpy()
        kde = kde_grid(
            grid=grid,
            x=events["x"].to_numpy(),
            y=events["y"].to_numpy(),
            weights=w,
            bandwidth_m=bandwidth_m,
            kernel=kernel,  # type: ignore[arg-type]
        )
        score = kde.density[grid.in_area] * 1e6
        settings.update(bandwidth_m=round(kde.bandwidth_m, 1), kernel=kernel, score_units="per km2")
    elif method == "gistar":
        score = np.nan_to_num(gi.z)
    elif method == "counts":
        score = values
    else:
        if len(months) < 2:
            raise UserInputError("--method emerging needs at least two months of events")
        em = emerging_classify(cube=cube, spatial_sum=total)
        classes = em.classes
        score = np.nan_to_num(em.z[-1])
        settings.update(emerging_alpha=em.alpha, time_steps=em.time_steps)
    x, y = grid.centres()
    table = pl.DataFrame(
        {
            "x": x[grid.in_area],
            "y": y[grid.in_area],
            "cell_size_m": np.full(grid.n_cells, grid.cell_size_m),
            "count": values,
            "score": np.asarray(score, dtype=np.float64),
            "z": gi.z,
            "p": gi.p,
            "q": gi.q,
            "class": classes,
        }
    ).with_columns(pl.col("z").fill_nan(None))
    return HotspotRun(table=table, settings=settings)


def _weight_column(weight: str) -> str | None:
    if weight == "count":
        return None
    if weight == "harm":
        return "harm_days"
    raise UserInputError("--weight must be count or harm")


def areal_hotspots(
    *,
    areas: Areas,
    counts: NDArray[np.float64],
    months: list[str],
    method: str = "recency",
    permutations: int = 999,
    seed: int | None = 0,
    alternative: str = "two-sided",
    fdr: bool = True,
) -> HotspotRun:
    """Hotspots over areas from counts per area and month.

    Parameters
    ----------
    areas : Areas
    counts : ndarray, shape (n, T)
        Events (or harm-days) per area and month, months oldest first.
    months : list of str
    method : {"recency", "gistar", "counts", "emerging"}
        ``recency`` and ``counts`` score per km².
    permutations, seed, alternative, fdr
        Gi* settings.

    Returns
    -------
    HotspotRun
        Columns ``area_code``, ``area_name``, ``count``, ``score``, ``z``, ``p``, ``q``, ``class``,
        ``trend`` (Mann-Kendall on the monthly counts: ``increasing``, ``decreasing`` or
        ``no-trend`` at 5 %; blank with one month).

    Examples
    --------
    >>> import numpy as np, shapely
    >>> from vawg.spatial.areal import Areas, queen_neighbours
    >>> g = np.array([shapely.box(i, 0, i + 1, 1) for i in range(4)])
    >>> a = Areas(codes=("a", "b", "c", "d"), names=("A", "B", "C", "D"), geometries=g,
    ...           area_m2=np.ones(4), x=np.arange(4.0), y=np.zeros(4),
    ...           neighbours=queen_neighbours(geometries=g))
    >>> run = areal_hotspots(areas=a, counts=np.array([[1.0], [5], [9], [0]]), months=["2020-01"],
    ...                      permutations=0)
    >>> run.table["area_code"].to_list(), run.table["count"].to_list()
    (['a', 'b', 'c', 'd'], [1.0, 5.0, 9.0, 0.0])
    """
    from scipy import sparse

    from vawg.spatial.emerging import emerging_classify, mann_kendall
    from vawg.spatial.evaluate import recency_score
    from vawg.spatial.gistar import gistar_sparse

    if method not in AREAL_METHODS:
        raise UserInputError(f"--method must be one of {', '.join(AREAL_METHODS)}")
    c = np.asarray(counts, dtype=np.float64)
    values = c.sum(axis=1)
    w = sparse.csr_matrix(areas.neighbours, dtype=np.float64)
    k = np.asarray(w.sum(axis=1)).ravel()
    km2 = areas.area_m2 / 1e6
    gi = gistar_sparse(
        values=values,
        neighbours=w,
        permutations=permutations,
        seed=seed,
        alternative=alternative,  # type: ignore[arg-type]
        fdr=fdr,
    )
    classes = gi.classes

    def mean(v: NDArray[np.float64]) -> NDArray[np.float64]:
        with np.errstate(invalid="ignore", divide="ignore"):
            out: NDArray[np.float64] = np.nan_to_num(
                np.asarray(w @ v, dtype=np.float64).ravel() / k
            )
            return out

    if method == "recency":
        score = recency_score(cube=c.T / km2, neighbour_mean=mean)
    elif method == "gistar":
        score = np.nan_to_num(gi.z)
    elif method == "counts":
        score = values / km2
    else:
        if len(months) < 2:
            raise UserInputError("--method emerging needs at least two months")
        w_self = w + sparse.identity(w.shape[0], format="csr")
        em = emerging_classify(cube=c.T, spatial_sum=lambda v: np.asarray(w_self @ v).ravel())
        classes = em.classes
        score = np.nan_to_num(em.z[-1])
    if c.shape[1] >= 2:
        mk = mann_kendall(c.T)
        trend = np.where(
            mk.p <= 0.05, np.where(mk.z > 0, "increasing", "decreasing"), "no-trend"
        ).astype(str)
        trend_col: list[str | None] = list(trend.tolist())
    else:
        trend_col = [None] * areas.n
    table = pl.DataFrame(
        {
            "area_code": list(areas.codes),
            "area_name": list(areas.names),
            "count": values,
            "score": np.asarray(score, dtype=np.float64),
            "z": gi.z,
            "p": gi.p,
            "q": gi.q,
            "class": classes,
            "trend": pl.Series(trend_col, dtype=pl.String),
        }
    ).with_columns(pl.col("z").fill_nan(None))
    settings = {
        "areas": areas.n,
        "method": method,
        "permutations": permutations,
        "alternative": alternative,
        "fdr": "benjamini-hochberg" if fdr else "none",
        "seed": seed,
        "months": [months[0], months[-1]] if months else [],
        "neighbours": "queen contiguity",
    }
    return HotspotRun(table=table, settings=settings)


def table_write(
    table: pl.DataFrame,
    path: Path,
    *,
    cell_size_m: float | None = None,
    geometries: NDArray[Any] | None = None,
) -> None:
    """Write a hotspot table as CSV, or as GeoJSON (WGS84) when ``path`` ends in ``.geojson``.

    Parameters
    ----------
    table : polars.DataFrame
    path : Path
    cell_size_m : float, optional
        For grid tables: squares of this side around ``x``, ``y`` become the geometries.
    geometries : ndarray of shapely geometries (EPSG:27700), optional
        For area tables, one per row.

    Examples
    --------
    >>> import tempfile, polars as pl
    >>> from pathlib import Path
    >>> t = pl.DataFrame({"x": [530050.0], "y": [180050.0], "count": [2.0]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     table_write(t, Path(d) / "h.geojson", cell_size_m=100)
    ...     doc = json.loads((Path(d) / "h.geojson").read_text())
    >>> feature = doc["features"][0]
    >>> feature["properties"]["count"], len(feature["geometry"]["coordinates"][0])
    (2.0, 5)
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise UserInputError(f"folder does not exist: {path.parent}")
    if path.suffix.lower() != ".geojson":
        table.write_csv(path)
        return
    import shapely

    if geometries is None:
        if cell_size_m is None:
            raise ValueError("a grid table needs cell_size_m for GeoJSON")
        h = cell_size_m / 2
        x = table["x"].to_numpy()
        y = table["y"].to_numpy()
        geoms = shapely.box(x - h, y - h, x + h, y + h)
    else:
        geoms = geometries

    def project(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = to_wgs84(x=xy[:, 0], y=xy[:, 1])
        return np.column_stack([np.round(lon, 6), np.round(lat, 6)])

    wgs = shapely.transform(geoms, project)
    features = []
    for props, geom in zip(table.iter_rows(named=True), wgs, strict=True):
        clean = {
            k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in props.items()
        }
        features.append(
            {"type": "Feature", "properties": clean, "geometry": shapely.geometry.mapping(geom)}
        )
    doc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(doc, separators=(",", ":"), default=_jsonable), encoding="utf-8")


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value)}")
