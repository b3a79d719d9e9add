"""Square grids in the British National Grid (EPSG:27700), aligned to multiples of the cell size.

A grid covers a study area: a boundary (cells that touch the area's polygons) or a bounding box.
Cells are indexed ``[row, col]`` with row 0 the southernmost and col 0 the westernmost; the
corner of cell ``[r, c]`` is ``(x_min + c * s, y_min + r * s)`` where ``x_min`` and ``y_min`` are
multiples of the side ``s``, so grids of the same cell size drawn over different areas line up.
The default cell size follows sfhotspot's ``set_cell_size`` (Ashby): a fiftieth of the shorter
side of the area, rounded down to a multiple of 100 m (10 m below 5 km, 1 m below 500 m).

Coordinates from WGS84 are projected with pyproj (EPSG:4326 -> EPSG:27700, always x = easting).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Grid:
    """A square grid aligned to its cell size, with the cells inside the study area marked.

    Attributes
    ----------
    x_min, y_min : float
        South-west corner, EPSG:27700 metres, multiples of ``cell_size_m``.
    cell_size_m : float
        Side of a square cell in metres.
    n_rows, n_cols : int
        Shape of the grid.
    in_area : ndarray of bool, shape (n_rows, n_cols)
        Cells of the study area (all True for a bounding box).
    """

    x_min: float
    y_min: float
    cell_size_m: float
    n_rows: int
    n_cols: int
    in_area: NDArray[np.bool_]

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_rows, n_cols)``."""
        return (self.n_rows, self.n_cols)

    @property
    def n_cells(self) -> int:
        """Number of cells in the study area."""
        return int(np.count_nonzero(self.in_area))

    def centres(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Cell-centre coordinates, each of shape (n_rows, n_cols), EPSG:27700 metres.

        Examples
        --------
        >>> g = grid_from_bounds(x_min=0, y_min=0, x_max=199, y_max=99, cell_size_m=100)
        >>> x, y = g.centres()
        >>> x.tolist(), y.tolist()
        ([[50.0, 150.0]], [[50.0, 50.0]])
        """
        s = self.cell_size_m
        xs = self.x_min + s * (np.arange(self.n_cols) + 0.5)
        ys = self.y_min + s * (np.arange(self.n_rows) + 0.5)
        x, y = np.meshgrid(xs, ys)
        return x, y


def cell_size_default(*, width_m: float, height_m: float, cells_across: int = 50) -> float:
    """sfhotspot's default cell size: the shorter side over 50, rounded down to a round number.

    Parameters
    ----------
    width_m, height_m : float
        Extent of the study area in metres.
    cells_across : int
        Cells across the shorter side before rounding (sfhotspot: 50).

    Returns
    -------
    float
        Metres: a multiple of 100 (of 10 below 5 km, of 1 below 500 m, never below 1).

    Examples
    --------
    >>> cell_size_default(width_m=45_000, height_m=38_000)
    700.0
    >>> cell_size_default(width_m=2_900, height_m=1_600)
    30.0
    """
    raw = min(width_m, height_m) / cells_across
    for step in (100.0, 10.0, 1.0):
        if raw >= step:
            return math.floor(raw / step) * step
    return 1.0


def grid_from_bounds(
    *,
    x_min: float,
    y_min: float,
    x_max: float,
    y_max: float,
    cell_size_m: float | None = None,
) -> Grid:
    """A grid covering a bounding box (EPSG:27700 metres), aligned to the cell size.

    Parameters
    ----------
    x_min, y_min, x_max, y_max : float
        Box to cover, metres.
    cell_size_m : float, optional
        Side of a cell; default :func:`cell_size_default` of the box.

    Returns
    -------
    Grid
        Every point of the box lies in a cell (a point on the east or north edge gets a cell).

    Examples
    --------
    >>> g = grid_from_bounds(x_min=530_010, y_min=180_020, x_max=530_990, y_max=180_400,
    ...                      cell_size_m=250)
    >>> g.x_min, g.y_min, g.shape
    (530000.0, 180000.0, (2, 4))
    """
    if not (x_max >= x_min and y_max >= y_min):
        raise ValueError("bounds must have x_max >= x_min and y_max >= y_min")
    s = (
        float(cell_size_m)
        if cell_size_m
        else cell_size_default(width_m=x_max - x_min, height_m=y_max - y_min)
    )
    if s <= 0:
        raise ValueError("cell_size_m must be positive")
    x0 = math.floor(x_min / s) * s
    y0 = math.floor(y_min / s) * s
    n_cols = math.floor((x_max - x0) / s) + 1
    n_rows = math.floor((y_max - y0) / s) + 1
    return Grid(
        x_min=float(x0),
        y_min=float(y0),
        cell_size_m=s,
        n_rows=n_rows,
        n_cols=n_cols,
        in_area=np.ones((n_rows, n_cols), dtype=bool),
    )


def grid_from_area(*, area: Any, cell_size_m: float | None = None) -> Grid:
    """A grid over a study area: the cells that touch the area (a shapely geometry in EPSG:27700).

    Parameters
    ----------
    area : shapely Polygon or MultiPolygon
        The study area, EPSG:27700 metres.
    cell_size_m : float, optional
        Side of a cell; default :func:`cell_size_default` of the area's bounding box.

    Returns
    -------
    Grid
        ``in_area`` marks the cells whose square intersects the area.

    Examples
    --------
    >>> from shapely.geometry import Polygon
    >>> tri = Polygon([(0, 0), (300, 0), (0, 300)])
    >>> grid_from_area(area=tri, cell_size_m=100).in_area.astype(int).tolist()
    [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0]]
    """
    import shapely

    x_min, y_min, x_max, y_max = area.bounds
    base = grid_from_bounds(
        x_min=x_min, y_min=y_min, x_max=x_max, y_max=y_max, cell_size_m=cell_size_m
    )
    x, y = base.centres()
    s = base.cell_size_m
    shapely.prepare(area)
    inside = shapely.contains_xy(area, x, y)
    # Cells whose centre is outside may still touch the area: test their squares exactly.
    near = ~inside & (shapely.distance(area, shapely.points(x, y)) <= s * math.sqrt(0.5))
    rows, cols = np.nonzero(near)
    if rows.size:
        boxes = shapely.box(
            x[rows, cols] - s / 2,
            y[rows, cols] - s / 2,
            x[rows, cols] + s / 2,
            y[rows, cols] + s / 2,
        )
        inside[rows, cols] = shapely.intersects(area, boxes)
    return Grid(
        x_min=base.x_min,
        y_min=base.y_min,
        cell_size_m=s,
        n_rows=base.n_rows,
        n_cols=base.n_cols,
        in_area=inside,
    )


def grid_counts(
    *,
    grid: Grid,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    weights: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Sum of events (or their weights) in each cell; points outside the study area are ignored.

    Parameters
    ----------
    grid : Grid
    x, y : ndarray, shape (n,)
        Event coordinates, EPSG:27700 metres.
    weights : ndarray, shape (n,), optional
        A weight per event (e.g. harm-days); default 1.

    Returns
    -------
    ndarray, shape (n_rows, n_cols)
        Counts (or weight sums); 0 outside the study area.

    Examples
    --------
    >>> import numpy as np
    >>> g = grid_from_bounds(x_min=0, y_min=0, x_max=199, y_max=99, cell_size_m=100)
    >>> grid_counts(grid=g, x=np.array([10.0, 20, 150]), y=np.array([5.0, 5, 5])).tolist()
    [[2.0, 1.0]]
    """
    col, row, ok = cell_index(grid=grid, x=x, y=y)
    w = np.ones(np.shape(x)) if weights is None else np.asarray(weights, dtype=np.float64)
    flat = row[ok] * grid.n_cols + col[ok]
    out = np.bincount(flat, weights=w[ok], minlength=grid.n_rows * grid.n_cols)
    return np.asarray(out, dtype=np.float64).reshape(grid.shape)


def cell_index(
    *, grid: Grid, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
    """Column and row of each point's cell, and whether the point lies in the study area.

    Examples
    --------
    >>> import numpy as np
    >>> g = grid_from_bounds(x_min=0, y_min=0, x_max=199, y_max=99, cell_size_m=100)
    >>> c, r, ok = cell_index(grid=g, x=np.array([150.0, 900]), y=np.array([50.0, 50]))
    >>> c.tolist(), r.tolist(), ok.tolist()
    ([1, 0], [0, 0], [True, False])
    """
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    fc = np.floor((xa - grid.x_min) / grid.cell_size_m)
    fr = np.floor((ya - grid.y_min) / grid.cell_size_m)
    ok = (fc >= 0) & (fc < grid.n_cols) & (fr >= 0) & (fr < grid.n_rows)
    ok &= np.isfinite(xa) & np.isfinite(ya)
    col = np.where(ok, fc, 0).astype(np.int64)
    row = np.where(ok, fr, 0).astype(np.int64)
    ok[ok] = grid.in_area[row[ok], col[ok]]
    col[~ok] = 0
    row[~ok] = 0
    return col, row, ok


@lru_cache(maxsize=2)
def _transformer(src: str, dst: str) -> Any:
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def to_bng(
    *, lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """WGS84 longitude/latitude (degrees) to EPSG:27700 easting/northing (metres).

    Examples
    --------
    >>> import numpy as np
    >>> x, y = to_bng(lon=np.array([-0.1276]), lat=np.array([51.5072]))
    >>> round(float(x[0]), -2), round(float(y[0]), -2)
    (530000.0, 180400.0)
    """
    x, y = _transformer("EPSG:4326", "EPSG:27700").transform(
        np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    )
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def to_wgs84(
    *, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """EPSG:27700 easting/northing (metres) to WGS84 longitude/latitude (degrees).

    Examples
    --------
    >>> import numpy as np
    >>> lon, lat = to_wgs84(x=np.array([530_000.0]), y=np.array([180_000.0]))
    >>> round(float(lon[0]), 2), round(float(lat[0]), 2)
    (-0.13, 51.5)
    """
    lon, lat = _transformer("EPSG:27700", "EPSG:4326").transform(
        np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    )
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
