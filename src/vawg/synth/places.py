"""Placing synthetic events inside wards: uniform points in a ward polygon by rejection sampling.

Candidates are drawn uniformly in the ward's bounding box (in WGS84 degrees: at ward scale the
difference from uniform-in-area is well under 1%), rounded to the output precision, and kept when
the prepared polygon contains them (``shapely.contains_xy``, vectorised); a ward short of points
draws again, sized by its observed acceptance rate. Rounding before the test guarantees the
written point is inside the polygon. Without polygons, points are picked from a ward's shipped
interior points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely


def points_in_wards(
    *,
    ward_index: np.ndarray,
    polygons: Sequence[Any],
    rng: np.random.Generator,
    decimals: int = 6,
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random points inside each event's ward.

    Parameters
    ----------
    ward_index : numpy.ndarray of int, shape (n,)
        The ward of each event, an index into ``polygons``.
    polygons : sequence of shapely geometries
        Ward (multi)polygons in WGS84 longitude/latitude. They are prepared (a cache; their
        coordinates are not changed).
    rng : numpy.random.Generator
        Source of randomness; wards are filled in index order, so a seed fixes the result.
    decimals : int
        Rounding of the returned degrees (6 dp is about 0.1 m).

    Returns
    -------
    lon, lat : numpy.ndarray of float, shape (n,)
        Each point lies inside its ward polygon after rounding.

    Examples
    --------
    >>> square = shapely.box(0.0, 0.0, 1.0, 1.0)
    >>> triangle = shapely.Polygon([(2, 0), (3, 0), (2, 1)])
    >>> lon, lat = points_in_wards(ward_index=np.array([0, 1, 1, 0]),
    ...     polygons=[square, triangle], rng=np.random.default_rng(1))
    >>> bool(shapely.contains_xy(triangle, lon[1:3], lat[1:3]).all())
    True
    >>> bool(((lon[[0, 3]] > 0) & (lon[[0, 3]] < 1)).all())
    True
    """
    ward_index = np.asarray(ward_index, dtype=np.int64)
    lon = np.full(ward_index.shape, np.nan)
    lat = np.full(ward_index.shape, np.nan)
    order = np.argsort(ward_index, kind="stable")
    wards, starts, counts = np.unique(ward_index[order], return_index=True, return_counts=True)
    for ward, start, count in zip(wards.tolist(), starts.tolist(), counts.tolist(), strict=True):
        geom = polygons[ward]
        shapely.prepare(geom)
        x0, y0, x1, y1 = shapely.bounds(geom).tolist()
        box_area = max((x1 - x0) * (y1 - y0), 1e-18)
        accept = min(max(float(shapely.area(geom)) / box_area, 0.05), 1.0)
        got_x: list[np.ndarray] = []
        got_y: list[np.ndarray] = []
        have = 0
        while have < count:
            draw = int((count - have) / accept * 1.25) + 16
            x = np.round(rng.uniform(x0, x1, draw), decimals)
            y = np.round(rng.uniform(y0, y1, draw), decimals)
            inside = shapely.contains_xy(geom, x, y)
            got_x.append(x[inside])
            got_y.append(y[inside])
            have += int(inside.sum())
        targets = order[start : start + count]
        lon[targets] = np.concatenate(got_x)[:count]
        lat[targets] = np.concatenate(got_y)[:count]
    return lon, lat


def points_from_table(
    *,
    ward_index: np.ndarray,
    points: Sequence[Sequence[tuple[float, float]]],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Points chosen at random among each ward's shipped interior points.

    Parameters
    ----------
    ward_index : numpy.ndarray of int, shape (n,)
        The ward of each event, an index into ``points``.
    points : sequence of sequences of (lon, lat)
        A few interior points per ward (WGS84 degrees); a ward with none gets NaN.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    lon, lat : numpy.ndarray of float, shape (n,)

    Examples
    --------
    >>> lon, lat = points_from_table(ward_index=np.array([1, 1]),
    ...     points=[[(0.0, 0.0)], [(1.0, 2.0), (1.5, 2.5)]], rng=np.random.default_rng(0))
    >>> sorted(set(lon.tolist()) | {1.0}) <= [1.0, 1.5]
    True
    """
    ward_index = np.asarray(ward_index, dtype=np.int64)
    sizes = np.array([len(p) for p in points], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    flat = np.array([xy for p in points for xy in p], dtype=float).reshape(-1, 2)
    size = sizes[ward_index]
    pick = offsets[ward_index] + np.floor(rng.random(ward_index.size) * np.maximum(size, 1))
    pick = pick.astype(np.int64)
    has = size > 0
    lon = np.full(ward_index.shape, np.nan)
    lat = np.full(ward_index.shape, np.nan)
    lon[has] = flat[pick[has], 0]
    lat[has] = flat[pick[has], 1]
    return lon, lat
