"""Grids aligned to the cell size, default cell size, counting, projection."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box

from vawg.spatial.grid import (
    cell_size_default,
    grid_counts,
    grid_from_area,
    grid_from_bounds,
    to_bng,
    to_wgs84,
)


def test_grid_is_aligned_to_multiples_of_the_cell_size() -> None:
    g = grid_from_bounds(
        x_min=530_123, y_min=180_456, x_max=531_999, y_max=181_001, cell_size_m=250
    )
    assert g.x_min % 250 == 0
    assert g.y_min % 250 == 0
    assert g.x_min <= 530_123 < g.x_min + 250
    assert g.x_min + g.n_cols * 250 > 531_999
    assert g.y_min + g.n_rows * 250 > 181_001


@pytest.mark.parametrize(
    ("w", "h", "expected"), [(45_000, 38_000, 700.0), (4_000, 9_000, 80.0), (400, 300, 6.0)]
)
def test_default_cell_size_is_a_fiftieth_of_the_shorter_side_rounded_down(
    w: float, h: float, expected: float
) -> None:
    assert cell_size_default(width_m=w, height_m=h) == expected


def test_counts_put_each_point_in_one_cell_and_ignore_points_outside() -> None:
    g = grid_from_bounds(x_min=0, y_min=0, x_max=299, y_max=199, cell_size_m=100)
    x = np.array([0.0, 99.9, 100.0, 250, 1e6])
    y = np.array([0.0, 50, 150, 199, 0])
    c = grid_counts(grid=g, x=x, y=y)
    assert c.tolist() == [[2.0, 0.0, 0.0], [0.0, 1.0, 1.0]]


def test_area_grid_keeps_cells_touching_the_area_and_counts_only_inside() -> None:
    area = box(0, 0, 250, 250)
    g = grid_from_area(area=area, cell_size_m=100)
    assert g.shape == (3, 3)
    assert g.in_area.all()
    g2 = grid_from_area(area=box(0, 0, 50, 50).union(box(250, 250, 290, 290)), cell_size_m=100)
    assert g2.in_area.sum() == 2
    c = grid_counts(grid=g2, x=np.array([150.0, 20]), y=np.array([150.0, 20]))
    assert c.sum() == 1.0


def test_projection_round_trips_within_a_millimetre() -> None:
    lon = np.array([-0.1276, -0.5, 0.2])
    lat = np.array([51.5072, 51.3, 51.6])
    x, y = to_bng(lon=lon, lat=lat)
    lon2, lat2 = to_wgs84(x=x, y=y)
    assert np.allclose(lon, lon2, atol=1e-8)
    assert np.allclose(lat, lat2, atol=1e-8)
